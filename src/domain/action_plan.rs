//! The action plan as rules: where an action comes from, how urgent it is, how late, and the
//! order a quality manager reads the plan in (the most overdue first, closed ones last).

use chrono::NaiveDate;

use super::Invalid;
use super::audit::ActionStatus;
use super::enums::text_enum;

text_enum!(
    /// Why an action exists: an audit's nonconformity, or an improvement the organisme
    /// decided itself (the label's cross-cutting and local actions, answers to a tenant
    /// survey or to complaints).
    ActionOrigin, "action-origin", {
        Finding => "finding",
        Transversal => "transversal",
        Local => "local",
        Survey => "survey",
        Complaint => "complaint",
    }
);

text_enum!(
    /// How urgent the organisme holds an action; a nonconformity that blocks the decision
    /// starts high.
    Priority, "priority", {
        High => "high",
        Normal => "normal",
        Low => "low",
    }
);

impl ActionOrigin {
    /// Origins a person may pick when creating an action: findings make their own.
    pub fn chosen() -> impl Iterator<Item = ActionOrigin> {
        Self::ALL
            .iter()
            .copied()
            .filter(|o| *o != ActionOrigin::Finding)
    }

    /// A local action improves one site: it names it.
    pub fn needs_site(self) -> bool {
        self == ActionOrigin::Local
    }
}

impl Priority {
    fn rank(self) -> u8 {
        match self {
            Priority::High => 0,
            Priority::Normal => 1,
            Priority::Low => 2,
        }
    }
}

/// Days past the due date of an action still to be carried out; none when it is closed or
/// not yet due.
pub fn days_late(due: NaiveDate, status: ActionStatus, today: NaiveDate) -> Option<i64> {
    let late = (today - due).num_days();
    (status.is_open() && late > 0).then_some(late)
}

/// Which actions a plan shows by their state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StateFilter {
    /// Still to be carried out (the default view)
    #[default]
    Open,
    /// Past their due date and still open
    Late,
    /// Done, or judged effective
    Closed,
    All,
}

impl StateFilter {
    pub const CODES: [&'static str; 4] = ["ouvertes", "en-retard", "terminees", "toutes"];

    /// From the address's `etat`; anything unknown shows the open actions.
    pub fn from_query(raw: &str) -> Self {
        match raw {
            "en-retard" => StateFilter::Late,
            "terminees" => StateFilter::Closed,
            "toutes" => StateFilter::All,
            _ => StateFilter::Open,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            StateFilter::Open => "ouvertes",
            StateFilter::Late => "en-retard",
            StateFilter::Closed => "terminees",
            StateFilter::All => "toutes",
        }
    }

    pub fn admits(self, status: ActionStatus, late: Option<i64>) -> bool {
        match self {
            StateFilter::Open => status.is_open(),
            StateFilter::Late => late.is_some(),
            StateFilter::Closed => !status.is_open(),
            StateFilter::All => true,
        }
    }
}

/// Sort key of the plan: open before closed, the most overdue first, then by priority and
/// due date.
pub fn reading_order(
    status: ActionStatus,
    priority: Priority,
    due: NaiveDate,
    late: Option<i64>,
) -> (bool, i64, u8, NaiveDate) {
    (!status.is_open(), -late.unwrap_or(0), priority.rank(), due)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    #[test]
    fn an_open_action_past_its_date_is_late_by_whole_days() {
        assert_eq!(days_late(day(1), ActionStatus::Open, day(11)), Some(10));
        assert_eq!(
            days_late(day(1), ActionStatus::Ineffective, day(2)),
            Some(1)
        );
        assert_eq!(days_late(day(11), ActionStatus::InProgress, day(11)), None);
        assert_eq!(days_late(day(1), ActionStatus::Done, day(11)), None);
        assert_eq!(days_late(day(1), ActionStatus::Effective, day(11)), None);
    }

    #[test]
    fn the_plan_reads_most_overdue_first_then_priority_then_due_then_closed() {
        let mut rows = [
            ("closed", ActionStatus::Done, Priority::High, day(1)),
            ("soon-low", ActionStatus::Open, Priority::Low, day(20)),
            ("late-2", ActionStatus::Open, Priority::Low, day(8)),
            (
                "soon-high",
                ActionStatus::InProgress,
                Priority::High,
                day(25),
            ),
            ("late-9", ActionStatus::Open, Priority::Normal, day(1)),
        ];
        rows.sort_by_key(|(_, s, p, d)| reading_order(*s, *p, *d, days_late(*d, *s, day(10))));
        let names: Vec<&str> = rows.iter().map(|r| r.0).collect();
        assert_eq!(
            names,
            ["late-9", "late-2", "soon-high", "soon-low", "closed"]
        );
    }

    #[test]
    fn state_filters_come_from_the_address_and_default_to_open() {
        assert_eq!(StateFilter::from_query(""), StateFilter::Open);
        assert_eq!(StateFilter::from_query("n'importe"), StateFilter::Open);
        for code in StateFilter::CODES {
            assert_eq!(StateFilter::from_query(code).code(), code);
        }
        assert!(StateFilter::Late.admits(ActionStatus::Open, Some(3)));
        assert!(!StateFilter::Late.admits(ActionStatus::Open, None));
        assert!(StateFilter::Closed.admits(ActionStatus::Effective, None));
        assert!(!StateFilter::Open.admits(ActionStatus::Done, None));
    }

    #[test]
    fn only_improvement_origins_are_chosen_and_a_local_one_names_its_site() {
        let chosen: Vec<&str> = ActionOrigin::chosen().map(ActionOrigin::as_str).collect();
        assert_eq!(chosen, ["transversal", "local", "survey", "complaint"]);
        assert!(ActionOrigin::Local.needs_site());
        assert!(!ActionOrigin::Transversal.needs_site());
    }
}
