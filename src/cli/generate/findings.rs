//! What audits found: a finding on every requirement of the audited framework version once
//! the report is drafted (part of them while the auditors are on site), graded with the
//! framework's own grades — mostly conform, some minor and a few major nonconformities,
//! fewer for an organisme that does well — the organisme's self-assessment beside them, and
//! an action for each nonconformity of a submitted report, carried out as time went by.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use rand::Rng;
use rand::rngs::StdRng;

use super::commitments::Written;
use super::context::Org;
use super::rows::{Batch, FindingRow};
use super::stamp::{at_hour, chance, pick, uuid_at, weighted};
use crate::domain::audit::{AuditState, Decision};
use crate::models::finding::id_list;
use crate::models::framework::GradeRow;

const STRENGTHS: [&str; 4] = [
    "Démarche exemplaire, construite avec les représentants des locataires.",
    "Tableau de bord suivi chaque mois en comité de direction, résultats affichés en agence.",
    "Procédure claire, connue et appliquée par les équipes de proximité rencontrées.",
    "Enquête auprès des nouveaux entrants exploitée et suivie d’actions.",
];
const CONFORM: [&str; 5] = [
    "Exigence satisfaite ; preuves examinées sur un échantillon de {n} dossiers.",
    "Dispositif en place et appliqué ; enregistrements consultés sur la période.",
    "Conforme : procédure à jour, enregistrements complets.",
    "Engagement tenu sur les sites visités ; résultats suivis.",
    "Pratique conforme, vérifiée par entretien et sur {n} enregistrements.",
];
const PROGRESS: [&str; 4] = [
    "Formaliser le suivi des délais dans le tableau de bord qualité.",
    "Étendre l’affichage des engagements aux halls de toutes les résidences.",
    "Partager les résultats des contrôles avec les prestataires chaque trimestre.",
    "Associer davantage le conseil de concertation locative au bilan annuel.",
];
const SENSITIVE: [&str; 4] = [
    "Traçabilité incomplète sur une partie des dossiers examinés ({n} sur 20).",
    "Enregistrements non datés pour plusieurs interventions.",
    "Procédure appliquée inégalement d’une agence à l’autre.",
    "Indicateur calculé sans définition écrite du numérateur.",
];
const NONCONFORMITIES: [&str; 6] = [
    "Délais de réponse aux réclamations non tenus pour {n} dossiers sur 20.",
    "Affichage des engagements absent dans les halls visités.",
    "Contrôle des prestataires de nettoyage non réalisé depuis plus d’un an.",
    "Visites de courtoisie non tracées pour les nouveaux entrants de l’année.",
    "Procédure d’astreinte non mise à jour après la réorganisation des agences.",
    "Comptes rendus du conseil de concertation locative non diffusés aux locataires.",
];
const SEEN: [&str; 6] = [
    "Procédure et registre des réclamations",
    "Échantillon de 20 dossiers de demande de logement",
    "Tableau de bord qualité et comptes rendus de comité",
    "Fiches de contrôle de la propreté des parties communes",
    "Comptes rendus de visites de courtoisie",
    "Contrats et évaluations des prestataires",
];
const SELF_COMMENTS: [&str; 4] = [
    "Procédure en place, à actualiser cette année.",
    "Suivi mensuel en comité qualité.",
    "Dispositif nouveau, premiers résultats en cours d’analyse.",
    "",
];
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Strength,
    Conform,
    Progress,
    Sensitive,
    Minor,
    Major,
}

fn draw(rng: &mut StdRng, quality: f64) -> Class {
    let worse = (-0.5 * quality).exp();
    let weights = [
        0.05 * (0.3 * quality).exp(),
        0.78,
        0.09,
        0.05 * worse,
        0.03 * worse,
        0.005 * worse,
    ];
    [
        Class::Strength,
        Class::Conform,
        Class::Progress,
        Class::Sensitive,
        Class::Minor,
        Class::Major,
    ][weighted(rng, &weights)]
}

