//! A page-by-page writer: text and wrapped paragraphs placed from the top of A4 pages,
//! tables whose header repeats on each page, and a footer added once the page count is
//! known.

use printpdf::{
    Color, FontId, Line, LinePoint, Mm, Op, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions,
    Point, Pt, Rgb, TextItem,
};

use super::tags::Tags;
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
    /// The logical structure, built in reading order
    tags: Tags,
    /// What is drawn now is an artifact (a header repeated on a later page)
    artifact: bool,
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
            tags: Tags::default(),
            artifact: false,
        }
    }

    pub const WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;

    fn ops(&mut self) -> &mut Vec<Op> {
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    pub fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.tags.new_page();
        self.y = MARGIN;
    }

    /// Draws `ops` as a piece of the current element's content, or as an artifact when
    /// nothing is to be read in them (`artifact`) or they decorate the page.
    fn draw(&mut self, ops: Vec<Op>, artifact: bool) {
        if artifact || self.artifact {
            self.ops().push(Op::BeginMarkedContent {
                tag: "Artifact".into(),
            });
        } else {
            let page = self.pages.len() - 1;
            let mcid = self.tags.content(page);
            let tag = self.tags.role().to_owned();
            self.ops().push(Op::BeginMarkedContentWithProperties {
                tag,
                properties: printpdf::DictItem::Dict {
                    map: std::iter::once(("MCID".to_owned(), printpdf::DictItem::Int(mcid)))
                        .collect(),
                },
            });
        }
        self.ops().extend(ops);
        self.ops().push(Op::EndMarkedContent);
    }

    /// A drawing: a figure's content inside one, else an artifact (rules, frames).
    fn drawing(&mut self, ops: Vec<Op>) {
        let decoration = !self.tags.in_figure();
        self.draw(ops, decoration);
    }

    /// Starts a new page when `height` points would not fit on this one.
    pub fn need(&mut self, height: f32) -> bool {
        if self.y + height > PAGE_HEIGHT - MARGIN - FOOTER {
            self.new_page();
            return true;
        }
        false
    }

    /// One line of text at `x` (from the left margin) on the current line, content of the
    /// element open.
    pub fn text_at(&mut self, x: f32, text: &str, size: f32, strong: bool) {
        let ops = text_ops(x, PAGE_HEIGHT - self.y - size, text, size, strong);
        self.draw(ops, false);
    }

    /// A paragraph wrapped to the page's width, on as many pages as it takes.
    pub fn paragraph(&mut self, text: &str, size: f32, strong: bool) {
        self.tags.open("P");
        self.lines(text, size, strong);
        self.tags.close();
    }

    /// A heading of `level` (1 for the document's title and its main sections).
    pub fn heading(&mut self, level: u8, text: &str, size: f32) {
        self.tags.open(match level {
            1 => "H1",
            2 => "H2",
            3 => "H3",
            _ => "H4",
        });
        self.lines(text, size, true);
        self.tags.close();
    }

    fn lines(&mut self, text: &str, size: f32, strong: bool) {
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
        self.draw(
            vec![
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
            ],
            true,
        );
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
        self.drawing(vec![
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
        self.drawing(vec![
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
        self.tags.open_figure(&format!("QR code : {text}"));
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
        self.tags.close();
        self.y = top + side;
    }

    /// A value axis's ticks on round figures (0, 5, 10… or 0, 20… 100) from `low` to
    /// `high` by `step`, with as many decimals as the step needs; `y_of` places a value.
    fn ticks(
        &mut self,
        (low, high, step): (f64, f64, f64),
        suffix: &str,
        size: f32,
        y_of: &dyn Fn(f64) -> f32,
    ) {
        let decimals = usize::from(step.fract() != 0.0);
        let mut value = low;
        while value <= high + step / 1000.0 {
            let saved = self.y;
            self.y = y_of(value) - size / 2.0;
            let shown = format!("{}{suffix}", crate::i18n::format_number(value, decimals));
            self.text_at(0.0, &shown, size, false);
            self.y = saved;
            value += step;
        }
    }

    /// A short text centred on `x`, its top at `top`, the writing position kept.
    fn centred(&mut self, x: f32, top: f32, text: &str, size: f32) {
        let saved = self.y;
        self.y = top;
        let w = FACES.0.width(text, size);
        self.text_at(x - w / 2.0, text, size, false);
        self.y = saved;
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
        // The figure says in words what it draws: every value and the target.
        self.tags.open_figure(&chart.described());
        let top = self.y + 4.0;
        let (low, high) = chart.range.unwrap_or_else(|| {
            let max = chart
                .points
                .iter()
                .map(|(_, v)| *v)
                .chain(chart.target)
                .fold(0.0_f64, f64::max);
            (0.0, if max <= 0.0 { 1.0 } else { max * 1.1 })
        });
        let step = tick_step(high - low);
        let high = low + ((high - low) / step).ceil() * step;
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
        self.ticks((low, high, step), &chart.suffix, label_size, &y_of);
        #[expect(clippy::cast_precision_loss, reason = "a few dozen points")]
        let step = width / chart.points.len() as f32;
        let mut previous: Option<(f32, f32)> = None;
        let every = chart.points.len().div_ceil(12);
        let room = step * f32::from(u16::try_from(every).unwrap_or(1)) * 0.95;
        let (labels, size) = axis_labels(
            chart.points.iter().step_by(every).map(|(l, _)| l.as_str()),
            room,
            label_size,
        );
        let label_lines = labels.iter().map(Vec::len).max().unwrap_or(1);
        for (i, (_, value)) in chart.points.iter().enumerate() {
            #[expect(clippy::cast_precision_loss, reason = "a few dozen points")]
            let x = axis_left + step * (i as f32 + 0.5);
            let y = y_of(*value);
            if bars {
                self.bar(x - step * 0.35, y, step * 0.7, top + height - y);
            } else {
                if let Some(p) = previous {
                    self.segment(p, (x, y), (0.11, 0.31, 0.54), 1.5);
                }
                // A point of its own size, so that a single period still shows, with its
                // value when it stands alone.
                self.rect(x - 2.5, y - 2.5, 5.0, 5.0, (0.11, 0.31, 0.54));
                if chart.points.len() == 1 {
                    let shown =
                        format!("{}{}", crate::i18n::format_number(*value, 1), chart.suffix);
                    self.centred(x, y - 14.0, &shown, label_size);
                }
                previous = Some((x, y));
            }
            if i % every == 0 {
                // Two lines at most, in the size every label of the chart shares.
                for (n, line) in labels[i / every].iter().enumerate() {
                    #[expect(clippy::cast_precision_loss, reason = "two lines")]
                    let below = n as f32 * size * 1.2;
                    self.centred(x, top + height + 3.0 + below, line, size);
                }
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
        self.tags.close();
        #[expect(clippy::cast_precision_loss, reason = "two lines")]
        let under = label_lines as f32 * size * 1.2;
        self.y = top + height + 8.0 + under;
    }

    /// A table: columns as their headers, each as wide as what it holds asks (see
    /// `column_widths`); cells wrap within their column, a row never splits across pages, and
    /// the header repeats at the top of each page.
    pub fn table(&mut self, headers: &[&str], rows: &[Vec<String>], size: f32) {
        let leading = size * 1.3;
        let widths = column_widths(headers, rows, size, Self::WIDTH);
        // The header row: header cells in the structure the first time, an artifact when it
        // is repeated at the top of a later page.
        let header = |w: &mut Self, repeated: bool| {
            let cells: Vec<Vec<String>> = headers
                .iter()
                .zip(&widths)
                .map(|(h, width)| wrap(h, size, true, width - CELL_PAD))
                .collect();
            let height = cells.iter().map(Vec::len).max().unwrap_or(1);
            w.artifact = repeated;
            let structure = !repeated;
            if structure {
                w.tags.open("TR");
            }
            let mut x = 0.0;
            for (lines, width) in cells.iter().zip(&widths) {
                if structure {
                    w.tags.open_header_cell();
                }
                let top = w.y;
                for line in lines {
                    w.text_at(x, line, size, true);
                    w.y += leading;
                }
                if structure {
                    w.tags.close();
                }
                w.y = top;
                x += width;
            }
            if structure {
                w.tags.close();
            }
            w.artifact = false;
            #[expect(clippy::cast_precision_loss, reason = "a few lines")]
            let used = height as f32 * leading;
            w.y += used;
            w.rule();
        };
        self.need(leading * 3.0);
        self.tags.open("Table");
        header(self, false);
        for row in rows {
            let cells: Vec<Vec<String>> = widths
                .iter()
                .zip(row)
                .map(|(width, text)| wrap(text, size, false, width - CELL_PAD))
                .collect();
            #[expect(clippy::cast_precision_loss, reason = "a few lines")]
            let height = cells.iter().map(Vec::len).max().unwrap_or(1) as f32 * leading;
            if self.need(height + 4.0) {
                header(self, true);
            }
            self.tags.open("TR");
            let top = self.y;
            let mut x = 0.0;
            for (width, lines) in widths.iter().zip(&cells) {
                self.tags.open("TD");
                self.y = top;
                for line in lines {
                    self.text_at(x, line, size, false);
                    self.y += leading;
                }
                self.tags.close();
                x += width;
            }
            self.tags.close();
            self.y = top + height;
            self.rule();
        }
        self.tags.close();
    }

    /// The finished document: footers with "page n / N" and the fingerprint, metadata,
    /// fonts embedded and subset, identifiers derived from the fingerprint.
    pub fn finish(mut self, meta: &Meta) -> Vec<u8> {
        let tags = std::mem::take(&mut self.tags);
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
            // The footer repeats on every page: an artifact of pagination.
            ops.push(Op::BeginMarkedContent {
                tag: "Artifact".into(),
            });
            ops.extend(text_ops(0.0, MARGIN / 2.0, &text, footer_size, false));
            ops.push(Op::EndMarkedContent);
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
        finalise(bytes, meta, &tags)
    }
}

/// The operations that draw one line of text at `x` from the left margin, its baseline
/// `baseline` points above the page's foot.
fn text_ops(x: f32, baseline: f32, text: &str, size: f32, strong: bool) -> Vec<Op> {
    vec![
        Op::StartTextSection,
        Op::SetFont {
            font: if strong { bold() } else { regular() },
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
    ]
}

/// The step between a value axis's ticks: 1, 2 or 5 times a power of ten, at most five
/// steps over `span`.
fn tick_step(span: f64) -> f64 {
    if span <= 0.0 {
        return 1.0;
    }
    let power = 10_f64.powf((span / 5.0).log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|step| span / step <= 5.0)
        .unwrap_or(10.0 * power)
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

/// The labels under a chart's axis in one size for all (the largest at which each holds on
/// two lines of `room` points, down to 6 pt), the second line cut with "…" only when even
/// two lines at 6 pt are not enough.
fn axis_labels<'a>(
    labels: impl Iterator<Item = &'a str> + Clone,
    room: f32,
    size: f32,
) -> (Vec<Vec<String>>, f32) {
    // The largest size, from `size` down to 6 pt by half points, at which every label
    // holds on two lines.
    let mut shared = size;
    while shared > 6.0
        && labels
            .clone()
            .any(|label| wrap(label, shared, false, room).len() > 2)
    {
        shared -= 0.5;
    }
    let laid = labels
        .map(|label| {
            let mut lines = wrap(label, shared, false, room);
            if lines.len() > 2 {
                let rest = lines[1..].join(" ");
                lines.truncate(1);
                lines.push(fit(&rest, room, shared).0);
            }
            lines
        })
        .collect();
    (laid, shared)
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

/// The sRGB profile the document's colours are declared in (PDF/A's output intent; from
/// Debian's icc-profiles-free, zlib licence, see assets/color/README.md).
const SRGB: &[u8] = include_bytes!("../../../assets/color/sRGB.icc");

/// What printpdf cannot say itself: the logical structure (PDF/UA-1), the metadata packet
/// that declares the document PDF/A-2u and PDF/UA-1 with the same title, author and dates
/// as its information dictionary, the sRGB output intent, the language, and identifiers
/// derived from the fingerprint instead of the random ones it draws, so that the same
/// content gives the same bytes.
fn finalise(bytes: Vec<u8>, meta: &Meta, tags: &Tags) -> Vec<u8> {
    use lopdf::{Dictionary, Object, Stream, StringFormat};
    let Ok(mut doc) = lopdf::Document::load_mem(&bytes) else {
        return bytes;
    };
    doc.version = "1.7".into();
    tags.write(&mut doc);
    let metadata = doc.add_object(Stream::new(
        Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Metadata".to_vec())),
            ("Subtype", Object::Name(b"XML".to_vec())),
        ]),
        xmp(meta).into_bytes(),
    ));
    let profile = doc.add_object(Stream::new(
        Dictionary::from_iter(vec![("N", Object::Integer(3))]),
        SRGB.to_vec(),
    ));
    let intent = Dictionary::from_iter(vec![
        ("Type", Object::Name(b"OutputIntent".to_vec())),
        ("S", Object::Name(b"GTS_PDFA1".to_vec())),
        (
            "OutputConditionIdentifier",
            Object::String(b"sRGB IEC61966-2.1".to_vec(), StringFormat::Literal),
        ),
        (
            "Info",
            Object::String(b"sRGB IEC61966-2.1".to_vec(), StringFormat::Literal),
        ),
        ("DestOutputProfile", Object::Reference(profile)),
    ]);
    // The information dictionary says what the metadata packet says, nothing more.
    let info = doc.add_object(Dictionary::from_iter(vec![
        ("Title", super::tags::text_string(&meta.title)),
        ("Author", super::tags::text_string(&meta.author)),
        ("Subject", super::tags::text_string(&meta.subject)),
        ("Creator", super::tags::text_string("qualitrack")),
        ("Producer", super::tags::text_string("qualitrack")),
    ]));
    doc.trailer.set("Info", Object::Reference(info));
    if let Ok(catalog) = doc.catalog_mut() {
        catalog.set(
            "Lang",
            Object::String(meta.language.as_bytes().to_vec(), StringFormat::Literal),
        );
        catalog.set("Metadata", Object::Reference(metadata));
        catalog.set(
            "OutputIntents",
            Object::Array(vec![Object::Dictionary(intent)]),
        );
        catalog.set(
            "ViewerPreferences",
            Object::Dictionary(Dictionary::from_iter(vec![(
                "DisplayDocTitle",
                Object::Boolean(true),
            )])),
        );
    }
    let id = Object::String(
        meta.fingerprint.bytes().take(32).collect(),
        StringFormat::Literal,
    );
    doc.trailer.set("ID", Object::Array(vec![id.clone(), id]));
    // The structure tree is thousands of small dictionaries: they go compressed in object
    // streams (PDF 1.5 and later, allowed by PDF/A-2).
    let options = lopdf::SaveOptions::builder()
        .use_object_streams(true)
        .use_xref_streams(true)
        .compression_level(6)
        .build();
    let mut out = Vec::new();
    match doc.save_with_options(&mut out, options) {
        Ok(()) => out,
        Err(_) => bytes,
    }
}

/// The XMP metadata packet: Dublin Core title, author, subject and language, the dates,
/// the producer, and the PDF/A-2u and PDF/UA-1 identification (with the extension schema
/// PDF/A asks for the latter).
fn xmp(meta: &Meta) -> String {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let date = format!("{}T12:00:00Z", meta.date.format("%Y-%m-%d"));
    format!(
        r#"<?xpacket begin="{bom}" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{subject}</rdf:li></rdf:Alt></dc:description>
   <dc:language><rdf:Bag><rdf:li>{language}</rdf:li></rdf:Bag></dc:language>
   <xmp:CreatorTool>qualitrack</xmp:CreatorTool>
   <xmp:CreateDate>{date}</xmp:CreateDate>
   <xmp:ModifyDate>{date}</xmp:ModifyDate>
   <xmp:MetadataDate>{date}</xmp:MetadataDate>
   <pdf:Producer>qualitrack</pdf:Producer>
   <pdfaid:part>2</pdfaid:part>
   <pdfaid:conformance>U</pdfaid:conformance>
   <pdfuaid:part>1</pdfuaid:part>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
   <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
    <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
    <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
    <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
    <pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
     <pdfaProperty:name>part</pdfaProperty:name>
     <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
     <pdfaProperty:category>internal</pdfaProperty:category>
     <pdfaProperty:description>Part of ISO 14289 the document conforms to</pdfaProperty:description>
    </rdf:li></rdf:Seq></pdfaSchema:property>
   </rdf:li></rdf:Bag></pdfaExtension:schemas>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"#,
        bom = '\u{feff}',
        title = escape(&meta.title),
        author = escape(&meta.author),
        subject = escape(&meta.subject),
        language = escape(&meta.language),
    )
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
    fn value_axes_tick_on_round_figures() {
        assert!((tick_step(100.0) - 20.0).abs() < 1e-9);
        assert!((tick_step(27.5) - 10.0).abs() < 1e-9, "{}", tick_step(27.5));
        assert!((tick_step(10.0) - 2.0).abs() < 1e-9);
        assert!((tick_step(1.1) - 0.5).abs() < 1e-9);
        for span in [0.7, 3.0, 13.0, 25.0, 42.0, 99.0, 640.0] {
            let step = tick_step(span);
            assert!(span / step <= 5.0 && span / step > 1.0, "{span}: {step}");
        }
    }

    #[test]
    fn axis_labels_share_one_size_and_wrap_rather_than_cut() {
        let (labels, size) = axis_labels(
            ["T1", "Non-conformité mineure", "Point fort"].into_iter(),
            60.0,
            7.0,
        );
        assert!(size >= 6.0);
        assert_eq!(labels[0], vec!["T1".to_owned()]);
        assert_eq!(
            labels[1].join(" ").replace("- ", "-"),
            "Non-conformité mineure"
        );
        for line in labels.iter().flatten() {
            assert!(FACES.0.width(line, size) <= 60.0, "{line}");
        }
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
        let doc = lopdf::Document::load_mem(&first).unwrap();
        let catalog = doc.catalog().unwrap();
        assert_eq!(
            catalog.get(b"Lang").unwrap().as_str().unwrap(),
            b"fr-FR",
            "the language is declared"
        );
        assert!(catalog.has(b"StructTreeRoot") && catalog.has(b"MarkInfo"));
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
