//! Where an organisme stands with a framework, as federation staff count it: one standing
//! per organisme and framework, however many commitments it recorded, and the same rule
//! for today's figures, the lists behind them and the years past.

use chrono::NaiveDate;

use super::Invalid;
use super::commitment::CommitmentState;
use super::enums::text_enum;

/// The model charter's code stands for every organisme's own charter (one framework each):
/// federation staff count charters together.
pub const CHARTERS: &str = "charte-qualite";

/// A framework as federation staff count it: by code, charters as one.
pub fn framework_key(code: &str, kind: &str) -> String {
    if kind == "charter" {
        CHARTERS.to_owned()
    } else {
        code.to_owned()
    }
}

text_enum!(
    /// An organisme's standing with one framework; declared from the best to the least.
    Standing, "rollout-standing", {
        Holding => "holding",
        RenewalDue => "renewal_due",
        Suspended => "suspended",
        Engaged => "engaged",
        Lapsed => "lapsed",
        None => "none",
    }
);

impl Standing {
    pub fn of(state: CommitmentState) -> Standing {
        use CommitmentState as S;
        match state {
            S::Granted | S::Surveillance | S::Renewed => Standing::Holding,
            S::RenewalDue => Standing::RenewalDue,
            S::Suspended => Standing::Suspended,
            S::Considered | S::Preparing | S::InitialAudit => Standing::Engaged,
            S::Withdrawn | S::Expired => Standing::Lapsed,
        }
    }

    /// The commitment states that give this standing (none for `None`).
    pub fn states(self) -> Vec<CommitmentState> {
        CommitmentState::ALL
            .iter()
            .copied()
            .filter(|s| Standing::of(*s) == self)
            .collect()
    }

    /// The label or certificate is held (a suspension does not take it away yet).
    pub fn holds(self) -> bool {
        matches!(
            self,
            Standing::Holding | Standing::RenewalDue | Standing::Suspended
        )
    }

    /// The standings ranked above this one: an organisme counts where its best commitment is.
    pub fn better(self) -> &'static [Standing] {
        let at = Standing::ALL.iter().position(|s| *s == self).unwrap_or(0);
        &Standing::ALL[..at]
    }
}

/// The best standing among an organisme's commitments to one framework (`None` without any).
pub fn best(states: impl IntoIterator<Item = CommitmentState>) -> Standing {
    states
        .into_iter()
        .map(Standing::of)
        .min_by_key(|s| Standing::ALL.iter().position(|x| x == s))
        .unwrap_or(Standing::None)
}

/// The state a commitment was in at the end of `day`, from its state changes in date order;
/// `None` before its first recorded state.
pub fn state_on(
    changes: &[(NaiveDate, CommitmentState)],
    day: NaiveDate,
) -> Option<CommitmentState> {
    changes
        .iter()
        .take_while(|(date, _)| *date <= day)
        .last()
        .map(|(_, state)| *state)
}

/// One year of a framework's rollout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Year {
    pub year: i32,
    /// Organismes whose label or certificate was first granted that year.
    pub granted: usize,
    /// Organismes holding it at the end of the year (at `today` for the current one).
    pub holding: usize,
}

/// The rollout year by year, from the first recorded change to `today`'s year. `organismes`
/// gives, for each organisme, the state changes (in date order) of each of its commitments
/// to the framework.
pub fn years(organismes: &[Vec<Vec<(NaiveDate, CommitmentState)>>], today: NaiveDate) -> Vec<Year> {
    use chrono::Datelike;
    let first = organismes
        .iter()
        .flatten()
        .flatten()
        .map(|(d, _)| d.year())
        .min();
    let Some(first) = first else {
        return Vec::new();
    };
    (first..=today.year())
        .map(|year| {
            let end = NaiveDate::from_ymd_opt(year, 12, 31)
                .unwrap_or(today)
                .min(today);
            let holding = organismes
                .iter()
                .filter(|commitments| {
                    best(commitments.iter().filter_map(|c| state_on(c, end))).holds()
                })
                .count();
            let granted = organismes
                .iter()
                .filter(|commitments| first_grant(commitments).is_some_and(|d| d.year() == year))
                .count();
            Year {
                year,
                granted,
                holding,
            }
        })
        .collect()
}

