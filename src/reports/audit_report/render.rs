//! The audit report laid out: a cover page, the summary (counts by grade as a chart, the
//! comparison with the previous audit), the findings theme by theme, the nonconformities
//! with their action plans, the strengths, the indicators of the period, the evidence index
//! and the signature blocks.

use super::data::{ReportData, Row};
use crate::i18n::{self, Lang, format_number};
use crate::reports::charts::Chart;
use crate::reports::date_fr as date;
use crate::reports::document::{Builder, Format};
use crate::reports::pdf::Meta;

fn line(w: &mut Builder, label: &str, value: &str) {
    w.paragraph(&format!("{label} : {value}"), 10.5, false);
}

fn rows_table(w: &mut Builder, lang: Lang, rows: &[Row]) {
    let t = |key: &str| i18n::t(lang, key);
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.reference.clone(),
                r.grade
                    .clone()
                    .unwrap_or_else(|| t("findings-not-assessed")),
                if r.finding.is_empty() {
                    r.title.clone()
                } else {
                    format!("{}\n{}", r.title, r.finding)
                },
                r.sites.join(", "),
                r.evidence.join(" ; "),
            ]
        })
        .collect();
    w.table(
        &[
            &t("report-requirement"),
            &t("report-grade"),
            &t("report-finding"),
            &t("report-sites"),
            &t("report-evidence"),
        ],
        &cells,
        8.0,
    );
}

