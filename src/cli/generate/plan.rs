//! What to generate, decided from the seed alone (no database): the organismes with their
//! family, region, department, name, SIREN and homes, and the frameworks each commits to,
//! with when it started and how its story ends. Shares are apportioned, not drawn, so that
//! a federation of 600 has 210 OPH whatever the seed; who gets what is drawn.

use std::collections::HashSet;

use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use super::names;
use super::places::{AREAS, Area, Department, area};
pub use super::schemes::{Follow, Scheme};
use super::stamp::{chance, normal, pick, rng};
use crate::domain::{Family, Siren};

/// Streams of the seed: one generator per purpose.
pub const STREAM_PLAN: u64 = 1;
pub const STREAM_ORGANISME: u64 = 2;
pub const STREAM_CONTENT: u64 = 3;

/// Mean homes per organisme: ≈ 5 million for 600 (DOMAIN.md §6.2).
pub const MEAN_HOMES: f64 = 8_300.0;
pub const MIN_HOMES: i64 = 150;
pub const MAX_HOMES: i64 = 80_000;

/// Commitments reach back this far before the as-of date.
pub const HISTORY_DAYS: i64 = 6 * 365;

const FAMILY_SHARES: [(Family, f64); 4] = [
    (Family::Oph, 35.0),
    (Family::Esh, 30.0),
    (Family::Coop, 25.0),
    (Family::Sem, 10.0),
];

#[derive(Debug, Clone)]
pub struct OrgPlan {
    pub index: usize,
    pub name: String,
    /// Unique, for e-mail addresses: `qualite@<slug>.test`
    pub slug: String,
    pub siren: String,
    pub family: Family,
    pub region: &'static str,
    pub department: &'static Department,
    pub homes: i64,
    pub follows: Vec<Follow>,
    pub observer: bool,
    /// How well it does, around 0: grades and indicator levels lean on it
    pub quality: f64,
}

/// Splits `n` by `weights` with the largest remainders: the counts add up to `n`.
pub fn apportion(n: usize, weights: &[f64]) -> Vec<usize> {
    let total: f64 = weights.iter().sum();
    #[expect(clippy::cast_precision_loss, reason = "counts of organismes")]
    let quotas: Vec<f64> = weights.iter().map(|w| w / total * n as f64).collect();
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "floors of non-negative quotas"
    )]
    let mut counts: Vec<usize> = quotas.iter().map(|q| q.floor() as usize).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|a, b| {
        let ra = quotas[*a] - quotas[*a].floor();
        let rb = quotas[*b] - quotas[*b].floor();
        rb.total_cmp(&ra).then(a.cmp(b))
    });
    let mut rest = n - counts.iter().sum::<usize>();
    for i in order.into_iter().cycle() {
        if rest == 0 {
            break;
        }
        counts[i] += 1;
        rest -= 1;
    }
    counts
}

fn repeat<T: Copy>(items: &[T], counts: &[usize]) -> Vec<T> {
    items
        .iter()
        .zip(counts)
        .flat_map(|(item, n)| std::iter::repeat_n(*item, *n))
        .collect()
}

/// A valid SIREN not given yet: OPH are public bodies (27…/28…), companies otherwise.
fn siren(rng: &mut StdRng, family: Family, taken: &mut HashSet<String>) -> String {
    loop {
        let head = match family {
            Family::Oph => rng.random_range(27_000_000..29_000_000),
            _ => rng.random_range(30_000_000..99_999_999),
        };
        let candidate = (0..10)
            .map(|check| format!("{head:08}{check}"))
            .find(|c| Siren::parse(c).is_ok());
        if let Some(found) = candidate
            && taken.insert(found.clone())
        {
            return found;
        }
    }
}

/// The organismes of a dataset of `n`, the same for the same seed.
pub fn organisations(seed: u64, n: usize) -> Vec<OrgPlan> {
    let mut plan_rng = rng(seed, STREAM_PLAN, 0);
    let family_weights: Vec<f64> = FAMILY_SHARES.iter().map(|(_, w)| *w).collect();
    let families_all: Vec<Family> = FAMILY_SHARES.iter().map(|(f, _)| *f).collect();
    let mut families = repeat(&families_all, &apportion(n, &family_weights));
    #[expect(clippy::cast_lossless, reason = "population in thousands")]
    let populations: Vec<f64> = AREAS.iter().map(|a| a.population as f64).collect();
    let areas: Vec<&'static Area> = AREAS.iter().collect();
    let mut regions = repeat(&areas, &apportion(n, &populations));
    families.shuffle(&mut plan_rng);
    regions.shuffle(&mut plan_rng);
    // Overseas, social housing is mostly held by SEM (SIDR, SIM, SIGUY…): give them those.
    for i in 0..n {
        let overseas =
            crate::domain::Region::by_code(regions[i].region).is_some_and(|r| r.overseas);
        if overseas && families[i] != Family::Sem && chance(&mut plan_rng, 0.6) {
            let swap = (0..n).find(|j| {
                families[*j] == Family::Sem
                    && !crate::domain::Region::by_code(regions[*j].region)
                        .is_some_and(|r| r.overseas)
            });
            if let Some(j) = swap {
                families.swap(i, j);
            }
        }
    }
    let mut names = HashSet::new();
    let mut sirens = HashSet::new();
    let mut plans: Vec<OrgPlan> = (0..n)
        .map(|i| {
            let mut r = rng(seed, STREAM_ORGANISME, i as u64);
            let family = families[i];
            let area = regions[i];
            let department = pick(&mut r, area.departments);
            let name = unique_name(&mut r, family, area, department, &mut names);
            let median = match family {
                Family::Oph => 6_000.0,
                Family::Esh => 6_500.0,
                Family::Coop => 900.0,
                _ => 3_500.0,
            };
            let follows = super::schemes::follows(&mut r, family);
            OrgPlan {
                index: i,
                slug: String::new(),
                siren: siren(&mut r, family, &mut sirens),
                name,
                family,
                region: area.region,
                department,
                homes: 0,
                observer: chance(&mut r, 0.3),
                quality: normal(&mut r),
                follows,
            }
            .with_homes(median * normal(&mut r).exp())
        })
        .collect();
    scale_homes(&mut plans);
    let mut slugs = HashSet::new();
    for p in &mut plans {
        let base = names::slug(&p.name);
        let mut slug = base.clone();
        let mut n = 2;
        while !slugs.insert(slug.clone()) {
            slug = format!("{base}-{n}");
            n += 1;
        }
        p.slug = slug;
    }
    plans
}

