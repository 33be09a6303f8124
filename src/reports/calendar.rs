//! The calendar of audits and decisions as an ICS feed (RFC 5545), a CSV file (UTF-8, `;` or
//! `,`) and an XLSX workbook. Every export is built from the same `CalendarEntry` rows.

use super::date_fr as date;
use chrono::{Duration, NaiveDate};
use icalendar::{Alarm, Calendar, Component, Event, EventLike, Property, Trigger};

use crate::domain::schedule::ItemState;
use crate::i18n::{self, Lang};
use crate::services::schedules::{CalendarEntry, state_code};

/// A stable identity for an item, so calendar applications update events instead of
/// duplicating them when the feed is fetched again.
fn uid(entry: &CalendarEntry) -> String {
    format!(
        "{}-{}-{}@qualitrack",
        entry.commitment_id, entry.item.cycle, entry.item.code
    )
}

fn summary(entry: &CalendarEntry) -> String {
    format!(
        "{} — {} ({})",
        entry.item.name, entry.organisation_name, entry.framework_name
    )
}

/// One all-day event per item not yet done, spanning its tolerance window, with a reminder
/// two weeks before the window opens.
pub fn to_ics(entries: &[CalendarEntry], name: &str, base_url: &str, lang: Lang) -> String {
    let mut calendar = Calendar::empty();
    calendar.append_property(("VERSION", "2.0"));
    calendar.append_property(("PRODID", PRODID));
    calendar.append_property(("CALSCALE", "GREGORIAN"));
    // NAME (RFC 7986) is text: declared so, it is escaped like X-WR-CALNAME (a comma or a
    // semicolon in a calendar's name would otherwise cut it).
    calendar.append_property(
        Property::new("NAME", name)
            .append_parameter(("VALUE", "TEXT"))
            .done(),
    );
    calendar.append_property(("X-WR-CALNAME", name));
    calendar.append_property(("X-WR-TIMEZONE", "Europe/Paris"));
    for entry in entries.iter().filter(|e| in_feed(e)) {
        let description = i18n::t_args(
            lang,
            "ics-description",
            &[
                ("due", entry.item.due.format("%d/%m/%Y").to_string()),
                (
                    "state",
                    i18n::t(
                        lang,
                        &format!("item-state-{}", state_code(entry.item.state)),
                    ),
                ),
                (
                    "url",
                    format!("{base_url}/engagements/{}", entry.commitment_id),
                ),
            ],
        );
        let event = Event::new()
            .uid(&uid(entry))
            .summary(&summary(entry))
            .description(&description)
            .starts(entry.item.window_start)
            .ends(entry.item.window_end + Duration::days(1))
            .url(&format!("{base_url}/engagements/{}", entry.commitment_id))
            .alarm(Alarm::display(
                &summary(entry),
                Trigger::before_start(Duration::days(14)),
            ))
            .done();
        calendar.push(event);
    }
    without_alarm_stamps(&calendar.done().to_string())
}

/// Who made the calendar, as RFC 5545 asks.
const PRODID: &str = "-//qualitrack//Calendrier qualité//FR";

/// Whether an item is an event of the feed: steps done or lapsed are left out.
pub fn in_feed(entry: &CalendarEntry) -> bool {
    !matches!(entry.item.state, ItemState::Done | ItemState::Lapsed)
}

/// The calendar library writes a `UID` (random, new on every fetch) and a `DTSTAMP` in every
/// component; RFC 5545's alarm grammar has neither, and a UID that changes makes clients
/// see a new reminder each time. They are taken out of each `VALARM`.
fn without_alarm_stamps(ics: &str) -> String {
    let mut out = String::with_capacity(ics.len());
    let mut in_alarm = false;
    for line in ics.split_inclusive("\r\n") {
        match line.trim_end() {
            "BEGIN:VALARM" => in_alarm = true,
            "END:VALARM" => in_alarm = false,
            content
                if in_alarm && (content.starts_with("UID:") || content.starts_with("DTSTAMP:")) =>
            {
                continue;
            }
            _ => {}
        }
        out.push_str(line);
    }
    out
}

fn columns(lang: Lang) -> Vec<String> {
    [
        "export-organisation",
        "export-region",
        "export-family",
        "export-framework",
        "export-step",
        "export-cycle",
        "export-due",
        "export-window-start",
        "export-window-end",
        "export-state",
        "export-done-on",
    ]
    .iter()
    .map(|k| i18n::t(lang, k))
    .collect()
}

