//! An organisme's figures per indicator and period: the value entered for the organisme, or
//! else the roll-up of its sites' values (and how it was made); the latest figure against
//! the target, and the change since the period before.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::db::DbConnection;
use crate::domain::indicators::{self, Direction, Figure, Period, Rollup, Status, Unit};
use crate::error::AppError;
use crate::models::indicator::{self, Definition, Value};
use crate::models::site;
use crate::reports::charts::{Chart, sparkline_svg};

/// The organisme's figure for one period.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Point {
    pub period: String,
    pub value: f64,
    /// Entered for the organisme as a whole (not computed from its sites)
    pub entered: bool,
    /// How the sites' values were combined, when computed
    pub rollup: Option<Rollup>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    /// How many site values exist for the period
    pub site_values: usize,
    pub status: Status,
}

/// One indicator of the organisme with its figures, oldest first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Series {
    pub definition: Definition,
    pub points: Vec<Point>,
    pub latest: Option<Point>,
    /// Latest minus the period before, when both exist
    pub change: Option<f64>,
    pub status: Status,
}

fn sort_key(period: &str) -> (chrono::NaiveDate, u8) {
    Period::parse(period).map_or((chrono::NaiveDate::MIN, 0), |p| {
        // At the same start, a year comes after its quarter and its month.
        let rank = match p {
            Period::Month(..) => 0,
            Period::Quarter(..) => 1,
            Period::Year(_) => 2,
        };
        (p.start(), rank)
    })
}

/// The figures of one indicator from its values (organisme and sites mixed).
pub fn series<S: std::hash::BuildHasher>(
    definition: Definition,
    values: &[&Value],
    homes: &HashMap<String, i32, S>,
) -> Series {
    let unit = Unit::parse(&definition.unit).unwrap_or(Unit::Count);
    let direction = Direction::parse(&definition.direction).unwrap_or(Direction::HigherIsBetter);
    let mut by_period: BTreeMap<(chrono::NaiveDate, u8), (String, Vec<&Value>)> = BTreeMap::new();
    for value in values {
        by_period
            .entry(sort_key(&value.period))
            .or_insert_with(|| (value.period.clone(), Vec::new()))
            .1
            .push(value);
    }
    let points: Vec<Point> = by_period
        .into_values()
        .filter_map(|(period, values)| {
            let sites: Vec<&&Value> = values.iter().filter(|v| v.site_id.is_some()).collect();
            let own = values.iter().find(|v| v.site_id.is_none());
            let (value, entered, rollup, numerator, denominator) = if let Some(own) = own {
                (own.value, true, None, own.numerator, own.denominator)
            } else {
                let figures: Vec<Figure> = sites
                    .iter()
                    .map(|v| Figure {
                        value: v.value,
                        numerator: v.numerator,
                        denominator: v.denominator,
                        homes: v
                            .site_id
                            .as_ref()
                            .and_then(|s| homes.get(s))
                            .map(|h| i64::from(*h)),
                    })
                    .collect();
                let r = indicators::rollup(unit, &figures)?;
                (r.value, false, Some(r), r.numerator, r.denominator)
            };
            Some(Point {
                status: indicators::status(direction, definition.target, Some(value)),
                period,
                value,
                entered,
                rollup,
                numerator,
                denominator,
                site_values: sites.len(),
            })
        })
        .collect();
    let latest = points.last().cloned();
    let change = match points.as_slice() {
        [.., before, last] => Some(last.value - before.value),
        _ => None,
    };
    Series {
        status: indicators::status(
            direction,
            definition.target,
            latest.as_ref().map(|p| p.value),
        ),
        definition,
        points,
        latest,
        change,
    }
}

/// The last twelve figures drawn small, for boards.
pub fn sparkline(series: &Series) -> String {
    let skip = series.points.len().saturating_sub(12);
    let points: Vec<(String, f64)> = series
        .points
        .iter()
        .skip(skip)
        .map(|p| (p.period.clone(), p.value))
        .collect();
    let values: Vec<f64> = points.iter().map(|p| p.1).collect();
    let target = series.definition.target;
    // Fitted like the indicator's own chart: a rate between 84 and 90 % must not read flat.
    let range = match Unit::parse(&series.definition.unit) {
        Ok(Unit::Percent) => Some((0.0, 100.0)),
        Ok(Unit::Score10) => Some((0.0, 10.0)),
        _ => None,
    }
    .map(|bounds| crate::reports::charts::fitted(&values, target, bounds));
    sparkline_svg(&Chart {
        title: String::new(),
        points,
        target,
        range,
        suffix: String::new(),
    })
}

/// Every indicator the organisme follows, with its figures.
pub fn board(conn: &mut DbConnection, organisation_id: &str) -> Result<Vec<Series>, AppError> {
    let definitions = indicator::definitions_for(conn, organisation_id)?;
    let values = indicator::values_for(conn, organisation_id, None)?;
    let homes: HashMap<String, i32> = site::list_for(conn, organisation_id)?
        .into_iter()
        .map(|s| (s.id, s.homes))
        .collect();
    let mut by_code: HashMap<&str, Vec<&Value>> = HashMap::new();
    for value in &values {
        by_code
            .entry(value.indicator_code.as_str())
            .or_default()
            .push(value);
    }
    Ok(definitions
        .into_iter()
        .map(|d| {
            let own = by_code.get(d.code.as_str()).cloned().unwrap_or_default();
            series(d, &own, &homes)
        })
        .collect())
}
