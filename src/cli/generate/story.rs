//! The life of one generated commitment, played forward from its start to the as-of date
//! with the application's own schedule engine: each audit of the cycle is held near its due
//! date, decisions move the commitment through the state machine, and what lies after the
//! as-of date stays planned. Events are read back with `history_of`, as the application
//! reads them, so the schedules computed from the stored events are the ones played here.

use chrono::{Datelike, Duration, NaiveDate};
use rand::Rng;
use rand::rngs::StdRng;

use crate::domain::audit::{AuditState, Decision};
use crate::domain::calendar::Zone;
use crate::domain::commitment::CommitmentState;
use crate::domain::framework::plan::CyclePlan;
use crate::domain::schedule::{Item, Schedule, compute};
use crate::models::commitment::{Commitment, Event, history_of};

pub use super::schemes::{Fate, Script};

/// An audit of the story, as it stands on the as-of date.
#[derive(Debug, Clone)]
pub struct StoryAudit {
    pub title: String,
    pub step_code: String,
    pub kind: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub state: AuditState,
    pub decision: Option<(Decision, NaiveDate)>,
}

#[derive(Debug, Clone)]
pub struct Story {
    /// Transitions and audits held, in order (ids and authors are the caller's).
    pub events: Vec<Event>,
    pub audits: Vec<StoryAudit>,
    pub state: CommitmentState,
}

/// An audit's title: its step and year ("Audit de suivi n° 1 2025").
pub fn title(item: &Item, start: NaiveDate) -> String {
    format!("{} {}", item.name, start.year())
}

/// A commitment started on `start`, for `history_of` (which reads only its start date).
pub fn stub(start: NaiveDate) -> Commitment {
    let at = start.and_time(chrono::NaiveTime::MIN);
    Commitment {
        id: String::new(),
        organisation_id: String::new(),
        framework_id: String::new(),
        state: String::new(),
        all_sites: true,
        body: String::new(),
        certificate_number: String::new(),
        auditor_id: None,
        start_date: start,
        notes: String::new(),
        created_at: at,
        updated_at: at,
        version: 1,
    }
}

/// Audits this close ahead of the as-of date are already planned.
const PLANNED_AHEAD_DAYS: i64 = 120;

struct Sim<'a> {
    plan: &'a CyclePlan,
    zone: Zone,
    as_of: NaiveDate,
    script: Script,
    rng: &'a mut StdRng,
    stub: Commitment,
    events: Vec<Event>,
    audits: Vec<StoryAudit>,
    state: CommitmentState,
    last: NaiveDate,
    stopped: bool,
}

pub fn play(
    plan: &CyclePlan,
    zone: Zone,
    script: Script,
    as_of: NaiveDate,
    rng: &mut StdRng,
) -> Story {
    let stub = stub(script.start);
    let mut sim = Sim {
        plan,
        zone,
        as_of,
        script,
        rng,
        stub,
        events: Vec::new(),
        audits: Vec::new(),
        state: CommitmentState::Considered,
        last: script.start,
        stopped: false,
    };
    sim.push(
        script.start,
        None,
        Some(CommitmentState::Considered),
        None,
        "",
    );
    // Considered for a few weeks only: the cycle's first steps are due from that date.
    let prepared = script.start + sim.jitter(10, 25, 20);
    if sim.advance(
        CommitmentState::Preparing,
        prepared,
        "Lancement de la démarche",
    ) {
        for _ in 0..80 {
            if sim.stopped || !sim.step() {
                break;
            }
        }
    }
    sim.withdraw_if_due(as_of + Duration::days(1));
    Story {
        events: sim.events,
        audits: sim.audits,
        state: sim.state,
    }
}

