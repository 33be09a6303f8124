//! Organismes Hlm: the landlords that commit to quality frameworks.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::history::{self, Actor, Change};
use super::{Page, Paged, unique_violation_on};
use crate::auth::OrgScope;
use crate::db::schema::{audit_team, audits, commitments, frameworks, organisations, sites};
use crate::db::{DbConnection, MultiBackend, new_id, now};
use crate::domain::commitment::CommitmentState;
use crate::domain::rollout::{self, Standing};
use crate::domain::{BoundedText, Family, Federation, FieldErrors, Homes, Invalid, Region, Siren};
use crate::error::AppError;

pub const NAME_MAX: usize = 200;

#[derive(
    Debug, Clone, Queryable, Selectable, Insertable, Identifiable, Serialize, utoipa::ToSchema,
)]
#[diesel(table_name = organisations)]
pub struct Organisation {
    pub id: String,
    pub name: String,
    #[serde(skip)]
    pub search_key: String,
    pub siren: String,
    /// oph, esh, coop, sem or autre
    pub family: String,
    /// INSEE code of the region
    pub region: String,
    pub homes: i32,
    /// foph, esh, coop, procivis, epl or autre
    pub federation: String,
    #[serde(serialize_with = "crate::domain::dates::utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::domain::dates::utc")]
    pub updated_at: NaiveDateTime,
    /// Incremented by each change; send it back when updating.
    pub version: i32,
}

/// What people type (a form or a JSON body), before validation.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct OrganisationForm {
    pub name: String,
    pub siren: String,
    pub family: String,
    pub region: String,
    pub homes: String,
    pub federation: String,
    pub version: Option<i32>,
}

impl From<&Organisation> for OrganisationForm {
    fn from(o: &Organisation) -> Self {
        Self {
            name: o.name.clone(),
            siren: o.siren.clone(),
            family: o.family.clone(),
            region: o.region.clone(),
            homes: o.homes.to_string(),
            federation: o.federation.clone(),
            version: Some(o.version),
        }
    }
}

/// A valid organisme, ready to be written.
#[derive(Debug, Clone)]
pub struct OrganisationInput {
    pub name: BoundedText,
    pub siren: Siren,
    pub family: Family,
    pub region: Region,
    pub homes: Homes,
    pub federation: Federation,
}

impl TryFrom<&OrganisationForm> for OrganisationInput {
    type Error = FieldErrors;

    fn try_from(form: &OrganisationForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.check("name", BoundedText::required(&form.name, NAME_MAX));
        let siren = errors.check("siren", Siren::parse(&form.siren));
        let family = errors.check("family", Family::parse(&form.family));
        let region = errors.check("region", Region::parse(&form.region));
        let homes = errors.check("homes", Homes::parse(&form.homes));
        // The federation defaults to the usual one of the family.
        let federation = if form.federation.trim().is_empty() {
            family.map(Family::usual_federation)
        } else {
            errors.check("federation", Federation::parse(&form.federation))
        };
        match (name, siren, family, region, homes, federation) {
            (
                Some(name),
                Some(siren),
                Some(family),
                Some(region),
                Some(homes),
                Some(federation),
            ) if errors.is_empty() => Ok(Self {
                name,
                siren,
                family,
                region,
                homes,
                federation,
            }),
            _ => Err(errors),
        }
    }
}

/// Folded, lower-case text for accent-insensitive search on both backends.
pub fn search_key(text: &str) -> String {
    deunicode::deunicode(text).to_lowercase()
}

/// Filters of the organismes list; every field is optional.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct OrganisationFilter {
    pub q: String,
    pub family: String,
    pub region: String,
    pub sort: String,
    /// A framework code (`charte-qualite`: the organismes' own charters), with `standing`
    pub framework: String,
    /// A standing with `framework` (holding, renewal_due, suspended, engaged, lapsed, none)
    /// or `holds` (any of the first three)
    pub standing: String,
}

/// An organisme in a list, with its number of sites.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrganisationSummary {
    #[serde(flatten)]
    pub organisation: Organisation,
    pub sites_count: i64,
}

type Boxed<'a> = organisations::BoxedQuery<'a, MultiBackend>;

