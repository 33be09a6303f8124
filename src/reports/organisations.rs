//! The list of organismes as a spreadsheet: every organisme the list's filters keep, and,
//! when it is the list of one framework, where each stands in it.

use std::collections::HashMap;
use std::hash::BuildHasher;

use crate::domain::Region;
use crate::i18n::{self, Lang};
use crate::models::organisation::OrganisationSummary;
use crate::reports::sheet::{Cell, Sheet};
use crate::services::schedules::FrameworkStanding;

pub fn sheet<S: BuildHasher>(
    items: &[OrganisationSummary],
    standings: Option<&HashMap<String, FrameworkStanding, S>>,
    lang: Lang,
) -> Sheet {
    let t = |key: &str| i18n::t(lang, key);
    let mut columns: Vec<String> = [
        "field-name",
        "field-siren",
        "field-family",
        "field-region",
        "field-homes",
        "organisations-sites",
    ]
    .iter()
    .map(|k| t(k))
    .collect();
    if standings.is_some() {
        columns.extend(
            [
                "commitments-framework",
                "field-state",
                "organisations-last-decision",
                "organisations-valid-until",
                "commitments-next",
                "schedule-due",
            ]
            .iter()
            .map(|k| t(k)),
        );
    }
    let date = |d: Option<chrono::NaiveDate>| d.map_or(Cell::Empty, Cell::Date);
    let rows = items
        .iter()
        .map(|item| {
            let o = &item.organisation;
            let mut row = vec![
                Cell::Text(o.name.clone()),
                Cell::Text(o.siren.clone()),
                Cell::Text(t(&format!("family-{}", o.family))),
                Cell::Text(
                    Region::by_code(&o.region).map_or_else(|| o.region.clone(), |r| r.name.into()),
                ),
                Cell::from(i64::from(o.homes)),
                Cell::from(item.sites_count),
            ];
            if let Some(standings) = standings {
                match standings.get(&o.id) {
                    Some(s) => row.extend([
                        Cell::Text(s.framework.clone()),
                        Cell::Text(t(&format!("commitment-state-{}", s.state))),
                        date(s.last_decision),
                        date(s.valid_until),
                        s.next_step.clone().map_or(Cell::Empty, Cell::Text),
                        date(s.next_due),
                    ]),
                    None => row.extend([
                        Cell::Empty,
                        Cell::Text(t("organisations-not-committed")),
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Empty,
                    ]),
                }
            }
            row
        })
        .collect();
    Sheet {
        name: t("organisations-title"),
        columns,
        rows,
    }
}
