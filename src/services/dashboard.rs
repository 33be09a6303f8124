//! The federation's rollout dashboard: for the organismes a user may see (narrowed by region
//! and family), where each stands with each framework, the homes covered, the years past,
//! the breakdowns by region and family of one framework, what renews or is late, and the
//! major nonconformities still open. Every figure is computed by the rules of
//! `domain::rollout`, the same ones the organismes list filters by.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::auth::{CurrentUser, OrgScope};
use crate::db::DbConnection;
use crate::db::clock::Reach;
use crate::db::schema::{commitment_events, commitments, frameworks, organisations};
use crate::domain::commitment::CommitmentState;
use crate::domain::policy;
use crate::domain::rollout::{self, Standing, Year, framework_key};
use crate::domain::schedule::ItemState;
use crate::domain::{Family, Region};
use crate::error::AppError;
use crate::i18n::{self, Lang};
use crate::models::organisation;
use crate::services::memo;
use crate::services::memo::Memo;
use crate::services::schedules::{self, CalendarEntry, CalendarFilter};
use std::sync::Arc;

mod majors;

pub use majors::{Major, open_majors_of};

/// Days ahead in which a renewal counts as due.
pub const RENEWAL_DAYS: i64 = 90;
/// Rows of each list shown on the page (the exports and the API carry them all).
pub const LIST_SHOWN: usize = 15;

/// What the dashboard is narrowed to; every field is optional and travels in the URL.
#[derive(
    Debug,
    Clone,
    Default,
    PartialEq,
    Eq,
    Hash,
    Deserialize,
    Serialize,
    utoipa::IntoParams,
    utoipa::ToSchema,
)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct Filter {
    /// The framework the breakdowns, the map and the chart are about (a framework code;
    /// `charte-qualite` stands for every organisme's own charter)
    pub framework: String,
    /// A region's INSEE code
    pub region: String,
    /// oph, esh, coop or sem
    pub family: String,
}

/// Every dimension of a dashboard: whose, narrowed how, on which day, in which language.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DashboardKey {
    pub scope: OrgScope,
    pub filter: Filter,
    pub today: NaiveDate,
    pub lang: Lang,
}

impl memo::Key for DashboardKey {
    fn reach(&self) -> Reach<'_> {
        memo::reach_of(&self.scope, schedules::UNREAD_BY_SCHEDULES)
    }
}

/// Organismes by standing with one framework.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Counts {
    pub holding: usize,
    pub renewal_due: usize,
    pub suspended: usize,
    pub engaged: usize,
    pub lapsed: usize,
    pub none: usize,
}

impl Counts {
    fn add(&mut self, standing: Standing) {
        match standing {
            Standing::Holding => self.holding += 1,
            Standing::RenewalDue => self.renewal_due += 1,
            Standing::Suspended => self.suspended += 1,
            Standing::Engaged => self.engaged += 1,
            Standing::Lapsed => self.lapsed += 1,
            Standing::None => self.none += 1,
        }
    }