/// A SHA-256 in four groups of sixteen, so that it wraps at spaces in its column (a reader
/// compares it group by group).
fn grouped_hash(hash: &str) -> String {
    hash.as_bytes()
        .chunks(16)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// How a reader checks a printed copy, on the cover and after the signatures: the full
/// address of its verification page and a QR code of it when the public address is set,
/// else the page's path on the site that issued it.
fn verification(w: &mut Builder, lang: Lang, fingerprint: &str, origin: Option<&str>) {
    let Some(origin) = origin else {
        w.paragraph(
            &i18n::t_args(
                lang,
                "report-verify",
                &[("fingerprint", fingerprint.to_owned())],
            ),
            8.5,
            false,
        );
        return;
    };
    let url = format!("{origin}/verify/{fingerprint}");
    w.need(100.0);
    w.paragraph(
        &i18n::t_args(lang, "report-verify-at", &[("url", url.clone())]),
        8.5,
        false,
    );
    w.space(4.0);
    w.qr_code(&url, 80.0);
}

/// The report in `format` (PDF with `fingerprint` printed on every page, or an editable
/// ODT or DOCX with the same sections and tables); `origin` is the public address its
/// verification link and QR code point at.
#[expect(
    clippy::too_many_lines,
    reason = "the report's sections, in reading order"
)]
pub fn render(
    data: &ReportData,
    fingerprint: &str,
    lang: Lang,
    origin: Option<&str>,
    format: Format,
) -> Result<Vec<u8>, String> {
    let t = |key: &str| i18n::t(lang, key);
    let mut w = Builder::new();
    // Cover
    w.space(60.0);
    w.heading(1, &t("report-title"), 24.0);
    w.space(8.0);
    w.paragraph(&data.organisation, 18.0, true);
    w.paragraph(&format!("SIREN {}", data.siren), 10.5, false);
    w.space(24.0);
    line(
        &mut w,
        &t("report-framework"),
        &format!("{} — {}", data.framework, data.framework_version),
    );
    line(
        &mut w,
        &t("report-audit"),
        &format!(
            "{} ({})",
            data.title,
            t(&format!("audit-kind-{}", data.kind))
        ),
    );
    line(
        &mut w,
        &t("report-dates"),
        &format!("{} – {}", date(data.start_date), date(data.end_date)),
    );
    let scope = if data.sites.is_empty() {
        t("report-whole-organisation")
    } else {
        data.sites.join(", ")
    };
    line(&mut w, &t("report-scope"), &scope);
    line(
        &mut w,
        &t("report-lead"),
        data.lead_auditor.as_deref().unwrap_or("—"),
    );
    if !data.team.is_empty() {
        line(&mut w, &t("report-team"), &data.team.join(", "));
    }
    let decision = match (&data.decision, data.decision_date) {
        (Some(d), Some(on)) => format!("{} ({})", t(&format!("decision-{d}")), date(on)),
        (Some(d), None) => t(&format!("decision-{d}")),
        _ => t("report-no-decision"),
    };
    line(&mut w, &t("report-decision"), &decision);
    line(
        &mut w,
        &t("report-state"),
        &t(&format!("audit-state-{}", data.state)),
    );
    line(&mut w, &t("report-issued"), &date(data.issued_on));
    w.space(12.0);
    verification(&mut w, lang, fingerprint, origin);

    // Summary
    w.new_page();
    w.heading(2, &t("report-summary"), 15.0);
    w.space(4.0);
    let mut counts: Vec<Vec<String>> = data
        .counts
        .iter()
        .map(|(label, n)| vec![label.clone(), n.to_string()])
        .collect();
    counts.push(vec![
        t("findings-not-assessed"),
        data.not_assessed.to_string(),
    ]);
    w.table(&[&t("report-grade"), &t("report-count")], &counts, 9.0);
    w.space(8.0);
    #[expect(clippy::cast_precision_loss, reason = "counts of requirements")]
    let chart = Chart {
        title: t("report-chart-grades"),
        points: data
            .counts
            .iter()
            .map(|(l, n)| (l.clone(), *n as f64))
            .collect(),
        target: None,
        range: None,
        suffix: String::new(),
    };
    w.chart(&chart, true);
    match &data.comparison {
        Some(c) => w.paragraph(
            &i18n::t_args(
                lang,
                "report-comparison",
                &[
                    ("title", c.title.clone()),
                    ("date", date(c.start_date)),
                    ("improved", c.improved.to_string()),
                    ("regressed", c.regressed.to_string()),
                    ("unchanged", c.unchanged.to_string()),
                    ("new", c.new.to_string()),
                ],
            ),
            10.0,
            false,
        ),
        None => w.paragraph(&t("report-no-previous"), 10.0, false),
    }

    // Findings, theme by theme
    for theme in &data.themes {
        w.new_page();
        w.heading(2, &format!("{} — {}", theme.reference, theme.title), 13.0);
        w.space(4.0);
        rows_table(&mut w, lang, &theme.rows);
    }

    // Nonconformities and their action plans
    w.new_page();
    w.heading(2, &t("report-nonconformities"), 15.0);
    if data.nonconformities.is_empty() {
        w.paragraph(&t("report-none"), 10.0, false);
    }
    for nc in &data.nonconformities {
        w.space(6.0);
        w.paragraph(
            &format!("{} — {} : {}", nc.reference, nc.grade, nc.title),
            10.5,
            true,
        );
        if !nc.finding.is_empty() {
            w.paragraph(&nc.finding, 9.5, false);
        }
        match &nc.action {
            Some(a) => {
                for (key, value) in [
                    ("report-correction", a.correction.clone()),
                    ("report-root-cause", a.root_cause.clone()),
                    ("report-corrective-action", a.corrective_action.clone()),
                    ("report-owner", a.owner.clone()),
                    ("report-due", date(a.due_date)),
                    (
                        "report-action-status",
                        t(&format!("action-status-{}", a.status)),
                    ),
                ] {
                    let value = if value.is_empty() {
                        "—".to_owned()
                    } else {
                        value
                    };
                    w.paragraph(&format!("{} : {value}", t(key)), 9.0, false);
                }
            }
            None => w.paragraph(&t("report-no-action"), 9.0, false),
        }
    }

    // Strengths
    w.space(12.0);
    w.need(60.0);
    w.heading(2, &t("report-strengths"), 15.0);
    if data.strengths.is_empty() {
        w.paragraph(&t("report-none"), 10.0, false);
    }
    for s in &data.strengths {
        let text = if s.finding.is_empty() {
            s.title.clone()
        } else {
            format!("{} — {}", s.title, s.finding)
        };
        w.paragraph(&format!("{} : {text}", s.reference), 9.5, false);
    }

    // Indicators of the period
    if !data.indicators.is_empty() {
        w.new_page();
        w.heading(2, &t("report-indicators"), 15.0);
        w.space(4.0);
        for indicator in &data.indicators {
            let unit = indicator.unit.as_str();
            let suffix = match unit {
                "count" => String::new(),
                other => format!(" {}", t(&format!("unit-short-{other}"))),
            };
            let last = indicator.points.last().map_or(0.0, |p| p.1);
            let target = indicator
                .target
                .map(|v| {
                    format!(
                        " — {} {}{suffix}",
                        t("indicators-target"),
                        format_number(v, 1)
                    )
                })
                .unwrap_or_default();
            w.chart(
                &Chart {
                    title: format!(
                        "{} — {}{suffix} ({}){target}",
                        indicator.name,
                        format_number(last, 1),
                        t(&format!("status-{}", indicator.status))
                    ),
                    points: indicator.points.clone(),
                    target: indicator.target,
                    range: match unit {
                        "percent" => Some((0.0, 100.0)),
                        "score10" => Some((0.0, 10.0)),
                        _ => None,
                    },
                    suffix,
                },
                false,
            );
        }
    }

    // Evidence index
    w.new_page();
    w.heading(2, &t("report-evidence-index"), 15.0);
    w.space(4.0);
    if data.evidence.is_empty() && data.other_evidence.is_empty() {
        w.paragraph(&t("report-none"), 10.0, false);
    }
    if !data.evidence.is_empty() {
        let cells: Vec<Vec<String>> = data
            .evidence
            .iter()
            .map(|e| {
                vec![
                    e.title.clone(),
                    e.file_name.clone(),
                    date(e.date),
                    grouped_hash(&e.sha256),
                ]
            })
            .collect();
        w.table(
            &[
                &t("report-document"),
                &t("report-file"),
                &t("report-date"),
                "SHA-256",
            ],
            &cells,
            8.0,
        );
    }
    if !data.other_evidence.is_empty() {
        w.space(8.0);
        w.heading(3, &t("report-other-evidence"), 10.5);
        let cells: Vec<Vec<String>> = data
            .other_evidence
            .iter()
            .map(|(reference, text)| vec![reference.clone(), text.clone()])
            .collect();
        w.table(
            &[&t("report-requirement"), &t("report-evidence")],
            &cells,
            8.0,
        );
    }

    // Signatures
    w.space(24.0);
    w.need(110.0);
    w.heading(2, &t("report-signatures"), 13.0);
    w.space(6.0);
    for who in [
        format!(
            "{} : {}",
            t("report-lead"),
            data.lead_auditor.as_deref().unwrap_or("")
        ),
        format!(
            "{} : {}",
            t("report-organisation-representative"),
            data.organisation
        ),
    ] {
        w.paragraph(&who, 10.0, false);
        w.paragraph(&t("report-sign-here"), 9.0, false);
        w.space(30.0);
        w.rule();
        w.space(8.0);
    }
    w.space(8.0);
    verification(&mut w, lang, fingerprint, origin);

    let meta = Meta {
        title: format!("{} — {}", t("report-title"), data.title),
        author: data
            .lead_auditor
            .clone()
            .unwrap_or_else(|| "qualitrack".into()),
        subject: format!(
            "{} — {} {}",
            data.organisation, data.framework, data.framework_version
        ),
        date: data.issued_on,
        fingerprint: fingerprint.to_owned(),
        page_word: t("report-page"),
        fingerprint_word: t("report-fingerprint"),
        language: match lang {
            Lang::Fr => "fr-FR".into(),
            Lang::En => "en-GB".into(),
        },
    };
    w.write(&meta, format)
}
