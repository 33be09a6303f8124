//! The schedule of a commitment as people read it: items with words for their state and
//! "dans 23 jours" hints, and an SVG time line of its cycles.

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::schedule::{Alert, Item, ItemState, Schedule, Standing};
use crate::i18n::{self, Lang};
use crate::services::schedules::state_code;

#[derive(Debug, Serialize)]
pub struct ItemView {
    #[serde(flatten)]
    pub item: Item,
    pub state_code: &'static str,
    /// "dans 23 jours", "en retard de 5 jours"…
    pub hint: String,
    pub x: i64,
}

#[derive(Debug, Serialize)]
pub struct SpanView {
    pub index: usize,
    pub start: NaiveDate,
    pub expiry: NaiveDate,
    pub x_start: i64,
    pub x_expiry: i64,
    pub x_restoration: i64,
}

#[derive(Debug, Serialize)]
pub struct ScheduleView {
    pub items: Vec<ItemView>,
    pub spans: Vec<SpanView>,
    pub alerts: Vec<String>,
    pub standing: String,
    pub ticks: Vec<(i64, i32)>,
    pub today_x: i64,
    pub deadlines: Vec<crate::domain::schedule::DeadlineItem>,
}

pub const WIDTH: i64 = 960;
const MARGIN: i64 = 30;

/// "dans 23 jours", "aujourd'hui", "il y a 4 jours", "en retard de 5 jours".
pub fn hint(lang: Lang, item: &Item, today: NaiveDate) -> String {
    let days = |n: i64| n.abs().to_string();
    match item.state {
        ItemState::Done => String::new(),
        ItemState::Overdue | ItemState::Lapsed => i18n::t_args(
            lang,
            "schedule-late",
            &[("days", days((today - item.window_end).num_days()))],
        ),
        _ => match (item.due - today).num_days() {
            0 => i18n::t(lang, "schedule-today"),
            n if n > 0 => i18n::t_args(lang, "schedule-in", &[("days", days(n))]),
            // Past its date but inside its tolerance window: still to do, and by when.
            n => i18n::t_args(
                lang,
                "schedule-past-due",
                &[
                    ("days", days(n)),
                    ("end", item.window_end.format("%d/%m/%Y").to_string()),
                ],
            ),
        },
    }
}

pub fn present(schedule: &Schedule, lang: Lang, today: NaiveDate) -> ScheduleView {
    let first = schedule
        .items
        .iter()
        .map(|i| i.window_start)
        .chain(schedule.cycles.iter().map(|c| c.start))
        .chain(std::iter::once(today))
        .min()
        .unwrap_or(today);
    let last = schedule
        .items
        .iter()
        .map(|i| i.window_end)
        .chain(schedule.cycles.iter().map(|c| c.restoration_end))
        .chain(std::iter::once(today))
        .max()
        .unwrap_or(today);
    let span_days = (last - first).num_days().max(1);
    let x = |date: NaiveDate| MARGIN + (date - first).num_days() * (WIDTH - 2 * MARGIN) / span_days;
    let ticks = (first
        .format("%Y")
        .to_string()
        .parse::<i32>()
        .unwrap_or(2000)
        ..=last.format("%Y").to_string().parse::<i32>().unwrap_or(2000))
        .filter_map(|year| {
            NaiveDate::from_ymd_opt(year, 1, 1)
                .filter(|d| *d >= first && *d <= last)
                .map(|d| (x(d), year))
        })
        .collect();
    let alerts = schedule
        .alerts
        .iter()
        .map(|a| alert_text(lang, a))
        .collect();
    let standing = standing_text(lang, schedule.standing);
    ScheduleView {
        items: schedule
            .items
            .iter()
            .map(|i| ItemView {
                item: i.clone(),
                state_code: state_code(i.state),
                hint: hint(lang, i, today),
                x: x(i.done_on.unwrap_or(i.due)),
            })
            .collect(),
        spans: schedule
            .cycles
            .iter()
            .map(|c| SpanView {
                index: c.index,
                start: c.start,
                expiry: c.expiry,
                x_start: x(c.start),
                x_expiry: x(c.expiry),
                x_restoration: x(c.restoration_end),
            })
            .collect(),
        alerts,
        standing,
        ticks,
        today_x: x(today),
        deadlines: schedule.deadlines.clone(),
    }
}

fn day(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

pub fn alert_text(lang: Lang, alert: &Alert) -> String {
    match alert {
        Alert::YearWithoutAudit { year } => i18n::t_args(
            lang,
            "alert-year-without-audit",
            &[("year", year.to_string())],
        ),
        Alert::ExpiredRestorable { expired_on, until } => i18n::t_args(
            lang,
            "alert-restorable",
            &[("expired", day(*expired_on)), ("until", day(*until))],
        ),
        Alert::Lapsed { since } => i18n::t_args(lang, "alert-lapsed", &[("since", day(*since))]),
    }
}

pub fn standing_text(lang: Lang, standing: Standing) -> String {
    match standing {
        Standing::NotDecided => i18n::t(lang, "standing-not-decided"),
        Standing::Valid { until } => i18n::t_args(lang, "standing-valid", &[("until", day(until))]),
        Standing::ExpiredRestorable { until } => {
            i18n::t_args(lang, "standing-restorable", &[("until", day(until))])
        }
        Standing::Lapsed { since } => {
            i18n::t_args(lang, "standing-lapsed", &[("since", day(since))])
        }
        Standing::Ended { on } => i18n::t_args(lang, "standing-ended", &[("on", day(on))]),
    }
}

/// One card per commitment (framework, state, standing, certificate, next step and alerts),
/// as the organisme's page and its quality manager's home show them.
pub fn cards(
    commitments: &[crate::services::schedules::CommitmentSchedule],
    lang: Lang,
    today: NaiveDate,
) -> Vec<serde_json::Value> {
    commitments
        .iter()
        .map(|(c, name, version, schedule)| {
            let view = present(schedule, lang, today);
            let next = schedule.next_due().map(|i| {
                serde_json::json!({
                    "name": i.name, "due": i.due, "window_start": i.window_start, "window_end": i.window_end,
                    "state": crate::services::schedules::state_code(i.state),
                    "hint": hint(lang, i, today),
                })
            });
            serde_json::json!({
                "id": c.id, "state": c.state, "framework": name, "version": version,
                "certificate_number": c.certificate_number, "standing": view.standing,
                "alerts": view.alerts, "next": next,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_step_past_its_date_inside_its_window_says_by_when_not_how_long_ago() {
        let item = Item {
            cycle: 1,
            code: "suivi-1".into(),
            name: "Audit de suivi".into(),
            kind: "surveillance".into(),
            required: true,
            due: day("2026-11-01"),
            window_start: day("2026-08-01"),
            window_end: day("2027-01-31"),
            done_on: None,
            state: ItemState::DueSoon,
        };
        assert_eq!(
            hint(Lang::Fr, &item, day("2026-12-02")),
            "date prévue dépassée de 31 jours, à réaliser au plus tard le 31/01/2027"
        );
        assert_eq!(hint(Lang::Fr, &item, day("2026-10-22")), "dans 10 jours");
    }
}