    /// Those who hold the label or certificate, suspended or due for renewal included.
    pub fn holds(&self) -> usize {
        self.holding + self.renewal_due + self.suspended
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FrameworkRow {
    /// The framework's code (`charte-qualite` for the organismes' own charters)
    pub key: String,
    pub name: String,
    /// label, certification or charter
    pub kind: String,
    pub counts: Counts,
    /// Organismes holding it (holding + renewal due + suspended)
    pub holds: usize,
    /// Share of the organismes that hold it, in percent
    pub rate: f64,
    pub homes_covered: i64,
    /// Renewals due within 90 days or late
    pub renewals_due: usize,
    /// Schedule steps past their window
    pub overdue: usize,
    /// Major nonconformities whose action is not effective yet
    pub open_majors: usize,
}

/// One region or family, for the framework in focus.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ShareRow {
    /// Region INSEE code or family code
    pub code: String,
    pub name: String,
    pub organisations: usize,
    pub homes: i64,
    pub holds: usize,
    pub engaged: usize,
    pub rate: f64,
    pub homes_covered: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FrameworkYears {
    pub key: String,
    pub name: String,
    #[schema(value_type = Vec<Object>)]
    pub years: Vec<Year>,
}

/// A step of a schedule that needs attention: a renewal coming or anything late.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DueRow {
    pub organisation_id: String,
    pub organisation_name: String,
    pub region: String,
    pub framework_key: String,
    pub framework_name: String,
    pub commitment_id: String,
    pub step: String,
    pub due: NaiveDate,
    pub window_start: NaiveDate,
    pub window_end: NaiveDate,
    /// planned, due_soon or overdue
    pub state: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    pub today: NaiveDate,
    pub filter: Filter,
    pub organisations: usize,
    pub homes: i64,
    pub frameworks: Vec<FrameworkRow>,
    /// The framework in focus (`filter.framework`, else Quali'Hlm, else the first)
    pub focus: Option<String>,
    pub regions: Vec<ShareRow>,
    pub families: Vec<ShareRow>,
    pub rollout: Vec<FrameworkYears>,
    pub renewals: Vec<DueRow>,
    pub overdue: Vec<DueRow>,
    pub majors: Vec<Major>,
}

struct Org {
    id: String,
    region: String,
    family: String,
    homes: i64,
}

/// The organismes `scope` may see, narrowed by the filter's region and family.
fn organisations_in(
    conn: &mut DbConnection,
    scope: &OrgScope,
    filter: &Filter,
) -> Result<Vec<Org>, AppError> {
    let mut query = organisation::scoped(scope);
    if let Ok(region) = Region::parse(&filter.region) {
        query = query.filter(organisations::region.eq(region.code));
    }
    if let Ok(family) = Family::parse(&filter.family) {
        query = query.filter(organisations::family.eq(family.as_str()));
    }
    let rows: Vec<(String, String, String, i32)> = query
        .select((
            organisations::id,
            organisations::region,
            organisations::family,
            organisations::homes,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, region, family, homes)| Org {
            id,
            region,
            family,
            homes: i64::from(homes),
        })
        .collect())
}

/// The frameworks worth a line, as (key, name, kind): every shared one, and charters as one;
/// labels first.
pub fn framework_lines(
    conn: &mut DbConnection,
    lang: Lang,
) -> Result<Vec<(String, String, String)>, AppError> {
    let rows: Vec<(String, String, String, Option<String>)> = frameworks::table
        .order(frameworks::imported_at.asc())
        .select((
            frameworks::code,
            frameworks::name,
            frameworks::kind,
            frameworks::organisation_id,
        ))
        .load(conn)?;
    let mut lines: BTreeMap<String, (String, String)> = BTreeMap::new();
    for (code, name, kind, owner) in rows {
        let key = framework_key(&code, &kind);
        if kind == "charter" {
            lines.insert(key, (i18n::t(lang, "dashboard-charters"), kind));
        } else if owner.is_none() {
            // The latest imported version names the framework.
            lines.insert(key, (name, kind));
        }
    }
    let rank = |kind: &str| match kind {
        "label" => 0,
        "certification" => 1,
        _ => 2,
    };
    let mut lines: Vec<(String, String, String)> = lines
        .into_iter()
        .map(|(key, (name, kind))| (key, name, kind))
        .collect();
    lines.sort_by(|a, b| rank(&a.2).cmp(&rank(&b.2)).then_with(|| a.1.cmp(&b.1)));
    Ok(lines)
}

/// Each organisme's commitments per framework key: (commitment id, current state).
type Held = HashMap<(String, String), Vec<(String, CommitmentState)>>;

fn commitments_of(conn: &mut DbConnection, ids: &[&str]) -> Result<Held, AppError> {
    let mut held = Held::new();
    for chunk in ids.chunks(crate::db::MAX_IDS) {
        let rows: Vec<(String, String, String, String, String)> = commitments::table
            .inner_join(frameworks::table)
            .filter(commitments::organisation_id.eq_any(chunk))
            .select((
                commitments::organisation_id,
                commitments::id,
                frameworks::code,
                frameworks::kind,
                commitments::state,
            ))
            .load(conn)?;
        for (org, id, code, kind, state) in rows {
            if let Ok(state) = CommitmentState::parse(&state) {
                held.entry((org, framework_key(&code, &kind)))
                    .or_default()
                    .push((id, state));
            }
        }
    }
    Ok(held)
}

