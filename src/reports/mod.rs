//! Data taken away and drawn: calendars as ICS, tables as CSV and XLSX, charts as SVG.

pub mod action_plan;
pub mod audit_report;
pub mod calendar;
pub mod charts;
pub mod csv_export;
pub mod dashboard;
pub mod document;
pub mod map;
pub mod ods;
pub mod organisations;
pub mod pdf;
pub mod rollout;
pub mod sheet;

/// A day as French documents print it: `05/03/2025`.
pub fn date_fr(day: chrono::NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}
