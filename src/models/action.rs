//! Action plans: each nonconformity of a submitted audit becomes an action, due by the
//! grade's response deadline (in working days where the framework says so); the organisme
//! also records its own improvement actions (cross-cutting, local to a site, answers to a
//! survey or to complaints). It fills in correction, root cause, corrective action, owner
//! and priority, and reports progress; an auditor later judges whether it was effective.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::audit::Audit;
use super::history::{self, Actor, Change};
use crate::db::schema::{
    action_updates, actions, commitments, findings, framework_grades, frameworks, sites, users,
};
use crate::db::{DbConnection, new_id, now};
use crate::domain::action_plan::{ActionOrigin, Priority};
use crate::domain::actor::OrgScope;
use crate::domain::audit::ActionStatus;
use crate::domain::calendar::{Zone, add_working_days};
use crate::domain::dates::parse_date;
use crate::domain::{BoundedText, FieldErrors, Invalid};
use crate::error::AppError;
use crate::models::organisation::Organisation;

/// Response deadline when a grade gives none.
const DEFAULT_RESPONSE_DAYS: i64 = 90;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = actions)]
pub struct Action {
    pub id: String,
    pub organisation_id: String,
    /// The audit whose nonconformity opened it; none for the organisme's own actions
    pub audit_id: Option<String>,
    #[serde(skip)]
    pub finding_id: Option<String>,
    /// The requirement concerned, when there is one
    pub requirement_ref: String,
    pub title: String,
    pub correction: String,
    pub root_cause: String,
    pub corrective_action: String,
    /// The owner's name as typed before owners were accounts; `owner_id` names one now
    pub owner: String,
    pub due_date: NaiveDate,
    /// open, in_progress, done, effective, ineffective
    pub status: String,
    #[serde(serialize_with = "crate::domain::dates::utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::domain::dates::utc")]
    pub updated_at: NaiveDateTime,
    pub version: i32,
    /// finding, transversal, local, survey, complaint
    pub origin: String,
    pub framework_id: Option<String>,
    pub site_id: Option<String>,
    /// The account responsible for carrying it out
    pub owner_id: Option<String>,
    /// high, normal, low
    pub priority: String,
}

impl crate::domain::policy::Owned for Action {
    fn organisation_id(&self) -> &str {
        &self.organisation_id
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = action_updates)]
pub struct ActionUpdate {
    pub id: String,
    pub action_id: String,
    #[serde(serialize_with = "crate::domain::dates::utc")]
    pub at: NaiveDateTime,
    pub author_label: String,
    pub status: String,
    pub note: String,
}

impl Action {
    pub fn status(&self) -> ActionStatus {
        ActionStatus::parse(&self.status).unwrap_or(ActionStatus::Open)
    }

    pub fn priority(&self) -> Priority {
        Priority::parse(&self.priority).unwrap_or(Priority::Normal)
    }

    pub fn origin(&self) -> ActionOrigin {
        ActionOrigin::parse(&self.origin).unwrap_or(ActionOrigin::Finding)
    }
}

/// A nonconformity without action: finding id, requirement, text, grade label, response
/// deadline and its unit, and whether it blocks the decision.
type NonConformity = (
    String,
    String,
    String,
    String,
    Option<i32>,
    Option<String>,
    bool,
);