/// Every organisme `scope` sees, by name: for the choices of a form or a filter.
pub fn all_in(conn: &mut DbConnection, scope: &OrgScope) -> Result<Vec<Organisation>, AppError> {
    Ok(scoped(scope)
        .order((organisations::search_key.asc(), organisations::id.asc()))
        .select(Organisation::as_select())
        .load(conn)?)
}

/// The organismes `scope` may see; every read starts here.
pub fn scoped(scope: &OrgScope) -> Boxed<'static> {
    let query = organisations::table.into_boxed();
    match scope {
        OrgScope::All => query,
        OrgScope::Region(region) => query.filter(organisations::region.eq(region.clone())),
        OrgScope::One(id) => query.filter(organisations::id.eq(id.clone())),
        // Auditors see the organismes whose commitments they follow or whose audits they run.
        OrgScope::AssignedAuditor(user_id) => query.filter(
            organisations::id
                .eq_any(
                    commitments::table
                        .filter(commitments::auditor_id.eq(user_id.clone()))
                        .select(commitments::organisation_id),
                )
                .or(organisations::id.eq_any(
                    audits::table
                        .filter(
                            audits::lead_auditor_id
                                .eq(user_id.clone())
                                .or(audits::id.eq_any(
                                    audit_team::table
                                        .filter(audit_team::user_id.eq(user_id.clone()))
                                        .select(audit_team::audit_id),
                                )),
                        )
                        .select(audits::organisation_id),
                )),
        ),
    }
}

fn filtered(scope: &OrgScope, filter: &OrganisationFilter) -> Boxed<'static> {
    let mut query = scoped(scope);
    let q = filter.q.trim();
    if !q.is_empty() {
        let digits: String = q.chars().filter(char::is_ascii_digit).collect();
        let pattern = format!("%{}%", escape_like(&search_key(q)));
        if digits.len() == q.chars().filter(|c| !c.is_whitespace()).count() {
            query = query.filter(organisations::siren.like(format!("{digits}%")));
        } else {
            query = query.filter(organisations::search_key.like(pattern).escape('\\'));
        }
    }
    if let Ok(family) = Family::parse(&filter.family) {
        query = query.filter(organisations::family.eq(family.as_str()));
    }
    if let Ok(region) = Region::parse(&filter.region) {
        query = query.filter(organisations::region.eq(region.code));
    }
    if !filter.framework.is_empty() {
        query = with_standing(query, &filter.framework, &filter.standing);
    }
    query
}

