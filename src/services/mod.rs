//! Use cases: what pages, API and CLI do, each found through the actor's scope and checked
//! against `domain::policy`; the edges differ only in how they read the request and shape
//! the answer.

pub mod actions;
pub mod audits;
pub mod benchmarks;
pub mod charters;
pub mod commitments;
pub mod dashboard;
pub mod evidence;
pub mod frameworks;
pub mod indicator_board;
pub mod indicators;
pub mod memo;
pub mod my_audits;
pub mod organisations;
pub mod photos;
pub mod preparation;
pub mod published;
pub mod reminders;
pub mod reports;
pub mod schedules;
pub mod surveys;