/// Opens one action per nonconformity of the audit that has none yet; returns how many.
pub fn open_for_audit(
    conn: &mut DbConnection,
    actor: &Actor,
    audit: &Audit,
    zone: Zone,
) -> Result<usize, AppError> {
    let rows: Vec<NonConformity> = findings::table
        .inner_join(
            framework_grades::table.on(framework_grades::code.nullable().eq(findings::grade_code)),
        )
        .filter(findings::audit_id.eq(&audit.id))
        .filter(framework_grades::framework_id.eq(&audit.framework_id))
        .filter(framework_grades::nonconformity.eq(true))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            actions::table.filter(actions::finding_id.eq(findings::id.nullable())),
        )))
        .select((
            findings::id,
            findings::requirement_ref,
            findings::finding,
            framework_grades::label,
            framework_grades::response_days,
            framework_grades::response_unit,
            framework_grades::blocks_decision,
        ))
        .load(conn)?;
    for (finding_id, reference, text, label, days, unit, blocks) in &rows {
        let days = days.map_or(DEFAULT_RESPONSE_DAYS, i64::from);
        let due = if unit.as_deref() == Some("working") {
            add_working_days(audit.end_date, u32::try_from(days).unwrap_or(0), zone)
        } else {
            audit.end_date + Duration::days(days)
        };
        let summary: String = text.chars().take(120).collect();
        let title = if summary.is_empty() {
            format!("{reference} — {label}")
        } else {
            format!("{reference} — {label} : {summary}")
        };
        let id = new_id();
        let at = now();
        diesel::insert_into(actions::table)
            .values((
                actions::id.eq(&id),
                actions::organisation_id.eq(&audit.organisation_id),
                actions::audit_id.eq(&audit.id),
                actions::finding_id.eq(finding_id),
                actions::requirement_ref.eq(reference),
                actions::title.eq(&title),
                actions::correction.eq(""),
                actions::root_cause.eq(""),
                actions::corrective_action.eq(""),
                actions::owner.eq(""),
                actions::due_date.eq(due),
                actions::status.eq(ActionStatus::Open.as_str()),
                actions::created_at.eq(at),
                actions::updated_at.eq(at),
                actions::version.eq(1),
                actions::origin.eq(ActionOrigin::Finding.as_str()),
                actions::framework_id.eq(&audit.framework_id),
                actions::priority.eq(if *blocks {
                    Priority::High.as_str()
                } else {
                    Priority::Normal.as_str()
                }),
            ))
            .execute(conn)?;
        let created = get(conn, &id)?;
        history::record(
            conn,
            actor,
            &Change {
                entity: "action",
                entity_id: &id,
                organisation_id: Some(&audit.organisation_id),
                action: "create",
                before: None,
                after: Some(&created),
            },
        )?;
    }
    Ok(rows.len())
}

/// An action that `scope` holds, with its organisme; any other id is not found, whoever
/// asks. This is how pages, API and services reach one: the bare lookup stays in `models`.
pub fn find(
    conn: &mut DbConnection,
    scope: &OrgScope,
    id: &str,
) -> Result<(Action, Organisation), AppError> {
    let found = get(conn, id)?;
    let organisation = crate::models::organisation::find(conn, scope, &found.organisation_id)?;
    Ok((found, organisation))
}

pub(in crate::models) fn get(conn: &mut DbConnection, id: &str) -> Result<Action, AppError> {
    Ok(actions::table
        .find(id)
        .select(Action::as_select())
        .first(conn)?)
}

/// The organisme's actions: open ones first, the most overdue first.
pub fn list_for(conn: &mut DbConnection, organisation_id: &str) -> Result<Vec<Action>, AppError> {
    let mut all: Vec<Action> = actions::table
        .filter(actions::organisation_id.eq(organisation_id))
        .order(actions::due_date.asc())
        .select(Action::as_select())
        .load(conn)?;
    all.sort_by_key(|a| (!a.status().is_open(), a.due_date));
    Ok(all)
}

pub fn updates(conn: &mut DbConnection, action_id: &str) -> Result<Vec<ActionUpdate>, AppError> {
    Ok(action_updates::table
        .filter(action_updates::action_id.eq(action_id))
        .order(action_updates::at.desc())
        .select(ActionUpdate::as_select())
        .load(conn)?)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ActionForm {
    pub correction: String,
    pub root_cause: String,
    pub corrective_action: String,
    /// The owner's account id; empty for none
    pub owner_id: String,
    /// high, normal, low; empty keeps the action's
    pub priority: String,
    /// A site of the organisme; empty for the whole organisme
    pub site_id: String,
    pub due_date: String,
    pub status: String,
    pub note: String,
    #[schema(minimum = 0, maximum = 2_147_483_647)]
    pub version: Option<i32>,
}

impl From<&Action> for ActionForm {
    fn from(a: &Action) -> Self {
        Self {
            correction: a.correction.clone(),
            root_cause: a.root_cause.clone(),
            corrective_action: a.corrective_action.clone(),
            owner_id: a.owner_id.clone().unwrap_or_default(),
            priority: a.priority.clone(),
            site_id: a.site_id.clone().unwrap_or_default(),
            due_date: a.due_date.to_string(),
            status: a.status.clone(),
            note: String::new(),
            version: Some(a.version),
        }
    }
}

/// What an action of the organisme may point at: the frameworks it is committed to, its
/// sites and the enabled accounts of its people, each as (id, name) in name order.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Choices {
    pub frameworks: Vec<(String, String)>,
    pub sites: Vec<(String, String)>,
    pub owners: Vec<(String, String)>,
}

