//! An organisme's own indicators, beside those of its frameworks: defined and changed by
//! its quality manager from the version read, with a code no framework uses (values are
//! keyed by code, so the code never changes).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::history::{self, Actor, Change};
use crate::db::schema::{framework_indicators, organisation_indicators};
use crate::db::{DbConnection, new_id, now};
use crate::domain::indicators::{Direction, Frequency, Unit, parse_number};
use crate::domain::{BoundedText, FieldErrors, Invalid};
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = organisation_indicators)]
pub struct OwnIndicator {
    pub id: String,
    pub organisation_id: String,
    pub code: String,
    pub name: String,
    pub unit: String,
    pub direction: String,
    pub target: Option<f64>,
    pub frequency: String,
    pub definition: String,
    pub numerator: String,
    pub denominator: String,
    pub source: String,
    #[serde(serialize_with = "crate::domain::dates::utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::domain::dates::utc")]
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

pub fn list_for(
    conn: &mut DbConnection,
    organisation_id: &str,
) -> Result<Vec<OwnIndicator>, AppError> {
    Ok(organisation_indicators::table
        .filter(organisation_indicators::organisation_id.eq(organisation_id))
        .order(organisation_indicators::code)
        .select(OwnIndicator::as_select())
        .load(conn)?)
}

/// The form of an organisme's own indicator, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OwnIndicatorForm {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub direction: String,
    pub target: String,
    pub frequency: String,
    pub definition: String,
    pub numerator: String,
    pub denominator: String,
    pub source: String,
    pub version: Option<i32>,
}

impl From<&OwnIndicator> for OwnIndicatorForm {
    fn from(i: &OwnIndicator) -> Self {
        Self {
            code: i.code.clone(),
            name: i.name.clone(),
            unit: i.unit.clone(),
            direction: i.direction.clone(),
            target: i
                .target
                .map(|t| crate::i18n::format_number(t, 1))
                .unwrap_or_default(),
            frequency: i.frequency.clone(),
            definition: i.definition.clone(),
            numerator: i.numerator.clone(),
            denominator: i.denominator.clone(),
            source: i.source.clone(),
            version: Some(i.version),
        }
    }
}

/// An own indicator that can only be built valid.
#[derive(Debug, Clone, Serialize)]
pub struct OwnIndicatorInput {
    code: String,
    name: String,
    unit: Unit,
    direction: Direction,
    target: Option<f64>,
    frequency: Frequency,
    definition: String,
    numerator: String,
    denominator: String,
    source: String,
}

impl TryFrom<&OwnIndicatorForm> for OwnIndicatorInput {
    type Error = FieldErrors;

    fn try_from(form: &OwnIndicatorForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let code = form.code.trim().to_owned();
        if code.is_empty() {
            errors.add("code", Invalid::new("err-required"));
        } else if !crate::domain::framework::file::is_slug(&code) {
            errors.add("code", Invalid::new("err-code-format"));
        }
        let name = errors.check("name", BoundedText::required(&form.name, 200));
        let unit = errors.check("unit", Unit::parse(&form.unit));
        let direction = errors.check("direction", Direction::parse(&form.direction));
        let frequency = errors.check("frequency", Frequency::parse(&form.frequency));
        let target = if form.target.trim().is_empty() {
            None
        } else {
            errors
                .check("target", parse_number(&form.target))
                .and_then(|t| unit.and_then(|u| errors.check("target", u.check(t))))
        };
        let definition = errors.check("definition", BoundedText::required(&form.definition, 2000));
        let numerator = errors.check("numerator", BoundedText::optional(&form.numerator, 300));
        let denominator =
            errors.check("denominator", BoundedText::optional(&form.denominator, 300));
        let source = errors.check("source", BoundedText::optional(&form.source, 300));
        errors.into_result()?;
        let text = |t: Option<BoundedText>| t.map(BoundedText::into_inner).unwrap_or_default();
        Ok(Self {
            code,
            name: text(name),
            unit: unit.unwrap_or(Unit::Count),
            direction: direction.unwrap_or(Direction::HigherIsBetter),
            target,
            frequency: frequency.unwrap_or(Frequency::Monthly),
            definition: text(definition),
            numerator: text(numerator),
            denominator: text(denominator),
            source: text(source),
        })
    }
}

