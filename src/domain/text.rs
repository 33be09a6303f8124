//! Free text with bounds: trimmed, non-empty when required, never longer than its field allows.

use super::Invalid;

/// A trimmed text of 1..=max characters (or 0..=max when optional).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundedText(String);

impl BoundedText {
    pub fn required(raw: &str, max: usize) -> Result<Self, Invalid> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(Invalid::new("err-required"));
        }
        Self::optional(value, max)
    }

    pub fn optional(raw: &str, max: usize) -> Result<Self, Invalid> {
        let value = raw.trim();
        let length = value.chars().count();
        if length > max {
            return Err(Invalid::new("err-too-long")
                .arg("max", max)
                .arg("length", length));
        }
        if value
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            return Err(Invalid::new("err-control-chars"));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A number of homes (logements): a whole number, 0 to 1 000 000.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Homes(i32);

impl Homes {
    pub const MAX: i32 = 1_000_000;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let cleaned: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '\u{202f}')
            .collect();
        if cleaned.is_empty() {
            return Err(Invalid::new("err-required"));
        }
        let value: i64 = cleaned
            .parse()
            .map_err(|_| Invalid::new("err-not-a-whole-number"))?;
        Self::new(value)
    }

    pub fn new(value: i64) -> Result<Self, Invalid> {
        match i32::try_from(value) {
            Ok(v) if (0..=Self::MAX).contains(&v) => Ok(Self(v)),
            _ => Err(Invalid::new("err-out-of-range")
                .arg("min", 0)
                .arg("max", Self::MAX)),
        }
    }

    pub fn get(self) -> i32 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(
            BoundedText::required("  Agence  ", 10).unwrap().as_str(),
            "Agence"
        );
        assert_eq!(
            BoundedText::required("   ", 10).unwrap_err().key,
            "err-required"
        );
        assert_eq!(
            BoundedText::required("ééééé", 4).unwrap_err().key,
            "err-too-long"
        );
        assert!(BoundedText::optional("", 4).is_ok());
        assert_eq!(
            BoundedText::optional("a\u{0}b", 4).unwrap_err().key,
            "err-control-chars"
        );
    }

    #[test]
    fn homes_accept_french_thousands_separator() {
        assert_eq!(Homes::parse("12 500").unwrap().get(), 12_500);
        assert_eq!(Homes::parse("12\u{202f}500").unwrap().get(), 12_500);
        assert_eq!(Homes::parse("-3").unwrap_err().key, "err-out-of-range");
        assert_eq!(
            Homes::parse("3,5").unwrap_err().key,
            "err-not-a-whole-number"
        );
        assert_eq!(Homes::parse("").unwrap_err().key, "err-required");
    }
}
