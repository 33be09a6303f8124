//! French administrative identifiers: SIREN (company number, Luhn-checked) and postal codes.

use super::Invalid;

/// A SIREN: nine digits whose Luhn checksum is valid. Spaces typed by people are ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Siren(String);

impl Siren {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let digits: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '\u{202f}')
            .collect();
        if digits.is_empty() {
            return Err(Invalid::new("err-required"));
        }
        if digits.len() != 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Invalid::new("err-siren-format"));
        }
        if !luhn_valid(&digits) {
            return Err(Invalid::new("err-siren-checksum"));
        }
        Ok(Self(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// A French postal code: five digits starting with a metropolitan department (01–95,
/// Corsica's 20) or an overseas one (971–976); 98 (Monaco, Pacific) is outside the scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostalCode(String);

impl PostalCode {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let code: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        if code.is_empty() {
            return Err(Invalid::new("err-required"));
        }
        if code.len() != 5 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Invalid::new("err-postal-code-format"));
        }
        let department: u32 = code[..2].parse().unwrap_or(0);
        let overseas: u32 = code[..3].parse().unwrap_or(0);
        let known = (1..=95).contains(&department) || (971..=976).contains(&overseas);
        if known {
            Ok(Self(code))
        } else {
            Err(Invalid::new("err-postal-code-department"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn siren_luhn_is_checked() {
        // Real SIRENs of public bodies (published in the SIRENE register).
        for good in ["732829320", "552 100 554", "130005481"] {
            assert!(Siren::parse(good).is_ok(), "{good} should pass");
        }
        assert_eq!(
            Siren::parse("732829321").unwrap_err().key,
            "err-siren-checksum"
        );
        assert_eq!(
            Siren::parse("12345678").unwrap_err().key,
            "err-siren-format"
        );
        assert_eq!(
            Siren::parse("12345678A").unwrap_err().key,
            "err-siren-format"
        );
        assert_eq!(Siren::parse("  ").unwrap_err().key, "err-required");
        assert_eq!(Siren::parse("552 100 554").unwrap().as_str(), "552100554");
    }

    #[test]
    fn postal_codes_follow_departments() {
        for good in ["75011", "01000", "20000", "97400", "97600", "95000"] {
            assert!(PostalCode::parse(good).is_ok(), "{good} should pass");
        }
        assert_eq!(
            PostalCode::parse("7501").unwrap_err().key,
            "err-postal-code-format"
        );
        assert_eq!(
            PostalCode::parse("7501A").unwrap_err().key,
            "err-postal-code-format"
        );
        // Overseas postal codes lead to their department's public holidays.
        let reunion = PostalCode::parse("97400").unwrap();
        assert_eq!(
            crate::domain::calendar::Zone::from_postal_code(reunion.as_str()),
            crate::domain::calendar::Zone::Reunion
        );
        for bad in ["00100", "96000", "97700", "98000"] {
            assert_eq!(
                PostalCode::parse(bad).unwrap_err().key,
                "err-postal-code-department",
                "{bad}"
            );
        }
    }
}
