//! French public holidays by zone (metropolitan France, Alsace-Moselle, the five overseas
//! departments) and the working-day and month arithmetic that deadlines are counted in.
//! Pure date rules: no clock, no I/O.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// Public-holiday zone of a place in France.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Zone {
    Metropole,
    AlsaceMoselle,
    Guadeloupe,
    Martinique,
    Guyane,
    Reunion,
    Mayotte,
}

impl Zone {
    pub const ALL: [Zone; 7] = [
        Zone::Metropole,
        Zone::AlsaceMoselle,
        Zone::Guadeloupe,
        Zone::Martinique,
        Zone::Guyane,
        Zone::Reunion,
        Zone::Mayotte,
    ];

    /// Stable identifier, identical to the serialised form.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Zone::Metropole => "metropole",
            Zone::AlsaceMoselle => "alsace-moselle",
            Zone::Guadeloupe => "guadeloupe",
            Zone::Martinique => "martinique",
            Zone::Guyane => "guyane",
            Zone::Reunion => "reunion",
            Zone::Mayotte => "mayotte",
        }
    }

    /// Zone of a French postal code; anything unrecognised falls back to `Metropole`.
    ///
    /// Saint-Barthélemy (97133) and Saint-Martin (97150) share the 971 prefix and therefore
    /// get Guadeloupe's calendar, although their own abolition dates differ; as collectivités
    /// rather than departments they are outside this module's scope.
    #[must_use]
    pub fn from_postal_code(code: &str) -> Zone {
        // Same leniency as `PostalCode::parse`: "57 000" is how people type it.
        let digits: String = code
            .chars()
            .filter(|c| !c.is_whitespace())
            .take(3)
            .collect();
        if digits.len() < 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Zone::Metropole;
        }
        match (&digits[..2], digits.as_str()) {
            ("57" | "67" | "68", _) => Zone::AlsaceMoselle,
            (_, "971") => Zone::Guadeloupe,
            (_, "972") => Zone::Martinique,
            (_, "973") => Zone::Guyane,
            (_, "974") => Zone::Reunion,
            (_, "976") => Zone::Mayotte,
            _ => Zone::Metropole,
        }
    }

    /// Zone of an INSEE region code.
    ///
    /// Never returns `AlsaceMoselle`: Grand Est ("44") also covers seven departments under the
    /// general regime, so telling them apart needs a postal code.
    #[must_use]
    pub fn from_region(code: &str) -> Zone {
        match code.trim() {
            "01" => Zone::Guadeloupe,
            "02" => Zone::Martinique,
            "03" => Zone::Guyane,
            "04" => Zone::Reunion,
            "06" => Zone::Mayotte,
            _ => Zone::Metropole,
        }
    }
}

/// Easter Sunday of `year` in the Gregorian calendar (anonymous Gregorian algorithm, also
/// known as Meeus/Jones/Butcher), applied proleptically to years before 1583.
///
/// `None` only when the date is outside the range `NaiveDate` can represent.
#[must_use]
#[allow(
    clippy::many_single_char_names,
    reason = "the letters of the published algorithm, so it can be checked line by line"
)]
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    // Euclidean division keeps the algorithm valid for negative (proleptic) years, where `%`
    // and `/` would round towards zero.
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let month = (h + l - 7 * m + 114).div_euclid(31);
    let day = (h + l - 7 * m + 114).rem_euclid(31) + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

#[derive(Debug, Clone, Copy)]
enum Rule {
    Fixed {
        month: u32,
        day: u32,
    },
    /// Days after Easter Sunday (negative: before).
    Easter(i64),
}

#[derive(Debug, Clone, Copy)]
struct Holiday {
    rule: Rule,
    name: &'static str,
}

impl Holiday {
    const fn fixed(month: u32, day: u32, name: &'static str) -> Self {
        Holiday {
            rule: Rule::Fixed { month, day },
            name,
        }
    }

