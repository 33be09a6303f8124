//! An organisme's evidence library: a few real, small documents stored through the
//! application's storage (content-addressed: the procedure every organisme shares is stored
//! once), each linked to requirements of the frameworks the organisme follows.

use std::collections::HashSet;

use chrono::{Datelike, Duration, NaiveDate};
use rand::rngs::StdRng;

use super::context::{Files, Org};
use super::rows::{Batch, EvidenceFileRow, EvidenceRow, SupportRow};
use super::stamp::{days, during, pick, uuid_at};
use crate::reports::pdf::{Meta, Writer};

/// A small PDF made with the application's own writer; the same text gives the same bytes.
pub fn pdf(title: &str, paragraphs: &[&str], date: NaiveDate) -> Vec<u8> {
    let mut writer = Writer::new();
    writer.paragraph(title, 16.0, true);
    writer.space(8.0);
    for paragraph in paragraphs {
        writer.paragraph(paragraph, 10.0, false);
        writer.space(4.0);
    }
    let fingerprint =
        crate::auth::sha256_hex(format!("{title}\n{}", paragraphs.join("\n")).as_bytes());
    writer.finish(&Meta {
        title: title.to_owned(),
        author: "qualitrack".to_owned(),
        subject: title.to_owned(),
        date,
        fingerprint: fingerprint[..16].to_owned(),
        page_word: "Page".to_owned(),
        fingerprint_word: "Empreinte".to_owned(),
        language: "fr-FR".to_owned(),
    })
}

pub const PROCEDURE: [&str; 4] = [
    "1. Toute réclamation, écrite ou orale, est enregistrée le jour de sa réception dans le logiciel de gestion de la relation locataire, avec sa date, son objet et le site concerné.",
    "2. Un premier contact est pris avec le locataire sous 48 heures ouvrées : accusé de réception, nom de l’interlocuteur, délai prévisible de traitement.",
    "3. La réponse écrite intervient sous 10 jours ouvrés ; au-delà, le locataire est informé de l’avancement. Les réclamations techniques donnent lieu à un bon d’intervention.",
    "4. Le responsable d’agence contrôle chaque mois les réclamations non soldées ; le taux de réponse dans les délais est publié au tableau de bord qualité.",
];

pub const CLEANING_GRID: [&str; 3] = [
    "Grille de contrôle mensuel : hall, escaliers, paliers, ascenseur, locaux vide-ordures, abords. Chaque point est noté conforme ou non conforme, photo à l’appui.",
    "Le score de la résidence est la part des points conformes. Un score sous 80 % déclenche une relance du prestataire sous 48 heures et un contrôle contradictoire.",
    "Les résultats sont affichés dans le hall et présentés au conseil de concertation locative.",
];

fn charter_text(org: &Org<'_>, year: i32) -> String {
    format!(
        "Charte d’engagements qualité de service — {name}\n\n\
         Adoptée en {year} avec les représentants des locataires, elle engage {name} auprès \
         de ses {homes} logements :\n\
         1. Vous informer à chaque étape de votre demande de logement.\n\
         2. Vous répondre sous 48 heures et traiter vos réclamations sous 10 jours ouvrés.\n\
         3. Vous accueillir dans un logement propre et aux équipements en bon état.\n\
         4. Entretenir les parties communes et afficher le calendrier des interventions.\n\
         5. Rendre compte chaque année des résultats au conseil de concertation locative.\n",
        name = org.plan.name,
        homes = org.plan.homes,
    )
}

fn minutes_text(year: i32) -> String {
    format!(
        "Compte rendu du conseil de concertation locative — {year}\n\n\
         Ordre du jour : bilan annuel des engagements de qualité de service, résultats de \
         l’enquête de satisfaction, programme de travaux, contrôle des charges.\n\
         Les représentants des associations de locataires ont relevé les délais de traitement \
         des réclamations techniques ; un point d’étape est prévu au semestre suivant.\n"
    )
}

/// A document of the library, before it is written.
struct Document {
    title: String,
    site_id: Option<String>,
    effective: NaiveDate,
    valid_until: Option<NaiveDate>,
    file_name: String,
    bytes: Vec<u8>,
}

