//! PDF documents laid out by us on printpdf: A4 pages, a free font with full French coverage
//! embedded and subset (DejaVu Sans), text measured from the font's own advances so lines
//! wrap and never overflow, page numbers "n / N" and the document's fingerprint on every
//! page. The same content always gives the same bytes: dates come from the content, and the
//! identifiers printpdf draws at random are replaced by ones derived from the fingerprint.

mod tags;
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

/// Splits a text into lines no wider than `max` points. Lines break at spaces and after a
/// hyphen inside a word ("Aix-en-" / "Provence"), never at a no-break space (which glues a
/// number to its unit: "25,0 %") nor inside a word with a digit (a date, a reference, a
/// figure). A word wider than the line alone is hyphenated by the French patterns; cutting
/// it anywhere is left for what has no syllables (a long reference). Line breaks in the text
/// are kept.
pub fn wrap(text: &str, size: f32, bold: bool, max: f32) -> Vec<String> {
    let face = if bold { &FACES.1 } else { &FACES.0 };
    let fits = |candidate: &str| face.width(candidate, size) <= max;
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split([' ', '\t']).filter(|w| !w.is_empty()) {
            for (i, unit) in units(word).into_iter().enumerate() {
                let glue = if line.is_empty() || i > 0 { "" } else { " " };
                let candidate = format!("{line}{glue}{unit}");
                if fits(&candidate) {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                line = if fits(unit) {
                    unit.to_owned()
                } else {
                    hyphenated(unit, &fits, &mut lines)
                };
            }
        }
        lines.push(line);
    }
    lines
}

/// The pieces of a word a line may end after: after each inner hyphen of a word without
/// digits, else the word whole.
pub fn units(word: &str) -> Vec<&str> {
    if word.chars().any(|c| c.is_ascii_digit()) {
        return vec![word];
    }
    let mut units = Vec::new();
    let mut start = 0;
    for (at, c) in word.char_indices() {
        let end = at + c.len_utf8();
        if c == '-' && at > start && end < word.len() {
            units.push(&word[start..end]);
            start = end;
        }
    }
    units.push(&word[start..]);
    units
}

/// A word too wide for a line, laid on as many lines as it takes: whole syllables and a
/// hyphen on each full line, the rest returned; characters only when a syllable alone is too
/// wide.
fn hyphenated(word: &str, fits: &dyn Fn(&str) -> bool, lines: &mut Vec<String>) -> String {
    // A date or a figure is never cut: it overflows its line instead (columns are laid out
    // at least as wide as their widest word, so this only happens on an overfull page).
    if word.chars().any(|c| c.is_ascii_digit()) {
        return word.to_owned();
    }
    let mut line = String::new();
    let letters = word.chars().all(char::is_alphabetic);
    let syllables: Vec<&str> = if letters {
        hypher::hyphenate(word, hypher::Lang::French).collect()
    } else {
        vec![word]
    };
    for syllable in syllables {
        let candidate = format!("{line}{syllable}");
        if fits(&format!("{candidate}-")) || (line.is_empty() && fits(&candidate)) {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(format!("{line}-"));
            line.clear();
        }
        if fits(syllable) {
            line.push_str(syllable);
            continue;
        }
        for c in syllable.chars() {
            line.push(c);
            if !fits(&line) && line.chars().count() > 1 {
                let last = line.pop().unwrap_or(c);
                lines.push(std::mem::take(&mut line));
                line.push(last);
            }
        }
    }
    line
}

/// The widest piece of a text no line break can split, in points (a column is never
/// narrower, so that its words stay whole).
pub fn widest_unit(text: &str, size: f32, bold: bool) -> f32 {
    let face = if bold { &FACES.1 } else { &FACES.0 };
    text.split([' ', '\t', '\n'])
        .flat_map(units)
        .map(|unit| face.width(unit, size))
        .fold(0.0, f32::max)
}

/// The width of a text's longest line when nothing wraps it, in points.
pub fn natural_width(text: &str, size: f32, bold: bool) -> f32 {
    let face = if bold { &FACES.1 } else { &FACES.0 };
    text.split('\n')
        .map(|line| face.width(line, size))
        .fold(0.0, f32::max)
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
    fn lines_break_at_spaces_and_hyphens_never_inside_a_date_or_a_number_and_its_unit() {
        // "Aix-en-Provence" may end a line after a hyphen, never inside "Provence".
        for width in [50.0, 70.0, 90.0] {
            let lines = wrap("Site Aix-en-Provence", 10.0, false, width);
            assert!(
                lines.iter().any(|l| l.ends_with("Provence")),
                "{width}: {lines:?}"
            );
        }
        // A date, a reference and a rate with its unit (a no-break space) stay whole.
        let lines = wrap(
            "Échéance 06/12/2026 pour E1.12 à 25,0\u{a0}%",
            10.0,
            false,
            55.0,
        );
        for whole in ["06/12/2026", "E1.12", "25,0\u{a0}%"] {
            assert!(
                lines.iter().any(|l| l.contains(whole)),
                "{whole}: {lines:?}"
            );
        }
        // A word wider than its column is hyphenated between syllables.
        let lines = wrap("Renouvellement", 9.0, true, 45.0);
        assert!(lines.len() > 1, "{lines:?}");
        assert!(lines[0].ends_with('-'), "{lines:?}");
        assert_eq!(lines.concat().replace('-', ""), "Renouvellement");
        for line in &lines {
            assert!(FACES.1.width(line, 9.0) <= 45.0, "{line}");
        }
    }

    #[test]
    fn bold_is_wider_than_regular() {
        assert!(FACES.1.width("Non-conformité", 10.0) > FACES.0.width("Non-conformité", 10.0));
        assert!(FACES.0.width("Non-conformité", 10.0) > 40.0);
    }
}
