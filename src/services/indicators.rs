//! Importing indicator values: a CSV file read, each line checked against the organisme's
//! indicators and sites, then written all at once, or nothing when any line is wrong (unless
//! asked to keep the valid lines). The same checks serve the page, the API and the CLI.

use std::collections::HashMap;

use serde::Serialize;

use crate::auth::CurrentUser;
use crate::db::DbConnection;
use crate::domain::indicators::csv_file::{self, Line, LineError};
use crate::domain::indicators::{Period, Unit};
use crate::domain::policy;
use crate::domain::{BoundedText, Invalid};
use crate::error::AppError;
use crate::error::ensure;
use crate::models::history::Actor;
use crate::models::indicator::{self, Definition, NewValue, Written};
use crate::models::organisation::{self, Organisation};
use crate::models::site::{self, Site};

/// Longest source of a value (where it was measured), as the entry form says.
const SOURCE_MAX: usize = 200;

/// A rate whose value differs from numerator ÷ denominator by more than this is refused.
const RATE_TOLERANCE: f64 = 0.05;

/// A file checked line by line: the values ready to write, and every refusal.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Checked {
    /// (line, value) for every line accepted
    #[serde(skip)]
    pub values: Vec<(usize, NewValue)>,
    #[serde(skip)]
    pub errors: Vec<LineError>,
    pub lines: usize,
    pub encoding: &'static str,
}

/// What the organisme's indicators and sites are, to check lines against.
pub struct Context {
    definitions: HashMap<String, Definition>,
    sites: Vec<Site>,
}

impl Context {
    pub fn load(conn: &mut DbConnection, organisation_id: &str) -> Result<Self, AppError> {
        Ok(Self {
            definitions: indicator::definitions_for(conn, organisation_id)?
                .into_iter()
                .map(|d| (d.code.clone(), d))
                .collect(),
            sites: site::list_for(conn, organisation_id)?,
        })
    }

    /// A site by its id or its name (case and accents ignored).
    fn site(&self, raw: &str) -> Option<&Site> {
        let wanted = deunicode::deunicode(raw.trim()).to_lowercase();
        self.sites.iter().find(|s| {
            s.id == raw.trim() || deunicode::deunicode(s.name.trim()).to_lowercase() == wanted
        })
    }

    /// Checks one value as typed: the indicator and site exist, the value lies within its
    /// unit, and a rate agrees with its numerator and denominator (or is computed from them).
    pub fn check(&self, line: &Line) -> Result<NewValue, (&'static str, Invalid)> {
        let definition = self.definitions.get(line.indicator.trim()).ok_or_else(|| {
            (
                "indicateur",
                Invalid::new("err-unknown-indicator").arg("value", line.indicator.trim()),
            )
        })?;
        let site_id = if line.site.trim().is_empty() {
            None
        } else {
            Some(
                self.site(&line.site)
                    .ok_or_else(|| {
                        (
                            "site",
                            Invalid::new("err-unknown-site").arg("value", line.site.trim()),
                        )
                    })?
                    .id
                    .clone(),
            )
        };
        let unit = Unit::parse(&definition.unit).map_err(|e| ("indicateur", e))?;
        let value = rate_value(unit, line)?;
        let value = unit.check(value).map_err(|e| ("valeur", e))?;
        if line.numerator.is_some_and(|n| n < 0.0) {
            return Err(("numerateur", Invalid::new("err-negative")));
        }
        if line.denominator.is_some_and(|d| d < 0.0) {
            return Err(("denominateur", Invalid::new("err-negative")));
        }
        Ok(NewValue {
            site_id,
            indicator_code: definition.code.clone(),
            period: line.period,
            value,
            numerator: line.numerator,
            denominator: line.denominator,
            source: BoundedText::optional(&line.source, SOURCE_MAX)
                .map_err(|e| ("source", e))?
                .into_inner(),
        })
    }
}

