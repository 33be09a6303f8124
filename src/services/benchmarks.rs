//! Where organismes stand on an indicator: each organisme's figure for a year (its periods'
//! figures rolled up as its sites' are: rates from their sums, others weighted), the
//! quartiles and distribution across the organismes in scope (by region and family), and
//! for one organisme its position among all others, anonymised.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use serde::Serialize;

use super::indicator_board;
use crate::auth::OrgScope;
use crate::db::DbConnection;
use crate::db::clock::Reach;
use crate::db::schema::{framework_indicators, indicator_values, organisations, sites};
use crate::domain::indicators::stats::{self, Summary};
use crate::domain::indicators::{self, Direction, Figure, Unit};
use crate::error::AppError;
use crate::models::indicator::{Definition, Value};
use crate::models::organisation;
use crate::services::memo::{self, Memo};

/// Fewer peers than this with a figure, and an organisme is not shown its position.
pub const MIN_PEERS: usize = 5;

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub code: String,
    pub year: Option<i32>,
    pub region: Option<String>,
    pub family: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Entry {
    pub organisation_id: String,
    pub name: String,
    pub region: String,
    pub family: String,
    pub value: f64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Benchmark {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub direction: String,
    pub target: Option<f64>,
    /// The year compared (the latest with values when none was asked)
    pub year: Option<i32>,
    pub summary: Option<Summary>,
    /// Organismes with a figure, best first
    pub entries: Vec<Entry>,
    /// (from, to, count) slices of the distribution
    #[schema(value_type = Vec<Vec<f64>>)]
    pub bins: Vec<(f64, f64, usize)>,
    /// The same year across France (same family when one was asked), when the figures above
    /// cover only a part of it: a region, by filter or by the viewer's scope
    pub national: Option<Summary>,
}

/// The indicator as frameworks define it (a shared code is one measure).
fn definition(conn: &mut DbConnection, code: &str) -> Result<Definition, AppError> {
    let row: crate::models::framework::IndicatorRow = framework_indicators::table
        .filter(framework_indicators::code.eq(code))
        .select(crate::models::framework::IndicatorRow::as_select())
        .first(conn)?;
    let target = row.target;
    Ok(Definition::shared(row, target, Vec::new()))
}

/// An indicator that can be compared, and how many organismes in scope have a value for it.
#[derive(Debug, Clone, Serialize)]
pub struct Comparable {
    pub code: String,
    pub name: String,
    pub organisations: i64,
}

/// Every code of the imported frameworks, by name, each with the organismes in `scope` that
/// follow it (any period).
pub fn comparable(conn: &mut DbConnection, scope: &OrgScope) -> Result<Vec<Comparable>, AppError> {
    let mut rows: Vec<(String, String)> = framework_indicators::table
        .select((framework_indicators::code, framework_indicators::name))
        .distinct()
        .load(conn)?;
    rows.sort_by(|a, b| a.1.cmp(&b.1));
    rows.dedup_by(|a, b| a.0 == b.0);
    let ids: Vec<String> = organisation::scoped(scope)
        .select(organisations::id)
        .load(conn)?;
    let followed: HashMap<String, i64> = indicator_values::table
        .filter(indicator_values::organisation_id.eq_any(&ids))
        .group_by(indicator_values::indicator_code)
        .select((
            indicator_values::indicator_code,
            diesel::dsl::count(indicator_values::organisation_id).aggregate_distinct(),
        ))
        .load(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|(code, name)| Comparable {
            organisations: followed.get(&code).copied().unwrap_or(0),
            code,
            name,
        })
        .collect())
}

/// The indicator a page opens on: the one the most organismes follow (the first by name
/// among equals), rather than whichever sorts first.
pub fn most_followed(indicators: &[Comparable]) -> Option<&Comparable> {
    indicators.iter().rev().max_by_key(|i| i.organisations)
}

/// One organisme's figure for a year, from its periods' figures.
fn yearly(
    unit: Unit,
    definition: &Definition,
    values: &[&Value],
    homes: &HashMap<String, i32>,
) -> Option<f64> {
    let series = indicator_board::series(definition.clone(), values, homes);
    let figures: Vec<Figure> = series
        .points
        .iter()
        .map(|p| Figure {
            value: p.value,
            numerator: p.numerator,
            denominator: p.denominator,
            homes: None,
        })
        .collect();
    indicators::rollup(unit, &figures).map(|r| r.value)
}

/// Ten slices over the figures' range, on round ends (tens of percent for a rate).
fn slices(unit: Unit, s: &Summary, figures: &[f64]) -> Vec<(f64, f64, usize)> {
    let (low, high) = match unit {
        Unit::Percent => (
            (s.min / 10.0).floor() * 10.0,
            ((s.max / 10.0).ceil() * 10.0).max((s.min / 10.0).floor() * 10.0 + 10.0),
        ),
        _ => (s.min.floor(), s.max.ceil().max(s.min.floor() + 1.0)),
    };
    stats::histogram(figures, low, high, 10)
}

/// The country's quartiles for the same year (and family), when `scope` and `filter` cover
/// only a part of it: a region's figures read against the nation's, without names.
fn national(
    conn: &mut DbConnection,
    scope: &OrgScope,
    filter: &Filter,
    year: Option<i32>,
) -> Result<Option<Summary>, AppError> {
    let partial = !matches!(scope, OrgScope::All) || filter.region.is_some();
    let Some(year) = year.filter(|_| partial) else {
        return Ok(None);
    };
    let country = Filter {
        code: filter.code.clone(),
        year: Some(year),
        region: None,
        family: filter.family.clone(),
    };
    Ok(compute(conn, &OrgScope::All, &country)?.summary)
}

