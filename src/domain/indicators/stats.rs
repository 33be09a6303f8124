//! Where figures stand among peers: quartiles and median (linear interpolation between the
//! closest ranks), an organisme's position (the share of peers it does better than, in the
//! indicator's direction), and the bins of a distribution chart.

use serde::Serialize;

use super::Direction;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Summary {
    pub count: usize,
    pub min: f64,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub max: f64,
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    #[expect(clippy::cast_precision_loss, reason = "at most a few thousand figures")]
    let rank = q * (sorted.len() - 1) as f64;
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a rank within the list"
    )]
    let (low, high) = (rank.floor() as usize, rank.ceil() as usize);
    #[expect(clippy::cast_precision_loss, reason = "a small index")]
    let weight = rank - low as f64;
    sorted[low] + (sorted[high] - sorted[low]) * weight
}

pub fn summary(values: &[f64]) -> Option<Summary> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    Some(Summary {
        count: sorted.len(),
        min: sorted[0],
        q1: quantile(&sorted, 0.25),
        median: quantile(&sorted, 0.5),
        q3: quantile(&sorted, 0.75),
        max: sorted[sorted.len() - 1],
    })
}

/// The share (0–100) of the peers' figures this one does strictly better than.
pub fn better_than(value: f64, peers: &[f64], direction: Direction) -> Option<f64> {
    if peers.is_empty() {
        return None;
    }
    let beaten = peers
        .iter()
        .filter(|p| match direction {
            Direction::HigherIsBetter => value > **p,
            Direction::LowerIsBetter => value < **p,
        })
        .count();
    #[expect(clippy::cast_precision_loss, reason = "counts of organismes")]
    Some(beaten as f64 / peers.len() as f64 * 100.0)
}

/// Counts of figures in `bins` equal slices of [low, high]; the last slice holds `high`.
pub fn histogram(values: &[f64], low: f64, high: f64, bins: usize) -> Vec<(f64, f64, usize)> {
    if bins == 0 || high <= low {
        return Vec::new();
    }
    #[expect(clippy::cast_precision_loss, reason = "a handful of bins")]
    let width = (high - low) / bins as f64;
    let mut counts = vec![0; bins];
    for v in values.iter().filter(|v| (low..=high).contains(*v)) {
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a bin index"
        )]
        let i = (((v - low) / width).floor() as usize).min(bins - 1);
        counts[i] += 1;
    }
    #[expect(clippy::cast_precision_loss, reason = "a handful of bins")]
    counts
        .into_iter()
        .enumerate()
        .map(|(i, c)| (low + width * i as f64, low + width * (i + 1) as f64, c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quartiles_interpolate_between_ranks() {
        let s = summary(&[70.0, 90.0, 80.0, 100.0, 60.0]).unwrap();
        assert_eq!((s.count, s.min, s.median, s.max), (5, 60.0, 80.0, 100.0));
        assert!((s.q1 - 70.0).abs() < 1e-9 && (s.q3 - 90.0).abs() < 1e-9);
        let even = summary(&[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert!((even.median - 2.5).abs() < 1e-9);
        assert!((even.q1 - 1.75).abs() < 1e-9);
        assert!(summary(&[]).is_none());
        assert!((summary(&[5.0]).unwrap().q3 - 5.0).abs() < 1e-9);
    }

    #[test]
    fn the_position_follows_the_direction() {
        let peers = [60.0, 70.0, 80.0, 90.0];
        assert_eq!(
            better_than(85.0, &peers, Direction::HigherIsBetter),
            Some(75.0)
        );
        assert_eq!(
            better_than(85.0, &peers, Direction::LowerIsBetter),
            Some(25.0)
        );
        assert_eq!(
            better_than(80.0, &peers, Direction::HigherIsBetter),
            Some(50.0),
            "ties are not beaten"
        );
        assert_eq!(better_than(1.0, &[], Direction::HigherIsBetter), None);
    }

    #[test]
    fn every_value_in_range_falls_in_one_bin() {
        let bins = histogram(&[0.0, 9.9, 10.0, 55.0, 100.0, 120.0], 0.0, 100.0, 10);
        assert_eq!(bins.len(), 10);
        assert_eq!(bins[0].2, 2);
        assert_eq!(bins[1].2, 1);
        assert_eq!(bins[5].2, 1);
        assert_eq!(bins[9].2, 1, "the top value is in the last bin");
        assert_eq!(
            bins.iter().map(|b| b.2).sum::<usize>(),
            5,
            "out of range is left out"
        );
    }
}
