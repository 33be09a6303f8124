//! Every CSV file the application writes goes through here: UTF-8 with a byte-order mark (so
//! spreadsheet software reads accents right), and no cell that a spreadsheet would run as a
//! formula (OWASP's advice on CSV injection: a text starting with `=`, `+`, `-`, `@`, tab or
//! carriage return gets a leading `'`).

use std::borrow::Cow;

/// What a spreadsheet takes for the start of a formula (or, for tab and CR, hides one behind).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A plain number as this application writes one (`-5`, `-2,5`, `12.5`): a spreadsheet reads
/// it as a number, never as a formula, so it is left as it is.
fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix('-').unwrap_or(cell);
    let (whole, fraction) = match digits.split_once([',', '.']) {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole) && fraction.is_none_or(all_digits)
}

/// The cell as it may be written: text that a spreadsheet would evaluate, quoted by a `'`.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(FORMULA_STARTS) && !is_plain_number(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A whole file: the header, then the rows, every cell neutralised.
pub fn write<R>(
    columns: &[String],
    rows: impl IntoIterator<Item = R>,
    delimiter: u8,
) -> Result<Vec<u8>, String>
where
    R: IntoIterator,
    R::Item: AsRef<str>,
{
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(vec![0xEF, 0xBB, 0xBF]);
    writer
        .write_record(columns.iter().map(|c| neutralise(c).into_owned()))
        .map_err(|e| e.to_string())?;
    for row in rows {
        writer
            .write_record(row.into_iter().map(|c| neutralise(c.as_ref()).into_owned()))
            .map_err(|e| e.to_string())?;
    }
    writer.into_inner().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_a_spreadsheet_would_run_is_quoted() {
        for cell in [
            "=HYPERLINK(\"http://evil.example\",\"x\")",
            "+33 1 23 45 67 89",
            "-2+3",
            "@SUM(A1:A9)",
            "\t=1+1",
            "\r=1+1",
            "-",
            "-5 logements",
            "-1e3",
        ] {
            assert_eq!(neutralise(cell), format!("'{cell}"), "{cell:?}");
        }
    }

    #[test]
    fn plain_numbers_and_ordinary_text_are_left_alone() {
        for cell in [
            "-5",
            "-2,5",
            "-0.75",
            "42",
            "Office public de l'habitat",
            "01/03/2026",
            "",
            "a=b",
        ] {
            assert_eq!(neutralise(cell), cell, "{cell:?}");
        }
    }

    #[test]
    fn a_file_has_a_bom_and_no_live_formula() {
        let columns = vec!["Organisme".to_owned(), "Écart".to_owned()];
        let rows = vec![vec!["=1+1", "-3"], vec!["Habitat 44", "2,5"]];
        let bytes = write(&columns, rows, b';').unwrap();
        assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert_eq!(text, "Organisme;Écart\n'=1+1;-3\nHabitat 44;2,5\n");
    }
}
