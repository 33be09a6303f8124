//! One room per resource: each handler reads the request, calls a service and picks a
//! template. A resource with several pages has a folder named after it (an audit's page,
//! findings, comparison and report are all under `audits`).

pub mod accessibility;
pub mod account;
pub mod account_sessions;
pub mod actions;
pub mod admin;
pub mod admin_history;
pub mod admin_settings;
pub mod audits;
pub mod auth;
pub mod auth_code;
pub mod benchmarks;
pub mod calendar;
pub mod commitments;
pub mod dashboard;
pub mod evidence;
pub mod frameworks;
pub mod health;
pub mod history_view;
pub mod home;
pub mod indicators;
pub mod organisations;
pub mod published;
pub mod second_factor;
pub mod sites;
pub mod sso;
pub mod surveys;
