//! Stories played on every bundled framework: events the state machine allows, states that
//! agree with the last transition, and schedules (computed as the application does) that
//! look right: nothing late unless the fate says so.

use chrono::{Duration, NaiveDate};

use super::{Fate, Script, play};
use crate::domain::calendar::Zone;
use crate::domain::commitment::CommitmentState;
use crate::domain::framework::plan::CyclePlan;
use crate::domain::framework::{FrameworkFile, bundled};
use crate::domain::schedule::{ItemState, compute};
use crate::models::commitment::history_of;

fn plans() -> Vec<(String, CyclePlan)> {
    bundled()
        .into_iter()
        .map(|(name, source)| {
            let file: FrameworkFile = toml::from_str(&source).expect("parses");
            let cycle = serde_json::to_string(&file.cycle).unwrap();
            (name, CyclePlan::parse(&cycle).unwrap())
        })
        .collect()
}

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 30).unwrap()
}

#[test]
fn stories_follow_the_state_machine_and_end_in_their_last_state() {
    let mut rng = super::super::stamp::rng(1, 0, 0);
    for (name, plan) in plans() {
        for n in 0..300 {
            let start = as_of() - Duration::days(20 + (n * 7) % 2200);
            let fate = match n % 9 {
                0 => Fate::Overdue,
                1 => Fate::Suspended,
                2 => Fate::Withdrawn(start + Duration::days(400)),
                3 => Fate::Expired,
                _ => Fate::Normal,
            };
            let script = Script {
                start,
                fate,
                jitter: true,
            };
            let story = play(&plan, Zone::Metropole, script, as_of(), &mut rng);
            let mut state: Option<CommitmentState> = None;
            let mut last = start;
            for event in &story.events {
                assert!(event.event_date >= last, "{name} #{n}: events in order");
                assert!(
                    event.event_date <= as_of(),
                    "{name} #{n}: nothing after as-of"
                );
                last = event.event_date;
                if event.kind != "transition" {
                    continue;
                }
                let to = CommitmentState::parse(event.to_state.as_deref().unwrap()).unwrap();
                let from = event
                    .from_state
                    .as_deref()
                    .map(|s| CommitmentState::parse(s).unwrap());
                assert_eq!(from, state, "{name} #{n}: from the state it was in");
                if let Some(from) = from {
                    assert!(
                        from.check_move(to).is_ok(),
                        "{name} #{n}: {from:?} → {to:?}"
                    );
                }
                state = Some(to);
            }
            assert_eq!(state, Some(story.state), "{name} #{n}");
            for audit in &story.audits {
                assert!(audit.start <= audit.end);
                if let Some((_, on)) = audit.decision {
                    assert!(on <= as_of() && on >= audit.end, "{name} #{n}");
                }
            }
        }
    }
}

#[test]
fn schedules_are_late_only_when_the_fate_says_so() {
    let mut rng = super::super::stamp::rng(2, 0, 0);
    for (name, plan) in plans() {
        let mut overdue_seen = 0;
        for n in 0..200 {
            let start = as_of() - Duration::days(60 + (n * 11) % 2100);
            let fate = if n % 2 == 0 {
                Fate::Normal
            } else {
                Fate::Overdue
            };
            let story = play(
                &plan,
                Zone::Metropole,
                Script {
                    start,
                    fate,
                    jitter: true,
                },
                as_of(),
                &mut rng,
            );
            let history = history_of(&super::stub(start), &story.events);
            let schedule = compute(&plan, &history, as_of(), Zone::Metropole);
            let late = schedule
                .items
                .iter()
                .filter(|i| i.state == ItemState::Overdue && i.kind != "decision")
                .count();
            if fate == Fate::Normal {
                assert_eq!(late, 0, "{name} #{n}: {:?}", schedule.items);
            } else if late > 0 {
                overdue_seen += 1;
            }
        }
        assert!(overdue_seen > 10, "{name}: {overdue_seen} late commitments");
    }
}

#[test]
fn without_jitter_steps_fall_on_their_due_dates() {
    let plans = plans();
    let (_, qualibail) = plans
        .iter()
        .find(|(n, _)| n == "qualibail-iv.toml")
        .unwrap();
    let start = NaiveDate::from_ymd_opt(2024, 1, 10).unwrap();
    let mut rng = super::super::stamp::rng(3, 0, 0);
    let story = play(
        qualibail,
        Zone::Metropole,
        Script {
            start,
            fate: Fate::Normal,
            jitter: false,
        },
        as_of(),
        &mut rng,
    );
    // Preparing 20 days after the start; the initial audit two months later, decided 30 days
    // after; then follow-up audits a year and two years after the decision.
    let held: Vec<(String, NaiveDate)> = story
        .events
        .iter()
        .filter_map(|e| e.step_code.clone().map(|s| (s, e.event_date)))
        .collect();
    assert_eq!(
        held[0],
        (
            "audit-initial".to_owned(),
            NaiveDate::from_ymd_opt(2024, 3, 30).unwrap()
        )
    );
    assert_eq!(story.state, CommitmentState::Surveillance);
    assert!(held.iter().any(|(s, _)| s == "suivi-2"));
    let decided = story.audits.iter().filter(|a| a.decision.is_some()).count();
    assert_eq!(decided, 3);
}
