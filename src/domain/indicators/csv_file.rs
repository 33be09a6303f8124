//! The CSV file of indicator values an organisme imports, as spreadsheets export it: UTF-8
//! (with or without BOM) or Windows-1252, `;`, `,` or tab between fields, decimal comma or
//! point. Columns are found by their header (`indicateur`, `site`, `periode`, `valeur`,
//! `numerateur`, `denominateur`, `source`, accents and case ignored); a header no one knows
//! refuses the file, naming the known ones; every error names its line and column.

use std::fmt::Write as _;

use super::{Period, parse_number};
use crate::domain::Invalid;

/// One line, read but not yet checked against the organisme's indicators and sites.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Line number in the file (the header is line 1)
    pub line: usize,
    pub indicator: String,
    pub site: String,
    pub period: Period,
    pub value: Option<f64>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub source: String,
}

/// Why one line was refused, with the column at fault (1-based, and its header).
#[derive(Debug, Clone, PartialEq)]
pub struct LineError {
    pub line: usize,
    pub column: Option<(usize, String)>,
    pub invalid: Invalid,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParsedFile {
    pub lines: Vec<Line>,
    pub errors: Vec<LineError>,
    pub encoding: &'static str,
    pub delimiter: char,
    /// Where each known column is in the file (1-based)
    pub positions: Vec<(&'static str, usize)>,
}

impl ParsedFile {
    /// A column of the file by its template name, with its position, for error messages.
    pub fn column(&self, name: &str) -> Option<(usize, String)> {
        self.positions
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(n, i)| (*i, (*n).to_owned()))
    }
}

/// The header of the template, in its order.
pub const HEADER: [&str; 7] = [
    "indicateur",
    "site",
    "periode",
    "valeur",
    "numerateur",
    "denominateur",
    "source",
];

/// Every header accepted (accents and case ignored), with the template column it stands for.
const ACCEPTED: [(&str, &str); 14] = [
    ("indicateur", "indicateur"),
    ("indicator", "indicateur"),
    ("code", "indicateur"),
    ("site", "site"),
    ("periode", "periode"),
    ("period", "periode"),
    ("mois", "periode"),
    ("month", "periode"),
    ("valeur", "valeur"),
    ("value", "valeur"),
    ("numerateur", "numerateur"),
    ("numerator", "numerateur"),
    ("denominateur", "denominateur"),
    ("denominator", "denominateur"),
];

/// A header as compared: without BOM, accents, case or surrounding spaces.
fn folded(raw: &str) -> String {
    deunicode::deunicode(raw.trim().trim_start_matches('\u{feff}')).to_lowercase()
}

fn column_name(raw: &str) -> Option<&'static str> {
    let name = folded(raw);
    if name == "source" {
        return Some("source");
    }
    ACCEPTED
        .iter()
        .find(|(accepted, _)| *accepted == name)
        .map(|(_, column)| *column)
}

/// Edits (insertions, deletions, substitutions) from `a` to `b`.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// The accepted header nearest to an unknown one, when it is near enough to be a typo
/// (`numerateurs` → `numerateur`), not merely the least far (`commentaire`).
fn nearest(raw: &str) -> Option<&'static str> {
    let name = folded(raw);
    let tolerance = (name.chars().count() / 4).max(2);
    ACCEPTED
        .iter()
        .map(|(accepted, _)| *accepted)
        .chain(["source"])
        .map(|accepted| (distance(&name, accepted), accepted))
        .filter(|(d, _)| *d <= tolerance)
        .min_by_key(|(d, _)| *d)
        .map(|(_, accepted)| accepted)
}

/// A header no one knows refuses the file: its values would be dropped without a word.
/// Blank headers (a trailing separator) are no column.
fn check_unknown(headers: &csv::StringRecord) -> Result<(), Invalid> {
    let unknown: Vec<&str> = headers
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').trim())
        .filter(|h| !h.is_empty() && column_name(h).is_none())
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    let suggestions: Vec<&str> = unknown.iter().filter_map(|h| nearest(h)).collect();
    let key = if suggestions.len() == unknown.len() {
        "err-csv-unknown-column-hint"
    } else {
        "err-csv-unknown-column"
    };
    Err(Invalid::new(key)
        .arg("columns", unknown.join(", "))
        .arg("suggestions", suggestions.join(", "))
        .arg("known", HEADER.join(", ")))
}

