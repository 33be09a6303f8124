//! Answers computed once and served again while nothing they depend on has changed: at
//! federation scale a dashboard, a calendar or an indicator's peers take tens of
//! milliseconds of queries and computing, for answers that change only when someone writes.
//!
//! Each answer is kept with the change clock's counters it was computed under (`db::clock`),
//! read from the database in the request's own hop: a write on any node, committed before
//! the request began, is seen. A write to one organisme leaves the other organismes' answers
//! alone. Keys are types holding every dimension of the answer (scope, filters, page,
//! language, day): a forgotten dimension would be a compile error at the call site, not
//! one user's page shown to another.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::db::DbConnection;
use crate::db::clock::{self, Reach, Stamp};
use crate::domain::actor::OrgScope;
use crate::error::AppError;

/// What keys an answer and says which writes make it stale.
pub trait Key: Hash + Eq + Clone {
    fn reach(&self) -> Reach<'_>;
}

/// Which writes a scoped answer depends on: one organisme's, or any but those of the kinds of
/// record it never reads.
pub fn reach_of<'a>(scope: &'a OrgScope, unread: &'static [&'static str]) -> Reach<'a> {
    match scope {
        OrgScope::One(id) => Reach::Organisation(id),
        OrgScope::All | OrgScope::Region(_) | OrgScope::AssignedAuditor(_) => Reach::AllBut(unread),
    }
}

/// One audit of one organisme: what is kept about it changes with that organisme's writes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AuditKey {
    pub organisation: String,
    pub audit: String,
}

impl AuditKey {
    pub fn of(audit: &crate::models::audit::Audit) -> Self {
        Self {
            organisation: audit.organisation_id.clone(),
            audit: audit.id.clone(),
        }
    }
}

impl Key for AuditKey {
    fn reach(&self) -> Reach<'_> {
        Reach::Organisation(&self.organisation)
    }
}

/// Changes made outside qualitrack (an operator's SQL) advance no counter; they show after
/// this long at most.
const LIFETIME: Duration = Duration::from_secs(15 * 60);

struct Entry<T> {
    stamp: Stamp,
    computed: Instant,
    used: Instant,
    answer: Arc<T>,
}

struct Kept<K, T> {
    capacity: usize,
    entries: HashMap<K, Entry<T>>,
}

/// Shared by the pages and the API of one application node.
pub struct Memo<K, T>(Arc<Mutex<Kept<K, T>>>);

impl<K, T> Memo<K, T> {
    /// Keeps at most `capacity` answers; beyond, the least recently used quarter goes.
    pub fn with_capacity(capacity: usize) -> Self {
        Memo(Arc::new(Mutex::new(Kept {
            capacity: capacity.max(1),
            entries: HashMap::new(),
        })))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept<K, T>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl<K, T> Default for Memo<K, T> {
    fn default() -> Self {
        Self::with_capacity(256)
    }
}

impl<K, T> Clone for Memo<K, T> {
    fn clone(&self) -> Self {
        Memo(Arc::clone(&self.0))
    }
}

impl<K: Key, T> Memo<K, T> {
    /// The answer for `key`, computed by `compute` unless one computed since the last write
    /// within its reach is kept.
    pub fn get_or_compute(
        &self,
        conn: &mut DbConnection,
        key: K,
        compute: impl FnOnce(&mut DbConnection) -> Result<T, AppError>,
    ) -> Result<Arc<T>, AppError> {
        let stamp = clock::stamp(conn, key.reach())?;
        if let Some(answer) = self.kept(&key, stamp, Instant::now()) {
            return Ok(answer);
        }
        // Computed without the lock held: other answers are served meanwhile.
        let answer = Arc::new(compute(conn)?);
        self.keep(key, stamp, Arc::clone(&answer), Instant::now());
        Ok(answer)
    }

    fn kept(&self, key: &K, stamp: Stamp, now: Instant) -> Option<Arc<T>> {
        let mut kept = self.lock();
        let entry = kept.entries.get_mut(key)?;
        if entry.stamp != stamp || now.duration_since(entry.computed) >= LIFETIME {
            return None;
        }
        entry.used = now;
        Some(Arc::clone(&entry.answer))
    }

    fn keep(&self, key: K, stamp: Stamp, answer: Arc<T>, now: Instant) {
        let mut kept = self.lock();
        // A slower computation under older counters must not replace a newer answer.
        if kept
            .entries
            .get(&key)
            .is_some_and(|e| e.stamp.is_after(stamp))
        {
            return;
        }
        if kept.entries.len() >= kept.capacity && !kept.entries.contains_key(&key) {
            let mut ages: Vec<Instant> = kept.entries.values().map(|e| e.used).collect();
            ages.sort_unstable();
            let cut = ages[(ages.len() / 4).max(1) - 1];
            kept.entries.retain(|_, e| e.used > cut);
        }
        kept.entries.insert(
            key,
            Entry {
                stamp,
                computed: now,
                used: now,
                answer,
            },
        );
    }

    /// How many answers are kept (for tests and benchmarks).
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, PartialEq, Eq, Hash, Debug)]
    struct K(u32);

