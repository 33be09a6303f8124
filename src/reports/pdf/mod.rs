//! PDF documents laid out by us on printpdf: A4 pages, a free font with full French coverage
//! embedded and subset (DejaVu Sans), text measured from the font's own advances so lines
//! wrap and never overflow, page numbers "n / N" and the document's fingerprint on every
//! page. The same content always gives the same bytes: dates come from the content, and the
//! identifiers printpdf draws at random are replaced by ones derived from the fingerprint.

mod writer;

pub use writer::{Meta, Writer};

use std::sync::LazyLock;

use printpdf::ParsedFont;

/// DejaVu Sans (free licence, see assets/fonts/README.md): Latin, accents, œ « » € and more.
const REGULAR: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-latin.ttf");
const BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold-latin.ttf");

pub(crate) struct Face {
    pub font: ParsedFont,
}

impl Face {
    fn load(bytes: &[u8]) -> Self {
        let font = ParsedFont::from_bytes(bytes, 0, &mut Vec::new())
            .unwrap_or_else(|| panic!("the bundled font parses"));
        Self { font }
    }

    /// Width of a text at a size, in points, from the font's advances.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let units: u32 = text
            .chars()
            .map(|c| {
                self.font
                    .lookup_glyph_index(u32::from(c))
                    .and_then(|g| self.font.get_glyph_width(g))
                    .map_or(0, u32::from)
            })
            .sum();
        #[expect(clippy::cast_precision_loss, reason = "font units are far below 2^24")]
        let width = units as f32 * size / f32::from(self.font.units_per_em.max(1));
        width
    }
}

pub(crate) static FACES: LazyLock<(Face, Face)> =
    LazyLock::new(|| (Face::load(REGULAR), Face::load(BOLD)));

/// Splits a text into lines no wider than `max` points: at spaces, and inside a word only
/// when the word alone is too wide. Line breaks in the text are kept.
pub fn wrap(text: &str, size: f32, bold: bool, max: f32) -> Vec<String> {
    let face = if bold { &FACES.1 } else { &FACES.0 };
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if face.width(&candidate, size) <= max {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // A word wider than the line is cut where it must.
            let mut piece = String::new();
            for c in word.chars() {
                piece.push(c);
                if face.width(&piece, size) > max && piece.chars().count() > 1 {
                    let last = piece.pop().unwrap_or(c);
                    lines.push(std::mem::take(&mut piece));
                    piece.push(last);
                }
            }
            line = piece;
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_never_exceed_their_width_and_keep_every_word() {
        let text = "Échantillon de vingt demandes vérifié : réponses écrites dans le délai annoncé, sauf deux relances « tardives » à 12,5 € près.";
        let lines = wrap(text, 10.0, false, 150.0);
        assert!(lines.len() > 1);
        for line in &lines {
            assert!(FACES.0.width(line, 10.0) <= 150.0, "{line}");
        }
        assert_eq!(lines.join(" "), text);
        let long = wrap(&"x".repeat(200), 10.0, true, 100.0);
        assert!(long.len() > 1 && long.iter().all(|l| FACES.1.width(l, 10.0) <= 100.0));
        assert_eq!(wrap("a\nb", 10.0, false, 100.0), vec!["a", "b"]);
    }

    #[test]
    fn bold_is_wider_than_regular() {
        assert!(FACES.1.width("Non-conformité", 10.0) > FACES.0.width("Non-conformité", 10.0));
        assert!(FACES.0.width("Non-conformité", 10.0) > 40.0);
    }
}
