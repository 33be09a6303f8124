//! The schedule engine: from a framework's cycle and what has happened to a commitment
//! (start, decisions, audits held, end), every planned step with its due date, tolerance
//! window and state, the cycles with their expiry and restoration window, the deadlines that
//! run from events, and alerts. Pure: dates in, dates out.

use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;

use super::calendar::{Zone, add_months, add_working_days};
use super::framework::plan::{CyclePlan, PlanStep};

/// Items whose window opens within this many days are "due soon".
pub const DUE_SOON_DAYS: i64 = 90;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub step: String,
    pub date: NaiveDate,
}

/// What happened to a commitment, as the engine needs it.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// When the organisme entered the process (anchor `start`).
    pub start: Option<NaiveDate>,
    /// The first decision, then each renewal decision, in date order.
    pub decisions: Vec<NaiveDate>,
    pub held: Vec<Held>,
    /// Withdrawn on this date: nothing is planned after it.
    pub ended: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    Planned,
    DueSoon,
    Overdue,
    Done,
    /// Never held, and its cycle is over.
    Lapsed,
}

#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// 0 for the initial phase, then 1, 2… for each cycle.
    pub cycle: usize,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub required: bool,
    pub due: NaiveDate,
    pub window_start: NaiveDate,
    pub window_end: NaiveDate,
    pub done_on: Option<NaiveDate>,
    pub state: ItemState,
}

