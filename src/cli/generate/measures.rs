//! What an organisme measures: the indicators of the frameworks it follows, for the last
//! months (quarters and years as their frequency says), drawn around a level of its own —
//! rates with their numerator and denominator, delays in days, counts, marks out of ten —
//! per residence for what is measured on site, for the organisme otherwise; and the last
//! wave of its triennial satisfaction survey.

use std::collections::HashSet;

use chrono::{Datelike, Duration, NaiveDate};
use rand::Rng;
use rand::rngs::StdRng;

use super::context::Org;
use super::rows::{Batch, ResultRow, WaveRow};
use super::stamp::{at_hour, chance, days, during, normal, pick, uuid_at};
use crate::domain::indicators::Period;
use crate::domain::survey::Theme;
use crate::models::framework::IndicatorRow;
use crate::models::indicator::Value;

/// Measured per residence: the organisme's figure is the roll-up of its sites'.
pub const ON_SITE: [&str; 5] = [
    "score-audit-proprete",
    "interventions-dans-delai",
    "rendez-vous-tenus",
    "troubles-voisinage-traites",
    "encombrants-enleves-delai",
];

const PROVIDERS: [&str; 3] = [
    "Enquête régionale mutualisée de l’association régionale Hlm",
    "Institut d’études Qualimétrie Habitat",
    "Aviso Études et Conseil",
];

/// Where a value comes from, as an import file's `source` column says it.
fn source(code: &str) -> &'static str {
    match code {
        "taux-decroche" => "Plateforme téléphonique",
        c if c.starts_with("satisfaction") || c.starts_with("note-") => "Enquête de satisfaction",
        c if c.contains("proprete") || c.contains("encombrants") => "Contrôles de propreté",
        c if c.contains("intervention") || c.contains("rendez-vous") || c.contains("urgence") => {
            "Logiciel de maintenance"
        }
        c if c.contains("reclamation") || c.contains("reponse") || c.contains("demande") => {
            "Gestion de la relation locataire"
        }
        _ => "Logiciel de gestion locative",
    }
}

/// Cases per home and month behind a rate (calls, requests, move-ins…).
fn cases_per_home(code: &str) -> f64 {
    match code {
        "taux-decroche" => 0.25,
        "reponse-48h" | "demandes-prises-en-compte" => 0.08,
        "interventions-dans-delai" | "rendez-vous-tenus" => 0.05,
        "reclamations-reponse-delai" => 0.03,
        "enregistrement-demande-10jo" | "satisfaction-entree-lieux" => 0.012,
        "score-audit-proprete" => 0.1,
        c if c.contains("entree") || c.contains("courtoisie") || c.contains("kit") => 0.006,
        _ => 0.01,
    }
}

/// The periods of the last `months` whole months before `as_of`: months, quarters and years
/// whose last month falls in them.
pub fn periods(frequency: &str, as_of: NaiveDate, months: u32) -> Vec<Period> {
    let first_of_month = as_of.with_day(1).unwrap_or(as_of);
    let mut out = Vec::new();
    for back in (1..=months).rev() {
        let day = first_of_month - chrono::Months::new(back);
        let month = day.month();
        let period = match frequency {
            "monthly" => Some(Period::Month(day.year(), month)),
            "quarterly" if month.is_multiple_of(3) => Some(Period::Quarter(day.year(), month / 3)),
            "yearly" if month == 12 => Some(Period::Year(day.year())),
            _ => None,
        };
        out.extend(period);
    }
    out
}

fn months_in(period: Period) -> f64 {
    match period {
        Period::Month(..) => 1.0,
        Period::Quarter(..) => 3.0,
        Period::Year(_) => 12.0,
    }
}

fn last_day(period: Period) -> NaiveDate {
    let start = period.start();
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "1, 3 or 12"
    )]
    let months = months_in(period) as u32;
    start + chrono::Months::new(months) - Duration::days(1)
}

