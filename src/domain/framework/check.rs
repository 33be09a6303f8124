//! The rules one framework file must follow beyond its syntax (audit-frameworks/README.md,
//! "Rules the loader checks", 1–10): unique codes, a sound tree, known indicators, coherent
//! grades, targets within their unit and a coherent cycle.

use std::collections::{HashMap, HashSet};

use super::file::{Anchor, FrameworkFile, Step, StepKind, Unit};
use super::report::Collector;
use crate::domain::Invalid;

/// Fixed events a deadline may run from, besides the codes of the cycle's steps.
const EVENTS: [&str; 4] = ["start", "decision", "audit_end", "expiry"];

pub fn check_file(c: &mut Collector<'_>, f: &FrameworkFile) {
    if let Some(version) = &f.format_version
        && *version.get_ref() != 1
    {
        c.error(
            &version.span(),
            "format_version",
            Invalid::new("fw-format-version"),
        );
    }
    if f.framework.version.get_ref().as_str().chars().count() > 40 {
        c.error(
            &f.framework.version.span(),
            "version",
            Invalid::new("fw-too-long").arg("max", 40),
        );
    }
    if let Some(date) = &f.framework.effective_date {
        let d = date.get_ref();
        if d.date.is_none() || d.time.is_some() || d.offset.is_some() {
            c.error(
                &date.span(),
                "effective_date",
                Invalid::new("fw-not-a-date"),
            );
        }
    }
    check_cycle(c, f);
    check_grades(c, f);
    let used = check_requirements(c, f);
    check_indicators(c, f, &used);
    let refs: HashSet<&str> = f
        .requirements
        .iter()
        .map(|r| r.reference.get_ref().0.as_str())
        .collect();
    for m in &f.mappings {
        if !refs.contains(m.from.get_ref().as_str()) {
            c.error(
                &m.from.span(),
                "mappings.from",
                Invalid::new("fw-unknown-from").arg("value", m.from.get_ref()),
            );
        }
    }
}

fn at_least(c: &mut Collector<'_>, value: &toml::Spanned<i64>, field: &str, min: i64) -> bool {
    if *value.get_ref() < min {
        c.error(&value.span(), field, Invalid::new("fw-min").arg("min", min));
        return false;
    }
    true
}

fn check_cycle(c: &mut Collector<'_>, f: &FrameworkFile) {
    let cycle = &f.cycle;
    let validity_ok = at_least(c, &cycle.validity_months, "validity_months", 1);
    at_least(c, &cycle.restoration_months, "restoration_months", 0);
    let validity = *cycle.validity_months.get_ref();
    let restoration = *cycle.restoration_months.get_ref();

    let mut codes = HashSet::new();
    for code in cycle
        .audits
        .iter()
        .map(|s| &s.code)
        .chain(cycle.deadlines.iter().map(|d| &d.code))
    {
        if !codes.insert(code.get_ref().0.as_str()) {
            c.error(
                &code.span(),
                "code",
                Invalid::new("fw-duplicate").arg("value", &code.get_ref().0),
            );
        }
    }
    if cycle.audits.is_empty() {
        c.error(
            &cycle.validity_months.span(),
            "cycle.audits",
            Invalid::new("fw-no-steps"),
        );
        return;
    }
    for step in &cycle.audits {
        check_step_fit(c, step, validity, restoration, validity_ok);
    }
    check_step_order(c, f, validity);

    for d in &cycle.deadlines {
        match (&d.days, &d.months) {
            (Some(days), None) => {
                at_least(c, days, "days", 1);
                if d.unit.is_none() {
                    c.error(&days.span(), "unit", Invalid::new("fw-unit-with-days"));
                }
            }
            (None, Some(months)) => {
                at_least(c, months, "months", 1);
                if let Some(unit) = &d.unit {
                    c.error(&unit.span(), "unit", Invalid::new("fw-unit-with-days"));
                }
            }
            _ => c.error(&d.code.span(), "days", Invalid::new("fw-days-or-months")),
        }
        let after = d.after.get_ref().as_str();
        if !EVENTS.contains(&after) && !cycle.audits.iter().any(|s| s.code.get_ref().0 == after) {
            c.error(
                &d.after.span(),
                "after",
                Invalid::new("fw-unknown-event").arg("value", after),
            );
        }
    }
}