/// Every state change of these commitments, in date order.
fn changes_of(
    conn: &mut DbConnection,
    commitment_ids: &[&str],
) -> Result<HashMap<String, Vec<(NaiveDate, CommitmentState)>>, AppError> {
    let mut changes: HashMap<String, Vec<(NaiveDate, CommitmentState)>> = HashMap::new();
    for chunk in commitment_ids.chunks(crate::db::MAX_IDS) {
        let rows: Vec<(String, NaiveDate, Option<String>)> = commitment_events::table
            .filter(commitment_events::commitment_id.eq_any(chunk))
            .filter(commitment_events::to_state.is_not_null())
            .order((
                commitment_events::event_date.asc(),
                commitment_events::created_at.asc(),
            ))
            .select((
                commitment_events::commitment_id,
                commitment_events::event_date,
                commitment_events::to_state,
            ))
            .load(conn)?;
        for (id, date, state) in rows {
            if let Some(state) = state
                .as_deref()
                .and_then(|s| CommitmentState::parse(s).ok())
            {
                changes.entry(id).or_default().push((date, state));
            }
        }
    }
    Ok(changes)
}

fn due_row(entry: CalendarEntry, key: String) -> DueRow {
    DueRow {
        organisation_id: entry.organisation_id,
        organisation_name: entry.organisation_name,
        region: entry.region,
        framework_key: key,
        framework_name: entry.framework_name,
        commitment_id: entry.commitment_id,
        step: entry.item.name,
        due: entry.item.due,
        window_start: entry.item.window_start,
        window_end: entry.item.window_end,
        state: schedules::state_code(entry.item.state).to_owned(),
    }
}

/// Renewals due within 90 days (or late), and every step past its window.
fn attention(
    conn: &mut DbConnection,
    scope: &OrgScope,
    filter: &Filter,
    today: NaiveDate,
) -> Result<(Vec<DueRow>, Vec<DueRow>), AppError> {
    let calendar = CalendarFilter {
        region: filter.region.clone(),
        family: filter.family.clone(),
        pending: true,
        ..CalendarFilter::default()
    };
    let kinds: HashMap<String, String> = frameworks::table
        .select((frameworks::code, frameworks::kind))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let mut renewals = Vec::new();
    let mut overdue = Vec::new();
    for entry in schedules::calendar(conn, scope, &calendar, today)? {
        if entry.item.done_on.is_some() {
            continue;
        }
        let kind = kinds.get(&entry.framework_code).map_or("", String::as_str);
        let key = framework_key(&entry.framework_code, kind);
        if entry.item.state == ItemState::Overdue {
            overdue.push(due_row(entry.clone(), key.clone()));
        }
        if entry.item.renews() && schedules::needs_attention(&entry.item, today, RENEWAL_DAYS) {
            renewals.push(due_row(entry, key));
        }
    }
    renewals.sort_by(|a, b| {
        a.due
            .cmp(&b.due)
            .then_with(|| a.organisation_name.cmp(&b.organisation_name))
    });
    overdue.sort_by(|a, b| {
        a.due
            .cmp(&b.due)
            .then_with(|| a.organisation_name.cmp(&b.organisation_name))
    });
    Ok((renewals, overdue))
}

fn share(code: &str, name: &str, members: &[(&Org, Standing)]) -> ShareRow {
    let holding: Vec<&&Org> = members
        .iter()
        .filter(|(_, s)| s.holds())
        .map(|(o, _)| o)
        .collect();
    ShareRow {
        code: code.to_owned(),
        name: name.to_owned(),
        organisations: members.len(),
        homes: members.iter().map(|(o, _)| o.homes).sum(),
        holds: holding.len(),
        engaged: members
            .iter()
            .filter(|(_, s)| *s == Standing::Engaged)
            .count(),
        rate: rollout::rate(holding.len(), members.len()),
        homes_covered: holding.iter().map(|o| o.homes).sum(),
    }
}

/// The framework in focus by region and by family (those with organismes only).
fn breakdowns(standings: &[(&Org, Standing)], lang: Lang) -> (Vec<ShareRow>, Vec<ShareRow>) {
    let members = |keep: &dyn Fn(&Org) -> bool| -> Vec<(&Org, Standing)> {
        standings.iter().filter(|(o, _)| keep(o)).copied().collect()
    };
    let regions = Region::all()
        .iter()
        .map(|r| share(r.code, r.name, &members(&|o| o.region == r.code)))
        .filter(|r| r.organisations > 0)
        .collect();
    let families = Family::ALL
        .iter()
        .map(|f| {
            share(
                f.as_str(),
                &i18n::t(lang, &f.label_key()),
                &members(&|o| o.family == f.as_str()),
            )
        })
        .filter(|f| f.organisations > 0)
        .collect();
    (regions, families)
}

