//! Login throttling: after repeated failures, an account (and separately an address) must
//! wait before trying again. Kept in memory: each app node throttles what it sees, which is
//! enough to make guessing slow; a shared store can replace it when nodes multiply.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub max_failures: u32,
    pub window: Duration,
    pub lockout: Duration,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    first_failure: Instant,
    locked_until: Option<Instant>,
}

#[derive(Debug)]
pub struct LoginThrottle {
    per_account: Policy,
    per_address: Policy,
    accounts: Mutex<HashMap<String, Entry>>,
    addresses: Mutex<HashMap<String, Entry>>,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self::new(
            Policy {
                max_failures: 5,
                window: Duration::from_secs(15 * 60),
                lockout: Duration::from_secs(15 * 60),
            },
            Policy {
                max_failures: 20,
                window: Duration::from_secs(15 * 60),
                lockout: Duration::from_secs(15 * 60),
            },
        )
    }
}

impl LoginThrottle {
    pub fn new(per_account: Policy, per_address: Policy) -> Self {
        Self {
            per_account,
            per_address,
            accounts: Mutex::new(HashMap::new()),
            addresses: Mutex::new(HashMap::new()),
        }
    }

    /// `Some(wait)` when either the account or the address is locked out now.
    pub fn check(&self, account: &str, address: &str, now: Instant) -> Option<Duration> {
        let account_wait = locked(&self.accounts, account, now);
        let address_wait = locked(&self.addresses, address, now);
        account_wait.max(address_wait)
    }

    pub fn record_failure(&self, account: &str, address: &str, now: Instant) {
        record(&self.accounts, account, self.per_account, now);
        record(&self.addresses, address, self.per_address, now);
    }

    /// A successful login clears the account's count (not the address's: one good password
    /// must not reset the guessing budget of a whole address).
    pub fn record_success(&self, account: &str) {
        if let Ok(mut map) = self.accounts.lock() {
            map.remove(account);
        }
    }
}

fn locked(map: &Mutex<HashMap<String, Entry>>, key: &str, now: Instant) -> Option<Duration> {
    let map = map.lock().ok()?;
    let until = map.get(key)?.locked_until?;
    (until > now).then(|| until - now)
}

fn record(map: &Mutex<HashMap<String, Entry>>, key: &str, policy: Policy, now: Instant) {
    let Ok(mut map) = map.lock() else { return };
    // Forget stale entries now and then, so the map cannot grow without bound.
    if map.len() > 10_000 {
        map.retain(|_, e| now.duration_since(e.first_failure) < policy.window.max(policy.lockout));
    }
    let entry = map.entry(key.to_owned()).or_insert(Entry {
        failures: 0,
        first_failure: now,
        locked_until: None,
    });
    if now.duration_since(entry.first_failure) > policy.window
        || entry.locked_until.is_some_and(|until| until <= now)
    {
        *entry = Entry {
            failures: 0,
            first_failure: now,
            locked_until: None,
        };
    }
    entry.failures += 1;
    if entry.failures >= policy.max_failures {
        entry.locked_until = Some(now + policy.lockout);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle() -> LoginThrottle {
        let policy = |n| Policy {
            max_failures: n,
            window: Duration::from_secs(60),
            lockout: Duration::from_secs(120),
        };
        LoginThrottle::new(policy(3), policy(5))
    }

    #[test]
    fn account_locks_after_repeated_failures_then_frees() {
        let t = throttle();
        let start = Instant::now();
        for _ in 0..2 {
            t.record_failure("a@x.fr", "1.1.1.1", start);
        }
        assert!(t.check("a@x.fr", "1.1.1.1", start).is_none());
        t.record_failure("a@x.fr", "1.1.1.1", start);
        let wait = t.check("a@x.fr", "2.2.2.2", start).unwrap();
        assert_eq!(wait, Duration::from_secs(120));
        assert!(t.check("b@x.fr", "2.2.2.2", start).is_none());
        assert!(
            t.check("a@x.fr", "1.1.1.1", start + Duration::from_secs(121))
                .is_none()
        );
    }

    #[test]
    fn address_locks_across_accounts() {
        let t = throttle();
        let now = Instant::now();
        for i in 0..5 {
            t.record_failure(&format!("user{i}@x.fr"), "9.9.9.9", now);
        }
        assert!(t.check("other@x.fr", "9.9.9.9", now).is_some());
        assert!(t.check("other@x.fr", "8.8.8.8", now).is_none());
    }

    #[test]
    fn failures_outside_the_window_do_not_add_up() {
        let t = throttle();
        let now = Instant::now();
        t.record_failure("a@x.fr", "1.1.1.1", now);
        t.record_failure("a@x.fr", "1.1.1.1", now);
        t.record_failure("a@x.fr", "1.1.1.1", now + Duration::from_secs(61));
        assert!(
            t.check("a@x.fr", "1.1.1.1", now + Duration::from_secs(61))
                .is_none()
        );
    }
}