/// Kind and anchor fit together, offsets and windows stay within bounds (rules 1, 5, 7).
fn check_step_fit(
    c: &mut Collector<'_>,
    step: &Step,
    validity: i64,
    restoration: i64,
    validity_ok: bool,
) {
    let kind = *step.kind.get_ref();
    let anchor = *step.anchor.get_ref();
    let fits = match kind {
        StepKind::Diagnostic | StepKind::Initial => anchor == Anchor::Start,
        StepKind::Surveillance | StepKind::Verification => anchor != Anchor::Start,
        StepKind::Renewal => anchor == Anchor::Expiry,
        StepKind::Decision => anchor != Anchor::Decision,
    };
    if !fits {
        c.error(
            &step.anchor.span(),
            "anchor",
            Invalid::new("fw-kind-anchor")
                .arg("kind", kind.as_str())
                .arg("value", anchor.as_str()),
        );
    }
    let offset = *step.offset_months.get_ref();
    let (min, max) = match anchor {
        Anchor::Start => (0, i64::MAX),
        Anchor::Decision => (0, validity),
        Anchor::Expiry => (-validity, restoration),
    };
    if validity_ok && !(min..=max).contains(&offset) {
        let problem = if max == i64::MAX {
            Invalid::new("fw-min").arg("min", min)
        } else {
            Invalid::new("fw-range").arg("min", min).arg("max", max)
        };
        c.error(&step.offset_months.span(), "offset_months", problem);
    }
    for window in [&step.window_before_days, &step.window_after_days]
        .into_iter()
        .flatten()
    {
        at_least(c, window, "window_days", 0);
    }
}

/// The initial phase ends with the first decision; positions never go back (rules 2, 3, 4, 6).
fn check_step_order(c: &mut Collector<'_>, f: &FrameworkFile, validity: i64) {
    let steps = &f.cycle.audits;
    let is_start = |s: &Step| *s.anchor.get_ref() == Anchor::Start;
    let is_decision = |s: &Step| *s.kind.get_ref() == StepKind::Decision;
    let start_decisions: Vec<usize> = steps
        .iter()
        .enumerate()
        .filter(|(_, s)| is_start(s) && is_decision(s))
        .map(|(i, _)| i)
        .collect();
    let last_start = steps.iter().rposition(is_start);
    if start_decisions.len() != 1 || last_start != start_decisions.first().copied() {
        c.error(
            &steps[0].code.span(),
            "cycle.audits",
            Invalid::new("fw-start-decision"),
        );
    }
    let mut seen_cycle_phase = false;
    let mut last_start_offset = i64::MIN;
    let mut last_position = i64::MIN;
    for step in steps {
        let offset = *step.offset_months.get_ref();
        if is_start(step) {
            if seen_cycle_phase || offset < last_start_offset {
                c.error(
                    &step.offset_months.span(),
                    "offset_months",
                    Invalid::new("fw-step-order").arg("value", &step.code.get_ref().0),
                );
            }
            last_start_offset = offset;
            continue;
        }
        seen_cycle_phase = true;
        let position = if *step.anchor.get_ref() == Anchor::Expiry {
            validity + offset
        } else {
            offset
        };
        if position < last_position {
            c.error(
                &step.offset_months.span(),
                "offset_months",
                Invalid::new("fw-step-order").arg("value", &step.code.get_ref().0),
            );
        }
        last_position = position;
    }
    let renewals = steps
        .iter()
        .filter(|s| *s.kind.get_ref() == StepKind::Renewal)
        .count();
    let expiry_decisions: Vec<usize> = steps
        .iter()
        .enumerate()
        .filter(|(_, s)| is_decision(s) && *s.anchor.get_ref() == Anchor::Expiry)
        .map(|(i, _)| i)
        .collect();
    let coherent = if renewals == 0 {
        expiry_decisions.is_empty()
    } else {
        expiry_decisions == [steps.len() - 1]
    };
    if !coherent {
        let span = expiry_decisions.first().map_or_else(
            || steps[steps.len() - 1].code.span(),
            |i| steps[*i].code.span(),
        );
        c.error(&span, "cycle.audits", Invalid::new("fw-renewal-decision"));
    }
}

fn check_grades(c: &mut Collector<'_>, f: &FrameworkFile) {
    if f.grades.is_empty() {
        c.error(
            &f.framework.code.span(),
            "grades",
            Invalid::new("fw-no-grades"),
        );
    }
    let mut codes = HashSet::new();
    for g in &f.grades {
        if !codes.insert(g.code.get_ref().0.as_str()) {
            c.error(
                &g.code.span(),
                "code",
                Invalid::new("fw-duplicate").arg("value", &g.code.get_ref().0),
            );
        }
        let severity = *g.severity.get_ref();
        if !(0..=4).contains(&severity) {
            c.error(
                &g.severity.span(),
                "severity",
                Invalid::new("fw-range").arg("min", 0).arg("max", 4),
            );
        } else if *g.nonconformity.get_ref() != (severity >= 3) {
            c.error(
                &g.nonconformity.span(),
                "nonconformity",
                Invalid::new("fw-nonconformity-severity"),
            );
        }
        if *g.blocks_decision.get_ref() && !*g.nonconformity.get_ref() {
            c.error(
                &g.blocks_decision.span(),
                "blocks_decision",
                Invalid::new("fw-blocks-without-nc"),
            );
        }
        match (&g.response_days, &g.response_unit) {
            (Some(days), Some(_)) => {
                at_least(c, days, "response_days", 1);
            }
            (None, None) => {}
            (Some(days), None) => c.error(
                &days.span(),
                "response_unit",
                Invalid::new("fw-response-pair"),
            ),
            (None, Some(unit)) => c.error(
                &unit.span(),
                "response_days",
                Invalid::new("fw-response-pair"),
            ),
        }
    }
}

