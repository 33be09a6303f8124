//! E-mail addresses, kept lower-case so that one person has one account.

use super::Invalid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = raw.trim().to_lowercase();
        if value.is_empty() {
            return Err(Invalid::new("err-required"));
        }
        if value.chars().count() > 254 {
            return Err(Invalid::new("err-too-long").arg("max", 254));
        }
        let Some((local, domain)) = value.split_once('@') else {
            return Err(Invalid::new("err-email"));
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        let local_ok = !local.is_empty()
            && !local.contains(char::is_whitespace)
            && !local.contains(['<', '>', '"', '(', ')', ',', ';', ':', '\\']);
        if domain_ok && local_ok {
            Ok(Self(value))
        } else {
            Err(Invalid::new("err-email"))
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
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse(" Marie.Durand@Habitat-Exemple.fr ")
                .unwrap()
                .as_str(),
            "marie.durand@habitat-exemple.fr"
        );
        for bad in [
            "",
            "marie",
            "marie@",
            "@x.fr",
            "marie@localhost",
            "a b@x.fr",
            "m@x..fr.",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be refused");
        }
    }
}