impl Choices {
    pub fn of(conn: &mut DbConnection, organisation_id: &str) -> Result<Self, AppError> {
        let mut frameworks: Vec<(String, String)> = commitments::table
            .inner_join(frameworks::table)
            .filter(commitments::organisation_id.eq(organisation_id))
            .select((frameworks::id, frameworks::name))
            .distinct()
            .load(conn)?;
        frameworks.sort_by(|a, b| a.1.cmp(&b.1));
        let sites = sites::table
            .filter(sites::organisation_id.eq(organisation_id))
            .order(sites::name.asc())
            .select((sites::id, sites::name))
            .load(conn)?;
        let owners = users::table
            .filter(users::organisation_id.eq(organisation_id))
            .filter(users::disabled.eq(false))
            .filter(users::role.ne(crate::domain::Role::Observer.as_str()))
            .order(users::name.asc())
            .select((users::id, users::name))
            .load(conn)?;
        Ok(Self {
            frameworks,
            sites,
            owners,
        })
    }

    /// An optional choice among `among`: empty is none, an unknown id is refused.
    fn pick(raw: &str, among: &[(String, String)]) -> Result<Option<String>, Invalid> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(None);
        }
        among
            .iter()
            .find(|(id, _)| id == raw)
            .map(|(id, _)| Some(id.clone()))
            .ok_or_else(|| Invalid::new("err-unknown-choice"))
    }

    pub fn name_of<'a>(among: &'a [(String, String)], id: Option<&str>) -> Option<&'a str> {
        let id = id?;
        among.iter().find(|(i, _)| i == id).map(|(_, n)| n.as_str())
    }
}

/// An action the organisme creates itself, as its form sends it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NewActionForm {
    pub title: String,
    /// transversal, local (names a site), survey, complaint
    pub origin: String,
    /// The requirement concerned, if any
    pub requirement_ref: String,
    pub framework_id: String,
    pub site_id: String,
    pub owner_id: String,
    /// high, normal, low
    pub priority: String,
    /// YYYY-MM-DD
    pub due_date: String,
    /// What will be done
    pub corrective_action: String,
}

/// Records an action of the organisme's own (not from a finding) and its first update.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    organisation_id: &str,
    form: &NewActionForm,
) -> Result<Action, AppError> {
    let choices = Choices::of(conn, organisation_id)?;
    let mut errors = FieldErrors::new();
    let title = errors.check("title", BoundedText::required(&form.title, 300));
    let origin = errors.check(
        "origin",
        ActionOrigin::parse(&form.origin).and_then(|o| {
            if o == ActionOrigin::Finding {
                Err(Invalid::new("err-action-origin-finding"))
            } else {
                Ok(o)
            }
        }),
    );
    let reference = errors.check(
        "requirement_ref",
        BoundedText::optional(&form.requirement_ref, 50),
    );
    let framework = errors.check(
        "framework_id",
        Choices::pick(&form.framework_id, &choices.frameworks),
    );
    let site = errors.check("site_id", Choices::pick(&form.site_id, &choices.sites));
    if let (Some(origin), Some(None)) = (origin, &site)
        && origin.needs_site()
    {
        errors.add("site_id", Invalid::new("err-action-local-site"));
    }
    let owner = errors.check("owner_id", Choices::pick(&form.owner_id, &choices.owners));
    let priority = errors.check("priority", Priority::parse(&form.priority));
    let due = errors.check("due_date", parse_date(&form.due_date));
    let planned = errors.check(
        "corrective_action",
        BoundedText::optional(&form.corrective_action, 4000),
    );
    errors.into_result()?;
    let (
        Some(title),
        Some(origin),
        Some(reference),
        Some(framework),
        Some(site),
        Some(owner),
        Some(priority),
        Some(due),
        Some(planned),
    ) = (
        title, origin, reference, framework, site, owner, priority, due, planned,
    )
    else {
        return Err(AppError::unexpected("validated action form incomplete"));
    };
    let id = new_id();
    let at = now();
    diesel::insert_into(actions::table)
        .values((
            actions::id.eq(&id),
            actions::organisation_id.eq(organisation_id),
            actions::requirement_ref.eq(reference.as_str()),
            actions::title.eq(title.as_str()),
            actions::correction.eq(""),
            actions::root_cause.eq(""),
            actions::corrective_action.eq(planned.as_str()),
            actions::owner.eq(""),
            actions::due_date.eq(due),
            actions::status.eq(ActionStatus::Open.as_str()),
            actions::created_at.eq(at),
            actions::updated_at.eq(at),
            actions::version.eq(1),
            actions::origin.eq(origin.as_str()),
            actions::framework_id.eq(framework),
            actions::site_id.eq(site),
            actions::owner_id.eq(owner),
            actions::priority.eq(priority.as_str()),
        ))
        .execute(conn)?;
    let created = get(conn, &id)?;
    history::record(
        conn,
        actor,
        &Change {
            entity: "action",
            entity_id: &id,
            organisation_id: Some(organisation_id),
            action: "create",
            before: None,
            after: Some(&created),
        },
    )?;
    Ok(created)
}