/// The framework's grade for a class (the nearest there is).
fn grade<'a>(rng: &mut StdRng, grades: &'a [GradeRow], class: Class) -> &'a GradeRow {
    let conform = grades
        .iter()
        .filter(|g| g.severity == 0)
        .nth(1)
        .unwrap_or(&grades[0]);
    let found: Vec<&GradeRow> = match class {
        Class::Strength => grades.iter().take(1).filter(|g| g.severity == 0).collect(),
        Class::Conform => vec![conform],
        Class::Progress => grades.iter().filter(|g| g.severity == 1).collect(),
        Class::Sensitive => grades.iter().filter(|g| g.severity == 2).collect(),
        Class::Minor => grades
            .iter()
            .filter(|g| g.nonconformity && !g.blocks_decision)
            .collect(),
        Class::Major => grades.iter().filter(|g| g.blocks_decision).collect(),
    };
    if found.is_empty() {
        conform
    } else {
        found[rng.random_range(0..found.len())]
    }
}

fn text(rng: &mut StdRng, class: Class) -> String {
    let template = match class {
        Class::Strength => pick(rng, &STRENGTHS),
        Class::Conform => pick(rng, &CONFORM),
        Class::Progress => pick(rng, &PROGRESS),
        Class::Sensitive => pick(rng, &SENSITIVE),
        Class::Minor | Class::Major => pick(rng, &NONCONFORMITIES),
    };
    template.replace("{n}", &rng.random_range(3..=20).to_string())
}

/// The grades of an audit, requirement by requirement (engagements take the worst of their
/// sub-commitments, softened), consistent with its decision.
fn classes(rng: &mut StdRng, written: &Written<'_>, quality: f64) -> Vec<Class> {
    let requirements = &written.framework.requirements;
    let decision = written.audit.decision.map(|(d, _)| d);
    let mut out: Vec<Class> = requirements
        .iter()
        .map(|r| {
            if r.has_children {
                Class::Conform
            } else {
                draw(rng, quality)
            }
        })
        .collect();
    let blocking = matches!(decision, Some(Decision::Suspended | Decision::Refused));
    if blocking {
        let leaves: Vec<usize> = (0..out.len())
            .filter(|i| !requirements[*i].has_children)
            .collect();
        out[*pick(rng, &leaves)] = Class::Major;
    } else {
        for c in &mut out {
            if *c == Class::Major && decision.is_some() {
                *c = Class::Minor;
            }
        }
    }
    for (i, r) in requirements.iter().enumerate() {
        let nc_below = requirements.iter().zip(&out).any(|(child, c)| {
            child.parent.as_deref() == Some(r.reference.as_str())
                && matches!(c, Class::Minor | Class::Major)
        });
        if r.has_children && nc_below {
            out[i] = Class::Sensitive;
        }
    }
    out
}

/// One audit's findings as they are written.
struct Sheet<'w, 'a> {
    written: &'w Written<'a>,
    /// The first requirements graded (all, once the report is drafted)
    graded: usize,
    self_assessed: bool,
    classes: Vec<Class>,
    /// The organisme's documents that existed when the audit began
    documents: Vec<String>,
    self_day: NaiveDate,
}

fn sheet<'w, 'a>(
    rng: &mut StdRng,
    org: &Org<'_>,
    as_of: NaiveDate,
    written: &'w Written<'a>,
) -> Option<Sheet<'w, 'a>> {
    let audit = &written.audit;
    let share = match audit.state {
        AuditState::Planned => return None,
        AuditState::Preparation => 0.0,
        AuditState::OnSite => rng.random_range(0.3..0.7),
        _ => 1.0,
    };
    #[expect(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a share of a list"
    )]
    let graded = (written.framework.requirements.len() as f64 * share).ceil() as usize;
    Some(Sheet {
        written,
        graded,
        self_assessed: audit.state == AuditState::Preparation || chance(rng, 0.5),
        classes: classes(rng, written, org.plan.quality),
        documents: org
            .evidence
            .iter()
            .filter(|(_, from)| *from <= audit.start)
            .map(|(id, _)| id.clone())
            .collect(),
        self_day: (audit.start - Duration::days(7))
            .max(org.created.date())
            .min(as_of),
    })
}

