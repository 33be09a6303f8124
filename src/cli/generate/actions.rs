//! The action plan of a submitted report: one action per nonconformity, due by the grade's
//! response deadline, carried out as time went by (in progress, done, then judged effective
//! at the next audit).

use chrono::{Duration, NaiveDate};
use rand::rngs::StdRng;

use super::commitments::Written;
use super::context::Org;
use super::rows::{ActionRow, ActionUpdateRow, Batch};
use super::stamp::{at_hour, chance, days, pick, uuid_at, weighted};
use crate::domain::calendar::add_working_days;
use crate::models::framework::GradeRow;

const OWNERS: [&str; 4] = [
    "Responsable qualité",
    "Directeur de la proximité",
    "Responsable d’agence",
    "Responsable de la gestion locative",
];

const PLANNED: &str = "Plan d’actions validé en comité qualité.";
const DONE: &str = "Actions réalisées, preuves jointes au dossier.";

/// What became of an action opened on `opened`, due on `due`: its status changes, each with
/// its day and note, up to the as-of date — judged effective at the next audit held after it
/// was done, done or under way when its deadline passed, begun or not before it.
fn progress(
    rng: &mut StdRng,
    next_held: Option<NaiveDate>,
    (opened, due): (NaiveDate, NaiveDate),
    as_of: NaiveDate,
) -> Vec<(&'static str, NaiveDate, &'static str)> {
    let start_work = (opened + days(rng, 7, 30)).min(due);
    let done_on = (due - days(rng, 0, 20)).max(start_work);
    let mut updates = Vec::new();
    match next_held {
        Some(next) if next > done_on && chance(rng, 0.85) => {
            updates.push(("in_progress", start_work, PLANNED));
            updates.push(("done", done_on, DONE));
            updates.push((
                "effective",
                next,
                "Efficacité vérifiée lors de l’audit suivant.",
            ));
        }
        _ if as_of > due => match weighted(rng, &[0.6, 0.3, 0.1]) {
            0 => {
                updates.push(("in_progress", start_work, PLANNED));
                updates.push(("done", done_on, DONE));
            }
            1 => updates.push(("in_progress", start_work, PLANNED)),
            _ => {}
        },
        _ if chance(rng, 0.5) => {
            updates.push((
                "in_progress",
                start_work,
                "Correction engagée, analyse des causes en cours.",
            ));
        }
        _ => {}
    }
    updates.retain(|(_, on, _)| *on <= as_of);
    updates
}

/// One action per nonconformity, opened when the report was submitted and carried out since.
pub fn action(
    rng: &mut StdRng,
    org: &Org<'_>,
    as_of: NaiveDate,
    written: &Written<'_>,
    (finding_id, reference, text): (&str, &str, &str),
    grade: &GradeRow,
    batch: &mut Batch,
) {
    let audit = &written.audit;
    let response = i64::from(grade.response_days.unwrap_or(90));
    let due = if grade.response_unit.as_deref() == Some("working") {
        add_working_days(audit.end, u32::try_from(response).unwrap_or(90), org.zone)
    } else {
        audit.end + Duration::days(response)
    };
    let opened = at_hour((audit.end + days(rng, 3, 12)).min(as_of), 11);
    let id = uuid_at(rng, opened);
    let updates = progress(rng, written.next_held, (opened.date(), due), as_of);
    let status = updates.last().map_or("open", |(s, _, _)| *s);
    let mut last_change = opened;
    for (n, (state, on, note)) in updates.iter().enumerate() {
        let at = (at_hour(*on, 14) + Duration::minutes(i64::try_from(n).unwrap_or(0)))
            .max(last_change + Duration::seconds(1));
        last_change = at;
        let author = if *state == "effective" {
            written.author.clone()
        } else {
            org.manager.1.clone()
        };
        batch.action_updates.push(ActionUpdateRow {
            id: uuid_at(rng, at),
            action_id: id.clone(),
            at,
            author_label: author,
            status: (*state).to_owned(),
            note: (*note).to_owned(),
        });
    }
    let summary: String = text.chars().take(120).collect();
    let worked = status != "open";
    let filled = |s: &str| if worked { s.to_owned() } else { String::new() };
    batch.actions.push(ActionRow {
        id,
        organisation_id: org.id.clone(),
        audit_id: Some(written.id.clone()),
        finding_id: Some(finding_id.to_owned()),
        requirement_ref: reference.to_owned(),
        title: format!("{reference} — {} : {summary}", grade.label),
        correction: filled("Correction immédiate sur les dossiers concernés."),
        root_cause: filled("Procédure mal connue des nouveaux collaborateurs des agences."),
        corrective_action: filled(
            "Mise à jour de la procédure, formation des équipes, contrôle trimestriel.",
        ),
        owner: if worked {
            pick(rng, &OWNERS).to_string()
        } else {
            String::new()
        },
        due_date: due,
        status: status.to_owned(),
        created_at: opened,
        updated_at: last_change,
        version: 1 + i32::try_from(updates.len()).unwrap_or(0),
        origin: "finding".to_owned(),
        framework_id: Some(written.framework.id.clone()),
        site_id: None,
        owner_id: None,
        priority: if grade.blocks_decision {
            "high"
        } else {
            "normal"
        }
        .to_owned(),
    });
}
