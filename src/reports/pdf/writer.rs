//! A page-by-page writer: text and wrapped paragraphs placed from the top of A4 pages,
//! tables whose header repeats on each page, and a footer added once the page count is
//! known.

use printpdf::{
    Color, FontId, Line, LinePoint, Mm, Op, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions,
    Point, Pt, Rgb, TextItem,
};

use super::{FACES, wrap};

const PAGE_WIDTH: f32 = 595.28;
const PAGE_HEIGHT: f32 = 841.89;
const MARGIN: f32 = 48.0;
const FOOTER: f32 = 28.0;

/// What the document says about itself; its dates come from the content, not the clock.
#[derive(Debug, Clone)]
pub struct Meta {
    pub title: String,
    pub author: String,
    pub subject: String,
    /// The day the content refers to (a report's date), as `YYYY-MM-DD`
    pub date: chrono::NaiveDate,
    /// The sha256 of the canonical content, printed on every page
    pub fingerprint: String,
    /// "Page" in the reader's language, and the word before the fingerprint
    pub page_word: String,
    pub fingerprint_word: String,
    /// The document's language for readers and assistive technologies: `fr-FR`, `en-GB`
    pub language: String,
}

pub struct Writer {
    pages: Vec<Vec<Op>>,
    /// Distance from the top of the current page, in points
    y: f32,
}

fn regular() -> PdfFontHandle {
    PdfFontHandle::External(FontId("F1".into()))
}

fn bold() -> PdfFontHandle {
    PdfFontHandle::External(FontId("F2".into()))
}

impl Default for Writer {
    fn default() -> Self {
        Self::new()
    }
}

impl Writer {
    pub fn new() -> Self {
        Self {
            pages: vec![Vec::new()],
            y: MARGIN,
        }
    }

    pub const WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;

    fn ops(&mut self) -> &mut Vec<Op> {
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    pub fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN;
    }

    /// Starts a new page when `height` points would not fit on this one.
    pub fn need(&mut self, height: f32) -> bool {
        if self.y + height > PAGE_HEIGHT - MARGIN - FOOTER {
            self.new_page();
            return true;
        }
        false
    }

    /// One line of text at `x` (from the left margin) on the current line.
    pub fn text_at(&mut self, x: f32, text: &str, size: f32, strong: bool) {
        let baseline = PAGE_HEIGHT - self.y - size;
        let font = if strong { bold() } else { regular() };
        self.ops().extend([
            Op::StartTextSection,
            Op::SetFont {
                font,
                size: Pt(size),
            },
            Op::SetTextCursor {
                pos: Point {
                    x: Pt(MARGIN + x),
                    y: Pt(baseline),
                },
            },
            Op::ShowText {
                items: vec![TextItem::Text(text.to_owned())],
            },
            Op::EndTextSection,
        ]);
    }

    /// A paragraph wrapped to the page's width, on as many pages as it takes.
    pub fn paragraph(&mut self, text: &str, size: f32, strong: bool) {
        let leading = size * 1.35;
        for line in wrap(text, size, strong, Self::WIDTH) {
            self.need(leading);
            self.text_at(0.0, &line, size, strong);
            self.y += leading;
        }
    }

    pub fn space(&mut self, points: f32) {
        self.y += points;
    }

    /// A thin horizontal rule across the text width.
    pub fn rule(&mut self) {
        let y = PAGE_HEIGHT - self.y;
        self.ops().extend([
            Op::SetOutlineColor {
                col: Color::Rgb(Rgb::new(0.8, 0.82, 0.85, None)),
            },
            Op::SetOutlineThickness { pt: Pt(0.5) },
            Op::DrawLine {
                line: Line {
                    points: vec![
                        LinePoint {
                            p: Point {
                                x: Pt(MARGIN),
                                y: Pt(y),
                            },
                            bezier: false,
                        },
                        LinePoint {
                            p: Point {
                                x: Pt(PAGE_WIDTH - MARGIN),
                                y: Pt(y),
                            },
                            bezier: false,
                        },
                    ],
                    is_closed: false,
                },
            },
        ]);
        self.y += 4.0;
    }