fn row(entry: &CalendarEntry, lang: Lang) -> Vec<String> {
    let region = crate::domain::Region::by_code(&entry.region)
        .map_or_else(|| entry.region.clone(), |r| r.name.to_owned());
    vec![
        entry.organisation_name.clone(),
        region,
        i18n::t(lang, &format!("family-{}", entry.family)),
        entry.framework_name.clone(),
        entry.item.name.clone(),
        entry.item.cycle.to_string(),
        date(entry.item.due),
        date(entry.item.window_start),
        date(entry.item.window_end),
        i18n::t(
            lang,
            &format!("item-state-{}", state_code(entry.item.state)),
        ),
        entry.item.done_on.map(date).unwrap_or_default(),
    ]
}

/// CSV in UTF-8 with a byte-order mark, written by `csv_export` like every CSV file.
pub fn to_csv(entries: &[CalendarEntry], delimiter: u8, lang: Lang) -> Result<Vec<u8>, String> {
    let rows = entries.iter().map(|entry| row(entry, lang));
    super::csv_export::write(&columns(lang), rows, delimiter)
}

/// The schedule as a sheet: dates as dates, the cycle as a number.
pub fn sheet(entries: &[CalendarEntry], lang: Lang) -> super::sheet::Sheet {
    use super::sheet::Cell;
    let rows = entries
        .iter()
        .map(|entry| {
            row(entry, lang)
                .into_iter()
                .enumerate()
                .map(|(col, text)| match col {
                    5 => Cell::from(entry.item.cycle),
                    6 => Cell::from(entry.item.due),
                    7 => Cell::from(entry.item.window_start),
                    8 => Cell::from(entry.item.window_end),
                    10 => entry.item.done_on.map_or(Cell::Empty, Cell::from),
                    _ => Cell::from(text),
                })
                .collect()
        })
        .collect();
    super::sheet::Sheet {
        name: i18n::t(lang, "export-sheet"),
        columns: columns(lang),
        rows,
    }
}

pub fn to_xlsx(entries: &[CalendarEntry], lang: Lang) -> Result<Vec<u8>, String> {
    super::sheet::to_xlsx(&[sheet(entries, lang)])
}

/// The schedule as a PDF: the same rows as the spreadsheet exports (organisme, framework,
/// step, due date, window, state), as of `today`, fingerprinted by its content.
pub fn to_pdf(entries: &[CalendarEntry], lang: Lang, title: &str, today: NaiveDate) -> Vec<u8> {
    use crate::reports::pdf::{Meta, Writer};
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|entry| {
            let cells = row(entry, lang);
            vec![
                cells[0].clone(),
                cells[3].clone(),
                cells[4].clone(),
                cells[6].clone(),
                format!("{} – {}", cells[7], cells[8]),
                cells[9].clone(),
            ]
        })
        .collect();
    let fingerprint = crate::auth::sha256_hex(
        serde_json::to_string(&(title, today, &rows))
            .unwrap_or_default()
            .as_bytes(),
    );
    let headers = columns(lang);
    let mut w = Writer::new();
    w.heading(1, title, 18.0);
    w.paragraph(
        &i18n::t_args(
            lang,
            "schedule-pdf-as-of",
            &[("date", date(today)), ("count", rows.len().to_string())],
        ),
        10.0,
        false,
    );
    w.space(8.0);
    if rows.is_empty() {
        w.paragraph(&i18n::t(lang, "home-nothing-due"), 10.0, false);
    } else {
        let window = format!("{} – {}", headers[7], headers[8]);
        w.table(
            &[
                &headers[0],
                &headers[3],
                &headers[4],
                &headers[6],
                &window,
                &headers[9],
            ],
            &rows,
            8.0,
        );
    }
    w.finish(&Meta {
        title: title.to_owned(),
        author: "qualitrack".into(),
        subject: i18n::t(lang, "renewals-title"),
        date: today,
        fingerprint,
        page_word: i18n::t(lang, "report-page"),
        fingerprint_word: i18n::t(lang, "report-fingerprint"),
        language: match lang {
            Lang::Fr => "fr-FR".into(),
            Lang::En => "en-GB".into(),
        },
    })
}
