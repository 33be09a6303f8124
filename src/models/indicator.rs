//! An organisme's indicators: those of the frameworks it is committed to (a code shared by
//! several frameworks is one measure) and its own, each with the target that applies (its
//! own override, else the framework's), and the values entered or imported per organisme or
//! site and period.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::history::{self, Actor, Change};
use crate::db::schema::{
    commitments, framework_indicators, frameworks, indicator_targets, indicator_values,
};
use crate::db::{DbConnection, new_id, now};
use crate::domain::indicators::Period;
use crate::error::AppError;

/// One indicator as the organisme follows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Definition {
    pub code: String,
    pub name: String,
    /// percent, days, working_days, hours, count or score10
    pub unit: String,
    /// higher_is_better or lower_is_better
    pub direction: String,
    /// The target that applies: the organisme's own, else the framework's
    pub target: Option<f64>,
    /// The framework's target, when the organisme set its own
    pub default_target: Option<f64>,
    /// monthly, quarterly, yearly or triennial
    pub frequency: String,
    pub definition: String,
    pub numerator: Option<String>,
    pub denominator: Option<String>,
    pub source: Option<String>,
    /// Codes of the frameworks (versions of its commitments) that define it; empty for its own
    pub frameworks: Vec<String>,
    pub own: bool,
    pub to_confirm: bool,
}

impl Definition {
    /// A measure frameworks define (a shared code is one measure), with the target that
    /// applies and the frameworks that carry it.
    pub fn shared(
        row: crate::models::framework::IndicatorRow,
        target: Option<f64>,
        frameworks: Vec<String>,
    ) -> Self {
        Definition {
            target,
            default_target: row.target,
            code: row.code,
            name: row.name,
            unit: row.unit,
            direction: row.direction,
            frequency: row.frequency,
            definition: row.definition,
            numerator: row.numerator,
            denominator: row.denominator,
            source: row.source,
            frameworks,
            own: false,
            to_confirm: row.to_confirm,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = indicator_values)]
pub struct Value {
    pub id: String,
    pub organisation_id: String,
    pub site_id: Option<String>,
    pub indicator_code: String,
    /// `2025-03`, `2025-Q1` or `2025`
    pub period: String,
    pub period_start: NaiveDate,
    pub value: f64,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub source: String,
    pub entered_by: String,
    #[serde(serialize_with = "crate::domain::dates::utc")]
    pub entered_at: NaiveDateTime,
    pub version: i32,
}

/// A value to record, already checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewValue {
    pub site_id: Option<String>,
    pub indicator_code: String,
    pub period: Period,
    pub value: f64,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub source: String,
}

/// What a batch of values did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Written {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// The indicators the organisme follows, frameworks' first (in their order), then its own.
pub fn definitions_for(
    conn: &mut DbConnection,
    organisation_id: &str,
) -> Result<Vec<Definition>, AppError> {
    let rows: Vec<(String, crate::models::framework::IndicatorRow)> = commitments::table
        .inner_join(frameworks::table)
        .inner_join(
            framework_indicators::table
                .on(framework_indicators::framework_id.eq(commitments::framework_id)),
        )
        .filter(commitments::organisation_id.eq(organisation_id))
        .order((frameworks::code, framework_indicators::position))
        .select((
            frameworks::code,
            crate::models::framework::IndicatorRow::as_select(),
        ))
        .load(conn)?;
    let targets: HashMap<String, f64> = indicator_targets::table
        .filter(indicator_targets::organisation_id.eq(organisation_id))
        .select((indicator_targets::indicator_code, indicator_targets::target))
        .load(conn)?
        .into_iter()
        .collect();
    let mut found: Vec<Definition> = Vec::new();
    for (framework, row) in rows {
        if let Some(known) = found.iter_mut().find(|d| d.code == row.code) {
            if !known.frameworks.contains(&framework) {
                known.frameworks.push(framework);
            }
            continue;
        }
        let target = targets.get(&row.code).copied().or(row.target);
        found.push(Definition::shared(row, target, vec![framework]));
    }
    for own in super::own_indicator::list_for(conn, organisation_id)? {
        found.push(Definition {
            target: own.target,
            default_target: own.target,
            code: own.code,
            name: own.name,
            unit: own.unit,
            direction: own.direction,
            frequency: own.frequency,
            definition: own.definition,
            numerator: Some(own.numerator).filter(|s| !s.is_empty()),
            denominator: Some(own.denominator).filter(|s| !s.is_empty()),
            source: Some(own.source).filter(|s| !s.is_empty()),
            frameworks: Vec::new(),
            own: true,
            to_confirm: false,
        });
    }
    Ok(found)
}

