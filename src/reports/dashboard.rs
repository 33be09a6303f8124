//! The federation dashboard's tables as spreadsheets: the same figures as the page, one
//! table per sheet (or per CSV file).

use crate::i18n::{self, Lang};
use crate::reports::sheet::{Cell, Sheet};
use crate::services::dashboard::{Dashboard, DueRow, ShareRow};

/// The tables a CSV export may ask for, in the workbook's order.
pub const TABLES: [&str; 7] = [
    "frameworks",
    "regions",
    "families",
    "years",
    "renewals",
    "overdue",
    "majors",
];

fn columns(lang: Lang, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| i18n::t(lang, k)).collect()
}

fn shares(lang: Lang, table: &str, first: &str, focus: &str, rows: &[ShareRow]) -> Sheet {
    let mut columns = columns(
        lang,
        &[
            first,
            "dashboard-organisations",
            "dashboard-holds",
            "dashboard-engaged",
            "dashboard-rate",
            "dashboard-homes",
            "dashboard-homes-covered",
        ],
    );
    columns.insert(1, i18n::t(lang, "export-framework"));
    Sheet {
        name: i18n::t(lang, &format!("dashboard-sheet-{table}")),
        columns,
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.name.clone().into(),
                    focus.into(),
                    r.organisations.into(),
                    r.holds.into(),
                    r.engaged.into(),
                    r.rate.into(),
                    r.homes.into(),
                    r.homes_covered.into(),
                ]
            })
            .collect(),
    }
}

fn due(lang: Lang, table: &str, rows: &[DueRow]) -> Sheet {
    Sheet {
        name: i18n::t(lang, &format!("dashboard-sheet-{table}")),
        columns: columns(
            lang,
            &[
                "export-organisation",
                "export-region",
                "export-framework",
                "export-step",
                "export-due",
                "export-window-start",
                "export-window-end",
                "export-state",
            ],
        ),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.organisation_name.clone().into(),
                    crate::domain::Region::parse(&r.region)
                        .map_or_else(|_| r.region.clone(), |g| g.name.to_owned())
                        .into(),
                    r.framework_name.clone().into(),
                    r.step.clone().into(),
                    r.due.into(),
                    r.window_start.into(),
                    r.window_end.into(),
                    i18n::t(lang, &format!("item-state-{}", r.state)).into(),
                ]
            })
            .collect(),
    }
}

fn frameworks(d: &Dashboard, lang: Lang) -> Sheet {
    Sheet {
        name: i18n::t(lang, "dashboard-sheet-frameworks"),
        columns: columns(
            lang,
            &[
                "export-framework",
                "rollout-standing-holding",
                "rollout-standing-renewal_due",
                "rollout-standing-suspended",
                "rollout-standing-engaged",
                "rollout-standing-lapsed",
                "rollout-standing-none",
                "dashboard-holds",
                "dashboard-rate",
                "dashboard-homes-covered",
                "dashboard-renewals",
                "dashboard-overdue",
                "dashboard-majors",
            ],
        ),
        rows: d
            .frameworks
            .iter()
            .map(|f| {
                vec![
                    f.name.clone().into(),
                    f.counts.holding.into(),
                    f.counts.renewal_due.into(),
                    f.counts.suspended.into(),
                    f.counts.engaged.into(),
                    f.counts.lapsed.into(),
                    f.counts.none.into(),
                    f.holds.into(),
                    f.rate.into(),
                    f.homes_covered.into(),
                    f.renewals_due.into(),
                    f.overdue.into(),
                    f.open_majors.into(),
                ]
            })
            .collect(),
    }
}

/// One table of the dashboard, by its name in `TABLES`.
pub fn table(d: &Dashboard, lang: Lang, name: &str) -> Option<Sheet> {
    let focus = d
        .frameworks
        .iter()
        .find(|f| Some(&f.key) == d.focus.as_ref())
        .map_or(String::new(), |f| f.name.clone());
    Some(match name {
        "frameworks" => frameworks(d, lang),
        "regions" => shares(lang, "regions", "export-region", &focus, &d.regions),
        "families" => shares(lang, "families", "export-family", &focus, &d.families),
        "years" => Sheet {
            name: i18n::t(lang, "dashboard-sheet-years"),
            columns: columns(
                lang,
                &[
                    "export-framework",
                    "dashboard-year",
                    "dashboard-granted",
                    "dashboard-holding-end",
                ],
            ),
            rows: d
                .rollout
                .iter()
                .flat_map(|f| {
                    f.years.iter().map(|y| {
                        vec![
                            Cell::from(f.name.clone()),
                            Cell::Number(f64::from(y.year)),
                            y.granted.into(),
                            y.holding.into(),
                        ]
                    })
                })
                .collect(),
        },
        "renewals" => due(lang, "renewals", &d.renewals),
        "overdue" => due(lang, "overdue", &d.overdue),
        "majors" => Sheet {
            name: i18n::t(lang, "dashboard-sheet-majors"),
            columns: columns(
                lang,
                &[
                    "export-organisation",
                    "export-framework",
                    "dashboard-audit",
                    "dashboard-majors",
                ],
            ),
            rows: d
                .majors
                .iter()
                .map(|m| {
                    vec![
                        m.organisation_name.clone().into(),
                        m.framework_name.clone().into(),
                        m.audit_title.clone().into(),
                        m.count.into(),
                    ]
                })
                .collect(),
        },
        _ => return None,
    })
}

/// Every table, one sheet each.
pub fn workbook(d: &Dashboard, lang: Lang) -> Vec<Sheet> {
    TABLES.iter().filter_map(|t| table(d, lang, t)).collect()
}
