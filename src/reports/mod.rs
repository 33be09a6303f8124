//! Data taken away and drawn: calendars as ICS, tables as CSV and XLSX, charts as SVG.

pub mod audit_report;
pub mod calendar;
pub mod charts;
pub mod pdf;
pub mod rollout;
