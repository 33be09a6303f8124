//! A report as a sequence of blocks (headings, paragraphs, tables, charts, the verification
//! QR code), laid out once by its maker and then written as PDF (`pdf::Writer`), as an
//! OpenDocument text (ODT) or as a Word document (DOCX) with the same sections and tables.
//! The editable formats carry each chart as the sentence that describes it (its figures
//! are in the table beside it) and the QR code as its address.

use std::fmt::Write as _;
use std::io::Write as _;

use zip::write::SimpleFileOptions;

use super::charts::Chart;
use super::pdf::{Meta, Writer};

#[derive(Debug, Clone)]
enum Block {
    Heading {
        level: u8,
        text: String,
        size: f32,
    },
    Paragraph {
        text: String,
        size: f32,
        strong: bool,
    },
    Table {
        headers: Vec<String>,
        rows: Vec<Vec<String>>,
        size: f32,
    },
    Chart {
        chart: Chart,
        bars: bool,
    },
    Qr {
        text: String,
        side: f32,
    },
    Space(f32),
    /// Room asked for on the page (a PDF layout hint)
    Need(f32),
    PageBreak,
    Rule,
}

/// A document being written, block by block, with the writer's own vocabulary.
#[derive(Debug, Default)]
pub struct Builder {
    blocks: Vec<Block>,
}

/// The formats a report is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Odt,
    Docx,
}

impl Format {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "pdf" => Some(Self::Pdf),
            "odt" => Some(Self::Odt),
            "docx" => Some(Self::Docx),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Odt => "odt",
            Self::Docx => "docx",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Odt => "application/vnd.oasis.opendocument.text",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        }
    }
}

impl Builder {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn heading(&mut self, level: u8, text: &str, size: f32) {
        self.blocks.push(Block::Heading {
            level,
            text: text.to_owned(),
            size,
        });
    }

    pub fn paragraph(&mut self, text: &str, size: f32, strong: bool) {
        self.blocks.push(Block::Paragraph {
            text: text.to_owned(),
            size,
            strong,
        });
    }

    pub fn table(&mut self, headers: &[&str], rows: &[Vec<String>], size: f32) {
        self.blocks.push(Block::Table {
            headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            rows: rows.to_vec(),
            size,
        });
    }

    pub fn chart(&mut self, chart: &Chart, bars: bool) {
        self.blocks.push(Block::Chart {
            chart: chart.clone(),
            bars,
        });
    }

    pub fn qr_code(&mut self, text: &str, side: f32) {
        self.blocks.push(Block::Qr {
            text: text.to_owned(),
            side,
        });
    }

    pub fn space(&mut self, points: f32) {
        self.blocks.push(Block::Space(points));
    }

    pub fn need(&mut self, points: f32) {
        self.blocks.push(Block::Need(points));
    }

    pub fn new_page(&mut self) {
        self.blocks.push(Block::PageBreak);
    }

    pub fn rule(&mut self) {
        self.blocks.push(Block::Rule);
    }

    /// The document, in `format`.
    pub fn write(&self, meta: &Meta, format: Format) -> Result<Vec<u8>, String> {
        match format {
            Format::Pdf => Ok(self.pdf(meta)),
            Format::Odt => self.odt(meta),
            Format::Docx => self.docx(meta),
        }
    }

    fn pdf(&self, meta: &Meta) -> Vec<u8> {
        let mut w = Writer::new();
        for block in &self.blocks {
            match block {
                Block::Heading { level, text, size } => w.heading(*level, text, *size),
                Block::Paragraph { text, size, strong } => w.paragraph(text, *size, *strong),
                Block::Table {
                    headers,
                    rows,
                    size,
                } => {
                    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
                    w.table(&headers, rows, *size);
                }
                Block::Chart { chart, bars } => w.chart(chart, *bars),
                Block::Qr { text, side } => w.qr_code(text, *side),
                Block::Space(points) => w.space(*points),
                Block::Need(points) => {
                    w.need(*points);
                }
                Block::PageBreak => w.new_page(),
                Block::Rule => w.rule(),
            }
        }
        w.finish(meta)
    }

