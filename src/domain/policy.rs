//! The roles table of DESIGN.md as code: every rule of who may do what, as a named function
//! of the actor and the resource. Pages, API, CLI and services ask here and decide nothing
//! themselves; `tests` below checks each function against the table, cell by cell.
//!
//! Visibility comes first and is not decided here case by case: finders take the actor's
//! `scope`, so what lies outside it is not found at all (404). These rules then decide, among
//! what the actor sees, what they may read in full and what they may change.

use crate::domain::Role;
use crate::domain::actor::{CurrentUser, OrgScope};

/// A record that belongs to one organisme.
pub trait Owned {
    fn organisation_id(&self) -> &str;
}

/// A commitment, as far as the rules care: its organisme and the auditor assigned to it.
pub trait Assigned: Owned {
    fn auditor_id(&self) -> Option<&str>;
}

/// An audit, as far as the rules care: its organisme and its lead auditor (the team is read
/// beside it).
pub trait Conducted: Owned {
    fn lead_auditor_id(&self) -> Option<&str>;
}

fn is(actor: &CurrentUser, roles: &[Role]) -> bool {
    roles.contains(&actor.role)
}

fn own(actor: &CurrentUser, organisation_id: &str) -> bool {
    actor.organisation_id.as_deref() == Some(organisation_id)
}

// ---- Organismes and sites ---------------------------------------------------------------

/// The organismes an actor sees: all for administrators and national federation staff, a
/// region for regional staff, their own for its people, those of their audits for auditors.
pub fn scope(actor: &CurrentUser) -> OrgScope {
    match actor.role {
        Role::Admin => OrgScope::All,
        Role::Federation => match &actor.region {
            Some(region) => OrgScope::Region(region.clone()),
            None => OrgScope::All,
        },
        Role::QualityManager | Role::Observer => {
            OrgScope::One(actor.organisation_id.clone().unwrap_or_default())
        }
        Role::Auditor => OrgScope::AssignedAuditor(actor.id.clone()),
    }
}

/// Whether the actor's home is one organisme's page rather than a list of organismes.
pub fn lives_in_one_organisation(actor: &CurrentUser) -> Option<&str> {
    match actor.role {
        Role::QualityManager | Role::Observer => actor.organisation_id.as_deref(),
        _ => None,
    }
}

/// Creating an organisme is an administrator's act.
pub fn may_create_organisation(actor: &CurrentUser) -> bool {
    is(actor, &[Role::Admin])
}

/// Changing an organisme and what is its own (sites, commitments, charter, indicator values
/// and targets, surveys, documents): administrators, and its own quality manager.
pub fn may_edit_organisation(actor: &CurrentUser, organisation_id: &str) -> bool {
    match actor.role {
        Role::Admin => true,
        Role::QualityManager => own(actor, organisation_id),
        Role::Federation | Role::Auditor | Role::Observer => false,
    }
}

/// `may_edit_organisation` for a record of an organisme.
pub fn may_edit(actor: &CurrentUser, record: &impl Owned) -> bool {
    may_edit_organisation(actor, record.organisation_id())
}

/// Observers read commitments, published results and audit outcomes; never the working
/// documents: evidence files, findings, comparisons, reports, the action plan, the history.
pub fn sees_working_documents(actor: &CurrentUser) -> bool {
    !is(actor, &[Role::Observer])
}

/// Quality managers' home says whether their organisme is ready for its next audit.
pub fn prepares_audits(actor: &CurrentUser) -> bool {
    is(actor, &[Role::QualityManager])
}

/// Observers land on the organisme's published view: what it promises, its results and
/// its audits' outcomes, in plain words.
pub fn lands_on_published_view(actor: &CurrentUser) -> bool {
    is(actor, &[Role::Observer])
}

/// The change history of an organisme the actor sees.
pub fn reads_history(actor: &CurrentUser) -> bool {
    sees_working_documents(actor)
}

// ---- Administration ---------------------------------------------------------------------

