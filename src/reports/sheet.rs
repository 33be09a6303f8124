//! Tables sent as spreadsheets: one table as CSV (written by `csv_export`), several as the
//! sheets of one XLSX workbook, with numbers and dates kept as numbers and dates.

use chrono::NaiveDate;

#[derive(Debug, Clone)]
pub enum Cell {
    Text(String),
    Number(f64),
    Date(NaiveDate),
    Empty,
}

impl From<String> for Cell {
    fn from(text: String) -> Self {
        Cell::Text(text)
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Self {
        Cell::Text(text.to_owned())
    }
}

impl From<usize> for Cell {
    fn from(n: usize) -> Self {
        Cell::Number(f64::from(u32::try_from(n).unwrap_or(u32::MAX)))
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        #[expect(clippy::cast_precision_loss, reason = "homes and counts fit in f64")]
        let n = n as f64;
        Cell::Number(n)
    }
}

impl From<f64> for Cell {
    fn from(n: f64) -> Self {
        Cell::Number(n)
    }
}

impl From<NaiveDate> for Cell {
    fn from(day: NaiveDate) -> Self {
        Cell::Date(day)
    }
}

#[derive(Debug, Clone)]
pub struct Sheet {
    /// Short name: the XLSX sheet's name and part of the CSV file's name
    pub name: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// Numbers as French readers type them in a CSV: decimal comma, no grouping.
fn csv_text(cell: &Cell) -> String {
    match cell {
        Cell::Text(t) => t.clone(),
        Cell::Number(n) if n.fract() == 0.0 => format!("{n:.0}"),
        Cell::Number(n) => format!("{n:.1}").replace('.', ","),
        Cell::Date(d) => d.format("%d/%m/%Y").to_string(),
        Cell::Empty => String::new(),
    }
}

pub fn to_csv(sheet: &Sheet, delimiter: u8) -> Result<Vec<u8>, String> {
    let rows = sheet.rows.iter().map(|row| row.iter().map(csv_text));
    super::csv_export::write(&sheet.columns, rows, delimiter)
}

/// The two workbook formats every table export offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workbook {
    Xlsx,
    /// OpenDocument (`reports::ods`)
    Ods,
}

impl Workbook {
    pub fn write(self, sheets: &[Sheet]) -> Result<Vec<u8>, String> {
        match self {
            Self::Xlsx => to_xlsx(sheets),
            Self::Ods => super::ods::to_ods(sheets),
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Ods => super::ods::MEDIA_TYPE,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Xlsx => "xlsx",
            Self::Ods => "ods",
        }
    }
}

pub fn to_xlsx(sheets: &[Sheet]) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let date_format = Format::new().set_num_format("dd/mm/yyyy");
    let number = Format::new().set_num_format("# ##0.0");
    for sheet in sheets {
        let ws = workbook.add_worksheet();
        ws.set_name(&sheet.name).map_err(|e| e.to_string())?;
        for (col, title) in sheet.columns.iter().enumerate() {
            let col = u16::try_from(col).unwrap_or(u16::MAX);
            ws.write_string_with_format(0, col, title, &bold)
                .map_err(|e| e.to_string())?;
        }
        for (i, row) in sheet.rows.iter().enumerate() {
            let r = u32::try_from(i + 1).unwrap_or(u32::MAX);
            for (col, cell) in row.iter().enumerate() {
                let col = u16::try_from(col).unwrap_or(u16::MAX);
                match cell {
                    Cell::Text(t) => ws.write_string(r, col, t).map(|_| ()),
                    Cell::Number(n) if n.fract() == 0.0 => ws.write_number(r, col, *n).map(|_| ()),
                    Cell::Number(n) => ws.write_number_with_format(r, col, *n, &number).map(|_| ()),
                    Cell::Date(d) => ws
                        .write_date_with_format(r, col, *d, &date_format)
                        .map(|_| ()),
                    Cell::Empty => Ok(()),
                }
                .map_err(|e| e.to_string())?;
            }
        }
        let last_row = u32::try_from(sheet.rows.len()).unwrap_or(u32::MAX);
        let last_col = u16::try_from(sheet.columns.len().saturating_sub(1)).unwrap_or(0);
        ws.autofilter(0, 0, last_row, last_col)
            .map_err(|e| e.to_string())?;
        ws.set_freeze_panes(1, 0).map_err(|e| e.to_string())?;
        ws.autofit();
    }
    workbook.save_to_buffer().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet() -> Sheet {
        Sheet {
            name: "Régions".into(),
            columns: vec!["Région".into(), "Taux".into(), "Date".into()],
            rows: vec![vec![
                "Île-de-France".into(),
                Cell::from(42.5),
                Cell::from(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()),
            ]],
        }
    }

    #[test]
    fn csv_starts_with_a_bom_and_writes_french_numbers_and_dates() {
        let bytes = to_csv(&sheet(), b';').unwrap();
        assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert_eq!(text, "Région;Taux;Date\nÎle-de-France;42,5;01/03/2026\n");
    }

    #[test]
    fn xlsx_is_a_zip_workbook() {
        let bytes = to_xlsx(&[sheet()]).unwrap();
        assert!(bytes.starts_with(b"PK"));
    }
}