/// The organisme's charter and council minutes (its own), the complaints procedure and the
/// cleaning grid of a residence (the same files for every organisme).
fn documents(
    rng: &mut StdRng,
    org: &Org<'_>,
    as_of: NaiveDate,
    files: &mut Files,
) -> Vec<Document> {
    let earliest = org.created.date() + Duration::days(1);
    let effective = |rng: &mut StdRng, span: i64| (as_of - days(rng, 10, span)).max(earliest);
    let charter_day = effective(rng, 4 * 365);
    let procedure_day = effective(rng, 5 * 365);
    let minutes_day = effective(rng, 2 * 365);
    let grid_day = effective(rng, 2 * 365);
    let template_day = NaiveDate::from_ymd_opt(2024, 1, 15).unwrap_or(as_of);
    let residence = org.residences().next();
    vec![
        Document {
            title: "Charte d’engagements qualité de service".to_owned(),
            site_id: None,
            effective: charter_day,
            valid_until: Some(charter_day + Duration::days(3 * 365)),
            file_name: format!("charte-engagements-{}.txt", org.plan.slug),
            bytes: charter_text(org, charter_day.year()).into_bytes(),
        },
        Document {
            title: "Procédure de traitement des réclamations".to_owned(),
            site_id: None,
            effective: procedure_day,
            valid_until: None,
            file_name: "procedure-reclamations.pdf".to_owned(),
            bytes: files.template("procedure", || {
                pdf(
                    "Procédure de traitement des réclamations",
                    &PROCEDURE,
                    template_day,
                )
            }),
        },
        Document {
            title: format!(
                "Compte rendu du conseil de concertation locative {}",
                minutes_day.year()
            ),
            site_id: None,
            effective: minutes_day,
            valid_until: None,
            file_name: format!("cr-conseil-concertation-{}.txt", minutes_day.year()),
            bytes: minutes_text(minutes_day.year()).into_bytes(),
        },
        Document {
            title: format!(
                "Grille de contrôle propreté — {}",
                residence.map_or("", |r| r.name.as_str())
            ),
            site_id: residence.map(|r| r.id.clone()),
            effective: grid_day,
            valid_until: Some(grid_day + Duration::days(365)),
            file_name: "grille-controle-proprete.pdf".to_owned(),
            bytes: files.template("grid", || {
                pdf(
                    "Grille de contrôle de la propreté des parties communes",
                    &CLEANING_GRID,
                    template_day,
                )
            }),
        },
    ]
}

/// Writes the organisme's documents and keeps their files; fills `org.evidence`.
pub fn write(
    rng: &mut StdRng,
    org: &mut Org<'_>,
    as_of: NaiveDate,
    files: &mut Files,
    batch: &mut Batch,
) -> std::io::Result<()> {
    let manager = org.manager.1.clone();
    for document in documents(rng, org, as_of, files) {
        let kept = files.keep(&document.file_name, &document.bytes)?;
        let at = during(rng, document.effective);
        let id = uuid_at(rng, at);
        batch.evidence.push(EvidenceRow {
            id: id.clone(),
            organisation_id: org.id.clone(),
            title: document.title,
            site_id: document.site_id,
            effective_date: Some(document.effective),
            valid_until: document.valid_until,
            created_at: at,
            updated_at: at,
            version: 1,
        });
        batch.evidence_files.push(EvidenceFileRow {
            id: uuid_at(rng, at),
            evidence_id: id.clone(),
            sha256: kept.sha256,
            file_name: document.file_name,
            content_type: kept.content_type,
            size: kept.size,
            uploaded_at: at,
            uploaded_by: manager.clone(),
        });
        let mut linked = HashSet::new();
        for framework in &org.frameworks {
            let leaves: Vec<&str> = framework
                .requirements
                .iter()
                .filter(|r| !r.has_children)
                .map(|r| r.reference.as_str())
                .collect();
            for _ in 0..2 {
                let reference = *pick(rng, &leaves);
                if linked.insert((framework.code.clone(), reference)) {
                    batch.supports.push(SupportRow {
                        evidence_id: id.clone(),
                        framework_code: framework.code.clone(),
                        requirement_ref: reference.to_owned(),
                    });
                }
            }
        }
        org.evidence.push((id, document.effective));
    }
    Ok(())
}
