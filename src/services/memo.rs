//! Figures computed once and served again while nothing has changed: at federation scale a
//! dashboard, a calendar or an indicator's peers take tens of milliseconds of queries and
//! computing, for answers that change only when someone writes. Every write leaves a history
//! row whose id (a UUIDv7) is newer than the others, so the newest history id tells, from the
//! database itself and for every application node, whether anything changed; a short
//! lifetime bounds what clocks that disagree between nodes could leave stale.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::history;
use crate::error::AppError;

/// Longest a dashboard is served without being computed again.
const LIFETIME: Duration = Duration::from_secs(60);
/// Answers kept (one per key: scope, filters, day…); beyond, all are dropped.
const ENTRIES: usize = 256;

struct Kept<T> {
    /// The newest history id when the entries were computed.
    stamp: Option<String>,
    entries: HashMap<String, (Instant, Arc<T>)>,
}

/// Shared by the pages and the API of one application node.
pub struct Memo<T>(Arc<Mutex<Kept<T>>>);

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Memo(Arc::new(Mutex::new(Kept {
            stamp: None,
            entries: HashMap::new(),
        })))
    }
}

impl<T> Clone for Memo<T> {
    fn clone(&self) -> Self {
        Memo(Arc::clone(&self.0))
    }
}

impl<T> Memo<T> {
    /// The answer for `key`, computed by `compute` unless one computed since the last write,
    /// less than a minute ago, is kept.
    pub fn get_or_compute(
        &self,
        conn: &mut DbConnection,
        key: String,
        compute: impl FnOnce(&mut DbConnection) -> Result<T, AppError>,
    ) -> Result<Arc<T>, AppError> {
        let stamp: Option<String> = history::table
            .select(diesel::dsl::max(history::id))
            .first(conn)?;
        {
            let mut kept = self
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if kept.stamp != stamp {
                kept.entries.clear();
                kept.stamp.clone_from(&stamp);
            }
            if let Some((at, answer)) = kept.entries.get(&key)
                && at.elapsed() < LIFETIME
            {
                return Ok(Arc::clone(answer));
            }
        }
        // Computed without the lock held: other answers are served meanwhile.
        let answer = Arc::new(compute(conn)?);
        let mut kept = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if kept.stamp == stamp {
            if kept.entries.len() >= ENTRIES {
                kept.entries.clear();
            }
            kept.entries
                .insert(key, (Instant::now(), Arc::clone(&answer)));
        }
        Ok(answer)
    }
}