impl Item {
    /// A step that renews: the renewal audit, or a decision after the first cycle.
    pub fn renews(&self) -> bool {
        self.kind == "renewal" || (self.kind == "decision" && self.cycle > 0)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CycleSpan {
    pub index: usize,
    pub start: NaiveDate,
    pub expiry: NaiveDate,
    pub restoration_end: NaiveDate,
    pub renewed_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeadlineItem {
    pub code: String,
    pub name: String,
    pub from: NaiveDate,
    pub due: NaiveDate,
    pub working_days: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Alert {
    /// A calendar year of the cycle with no audit planned or held (ISO/IEC 17021-1).
    YearWithoutAudit { year: i32 },
    /// Expired without renewal; a renewal until `until` restores the certificate or label.
    ExpiredRestorable {
        expired_on: NaiveDate,
        until: NaiveDate,
    },
    /// Expired and past restoration: the process starts again.
    Lapsed { since: NaiveDate },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Standing {
    /// No decision yet.
    NotDecided,
    Valid {
        until: NaiveDate,
    },
    ExpiredRestorable {
        until: NaiveDate,
    },
    Lapsed {
        since: NaiveDate,
    },
    Ended {
        on: NaiveDate,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct Schedule {
    pub items: Vec<Item>,
    pub cycles: Vec<CycleSpan>,
    pub deadlines: Vec<DeadlineItem>,
    pub alerts: Vec<Alert>,
    pub standing: Standing,
}

impl Schedule {
    /// The next item not done yet, overdue ones first.
    pub fn next_due(&self) -> Option<&Item> {
        self.items
            .iter()
            .filter(|i| {
                matches!(
                    i.state,
                    ItemState::Overdue | ItemState::DueSoon | ItemState::Planned
                )
            })
            .min_by_key(|i| (i.state != ItemState::Overdue, i.due))
    }
}

fn window(step: &PlanStep, due: NaiveDate) -> (NaiveDate, NaiveDate) {
    (
        due - Duration::days(step.window_before_days.unwrap_or(0)),
        due + Duration::days(step.window_after_days.unwrap_or(0)),
    )
}

fn item(cycle: usize, step: &PlanStep, due: NaiveDate) -> Item {
    let (window_start, window_end) = window(step, due);
    Item {
        cycle,
        code: step.code.clone(),
        name: step.name.clone(),
        kind: step.kind.clone(),
        required: step.required.unwrap_or(true),
        due,
        window_start,
        window_end,
        done_on: None,
        state: ItemState::Planned,
    }
}

/// Computes the schedule of a commitment as of `today`.
pub fn compute(plan: &CyclePlan, history: &History, today: NaiveDate, zone: Zone) -> Schedule {
    let mut decisions = history.decisions.clone();
    decisions.sort_unstable();
    let start = history
        .start
        .or_else(|| decisions.first().copied())
        .unwrap_or(today);
    let mut items: Vec<Item> = plan
        .audits
        .iter()
        .filter(|s| s.anchor == "start")
        .map(|s| item(0, s, add_months(start, s.offset_months)))
        .collect();
    if let (Some(first), Some(decision)) = (
        decisions.first(),
        items.iter_mut().find(|i| i.kind == "decision"),
    ) {
        decision.done_on = Some(*first);
    }

    let cycles = cycle_spans(plan, &decisions);
    for span in &cycles {
        for step in plan.audits.iter().filter(|s| s.anchor != "start") {
            let anchor = if step.anchor == "expiry" {
                span.expiry
            } else {
                span.start
            };
            let mut planned = item(span.index, step, add_months(anchor, step.offset_months));
            if step.kind == "decision" {
                planned.done_on = span.renewed_on;
            }
            items.push(planned);
        }
    }
    match_held(&mut items, &history.held);

    let standing = standing(&cycles, history.ended, today);
    if let Some(end) = history.ended {
        items.retain(|i| i.done_on.is_some() || i.due <= end);
    }
    let current = cycles.last().map_or(0, |c| c.index);
    for i in &mut items {
        i.state = state_of(i, current, standing, today);
    }
    items.sort_by_key(|i| (i.cycle, i.done_on.unwrap_or(i.due)));

    let mut alerts = Vec::new();
    if plan.audit_every_calendar_year {
        alerts.extend(years_without_audit(&items, &cycles));
    }
    match standing {
        Standing::ExpiredRestorable { until } => alerts.push(Alert::ExpiredRestorable {
            expired_on: cycles.last().map_or(until, |c| c.expiry),
            until,
        }),
        Standing::Lapsed { since } => alerts.push(Alert::Lapsed { since }),
        _ => {}
    }
    let deadlines = deadlines(plan, &items, &cycles, zone);
    Schedule {
        items,
        cycles,
        deadlines,
        alerts,
        standing,
    }
}

/// One span per decision: cycle k starts at its opening decision, or at the previous expiry
/// when the framework counts renewals from it (ISO recertification).
fn cycle_spans(plan: &CyclePlan, decisions: &[NaiveDate]) -> Vec<CycleSpan> {
    let from_previous_expiry = plan.renewal_expiry_from.as_deref() == Some("previous_expiry");
    let mut spans: Vec<CycleSpan> = Vec::new();
    for (k, decision) in decisions.iter().enumerate() {
        let start = match spans.last() {
            // A late renewal (after expiry) starts the new cycle at its own date.
            Some(previous) if from_previous_expiry && *decision <= previous.restoration_end => {
                previous.expiry
            }
            _ => *decision,
        };
        let expiry = add_months(start, plan.validity_months);
        spans.push(CycleSpan {
            index: k + 1,
            start,
            expiry,
            restoration_end: add_months(expiry, plan.restoration_months),
            renewed_on: decisions.get(k + 1).copied(),
        });
    }
    spans
}

/// Each audit held completes the not yet done step of the same code whose due date is nearest.
fn match_held(items: &mut [Item], held: &[Held]) {
    let mut held: Vec<&Held> = held.iter().collect();
    held.sort_by_key(|h| h.date);
    for h in held {
        let nearest = items
            .iter_mut()
            .filter(|i| i.code == h.step && i.done_on.is_none())
            .min_by_key(|i| (i.due - h.date).num_days().abs());
        if let Some(found) = nearest {
            found.done_on = Some(h.date);
        }
    }
}

fn standing(cycles: &[CycleSpan], ended: Option<NaiveDate>, today: NaiveDate) -> Standing {
    if let Some(on) = ended.filter(|e| *e <= today) {
        return Standing::Ended { on };
    }
    let Some(last) = cycles.last() else {
        return Standing::NotDecided;
    };
    if today < last.expiry {
        Standing::Valid { until: last.expiry }
    } else if today < last.restoration_end {
        Standing::ExpiredRestorable {
            until: last.restoration_end,
        }
    } else {
        Standing::Lapsed { since: last.expiry }
    }
}

fn state_of(i: &Item, current_cycle: usize, standing: Standing, today: NaiveDate) -> ItemState {
    if i.done_on.is_some() {
        return ItemState::Done;
    }
    // A decision taken proves the audits it rests on were held, recorded or not: the initial
    // audits before the first decision, the renewal audit before a renewal.
    let decided_after = i.cycle < current_cycle;
    if decided_after
        && matches!(
            i.kind.as_str(),
            "diagnostic" | "initial" | "renewal" | "decision"
        )
    {
        return ItemState::Done;
    }
    let cycle_over = i.cycle < current_cycle
        || matches!(standing, Standing::Lapsed { .. } | Standing::Ended { .. })
        || (i.cycle == 0 && current_cycle > 0);
    if today > i.window_end {
        return if cycle_over {
            ItemState::Lapsed
        } else {
            ItemState::Overdue
        };
    }
    if cycle_over {
        return ItemState::Lapsed;
    }
    if today >= i.window_start || (i.due - today).num_days() <= DUE_SOON_DAYS {
        ItemState::DueSoon
    } else {
        ItemState::Planned
    }
}

/// Calendar years of each cycle without any audit, except years with a renewal decision.
fn years_without_audit(items: &[Item], cycles: &[CycleSpan]) -> Vec<Alert> {
    let audit_years: Vec<i32> = items
        .iter()
        .filter(|i| i.kind != "decision" && i.state != ItemState::Lapsed)
        .map(|i| i.done_on.unwrap_or(i.due).year())
        .collect();
    let decision_years: Vec<i32> = items
        .iter()
        .filter(|i| i.kind == "decision" && i.cycle > 0)
        .map(|i| i.done_on.unwrap_or(i.due).year())
        .collect();
    let mut alerts = Vec::new();
    for span in cycles {
        for year in span.start.year()..span.expiry.year() {
            if !decision_years.contains(&year) && !audit_years.contains(&year) {
                let alert = Alert::YearWithoutAudit { year };
                if !alerts.contains(&alert) {
                    alerts.push(alert);
                }
            }
        }
    }
    alerts
}

/// Deadlines that run from events that have happened (or are planned): one per event.
fn deadlines(
    plan: &CyclePlan,
    items: &[Item],
    cycles: &[CycleSpan],
    zone: Zone,
) -> Vec<DeadlineItem> {
    let mut out = Vec::new();
    for d in &plan.deadlines {
        let froms: Vec<NaiveDate> = match d.after.as_str() {
            "audit_end" => items
                .iter()
                .filter(|i| i.kind != "decision")
                .filter_map(|i| i.done_on)
                .collect(),
            "decision" => cycles.iter().map(|c| c.start).collect(),
            "expiry" => cycles.iter().map(|c| c.expiry).collect(),
            "start" => items
                .iter()
                .filter(|i| i.cycle == 0)
                .map(|i| i.due)
                .take(1)
                .collect(),
            code => items
                .iter()
                .filter(|i| i.code == code)
                .filter_map(|i| i.done_on)
                .collect(),
        };
        for from in froms {
            let (due, working_days) = match (d.days, d.months, d.unit.as_deref()) {
                (Some(days), _, Some("working")) => (
                    add_working_days(from, u32::try_from(days).unwrap_or(0), zone),
                    true,
                ),
                (Some(days), _, _) => (from + Duration::days(days), false),
                (_, Some(months), _) => (add_months(from, months), false),
                _ => continue,
            };
            out.push(DeadlineItem {
                code: d.code.clone(),
                name: d.name.clone(),
                from,
                due,
                working_days,
            });
        }
    }
    out.sort_by_key(|d| d.due);
    out
}
