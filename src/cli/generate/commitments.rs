//! An organisme's commitments: each one's story played on its framework's cycle, written
//! as the commitment (in the story's last state), its events (the creation, every move with
//! its author and reason, every audit held) and its audits with their team and sites.

use chrono::{Datelike, Duration, NaiveDate};
use rand::Rng;
use rand::rngs::StdRng;

use super::catalog::Info;
use super::context::{Auditor, BODIES, Env, Org};
use super::plan::Scheme;
use super::rows::{
    AuditRow, AuditSiteRow, Batch, CommitmentRow, CommitmentSiteRow, EventRow, TeamRow,
};
use super::stamp::{at_hour, chance, days, during, pick, uuid_at};
use super::story::{Script, Story, StoryAudit, play};
use crate::domain::audit::AuditState;
use crate::domain::commitment::CommitmentState;

/// An audit written, for its findings and actions.
pub struct Written<'a> {
    pub id: String,
    pub audit: StoryAudit,
    pub framework: &'a Info,
    /// Who signs the findings: the lead auditor, or the quality manager for an internal review
    pub author: String,
    pub site_ids: Vec<String>,
    /// When the next audit of the same commitment ended, if it has
    pub next_held: Option<NaiveDate>,
}

/// The auditors of the body that follows this scheme (any, if the pool has none of them).
fn auditors_for<'a>(pool: &'a [Auditor], scheme: Scheme, rng: &mut StdRng) -> Vec<&'a Auditor> {
    let bodies: &[usize] = match scheme {
        Scheme::QualiHlm => &[0],
        Scheme::Qualibail => &[1],
        Scheme::Iso9001 => &[1, 2, 3],
        Scheme::Charter => &[],
    };
    if bodies.is_empty() {
        return Vec::new();
    }
    let mut found: Vec<&Auditor> = pool.iter().filter(|a| bodies.contains(&a.body)).collect();
    if found.is_empty() {
        found = pool.iter().collect();
    }
    if found.is_empty() {
        return found;
    }
    let lead = *pick(rng, &found);
    let mut team = vec![lead];
    let others: Vec<&Auditor> = found.iter().copied().filter(|a| a.id != lead.id).collect();
    if !others.is_empty() && chance(rng, 0.5) {
        team.push(*pick(rng, &others));
    }
    team
}

fn certificate(rng: &mut StdRng, scheme: Scheme, granted: NaiveDate) -> String {
    let year = granted.year();
    match scheme {
        Scheme::QualiHlm => format!("QH-{year}-{:03}", rng.random_range(1..1000)),
        Scheme::Qualibail => format!("QB-{year}-{:04}", rng.random_range(1..10_000)),
        Scheme::Iso9001 => format!("FR{:06}-{year}", rng.random_range(1..1_000_000)),
        Scheme::Charter => String::new(),
    }
}