/// Organismes whose best commitment to `framework` gives `standing` (see `domain::rollout`):
/// one commitment in the standing's states and none in a better one.
fn with_standing(query: Boxed<'static>, framework: &str, standing: &str) -> Boxed<'static> {
    let code = framework.to_owned();
    // Charters count together: the key matches every framework of kind `charter` (a kind is
    // never empty, so "" matches none). A boxed subquery would not compile for both backends.
    let kind = if framework == rollout::CHARTERS {
        "charter"
    } else {
        ""
    };
    let committed = |states: Vec<CommitmentState>| {
        let states: Vec<&'static str> = states.into_iter().map(CommitmentState::as_str).collect();
        commitments::table
            .inner_join(frameworks::table)
            .filter(commitments::state.eq_any(states))
            .filter(
                frameworks::code
                    .eq(code.clone())
                    .or(frameworks::kind.eq(kind)),
            )
            .select(commitments::organisation_id)
    };
    let states_of = |standings: &[Standing]| -> Vec<CommitmentState> {
        standings.iter().flat_map(|s| s.states()).collect()
    };
    if standing == "holds" {
        let holding: Vec<Standing> = Standing::ALL
            .iter()
            .copied()
            .filter(|s| s.holds())
            .collect();
        return query.filter(organisations::id.eq_any(committed(states_of(&holding))));
    }
    let Ok(standing) = Standing::parse(standing) else {
        // Any commitment to the framework, whatever its state.
        return query.filter(organisations::id.eq_any(committed(CommitmentState::ALL.to_vec())));
    };
    let better = states_of(standing.better());
    let query = if standing == Standing::None {
        query
    } else {
        query.filter(organisations::id.eq_any(committed(standing.states())))
    };
    if better.is_empty() && standing != Standing::None {
        return query;
    }
    let excluded = if standing == Standing::None {
        CommitmentState::ALL.to_vec()
    } else {
        better
    };
    query.filter(diesel::dsl::not(
        organisations::id.eq_any(committed(excluded)),
    ))
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

pub fn list(
    conn: &mut DbConnection,
    scope: &OrgScope,
    filter: &OrganisationFilter,
    page: Page,
) -> Result<Paged<OrganisationSummary>, AppError> {
    let total: i64 = filtered(scope, filter).count().get_result(conn)?;
    let query = filtered(scope, filter);
    let query = match filter.sort.as_str() {
        "homes" => query.order((organisations::homes.desc(), organisations::search_key.asc())),
        "siren" => query.order(organisations::siren.asc()),
        "updated" => query.order(organisations::updated_at.desc()),
        _ => query.order((organisations::search_key.asc(), organisations::id.asc())),
    };
    let rows: Vec<Organisation> = query
        .limit(page.size)
        .offset(page.offset())
        .select(Organisation::as_select())
        .load(conn)?;
    let ids: Vec<&str> = rows.iter().map(|o| o.id.as_str()).collect();
    let counts: Vec<(String, i64)> = sites::table
        .filter(sites::organisation_id.eq_any(&ids))
        .group_by(sites::organisation_id)
        .select((sites::organisation_id, diesel::dsl::count_star()))
        .load(conn)?;
    let items = rows
        .into_iter()
        .map(|organisation| {
            let sites_count = counts
                .iter()
                .find(|(id, _)| *id == organisation.id)
                .map_or(0, |(_, n)| *n);
            OrganisationSummary {
                organisation,
                sites_count,
            }
        })
        .collect();
    Ok(Paged::new(items, total, page))
}

/// One organisme the scope may see; anything else is not found.
/// The ids of the organismes `scope` sees.
pub fn ids_in(conn: &mut DbConnection, scope: &OrgScope) -> Result<Vec<String>, AppError> {
    Ok(scoped(scope).select(organisations::id).load(conn)?)
}

/// How much a scope holds: organismes, their sites and homes.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Extent {
    pub organisations: i64,
    pub sites: i64,
    pub homes: i64,
}

pub fn extent(conn: &mut DbConnection, scope: &OrgScope) -> Result<Extent, AppError> {
    let visible = ids_in(conn, scope)?;
    let homes: Option<i64> = scoped(scope)
        .select(diesel::dsl::sum(organisations::homes))
        .first(conn)?;
    let sites: i64 = crate::db::schema::sites::table
        .filter(crate::db::schema::sites::organisation_id.eq_any(&visible))
        .count()
        .get_result(conn)?;
    Ok(Extent {
        organisations: i64::try_from(visible.len()).unwrap_or(i64::MAX),
        sites,
        homes: homes.unwrap_or(0),
    })
}

pub fn find(conn: &mut DbConnection, scope: &OrgScope, id: &str) -> Result<Organisation, AppError> {
    Ok(scoped(scope)
        .filter(organisations::id.eq(id.to_owned()))
        .select(Organisation::as_select())
        .first(conn)?)
}

/// An organisme by id or by SIREN (command line and API).
pub fn find_by_key(
    conn: &mut DbConnection,
    scope: &OrgScope,
    key: &str,
) -> Result<Organisation, AppError> {
    let key = key.trim();
    let compact: String = key.chars().filter(|c| !c.is_whitespace()).collect();
    Ok(scoped(scope)
        .filter(
            organisations::id
                .eq(key.to_owned())
                .or(organisations::siren.eq(compact)),
        )
        .select(Organisation::as_select())
        .first(conn)?)
}

pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &OrganisationInput,
) -> Result<Organisation, AppError> {
    let at = now();
    let organisation = Organisation {
        id: new_id(),
        name: input.name.as_str().to_owned(),
        search_key: search_key(input.name.as_str()),
        siren: input.siren.as_str().to_owned(),
        family: input.family.as_str().to_owned(),
        region: input.region.code.to_owned(),
        homes: input.homes.get(),
        federation: input.federation.as_str().to_owned(),
        created_at: at,
        updated_at: at,
        version: 1,
    };
    diesel::insert_into(organisations::table)
        .values((
            organisations::id.eq(&organisation.id),
            organisations::name.eq(&organisation.name),
            organisations::search_key.eq(&organisation.search_key),
            organisations::siren.eq(&organisation.siren),
            organisations::family.eq(&organisation.family),
            organisations::region.eq(&organisation.region),
            organisations::homes.eq(organisation.homes),
            organisations::federation.eq(&organisation.federation),
            organisations::created_at.eq(organisation.created_at),
            organisations::updated_at.eq(organisation.updated_at),
            organisations::version.eq(organisation.version),
        ))
        .execute(conn)
        .map_err(|e| unique_violation_on(e, "siren", "err-siren-taken"))?;
    history::record(
        conn,
        actor,
        &Change {
            entity: "organisation",
            entity_id: &organisation.id,
            organisation_id: Some(&organisation.id),
            action: "create",
            before: None,
            after: Some(&organisation),
        },
    )?;
    Ok(organisation)
}

