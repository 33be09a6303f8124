//! One file per aggregate: row structs, inputs that can only be built valid, and queries
//! that take the caller's scope, so visibility is enforced where data is read.

pub mod action;
pub mod api_token;
pub mod audit;
pub mod calendar_feed;
pub mod commitment;
pub mod evidence;
pub mod finding;
pub mod framework;
pub mod history;
pub mod identity;
pub mod indicator;
pub mod login_failure;
pub mod organisation;
pub mod own_indicator;
pub mod photo;
pub mod second_factor;
pub mod site;
pub mod survey;
pub mod user;
pub mod user_session;

use crate::domain::{FieldErrors, Invalid};
use crate::error::AppError;

/// Converts a unique-constraint violation into a field error, anything else as usual.
pub(crate) fn unique_violation_on(
    error: diesel::result::Error,
    field: &str,
    key: &'static str,
) -> AppError {
    match error {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ) => AppError::Validation(FieldErrors::single(field, Invalid::new(key))),
        other => other.into(),
    }
}

/// A unique key met: someone wrote the same record at the same instant, a conflict for the
/// caller to settle (read the other's record back); anything else as usual.
pub(crate) fn conflict_on_unique(error: diesel::result::Error) -> AppError {
    match error {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ) => AppError::Conflict,
        other => other.into(),
    }
}

/// Pagination of lists: page numbers from 1, a bounded page size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Page {
    pub number: i64,
    pub size: i64,
}

impl Page {
    pub const DEFAULT_SIZE: i64 = 50;
    pub const MAX_SIZE: i64 = 200;

    pub fn new(number: Option<i64>, size: Option<i64>) -> Self {
        Self {
            number: number.unwrap_or(1).max(1),
            size: size.unwrap_or(Self::DEFAULT_SIZE).clamp(1, Self::MAX_SIZE),
        }
    }

    pub fn offset(self) -> i64 {
        (self.number - 1).saturating_mul(self.size)
    }

    pub fn count(self, total: i64) -> i64 {
        ((total + self.size - 1) / self.size).max(1)
    }
}

/// A page of results with the total count, as lists are answered everywhere.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub pages: i64,
}

impl<T> Paged<T> {
    pub fn new(items: Vec<T>, total: i64, page: Page) -> Self {
        Self {
            items,
            total,
            page: page.number,
            per_page: page.size,
            pages: page.count(total),
        }
    }

    /// One page of everything read (lists whose whole is small enough to read at once).
    pub fn of_all(all: Vec<T>, page: Page) -> Self {
        let total = i64::try_from(all.len()).unwrap_or(i64::MAX);
        let skip = usize::try_from(page.offset()).unwrap_or(usize::MAX);
        let take = usize::try_from(page.size).unwrap_or(usize::MAX);
        Self::new(all.into_iter().skip(skip).take(take).collect(), total, page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_bounded() {
        let page = Page::new(Some(0), Some(10_000));
        assert_eq!(page.number, 1);
        assert_eq!(page.size, Page::MAX_SIZE);
        assert_eq!(Page::new(Some(3), Some(20)).offset(), 40);
        assert_eq!(Page::new(None, None).count(0), 1);
        assert_eq!(Page::new(None, Some(50)).count(101), 3);
    }
}