/// Values of the organisme, optionally of one indicator, oldest period first.
pub fn values_for(
    conn: &mut DbConnection,
    organisation_id: &str,
    indicator_code: Option<&str>,
) -> Result<Vec<Value>, AppError> {
    let mut query = indicator_values::table
        .filter(indicator_values::organisation_id.eq(organisation_id))
        .into_boxed();
    if let Some(code) = indicator_code {
        query = query.filter(indicator_values::indicator_code.eq(code.to_owned()));
    }
    Ok(query
        .order((
            indicator_values::indicator_code,
            indicator_values::period_start,
            indicator_values::site_id,
        ))
        .select(Value::as_select())
        .load(conn)?)
}

type Key = (String, String, Option<String>);

fn key_of(code: &str, period: &str, site: Option<&str>) -> Key {
    (code.to_owned(), period.to_owned(), site.map(str::to_owned))
}

fn same(stored: &Value, new: &NewValue) -> bool {
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
    let close_opt = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => close(a, b),
        (None, None) => true,
        _ => false,
    };
    close(stored.value, new.value)
        && close_opt(stored.numerator, new.numerator)
        && close_opt(stored.denominator, new.denominator)
        && stored.source == new.source
}

/// Records values: new ones inserted, changed ones updated (their version moves on),
/// identical ones left alone, so writing the same batch twice changes nothing. One history
/// row tells what the batch changed. `progress` hears how many values were handled so far.
pub fn write_values(
    conn: &mut DbConnection,
    actor: &Actor,
    organisation_id: &str,
    origin: &str,
    values: &[NewValue],
    progress: &mut dyn FnMut(usize),
) -> Result<Written, AppError> {
    // On PostgreSQL two writers may insert the same value at the same instant: the unique
    // index refuses the second once the first commits. Written again (inside a savepoint),
    // it finds that row and updates it, as if it had come a moment later.
    let mut attempt = |conn: &mut DbConnection| {
        diesel::Connection::transaction(conn, |c| {
            write_once(c, actor, organisation_id, origin, values, progress)
        })
    };
    match attempt(conn) {
        Err(AppError::Conflict) => attempt(conn),
        other => other,
    }
}

/// The organisme's values of these indicators, by indicator, period and site.
fn stored_values(
    conn: &mut DbConnection,
    organisation_id: &str,
    codes: &[&str],
) -> Result<HashMap<Key, Value>, AppError> {
    Ok(indicator_values::table
        .filter(indicator_values::organisation_id.eq(organisation_id))
        .filter(indicator_values::indicator_code.eq_any(codes))
        .select(Value::as_select())
        .load(conn)?
        .into_iter()
        .map(|v| {
            (
                key_of(&v.indicator_code, &v.period, v.site_id.as_deref()),
                v,
            )
        })
        .collect())
}