    fn segment(&mut self, from: (f32, f32), to: (f32, f32), rgb: (f32, f32, f32), width: f32) {
        let point = |(x, y): (f32, f32)| LinePoint {
            p: Point {
                x: Pt(MARGIN + x),
                y: Pt(PAGE_HEIGHT - y),
            },
            bezier: false,
        };
        self.ops().extend([
            Op::SetOutlineColor {
                col: Color::Rgb(Rgb::new(rgb.0, rgb.1, rgb.2, None)),
            },
            Op::SetOutlineThickness { pt: Pt(width) },
            Op::DrawLine {
                line: Line {
                    points: vec![point(from), point(to)],
                    is_closed: false,
                },
            },
        ]);
    }

    fn bar(&mut self, x: f32, top: f32, width: f32, height: f32) {
        self.rect(x, top, width, height, (0.11, 0.31, 0.54));
    }

    /// A filled rectangle from `top` down, `x` from the left margin; the fill is black after.
    fn rect(&mut self, x: f32, top: f32, width: f32, height: f32, rgb: (f32, f32, f32)) {
        let point = |x: f32, y: f32| LinePoint {
            p: Point {
                x: Pt(MARGIN + x),
                y: Pt(PAGE_HEIGHT - y),
            },
            bezier: false,
        };
        self.ops().extend([
            Op::SetFillColor {
                col: Color::Rgb(Rgb::new(rgb.0, rgb.1, rgb.2, None)),
            },
            Op::DrawPolygon {
                polygon: printpdf::Polygon {
                    rings: vec![printpdf::PolygonRing {
                        points: vec![
                            point(x, top),
                            point(x + width, top),
                            point(x + width, top + height),
                            point(x, top + height),
                        ],
                    }],
                    mode: printpdf::PaintMode::Fill,
                    winding_order: printpdf::WindingOrder::NonZero,
                },
            },
            Op::SetFillColor {
                col: Color::Rgb(Rgb::new(0.0, 0.0, 0.0, None)),
            },
        ]);
    }