/// The organisme's usual level of an indicator, around its target.
fn level(rng: &mut StdRng, indicator: &IndicatorRow, quality: f64) -> f64 {
    let spread = 0.6 * quality + 0.6 * normal(rng);
    match indicator.unit.as_str() {
        "percent" => (indicator.target.unwrap_or(90.0) - 1.5 + 4.0 * spread).clamp(45.0, 99.5),
        "score10" => (7.4 + 0.4 * spread).clamp(5.0, 9.5),
        "count" => (indicator.target.unwrap_or(4.0) + spread).max(1.0).round(),
        _ => (indicator.target.unwrap_or(10.0) * (1.0 - 0.15 * spread)).max(0.5),
    }
}

/// One value around `level`, with its numerator and denominator for a rate.
fn value(
    rng: &mut StdRng,
    indicator: &IndicatorRow,
    level: f64,
    cases: f64,
) -> (f64, Option<f64>, Option<f64>) {
    let round = |x: f64, places: i32| {
        let f = 10f64.powi(places);
        (x * f).round() / f
    };
    match indicator.unit.as_str() {
        "percent" => {
            let denominator = (cases * (0.8 + 0.4 * rng.random::<f64>())).round().max(3.0);
            let rate = (level + 2.5 * normal(rng)).clamp(0.0, 100.0);
            let numerator = (denominator * rate / 100.0).round().min(denominator);
            (
                round(numerator / denominator * 100.0, 2),
                Some(numerator),
                Some(denominator),
            )
        }
        "score10" => (
            round((level + 0.2 * normal(rng)).clamp(0.0, 10.0), 1),
            None,
            None,
        ),
        "count" => ((level + normal(rng)).round().max(0.0), None, None),
        _ => {
            let denominator = (cases * (0.8 + 0.4 * rng.random::<f64>())).round().max(1.0);
            (
                round((level * (1.0 + 0.12 * normal(rng))).max(0.1), 1),
                None,
                Some(denominator),
            )
        }
    }
}

/// The indicators an organisme follows: those of its frameworks, each code once.
fn followed<'a>(org: &'a Org<'_>) -> Vec<&'a IndicatorRow> {
    let mut seen = HashSet::new();
    org.frameworks
        .iter()
        .flat_map(|f| f.indicators.iter())
        .filter(|i| seen.insert(i.code.as_str()))
        .collect()
}

/// Writes the organisme's values of the last `months` before `as_of`, and a survey wave
/// when `survey` says so (drawn, six times in ten, when `None`).
pub fn write(
    rng: &mut StdRng,
    org: &Org<'_>,
    (as_of, months): (NaiveDate, u32),
    survey: Option<bool>,
    batch: &mut Batch,
) {
    let surveyed = survey.unwrap_or_else(|| chance(rng, 0.6));
    let wave = if surveyed {
        wave(rng, org, as_of, survey.is_some(), batch)
    } else {
        None
    };
    let manager = &org.manager.1;
    for indicator in followed(org) {
        let level = level(rng, indicator, org.plan.quality);
        let on_site = ON_SITE.contains(&indicator.code.as_str());
        let periods = match (indicator.frequency.as_str(), wave) {
            ("triennial", Some(year)) => vec![Period::Year(year)],
            (frequency, _) => periods(frequency, as_of, months),
        };
        #[expect(clippy::cast_precision_loss, reason = "numbers of homes")]
        let homes = org.plan.homes as f64;
        let places: Vec<(Option<&str>, f64)> = if on_site {
            org.residences()
                .map(|s| (Some(s.id.as_str()), f64::from(s.homes)))
                .collect()
        } else {
            vec![(None, homes)]
        };
        for period in periods {
            let entered_on = (last_day(period) + days(rng, 3, 20)).min(as_of);
            for (site, site_homes) in &places {
                let cases = site_homes * cases_per_home(&indicator.code) * months_in(period);
                let (v, numerator, denominator) = value(rng, indicator, level, cases);
                let at = during(rng, entered_on);
                batch.values.push(Value {
                    id: uuid_at(rng, at),
                    organisation_id: org.id.clone(),
                    site_id: site.map(str::to_owned),
                    indicator_code: indicator.code.clone(),
                    period: period.to_string(),
                    period_start: period.start(),
                    value: v,
                    numerator,
                    denominator,
                    source: source(&indicator.code).to_owned(),
                    entered_by: manager.clone(),
                    entered_at: at,
                    version: 1,
                });
            }
        }
    }
}

