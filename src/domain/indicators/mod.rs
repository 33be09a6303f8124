//! Indicators: units, directions and frequencies, periods, whether a value meets its target,
//! how site values roll up to the organisme, numbers as people type them, and the CSV file of
//! values an organisme imports.

pub mod csv_file;
pub mod period;
pub mod rollup;
pub mod stats;

pub use period::Period;
pub use rollup::{Figure, Method, Rollup, rollup};

use super::Invalid;
use super::enums::text_enum;

text_enum!(
    /// What a value measures.
    Unit, "unit", {
        Percent => "percent",
        Days => "days",
        WorkingDays => "working_days",
        Hours => "hours",
        Count => "count",
        Score10 => "score10",
    }
);

text_enum!(
    /// How a value is judged against its target.
    Direction, "direction", {
        HigherIsBetter => "higher_is_better",
        LowerIsBetter => "lower_is_better",
    }
);

text_enum!(
    /// How often a value is expected.
    Frequency, "frequency", {
        Monthly => "monthly",
        Quarterly => "quarterly",
        Yearly => "yearly",
        Triennial => "triennial",
    }
);

impl Unit {
    /// The range a value of this unit must lie in.
    pub fn check(self, value: f64) -> Result<f64, Invalid> {
        let (low, high) = match self {
            Unit::Percent => (0.0, 100.0),
            Unit::Score10 => (0.0, 10.0),
            _ => (0.0, f64::MAX),
        };
        if !value.is_finite() || value < low || value > high {
            let mut invalid = Invalid::new("err-value-range").arg("min", number(low));
            if high < f64::MAX {
                invalid = invalid.arg("max", number(high));
            } else {
                invalid = invalid.arg("max", "∞");
            }
            return Err(invalid);
        }
        Ok(value)
    }
}

fn number(value: f64) -> String {
    format!("{value}").replace('.', ",")
}

/// How a value stands against its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Met,
    NotMet,
    /// A target but no value for the period
    NoData,
    /// A value but no target to judge it by
    NoTarget,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::NotMet => "not_met",
            Status::NoData => "no_data",
            Status::NoTarget => "no_target",
        }
    }
}

/// A value exactly on its target meets it, whichever the direction.
pub fn status(direction: Direction, target: Option<f64>, value: Option<f64>) -> Status {
    match (target, value) {
        (_, None) => Status::NoData,
        (None, Some(_)) => Status::NoTarget,
        (Some(target), Some(value)) => {
            let met = match direction {
                Direction::HigherIsBetter => value >= target,
                Direction::LowerIsBetter => value <= target,
            };
            if met { Status::Met } else { Status::NotMet }
        }
    }
}

/// A number as people type it: `12,5`, `12.5`, `1 234,5`, `95 %`, `1.234,5` is refused as
/// ambiguous only when both separators appear in an order that is not French.
pub fn parse_number(raw: &str) -> Result<f64, Invalid> {
    let text: String = raw
        .trim()
        .trim_end_matches('%')
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    if text.is_empty() {
        return Err(Invalid::new("err-required"));
    }
    let normalised = match (text.find('.'), text.find(',')) {
        // "1.234,5": dots group thousands, the comma is the decimal separator.
        (Some(dot), Some(comma)) if dot < comma => text.replace('.', "").replace(',', "."),
        (Some(_), Some(_)) => return Err(Invalid::new("err-number").arg("value", raw.trim())),
        _ => text.replace(',', "."),
    };
    normalised
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| Invalid::new("err-number").arg("value", raw.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_as_french_people_type_them() {
        assert!((parse_number("12,5").unwrap() - 12.5).abs() < 1e-9);
        assert!((parse_number(" 12.5 ").unwrap() - 12.5).abs() < 1e-9);
        assert!((parse_number("1 234,5").unwrap() - 1234.5).abs() < 1e-9);
        assert!((parse_number("1\u{202f}234,5").unwrap() - 1234.5).abs() < 1e-9);
        assert!((parse_number("95 %").unwrap() - 95.0).abs() < 1e-9);
        assert!((parse_number("1.234,5").unwrap() - 1234.5).abs() < 1e-9);
        assert_eq!(parse_number("1,234.5").unwrap_err().key, "err-number");
        assert_eq!(parse_number("douze").unwrap_err().key, "err-number");
        assert_eq!(parse_number("").unwrap_err().key, "err-required");
        assert_eq!(parse_number("NaN").unwrap_err().key, "err-number");
    }

    #[test]
    fn a_value_on_its_target_meets_it_in_both_directions() {
        use Direction::{HigherIsBetter as Up, LowerIsBetter as Down};
        assert_eq!(status(Up, Some(95.0), Some(95.0)), Status::Met);
        assert_eq!(status(Up, Some(95.0), Some(94.99)), Status::NotMet);
        assert_eq!(status(Down, Some(10.0), Some(10.0)), Status::Met);
        assert_eq!(status(Down, Some(10.0), Some(10.01)), Status::NotMet);
        assert_eq!(status(Up, Some(95.0), None), Status::NoData);
        assert_eq!(status(Up, None, Some(50.0)), Status::NoTarget);
        assert_eq!(status(Up, None, None), Status::NoData);
    }

    #[test]
    fn values_stay_within_their_unit() {
        assert!(Unit::Percent.check(100.0).is_ok());
        assert_eq!(
            Unit::Percent.check(100.5).unwrap_err().key,
            "err-value-range"
        );
        assert_eq!(
            Unit::Score10.check(11.0).unwrap_err().key,
            "err-value-range"
        );
        assert!(Unit::Days.check(400.0).is_ok());
        assert_eq!(Unit::Count.check(-1.0).unwrap_err().key, "err-value-range");
    }
}