    fn odt(&self, meta: &Meta) -> Result<Vec<u8>, String> {
        let mut body = String::new();
        let mut page_break = false;
        for block in &self.blocks {
            let style = if std::mem::take(&mut page_break) {
                " text:style-name=\"Break\""
            } else {
                ""
            };
            match block {
                Block::Heading { level, text, .. } => {
                    let _ = write!(
                        body,
                        "<text:h text:outline-level=\"{level}\"{style}>{}</text:h>",
                        escape(text)
                    );
                }
                Block::Paragraph { text, strong, .. } => {
                    let style = if *strong && style.is_empty() {
                        " text:style-name=\"Strong\""
                    } else {
                        style
                    };
                    for line in text.split('\n') {
                        let _ = write!(body, "<text:p{style}>{}</text:p>", escape(line));
                    }
                }
                Block::Table { headers, rows, .. } => odt_table(&mut body, headers, rows),
                Block::Chart { chart, .. } => {
                    let _ = write!(body, "<text:p>{}</text:p>", escape(&chart.described()));
                }
                Block::Qr { text, .. } => {
                    let _ = write!(body, "<text:p>{}</text:p>", escape(text));
                }
                Block::PageBreak => page_break = true,
                Block::Space(_) | Block::Need(_) | Block::Rule => {}
            }
        }
        let content = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" office:version="1.3">
 <office:automatic-styles>
  <style:style style:name="Break" style:family="paragraph"><style:paragraph-properties fo:break-before="page"/></style:style>
  <style:style style:name="Strong" style:family="paragraph"><style:text-properties fo:font-weight="bold"/></style:style>
  <style:style style:name="Head" style:family="paragraph"><style:text-properties fo:font-weight="bold"/></style:style>
 </office:automatic-styles>
 <office:body><office:text>{body}</office:text></office:body>
</office:document-content>
"#
        );
        let meta_xml = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" office:version="1.3">
 <office:meta><dc:title>{}</dc:title><dc:subject>{}</dc:subject><meta:initial-creator>{}</meta:initial-creator><dc:language>{}</dc:language><meta:generator>qualitrack</meta:generator></office:meta>
</office:document-meta>
"#,
            escape(&meta.title),
            escape(&meta.subject),
            escape(&meta.author),
            escape(&meta.language)
        );
        let manifest = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">
 <manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="application/vnd.oasis.opendocument.text"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"#;
        zipped(&[
            ("mimetype", Format::Odt.media_type().to_owned(), false),
            ("META-INF/manifest.xml", manifest.to_owned(), true),
            ("meta.xml", meta_xml, true),
            ("content.xml", content, true),
        ])
    }

    fn docx(&self, meta: &Meta) -> Result<Vec<u8>, String> {
        let mut body = String::new();
        let mut page_break = false;
        for block in &self.blocks {
            let broken = std::mem::take(&mut page_break);
            let before = if broken { "<w:pageBreakBefore/>" } else { "" };
            match block {
                Block::Heading { level, text, .. } => {
                    let _ = write!(
                        body,
                        "<w:p><w:pPr><w:pStyle w:val=\"Heading{level}\"/>{before}</w:pPr>{}</w:p>",
                        run(text, false)
                    );
                }
                Block::Paragraph { text, strong, .. } => {
                    for (i, line) in text.split('\n').enumerate() {
                        let before = if i == 0 { before } else { "" };
                        let _ = write!(
                            body,
                            "<w:p><w:pPr>{before}</w:pPr>{}</w:p>",
                            run(line, *strong)
                        );
                    }
                }
                Block::Table { headers, rows, .. } => docx_table(&mut body, headers, rows),
                Block::Chart { chart, .. } => {
                    let _ = write!(body, "<w:p>{}</w:p>", run(&chart.described(), false));
                }
                Block::Qr { text, .. } => {
                    let _ = write!(body, "<w:p>{}</w:p>", run(text, false));
                }
                Block::PageBreak => page_break = true,
                Block::Space(_) | Block::Need(_) | Block::Rule => page_break |= broken,
            }
        }
        let document = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1134" w:header="567" w:footer="567" w:gutter="0"/></w:sectPr></w:body></w:document>
"#
        );
        let lang = escape(&meta.language);
        let styles = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
 <w:docDefaults><w:rPrDefault><w:rPr><w:lang w:val="{lang}"/><w:sz w:val="20"/></w:rPr></w:rPrDefault></w:docDefaults>
 <w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
 <w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:sz w:val="40"/></w:rPr></w:style>
 <w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:b/><w:sz w:val="30"/></w:rPr></w:style>
 <w:style w:type="paragraph" w:styleId="Heading3"><w:name w:val="heading 3"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:outlineLvl w:val="2"/></w:pPr><w:rPr><w:b/><w:sz w:val="24"/></w:rPr></w:style>
 <w:style w:type="table" w:styleId="Grid"><w:name w:val="Table Grid"/><w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4"/><w:left w:val="single" w:sz="4"/><w:bottom w:val="single" w:sz="4"/><w:right w:val="single" w:sz="4"/><w:insideH w:val="single" w:sz="4"/><w:insideV w:val="single" w:sz="4"/></w:tblBorders></w:tblPr></w:style>
