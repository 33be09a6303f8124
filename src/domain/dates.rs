//! Calendar dates as people type them: `12/03/2024` (French) or `2024-03-12` (date fields).

use chrono::NaiveDate;

use super::Invalid;

pub fn parse_date(raw: &str) -> Result<NaiveDate, Invalid> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(Invalid::new("err-required"));
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%d/%m/%Y"))
        .map_err(|_| Invalid::new("err-date-format"))?;
    let earliest = NaiveDate::from_ymd_opt(1990, 1, 1).unwrap_or(date);
    let latest = NaiveDate::from_ymd_opt(2100, 12, 31).unwrap_or(date);
    if date < earliest || date > latest {
        return Err(Invalid::new("err-date-range"));
    }
    Ok(date)
}

/// An instant stored as UTC without its offset, written as RFC 3339 with `Z`
/// (`2020-10-07T08:12:07Z`): what the API's `date-time` promises and what clients parse.
pub fn utc<S: serde::Serializer>(
    instant: &chrono::NaiveDateTime,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(
        &instant
            .and_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
    )
}

/// `utc` to the second (`2020-10-07T08:12:07Z`): what HTML's `<time datetime>` accepts.
pub fn utc_seconds<S: serde::Serializer>(
    instant: &chrono::NaiveDateTime,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(
        &instant
            .and_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    )
}

/// `utc` for an instant that may be absent.
pub fn utc_opt<S: serde::Serializer>(
    instant: &Option<chrono::NaiveDateTime>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match instant {
        Some(instant) => utc(instant, serializer),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_and_iso_dates_are_read() {
        let expected = NaiveDate::from_ymd_opt(2024, 3, 12).unwrap();
        assert_eq!(parse_date("12/03/2024").unwrap(), expected);
        assert_eq!(parse_date(" 2024-03-12 ").unwrap(), expected);
        assert_eq!(parse_date("31/02/2024").unwrap_err().key, "err-date-format");
        assert_eq!(parse_date("").unwrap_err().key, "err-required");
        assert_eq!(parse_date("01/01/1900").unwrap_err().key, "err-date-range");
    }
}
