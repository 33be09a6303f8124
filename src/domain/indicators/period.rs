//! Periods of indicator values: a month (`2025-03`), a quarter (`2025-Q1`) or a year
//! (`2025`), read from what people type (`03/2025`, `T1 2025`, `2025-T1`…).

use std::fmt;

use chrono::{Datelike, NaiveDate};

use crate::domain::Invalid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    Year(i32),
    Quarter(i32, u32),
    Month(i32, u32),
}

fn year(raw: &str) -> Option<i32> {
    let y: i32 = raw.parse().ok()?;
    (1990..=2100).contains(&y).then_some(y)
}

fn in_range(raw: &str, max: u32) -> Option<u32> {
    let n: u32 = raw.parse().ok()?;
    (1..=max).contains(&n).then_some(n)
}

impl Period {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let text = raw.trim().to_uppercase().replace(' ', "-");
        if text.is_empty() {
            return Err(Invalid::new("err-required"));
        }
        let parts: Vec<&str> = text.split(['-', '/']).collect();
        let quarter = |q: &str| {
            q.strip_prefix('Q')
                .or_else(|| q.strip_prefix('T'))
                .and_then(|n| in_range(n, 4))
        };
        let found = match parts.as_slice() {
            [y] => year(y).map(Period::Year),
            // 2025-03, 2025-Q1, 2025-T1
            [y, m] if y.len() == 4 => year(y).and_then(|y| {
                quarter(m)
                    .map(|q| Period::Quarter(y, q))
                    .or_else(|| in_range(m, 12).map(|m| Period::Month(y, m)))
            }),
            // 03/2025, T1 2025, Q1-2025
            [m, y] => year(y).and_then(|y| {
                quarter(m)
                    .map(|q| Period::Quarter(y, q))
                    .or_else(|| in_range(m, 12).map(|m| Period::Month(y, m)))
            }),
            _ => None,
        };
        found.ok_or_else(|| Invalid::new("err-period").arg("value", raw.trim()))
    }

    /// The period that holds a day, at the given granularity.
    pub fn of(kind: &str, day: NaiveDate) -> Self {
        match kind {
            "year" => Period::Year(day.year()),
            "quarter" => Period::Quarter(day.year(), (day.month() - 1) / 3 + 1),
            _ => Period::Month(day.year(), day.month()),
        }
    }

    pub fn kind(self) -> &'static str {
        match self {
            Period::Year(_) => "year",
            Period::Quarter(..) => "quarter",
            Period::Month(..) => "month",
        }
    }

    pub fn start(self) -> NaiveDate {
        let (y, m) = match self {
            Period::Year(y) => (y, 1),
            Period::Quarter(y, q) => (y, (q - 1) * 3 + 1),
            Period::Month(y, m) => (y, m),
        };
        NaiveDate::from_ymd_opt(y, m, 1).unwrap_or_default()
    }

    /// The period just before, of the same kind.
    #[must_use]
    pub fn previous(self) -> Self {
        match self {
            Period::Year(y) => Period::Year(y - 1),
            Period::Quarter(y, 1) => Period::Quarter(y - 1, 4),
            Period::Quarter(y, q) => Period::Quarter(y, q - 1),
            Period::Month(y, 1) => Period::Month(y - 1, 12),
            Period::Month(y, m) => Period::Month(y, m - 1),
        }
    }

    /// As tables and chart axes show it, short: `nov. 2026`, `T3 2026` (`Nov 2026`,
    /// `Q3 2026` in English), `2026`.
    pub fn short_label(self, lang: &str) -> String {
        const FR: [&str; 12] = [
            "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
            "nov.", "déc.",
        ];
        const EN: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let english = lang == "en";
        match self {
            Period::Year(y) => y.to_string(),
            Period::Quarter(y, q) => format!("{}{q} {y}", if english { "Q" } else { "T" }),
            Period::Month(y, m) => {
                let names = if english { EN } else { FR };
                let index = usize::try_from(m.saturating_sub(1)).unwrap_or(0).min(11);
                format!("{} {y}", names[index])
            }
        }
    }

    /// As French readers see it: `mars 2025`, `T1 2025`, `2025`.
    pub fn label(self, lang: &str) -> String {
        const FR: [&str; 12] = [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ];
        const EN: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        match self {
            Period::Year(y) => y.to_string(),
            Period::Quarter(y, q) if lang == "en" => format!("Q{q} {y}"),
            Period::Quarter(y, q) => format!("T{q} {y}"),
            Period::Month(y, m) => {
                let names = if lang == "en" { EN } else { FR };
                format!("{} {y}", names[(m - 1) as usize])
            }
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Year(y) => write!(f, "{y}"),
            Period::Quarter(y, q) => write!(f, "{y}-Q{q}"),
            Period::Month(y, m) => write!(f, "{y}-{m:02}"),
        }
    }
}

impl serde::Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn periods_are_read_as_people_write_them() {
        assert_eq!(Period::parse("2025-03").unwrap(), Period::Month(2025, 3));
        assert_eq!(Period::parse("03/2025").unwrap(), Period::Month(2025, 3));
        assert_eq!(Period::parse("3/2025").unwrap(), Period::Month(2025, 3));
        assert_eq!(Period::parse("2025-T1").unwrap(), Period::Quarter(2025, 1));
        assert_eq!(Period::parse("t2 2025").unwrap(), Period::Quarter(2025, 2));
        assert_eq!(Period::parse("2025-Q4").unwrap(), Period::Quarter(2025, 4));
        assert_eq!(Period::parse(" 2025 ").unwrap(), Period::Year(2025));
        assert_eq!(Period::parse("2025-13").unwrap_err().key, "err-period");
        assert_eq!(Period::parse("T5 2025").unwrap_err().key, "err-period");
        assert_eq!(Period::parse("1789").unwrap_err().key, "err-period");
        assert_eq!(Period::parse("").unwrap_err().key, "err-required");
    }

    #[test]
    fn periods_start_follow_and_read_in_french() {
        assert_eq!(
            Period::Quarter(2025, 3).start(),
            NaiveDate::from_ymd_opt(2025, 7, 1).unwrap()
        );
        assert_eq!(Period::Month(2025, 1).previous(), Period::Month(2024, 12));
        assert_eq!(
            Period::Quarter(2025, 1).previous(),
            Period::Quarter(2024, 4)
        );
        assert_eq!(Period::Month(2025, 3).label("fr"), "mars 2025");
        assert_eq!(Period::Quarter(2025, 2).label("fr"), "T2 2025");
        let day = NaiveDate::from_ymd_opt(2025, 8, 14).unwrap();
        assert_eq!(Period::of("quarter", day), Period::Quarter(2025, 3));
    }

    proptest! {
        #[test]
        fn a_period_reads_back_what_it_writes(y in 1990i32..2100, n in 1u32..13, kind in 0u8..3) {
            let period = match kind {
                0 => Period::Year(y),
                1 => Period::Quarter(y, (n - 1) % 4 + 1),
                _ => Period::Month(y, n),
            };
            prop_assert_eq!(Period::parse(&period.to_string()).unwrap(), period);
        }
    }
}