impl Sim<'_> {
    fn jitter(&mut self, low: i64, high: i64, fixed: i64) -> Duration {
        Duration::days(if self.script.jitter && high > low {
            self.rng.random_range(low..=high)
        } else {
            fixed
        })
    }

    fn push(
        &mut self,
        date: NaiveDate,
        from: Option<CommitmentState>,
        to: Option<CommitmentState>,
        step: Option<&str>,
        reason: &str,
    ) {
        self.events.push(Event {
            id: String::new(),
            commitment_id: String::new(),
            kind: if step.is_some() {
                "audit"
            } else {
                "transition"
            }
            .to_owned(),
            event_date: date,
            from_state: from.map(|s| s.as_str().to_owned()),
            to_state: to.map(|s| s.as_str().to_owned()),
            step_code: step.map(str::to_owned),
            reason: reason.to_owned(),
            author_id: None,
            author_label: String::new(),
            created_at: date.and_time(chrono::NaiveTime::MIN),
        });
        self.last = self.last.max(date);
    }

    /// Withdraws the commitment if the fate says so before `date`; true when it did.
    fn withdraw_if_due(&mut self, date: NaiveDate) -> bool {
        let Fate::Withdrawn(on) = self.script.fate else {
            return false;
        };
        if self.state == CommitmentState::Withdrawn || on >= date || on > self.as_of {
            return false;
        }
        if self.state.check_move(CommitmentState::Withdrawn).is_ok() {
            let from = self.state;
            self.push(
                on.max(self.last),
                Some(from),
                Some(CommitmentState::Withdrawn),
                None,
                "Démarche abandonnée par l’organisme",
            );
            self.state = CommitmentState::Withdrawn;
        }
        self.stopped = true;
        true
    }

    /// Moves the commitment on `date` if that day has come; false (and nothing moves) if not.
    fn advance(&mut self, to: CommitmentState, date: NaiveDate, reason: &str) -> bool {
        if self.withdraw_if_due(date) || date > self.as_of {
            return false;
        }
        if self.state.check_move(to).is_err() {
            self.stopped = true;
            return false;
        }
        let from = self.state;
        self.push(date.max(self.last), Some(from), Some(to), None, reason);
        self.state = to;
        true
    }

    fn schedule(&self) -> Schedule {
        compute(
            self.plan,
            &history_of(&self.stub, &self.events),
            self.as_of,
            self.zone,
        )
    }

    fn audit(&mut self, item: &Item, start: NaiveDate, end: NaiveDate, state: AuditState) {
        self.audits.push(StoryAudit {
            title: title(item, start),
            step_code: item.code.clone(),
            kind: item.kind.clone(),
            start,
            end,
            state,
            decision: None,
        });
    }

    /// Plays the next audit of the current phase or cycle; false when the story stops here.
    fn step(&mut self) -> bool {
        let schedule = self.schedule();
        let current = schedule.cycles.last().map_or(0, |c| c.index);
        let expiry = schedule.cycles.last().map(|c| c.expiry);
        let mut open: Vec<&Item> = schedule
            .items
            .iter()
            .filter(|i| i.cycle == current && i.kind != "decision" && i.done_on.is_none())
            .collect();
        open.sort_by_key(|i| i.due);
        let Some(item) = open.first().map(|i| (*i).clone()) else {
            return false;
        };
        let last_of_phase = open.len() == 1;
        if item.kind == "renewal" && self.state != CommitmentState::RenewalDue {
            let from = item.window_start - self.jitter(0, 20, 0);
            if !self.advance(
                CommitmentState::RenewalDue,
                from,
                "Préparation du renouvellement",
            ) {
                return false;
            }
        }
        if item.kind == "renewal" && self.script.fate == Fate::Expired {
            if let Some(expiry) = expiry {
                self.advance(
                    CommitmentState::Expired,
                    expiry,
                    "Échéance atteinte sans renouvellement",
                );
            }
            return false;
        }
        if self.script.fate == Fate::Overdue
            && item.window_end < self.as_of
            && (self.as_of - item.window_end).num_days() < 180
        {
            return false;
        }
        let before = (item.due - item.window_start).num_days() * 3 / 5;
        let after = (item.window_end - item.due).num_days() / 2;
        let held = (item.due + self.jitter(-before, after, 0)).max(self.last + Duration::days(1));
        let length = match item.kind.as_str() {
            "initial" | "renewal" => self.jitter(1, 2, 4),
            _ => self.jitter(0, 1, 1),
        };
        let start = held - length;
        let opens_phase = current == 0
            && self.state == CommitmentState::Preparing
            && (item.kind == "initial" || last_of_phase);
        if opens_phase
            && !self.advance(
                CommitmentState::InitialAudit,
                start,
                "Audit initial programmé",
            )
        {
            if !self.stopped {
                self.plan_ahead(&item, start, held);
            }
            return false;
        }
        if self.withdraw_if_due(start) {
            return false;
        }
        if start > self.as_of {
            self.plan_ahead(&item, start, held);
            return false;
        }
        if held > self.as_of {
            self.audit(&item, start, held, AuditState::OnSite);
            return false;
        }
        self.push(held, None, None, Some(&item.code), &title(&item, start));
        if current == 0 && !last_of_phase {
            let report = held + self.jitter(5, 20, 10);
            let state = if report > self.as_of {
                AuditState::Drafted
            } else {
                AuditState::Closed
            };
            self.audit(&item, start, held, state);
            return true;
        }
        self.decide(&item, start, held, current, expiry)
    }

    fn plan_ahead(&mut self, item: &Item, start: NaiveDate, end: NaiveDate) {
        let ahead = (start - self.as_of).num_days();
        if (0..=PLANNED_AHEAD_DAYS).contains(&ahead) {
            let state = if ahead <= 30 {
                AuditState::Preparation
            } else {
                AuditState::Planned
            };
            self.audit(item, start, end, state);
        }
    }

    fn decide(
        &mut self,
        item: &Item,
        start: NaiveDate,
        held: NaiveDate,
        current: usize,
        expiry: Option<NaiveDate>,
    ) -> bool {
        let decided = match (current, item.kind.as_str(), expiry) {
            (0, _, _) => held + self.jitter(20, 60, 30),
            (_, "renewal", Some(expiry)) => (held + self.jitter(20, 50, 30))
                .min(expiry - Duration::days(3))
                .max(held + Duration::days(5)),
            _ => held + self.jitter(10, 40, 21),
        };
        if decided > self.as_of {
            let state = if (self.as_of - held).num_days() < 10 {
                AuditState::Drafted
            } else {
                AuditState::Submitted
            };
            self.audit(item, start, held, state);
            return false;
        }
        let suspend = self.script.fate == Fate::Suspended
            && current > 0
            && item.kind != "renewal"
            && (self.as_of - held).num_days() < 540;
        let refuse = current == 0 && self.script.jitter && self.rng.random_bool(0.04);
        let (decision, target) = if current == 0 && refuse {
            (Decision::Refused, CommitmentState::Preparing)
        } else if current == 0 {
            (Decision::Granted, CommitmentState::Granted)
        } else if item.kind == "renewal" {
            (Decision::Renewed, CommitmentState::Renewed)
        } else if suspend {
            (Decision::Suspended, CommitmentState::Suspended)
        } else {
            (Decision::Maintained, CommitmentState::Surveillance)
        };
        let state = if (self.as_of - decided).num_days() > 45 {
            AuditState::Closed
        } else {
            AuditState::Decided
        };
        self.audit(item, start, held, state);
        if let Some(last) = self.audits.last_mut() {
            last.decision = Some((decision, decided));
        }
        // As the application does: the commitment takes the decision's state, if not there.
        let reason = format!("{} — {}", title(item, start), decision.as_str());
        if self.state != target && !self.advance(target, decided, &reason) {
            return false;
        }
        decision != Decision::Suspended
    }
}

#[cfg(test)]
#[path = "story_tests.rs"]
mod tests;
