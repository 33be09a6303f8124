//! How the values of an organisme's sites make the organisme's figure, and how it was made
//! (the page says it): rates from the sums of their numerators and denominators, other
//! measures weighted by their denominators (the cases measured) or by the sites' homes,
//! counts added up; a plain mean only when nothing gives a weight.

use super::Unit;

/// One site's value for the period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figure {
    pub value: f64,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub homes: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Σ numerators ÷ Σ denominators
    RatioOfSums,
    /// Σ (value × denominator) ÷ Σ denominators
    WeightedByDenominator,
    /// Σ (value × homes) ÷ Σ homes
    WeightedByHomes,
    /// Σ values (counts)
    Sum,
    /// Plain mean, when nothing gives a weight
    Mean,
}

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Rollup {
    pub value: f64,
    pub method: Method,
    /// How many site values it is made of
    pub sites: usize,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
}

fn positive(x: Option<f64>) -> Option<f64> {
    x.filter(|d| *d > 0.0)
}

pub fn rollup(unit: Unit, figures: &[Figure]) -> Option<Rollup> {
    if figures.is_empty() {
        return None;
    }
    let sites = figures.len();
    let done = |value: f64, method: Method, numerator: Option<f64>, denominator: Option<f64>| {
        Some(Rollup {
            value,
            method,
            sites,
            numerator,
            denominator,
        })
    };
    let sum = |f: fn(&Figure) -> f64| figures.iter().map(f).sum::<f64>();
    if unit == Unit::Count {
        return done(sum(|f| f.value), Method::Sum, None, None);
    }
    let all_denominators = figures.iter().all(|f| positive(f.denominator).is_some());
    if all_denominators {
        let denominator = sum(|f| f.denominator.unwrap_or(0.0));
        if unit == Unit::Percent && figures.iter().all(|f| f.numerator.is_some()) {
            let numerator = sum(|f| f.numerator.unwrap_or(0.0));
            return done(
                numerator / denominator * 100.0,
                Method::RatioOfSums,
                Some(numerator),
                Some(denominator),
            );
        }
        let weighted = sum(|f| f.value * f.denominator.unwrap_or(0.0));
        return done(
            weighted / denominator,
            Method::WeightedByDenominator,
            None,
            Some(denominator),
        );
    }
    if figures.iter().all(|f| f.homes.is_some_and(|h| h > 0)) {
        #[expect(clippy::cast_precision_loss, reason = "homes are far below 2^52")]
        let homes = |f: &Figure| f.homes.unwrap_or(0) as f64;
        let total: f64 = figures.iter().map(homes).sum();
        let weighted: f64 = figures.iter().map(|f| f.value * homes(f)).sum();
        return done(weighted / total, Method::WeightedByHomes, None, None);
    }
    #[expect(clippy::cast_precision_loss, reason = "a handful of sites")]
    let mean = sum(|f| f.value) / sites as f64;
    done(mean, Method::Mean, None, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(
        value: f64,
        numerator: Option<f64>,
        denominator: Option<f64>,
        homes: Option<i64>,
    ) -> Figure {
        Figure {
            value,
            numerator,
            denominator,
            homes,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn rates_roll_up_from_their_numerators_and_denominators() {
        // 90 of 100 calls and 10 of 50: 100 of 150, not the mean of 90 % and 20 %.
        let r = rollup(
            Unit::Percent,
            &[
                figure(90.0, Some(90.0), Some(100.0), Some(500)),
                figure(20.0, Some(10.0), Some(50.0), Some(5000)),
            ],
        )
        .unwrap();
        assert_eq!(r.method, Method::RatioOfSums);
        assert!(close(r.value, 100.0 / 150.0 * 100.0));
        assert_eq!(
            (r.numerator, r.denominator, r.sites),
            (Some(100.0), Some(150.0), 2)
        );
    }

    #[test]
    fn delays_are_weighted_by_the_cases_measured_then_by_homes() {
        let by_cases = rollup(
            Unit::Days,
            &[
                figure(10.0, None, Some(30.0), None),
                figure(4.0, None, Some(10.0), None),
            ],
        )
        .unwrap();
        assert_eq!(by_cases.method, Method::WeightedByDenominator);
        assert!(close(by_cases.value, (300.0 + 40.0) / 40.0));
        let by_homes = rollup(
            Unit::Score10,
            &[
                figure(8.0, None, None, Some(300)),
                figure(6.0, None, None, Some(100)),
            ],
        )
        .unwrap();
        assert_eq!(by_homes.method, Method::WeightedByHomes);
        assert!(close(by_homes.value, 7.5));
        // One site without homes: nothing weighs every value, so a plain mean.
        let mean = rollup(
            Unit::Score10,
            &[
                figure(8.0, None, None, Some(300)),
                figure(6.0, None, None, None),
            ],
        )
        .unwrap();
        assert_eq!(mean.method, Method::Mean);
        assert!(close(mean.value, 7.0));
    }

    #[test]
    fn counts_add_up_and_nothing_makes_nothing() {
        let r = rollup(
            Unit::Count,
            &[
                figure(3.0, None, None, None),
                figure(4.0, None, Some(9.0), None),
            ],
        )
        .unwrap();
        assert_eq!(r.method, Method::Sum);
        assert!(close(r.value, 7.0));
        assert!(rollup(Unit::Percent, &[]).is_none());
        // A zero denominator gives no weight: fall back rather than divide by zero.
        let r = rollup(
            Unit::Percent,
            &[
                figure(50.0, Some(0.0), Some(0.0), Some(10)),
                figure(100.0, Some(5.0), Some(5.0), Some(10)),
            ],
        )
        .unwrap();
        assert_eq!(r.method, Method::WeightedByHomes);
        assert!(close(r.value, 75.0));
    }
}
