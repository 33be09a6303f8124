//! The rollout summary federation staff send: the dashboard's figures on paper — organismes
//! per framework and standing, the framework in focus by region and by family (drawn and in
//! tables) and over the years, and the renewals due within 90 days or late.

use crate::i18n::{self, Lang};
use crate::reports::charts::Chart;
use crate::reports::pdf::{Meta, Writer};
use crate::services::dashboard::{Dashboard, ShareRow};

fn homes(n: i64) -> String {
    #[expect(clippy::cast_precision_loss, reason = "counts of homes fit in f64")]
    let n = n as f64;
    i18n::format_number(n, 0)
}

fn shares(w: &mut Writer, lang: Lang, heading: &str, lines: &[ShareRow]) {
    let t = |k: &str| i18n::t(lang, k);
    w.space(10.0);
    w.heading(2, heading, 13.0);
    let rows: Vec<Vec<String>> = lines
        .iter()
        .map(|l| {
            vec![
                l.name.clone(),
                l.organisations.to_string(),
                l.holds.to_string(),
                format!("{}\u{a0}%", i18n::format_number(l.rate, 1)),
                homes(l.homes_covered),
            ]
        })
        .collect();
    w.table(
        &[
            "",
            &t("rollout-organisations"),
            &t("dashboard-holds"),
            &t("rollout-rate"),
            &t("dashboard-homes-covered"),
        ],
        &rows,
        8.5,
    );
    w.chart(
        &Chart {
            title: format!("{heading} — {}", t("rollout-rate")),
            points: lines.iter().map(|l| (l.name.clone(), l.rate)).collect(),
            target: None,
            range: Some((0.0, 100.0)),
            suffix: "\u{a0}%".into(),
        },
        true,
    );
}

pub fn to_pdf(d: &Dashboard, lang: Lang) -> Vec<u8> {
    let t = |k: &str| i18n::t(lang, k);
    let date = super::date_fr;
    let mut w = Writer::new();
    w.heading(1, &t("rollout-title"), 18.0);
    let region = crate::domain::Region::parse(&d.filter.region).ok();
    let scope = match region {
        Some(r) => i18n::t_args(
            lang,
            "dashboard-lead-region",
            &[
                ("date", date(d.today)),
                ("region", r.name.to_owned()),
                ("count", d.organisations.to_string()),
                ("homes", homes(d.homes)),
            ],
        ),
        None => i18n::t_args(
            lang,
            "dashboard-lead",
            &[
                ("date", date(d.today)),
                ("count", d.organisations.to_string()),
                ("homes", homes(d.homes)),
            ],
        ),
    };
    w.paragraph(&scope, 10.0, false);
    frameworks(&mut w, d, lang);
    focus(&mut w, d, lang);
    renewals(&mut w, d, lang);
    let fingerprint = crate::auth::sha256_hex(&serde_json::to_vec(d).unwrap_or_default());
    w.finish(&Meta {
        title: t("rollout-title"),
        author: "qualitrack".into(),
        subject: t("rollout-title"),
        date: d.today,
        fingerprint,
        page_word: t("report-page"),
        fingerprint_word: t("report-fingerprint"),
        language: match lang {
            Lang::Fr => "fr-FR".into(),
            Lang::En => "en-GB".into(),
        },
    })
}

fn frameworks(w: &mut Writer, d: &Dashboard, lang: Lang) {
    let t = |k: &str| i18n::t(lang, k);
    w.space(8.0);
    w.heading(2, &t("rollout-frameworks"), 13.0);
    let rows: Vec<Vec<String>> = d
        .frameworks
        .iter()
        .map(|f| {
            vec![
                f.name.clone(),
                f.holds.to_string(),
                f.counts.renewal_due.to_string(),
                f.counts.suspended.to_string(),
                f.counts.engaged.to_string(),
                f.counts.lapsed.to_string(),
                format!("{}\u{a0}%", i18n::format_number(f.rate, 1)),
            ]
        })
        .collect();
    w.table(
        &[
            &t("report-framework"),
            &t("dashboard-holds"),
            &t("rollout-standing-renewal_due"),
            &t("rollout-standing-suspended"),
            &t("rollout-standing-engaged"),
            &t("rollout-standing-lapsed"),
            &t("rollout-rate"),
        ],
        &rows,
        8.5,
    );
}

/// The framework in focus by region, by family and over the years.
fn focus(w: &mut Writer, d: &Dashboard, lang: Lang) {
    let t = |k: &str| i18n::t(lang, k);
    if let Some(focus) = d
        .frameworks
        .iter()
        .find(|f| Some(&f.key) == d.focus.as_ref())
    {
        let by = |key: &str| i18n::t_args(lang, key, &[("name", focus.name.clone())]);
        shares(w, lang, &by("dashboard-by-region"), &d.regions);
        shares(w, lang, &by("dashboard-by-family"), &d.families);
        if let Some(years) = d.rollout.iter().find(|f| f.key == focus.key) {
            w.space(10.0);
            w.heading(2, &t("dashboard-years"), 13.0);
            let rows: Vec<Vec<String>> = years
                .years
                .iter()
                .map(|y| {
                    vec![
                        y.year.to_string(),
                        y.granted.to_string(),
                        y.holding.to_string(),
                    ]
                })
                .collect();
            w.table(
                &[
                    &t("dashboard-year"),
                    &t("dashboard-granted"),
                    &t("dashboard-holding-end"),
                ],
                &rows,
                8.5,
            );
        }
    }
}

fn renewals(w: &mut Writer, d: &Dashboard, lang: Lang) {
    let t = |k: &str| i18n::t(lang, k);
    let date = super::date_fr;
    w.new_page();
    w.heading(2, &t("rollout-renewals"), 13.0);
    let rows: Vec<Vec<String>> = d
        .renewals
        .iter()
        .map(|e| {
            vec![
                e.organisation_name.clone(),
                e.framework_name.clone(),
                e.step.clone(),
                date(e.due),
                t(&format!("item-state-{}", e.state)),
            ]
        })
        .collect();
    if rows.is_empty() {
        w.paragraph(&t("report-none"), 10.0, false);
    } else {
        w.table(
            &[
                &t("benchmarks-organisme"),
                &t("report-framework"),
                &t("export-step"),
                &t("export-due"),
                &t("export-state"),
            ],
            &rows,
            8.0,
        );
    }
}