    const fn easter(offset: i64, name: &'static str) -> Self {
        Holiday {
            rule: Rule::Easter(offset),
            name,
        }
    }

    fn date(self, year: i32, easter: Option<NaiveDate>) -> Option<NaiveDate> {
        match self.rule {
            Rule::Fixed { month, day } => NaiveDate::from_ymd_opt(year, month, day),
            Rule::Easter(offset) => {
                let easter = easter?;
                let days = Days::new(offset.unsigned_abs());
                if offset < 0 {
                    easter.checked_sub_days(days)
                } else {
                    easter.checked_add_days(days)
                }
            }
        }
    }
}

/// Code du travail, art. L3133-1. Whit Monday stays a public holiday even where an employer
/// uses it as the journée de solidarité.
const NATIONAL: [Holiday; 11] = [
    Holiday::fixed(1, 1, "Jour de l’an"),
    Holiday::easter(1, "Lundi de Pâques"),
    Holiday::fixed(5, 1, "Fête du Travail"),
    Holiday::fixed(5, 8, "Victoire 1945"),
    Holiday::easter(39, "Ascension"),
    Holiday::easter(50, "Lundi de Pentecôte"),
    Holiday::fixed(7, 14, "Fête nationale"),
    Holiday::fixed(8, 15, "Assomption"),
    Holiday::fixed(11, 1, "Toussaint"),
    Holiday::fixed(11, 11, "Armistice 1918"),
    Holiday::fixed(12, 25, "Noël"),
];

/// Code du travail, art. L3134-13 (local law of Moselle, Bas-Rhin, Haut-Rhin). The text limits
/// Good Friday to communes with a Protestant or mixed church, but it is observed throughout
/// the three departments, so it is applied zone-wide here.
const ALSACE_MOSELLE: [Holiday; 2] = [
    Holiday::easter(-2, "Vendredi saint"),
    Holiday::fixed(12, 26, "Saint-Étienne"),
];

const ABOLITION: &str = "Abolition de l’esclavage";

/// Loi 83-550 and décret 83-1003: each department commemorates the day abolition took effect
/// there.
fn local_holidays(zone: Zone) -> &'static [Holiday] {
    const GUADELOUPE: [Holiday; 1] = [Holiday::fixed(5, 27, ABOLITION)];
    const MARTINIQUE: [Holiday; 1] = [Holiday::fixed(5, 22, ABOLITION)];
    const GUYANE: [Holiday; 1] = [Holiday::fixed(6, 10, ABOLITION)];
    const REUNION: [Holiday; 1] = [Holiday::fixed(12, 20, ABOLITION)];
    const MAYOTTE: [Holiday; 1] = [Holiday::fixed(4, 27, ABOLITION)];
    match zone {
        Zone::Metropole => &[],
        Zone::AlsaceMoselle => &ALSACE_MOSELLE,
        Zone::Guadeloupe => &GUADELOUPE,
        Zone::Martinique => &MARTINIQUE,
        Zone::Guyane => &GUYANE,
        Zone::Reunion => &REUNION,
        Zone::Mayotte => &MAYOTTE,
    }
}

fn rules(zone: Zone) -> impl Iterator<Item = Holiday> {
    NATIONAL.iter().chain(local_holidays(zone)).copied()
}

/// Public holidays of `year` in `zone`, sorted by date, with their French names.
///
/// Every holiday gets its own entry, so two can share a date when a movable feast lands on a
/// fixed one (Whit Monday and abolition day are both 10 June 2030 in Guyane); the number of
/// days off can then be smaller than the length of the list. Today's rules are applied to
/// every year, including those before the texts existed.
#[must_use]
pub fn holidays(year: i32, zone: Zone) -> Vec<(NaiveDate, &'static str)> {
    let easter = easter_sunday(year);
    let mut list: Vec<_> = rules(zone)
        .filter_map(|h| Some((h.date(year, easter)?, h.name)))
        .collect();
    // Stable sort: on a shared date the national holiday stays first.
    list.sort_by_key(|&(date, _)| date);
    list
}

