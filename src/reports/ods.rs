//! The same sheets as OpenDocument spreadsheets (ODS, the format the French government's
//! interoperability framework recommends): one table per sheet, a bold header row, numbers
//! as numbers (one decimal when they have one), dates as dates shown dd/mm/yyyy. An ODS file
//! is a zip of a few XML parts, written here with the zip crate the XLSX writer already
//! brings (the ODS crates on crates.io bring a second zip, a parser combinator library and a
//! decimal type for this one flat document). Writing to a `String` cannot fail: the results
//! of `write!` are let go.

use std::fmt::Write as _;
use std::io::Write as _;

use zip::write::SimpleFileOptions;

use super::sheet::{Cell, Sheet};

/// The media type of an ODS file.
pub const MEDIA_TYPE: &str = "application/vnd.oasis.opendocument.spreadsheet";

const MANIFEST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">
 <manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"#;

/// The styles the cells use: a bold header, dd/mm/yyyy dates, numbers with one decimal.
const STYLES: &str = r#"<office:automatic-styles>
  <number:date-style style:name="N-date"><number:day number:style="long"/><number:text>/</number:text><number:month number:style="long"/><number:text>/</number:text><number:year number:style="long"/></number:date-style>
  <number:number-style style:name="N-one"><number:number number:decimal-places="1" number:min-decimal-places="1" number:min-integer-digits="1" number:grouping="true"/></number:number-style>
  <style:style style:name="header" style:family="table-cell"><style:text-properties fo:font-weight="bold"/></style:style>
  <style:style style:name="date" style:family="table-cell" style:data-style-name="N-date"/>
  <style:style style:name="one" style:family="table-cell" style:data-style-name="N-one"/>
 </office:automatic-styles>"#;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn cell(out: &mut String, cell: &Cell) {
    match cell {
        Cell::Text(text) => {
            // Lines of a cell are paragraphs of it.
            out.push_str(r#"<table:table-cell office:value-type="string">"#);
            for line in text.split('\n') {
                let _ = write!(out, "<text:p>{}</text:p>", escape(line));
            }
            out.push_str("</table:table-cell>");
        }
        Cell::Number(n) => {
            let style = if n.fract() == 0.0 {
                ""
            } else {
                r#" table:style-name="one""#
            };
            let _ = write!(
                out,
                r#"<table:table-cell{style} office:value-type="float" office:value="{n}"><text:p>{}</text:p></table:table-cell>"#,
                crate::i18n::format_number(*n, usize::from(n.fract() != 0.0))
            );
        }
        Cell::Date(day) => {
            let _ = write!(
                out,
                r#"<table:table-cell table:style-name="date" office:value-type="date" office:date-value="{}"><text:p>{}</text:p></table:table-cell>"#,
                day.format("%Y-%m-%d"),
                day.format("%d/%m/%Y")
            );
        }
        Cell::Empty => out.push_str("<table:table-cell/>"),
    }
}

fn content(sheets: &[Sheet]) -> String {
    let mut out = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" office:version="1.3">
 "#,
    );
    out.push_str(STYLES);
    out.push_str("\n <office:body><office:spreadsheet>");
    for sheet in sheets {
        let _ = write!(
            out,
            r#"<table:table table:name="{}"><table:table-column table:number-columns-repeated="{}"/>"#,
            escape(&sheet.name),
            sheet.columns.len().max(1)
        );
        out.push_str("<table:table-header-rows><table:table-row>");
        for title in &sheet.columns {
            let _ = write!(
                out,
                r#"<table:table-cell table:style-name="header" office:value-type="string"><text:p>{}</text:p></table:table-cell>"#,
                escape(title)
            );
        }
        out.push_str("</table:table-row></table:table-header-rows>");
        for row in &sheet.rows {
            out.push_str("<table:table-row>");
            for value in row {
                cell(&mut out, value);
            }
            out.push_str("</table:table-row>");
        }
        out.push_str("</table:table>");
    }
    out.push_str("</office:spreadsheet></office:body>\n</office:document-content>\n");
    out
}

/// The sheets as one ODS workbook.
pub fn to_ods(sheets: &[Sheet]) -> Result<Vec<u8>, String> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    // The media type comes first and uncompressed, so that a reader knows the file by it.
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated =
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let parts: [(&str, SimpleFileOptions, String); 3] = [
        ("mimetype", stored, MEDIA_TYPE.to_owned()),
        ("META-INF/manifest.xml", deflated, MANIFEST.to_owned()),
        ("content.xml", deflated, content(sheets)),
    ];
    for (name, options, text) in parts {
        zip.start_file(name, options).map_err(|e| e.to_string())?;
        zip.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
    }
    zip.finish()
        .map(std::io::Cursor::into_inner)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn an_ods_file_starts_with_its_stored_media_type_and_keeps_types() {
        let sheet = Sheet {
            name: "Régions & cie".into(),
            columns: vec!["Région".into(), "Taux".into(), "Date".into()],
            rows: vec![vec![
                "Île-de-France <IDF>".into(),
                Cell::from(42.5),
                Cell::from(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()),
            ]],
        };
        let bytes = to_ods(std::slice::from_ref(&sheet)).unwrap();
        assert!(bytes.starts_with(b"PK"));
        assert_eq!(
            &bytes[30..38],
            b"mimetype",
            "the first entry is the media type"
        );
        let text = content(&[sheet]);
        assert!(text.contains(r#"table:name="Régions &amp; cie""#));
        assert!(text.contains("Île-de-France &lt;IDF&gt;"));
        assert!(text.contains(r#"office:value-type="float" office:value="42.5""#));
        assert!(text.contains(r#"office:date-value="2026-03-01""#));
    }
}
