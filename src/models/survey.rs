//! Satisfaction survey waves of an organisme and their results per theme, for the
//! organisme as a whole or per site.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::history::{self, Actor, Change};
use crate::db::schema::{survey_results, survey_waves};
use crate::db::{DbConnection, new_id, now};
use crate::domain::actor::OrgScope;
use crate::domain::survey::{Scale, Theme};
use crate::error::AppError;
use crate::models::organisation::Organisation;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = survey_waves)]
pub struct Wave {
    pub id: String,
    pub organisation_id: String,
    pub title: String,
    /// score10, four_point or percent
    pub scale: String,
    pub fieldwork_end: NaiveDate,
    pub respondents: Option<i32>,
    pub provider: String,
    #[serde(serialize_with = "crate::domain::dates::utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::domain::dates::utc")]
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

impl crate::domain::policy::Owned for Wave {
    fn organisation_id(&self) -> &str {
        &self.organisation_id
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = survey_results)]
pub struct SurveyResult {
    #[serde(skip)]
    pub id: String,
    #[serde(skip)]
    pub wave_id: String,
    pub theme: String,
    pub site_id: Option<String>,
    pub value: f64,
    pub respondents: Option<i32>,
}

/// A wave to create, already checked.
#[derive(Debug, Clone)]
pub struct NewWave {
    pub title: String,
    pub scale: Scale,
    pub fieldwork_end: NaiveDate,
    pub respondents: Option<i32>,
    pub provider: String,
}

/// A result to record, already checked.
#[derive(Debug, Clone, PartialEq)]
pub struct NewResult {
    pub theme: Theme,
    pub site_id: Option<String>,
    pub value: f64,
    pub respondents: Option<i32>,
}

pub fn create_wave(
    conn: &mut DbConnection,
    actor: &Actor,
    organisation_id: &str,
    wave: &NewWave,
) -> Result<Wave, AppError> {
    let id = new_id();
    let at = now();
    diesel::insert_into(survey_waves::table)
        .values((
            survey_waves::id.eq(&id),
            survey_waves::organisation_id.eq(organisation_id),
            survey_waves::title.eq(&wave.title),
            survey_waves::scale.eq(wave.scale.as_str()),
            survey_waves::fieldwork_end.eq(wave.fieldwork_end),
            survey_waves::respondents.eq(wave.respondents),
            survey_waves::provider.eq(&wave.provider),
            survey_waves::created_at.eq(at),
            survey_waves::updated_at.eq(at),
            survey_waves::version.eq(1),
        ))
        .execute(conn)?;
    let created = get(conn, &id)?;
    history::record(
        conn,
        actor,
        &Change {
            entity: "survey_wave",
            entity_id: &id,
            organisation_id: Some(organisation_id),
            action: "create",
            before: None,
            after: Some(&created),
        },
    )?;
    Ok(created)
}

/// A survey wave that `scope` holds, with its organisme; any other id is not found, whoever
/// asks. This is how pages, API and services reach one: the bare lookup stays in `models`.
pub fn find(
    conn: &mut DbConnection,
    scope: &OrgScope,
    id: &str,
) -> Result<(Wave, Organisation), AppError> {
    let found = get(conn, id)?;
    let organisation = crate::models::organisation::find(conn, scope, &found.organisation_id)?;
    Ok((found, organisation))
}

pub(in crate::models) fn get(conn: &mut DbConnection, id: &str) -> Result<Wave, AppError> {
    Ok(survey_waves::table
        .find(id)
        .select(Wave::as_select())
        .first(conn)?)
}

/// The organisme's waves, newest first.
pub fn waves_for(conn: &mut DbConnection, organisation_id: &str) -> Result<Vec<Wave>, AppError> {
    Ok(survey_waves::table
        .filter(survey_waves::organisation_id.eq(organisation_id))
        .order(survey_waves::fieldwork_end.desc())
        .select(Wave::as_select())
        .load(conn)?)
}

/// The wave before this one (by end of fieldwork), to compare with.
pub fn previous(conn: &mut DbConnection, wave: &Wave) -> Result<Option<Wave>, AppError> {
    Ok(survey_waves::table
        .filter(survey_waves::organisation_id.eq(&wave.organisation_id))
        .filter(survey_waves::fieldwork_end.lt(wave.fieldwork_end))
        .order(survey_waves::fieldwork_end.desc())
        .select(Wave::as_select())
        .first(conn)
        .optional()?)
}

pub fn results(conn: &mut DbConnection, wave_id: &str) -> Result<Vec<SurveyResult>, AppError> {
    Ok(survey_results::table
        .filter(survey_results::wave_id.eq(wave_id))
        .order((survey_results::theme, survey_results::site_id))
        .select(SurveyResult::as_select())
        .load(conn)?)
}

/// Records results: new ones added, changed ones replaced, identical ones left alone;
/// one history row tells what changed. Answers how many were written.
pub fn write_results(
    conn: &mut DbConnection,
    actor: &Actor,
    wave: &Wave,
    new: &[NewResult],
) -> Result<usize, AppError> {
    let stored = results(conn, &wave.id)?;
    let mut changes = Vec::new();
    for result in new {
        let current = stored
            .iter()
            .find(|r| r.theme == result.theme.as_str() && r.site_id == result.site_id);
        match current {
            Some(c)
                if (c.value - result.value).abs() < 1e-9 && c.respondents == result.respondents => {
            }
            Some(c) => {
                diesel::update(survey_results::table.find(&c.id))
                    .set((
                        survey_results::value.eq(result.value),
                        survey_results::respondents.eq(result.respondents),
                    ))
                    .execute(conn)?;
                changes.push(serde_json::json!({"theme": c.theme, "site": c.site_id, "before": c.value, "after": result.value}));
            }
            None => {
                diesel::insert_into(survey_results::table)
                    .values((
                        survey_results::id.eq(new_id()),
                        survey_results::wave_id.eq(&wave.id),
                        survey_results::theme.eq(result.theme.as_str()),
                        survey_results::site_id.eq(&result.site_id),
                        survey_results::value.eq(result.value),
                        survey_results::respondents.eq(result.respondents),
                    ))
                    .execute(conn)?;
                changes.push(serde_json::json!({"theme": result.theme, "site": result.site_id, "before": null, "after": result.value}));
            }
        }
    }
    if !changes.is_empty() {
        history::record(
            conn,
            actor,
            &Change {
                entity: "survey_wave",
                entity_id: &wave.id,
                organisation_id: Some(&wave.organisation_id),
                action: "results",
                before: None,
                after: Some(&changes),
            },
        )?;
    }
    Ok(changes.len())
}