    /// A QR code of `text`, `side` points wide, at the left margin: dark modules drawn as
    /// filled rectangles (one per run of a row), with the quiet zone the standard asks.
    pub fn qr_code(&mut self, text: &str, side: f32) {
        let Ok(code) = qrcode::QrCode::new(text.as_bytes()) else {
            return;
        };
        let width = code.width();
        let colors = code.to_colors();
        // Four modules of quiet zone on each side.
        #[expect(
            clippy::cast_precision_loss,
            reason = "a QR code is at most 177 modules"
        )]
        let module = side / (width + 8) as f32;
        self.need(side);
        let top = self.y;
        for (row, line) in colors.chunks(width).enumerate() {
            let mut column = 0;
            while column < width {
                if line[column] != qrcode::Color::Dark {
                    column += 1;
                    continue;
                }
                let start = column;
                while column < width && line[column] == qrcode::Color::Dark {
                    column += 1;
                }
                #[expect(
                    clippy::cast_precision_loss,
                    reason = "a QR code is at most 177 modules"
                )]
                let (x, y, run) = (
                    (start + 4) as f32 * module,
                    top + (row + 4) as f32 * module,
                    (column - start) as f32 * module,
                );
                self.rect(x, y, run, module, (0.0, 0.0, 0.0));
            }
        }
        self.y = top + side;
    }

    /// A chart drawn from the same data as the pages' SVG charts: bars, or a trend line
    /// with its points; the target as a line; the title above, labels under the axis.
    pub fn chart(&mut self, chart: &crate::reports::charts::Chart, bars: bool) {
        if chart.points.is_empty() {
            return;
        }
        let height = 120.0;
        let label_size = 7.0;
        self.need(height + 40.0);
        self.paragraph(&chart.title, 9.0, true);
        let top = self.y + 4.0;
        let (low, high) = chart.range.unwrap_or_else(|| {
            let max = chart
                .points
                .iter()
                .map(|(_, v)| *v)
                .chain(chart.target)
                .fold(0.0_f64, f64::max);
            (0.0, if max <= 0.0 { 1.0 } else { max * 1.15 })
        });
        #[expect(clippy::cast_possible_truncation, reason = "chart coordinates")]
        let y_of = |v: f64| top + height - ((v - low) / (high - low)) as f32 * height;
        let axis_left = 36.0;
        let width = Self::WIDTH - axis_left;
        self.segment(
            (axis_left, top + height),
            (axis_left + width, top + height),
            (0.12, 0.16, 0.22),
            0.6,
        );
        self.segment(
            (axis_left, top),
            (axis_left, top + height),
            (0.12, 0.16, 0.22),
            0.6,
        );
        for value in [low, f64::midpoint(low, high), high] {
            let saved = self.y;
            self.y = y_of(value) - label_size / 2.0;
            self.text_at(
                0.0,
                &format!(
                    "{}{}",
                    crate::i18n::format_number(value, usize::from(high - low < 10.0)),
                    chart.suffix
                ),
                label_size,
                false,
            );
            self.y = saved;
        }
        #[expect(clippy::cast_precision_loss, reason = "a few dozen points")]
        let step = width / chart.points.len() as f32;
        let mut previous: Option<(f32, f32)> = None;
        let every = chart.points.len().div_ceil(12);
        for (i, (label, value)) in chart.points.iter().enumerate() {
            #[expect(clippy::cast_precision_loss, reason = "a few dozen points")]
            let x = axis_left + step * (i as f32 + 0.5);
            let y = y_of(*value);
            if bars {
                self.bar(x - step * 0.35, y, step * 0.7, top + height - y);
            } else {
                if let Some(p) = previous {
                    self.segment(p, (x, y), (0.11, 0.31, 0.54), 1.5);
                }
                self.segment((x - 1.5, y), (x + 1.5, y), (0.11, 0.31, 0.54), 3.0);
                previous = Some((x, y));
            }
            if i % every == 0 {
                let saved = self.y;
                self.y = top + height + 3.0;
                let room = step * f32::from(u16::try_from(every).unwrap_or(1)) * 0.95;
                let (shown, size) = fit(label, room, label_size);
                let w = FACES.0.width(&shown, size);
                self.text_at(x - w / 2.0, &shown, size, false);
                self.y = saved;
            }
        }
        if let Some(target) = chart.target {
            let y = y_of(target);
            self.segment(
                (axis_left, y),
                (axis_left + width, y),
                (0.71, 0.24, 0.12),
                1.0,
            );
        }
        self.y = top + height + 16.0;
    }

    /// A table: columns as their headers, each as wide as what it holds asks (see
    /// `column_widths`); cells wrap within their column, a row never splits across pages, and
    /// the header repeats at the top of each page.
    pub fn table(&mut self, headers: &[&str], rows: &[Vec<String>], size: f32) {
        let leading = size * 1.3;
        let widths = column_widths(headers, rows, size, Self::WIDTH);
        let header = |w: &mut Self| {
            let cells: Vec<Vec<String>> = headers
                .iter()
                .zip(&widths)
                .map(|(h, width)| wrap(h, size, true, width - CELL_PAD))
                .collect();
            let height = cells.iter().map(Vec::len).max().unwrap_or(1);
            let mut x = 0.0;
            for (lines, width) in cells.iter().zip(&widths) {
                let top = w.y;
                for line in lines {
                    w.text_at(x, line, size, true);
                    w.y += leading;
                }
                w.y = top;
                x += width;
            }
            #[expect(clippy::cast_precision_loss, reason = "a few lines")]
            let used = height as f32 * leading;
            w.y += used;
            w.rule();
        };
        self.need(leading * 3.0);
        header(self);
        for row in rows {
            let cells: Vec<Vec<String>> = widths
                .iter()
                .zip(row)
                .map(|(width, text)| wrap(text, size, false, width - CELL_PAD))
                .collect();
            #[expect(clippy::cast_precision_loss, reason = "a few lines")]
            let height = cells.iter().map(Vec::len).max().unwrap_or(1) as f32 * leading;
            if self.need(height + 4.0) {
                header(self);
            }
            let top = self.y;
            let mut x = 0.0;
            for (width, lines) in widths.iter().zip(&cells) {
                self.y = top;
                for line in lines {
                    self.text_at(x, line, size, false);
                    self.y += leading;
                }
                x += width;
            }
            self.y = top + height;
            self.rule();
        }
    }

    /// The finished document: footers with "page n / N" and the fingerprint, metadata,
    /// fonts embedded and subset, identifiers derived from the fingerprint.
    pub fn finish(mut self, meta: &Meta) -> Vec<u8> {
        let count = self.pages.len();
        let footer_size = 7.5;
        for (i, ops) in self.pages.iter_mut().enumerate() {
            let text = format!(
                "{} {} / {count} — {} {}",
                meta.page_word,
                i + 1,
                meta.fingerprint_word,
                meta.fingerprint
            );
            ops.extend([
                Op::StartTextSection,
                Op::SetFont {
                    font: regular(),
                    size: Pt(footer_size),
                },
                Op::SetTextCursor {
                    pos: Point {
                        x: Pt(MARGIN),
                        y: Pt(MARGIN / 2.0),
                    },
                },
                Op::ShowText {
                    items: vec![TextItem::Text(text)],
                },
                Op::EndTextSection,
            ]);
        }
        let mut doc = PdfDocument::new(&meta.title);
        doc.resources.fonts.map.insert(
            FontId("F1".into()),
            printpdf::PdfFont::new(FACES.0.font.clone()),
        );
        doc.resources.fonts.map.insert(
            FontId("F2".into()),
            printpdf::PdfFont::new(FACES.1.font.clone()),
        );
        let at = meta
            .date
            .and_hms_opt(12, 0, 0)
            .map(|d| d.and_utc().timestamp())
            .and_then(|t| printpdf::OffsetDateTime::from_unix_timestamp(t).ok());
        let info = &mut doc.metadata.info;
        info.document_title.clone_from(&meta.title);
        info.author.clone_from(&meta.author);
        info.subject.clone_from(&meta.subject);
        info.creator = "qualitrack".into();
        info.producer = "qualitrack".into();
        info.identifier.clone_from(&meta.fingerprint);
        if let Some(at) = at {
            info.creation_date = at;
            info.modification_date = at;
            info.metadata_date = at;
        }
        let pages: Vec<PdfPage> = self
            .pages
            .into_iter()
            .map(|ops| PdfPage::new(Mm(210.0), Mm(297.0), ops))
            .collect();
        let bytes = doc
            .with_pages(pages)
            .save(&PdfSaveOptions::default(), &mut Vec::new());
        finalise(bytes, meta)
    }
}