/// Text of the file: UTF-8 when it is valid UTF-8, Windows-1252 otherwise.
fn decode(bytes: &[u8]) -> (String, &'static str) {
    if let Ok(text) = std::str::from_utf8(bytes) {
        (text.trim_start_matches('\u{feff}').to_owned(), "UTF-8")
    } else {
        let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
        (text.into_owned(), "Windows-1252")
    }
}

fn delimiter(header: &str) -> char {
    [';', '\t', ',']
        .into_iter()
        .max_by_key(|d| header.matches(*d).count())
        .filter(|d| header.contains(*d))
        .unwrap_or(';')
}

/// Reads the file; `Err` when it cannot be read at all (empty, no header, missing columns).
pub fn parse(bytes: &[u8]) -> Result<ParsedFile, Invalid> {
    let (text, encoding) = decode(bytes);
    // The reader ends records on '\r' too but counts lines on '\n' alone: CRLF files, and
    // the lone-CR ends of old Mac exports (found by fuzzing: every error was "line 1"), would
    // be numbered from the wrong line.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let header_line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .ok_or_else(|| Invalid::new("err-csv-empty"))?;
    let delimiter = delimiter(header_line);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(u8::try_from(delimiter).unwrap_or(b';'))
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|_| Invalid::new("err-csv-unreadable"))?
        .clone();
    check_unknown(&headers)?;
    let columns: Vec<Option<&'static str>> = headers.iter().map(column_name).collect();
    for required in ["indicateur", "periode", "valeur"] {
        if !columns.contains(&Some(required)) {
            return Err(Invalid::new("err-csv-missing-column").arg("column", required));
        }
    }
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => {
                if let Some(line) = read_line(&columns, &record, &mut errors) {
                    lines.push(line);
                }
            }
            Err(error) => errors.push(LineError {
                line: error
                    .position()
                    .map_or(0, |p| usize::try_from(p.line()).unwrap_or(0)),
                column: None,
                invalid: Invalid::new("err-csv-unreadable"),
            }),
        }
    }
    if lines.is_empty() && errors.is_empty() {
        return Err(Invalid::new("err-csv-empty"));
    }
    let positions = columns
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.map(|c| (c, i + 1)))
        .collect();
    Ok(ParsedFile {
        lines,
        errors,
        encoding,
        delimiter,
        positions,
    })
}

/// One record of the file as a line of values, or its errors added to `errors`.
fn read_line(
    columns: &[Option<&'static str>],
    record: &csv::StringRecord,
    errors: &mut Vec<LineError>,
) -> Option<Line> {
    let position = |name: &str| columns.iter().position(|c| *c == Some(name));
    let line = record
        .position()
        .map_or(0, |p| usize::try_from(p.line()).unwrap_or(0));
    if record.iter().all(|f| f.trim().is_empty()) {
        return None;
    }
    let field = |name: &str| {
        position(name)
            .and_then(|i| record.get(i))
            .unwrap_or("")
            .trim()
    };
    let mut failed = false;
    let mut fail = |name: &str, invalid: Invalid| {
        failed = true;
        errors.push(LineError {
            line,
            column: position(name).map(|i| (i + 1, name.to_owned())),
            invalid,
        });
    };
    let indicator = field("indicateur").to_owned();
    if indicator.is_empty() {
        fail("indicateur", Invalid::new("err-required"));
    }
    let period = Period::parse(field("periode"))
        .map_err(|e| fail("periode", e))
        .ok();
    let mut optional = |name: &str| {
        let raw = field(name);
        if raw.is_empty() {
            return None;
        }
        parse_number(raw).map_err(|e| fail(name, e)).ok()
    };
    let value = optional("valeur");
    let numerator = optional("numerateur");
    let denominator = optional("denominateur");
    if value.is_none()
        && field("valeur").is_empty()
        && (numerator.is_none() || denominator.is_none())
    {
        fail("valeur", Invalid::new("err-required"));
    }
    let period = period.filter(|_| !failed)?;
    Some(Line {
        line,
        indicator,
        site: field("site").to_owned(),
        period,
        value,
        numerator,
        denominator,
        source: field("source").to_owned(),
    })
}

/// A line of the file to fill in: which indicator, where, for which period; the values are
/// left for the person who fills it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Blank<'a> {
    pub code: &'a str,
    pub site: &'a str,
    pub period: Period,
}

