//! Hand-checked schedules for each bundled framework, and invariants over random histories.

use chrono::{Datelike, NaiveDate};
use proptest::prelude::*;

use super::calendar::{Zone, add_months, is_working_day};
use super::framework::plan::CyclePlan;
use super::framework::{FrameworkFile, bundled};
use super::schedule::{Alert, Held, History, ItemState, Standing, compute};

fn plan(name: &str) -> CyclePlan {
    let files = bundled();
    let (_, source) = files.iter().find(|(n, _)| n == name).expect("bundled file");
    let file: FrameworkFile = toml::from_str(source).expect("parses");
    CyclePlan::parse(&serde_json::to_string(&file.cycle).unwrap()).unwrap()
}

fn d(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn granted(start: &str, decision: &str) -> History {
    History {
        start: Some(d(start)),
        decisions: vec![d(decision)],
        ..History::default()
    }
}

#[test]
fn qualibail_granted_on_12_march_2024_plans_follow_ups_and_renewal() {
    let schedule = compute(
        &plan("qualibail-iv.toml"),
        &granted("2023-12-12", "2024-03-12"),
        d("2024-06-01"),
        Zone::Metropole,
    );
    let due = |code: &str| {
        schedule
            .items
            .iter()
            .find(|i| i.code == code && i.cycle == 1)
            .unwrap()
    };
    assert_eq!(due("suivi-1").due, d("2025-03-12"));
    assert_eq!(
        (due("suivi-1").window_start, due("suivi-1").window_end),
        (d("2025-01-11"), d("2025-05-11"))
    );
    assert_eq!(due("suivi-2").due, d("2026-03-12"));
    assert_eq!(due("renouvellement").due, d("2026-12-12"));
    assert_eq!(due("decision-renouvellement").due, d("2027-03-12"));
    assert_eq!(schedule.cycles[0].expiry, d("2027-03-12"));
    assert_eq!(
        schedule.standing,
        Standing::Valid {
            until: d("2027-03-12")
        }
    );
    assert_eq!(due("suivi-1").state, ItemState::Planned);
    // The initial steps are behind: the decision is done, the initial audit was not recorded.
    let initial_decision = schedule
        .items
        .iter()
        .find(|i| i.cycle == 0 && i.kind == "decision")
        .unwrap();
    assert_eq!(initial_decision.state, ItemState::Done);
}

#[test]
fn states_follow_the_calendar_and_the_audits_held() {
    let p = plan("qualibail-iv.toml");
    let mut history = granted("2023-12-12", "2024-03-12");
    let state_on = |h: &History, day: &str| {
        compute(&p, h, d(day), Zone::Metropole)
            .items
            .into_iter()
            .find(|i| i.code == "suivi-1")
            .unwrap()
            .state
    };
    assert_eq!(state_on(&history, "2024-12-20"), ItemState::DueSoon);
    assert_eq!(state_on(&history, "2025-02-01"), ItemState::DueSoon);
    assert_eq!(state_on(&history, "2025-06-01"), ItemState::Overdue);
    history.held.push(Held {
        step: "suivi-1".into(),
        date: d("2025-03-04"),
    });
    assert_eq!(state_on(&history, "2025-06-01"), ItemState::Done);
}

#[test]
fn iso_first_surveillance_is_due_no_later_than_12_months_after_the_decision() {
    let schedule = compute(
        &plan("iso-9001-2015.toml"),
        &granted("2023-11-12", "2024-03-12"),
        d("2024-04-01"),
        Zone::Metropole,
    );
    let s1 = schedule
        .items
        .iter()
        .find(|i| i.code == "surveillance-1")
        .unwrap();
    assert_eq!(s1.window_end, d("2025-03-12"));
    assert_eq!(s1.window_start, d("2024-12-12"));
    assert!(schedule.alerts.is_empty(), "{:?}", schedule.alerts);
}

#[test]
fn iso_warns_of_a_calendar_year_without_audit() {
    // Decided in January: nothing falls in the rest of 2024 unless surveillance 1 is brought forward.
    let mut history = granted("2023-09-01", "2024-01-10");
    history.held.push(Held {
        step: "etape-2".into(),
        date: d("2023-12-05"),
    });
    let schedule = compute(
        &plan("iso-9001-2015.toml"),
        &history,
        d("2024-02-01"),
        Zone::Metropole,
    );
    assert!(
        schedule
            .alerts
            .contains(&Alert::YearWithoutAudit { year: 2024 }),
        "{:?}",
        schedule.alerts
    );
}

#[test]
fn iso_restoration_window_and_lapse() {
    let p = plan("iso-9001-2015.toml");
    let history = granted("2020-09-01", "2021-01-10");
    let restorable = compute(&p, &history, d("2024-03-01"), Zone::Metropole);
    assert_eq!(
        restorable.standing,
        Standing::ExpiredRestorable {
            until: d("2024-07-10")
        }
    );
    let lapsed = compute(&p, &history, d("2024-08-01"), Zone::Metropole);
    assert_eq!(
        lapsed.standing,
        Standing::Lapsed {
            since: d("2024-01-10")
        }
    );
    assert!(
        lapsed
            .items
            .iter()
            .filter(|i| i.code == "renouvellement")
            .all(|i| i.state == ItemState::Lapsed)
    );

    // Renewed late but within restoration: the new cycle keeps the original anniversary.
    let restored = History {
        decisions: vec![d("2021-01-10"), d("2024-03-01")],
        ..history
    };
    let schedule = compute(&p, &restored, d("2024-04-01"), Zone::Metropole);
    assert_eq!(schedule.cycles[1].start, d("2024-01-10"));
    assert_eq!(schedule.cycles[1].expiry, d("2027-01-10"));
}

#[test]
fn quali_hlm_runs_from_the_hqs_diagnostic_to_the_verification_audit() {
    let p = plan("quali-hlm.toml");
    let not_yet = compute(
        &p,
        &History {
            start: Some(d("2023-01-15")),
            ..History::default()
        },
        d("2023-06-01"),
        Zone::Reunion,
    );
    assert_eq!(not_yet.standing, Standing::NotDecided);
    let committee = not_yet
        .items
        .iter()
        .find(|i| i.code == "decision-comite")
        .unwrap();
    assert_eq!(committee.due, d("2024-03-15"));
    let labelled = compute(
        &p,
        &granted("2023-01-15", "2024-04-02"),
        d("2024-05-01"),
        Zone::Reunion,
    );
    let verification = labelled
        .items
        .iter()
        .find(|i| i.code == "audit-verification")
        .unwrap();
    assert_eq!(verification.due, d("2025-10-02"));
    let renewal = labelled
        .items
        .iter()
        .find(|i| i.code == "audit-renouvellement")
        .unwrap();
    assert_eq!(renewal.due, d("2026-12-02"));
    // The improvement plan is due 3 months after the diagnostic once it has been held.
    let mut history = granted("2023-01-15", "2024-04-02");
    history.held.push(Held {
        step: "diagnostic-hqs".into(),
        date: d("2023-02-01"),
    });
    let with_plan = compute(&p, &history, d("2024-05-01"), Zone::Reunion);
    assert!(
        with_plan
            .deadlines
            .iter()
            .any(|dl| dl.code == "plan-amelioration" && dl.due == d("2023-05-01"))
    );
}

#[test]
fn a_withdrawn_commitment_plans_nothing_after_its_end() {
    let mut history = granted("2023-12-12", "2024-03-12");
    history.ended = Some(d("2025-06-01"));
    let schedule = compute(
        &plan("qualibail-iv.toml"),
        &history,
        d("2025-07-01"),
        Zone::Metropole,
    );
    assert_eq!(
        schedule.standing,
        Standing::Ended {
            on: d("2025-06-01")
        }
    );
    assert!(
        schedule
            .items
            .iter()
            .all(|i| i.due <= d("2025-06-01") || i.done_on.is_some())
    );
}

fn working_day_plan() -> CyclePlan {
    let mut p = plan("qualibail-iv.toml");
    p.deadlines.push(super::framework::plan::PlanDeadline {
        code: "notification".into(),
        name: "Notification de la décision".into(),
        days: Some(3),
        months: None,
        unit: Some("working".into()),
        after: "decision".into(),
        note: None,
    });
    p
}

#[test]
fn working_day_deadlines_skip_weekends_and_holidays_of_the_zone() {
    // Decision on Monday 6 May 2024: Tuesday 7 is the first working day, Wednesday 8
    // (Victoire 1945) and Thursday 9 (Ascension) are holidays, Friday 10 is the second and
    // Monday 13 the third.
    let schedule = compute(
        &working_day_plan(),
        &granted("2024-02-01", "2024-05-06"),
        d("2024-05-07"),
        Zone::Metropole,
    );
    let notification = schedule
        .deadlines
        .iter()
        .find(|dl| dl.code == "notification")
        .unwrap();
    assert_eq!(notification.due, d("2024-05-13"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn iso_cycles_keep_their_rules(
        decision_day in 0i64..4000,
        renewed_early in prop::option::of(0i64..60),
        today_offset in 0i64..2000,
    ) {
        let p = plan("iso-9001-2015.toml");
        let decision = d("2020-01-01") + chrono::Duration::days(decision_day);
        let mut history = History { start: Some(add_months(decision, -4)), decisions: vec![decision], ..History::default() };
        if let Some(days) = renewed_early {
            history.decisions.push(add_months(decision, 36) - chrono::Duration::days(days));
        }
        let today = decision + chrono::Duration::days(today_offset);
        let schedule = compute(&p, &history, today, Zone::Metropole);
        for cycle in &schedule.cycles {
            let s1 = schedule.items.iter().find(|i| i.cycle == cycle.index && i.code == "surveillance-1").unwrap();
            prop_assert!(s1.window_end <= add_months(cycle.start, 12));
            let renewal = schedule.items.iter().find(|i| i.cycle == cycle.index && i.code == "decision-renouvellement").unwrap();
            prop_assert!(renewal.window_end <= cycle.expiry);
            prop_assert_eq!(cycle.expiry, add_months(cycle.start, 36));
        }
        // Recertified early, the next cycle still starts at the previous expiry.
        if schedule.cycles.len() == 2 {
            prop_assert_eq!(schedule.cycles[1].start, schedule.cycles[0].expiry);
        }
        for item in &schedule.items {
            prop_assert!(item.window_start <= item.due && item.due <= item.window_end);
        }
        // No calendar year of a cycle goes without an audit unless an alert says so.
        for cycle in &schedule.cycles {
            for year in (cycle.start.year() + 1)..cycle.expiry.year() {
                let audited = schedule.items.iter().any(|i| i.kind != "decision" && i.done_on.unwrap_or(i.due).year() == year);
                let renewal_year = schedule.items.iter().any(|i| i.kind == "decision" && i.cycle > 0 && i.done_on.unwrap_or(i.due).year() == year);
                let alerted = schedule.alerts.contains(&Alert::YearWithoutAudit { year });
                prop_assert!(audited || renewal_year || alerted, "year {} silent", year);
            }
        }
    }

    #[test]
    fn working_day_deadlines_never_fall_on_a_day_off(day in 0i64..5000, zone in prop::sample::select(Zone::ALL.to_vec())) {
        let decision = d("2020-01-01") + chrono::Duration::days(day);
        let schedule = compute(&working_day_plan(), &granted("2019-06-01", &decision.to_string()), decision, zone);
        for deadline in schedule.deadlines.iter().filter(|dl| dl.working_days) {
            prop_assert!(is_working_day(deadline.due, zone), "{} in {:?}", deadline.due, zone);
            prop_assert!(deadline.due > deadline.from);
        }
    }
}