/// The first day an organisme held the framework, over all its commitments.
fn first_grant(commitments: &[Vec<(NaiveDate, CommitmentState)>]) -> Option<NaiveDate> {
    commitments
        .iter()
        .flatten()
        .filter(|(_, s)| Standing::of(*s).holds())
        .map(|(d, _)| *d)
        .min()
}

/// A share in percent, 0 when there is nothing to share.
pub fn rate(part: usize, whole: usize) -> f64 {
    #[expect(clippy::cast_precision_loss, reason = "counts of organismes")]
    let share = if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64 * 100.0
    };
    share
}

#[cfg(test)]
mod tests {
    use super::CommitmentState as S;
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn every_state_has_exactly_one_standing_and_holding_follows_the_domain() {
        for state in CommitmentState::ALL {
            let standing = Standing::of(*state);
            assert!(standing.states().contains(state));
            assert_eq!(standing.holds(), state.holds(), "{state:?}");
        }
        assert!(Standing::None.states().is_empty());
    }

    #[test]
    fn the_best_commitment_decides() {
        assert_eq!(best([S::Expired, S::Preparing]), Standing::Engaged);
        assert_eq!(best([S::Suspended, S::Renewed]), Standing::Holding);
        assert_eq!(best([S::Withdrawn]), Standing::Lapsed);
        assert_eq!(best([]), Standing::None);
        assert_eq!(Standing::Engaged.better().len(), 3);
        assert!(Standing::Holding.better().is_empty());
    }

    #[test]
    fn the_state_on_a_day_is_the_last_one_entered_by_then() {
        let changes = [(d(2021, 3, 1), S::Preparing), (d(2022, 6, 30), S::Granted)];
        assert_eq!(state_on(&changes, d(2021, 2, 28)), None);
        assert_eq!(state_on(&changes, d(2022, 6, 29)), Some(S::Preparing));
        assert_eq!(state_on(&changes, d(2022, 6, 30)), Some(S::Granted));
    }

    #[test]
    fn years_count_first_grants_and_who_holds_at_year_end() {
        let a = vec![vec![
            (d(2021, 1, 10), S::Preparing),
            (d(2021, 9, 1), S::Granted),
            (d(2024, 9, 2), S::Expired),
        ]];
        // Renewed in 2023 after a first grant in 2022: one first grant only.
        let b = vec![vec![
            (d(2022, 5, 1), S::Granted),
            (d(2023, 5, 1), S::Renewed),
        ]];
        // Two commitments: the old one withdrawn, a new one granted.
        let c = vec![
            vec![(d(2022, 1, 1), S::Preparing), (d(2022, 2, 1), S::Withdrawn)],
            vec![(d(2023, 1, 1), S::Preparing), (d(2023, 11, 30), S::Granted)],
        ];
        let y = years(&[a, b, c], d(2024, 10, 1));
        assert_eq!(
            y,
            vec![
                Year {
                    year: 2021,
                    granted: 1,
                    holding: 1
                },
                Year {
                    year: 2022,
                    granted: 1,
                    holding: 2
                },
                Year {
                    year: 2023,
                    granted: 1,
                    holding: 3
                },
                Year {
                    year: 2024,
                    granted: 0,
                    holding: 2
                },
            ]
        );
        assert!(years(&[], d(2024, 1, 1)).is_empty());
    }

    #[test]
    fn rates_are_percentages() {
        assert!((rate(1, 4) - 25.0).abs() < f64::EPSILON);
        assert!(rate(0, 0).abs() < f64::EPSILON);
    }
}
