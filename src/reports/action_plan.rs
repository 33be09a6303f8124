//! The action plan as a spreadsheet: the lines the page shows, in its order, with dates as
//! dates and the days of delay as a number.

use crate::i18n::{self, Lang};
use crate::reports::sheet::{Cell, Sheet};
use crate::services::actions::PlanRow;

pub fn sheet(rows: &[PlanRow], lang: Lang) -> Sheet {
    let t = |key: &str| i18n::t(lang, key);
    let text = |v: &Option<String>| v.clone().map_or(Cell::Empty, Cell::Text);
    let columns = [
        "actions-action",
        "field-requirement_ref",
        "field-origin",
        "commitments-framework",
        "field-site_id",
        "actions-owner",
        "field-priority",
        "actions-due",
        "actions-days-late",
        "field-state",
        "actions-correction",
        "actions-root_cause",
        "actions-corrective_action",
    ]
    .iter()
    .map(|k| t(k))
    .collect();
    let rows = rows
        .iter()
        .map(|r| {
            let a = &r.action;
            vec![
                Cell::Text(a.title.clone()),
                Cell::Text(a.requirement_ref.clone()),
                Cell::Text(t(&a.origin().label_key())),
                text(&r.framework),
                text(&r.site),
                text(&r.owner),
                Cell::Text(t(&a.priority().label_key())),
                Cell::Date(a.due_date),
                r.days_late.map_or(Cell::Empty, Cell::from),
                Cell::Text(t(&a.status().label_key())),
                Cell::Text(a.correction.clone()),
                Cell::Text(a.root_cause.clone()),
                Cell::Text(a.corrective_action.clone()),
            ]
        })
        .collect();
    Sheet {
        name: t("actions-title"),
        columns,
        rows,
    }
}