/// Updates an organisme if nobody changed it since `expected_version` was read.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    before: &Organisation,
    expected_version: i32,
    input: &OrganisationInput,
) -> Result<Organisation, AppError> {
    let updated_at = now();
    let changed = diesel::update(organisations::table)
        .filter(organisations::id.eq(&before.id))
        .filter(organisations::version.eq(expected_version))
        .set((
            organisations::name.eq(input.name.as_str()),
            organisations::search_key.eq(search_key(input.name.as_str())),
            organisations::siren.eq(input.siren.as_str()),
            organisations::family.eq(input.family.as_str()),
            organisations::region.eq(input.region.code),
            organisations::homes.eq(input.homes.get()),
            organisations::federation.eq(input.federation.as_str()),
            organisations::updated_at.eq(updated_at),
            organisations::version.eq(expected_version + 1),
        ))
        .execute(conn)
        .map_err(|e| unique_violation_on(e, "siren", "err-siren-taken"))?;
    if changed == 0 {
        return Err(AppError::Conflict);
    }
    let after: Organisation = organisations::table
        .find(&before.id)
        .select(Organisation::as_select())
        .first(conn)?;
    history::record(
        conn,
        actor,
        &Change {
            entity: "organisation",
            entity_id: &after.id,
            organisation_id: Some(&after.id),
            action: "update",
            before: Some(before),
            after: Some(&after),
        },
    )?;
    Ok(after)
}

/// Requires the version a client read before changing a record.
pub fn require_version(version: Option<i32>) -> Result<i32, AppError> {
    version.ok_or_else(|| {
        AppError::Validation(FieldErrors::single(
            "version",
            Invalid::new("err-version-missing"),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> OrganisationForm {
        OrganisationForm {
            name: "Habitat Exemple".into(),
            siren: "732 829 320".into(),
            family: "oph".into(),
            region: "11".into(),
            homes: "12 000".into(),
            federation: String::new(),
            version: None,
        }
    }

    #[test]
    fn a_valid_form_becomes_an_input_with_the_usual_federation() {
        let input = OrganisationInput::try_from(&form()).unwrap();
        assert_eq!(input.siren.as_str(), "732829320");
        assert_eq!(input.federation, Federation::Foph);
        assert_eq!(input.homes.get(), 12_000);
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let bad = OrganisationForm {
            name: String::new(),
            siren: "123456789".into(),
            family: "hlm".into(),
            region: "99".into(),
            homes: "beaucoup".into(),
            federation: "x".into(),
            version: None,
        };
        let errors = OrganisationInput::try_from(&bad).unwrap_err();
        let fields: Vec<&str> = errors.0.keys().map(String::as_str).collect();
        assert_eq!(
            fields,
            ["family", "federation", "homes", "name", "region", "siren"]
        );
    }

    #[test]
    fn search_ignores_accents_and_case() {
        assert_eq!(search_key("Hérault Habitat"), "herault habitat");
        assert_eq!(escape_like("50%_off\\"), "50\\%\\_off\\\\");
    }
}
