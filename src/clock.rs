//! The time second-factor codes are checked at: the system's, or a clock its holder sets.
//! A code lives for thirty seconds, so tests of what a code may do (be used once, go stale)
//! must be able to step over that time without waiting for it.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

#[derive(Debug, Clone, Default)]
pub struct Clock(Option<Arc<AtomicI64>>);

impl Clock {
    /// The system's clock.
    pub fn system() -> Self {
        Self(None)
    }

    /// A clock that says `unix_secs` until it is set or moved.
    pub fn manual(unix_secs: i64) -> Self {
        Self(Some(Arc::new(AtomicI64::new(unix_secs))))
    }

    /// Moves a manual clock by `secs` (the system's clock cannot be moved).
    pub fn advance(&self, secs: i64) {
        if let Some(now) = &self.0 {
            now.fetch_add(secs, Ordering::SeqCst);
        }
    }

    /// Seconds since 1970.
    pub fn unix(&self) -> u64 {
        let secs = match &self.0 {
            Some(now) => now.load(Ordering::SeqCst),
            None => chrono::Utc::now().timestamp(),
        };
        u64::try_from(secs).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told() {
        let clock = Clock::manual(1_000);
        let shared = clock.clone();
        assert_eq!(clock.unix(), 1_000);
        shared.advance(30);
        assert_eq!(clock.unix(), 1_030, "every copy reads the same time");
        assert!(Clock::system().unix() > 1_700_000_000);
    }
}