/// Saves the action and a dated progress update; judging effectiveness is an auditor's act.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    before: &Action,
    form: &ActionForm,
    is_auditor: bool,
) -> Result<Action, AppError> {
    let choices = Choices::of(conn, &before.organisation_id)?;
    let mut errors = FieldErrors::new();
    let correction = errors.check("correction", BoundedText::optional(&form.correction, 4000));
    let root_cause = errors.check("root_cause", BoundedText::optional(&form.root_cause, 4000));
    let corrective = errors.check(
        "corrective_action",
        BoundedText::optional(&form.corrective_action, 4000),
    );
    let owner = errors.check("owner_id", Choices::pick(&form.owner_id, &choices.owners));
    let site = errors.check("site_id", Choices::pick(&form.site_id, &choices.sites));
    if matches!(site, Some(None)) && before.origin().needs_site() {
        errors.add("site_id", Invalid::new("err-action-local-site"));
    }
    let priority = errors.check(
        "priority",
        if form.priority.trim().is_empty() {
            Ok(before.priority())
        } else {
            Priority::parse(&form.priority)
        },
    );
    let due = errors.check("due_date", parse_date(&form.due_date));
    let status = errors.check("status", ActionStatus::parse(&form.status));
    let note = errors.check("note", BoundedText::optional(&form.note, 2000));
    if let Some(status) = status
        && status.needs_auditor()
        && !is_auditor
        && status != before.status()
    {
        errors.add("status", Invalid::new("err-action-auditor-only"));
    }
    let version = super::organisation::require_version(form.version)?;
    errors.into_result()?;
    let (
        Some(correction),
        Some(root_cause),
        Some(corrective),
        Some(owner),
        Some(site),
        Some(priority),
        Some(due),
        Some(status),
        Some(note),
    ) = (
        correction, root_cause, corrective, owner, site, priority, due, status, note,
    )
    else {
        return Err(AppError::unexpected("validated action form incomplete"));
    };
    let changed = diesel::update(actions::table.find(&before.id))
        .filter(actions::version.eq(version))
        .set((
            actions::correction.eq(correction.as_str()),
            actions::root_cause.eq(root_cause.as_str()),
            actions::corrective_action.eq(corrective.as_str()),
            actions::owner_id.eq(owner),
            actions::site_id.eq(site),
            actions::priority.eq(priority.as_str()),
            actions::due_date.eq(due),
            actions::status.eq(status.as_str()),
            actions::updated_at.eq(now()),
            actions::version.eq(version + 1),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Err(AppError::Conflict);
    }
    diesel::insert_into(action_updates::table)
        .values((
            action_updates::id.eq(new_id()),
            action_updates::action_id.eq(&before.id),
            action_updates::at.eq(now()),
            action_updates::author_label.eq(&actor.label),
            action_updates::status.eq(status.as_str()),
            action_updates::note.eq(note.as_str()),
        ))
        .execute(conn)?;
    let after = get(conn, &before.id)?;
    history::record(
        conn,
        actor,
        &Change {
            entity: "action",
            entity_id: &before.id,
            organisation_id: Some(&before.organisation_id),
            action: "update",
            before: Some(before),
            after: Some(&after),
        },
    )?;
    Ok(after)
}

/// An open action past its due date and the account that owns it.
pub struct Overdue {
    pub action: Action,
    pub email: String,
    pub name: String,
    pub locale: Option<String>,
}

/// Open actions past their due date owned by an enabled account, the oldest first: what
/// the daily digest reminds each owner of.
pub fn overdue_by_owner(
    conn: &mut DbConnection,
    today: NaiveDate,
) -> Result<Vec<Overdue>, AppError> {
    type Row = (Action, (String, String, Option<String>));
    let rows: Vec<Row> = actions::table
        .inner_join(users::table.on(users::id.nullable().eq(actions::owner_id)))
        .filter(users::disabled.eq(false))
        .filter(actions::due_date.lt(today))
        .filter(
            actions::status.eq_any(
                ActionStatus::ALL
                    .iter()
                    .filter(|s| s.is_open())
                    .map(|s| s.as_str()),
            ),
        )
        .order(actions::due_date.asc())
        .select((
            Action::as_select(),
            (users::email, users::name, users::locale),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(action, (email, name, locale))| Overdue {
            action,
            email,
            name,
            locale,
        })
        .collect())
}