/// Plays and writes one commitment; answers its audits for the findings.
pub fn write<'a>(
    env: &Env<'_>,
    rng: &mut StdRng,
    org: &Org<'_>,
    (scheme, framework): (Scheme, &'a Info),
    script: Script,
    batch: &mut Batch,
) -> (Story, Vec<Written<'a>>) {
    let story = play(&framework.plan, org.zone, script, env.as_of, rng);
    let team = auditors_for(env.auditors, scheme, rng);
    let lead = team.first().copied();
    let created = during(rng, script.start);
    let id = uuid_at(rng, created);
    let granted = story
        .events
        .iter()
        .find(|e| e.to_state.as_deref() == Some(CommitmentState::Granted.as_str()))
        .map(|e| e.event_date);
    let (manager_id, manager) = &org.manager;
    let mut updated = created;
    for (n, event) in story.events.iter().enumerate() {
        // Same-day events keep their order: a minute apart from nine o'clock.
        let at = (at_hour(event.event_date, 9) + Duration::minutes(i64::try_from(n).unwrap_or(0)))
            .max(created + Duration::seconds(i64::try_from(n).unwrap_or(0)));
        updated = updated.max(at);
        // Audits held and the decisions they bring ("<audit> — <decision>") are the auditor's.
        let by_auditor = event.kind == "audit" || event.reason.contains(" — ");
        let (author_id, author) = match lead {
            Some(a) if by_auditor => (Some(a.id.clone()), a.name.clone()),
            _ => (Some(manager_id.clone()), manager.clone()),
        };
        batch.events.push(EventRow {
            id: uuid_at(rng, at),
            commitment_id: id.clone(),
            kind: event.kind.clone(),
            event_date: event.event_date,
            from_state: event.from_state.clone(),
            to_state: event.to_state.clone(),
            step_code: event.step_code.clone(),
            reason: event.reason.clone(),
            author_id,
            author_label: author,
            created_at: at,
        });
    }
    let residences: Vec<&str> = org.residences().map(|s| s.id.as_str()).collect();
    let partial = scheme == Scheme::Qualibail && residences.len() > 4 && chance(rng, 0.3);
    if partial {
        batch.commitment_sites.push(CommitmentSiteRow {
            commitment_id: id.clone(),
            site_id: org.sites[0].id.clone(),
        });
        for site in residences.iter().step_by(2) {
            batch.commitment_sites.push(CommitmentSiteRow {
                commitment_id: id.clone(),
                site_id: (*site).to_owned(),
            });
        }
    }
    batch.commitments.push(CommitmentRow {
        id: id.clone(),
        organisation_id: org.id.clone(),
        framework_id: framework.id.clone(),
        state: story.state.as_str().to_owned(),
        all_sites: !partial,
        body: match scheme {
            Scheme::Charter => String::new(),
            Scheme::QualiHlm => BODIES[0].to_owned(),
            _ => lead.map_or(BODIES[1], |a| BODIES[a.body]).to_owned(),
        },
        certificate_number: granted
            .map(|g| certificate(rng, scheme, g))
            .unwrap_or_default(),
        auditor_id: lead.map(|a| a.id.clone()),
        start_date: script.start,
        notes: String::new(),
        created_at: created,
        updated_at: updated,
        version: i32::try_from(story.events.len()).unwrap_or(1),
    });
    let mut written = Vec::new();
    let ends: Vec<NaiveDate> = story
        .audits
        .iter()
        .filter(|a| a.end <= env.as_of && a.state != AuditState::OnSite)
        .map(|a| a.end)
        .collect();
    for audit in &story.audits {
        let audit_id = audit_rows(env, rng, org, (&id, framework), audit, &team, batch);
        let next_held = ends.iter().copied().filter(|e| *e > audit.end).min();
        let author = match lead {
            Some(a) => a.name.clone(),
            None => manager.clone(),
        };
        let site_ids = batch
            .audit_sites
            .iter()
            .filter(|s| s.audit_id == audit_id)
            .map(|s| s.site_id.clone())
            .collect();
        written.push(Written {
            id: audit_id,
            audit: audit.clone(),
            framework,
            author,
            site_ids,
            next_held,
        });
    }
    (story, written)
}

/// Rank of a state on the audit's path: how many times the row changed.
fn moves(state: AuditState) -> i32 {
    match state {
        AuditState::Planned => 1,
        AuditState::Preparation => 2,
        AuditState::OnSite => 3,
        AuditState::Drafted => 4,
        AuditState::Submitted => 5,
        AuditState::Decided => 6,
        AuditState::Closed => 7,
    }
}

fn audit_rows(
    env: &Env<'_>,
    rng: &mut StdRng,
    org: &Org<'_>,
    (commitment_id, framework): (&str, &Info),
    audit: &StoryAudit,
    team: &[&Auditor],
    batch: &mut Batch,
) -> String {
    let planned = (audit.start - days(rng, 45, 90))
        .min(env.as_of)
        .max(org.created.date());
    let created = during(rng, planned);
    let id = uuid_at(rng, created);
    let last_day = audit
        .decision
        .map_or(audit.end, |(_, on)| on)
        .min(env.as_of)
        .max(planned);
    let updated = if audit.state == AuditState::Planned {
        created
    } else {
        during(rng, last_day).max(created)
    };
    batch.audits.push(AuditRow {
        id: id.clone(),
        commitment_id: commitment_id.to_owned(),
        organisation_id: org.id.clone(),
        framework_id: framework.id.clone(),
        step_code: Some(audit.step_code.clone()),
        kind: audit.kind.clone(),
        title: audit.title.clone(),
        start_date: audit.start,
        end_date: audit.end,
        state: audit.state.as_str().to_owned(),
        lead_auditor_id: team.first().map(|a| a.id.clone()),
        decision: audit.decision.map(|(d, _)| d.as_str().to_owned()),
        decision_date: audit.decision.map(|(_, on)| on),
        created_at: created,
        updated_at: updated,
        version: moves(audit.state),
    });
    // The lead is named on the audit; the team lists who audits beside them.
    for member in team.iter().skip(1) {
        batch.team.push(TeamRow {
            audit_id: id.clone(),
            user_id: member.id.clone(),
        });
    }
    // The head office and a few residences.
    let residences: Vec<&str> = org.residences().map(|s| s.id.as_str()).collect();
    let mut visited = vec![org.sites[0].id.as_str()];
    for _ in 0..rng.random_range(1..=3) {
        let site = *pick(rng, &residences);
        if !visited.contains(&site) {
            visited.push(site);
        }
    }
    for site in visited {
        batch.audit_sites.push(AuditSiteRow {
            audit_id: id.clone(),
            site_id: site.to_owned(),
        });
    }
    id
}
