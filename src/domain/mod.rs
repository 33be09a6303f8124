//! Pure rules of the domain: validated value types and enumerations.
//! Nothing here touches the database or HTTP; everything is unit-tested in place.

pub mod action_plan;
pub mod actor;
pub mod audit;
pub mod calendar;
pub mod commitment;
pub mod dates;
pub mod device;
pub mod email;
pub mod enums;
pub mod framework;
pub mod identifiers;
pub mod indicators;
pub mod policy;
pub mod readiness;
pub mod region;
pub mod rollout;
pub mod schedule;
#[cfg(test)]
mod schedule_tests;
pub mod submission;
pub mod survey;
pub mod text;
pub mod validation;

pub use email::Email;
pub use enums::{Family, Federation, Role, SiteKind};
pub use identifiers::{PostalCode, Siren};
pub use region::Region;
pub use text::{BoundedText, Homes};
pub use validation::{FieldErrors, Invalid};
