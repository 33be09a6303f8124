//! qualitrack: the quality tracker of French social housing.
//!
//! Layers: `web` and `api` (HTTP) → `models` (queries, one file per aggregate) → `domain`
//! (pure rules). `startup` builds the application the same way for `main` and for tests.

pub mod api;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod models;
pub mod reports;
pub mod services;
pub mod startup;
pub mod storage;
pub mod templates;
pub mod web;
