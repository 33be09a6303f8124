//! The audit report: what it says is gathered once (`data`), fingerprinted as canonical
//! JSON (its sha256 is printed on every page and lets anyone verify a printed copy), then
//! laid out as a PDF (`render`). The same data always give the same bytes.

mod data;
mod render;

pub use data::{ReportData, load};
pub use render::render;

use crate::auth::sha256_hex;

/// The sha256 of the report's canonical content (its data as JSON, fields in a fixed order).
pub fn fingerprint(data: &ReportData) -> String {
    sha256_hex(&serde_json::to_vec(data).unwrap_or_default())
}