/// The space between a cell's text and the next column, in points.
const CELL_PAD: f32 = 6.0;

/// Column widths that follow what the columns hold, as a browser lays out a table: each
/// column at least as wide as its widest word (its header's in bold included), so that no
/// word, date or figure is split; the room left shared in proportion to how much more each
/// column's longest line would take; a table whose text is short spreads over the width.
/// Only when the widest words alone overflow the page are columns narrower than a word
/// (those words are then hyphenated).
pub fn column_widths(headers: &[&str], rows: &[Vec<String>], size: f32, total: f32) -> Vec<f32> {
    let mut least: Vec<f32> = headers
        .iter()
        .map(|h| super::widest_unit(h, size, true) + CELL_PAD)
        .collect();
    let mut most: Vec<f32> = headers
        .iter()
        .map(|h| super::natural_width(h, size, true) + CELL_PAD)
        .collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(headers.len()) {
            least[i] = least[i].max(super::widest_unit(cell, size, false) + CELL_PAD);
            most[i] = most[i].max(super::natural_width(cell, size, false) + CELL_PAD);
        }
    }
    let floor: f32 = least.iter().sum();
    if floor >= total {
        return least.iter().map(|w| w * total / floor).collect();
    }
    let wanted: f32 = most.iter().sum();
    if wanted <= total {
        return most.iter().map(|w| w * total / wanted).collect();
    }
    // Columns that ask little (a name, a date, a state) get their whole line first, while
    // they ask no more than an equal share of what is left; the long texts share the rest in
    // proportion to what they would take.
    let mut widths = least.clone();
    let mut open: Vec<usize> = (0..widths.len()).collect();
    loop {
        let left = total - widths.iter().sum::<f32>();
        #[expect(clippy::cast_precision_loss, reason = "a few columns")]
        let share = left / open.len().max(1) as f32;
        let before = open.len();
        open.retain(|&i| {
            let short = most[i] - widths[i] <= share;
            if short {
                widths[i] = most[i];
            }
            !short
        });
        if open.len() == before || open.is_empty() {
            break;
        }
    }
    let left = total - widths.iter().sum::<f32>();
    let stretch: f32 = open.iter().map(|&i| most[i] - widths[i]).sum();
    for &i in &open {
        widths[i] += (most[i] - widths[i]) * left / stretch.max(f32::EPSILON);
    }
    widths
}