/// A period as the file writes it, the way the entry form asks for it: `2025-01`, `2025-T1`,
/// `2025`.
fn period_cell(period: Period) -> String {
    match period {
        Period::Year(y) => y.to_string(),
        Period::Quarter(y, q) => format!("{y}-T{q}"),
        Period::Month(y, m) => format!("{y}-{m:02}"),
    }
}

/// The file to fill in: the header, then one line per blank with its values empty (a file
/// sent back unfilled is refused line by line, never imported as zeros).
pub fn template(blanks: &[Blank<'_>]) -> String {
    let mut text = HEADER.join(";");
    for blank in blanks {
        let site = if blank.site.contains([';', '"', '\n', '\r']) {
            format!("\"{}\"", blank.site.replace('"', "\"\""))
        } else {
            blank.site.to_owned()
        };
        let _ = write!(
            text,
            "\r\n{};{site};{};;;;",
            blank.code,
            period_cell(blank.period)
        );
    }
    text.push_str("\r\n");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_reads_back_as_its_own_lines_waiting_for_values() {
        let text = template(&[
            Blank {
                code: "taux-decroche",
                site: "",
                period: Period::Month(2026, 11),
            },
            Blank {
                code: "delai-reclamation",
                site: "Résidence \"Les Pins\"; bât. A",
                period: Period::Quarter(2026, 3),
            },
        ]);
        let unfilled = parse(text.as_bytes()).unwrap();
        assert!(unfilled.lines.is_empty(), "no value: nothing to import");
        let refused: Vec<(usize, Option<(usize, String)>)> = unfilled
            .errors
            .iter()
            .map(|e| (e.line, e.column.clone()))
            .collect();
        assert_eq!(
            refused,
            [
                (2, Some((4, "valeur".into()))),
                (3, Some((4, "valeur".into())))
            ]
        );
        let filled = parse(text.replace(";;;;", ";5;;;").as_bytes()).unwrap();
        let read: Vec<(&str, &str, Period)> = filled
            .lines
            .iter()
            .map(|l| (l.indicator.as_str(), l.site.as_str(), l.period))
            .collect();
        assert_eq!(
            read,
            [
                ("taux-decroche", "", Period::Month(2026, 11)),
                (
                    "delai-reclamation",
                    "Résidence \"Les Pins\"; bât. A",
                    Period::Quarter(2026, 3)
                )
            ]
        );
    }

    #[test]
    fn an_excel_export_in_windows_1252_with_decimal_commas_is_read() {
        let mut bytes =
            b"Indicateur;Site;P\xe9riode;Valeur;Num\xe9rateur;D\xe9nominateur;Source\r\n".to_vec();
        bytes.extend_from_slice(b"taux-decroche;Agence Cit\xe9;03/2025;80,5;;;Autocom\r\n");
        bytes.extend_from_slice(b"taux-decroche;;2025-T1;;805;1000;\r\n");
        let parsed = parse(&bytes).unwrap();
        assert_eq!(parsed.encoding, "Windows-1252");
        assert_eq!(parsed.delimiter, ';');
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!(parsed.lines[0].site, "Agence Cité");
        assert_eq!(parsed.lines[0].value, Some(80.5));
        assert_eq!(parsed.lines[0].period, Period::Month(2025, 3));
        assert_eq!(
            parsed.lines.iter().map(|l| l.line).collect::<Vec<_>>(),
            vec![2, 3]
        );
        assert_eq!(parsed.lines[1].value, None);
        assert_eq!(parsed.lines[1].denominator, Some(1000.0));
    }

    #[test]
    fn a_comma_separated_utf8_file_with_a_bom_is_read() {
        let text = "\u{feff}indicateur,periode,valeur\ntaux-decroche,2025-01,\"80,5\"\ntaux-decroche,2025-02,81.25\n";
        let parsed = parse(text.as_bytes()).unwrap();
        assert_eq!((parsed.encoding, parsed.delimiter), ("UTF-8", ','));
        assert_eq!(parsed.lines.len(), 2);
        assert_eq!(parsed.lines[1].value, Some(81.25));
    }

    #[test]
    fn every_error_names_its_line_and_column() {
        let text = "indicateur;site;periode;valeur\n;;2025-01;12\ntaux;;2025-13;12\ntaux;;2025-02;douze\ntaux;;2025-03;\n";
        let parsed = parse(text.as_bytes()).unwrap();
        assert!(parsed.lines.is_empty());
        let found: Vec<(usize, usize, &str)> = parsed
            .errors
            .iter()
            .map(|e| (e.line, e.column.as_ref().unwrap().0, e.invalid.key))
            .collect();
        assert_eq!(
            found,
            vec![
                (2, 1, "err-required"),
                (3, 3, "err-period"),
                (4, 4, "err-number"),
                (5, 4, "err-required")
            ]
        );
    }

    #[test]
    fn lines_ended_by_a_lone_carriage_return_are_numbered() {
        let parsed =
            parse(b"indicateur;periode;valeur\rtaux;2025-01;12\rtaux;2025-13;12\r").unwrap();
        assert_eq!(parsed.lines[0].line, 2);
        assert_eq!(parsed.errors[0].line, 3);
        // The input the `indicator_csv` fuzz target found (its error was put on line 1), with
        // the headers it made up blanked out: they would now refuse the file whole.
        let found = b";;;;;;;;;indicateur;periode;valeur\r;2de;va\xca^;\x9aera\xff5";
        let parsed = parse(found).unwrap();
        assert!(parsed.lines.is_empty());
        assert!(!parsed.errors.is_empty());
        assert!(
            parsed.errors.iter().all(|e| e.line == 2),
            "{:?}",
            parsed.errors
        );
    }

    #[test]
    fn a_misspelt_column_refuses_the_file_with_the_known_names_and_a_suggestion() {
        let refused =
            parse(b"indicateur;periode;valeur;Num\xe9rateurs;denominateurs\ntaux;2025-01;;8;10\n")
                .unwrap_err();
        assert_eq!(refused.key, "err-csv-unknown-column-hint");
        let arg = |name: &str| {
            refused
                .args
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(arg("columns"), Some("Numérateurs, denominateurs"));
        assert_eq!(arg("suggestions"), Some("numerateur, denominateur"));
        assert_eq!(
            arg("known"),
            Some("indicateur, site, periode, valeur, numerateur, denominateur, source")
        );
        let far = parse(b"indicateur;periode;valeur;commentaire\n").unwrap_err();
        assert_eq!(
            far.key, "err-csv-unknown-column",
            "no far-fetched suggestion"
        );
        assert!(
            parse(b"Indicator;Month;Value;\ntaux;2025-01;8\n").is_ok(),
            "aliases and a trailing separator are no unknown column"
        );
    }

    #[test]
    fn a_file_without_the_needed_columns_is_refused_whole() {
        assert_eq!(
            parse(b"code;mois\nx;2025-01\n").unwrap_err().key,
            "err-csv-missing-column"
        );
        assert_eq!(parse(b"").unwrap_err().key, "err-csv-empty");
        assert_eq!(
            parse(b"indicateur;periode;valeur\n").unwrap_err().key,
            "err-csv-empty"
        );
    }
}