fn rate_value(unit: Unit, line: &Line) -> Result<f64, (&'static str, Invalid)> {
    let ratio = match (line.numerator, line.denominator) {
        (Some(n), Some(d)) if unit == Unit::Percent => {
            if d <= 0.0 {
                return Err(("denominateur", Invalid::new("err-denominator-zero")));
            }
            if n > d {
                return Err(("numerateur", Invalid::new("err-numerator-above")));
            }
            Some(n / d * 100.0)
        }
        _ => None,
    };
    match (line.value, ratio) {
        (Some(value), Some(ratio)) if (value - ratio).abs() > RATE_TOLERANCE.max(ratio * 0.001) => {
            Err((
                "valeur",
                Invalid::new("err-value-mismatch")
                    .arg("value", format!("{ratio:.1}").replace('.', ",")),
            ))
        }
        (Some(value), _) => Ok(value),
        (None, Some(ratio)) => Ok(ratio),
        (None, None) => Err(("valeur", Invalid::new("err-required"))),
    }
}

/// Reads and checks a file; `Err` when the file cannot be read at all.
pub fn check_file(
    conn: &mut DbConnection,
    organisation_id: &str,
    bytes: &[u8],
) -> Result<Checked, Invalid> {
    let parsed = csv_file::parse(bytes)?;
    let context =
        Context::load(conn, organisation_id).map_err(|_| Invalid::new("err-csv-unreadable"))?;
    let mut checked = Checked {
        lines: parsed.lines.len() + parsed.errors.len(),
        encoding: parsed.encoding,
        errors: parsed.errors.clone(),
        values: Vec::new(),
    };
    // The same value twice in one file: the later line is refused, naming the first.
    let mut seen: HashMap<(String, Option<String>, Period), usize> = HashMap::new();
    for line in &parsed.lines {
        match context.check(line) {
            Ok(value) => {
                let key = (
                    value.indicator_code.clone(),
                    value.site_id.clone(),
                    value.period,
                );
                if let Some(first) = seen.insert(key, line.line) {
                    checked.errors.push(LineError {
                        line: line.line,
                        column: None,
                        invalid: Invalid::new("err-duplicate-line").arg("line", first),
                    });
                } else {
                    checked.values.push((line.line, value));
                }
            }
            Err((column, invalid)) => checked.errors.push(LineError {
                line: line.line,
                column: parsed.column(column),
                invalid,
            }),
        }
    }
    checked.errors.sort_by_key(|e| e.line);
    Ok(checked)
}

/// Writes what a checked file holds: nothing when a line is wrong, unless `keep_valid`.
pub fn write_checked(
    conn: &mut DbConnection,
    actor: &Actor,
    organisation_id: &str,
    origin: &str,
    checked: &Checked,
    keep_valid: bool,
    progress: &mut dyn FnMut(usize),
) -> Result<Option<Written>, AppError> {
    if !checked.errors.is_empty() && !keep_valid {
        return Ok(None);
    }
    let values: Vec<NewValue> = checked.values.iter().map(|(_, v)| v.clone()).collect();
    indicator::write_values(conn, actor, organisation_id, origin, &values, progress).map(Some)
}

/// An organisme (by id or SIREN) whose indicator values the actor writes, with what its
/// values are checked against.
pub fn writable(
    conn: &mut DbConnection,
    user: &CurrentUser,
    organisation_key: &str,
) -> Result<(Organisation, Context), AppError> {
    let found = organisation::find_by_key(conn, &user.scope(), organisation_key)?;
    ensure(policy::may_edit_organisation(user, &found.id))?;
    let checks = Context::load(conn, &found.id)?;
    Ok((found, checks))
}

/// Writes values checked against `writable`'s context, all or none: new ones added, changed
/// ones updated, identical ones left alone. `origin` says where they came from (`saisie`,
/// `api`, `import`).
pub fn write(
    conn: &mut DbConnection,
    user: &CurrentUser,
    organisation: &Organisation,
    origin: &str,
    values: &[NewValue],
) -> Result<Written, AppError> {
    ensure(policy::may_edit_organisation(user, &organisation.id))?;
    indicator::write_values(
        conn,
        &Actor::user(&user.id, &user.email),
        &organisation.id,
        origin,
        values,
        &mut |_| {},
    )
}