#[must_use]
pub fn is_holiday(date: NaiveDate, zone: Zone) -> bool {
    let easter = easter_sunday(date.year());
    rules(zone).any(|h| h.date(date.year(), easter) == Some(date))
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Jours ouvrés: Monday to Friday, public holidays excepted.
#[must_use]
pub fn is_working_day(date: NaiveDate, zone: Zone) -> bool {
    !is_weekend(date) && !is_holiday(date, zone)
}

/// The date `n` working days after `start` (start itself not counted; n = 0 gives the first
/// working day on or after start).
///
/// Saturates at `NaiveDate::MAX` rather than failing at the end of the representable range.
#[must_use]
pub fn add_working_days(start: NaiveDate, n: u32, zone: Zone) -> NaiveDate {
    // The year's holidays are worked out once, not for every day walked over: schedules of
    // a whole federation add thousands of working-day deadlines.
    let mut year_off: (i32, Vec<NaiveDate>) = (i32::MIN, Vec::new());
    let mut is_working_day = |date: NaiveDate, zone: Zone| {
        if year_off.0 != date.year() {
            year_off = (
                date.year(),
                holidays(date.year(), zone)
                    .into_iter()
                    .map(|(d, _)| d)
                    .collect(),
            );
        }
        !is_weekend(date) && !year_off.1.contains(&date)
    };
    let mut date = start;
    let mut left = n;
    if left == 0 {
        while !is_working_day(date, zone) {
            match date.succ_opt() {
                Some(next) => date = next,
                None => return date,
            }
        }
        return date;
    }
    while left > 0 {
        match date.succ_opt() {
            Some(next) => date = next,
            None => return date,
        }
        if is_working_day(date, zone) {
            left -= 1;
        }
    }
    date
}

/// Working days strictly after `from` up to and including `to` (0 if to <= from).
#[must_use]
pub fn working_days_between(from: NaiveDate, to: NaiveDate, zone: Zone) -> i64 {
    if to <= from {
        return 0;
    }
    // Whole weeks arithmetically, then holidays year by year, so that a range spanning
    // decades costs a few hundred holiday look-ups instead of one per day.
    let span = (to - from).num_days();
    let mut weekdays = span / 7 * 5;
    let mut day = from;
    for _ in 0..span % 7 {
        match day.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
        if !is_weekend(day) {
            weekdays += 1;
        }
    }
    let mut closed = 0;
    for year in from.year()..=to.year() {
        let mut dates: Vec<NaiveDate> = holidays(year, zone)
            .into_iter()
            .map(|(date, _)| date)
            .filter(|&date| from < date && date <= to && !is_weekend(date))
            .collect();
        // A movable feast can coincide with a fixed holiday; that day must only be taken off
        // once.
        dates.dedup();
        closed += i64::try_from(dates.len()).unwrap_or(i64::MAX);
    }
    weekdays - closed
}

/// Adds calendar months, clamping to the month's last day (31 Jan + 1 month = 28/29 Feb);
/// negative months go back.
///
/// Saturates at `NaiveDate::MIN` / `NaiveDate::MAX` outside the representable range.
#[must_use]
pub fn add_months(date: NaiveDate, months: i64) -> NaiveDate {
    let moved = u32::try_from(months.unsigned_abs())
        .ok()
        .map(Months::new)
        .and_then(|step| {
            if months < 0 {
                date.checked_sub_months(step)
            } else {
                date.checked_add_months(step)
            }
        });
    match moved {
        Some(moved) => moved,
        None if months < 0 => NaiveDate::MIN,
        None => NaiveDate::MAX,
    }
}

/// Filters of the calendar; every field is optional and they travel in the URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(default)]
pub struct CalendarFilter {
    /// Framework code
    pub framework: String,
    pub region: String,
    pub family: String,
    /// planned, due_soon, overdue, done, lapsed
    pub state: String,
    /// An organisme id: its own calendar
    pub organisation: String,
    /// An auditor's account id: the commitments they follow
    pub auditor: String,
    /// Only renewals (audits and decisions that renew)
    pub renewals: bool,
    /// Only what is not done yet
    #[serde(skip)]
    pub pending: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    fn names_on(date: NaiveDate, zone: Zone) -> Vec<&'static str> {
        holidays(date.year(), zone)
            .into_iter()
            .filter(|&(day, _)| day == date)
            .map(|(_, name)| name)
            .collect()
    }

    fn holiday_date(year: i32, zone: Zone, name: &str) -> Option<NaiveDate> {
        holidays(year, zone)
            .into_iter()
            .find(|&(_, n)| n == name)
            .map(|(date, _)| date)
    }

    const OVERSEAS: [(Zone, u32, u32); 5] = [
        (Zone::Guadeloupe, 5, 27),
        (Zone::Martinique, 5, 22),
        (Zone::Guyane, 6, 10),
        (Zone::Reunion, 12, 20),
        (Zone::Mayotte, 4, 27),
    ];

    #[test]
    fn easter_matches_official_dates_2020_to_2035() {
        // Cross-checked against python-dateutil's `easter()` (Western method).
        let official = [
            d(2020, 4, 12),
            d(2021, 4, 4),
            d(2022, 4, 17),
            d(2023, 4, 9),
            d(2024, 3, 31),
            d(2025, 4, 20),
            d(2026, 4, 5),
            d(2027, 3, 28),
            d(2028, 4, 16),
            d(2029, 4, 1),
            d(2030, 4, 21),
            d(2031, 4, 13),
            d(2032, 3, 28),
            d(2033, 4, 17),
            d(2034, 4, 9),
            d(2035, 3, 25),
        ];
        for (year, expected) in (2020..=2035).zip(official) {
            assert_eq!(easter_sunday(year), Some(expected), "{year}");
        }
    }

    #[test]
    fn easter_extremes_and_range() {
        // The computus' earliest (22 March) and latest (25 April) possible Sundays.
        assert_eq!(easter_sunday(2285), Some(d(2285, 3, 22)));
        assert_eq!(easter_sunday(1943), Some(d(1943, 4, 25)));
        assert_eq!(easter_sunday(2038), Some(d(2038, 4, 25)));
        for year in 1583..=3000 {
            let easter = easter_sunday(year).unwrap();
            assert_eq!(easter.weekday(), Weekday::Sun, "{year}");
            assert!(
                d(year, 3, 22) <= easter && easter <= d(year, 4, 25),
                "{year}"
            );
        }
        assert_eq!(easter_sunday(i32::MAX), None);
        assert_eq!(easter_sunday(i32::MIN), None);
        assert!(easter_sunday(-4000).is_some());
        assert!(holidays(i32::MAX, Zone::Metropole).is_empty());
    }

    #[test]
    fn holiday_counts_and_weekdays_2020_to_2035() {
        for year in 2020..=2035 {
            for zone in Zone::ALL {
                let list = holidays(year, zone);
                let expected = match zone {
                    Zone::Metropole => 11,
                    Zone::AlsaceMoselle => 13,
                    _ => 12,
                };
                assert_eq!(list.len(), expected, "{year} {zone:?}");
                assert!(list.windows(2).all(|w| w[0].0 <= w[1].0), "{year} {zone:?}");
                assert!(list.iter().all(|&(date, _)| date.year() == year));
                assert!(list.iter().all(|&(date, _)| is_holiday(date, zone)));

                let weekday = |name| holiday_date(year, zone, name).unwrap().weekday();
                assert_eq!(weekday("Ascension"), Weekday::Thu, "{year} {zone:?}");
                assert_eq!(weekday("Lundi de Pâques"), Weekday::Mon, "{year} {zone:?}");
                assert_eq!(
                    weekday("Lundi de Pentecôte"),
                    Weekday::Mon,
                    "{year} {zone:?}"
                );

                let good_friday = holiday_date(year, zone, "Vendredi saint");
                let saint_etienne = holiday_date(year, zone, "Saint-Étienne");
                let abolition = holiday_date(year, zone, ABOLITION);
                if zone == Zone::AlsaceMoselle {
                    assert_eq!(good_friday.unwrap().weekday(), Weekday::Fri);
                    assert_eq!(saint_etienne, Some(d(year, 12, 26)));
                } else {
                    assert_eq!(good_friday, None);
                    assert_eq!(saint_etienne, None);
                }
                match OVERSEAS.iter().find(|&&(z, _, _)| z == zone) {
                    Some(&(_, month, day)) => assert_eq!(abolition, Some(d(year, month, day))),
                    None => assert_eq!(abolition, None),
                }
            }
        }
    }

    #[test]
    fn full_metropolitan_list_2024() {
        let expected = vec![
            (d(2024, 1, 1), "Jour de l’an"),
            (d(2024, 4, 1), "Lundi de Pâques"),
            (d(2024, 5, 1), "Fête du Travail"),
            (d(2024, 5, 8), "Victoire 1945"),
            (d(2024, 5, 9), "Ascension"),
            (d(2024, 5, 20), "Lundi de Pentecôte"),
            (d(2024, 7, 14), "Fête nationale"),
            (d(2024, 8, 15), "Assomption"),
            (d(2024, 11, 1), "Toussaint"),
            (d(2024, 11, 11), "Armistice 1918"),
            (d(2024, 12, 25), "Noël"),
        ];
        assert_eq!(holidays(2024, Zone::Metropole), expected);
    }

    #[test]
    fn known_dates() {
        assert!(is_holiday(d(2024, 5, 9), Zone::Metropole), "Ascension 2024");
        assert_eq!(
            holiday_date(2025, Zone::Metropole, "Lundi de Pentecôte"),
            Some(d(2025, 6, 9))
        );
        assert_eq!(
            holiday_date(2024, Zone::Metropole, "Lundi de Pâques"),
            Some(d(2024, 4, 1))
        );

        let good_friday_2024 = d(2024, 3, 29);
        assert!(is_holiday(good_friday_2024, Zone::AlsaceMoselle));
        assert_eq!(
            names_on(good_friday_2024, Zone::AlsaceMoselle),
            ["Vendredi saint"]
        );
        for zone in Zone::ALL.into_iter().filter(|&z| z != Zone::AlsaceMoselle) {
            assert!(!is_holiday(good_friday_2024, zone), "{zone:?}");
            assert!(!is_holiday(d(2024, 12, 26), zone), "{zone:?}");
        }

        for (zone, month, day) in OVERSEAS {
            let date = d(2025, month, day);
            assert!(is_holiday(date, zone), "{zone:?}");
            assert!(!is_holiday(date, Zone::Metropole), "{zone:?}");
        }
        assert!(
            !is_holiday(d(2024, 5, 10), Zone::Metropole),
            "Ascension bridge is worked"
        );
    }

    #[test]
    fn coinciding_holidays_keep_both_names_but_close_one_day() {
        // Easter 2030 is 21 April, so Whit Monday is 10 June, Guyane's abolition day.
        let whit_monday = d(2030, 6, 10);
        assert_eq!(
            names_on(whit_monday, Zone::Guyane),
            ["Lundi de Pentecôte", ABOLITION]
        );
        // Easter 2031 is 13 April, so Ascension is 22 May, Martinique's abolition day.
        let ascension = d(2031, 5, 22);
        assert_eq!(
            names_on(ascension, Zone::Martinique),
            ["Ascension", ABOLITION]
        );
        // Ascension on Labour Day (Easter 2008 was 23 March).
        assert_eq!(
            names_on(d(2008, 5, 1), Zone::Metropole),
            ["Fête du Travail", "Ascension"]
        );

        // The week of 10 June 2030: Monday off, Tuesday to Friday worked.
        assert_eq!(
            working_days_between(d(2030, 6, 9), d(2030, 6, 14), Zone::Guyane),
            4
        );
        assert_eq!(
            working_days_between(d(2030, 6, 9), d(2030, 6, 14), Zone::Metropole),
            4
        );
        // Over the whole of 2030 (261 weekdays), the shared 10 June is only subtracted once.
        let distinct_weekday_holidays = {
            let mut dates: Vec<_> = holidays(2030, Zone::Guyane)
                .into_iter()
                .map(|(date, _)| date)
                .filter(|&date| !is_weekend(date))
                .collect();
            dates.dedup();
            i64::try_from(dates.len()).unwrap()
        };
        assert_eq!(
            working_days_between(d(2029, 12, 31), d(2030, 12, 31), Zone::Guyane),
            261 - distinct_weekday_holidays
        );
    }

    #[test]
    fn working_days() {
        assert!(is_working_day(d(2024, 5, 7), Zone::Metropole));
        assert!(!is_working_day(d(2024, 5, 8), Zone::Metropole), "holiday");
        assert!(!is_working_day(d(2024, 5, 11), Zone::Metropole), "Saturday");
        assert!(!is_working_day(d(2024, 5, 12), Zone::Metropole), "Sunday");
        assert!(is_working_day(d(2024, 12, 26), Zone::Metropole));
        assert!(!is_working_day(d(2024, 12, 26), Zone::AlsaceMoselle));
        // Réunion's 20 December 2024 is a Friday.
        assert!(!is_working_day(d(2024, 12, 20), Zone::Reunion));
        assert!(is_working_day(d(2024, 12, 20), Zone::Mayotte));
    }

    #[test]
    fn add_working_days_around_may_2024() {
        // Received Friday 3 May 2024. Counting: Mon 6 (1), Tue 7 (2), Wed 8 Victoire 1945,
        // Thu 9 Ascension, Fri 10 (3), Mon 13 (4), Tue 14 (5), Wed 15 (6), Thu 16 (7),
        // Fri 17 (8), Mon 20 Whit Monday, Tue 21 (9), Wed 22 (10).
        assert_eq!(
            add_working_days(d(2024, 5, 3), 10, Zone::Metropole),
            d(2024, 5, 22)
        );
        assert_eq!(
            working_days_between(d(2024, 5, 3), d(2024, 5, 22), Zone::Metropole),
            10
        );
        assert_eq!(
            add_working_days(d(2024, 5, 3), 1, Zone::Metropole),
            d(2024, 5, 6)
        );
    }

    #[test]
    fn add_working_days_across_christmas() {
        // From Friday 20 December 2024, Alsace-Moselle: Mon 23 (1), Tue 24 (2), Wed 25 Noël,
        // Thu 26 Saint-Étienne, Fri 27 (3), Mon 30 (4), Tue 31 (5), Wed 1 Jan Jour de l’an,
        // Thu 2 (6).
        let start = d(2024, 12, 20);
        assert_eq!(
            add_working_days(start, 5, Zone::AlsaceMoselle),
            d(2024, 12, 31)
        );
        assert_eq!(
            add_working_days(start, 6, Zone::AlsaceMoselle),
            d(2025, 1, 2)
        );
        // Elsewhere the 26th is worked, so the fifth day is Monday 30.
        assert_eq!(add_working_days(start, 5, Zone::Metropole), d(2024, 12, 30));
        assert_eq!(
            working_days_between(start, d(2025, 1, 2), Zone::AlsaceMoselle),
            6
        );
        assert_eq!(
            working_days_between(start, d(2025, 1, 2), Zone::Metropole),
            7
        );
    }

    #[test]
    fn add_zero_working_days() {
        // Saturday 15 June 2024 → Monday 17.
        assert_eq!(
            add_working_days(d(2024, 6, 15), 0, Zone::Metropole),
            d(2024, 6, 17)
        );
        // Saturday 18 May 2024: Monday 20 is Whit Monday → Tuesday 21.
        assert_eq!(
            add_working_days(d(2024, 5, 18), 0, Zone::Metropole),
            d(2024, 5, 21)
        );
        // Already a working day: unchanged.
        assert_eq!(
            add_working_days(d(2024, 6, 17), 0, Zone::Metropole),
            d(2024, 6, 17)
        );
        // Good Friday 2024 through Easter Monday in Alsace-Moselle → Tuesday 2 April.
        assert_eq!(
            add_working_days(d(2024, 3, 29), 0, Zone::AlsaceMoselle),
            d(2024, 4, 2)
        );
        assert_eq!(
            add_working_days(d(2024, 3, 29), 0, Zone::Metropole),
            d(2024, 3, 29)
        );
    }

    #[test]
    fn add_working_days_saturates_at_the_end_of_time() {
        let last = NaiveDate::MAX;
        assert_eq!(add_working_days(last, 5, Zone::Metropole), last);
        assert_eq!(working_days_between(last, last, Zone::Metropole), 0);
    }

    #[test]
    fn working_days_between_edges() {
        let monday = d(2024, 6, 17);
        assert_eq!(working_days_between(monday, monday, Zone::Metropole), 0);
        assert_eq!(
            working_days_between(monday, d(2024, 6, 10), Zone::Metropole),
            0
        );
        assert_eq!(
            working_days_between(d(2024, 6, 14), monday, Zone::Metropole),
            1
        );
        assert_eq!(
            working_days_between(d(2024, 6, 15), d(2024, 6, 16), Zone::Metropole),
            0
        );
        // 2024 in metropolitan France: 262 weekdays minus 10 holidays (14 July was a Sunday).
        assert_eq!(
            working_days_between(d(2023, 12, 31), d(2024, 12, 31), Zone::Metropole),
            252
        );
        // Long spans stay cheap and agree with their pieces.
        let (a, b, c) = (d(1990, 3, 4), d(2031, 7, 19), d(2077, 1, 1));
        assert_eq!(
            working_days_between(a, c, Zone::Reunion),
            working_days_between(a, b, Zone::Reunion) + working_days_between(b, c, Zone::Reunion)
        );
    }

    #[test]
    fn add_months_clamps() {
        assert_eq!(add_months(d(2024, 1, 31), 1), d(2024, 2, 29));
        assert_eq!(add_months(d(2023, 1, 31), 1), d(2023, 2, 28));
        assert_eq!(add_months(d(2024, 3, 31), -1), d(2024, 2, 29));
        assert_eq!(add_months(d(2024, 5, 15), 36), d(2027, 5, 15));
        assert_eq!(add_months(d(2024, 2, 29), 12), d(2025, 2, 28));
        assert_eq!(add_months(d(2024, 12, 31), -13), d(2023, 11, 30));
        assert_eq!(add_months(d(2024, 5, 15), 0), d(2024, 5, 15));
        assert_eq!(add_months(d(2024, 5, 15), i64::MAX), NaiveDate::MAX);
        assert_eq!(add_months(d(2024, 5, 15), i64::MIN), NaiveDate::MIN);
        assert_eq!(add_months(d(2024, 5, 15), 12 * 300_000), NaiveDate::MAX);
    }

    #[test]
    fn zone_from_postal_code() {
        let cases = [
            ("57000", Zone::AlsaceMoselle),
            ("67000", Zone::AlsaceMoselle),
            ("68100", Zone::AlsaceMoselle),
            (" 68 100 ", Zone::AlsaceMoselle),
            ("54000", Zone::Metropole),
            ("88000", Zone::Metropole),
            ("75001", Zone::Metropole),
            ("20000", Zone::Metropole),
            ("97110", Zone::Guadeloupe),
            ("97200", Zone::Martinique),
            ("97300", Zone::Guyane),
            ("97400", Zone::Reunion),
            ("97500", Zone::Metropole),
            ("97600", Zone::Mayotte),
            ("97133", Zone::Guadeloupe),
            ("", Zone::Metropole),
            ("5", Zone::Metropole),
            ("57", Zone::AlsaceMoselle),
            ("A7000", Zone::Metropole),
            ("é7000", Zone::Metropole),
        ];
        for (code, zone) in cases {
            assert_eq!(Zone::from_postal_code(code), zone, "{code:?}");
        }
    }

    #[test]
    fn zone_from_region() {
        let cases = [
            ("01", Zone::Guadeloupe),
            ("02", Zone::Martinique),
            ("03", Zone::Guyane),
            ("04", Zone::Reunion),
            ("06", Zone::Mayotte),
            ("44", Zone::Metropole),
            ("11", Zone::Metropole),
            ("94", Zone::Metropole),
            ("", Zone::Metropole),
            ("1", Zone::Metropole),
        ];
        for (code, zone) in cases {
            assert_eq!(Zone::from_region(code), zone, "{code:?}");
        }
    }

    #[test]
    fn zone_codes_are_unique_and_serialised() {
        let codes: Vec<_> = Zone::ALL.iter().map(|z| z.code()).collect();
        assert_eq!(
            codes,
            [
                "metropole",
                "alsace-moselle",
                "guadeloupe",
                "martinique",
                "guyane",
                "reunion",
                "mayotte"
            ]
        );
        for zone in Zone::ALL {
            assert_eq!(serde_json::to_value(zone).unwrap(), zone.code());
        }
    }

    fn date_2020_2035() -> impl Strategy<Value = NaiveDate> {
        let first = d(2020, 1, 1);
        let days = (d(2035, 12, 31) - first).num_days();
        (0..=days).prop_map(move |offset| first + chrono::Duration::days(offset))
    }

    fn zone() -> impl Strategy<Value = Zone> {
        proptest::sample::select(Zone::ALL.to_vec())
    }

    fn naive_count(from: NaiveDate, to: NaiveDate, zone: Zone) -> i64 {
        from.iter_days()
            .skip(1)
            .take_while(|&day| day <= to)
            .map(|day| i64::from(is_working_day(day, zone)))
            .sum()
    }

    proptest! {
        // The exact contract: the result is a working day, and exactly `n` working days lie in
        // (start, result] — except for n = 0, where the result is start itself when start is
        // a working day (0 in between) and the next working day otherwise (1 in between).
        // Being a working day with that count pins the result down uniquely.
        #[test]
        fn add_working_days_contract(start in date_2020_2035(), n in 0u32..60) {
            for zone in Zone::ALL {
                let result = add_working_days(start, n, zone);
                prop_assert!(is_working_day(result, zone));
                prop_assert!(result >= start);
                let expected = if n == 0 {
                    i64::from(!is_working_day(start, zone))
                } else {
                    i64::from(n)
                };
                prop_assert_eq!(working_days_between(start, result, zone), expected);
                if n > 0 {
                    prop_assert!(result > start);
                    let previous = result.pred_opt().unwrap();
                    prop_assert_eq!(working_days_between(start, previous, zone), i64::from(n) - 1);
                }
            }
        }

        #[test]
        fn working_days_between_matches_day_by_day_count(
            from in date_2020_2035(),
            to in date_2020_2035(),
            zone in zone(),
        ) {
            prop_assert_eq!(working_days_between(from, to, zone), naive_count(from, to, zone));
        }

        #[test]
        fn add_months_round_trips_unless_clamped(date in date_2020_2035(), months in -400i64..400) {
            let moved = add_months(date, months);
            prop_assert!(moved.day() <= date.day());
            let month_index = |x: NaiveDate| i64::from(x.year()) * 12 + i64::from(x.month0());
            prop_assert_eq!(month_index(moved) - month_index(date), months);
            if moved.day() == date.day() {
                prop_assert_eq!(add_months(moved, -months), date);
            } else {
                prop_assert!(moved.succ_opt().unwrap().day() == 1, "clamped to month end");
            }
        }
    }
}