/// A code used by an imported framework is that framework's measure: an own indicator may
/// not take it.
fn check_code_free(conn: &mut DbConnection, code: &str) -> Result<(), AppError> {
    let taken: i64 = framework_indicators::table
        .filter(framework_indicators::code.eq(code))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(FieldErrors::single("code", Invalid::new("err-code-framework")).into());
    }
    Ok(())
}

pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    organisation_id: &str,
    input: &OwnIndicatorInput,
) -> Result<OwnIndicator, AppError> {
    check_code_free(conn, &input.code)?;
    let id = new_id();
    let at = now();
    diesel::insert_into(organisation_indicators::table)
        .values((
            organisation_indicators::id.eq(&id),
            organisation_indicators::organisation_id.eq(organisation_id),
            organisation_indicators::code.eq(&input.code),
            organisation_indicators::name.eq(&input.name),
            organisation_indicators::unit.eq(input.unit.as_str()),
            organisation_indicators::direction.eq(input.direction.as_str()),
            organisation_indicators::target.eq(input.target),
            organisation_indicators::frequency.eq(input.frequency.as_str()),
            organisation_indicators::definition.eq(&input.definition),
            organisation_indicators::numerator.eq(&input.numerator),
            organisation_indicators::denominator.eq(&input.denominator),
            organisation_indicators::source.eq(&input.source),
            organisation_indicators::created_at.eq(at),
            organisation_indicators::updated_at.eq(at),
            organisation_indicators::version.eq(1),
        ))
        .execute(conn)
        .map_err(|e| super::unique_violation_on(e, "code", "err-code-taken"))?;
    let created = get(conn, organisation_id, &input.code)?;
    history::record(
        conn,
        actor,
        &Change {
            entity: "indicator",
            entity_id: &id,
            organisation_id: Some(organisation_id),
            action: "create",
            before: None,
            after: Some(&created),
        },
    )?;
    Ok(created)
}

/// Changes an own indicator from the version read; its code stays (values are keyed by it).
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    before: &OwnIndicator,
    base_version: i32,
    input: &OwnIndicatorInput,
) -> Result<OwnIndicator, AppError> {
    let changed = diesel::update(organisation_indicators::table.find(&before.id))
        .filter(organisation_indicators::version.eq(base_version))
        .set((
            organisation_indicators::name.eq(&input.name),
            organisation_indicators::unit.eq(input.unit.as_str()),
            organisation_indicators::direction.eq(input.direction.as_str()),
            organisation_indicators::target.eq(input.target),
            organisation_indicators::frequency.eq(input.frequency.as_str()),
            organisation_indicators::definition.eq(&input.definition),
            organisation_indicators::numerator.eq(&input.numerator),
            organisation_indicators::denominator.eq(&input.denominator),
            organisation_indicators::source.eq(&input.source),
            organisation_indicators::updated_at.eq(now()),
            organisation_indicators::version.eq(base_version + 1),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Err(AppError::Conflict);
    }
    let after = get(conn, &before.organisation_id, &before.code)?;
    history::record(
        conn,
        actor,
        &Change {
            entity: "indicator",
            entity_id: &before.id,
            organisation_id: Some(&before.organisation_id),
            action: "update",
            before: Some(before),
            after: Some(&after),
        },
    )?;
    Ok(after)
}

pub fn get(
    conn: &mut DbConnection,
    organisation_id: &str,
    code: &str,
) -> Result<OwnIndicator, AppError> {
    Ok(organisation_indicators::table
        .filter(organisation_indicators::organisation_id.eq(organisation_id))
        .filter(organisation_indicators::code.eq(code))
        .select(OwnIndicator::as_select())
        .first(conn)?)
}