/// The last wave of the triennial survey, within three years, with the global mark of a few
/// residences when `per_site`; answers its year.
fn wave(
    rng: &mut StdRng,
    org: &Org<'_>,
    as_of: NaiveDate,
    per_site: bool,
    batch: &mut Batch,
) -> Option<i32> {
    let end = as_of - days(rng, 30, 3 * 365);
    if end < org.created.date() {
        return None;
    }
    let scale = if chance(rng, 0.5) {
        "score10"
    } else {
        "percent"
    };
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_precision_loss,
        reason = "a number of respondents"
    )]
    let respondents = ((org.plan.homes as f64 * 0.08).round() as i32).clamp(100, 3_000);
    let at = at_hour(end + days(rng, 20, 45), 15).min(at_hour(as_of, 8));
    let id = uuid_at(rng, at);
    batch.waves.push(WaveRow {
        id: id.clone(),
        organisation_id: org.id.clone(),
        title: format!("Enquête triennale de satisfaction {}", end.year()),
        scale: scale.to_owned(),
        fieldwork_end: end,
        respondents: Some(respondents),
        provider: pick(rng, &PROVIDERS).to_string(),
        created_at: at,
        updated_at: at,
        version: 1,
    });
    let base = 0.5 * org.plan.quality;
    for theme in Theme::ALL {
        let shift = match theme {
            Theme::Requests => -0.6,
            Theme::Cleanliness | Theme::RentCharges => -0.3,
            Theme::Home | Theme::Global => 0.2,
            _ => 0.0,
        };
        let mark = (7.4 + shift + base + 0.3 * normal(rng)).clamp(4.0, 9.6);
        let value = if scale == "score10" {
            (mark * 10.0).round() / 10.0
        } else {
            ((mark - 3.0) / 6.0 * 100.0).clamp(30.0, 98.0).round()
        };
        batch.results.push(ResultRow {
            id: uuid_at(rng, at),
            wave_id: id.clone(),
            theme: theme.as_str().to_owned(),
            site_id: None,
            value,
            respondents: Some(respondents),
        });
        if per_site && *theme == Theme::Global {
            for site in org.residences().take(5) {
                let local = (value + if scale == "score10" { 0.4 } else { 5.0 } * normal(rng))
                    .clamp(0.0, if scale == "score10" { 10.0 } else { 100.0 });
                batch.results.push(ResultRow {
                    id: uuid_at(rng, at),
                    wave_id: id.clone(),
                    theme: theme.as_str().to_owned(),
                    site_id: Some(site.id.clone()),
                    value: (local * 10.0).round() / 10.0,
                    respondents: Some((respondents / 8).max(20)),
                });
            }
        }
    }
    Some(end.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_the_whole_months_before_the_as_of_date() {
        let as_of = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        let months = periods("monthly", as_of, 12);
        assert_eq!(months.len(), 12);
        assert_eq!(months[0].to_string(), "2025-06");
        assert_eq!(months[11].to_string(), "2026-05");
        let quarters: Vec<String> = periods("quarterly", as_of, 12)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(quarters, ["2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"]);
        let years: Vec<String> = periods("yearly", as_of, 12)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(years, ["2025"]);
        assert!(periods("triennial", as_of, 12).is_empty());
    }
}