/// Accounts, the history of every organisme: administrators only.
pub fn may_administer(actor: &CurrentUser) -> bool {
    is(actor, &[Role::Admin])
}

/// Accounts whose role must have a second factor whatever the administrators chose:
/// administrators themselves (they can change everything, accounts included).
pub fn always_needs_second_factor(role: Role) -> bool {
    role == Role::Admin
}

// ---- Frameworks -------------------------------------------------------------------------

/// Importing a framework version: administrators and federation staff.
pub fn may_import_frameworks(actor: &CurrentUser) -> bool {
    is(actor, &[Role::Admin, Role::Federation])
}

/// An organisme's own charter: whoever edits the organisme; shared frameworks are imported,
/// never edited in place.
pub fn may_edit_charter(actor: &CurrentUser, owner: Option<&str>) -> bool {
    owner.is_some_and(|id| may_edit_organisation(actor, id))
}

// ---- Commitments and audits -------------------------------------------------------------

/// Planning an audit of a commitment: whoever edits the organisme, and the auditor assigned
/// to the commitment.
pub fn may_plan_audit(actor: &CurrentUser, commitment: &impl Assigned) -> bool {
    may_edit(actor, commitment) || commitment.auditor_id() == Some(actor.id.as_str())
}

/// Running an audit (its states, findings and decision): administrators, and auditors who
/// lead it or are on its team.
pub fn may_record_findings(actor: &CurrentUser, audit: &impl Conducted, team: &[String]) -> bool {
    match actor.role {
        Role::Admin => true,
        Role::Auditor => {
            audit.lead_auditor_id() == Some(actor.id.as_str()) || team.contains(&actor.id)
        }
        Role::Federation | Role::QualityManager | Role::Observer => false,
    }
}

/// The organisme's self-assessment of an audit: administrators and its own quality manager.
pub fn may_self_assess(actor: &CurrentUser, audit: &impl Owned) -> bool {
    match actor.role {
        Role::Admin => true,
        Role::QualityManager => own(actor, audit.organisation_id()),
        Role::Federation | Role::Auditor | Role::Observer => false,
    }
}

/// Whether an auditor's view is narrowed to their own audits (citing documents, home page).
pub fn sees_only_own_audits(actor: &CurrentUser) -> bool {
    is(actor, &[Role::Auditor])
}

// ---- Evidence ---------------------------------------------------------------------------

/// Adding documents to an organisme's library: whoever edits it, and the auditors it is
/// visible to, who bring the proof they gather on site. Changing the organisme's documents
/// stays with its own people (`may_edit_organisation`).
pub fn may_add_evidence(actor: &CurrentUser, organisation_id: &str) -> bool {
    may_edit_organisation(actor, organisation_id) || is(actor, &[Role::Auditor])
}

// ---- Actions ----------------------------------------------------------------------------

/// Updating an action of the plan: the organisme's people who edit it, and auditors (who
/// follow up on what their findings opened).
pub fn may_update_action(actor: &CurrentUser, action: &impl Owned) -> bool {
    may_edit(actor, action) || is(actor, &[Role::Auditor])
}

/// Recording an action of the organisme's own (cross-cutting, local, after a survey or
/// complaints): whoever edits the organisme.
pub fn may_create_action(actor: &CurrentUser, organisation_id: &str) -> bool {
    may_edit_organisation(actor, organisation_id)
}

/// Judging an action effective, or not, before it is closed: auditors and administrators.
pub fn may_judge_effectiveness(actor: &CurrentUser) -> bool {
    is(actor, &[Role::Auditor, Role::Admin])
}

// ---- Federation views -------------------------------------------------------------------

/// The rollout dashboard, renewals, benchmarks and filtering by auditor: administrators and
/// federation staff.
pub fn sees_federation_views(actor: &CurrentUser) -> bool {
    is(actor, &[Role::Admin, Role::Federation])
}

/// Whether the actor's home page is the rollout dashboard.
pub fn lands_on_rollout(actor: &CurrentUser) -> bool {
    is(actor, &[Role::Federation])
}

#[cfg(test)]
mod tests;
