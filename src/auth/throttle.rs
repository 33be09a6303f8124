//! Login throttling rules: after repeated failures, an account (and separately an address)
//! must wait before trying again. Pure: the counts live in the database
//! (`models::login_failure`), shared by every node and kept across restarts.

use chrono::{Duration, NaiveDateTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub max_failures: i32,
    pub window: Duration,
    pub lockout: Duration,
}

/// Five failures of one account, or twenty from one address, within 15 minutes lock it for
/// 15 minutes.
pub const PER_ACCOUNT: Policy = Policy {
    max_failures: 5,
    window: Duration::minutes(15),
    lockout: Duration::minutes(15),
};
pub const PER_ADDRESS: Policy = Policy {
    max_failures: 20,
    window: Duration::minutes(15),
    lockout: Duration::minutes(15),
};

/// The failures counted for one account or address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failures {
    pub count: i32,
    pub first: NaiveDateTime,
    pub locked_until: Option<NaiveDateTime>,
}

impl Failures {
    /// How long the account or address must still wait, if it is locked now.
    pub fn wait(&self, now: NaiveDateTime) -> Option<Duration> {
        self.locked_until
            .filter(|until| *until > now)
            .map(|until| until - now)
    }

    /// The count after one more failure at `now`: a count older than the window, or whose
    /// lockout is over, starts again.
    pub fn after_failure(previous: Option<Self>, policy: Policy, now: NaiveDateTime) -> Self {
        let fresh = Failures {
            count: 0,
            first: now,
            locked_until: None,
        };
        let mut next = match previous {
            Some(p) if now - p.first <= policy.window && p.locked_until.is_none_or(|u| u > now) => {
                p
            }
            _ => fresh,
        };
        next.count += 1;
        if next.count >= policy.max_failures {
            next.locked_until = Some(now + policy.lockout);
        }
        next
    }

    /// Whether the entry no longer matters (its window and any lockout are over).
    pub fn expired(&self, policy: Policy, now: NaiveDateTime) -> bool {
        now - self.first > policy.window.max(policy.lockout)
            && self.locked_until.is_none_or(|u| u <= now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000 + seconds, 0)
            .unwrap()
            .naive_utc()
    }

    const POLICY: Policy = Policy {
        max_failures: 3,
        window: Duration::seconds(60),
        lockout: Duration::seconds(120),
    };

    fn fail(times: &[i64]) -> Failures {
        times
            .iter()
            .fold(None, |previous, t| {
                Some(Failures::after_failure(previous, POLICY, at(*t)))
            })
            .unwrap()
    }

    #[test]
    fn locks_after_repeated_failures_then_frees() {
        assert_eq!(fail(&[0, 1]).wait(at(1)), None);
        let locked = fail(&[0, 1, 2]);
        assert_eq!(locked.wait(at(2)), Some(Duration::seconds(120)));
        assert_eq!(locked.wait(at(100)), Some(Duration::seconds(22)));
        assert_eq!(locked.wait(at(122)), None);
    }

    #[test]
    fn failures_outside_the_window_do_not_add_up() {
        let counted = fail(&[0, 1, 62]);
        assert_eq!(counted.count, 1);
        assert_eq!(counted.wait(at(62)), None);
    }

    #[test]
    fn a_failure_after_the_lockout_starts_a_new_count() {
        let again = fail(&[0, 1, 2, 200]);
        assert_eq!(again.count, 1);
        assert_eq!(again.wait(at(200)), None);
    }

    #[test]
    fn entries_expire_once_window_and_lockout_are_over() {
        let locked = fail(&[0, 1, 2]);
        assert!(!locked.expired(POLICY, at(100)));
        assert!(locked.expired(POLICY, at(123)));
    }
}