/// Checks the tree; returns the indicator codes the requirements use.
fn check_requirements<'f>(c: &mut Collector<'_>, f: &'f FrameworkFile) -> HashSet<&'f str> {
    if f.requirements.is_empty() {
        c.error(
            &f.framework.code.span(),
            "requirements",
            Invalid::new("fw-no-requirements"),
        );
    }
    let indicators: HashSet<&str> = f
        .indicators
        .iter()
        .map(|i| i.code.get_ref().0.as_str())
        .collect();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut used = HashSet::new();
    for (position, r) in f.requirements.iter().enumerate() {
        let reference = r.reference.get_ref().0.as_str();
        if seen.insert(reference, position).is_some() {
            c.error(
                &r.reference.span(),
                "ref",
                Invalid::new("fw-duplicate").arg("value", reference),
            );
        }
        if let Some(parent) = &r.parent {
            let name = parent.get_ref().as_str();
            if name == reference {
                c.error(
                    &parent.span(),
                    "parent",
                    Invalid::new("fw-own-parent").arg("value", name),
                );
            } else if !seen.contains_key(name) {
                let later = f
                    .requirements
                    .iter()
                    .any(|o| o.reference.get_ref().0 == name);
                let key = if later {
                    "fw-parent-after"
                } else {
                    "fw-unknown-parent"
                };
                c.error(
                    &parent.span(),
                    "parent",
                    Invalid::new(key).arg("value", name),
                );
            }
        }
        let mut listed = HashSet::new();
        for code in &r.indicators {
            let name = code.get_ref().as_str();
            used.insert(name);
            if !indicators.contains(name) {
                c.error(
                    &code.span(),
                    "indicators",
                    Invalid::new("fw-unknown-indicator")
                        .arg("value", name)
                        .arg("detail", reference),
                );
            } else if !listed.insert(name) {
                c.error(
                    &code.span(),
                    "indicators",
                    Invalid::new("fw-duplicate-item").arg("value", name),
                );
            }
        }
        let mut evidence = HashSet::new();
        for item in &r.evidence {
            if !evidence.insert(item.get_ref().as_str()) {
                c.error(
                    &item.span(),
                    "evidence",
                    Invalid::new("fw-duplicate-item").arg("value", item.get_ref().as_str()),
                );
            }
        }
    }
    used
}

fn check_indicators(c: &mut Collector<'_>, f: &FrameworkFile, used: &HashSet<&str>) {
    let mut codes = HashSet::new();
    for i in &f.indicators {
        let code = i.code.get_ref().0.as_str();
        if !codes.insert(code) {
            c.error(
                &i.code.span(),
                "code",
                Invalid::new("fw-duplicate").arg("value", code),
            );
        }
        if let Some(target) = &i.target {
            let (min, max) = match i.unit {
                Unit::Percent => (0.0, 100.0),
                Unit::Score10 => (0.0, 10.0),
                _ => (0.0, f64::INFINITY),
            };
            let value = *target.get_ref();
            if !value.is_finite() || value < min || value > max {
                let problem = if max.is_finite() {
                    Invalid::new("fw-target-range")
                        .arg("min", min)
                        .arg("max", max)
                        .arg("unit", i.unit.as_str())
                } else {
                    Invalid::new("fw-min").arg("min", min)
                };
                c.error(&target.span(), "target", problem);
            }
        }
        let slas: Vec<&toml::Spanned<i64>> = [
            &i.sla_hours,
            &i.sla_working_days,
            &i.sla_calendar_days,
            &i.sla_months,
        ]
        .into_iter()
        .flatten()
        .collect();
        if slas.len() > 1 {
            c.error(&slas[1].span(), "sla", Invalid::new("fw-one-sla"));
        }
        for sla in slas {
            at_least(c, sla, "sla", 1);
        }
        if !used.contains(code) {
            c.warning(
                &i.code.span(),
                "code",
                Invalid::new("fw-unused-indicator").arg("value", code),
            );
        }
    }
}
