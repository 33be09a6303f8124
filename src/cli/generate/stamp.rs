//! Deterministic randomness for generated datasets: a seeded generator per organisme (so one
//! organisme's content does not depend on the others'), small drawing helpers, and UUIDv7 ids
//! whose time part is the record's own time and whose random part comes from the generator:
//! ids still sort by time, and a seed always gives the same ids.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::services::frameworks::Stamps;

/// splitmix64: spreads nearby inputs over the whole seed space.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The generator of one purpose (`stream`) and one item (`index`) of the dataset `seed`.
pub fn rng(seed: u64, stream: u64, index: u64) -> StdRng {
    StdRng::seed_from_u64(mix(mix(mix(seed) ^ stream) ^ index))
}

/// A UUIDv7 of the instant `at`, its random part drawn from `rng`.
pub fn uuid_at(rng: &mut StdRng, at: NaiveDateTime) -> String {
    let millis = u64::try_from(at.and_utc().timestamp_millis()).unwrap_or(0);
    let mut random = [0u8; 10];
    rng.fill(&mut random);
    uuid::Builder::from_unix_timestamp_millis(millis, &random)
        .into_uuid()
        .to_string()
}

/// A working-hours instant of `day` (08:00 to 18:00), to the second.
pub fn during(rng: &mut StdRng, day: NaiveDate) -> NaiveDateTime {
    let seconds = rng.random_range(8 * 3600..18 * 3600);
    day.and_time(NaiveTime::MIN) + Duration::seconds(seconds)
}

/// `day` at a fixed hour: for rows written "on that day" in a given order.
pub fn at_hour(day: NaiveDate, hour: u32) -> NaiveDateTime {
    day.and_time(NaiveTime::from_hms_opt(hour.min(23), 0, 0).unwrap_or(NaiveTime::MIN))
}

/// Ids and time for the framework import service: every id drawn from one generator, every
/// row stamped with the same instant.
pub struct Seq {
    pub rng: StdRng,
    pub at: NaiveDateTime,
}

impl Stamps for Seq {
    fn id(&mut self) -> String {
        uuid_at(&mut self.rng, self.at)
    }

    fn at(&mut self) -> NaiveDateTime {
        self.at
    }
}

/// A standard normal draw (Box–Muller), without another dependency.
pub fn normal(rng: &mut StdRng) -> f64 {
    let u1: f64 = rng.random_range(f64::EPSILON..1.0);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

pub fn chance(rng: &mut StdRng, p: f64) -> bool {
    rng.random_bool(p.clamp(0.0, 1.0))
}

pub fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// An index drawn with the given weights (all zero: the first).
pub fn weighted(rng: &mut StdRng, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        return 0;
    }
    let mut draw = rng.random_range(0.0..total);
    for (i, w) in weights.iter().enumerate() {
        if draw < *w {
            return i;
        }
        draw -= w;
    }
    weights.len() - 1
}

/// A whole number of days in `low..=high`.
pub fn days(rng: &mut StdRng, low: i64, high: i64) -> Duration {
    Duration::days(if high <= low {
        low
    } else {
        rng.random_range(low..=high)
    })
}

/// Splits `total` into `n` shares (each at least `floor`) drawn with skewed weights.
pub fn split(rng: &mut StdRng, total: i64, n: usize, floor: i64) -> Vec<i64> {
    if n == 0 {
        return Vec::new();
    }
    let floor = floor.min(total / i64::try_from(n).unwrap_or(1));
    let weights: Vec<f64> = (0..n).map(|_| (0.8 * normal(rng)).exp()).collect();
    let sum: f64 = weights.iter().sum();
    let spare = total - floor * i64::try_from(n).unwrap_or(0);
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_precision_loss,
        reason = "shares of a number of homes"
    )]
    let mut shares: Vec<i64> = weights
        .iter()
        .map(|w| floor + (w / sum * spare as f64).floor() as i64)
        .collect();
    let mut rest = total - shares.iter().sum::<i64>();
    let mut i = 0;
    while rest > 0 {
        shares[i % n] += 1;
        rest -= 1;
        i += 1;
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_draws_and_ids_sort_by_time() {
        let day = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
        let mut a = rng(7, 1, 3);
        let mut b = rng(7, 1, 3);
        let first = uuid_at(&mut a, at_hour(day, 9));
        assert_eq!(first, uuid_at(&mut b, at_hour(day, 9)));
        assert_ne!(first, uuid_at(&mut rng(8, 1, 3), at_hour(day, 9)));
        let later = uuid_at(&mut a, at_hour(day, 10));
        assert!(later > first);
        assert_eq!(uuid::Uuid::parse_str(&first).unwrap().get_version_num(), 7);
    }

    #[test]
    fn splits_add_up() {
        let mut r = rng(1, 2, 3);
        for (total, n) in [(8300, 19), (150, 4), (3, 5), (80_000, 39)] {
            let shares = split(&mut r, total, n, 10);
            assert_eq!(shares.iter().sum::<i64>(), total);
            assert!(shares.iter().all(|s| *s >= 0));
        }
    }
}