/// One document of the list, sometimes (`p`), none otherwise.
fn maybe_cite(rng: &mut StdRng, documents: &[String], p: f64) -> Vec<String> {
    if !documents.is_empty() && chance(rng, p) {
        vec![pick(rng, documents).clone()]
    } else {
        Vec::new()
    }
}

/// The row of the `i`-th requirement: graded, self-assessed, both, or none (`None`).
fn finding(rng: &mut StdRng, org: &Org<'_>, sheet: &Sheet<'_, '_>, i: usize) -> Option<FindingRow> {
    let written = sheet.written;
    let audit = &written.audit;
    let is_graded = i < sheet.graded;
    let self_level = (sheet.self_assessed
        && (audit.state != AuditState::Preparation || chance(rng, 0.6)))
    .then(|| {
        ["met", "partial", "not_met", "not_applicable"][weighted(rng, &[0.75, 0.18, 0.04, 0.03])]
    });
    if !is_graded && self_level.is_none() {
        return None;
    }
    let offset = Duration::seconds(i64::try_from(i).unwrap_or(0) * 30);
    let day = match (is_graded, audit.state) {
        (false, _) => sheet.self_day,
        (true, AuditState::OnSite) => audit.start,
        (true, _) => audit.end,
    };
    let at: NaiveDateTime = at_hour(day, 10) + offset;
    let class = sheet.classes[i];
    let chosen = is_graded.then(|| grade(rng, &written.framework.grades, class));
    let flagged = matches!(class, Class::Sensitive | Class::Minor | Class::Major);
    let site_ids: Vec<String> = if is_graded && flagged && !written.site_ids.is_empty() {
        vec![pick(rng, &written.site_ids).clone()]
    } else {
        Vec::new()
    };
    let cited = if is_graded && class == Class::Conform {
        maybe_cite(rng, &sheet.documents, 0.12)
    } else {
        Vec::new()
    };
    let self_cited = if self_level.is_some() {
        maybe_cite(rng, &sheet.documents, 0.1)
    } else {
        Vec::new()
    };
    Some(FindingRow {
        id: uuid_at(rng, at),
        audit_id: written.id.clone(),
        requirement_ref: written.framework.requirements[i].reference.clone(),
        grade_code: chosen.map(|g| g.code.clone()),
        finding: if is_graded {
            text(rng, class)
        } else {
            String::new()
        },
        evidence_seen: if is_graded {
            pick(rng, &SEEN).to_string()
        } else {
            String::new()
        },
        site_ids: id_list::encode(&site_ids),
        self_level: self_level.map(str::to_owned),
        self_comment: self_level
            .map(|_| pick(rng, &SELF_COMMENTS).to_string())
            .unwrap_or_default(),
        evidence_ids: id_list::encode(&cited),
        self_evidence_ids: id_list::encode(&self_cited),
        updated_at: at,
        updated_by: if is_graded {
            written.author.clone()
        } else {
            org.manager.1.clone()
        },
        version: i32::from(is_graded) + i32::from(self_level.is_some()),
    })
}

/// Writes the findings of an organisme's audits, and the actions of submitted reports.
pub fn write(
    rng: &mut StdRng,
    org: &Org<'_>,
    as_of: NaiveDate,
    audits: &[Written<'_>],
    batch: &mut Batch,
) {
    for written in audits {
        let Some(sheet) = sheet(rng, org, as_of, written) else {
            continue;
        };
        let reported = matches!(
            written.audit.state,
            AuditState::Submitted | AuditState::Decided | AuditState::Closed
        );
        for i in 0..written.framework.requirements.len() {
            let Some(row) = finding(rng, org, &sheet, i) else {
                continue;
            };
            let nonconformity = written
                .framework
                .grades
                .iter()
                .find(|g| row.grade_code.as_deref() == Some(g.code.as_str()))
                .filter(|g| g.nonconformity);
            if let Some(g) = nonconformity.filter(|_| reported) {
                let about = (
                    row.id.as_str(),
                    row.requirement_ref.as_str(),
                    row.finding.as_str(),
                );
                super::actions::action(rng, org, as_of, written, about, g, batch);
            }
            batch.findings.push(row);
        }
    }
}
