//! Use cases that span several aggregates.

pub mod charters;
pub mod frameworks;
pub mod reminders;
pub mod schedules;
