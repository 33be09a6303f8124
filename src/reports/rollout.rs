//! The rollout summary federation staff send: commitments per framework and state, the
//! share of organismes holding a label or certification per region and per family (drawn
//! and in tables), and the renewals due within 90 days or overdue — as a PDF.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Serialize;

use crate::auth::OrgScope;
use crate::db::DbConnection;
use crate::db::schema::{commitments, frameworks, organisations};
use crate::domain::{Family, Region};
use crate::error::AppError;
use crate::i18n::{self, Lang};
use crate::models::organisation;
use crate::reports::charts::Chart;
use crate::reports::pdf::{Meta, Writer};
use crate::services::schedules::{self, CalendarEntry, CalendarFilter};

/// Commitment states that mean the organisme holds the label or certification.
const HOLDING: [&str; 4] = ["granted", "surveillance", "renewal_due", "renewed"];
/// States of an organisme on its way to it.
const ENGAGED: [&str; 3] = ["considered", "preparing", "initial_audit"];

#[derive(Debug, Clone, Default, Serialize)]
pub struct FrameworkLine {
    pub name: String,
    pub engaged: usize,
    pub holding: usize,
    pub suspended: usize,
    pub ended: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShareLine {
    pub name: String,
    pub organisations: usize,
    pub holding: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Rollout {
    pub today: NaiveDate,
    pub frameworks: Vec<FrameworkLine>,
    pub regions: Vec<ShareLine>,
    pub families: Vec<ShareLine>,
    pub renewals: Vec<CalendarEntry>,
}

pub fn gather(
    conn: &mut DbConnection,
    scope: &OrgScope,
    today: NaiveDate,
) -> Result<Rollout, AppError> {
    let orgs: Vec<(String, String, String)> = organisation::scoped(scope)
        .select((
            organisations::id,
            organisations::region,
            organisations::family,
        ))
        .load(conn)?;
    let ids: Vec<&str> = orgs.iter().map(|o| o.0.as_str()).collect();
    let rows: Vec<(String, String, String)> = commitments::table
        .inner_join(frameworks::table)
        .filter(commitments::organisation_id.eq_any(&ids))
        .select((
            commitments::organisation_id,
            frameworks::name,
            commitments::state,
        ))
        .load(conn)?;
    let mut per_framework: BTreeMap<String, FrameworkLine> = BTreeMap::new();
    for (_, name, state) in &rows {
        let line = per_framework
            .entry(name.clone())
            .or_insert_with(|| FrameworkLine {
                name: name.clone(),
                ..FrameworkLine::default()
            });
        match state.as_str() {
            s if HOLDING.contains(&s) => line.holding += 1,
            s if ENGAGED.contains(&s) => line.engaged += 1,
            "suspended" => line.suspended += 1,
            _ => line.ended += 1,
        }
    }
    let holds = |id: &str| {
        rows.iter()
            .any(|(o, _, s)| o == id && HOLDING.contains(&s.as_str()))
    };
    let share = |name: String, members: Vec<&str>| ShareLine {
        name,
        organisations: members.len(),
        holding: members.iter().filter(|id| holds(id)).count(),
    };
    let regions: Vec<ShareLine> = Region::all()
        .iter()
        .map(|r| {
            share(
                r.name.to_owned(),
                orgs.iter()
                    .filter(|o| o.1 == r.code)
                    .map(|o| o.0.as_str())
                    .collect(),
            )
        })
        .filter(|l| l.organisations > 0)
        .collect();
    let families: Vec<ShareLine> = Family::ALL
        .iter()
        .map(|f| {
            share(
                f.as_str().to_owned(),
                orgs.iter()
                    .filter(|o| o.2 == f.as_str())
                    .map(|o| o.0.as_str())
                    .collect(),
            )
        })
        .filter(|l| l.organisations > 0)
        .collect();
    let filter = CalendarFilter {
        renewals: true,
        ..CalendarFilter::default()
    };
    let renewals: Vec<CalendarEntry> = schedules::calendar(conn, scope, &filter, today)?
        .into_iter()
        .filter(|e| e.item.done_on.is_none() && schedules::needs_attention(&e.item, today, 90))
        .collect();
    Ok(Rollout {
        today,
        frameworks: per_framework.into_values().collect(),
        regions,
        families,
        renewals,
    })
}

fn percent(part: usize, whole: usize) -> f64 {
    #[expect(clippy::cast_precision_loss, reason = "counts of organismes")]
    let share = if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64 * 100.0
    };
    share
}

fn shares(
    w: &mut Writer,
    lang: Lang,
    heading: &str,
    lines: &[ShareLine],
    label: impl Fn(&str) -> String,
) {
    let t = |k: &str| i18n::t(lang, k);
    w.space(10.0);
    w.paragraph(heading, 13.0, true);
    let rows: Vec<Vec<String>> = lines
        .iter()
        .map(|l| {
            vec![
                label(&l.name),
                l.organisations.to_string(),
                l.holding.to_string(),
                format!(
                    "{} %",
                    i18n::format_number(percent(l.holding, l.organisations), 1)
                ),
            ]
        })
        .collect();
    w.table(
        &[
            ("", 200.0),
            (&t("rollout-organisations"), 90.0),
            (&t("rollout-holding"), 120.0),
            (&t("rollout-rate"), Writer::WIDTH - 410.0),
        ],
        &rows,
        8.5,
    );
    w.chart(
        &Chart {
            title: format!("{heading} — {}", t("rollout-rate")),
            points: lines
                .iter()
                .map(|l| (label(&l.name), percent(l.holding, l.organisations)))
                .collect(),
            target: None,
            range: Some((0.0, 100.0)),
            suffix: " %".into(),
        },
        true,
    );
}

pub fn to_pdf(rollout: &Rollout, lang: Lang) -> Vec<u8> {
    let t = |k: &str| i18n::t(lang, k);
    let date = super::date_fr;
    let mut w = Writer::new();
    w.paragraph(&t("rollout-title"), 18.0, true);
    w.paragraph(
        &i18n::t_args(lang, "rollout-as-of", &[("date", date(rollout.today))]),
        10.0,
        false,
    );
    w.space(8.0);
    w.paragraph(&t("rollout-frameworks"), 13.0, true);
    let rows: Vec<Vec<String>> = rollout
        .frameworks
        .iter()
        .map(|f| {
            vec![
                f.name.clone(),
                f.engaged.to_string(),
                f.holding.to_string(),
                f.suspended.to_string(),
                f.ended.to_string(),
            ]
        })
        .collect();
    w.table(
        &[
            (&t("report-framework"), 200.0),
            (&t("rollout-engaged"), 70.0),
            (&t("rollout-holding"), 90.0),
            (&t("rollout-suspended"), 70.0),
            (&t("rollout-ended"), Writer::WIDTH - 430.0),
        ],
        &rows,
        8.5,
    );
    shares(
        &mut w,
        lang,
        &t("rollout-by-region"),
        &rollout.regions,
        str::to_owned,
    );
    shares(
        &mut w,
        lang,
        &t("rollout-by-family"),
        &rollout.families,
        |code| t(&format!("family-{code}")),
    );
    w.new_page();
    w.paragraph(&t("rollout-renewals"), 13.0, true);
    let rows: Vec<Vec<String>> = rollout
        .renewals
        .iter()
        .map(|e| {
            vec![
                e.organisation_name.clone(),
                e.framework_name.clone(),
                e.item.name.clone(),
                date(e.item.due),
                t(&format!(
                    "item-state-{}",
                    schedules::state_code(e.item.state)
                )),
            ]
        })
        .collect();
    if rows.is_empty() {
        w.paragraph(&t("report-none"), 10.0, false);
    } else {
        w.table(
            &[
                (&t("benchmarks-organisme"), 150.0),
                (&t("report-framework"), 110.0),
                (&t("export-step"), 110.0),
                (&t("export-due"), 55.0),
                (&t("export-state"), Writer::WIDTH - 425.0),
            ],
            &rows,
            8.0,
        );
    }
    let fingerprint = crate::auth::sha256_hex(&serde_json::to_vec(rollout).unwrap_or_default());
    w.finish(&Meta {
        title: t("rollout-title"),
        author: "qualitrack".into(),
        subject: t("rollout-title"),
        date: rollout.today,
        fingerprint,
        page_word: t("report-page"),
        fingerprint_word: t("report-fingerprint"),
        language: match lang {
            Lang::Fr => "fr-FR".into(),
            Lang::En => "en-GB".into(),
        },
    })
}