pub fn compute(
    conn: &mut DbConnection,
    scope: &OrgScope,
    filter: &Filter,
) -> Result<Benchmark, AppError> {
    let definition = definition(conn, &filter.code)?;
    let unit = Unit::parse(&definition.unit).unwrap_or(Unit::Count);
    let direction = Direction::parse(&definition.direction).unwrap_or(Direction::HigherIsBetter);
    let mut query = organisation::scoped(scope);
    if let Some(region) = &filter.region {
        query = query.filter(organisations::region.eq(region.clone()));
    }
    if let Some(family) = &filter.family {
        query = query.filter(organisations::family.eq(family.clone()));
    }
    let orgs: Vec<(String, String, String, String)> = query
        .select((
            organisations::id,
            organisations::name,
            organisations::region,
            organisations::family,
        ))
        .load(conn)?;
    let ids: Vec<&str> = orgs.iter().map(|o| o.0.as_str()).collect();
    let year = match filter.year {
        Some(year) => Some(year),
        None => indicator_values::table
            .filter(indicator_values::indicator_code.eq(&filter.code))
            .filter(indicator_values::organisation_id.eq_any(&ids))
            .select(diesel::dsl::max(indicator_values::period_start))
            .first::<Option<NaiveDate>>(conn)?
            .map(|d| d.year()),
    };
    let mut entries = Vec::new();
    if let Some(year) = year {
        let (from, to) = (
            NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default(),
            NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default(),
        );
        let values: Vec<Value> = indicator_values::table
            .filter(indicator_values::indicator_code.eq(&filter.code))
            .filter(indicator_values::organisation_id.eq_any(&ids))
            .filter(indicator_values::period_start.between(from, to))
            .select(Value::as_select())
            .load(conn)?;
        let homes: HashMap<String, i32> = sites::table
            .filter(sites::organisation_id.eq_any(&ids))
            .select((sites::id, sites::homes))
            .load(conn)?
            .into_iter()
            .collect();
        let mut by_org: HashMap<&str, Vec<&Value>> = HashMap::new();
        for value in &values {
            by_org
                .entry(value.organisation_id.as_str())
                .or_default()
                .push(value);
        }
        for (id, name, region, family) in &orgs {
            let Some(own) = by_org.get(id.as_str()) else {
                continue;
            };
            if let Some(value) = yearly(unit, &definition, own, &homes) {
                entries.push(Entry {
                    organisation_id: id.clone(),
                    name: name.clone(),
                    region: region.clone(),
                    family: family.clone(),
                    value,
                });
            }
        }
    }
    entries.sort_by(|a, b| match direction {
        Direction::HigherIsBetter => b.value.total_cmp(&a.value),
        Direction::LowerIsBetter => a.value.total_cmp(&b.value),
    });
    let figures: Vec<f64> = entries.iter().map(|e| e.value).collect();
    let summary = stats::summary(&figures);
    let bins = summary.map_or_else(Vec::new, |s| slices(unit, &s, &figures));
    Ok(Benchmark {
        national: national(conn, scope, filter, year)?,
        code: definition.code,
        name: definition.name,
        unit: definition.unit,
        direction: definition.direction,
        target: definition.target,
        year,
        summary,
        entries,
        bins,
    })
}

/// An organisme's figure among all others for the same year, without their names.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Position {
    pub year: i32,
    pub value: f64,
    pub peers: usize,
    /// Share (0–100) of the other organismes it does better than
    pub better_than: f64,
    pub summary: Summary,
}

/// Every organisme's figures for one indicator (its code): any write may move them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PeersKey(pub String);

impl memo::Key for PeersKey {
    fn reach(&self) -> Reach<'_> {
        Reach::All
    }
}

/// Computed from every organisme's figure for the indicator, kept in `peers` until the next
/// write: every organisme's indicator pages ask for it.
pub fn position(
    conn: &mut DbConnection,
    peers: &Memo<PeersKey, Benchmark>,
    organisation_id: &str,
    code: &str,
) -> Result<Option<Position>, AppError> {
    let everyone = peers.get_or_compute(conn, PeersKey(code.to_owned()), |conn| {
        compute(
            conn,
            &OrgScope::All,
            &Filter {
                code: code.to_owned(),
                ..Filter::default()
            },
        )
    })?;
    let Some(year) = everyone.year else {
        return Ok(None);
    };
    let Some(own) = everyone
        .entries
        .iter()
        .find(|e| e.organisation_id == organisation_id)
    else {
        return Ok(None);
    };
    let peers: Vec<f64> = everyone
        .entries
        .iter()
        .filter(|e| e.organisation_id != organisation_id)
        .map(|e| e.value)
        .collect();
    if peers.len() < MIN_PEERS {
        return Ok(None);
    }
    let direction = Direction::parse(&everyone.direction).unwrap_or(Direction::HigherIsBetter);
    Ok(stats::better_than(own.value, &peers, direction)
        .zip(stats::summary(&peers))
        .map(|(better_than, summary)| Position {
            year,
            value: own.value,
            peers: peers.len(),
            better_than,
            summary,
        }))
}
