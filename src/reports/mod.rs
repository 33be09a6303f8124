//! Data taken away: calendars as ICS, tables as CSV and XLSX.

pub mod calendar;
