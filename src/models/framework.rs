//! Imported framework versions and what they hold: requirements (a tree kept in file
//! order), indicators, grades and mappings. Rows are written only by the import service.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use crate::auth::OrgScope;
use crate::db::schema::{
    framework_grades, framework_indicators, framework_mappings, framework_requirements,
    framework_sources, frameworks, organisations,
};
use crate::db::{DbConnection, MultiBackend};
use crate::error::AppError;

/// A framework version in lists: everything but its source text and cycle.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = frameworks)]
pub struct FrameworkSummary {
    pub id: String,
    pub code: String,
    pub version: String,
    pub name: String,
    /// charter, certification or label
    pub kind: String,
    pub owner: String,
    pub effective_date: Option<NaiveDate>,
    /// Set for an organisme's own charter
    pub organisation_id: Option<String>,
    pub based_on_id: Option<String>,
    pub requirements_count: i32,
    pub indicators_count: i32,
    #[serde(serialize_with = "crate::domain::dates::utc")]
    pub imported_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = frameworks)]
pub struct Framework {
    pub id: String,
    pub code: String,
    pub version: String,
    pub name: String,
    pub kind: String,
    pub owner: String,
    pub effective_date: Option<NaiveDate>,
    pub description: String,
    /// The cycle as JSON (see audit-frameworks/README.md)
    pub cycle: String,
    pub organisation_id: Option<String>,
    pub based_on_id: Option<String>,
    pub content_hash: String,
    pub requirements_count: i32,
    pub indicators_count: i32,
    #[serde(serialize_with = "crate::domain::dates::utc")]
    pub imported_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = framework_requirements)]
pub struct RequirementRow {
    pub id: String,
    pub framework_id: String,
    pub reference: String,
    pub parent_ref: Option<String>,
    pub position: i32,
    pub depth: i32,
    pub title: String,
    pub guidance: Option<String>,
    /// JSON array of texts
    pub evidence: String,
    /// JSON array of indicator codes
    pub indicator_codes: String,
    pub applicability: Option<String>,
    pub to_confirm: bool,
    #[serde(skip)]
    pub search_key: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = framework_indicators)]
pub struct IndicatorRow {
    #[serde(skip)]
    pub id: String,
    #[serde(skip)]
    pub framework_id: String,
    pub code: String,
    pub name: String,
    pub unit: String,
    pub direction: String,
    pub target: Option<f64>,
    pub frequency: String,
    pub definition: String,
    pub numerator: Option<String>,
    pub denominator: Option<String>,
    pub source: Option<String>,
    /// hours, working_days, calendar_days or months
    pub sla_unit: Option<String>,
    pub sla_value: Option<i32>,
    pub to_confirm: bool,
    #[serde(skip)]
    pub position: i32,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = framework_grades)]
pub struct GradeRow {
    #[serde(skip)]
    pub id: String,
    #[serde(skip)]
    pub framework_id: String,
    pub code: String,
    pub label: String,
    pub abbreviation: Option<String>,
    pub severity: i32,
    pub nonconformity: bool,
    pub blocks_decision: bool,
    pub response_days: Option<i32>,
    pub response_unit: Option<String>,
    pub closure: String,
    pub description: Option<String>,
    #[serde(skip)]
    pub position: i32,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = framework_mappings)]
pub struct MappingRow {
    pub id: String,
    pub framework_id: String,
    pub from_ref: String,
    pub to_code: String,
    pub to_version: String,
    pub to_ref: String,
    pub relation: String,
    pub note: Option<String>,
}

type Boxed<'a> = frameworks::BoxedQuery<'a, MultiBackend>;

/// Frameworks the scope may see: every shared framework, and the charters of the
/// organismes it sees.
pub fn scoped(scope: &OrgScope) -> Boxed<'static> {
    let query = frameworks::table.into_boxed();
    match scope {
        OrgScope::All => query,
        OrgScope::Region(region) => query.filter(
            frameworks::organisation_id
                .is_null()
                .or(frameworks::organisation_id.eq_any(
                    organisations::table
                        .filter(organisations::region.eq(region.clone()))
                        .select(organisations::id.nullable()),
                )),
        ),
        OrgScope::One(id) => query.filter(
            frameworks::organisation_id
                .is_null()
                .or(frameworks::organisation_id.eq(id.clone())),
        ),
        OrgScope::AssignedAuditor(_) => query.filter(frameworks::organisation_id.is_null()),
    }
}

pub fn list(conn: &mut DbConnection, scope: &OrgScope) -> Result<Vec<FrameworkSummary>, AppError> {
    Ok(scoped(scope)
        .order((
            frameworks::organisation_id.asc(),
            frameworks::name.asc(),
            frameworks::imported_at.desc(),
        ))
        .select(FrameworkSummary::as_select())
        .load(conn)?)
}

pub fn find(conn: &mut DbConnection, scope: &OrgScope, id: &str) -> Result<Framework, AppError> {
    Ok(scoped(scope)
        .filter(frameworks::id.eq(id.to_owned()))
        .select(Framework::as_select())
        .first(conn)?)
}

/// Each shared framework's code and name, by name (the newest version first), for filters.
pub fn shared_names(conn: &mut DbConnection) -> Result<Vec<(String, String)>, AppError> {
    Ok(frameworks::table
        .filter(frameworks::organisation_id.is_null())
        .order((frameworks::name.asc(), frameworks::imported_at.desc()))
        .select((frameworks::code, frameworks::name))
        .load(conn)?)
}

