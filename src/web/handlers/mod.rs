//! One file per resource; each handler translates HTTP to a model call and picks a template.

pub mod account;
pub mod actions;
pub mod admin;
pub mod audits;
pub mod auth;
pub mod benchmarks;
pub mod calendar;
pub mod commitment_view;
pub mod commitments;
pub mod comparison;
pub mod evidence;
pub mod evidence_item;
pub mod finding_parts;
pub mod findings;
pub mod framework_view;
pub mod frameworks;
pub mod health;
pub mod history_view;
pub mod home;
pub mod indicator_entry;
pub mod indicator_import;
pub mod indicator_own;
pub mod indicators;
pub mod organisations;
pub mod sites;
pub mod surveys;