    impl Key for K {
        fn reach(&self) -> Reach<'_> {
            Reach::All
        }
    }

    fn stamp(n: i64) -> Stamp {
        Stamp::new(n, 0)
    }

    #[test]
    fn an_answer_is_served_until_its_counters_move() {
        let memo: Memo<K, u32> = Memo::default();
        let now = Instant::now();
        memo.keep(K(1), stamp(1), Arc::new(10), now);
        assert_eq!(memo.kept(&K(1), stamp(1), now).as_deref(), Some(&10));
        assert_eq!(memo.kept(&K(2), stamp(1), now), None, "another key");
        assert_eq!(memo.kept(&K(1), stamp(2), now), None, "a write since");
    }

    #[test]
    fn an_answer_under_older_counters_does_not_replace_a_newer_one() {
        let memo: Memo<K, u32> = Memo::default();
        let now = Instant::now();
        memo.keep(K(1), stamp(2), Arc::new(20), now);
        memo.keep(K(1), stamp(1), Arc::new(10), now);
        assert_eq!(memo.kept(&K(1), stamp(2), now).as_deref(), Some(&20));
    }

    #[test]
    fn answers_expire_after_their_lifetime() {
        let memo: Memo<K, u32> = Memo::default();
        let now = Instant::now();
        memo.keep(K(1), stamp(1), Arc::new(10), now);
        assert_eq!(memo.kept(&K(1), stamp(1), now + LIFETIME), None);
    }

    #[test]
    fn a_full_memo_drops_the_least_recently_used() {
        let memo: Memo<K, u32> = Memo::with_capacity(4);
        let start = Instant::now();
        for i in 0..4 {
            memo.keep(
                K(i),
                stamp(1),
                Arc::new(i),
                start + Duration::from_secs(u64::from(i)),
            );
        }
        // K(0) is read again: K(1) is now the least recently used.
        let later = start + Duration::from_secs(10);
        assert!(memo.kept(&K(0), stamp(1), later).is_some());
        memo.keep(K(9), stamp(1), Arc::new(9), later);
        assert_eq!(memo.len(), 4);
        assert!(memo.kept(&K(1), stamp(1), later).is_none());
        assert!(memo.kept(&K(0), stamp(1), later).is_some());
        assert!(memo.kept(&K(9), stamp(1), later).is_some());
    }

    #[test]
    fn only_one_organismes_writes_reach_its_answers() {
        assert_eq!(
            reach_of(&OrgScope::One("a".into()), &[]),
            Reach::Organisation("a")
        );
        assert_eq!(
            reach_of(&OrgScope::Region("52".into()), &["survey_wave"]),
            Reach::AllBut(&["survey_wave"])
        );
    }
}