impl OrgPlan {
    #[expect(clippy::cast_possible_truncation, reason = "a number of homes")]
    fn with_homes(mut self, raw: f64) -> Self {
        self.homes = raw.round() as i64;
        self
    }

    pub fn area(&self) -> &'static Area {
        area(self.region)
    }
}

/// Scales the draws so the mean is `MEAN_HOMES`, within the bounds.
fn scale_homes(plans: &mut [OrgPlan]) {
    // Clamping moves the mean a little: scale again, a few times.
    for _ in 0..4 {
        #[expect(clippy::cast_precision_loss, reason = "sums of homes")]
        let total: f64 = plans.iter().map(|p| p.homes as f64).sum();
        if total <= 0.0 {
            return;
        }
        #[expect(clippy::cast_precision_loss, reason = "counts of organismes")]
        let factor = MEAN_HOMES * plans.len() as f64 / total;
        for p in plans.iter_mut() {
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_precision_loss,
                reason = "a number of homes"
            )]
            let scaled = (p.homes as f64 * factor).round() as i64;
            p.homes = scaled.clamp(MIN_HOMES, MAX_HOMES);
        }
    }
}

fn unique_name(
    rng: &mut StdRng,
    family: Family,
    area: &Area,
    department: &Department,
    taken: &mut HashSet<String>,
) -> String {
    for _ in 0..4 {
        for candidate in names::organisme_candidates(rng, family, area, department) {
            if taken.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
    let mut n = 2;
    loop {
        let candidate = format!(
            "{} {n}",
            names::organisme_candidates(rng, family, area, department)[0]
        );
        if taken.insert(candidate.clone()) {
            return candidate;
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_are_apportioned_exactly() {
        assert_eq!(
            apportion(600, &[35.0, 30.0, 25.0, 10.0]),
            [210, 180, 150, 60]
        );
        assert_eq!(
            apportion(8, &[35.0, 30.0, 25.0, 10.0])
                .iter()
                .sum::<usize>(),
            8
        );
        assert_eq!(apportion(0, &[1.0, 2.0]), [0, 0]);
    }

    #[test]
    fn a_federation_of_600_looks_like_the_sector() {
        let plans = organisations(1, 600);
        let again = organisations(1, 600);
        assert!(
            plans
                .iter()
                .zip(&again)
                .all(|(a, b)| (&a.name, &a.siren, a.homes) == (&b.name, &b.siren, b.homes))
        );
        let count = |f: Family| plans.iter().filter(|p| p.family == f).count();
        assert_eq!((count(Family::Oph), count(Family::Esh)), (210, 180));
        assert_eq!((count(Family::Coop), count(Family::Sem)), (150, 60));
        let homes: i64 = plans.iter().map(|p| p.homes).sum();
        assert!((4_900_000..5_000_000).contains(&homes), "{homes}");
        assert!(
            plans
                .iter()
                .all(|p| (MIN_HOMES..=MAX_HOMES).contains(&p.homes))
        );
        let idf = plans.iter().filter(|p| p.region == "11").count();
        let overseas = plans.iter().filter(|p| p.region.starts_with('0')).count();
        assert!(
            (100..120).contains(&idf) && (10..30).contains(&overseas),
            "{idf} {overseas}"
        );
        let names: HashSet<&str> = plans.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names.len(), 600);
        let sirens: HashSet<&str> = plans.iter().map(|p| p.siren.as_str()).collect();
        assert_eq!(sirens.len(), 600);
        let with = |s: Scheme| {
            plans
                .iter()
                .filter(|p| p.follows.iter().any(|f| f.scheme == s))
                .count()
        };
        assert!(
            (250..350).contains(&with(Scheme::QualiHlm)),
            "{}",
            with(Scheme::QualiHlm)
        );
        assert!((110..190).contains(&with(Scheme::Qualibail)));
        assert!((35..90).contains(&with(Scheme::Iso9001)));
        assert_ne!(plans[0].name, organisations(2, 600)[0].name);
    }
}
