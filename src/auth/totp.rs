//! The second factor's codes: RFC 6238 (SHA-1, six digits, thirty seconds: what every
//! authenticator app reads by default), accepted one step either side of now for a phone's
//! drifting clock, and each time step only once, so a code seen over a shoulder is spent.
//! Recovery codes are ten random words shown once and kept as hashes: with about fifty bits
//! each, a SHA-256 is enough (as for API tokens), and checking one costs nothing.

use rand::Rng;
use totp_rs::{Algorithm, TOTP};

/// Seconds a code lives.
pub const STEP: u64 = 30;
/// The name authenticator apps list the account under.
pub const ISSUER: &str = "qualitrack";
/// How many recovery codes an enrolment gives.
pub const RECOVERY_CODES: usize = 10;
/// Letters and digits that cannot be mistaken for one another when copied by hand.
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A TOTP secret: 160 random bits, as RFC 4226 recommends.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl Secret {
    pub fn generate() -> Self {
        let mut bytes = vec![0u8; 20];
        rand::rng().fill(&mut bytes[..]);
        Self(bytes)
    }

    /// The secret as apps are given it to type (RFC 4648 base32, no padding).
    pub fn base32(&self) -> String {
        totp_rs::Secret::Raw(self.0.clone())
            .to_encoded()
            .to_string()
    }

    pub fn from_base32(encoded: &str) -> Option<Self> {
        totp_rs::Secret::Encoded(encoded.to_owned())
            .to_bytes()
            .ok()
            .filter(|bytes| bytes.len() >= 16)
            .map(Self)
    }

    fn totp(&self, account: &str) -> TOTP {
        // `:` separates the issuer from the account in the app's list.
        TOTP::new_unchecked(
            Algorithm::SHA1,
            6,
            1,
            STEP,
            self.0.clone(),
            Some(ISSUER.to_owned()),
            account.replace(':', " "),
        )
    }

    /// The `otpauth://` address an authenticator app reads from the QR code.
    pub fn otpauth_url(&self, account: &str) -> String {
        self.totp(account).get_url()
    }

    /// The code of time `unix` (what the app shows then).
    pub fn code_at(&self, unix: u64) -> String {
        self.totp("").generate(unix)
    }

    /// The time step of a typed code valid at `now` (one step either side), newer than the
    /// last step accepted; spaces typed between the digits are ignored.
    pub fn accepted_step(&self, typed: &str, now: u64, last_step: Option<u64>) -> Option<u64> {
        let code: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let current = now / STEP;
        let totp = self.totp("");
        [current.saturating_sub(1), current, current + 1]
            .into_iter()
            .filter(|step| last_step.is_none_or(|last| *step > last))
            .find(|step| {
                super::constant_time_eq(totp.generate(step * STEP).as_bytes(), code.as_bytes())
            })
    }
}

/// The enrolment's QR code, as an SVG element to put in a page (without the XML
/// declaration a standalone file starts with, which HTML does not allow).
pub fn qr_svg(text: &str) -> String {
    qrcode::QrCode::new(text.as_bytes()).map_or_else(
        |_| String::new(),
        |code| {
            let drawn = code
                .render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build();
            match drawn.find("<svg") {
                Some(start) => drawn[start..].to_owned(),
                None => drawn,
            }
        },
    )
}

/// Fresh recovery codes, as shown to the user (`abcde-fghjk`).
pub fn recovery_codes() -> Vec<String> {
    let mut rng = rand::rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let word: String = (0..10)
                .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
                .collect();
            format!("{}-{}", &word[..5], &word[5..])
        })
        .collect()
}

/// A typed recovery code's hash: case, spaces and dashes do not count.
pub fn recovery_hash(typed: &str) -> String {
    let normalised: String = typed
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    super::sha256_hex(normalised.as_bytes())
}

/// Whether what was typed looks like a recovery code rather than a six-digit code.
pub fn looks_like_recovery(typed: &str) -> bool {
    typed.chars().filter(char::is_ascii_alphanumeric).count() == 10
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238's SHA-1 key, "12345678901234567890".
    fn rfc_secret() -> Secret {
        Secret(b"12345678901234567890".to_vec())
    }

    #[test]
    fn codes_are_those_of_rfc_6238() {
        // Appendix B gives eight digits; apps show the last six.
        assert_eq!(rfc_secret().code_at(59), "287082");
        assert_eq!(rfc_secret().code_at(1_111_111_109), "081804");
        assert_eq!(rfc_secret().code_at(2_000_000_000), "279037");
    }

    #[test]
    fn a_code_is_accepted_one_step_either_side_and_only_once() {
        let secret = rfc_secret();
        let now = 1_111_111_109;
        let step = now / STEP;
        assert_eq!(secret.accepted_step("081 804", now, None), Some(step));
        assert_eq!(
            secret.accepted_step("081804", now, Some(step)),
            None,
            "spent"
        );
        let late = secret.code_at(now - STEP);
        assert_eq!(secret.accepted_step(&late, now, None), Some(step - 1));
        let stale = secret.code_at(now - 2 * STEP);
        assert_eq!(secret.accepted_step(&stale, now, None), None);
        assert_eq!(secret.accepted_step("12345", now, None), None);
        assert_eq!(secret.accepted_step("abcdef", now, None), None);
    }

    #[test]
    fn a_secret_survives_base32_and_makes_an_address_apps_read() {
        let secret = Secret::generate();
        assert_ne!(secret, Secret::generate());
        let encoded = secret.base32();
        assert_eq!(Secret::from_base32(&encoded), Some(secret.clone()));
        let url = secret.otpauth_url("qualite@habitat.fr");
        assert!(
            url.starts_with("otpauth://totp/qualitrack:qualite%40habitat.fr?"),
            "{url}"
        );
        assert!(url.contains(&format!("secret={encoded}")));
        assert!(qr_svg(&url).starts_with("<svg"));
    }

    #[test]
    fn recovery_codes_are_distinct_and_typed_loosely() {
        let codes = recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), RECOVERY_CODES);
        let code = &codes[0];
        assert!(looks_like_recovery(code) && !looks_like_recovery("123456"));
        assert_eq!(
            recovery_hash(code),
            recovery_hash(&code.to_uppercase().replace('-', " "))
        );
    }
}