fn write_once(
    conn: &mut DbConnection,
    actor: &Actor,
    organisation_id: &str,
    origin: &str,
    values: &[NewValue],
    progress: &mut dyn FnMut(usize),
) -> Result<Written, AppError> {
    let codes: Vec<&str> = {
        let mut codes: Vec<&str> = values.iter().map(|v| v.indicator_code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        codes
    };
    let stored = stored_values(conn, organisation_id, &codes)?;
    let mut written = Written::default();
    let mut changes = Vec::new();
    // New values go in by batches: thousands of lines import in one round trip per 500.
    let mut fresh: Vec<Value> = Vec::new();
    let at = now();
    for (done, new) in values.iter().enumerate() {
        if done % 100 == 0 {
            progress(done);
        }
        let period = new.period.to_string();
        match stored.get(&key_of(
            &new.indicator_code,
            &period,
            new.site_id.as_deref(),
        )) {
            Some(current) if same(current, new) => written.unchanged += 1,
            Some(current) => {
                diesel::update(indicator_values::table.find(&current.id))
                    .set((
                        indicator_values::value.eq(new.value),
                        indicator_values::numerator.eq(new.numerator),
                        indicator_values::denominator.eq(new.denominator),
                        indicator_values::source.eq(&new.source),
                        indicator_values::entered_by.eq(&actor.label),
                        indicator_values::entered_at.eq(at),
                        indicator_values::version.eq(current.version + 1),
                    ))
                    .execute(conn)?;
                written.updated += 1;
                changes.push(serde_json::json!({
                    "indicator": new.indicator_code, "site": new.site_id, "period": period,
                    "before": current.value, "after": new.value,
                }));
            }
            None => {
                fresh.push(Value {
                    id: new_id(),
                    organisation_id: organisation_id.to_owned(),
                    site_id: new.site_id.clone(),
                    indicator_code: new.indicator_code.clone(),
                    period: period.clone(),
                    period_start: new.period.start(),
                    value: new.value,
                    numerator: new.numerator,
                    denominator: new.denominator,
                    source: new.source.clone(),
                    entered_by: actor.label.clone(),
                    entered_at: at,
                    version: 1,
                });
                written.inserted += 1;
                changes.push(serde_json::json!({
                    "indicator": new.indicator_code, "site": new.site_id, "period": period,
                    "before": null, "after": new.value,
                }));
            }
        }
    }
    crate::insert_batch!(&mut *conn, indicator_values::table, &fresh).map_err(|e| match e {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ) => AppError::Conflict,
        other => other.into(),
    })?;
    progress(values.len());
    if !changes.is_empty() {
        history::record(
            conn,
            actor,
            &Change {
                entity: "indicator_values",
                entity_id: organisation_id,
                organisation_id: Some(organisation_id),
                action: "write",
                before: None,
                after: Some(&serde_json::json!({
                    "origin": origin, "inserted": written.inserted, "updated": written.updated,
                    "unchanged": written.unchanged, "changes": changes,
                })),
            },
        )?;
    }
    Ok(written)
}

/// Sets (or, with `None`, removes) the organisme's own target for an indicator.
pub fn set_target(
    conn: &mut DbConnection,
    actor: &Actor,
    organisation_id: &str,
    code: &str,
    target: Option<f64>,
) -> Result<(), AppError> {
    let before: Option<f64> = indicator_targets::table
        .find((organisation_id, code))
        .select(indicator_targets::target)
        .first(conn)
        .optional()?;
    if before == target {
        return Ok(());
    }
    diesel::delete(indicator_targets::table.find((organisation_id, code))).execute(conn)?;
    if let Some(target) = target {
        diesel::insert_into(indicator_targets::table)
            .values((
                indicator_targets::organisation_id.eq(organisation_id),
                indicator_targets::indicator_code.eq(code),
                indicator_targets::target.eq(target),
                indicator_targets::updated_at.eq(now()),
            ))
            .execute(conn)?;
    }
    history::record(
        conn,
        actor,
        &Change {
            entity: "indicator_target",
            entity_id: code,
            organisation_id: Some(organisation_id),
            action: "set",
            before: Some(&before),
            after: Some(&target),
        },
    )
}
