//! Black-box tests of the whole application over HTTP, one binary for all of them.
//! Each test starts its own server and database (see `helpers`).

mod access;
mod accounts;
mod api;
mod api_contract;
mod audits;
mod auth;
mod backup;
mod bench;
mod benchmarks;
mod browser;
mod catalogue;
mod cli;
mod commitments;
mod concurrency;
mod dashboard;
mod deployment;
mod evidence;
mod evidence_links;
mod exports;
mod faults;
mod framework_files;
mod framework_validate;
mod frameworks;
mod generate;
mod helpers;
mod indicator_columns;
mod indicators;
mod layers;
mod long_texts;
mod organisations;
mod reports;
mod security_matrix;
mod sites;
mod smtp_sink;
mod surveys;