pub fn gather(
    conn: &mut DbConnection,
    scope: &OrgScope,
    filter: &Filter,
    today: NaiveDate,
    lang: Lang,
) -> Result<Dashboard, AppError> {
    let orgs = organisations_in(conn, scope, filter)?;
    let ids: Vec<&str> = orgs.iter().map(|o| o.id.as_str()).collect();
    let held = commitments_of(conn, &ids)?;
    let commitment_ids: Vec<&str> = held.values().flatten().map(|(id, _)| id.as_str()).collect();
    let changes = changes_of(conn, &commitment_ids)?;
    let (renewals, overdue) = attention(conn, scope, filter, today)?;
    let majors = open_majors_of(conn, &ids)?;
    let standing = |org: &Org, key: &str| {
        held.get(&(org.id.clone(), key.to_owned()))
            .map_or(Standing::None, |c| rollout::best(c.iter().map(|(_, s)| *s)))
    };

    let mut rows = Vec::new();
    let mut years = Vec::new();
    for (key, name, kind) in framework_lines(conn, lang)? {
        let mut counts = Counts::default();
        let mut homes_covered = 0;
        let mut histories = Vec::new();
        for org in &orgs {
            let s = standing(org, &key);
            counts.add(s);
            if s.holds() {
                homes_covered += org.homes;
            }
            if let Some(own) = held.get(&(org.id.clone(), key.clone())) {
                histories.push(
                    own.iter()
                        .map(|(id, _)| changes.get(id).cloned().unwrap_or_default())
                        .collect::<Vec<_>>(),
                );
            }
        }
        let holds = counts.holds();
        rows.push(FrameworkRow {
            rate: rollout::rate(holds, orgs.len()),
            renewals_due: renewals.iter().filter(|r| r.framework_key == key).count(),
            overdue: overdue.iter().filter(|r| r.framework_key == key).count(),
            open_majors: majors
                .iter()
                .filter(|m| m.framework_key == key)
                .map(|m| m.count)
                .sum(),
            key: key.clone(),
            name: name.clone(),
            kind,
            counts,
            holds,
            homes_covered,
        });
        years.push(FrameworkYears {
            key,
            name,
            years: rollout::years(&histories, today),
        });
    }

    let focus = rows
        .iter()
        .find(|r| r.key == filter.framework)
        .or_else(|| rows.iter().find(|r| r.key == "quali-hlm"))
        .or_else(|| rows.first())
        .map(|r| r.key.clone());
    let (regions, families) = match &focus {
        Some(key) => {
            let standings: Vec<(&Org, Standing)> =
                orgs.iter().map(|o| (o, standing(o, key))).collect();
            breakdowns(&standings, lang)
        }
        None => (Vec::new(), Vec::new()),
    };
    Ok(Dashboard {
        today,
        filter: filter.clone(),
        organisations: orgs.len(),
        homes: orgs.iter().map(|o| o.homes).sum(),
        frameworks: rows,
        focus,
        regions,
        families,
        rollout: years,
        renewals,
        overdue,
        majors,
    })
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Federation staff and administrators only. What a dashboard is kept under: the user's scope,
/// the filter (a regional user's region always in it), the day and the language.
pub fn key_for(
    user: &CurrentUser,
    mut filter: Filter,
    lang: Lang,
) -> Result<DashboardKey, AppError> {
    if !policy::sees_federation_views(user) {
        return Err(AppError::Forbidden);
    }
    if let Some(region) = &user.region {
        filter.region.clone_from(region);
    }
    Ok(DashboardKey {
        scope: user.scope(),
        filter,
        today: today(),
        lang,
    })
}

/// The dashboard's figures, served from `cache` while nothing was written.
pub fn kept(
    conn: &mut DbConnection,
    cache: &Memo<DashboardKey, Dashboard>,
    user: &CurrentUser,
    filter: Filter,
    lang: Lang,
) -> Result<Arc<Dashboard>, AppError> {
    let key = key_for(user, filter, lang)?;
    cache.get_or_compute(conn, key.clone(), |conn| {
        gather(conn, &key.scope, &key.filter, key.today, lang)
    })
}
