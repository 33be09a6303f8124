//! Use cases that span several aggregates.

pub mod benchmarks;
pub mod charters;
pub mod dashboard;
pub mod frameworks;
pub mod indicator_board;
pub mod indicators;
pub mod memo;
pub mod reminders;
pub mod reports;
pub mod schedules;