</w:styles>
"#
        );
        let core = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{}</dc:title><dc:subject>{}</dc:subject><dc:creator>{}</dc:creator><dc:language>{lang}</dc:language></cp:coreProperties>
"#,
            escape(&meta.title),
            escape(&meta.subject),
            escape(&meta.author)
        );
        let types = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>
"#;
        let rels = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>
"#;
        let document_rels = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>
"#;
        zipped(&[
            ("[Content_Types].xml", types.to_owned(), true),
            ("_rels/.rels", rels.to_owned(), true),
            ("docProps/core.xml", core, true),
            (
                "word/_rels/document.xml.rels",
                document_rels.to_owned(),
                true,
            ),
            ("word/styles.xml", styles, true),
            ("word/document.xml", document, true),
        ])
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A Word run of text, kept with its spaces, in bold when `strong`.
fn run(text: &str, strong: bool) -> String {
    let bold = if strong { "<w:rPr><w:b/></w:rPr>" } else { "" };
    format!(
        "<w:r>{bold}<w:t xml:space=\"preserve\">{}</w:t></w:r>",
        escape(text)
    )
}

fn odt_table(body: &mut String, headers: &[String], rows: &[Vec<String>]) {
    let _ = write!(
        body,
        "<table:table><table:table-column table:number-columns-repeated=\"{}\"/><table:table-header-rows><table:table-row>",
        headers.len().max(1)
    );
    for header in headers {
        let _ = write!(
            body,
            "<table:table-cell office:value-type=\"string\"><text:p text:style-name=\"Head\">{}</text:p></table:table-cell>",
            escape(header)
        );
    }
    body.push_str("</table:table-row></table:table-header-rows>");
    for row in rows {
        body.push_str("<table:table-row>");
        for cell in row {
            body.push_str("<table:table-cell office:value-type=\"string\">");
            for line in cell.split('\n') {
                let _ = write!(body, "<text:p>{}</text:p>", escape(line));
            }
            body.push_str("</table:table-cell>");
        }
        body.push_str("</table:table-row>");
    }
    body.push_str("</table:table>");
}

fn docx_table(body: &mut String, headers: &[String], rows: &[Vec<String>]) {
    body.push_str("<w:tbl><w:tblPr><w:tblStyle w:val=\"Grid\"/><w:tblW w:w=\"5000\" w:type=\"pct\"/></w:tblPr><w:tblGrid>");
    for _ in headers {
        body.push_str("<w:gridCol/>");
    }
    body.push_str("</w:tblGrid><w:tr><w:trPr><w:tblHeader/></w:trPr>");
    for header in headers {
        let _ = write!(body, "<w:tc><w:p>{}</w:p></w:tc>", run(header, true));
    }
    body.push_str("</w:tr>");
    for row in rows {
        body.push_str("<w:tr>");
        for cell in row {
            body.push_str("<w:tc>");
            for line in cell.split('\n') {
                let _ = write!(body, "<w:p>{}</w:p>", run(line, false));
            }
            body.push_str("</w:tc>");
        }
        body.push_str("</w:tr>");
    }
    body.push_str("</w:tbl><w:p/>");
}

/// A zip of `parts` (name, text, compressed); an uncompressed first part is an ODF media
/// type.
fn zipped(parts: &[(&str, String, bool)]) -> Result<Vec<u8>, String> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text, compressed) in parts {
        let method = if *compressed {
            zip::CompressionMethod::Deflated
        } else {
            zip::CompressionMethod::Stored
        };
        zip.start_file(
            *name,
            SimpleFileOptions::default().compression_method(method),
        )
        .map_err(|e| e.to_string())?;
        zip.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
    }
    zip.finish()
        .map(std::io::Cursor::into_inner)
        .map_err(|e| e.to_string())
}
