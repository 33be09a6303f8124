//! What `qualitrack frameworks validate` checks files against: the frameworks shipped in the
//! binary and those imported in the database the settings name, so that a charter mapping to
//! ISO 9001, or to a version only the database holds, validates as it would import.

use std::path::Path;

use crate::config::Settings;
use crate::db::DbUrl;
use crate::domain::framework::{self, Known};
use crate::models::framework as framework_model;

/// The imported versions, then the bundled ones the database does not hold yet. A database
/// that cannot be read is said on standard error; the bundled frameworks still count.
pub fn known_frameworks(settings: &Settings) -> Vec<Known> {
    let mut known = imported(settings).unwrap_or_else(|why| {
        eprintln!("note: {why}; checking against the bundled frameworks only");
        Vec::new()
    });
    for bundled in framework::bundled_known() {
        if !known
            .iter()
            .any(|k| k.code == bundled.code && k.version == bundled.version)
        {
            known.push(bundled);
        }
    }
    known
}

/// The versions imported in the database, read without creating or migrating it: checking a
/// file must not leave a new SQLite file behind.
fn imported(settings: &Settings) -> Result<Vec<Known>, String> {
    let url = DbUrl::parse(&settings.database_url())?;
    if url
        .sqlite_path()
        .is_some_and(|path| !Path::new(path).exists())
    {
        return Ok(Vec::new());
    }
    let mut conn = url
        .establish()
        .map_err(|e| format!("cannot open the database: {e}"))?;
    framework_model::known(&mut conn)
        .map_err(|e| format!("cannot read the frameworks of the database: {e}"))
}