/// The names of frameworks by code (the latest version's name for each), for pages that
/// hold codes: a charter's code names the organisme, not the charter.
pub fn names_by_code(
    conn: &mut DbConnection,
    codes: &[String],
) -> Result<std::collections::HashMap<String, String>, AppError> {
    let rows: Vec<(String, String)> = frameworks::table
        .filter(frameworks::code.eq_any(codes))
        .order(frameworks::imported_at.asc())
        .select((frameworks::code, frameworks::name))
        .load(conn)?;
    // Ordered oldest first: the latest import's name is the one kept.
    Ok(rows.into_iter().collect())
}

/// The TOML file a framework version was imported from.
pub fn source(conn: &mut DbConnection, id: &str) -> Result<String, AppError> {
    Ok(framework_sources::table
        .find(id)
        .select(framework_sources::source)
        .first(conn)?)
}

pub fn summary(conn: &mut DbConnection, id: &str) -> Result<FrameworkSummary, AppError> {
    Ok(frameworks::table
        .find(id)
        .select(FrameworkSummary::as_select())
        .first(conn)?)
}

/// Every version's identity, to resolve mapping targets into links.
pub fn identities(
    conn: &mut DbConnection,
) -> Result<Vec<(String, String, String, String)>, AppError> {
    Ok(frameworks::table
        .select((
            frameworks::id,
            frameworks::code,
            frameworks::version,
            frameworks::name,
        ))
        .load(conn)?)
}

/// The id and content fingerprint of a version, if imported.
pub fn fingerprint(
    conn: &mut DbConnection,
    code: &str,
    version: &str,
) -> Result<Option<(String, String)>, AppError> {
    Ok(frameworks::table
        .filter(frameworks::code.eq(code))
        .filter(frameworks::version.eq(version))
        .select((frameworks::id, frameworks::content_hash))
        .first(conn)
        .optional()?)
}

pub fn requirements(
    conn: &mut DbConnection,
    framework_id: &str,
) -> Result<Vec<RequirementRow>, AppError> {
    Ok(framework_requirements::table
        .filter(framework_requirements::framework_id.eq(framework_id))
        .order(framework_requirements::position.asc())
        .select(RequirementRow::as_select())
        .load(conn)?)
}

/// One requirement of a framework version, by its reference.
pub fn requirement(
    conn: &mut DbConnection,
    framework_id: &str,
    reference: &str,
) -> Result<RequirementRow, AppError> {
    Ok(framework_requirements::table
        .filter(framework_requirements::framework_id.eq(framework_id))
        .filter(framework_requirements::reference.eq(reference))
        .select(RequirementRow::as_select())
        .first(conn)?)
}

pub fn indicators(
    conn: &mut DbConnection,
    framework_id: &str,
) -> Result<Vec<IndicatorRow>, AppError> {
    Ok(framework_indicators::table
        .filter(framework_indicators::framework_id.eq(framework_id))
        .order(framework_indicators::position.asc())
        .select(IndicatorRow::as_select())
        .load(conn)?)
}

pub fn grades(conn: &mut DbConnection, framework_id: &str) -> Result<Vec<GradeRow>, AppError> {
    Ok(framework_grades::table
        .filter(framework_grades::framework_id.eq(framework_id))
        .order(framework_grades::position.asc())
        .select(GradeRow::as_select())
        .load(conn)?)
}

/// Mappings another version declares towards this one, with that version's code and version.
pub type Towards = Vec<(MappingRow, String, String)>;

/// Mappings declared by this version, and those other versions declare towards it.
pub fn mappings(
    conn: &mut DbConnection,
    framework: &Framework,
) -> Result<(Vec<MappingRow>, Towards), AppError> {
    let own = framework_mappings::table
        .filter(framework_mappings::framework_id.eq(&framework.id))
        .select(MappingRow::as_select())
        .load(conn)?;
    let towards = framework_mappings::table
        .inner_join(frameworks::table)
        .filter(framework_mappings::to_code.eq(&framework.code))
        .filter(framework_mappings::to_version.eq(&framework.version))
        .select((
            MappingRow::as_select(),
            frameworks::code,
            frameworks::version,
        ))
        .load(conn)?;
    Ok((own, towards))
}

/// All imported versions as the validator knows them (refs and explicit mappings).
pub fn known(conn: &mut DbConnection) -> Result<Vec<crate::domain::framework::Known>, AppError> {
    use crate::domain::framework::file::Relation;
    let versions: Vec<(String, String, String)> = frameworks::table
        .select((frameworks::id, frameworks::code, frameworks::version))
        .load(conn)?;
    let refs: Vec<(String, String)> = framework_requirements::table
        .select((
            framework_requirements::framework_id,
            framework_requirements::reference,
        ))
        .load(conn)?;
    let maps: Vec<MappingRow> = framework_mappings::table
        .select(MappingRow::as_select())
        .load(conn)?;
    Ok(versions
        .into_iter()
        .map(|(id, code, version)| crate::domain::framework::Known {
            refs: refs
                .iter()
                .filter(|(f, _)| *f == id)
                .map(|(_, r)| r.clone())
                .collect(),
            mappings: maps
                .iter()
                .filter(|m| m.framework_id == id)
                .map(|m| {
                    let relation = match m.relation.as_str() {
                        "equivalent" => Relation::Equivalent,
                        "partial" => Relation::Partial,
                        _ => Relation::Related,
                    };
                    (
                        m.from_ref.clone(),
                        m.to_code.clone(),
                        m.to_version.clone(),
                        m.to_ref.clone(),
                        relation,
                    )
                })
                .collect(),
            code,
            version,
        })
        .collect())
}