/// A label made to fit `room` points: smaller type first (down to 5.5 pt), then cut with "…".
fn fit(label: &str, room: f32, size: f32) -> (String, f32) {
    let mut size = size;
    while FACES.0.width(label, size) > room && size > 5.5 {
        size -= 0.5;
    }
    if FACES.0.width(label, size) <= room {
        return (label.to_owned(), size);
    }
    let mut cut: String = label.to_owned();
    while !cut.is_empty() && FACES.0.width(&format!("{cut}…"), size) > room {
        cut.pop();
    }
    (format!("{}…", cut.trim_end()), size)
}

/// What printpdf cannot say itself: the document's language in its catalogue, and
/// identifiers derived from the fingerprint instead of the random ones it draws, so that the
/// same content gives the same bytes.
fn finalise(bytes: Vec<u8>, meta: &Meta) -> Vec<u8> {
    use lopdf::{Object, StringFormat};
    let Ok(mut doc) = lopdf::Document::load_mem(&bytes) else {
        return bytes;
    };
    if let Ok(catalog) = doc.catalog_mut() {
        catalog.set(
            "Lang",
            Object::String(meta.language.as_bytes().to_vec(), StringFormat::Literal),
        );
    }
    let id = Object::String(
        meta.fingerprint.bytes().take(32).collect(),
        StringFormat::Literal,
    );
    doc.trailer.set("ID", Object::Array(vec![id.clone(), id]));
    let mut out = Vec::new();
    match doc.save_to(&mut out) {
        Ok(()) => out,
        Err(_) => bytes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let mut w = Writer::new();
        w.paragraph("Rapport d’audit — Habitat Côte d’Émeraude", 18.0, true);
        w.paragraph(
            "Écart « mineur » relevé : œuvre, ça, là, coût 12,5 €.",
            10.0,
            false,
        );
        let rows: Vec<Vec<String>> = (1..=80)
            .map(|i| {
                vec![
                    format!("E{i}"),
                    "Non-conformité mineure".into(),
                    format!("Constat n° {i} : les réponses écrites aux réclamations dépassent parfois le délai annoncé de dix jours ouvrés."),
                ]
            })
            .collect();
        w.table(&["Exigence", "Note", "Constat"], &rows, 9.0);
        w.finish(&Meta {
            title: "Rapport d’audit".into(),
            author: "qualitrack".into(),
            subject: "Audit de suivi".into(),
            date: chrono::NaiveDate::from_ymd_opt(2025, 3, 5).unwrap(),
            fingerprint: "ab".repeat(32),
            page_word: "Page".into(),
            fingerprint_word: "empreinte".into(),
            language: "fr-FR".into(),
        })
    }

    #[test]
    fn columns_are_as_wide_as_their_words_and_share_the_rest_by_their_text() {
        let headers = ["Région", "Renouvellements", "Taux de déploiement"];
        let rows = vec![vec![
            "Provence-Alpes-Côte d’Azur".to_owned(),
            "3".to_owned(),
            "25,0\u{a0}%".to_owned(),
        ]];
        let widths = column_widths(&headers, &rows, 9.0, Writer::WIDTH);
        assert!((widths.iter().sum::<f32>() - Writer::WIDTH).abs() < 0.5);
        assert!(widths[1] >= FACES.1.width("Renouvellements", 9.0) + CELL_PAD);
        // A long text column takes the room; short ones keep their words whole.
        let long = vec![vec![
            "E1.1".to_owned(),
            "Conforme".to_owned(),
            "Les réponses écrites aux réclamations respectent le délai annoncé de dix jours ouvrés, sauf deux relances tardives relevées sur l’échantillon.".repeat(2),
        ]];
        let widths = column_widths(&["Exigence", "Note", "Constat"], &long, 8.0, Writer::WIDTH);
        assert!(widths[2] > widths[0] + widths[1], "{widths:?}");
        assert!(widths[0] >= FACES.1.width("Exigence", 8.0) + CELL_PAD);
        assert!(widths[1] >= FACES.0.width("Conforme", 8.0) + CELL_PAD);
    }

    #[test]
    fn chart_labels_fit_their_room() {
        let (short, size) = fit("T1", 40.0, 7.0);
        assert_eq!((short.as_str(), size), ("T1", 7.0));
        let (long, size) = fit("Non-conformité majeure", 40.0, 7.0);
        assert!(
            FACES.0.width(&long, size) <= 40.0 && long.ends_with('…'),
            "{long}"
        );
        assert!(size >= 5.5);
    }

    #[test]
    fn the_same_content_gives_the_same_bytes() {
        let first = sample();
        assert!(first.starts_with(b"%PDF-"));
        assert_eq!(first, sample());
        assert!(
            first.len() < 200_000,
            "fonts are subset: {} bytes",
            first.len()
        );
        let text = String::from_utf8_lossy(&first);
        assert!(text.contains("/Lang(fr-FR)"), "the language is declared");
    }

    /// What `pdftotext` (poppler-utils) reads in the document, page by page.
    fn extracted(pdf: &[u8]) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.pdf");
        std::fs::write(&path, pdf).unwrap();
        let out = std::process::Command::new("pdftotext")
            .args(["-layout", path.to_str().unwrap(), "-"])
            .output()
            .expect("pdftotext (poppler-utils) is installed");
        String::from_utf8(out.stdout)
            .unwrap()
            .split('\u{c}')
            .map(str::to_owned)
            .filter(|p| !p.trim().is_empty())
            .collect()
    }

    #[test]
    fn french_text_extracts_and_every_page_is_numbered_with_the_header_repeated() {
        let pages = extracted(&sample());
        assert!(pages.len() >= 3, "{} pages", pages.len());
        let all = pages.join("\n");
        for expected in [
            "Habitat Côte d’Émeraude",
            "« mineur »",
            "œuvre, ça, là",
            "12,5 €",
            "Non-conformité",
            "Constat n° 80 :",
        ] {
            assert!(all.contains(expected), "{expected} missing");
        }
        let count = pages.len();
        for (i, page) in pages.iter().enumerate() {
            assert!(
                page.contains(&format!("Page {} / {count}", i + 1)),
                "page {}",
                i + 1
            );
            assert!(
                page.contains(&"ab".repeat(32)),
                "fingerprint on page {}",
                i + 1
            );
            if i > 0 {
                assert!(
                    page.contains("Exigence") && page.contains("Constat"),
                    "header repeated on page {}",
                    i + 1
                );
            }
        }
    }
}
