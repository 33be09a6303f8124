//! Argon2id password hashing. Verification always does the full work, with a dummy hash
//! for unknown accounts, so that response time does not tell which e-mails exist.

use std::sync::LazyLock;

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};

use crate::domain::Invalid;

/// Hash of a random password, verified against when the account does not exist.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash(&super::random_token(24)).unwrap_or_default());

pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 256;

/// A password people may choose: long enough, not absurdly long (argon2 cost), not blank.
pub fn check_new(password: &str) -> Result<(), Invalid> {
    let length = password.chars().count();
    if password.trim().is_empty() {
        return Err(Invalid::new("err-required"));
    }
    if length < MIN_LENGTH {
        return Err(Invalid::new("err-password-short").arg("min", MIN_LENGTH));
    }
    if length > MAX_LENGTH {
        return Err(Invalid::new("err-too-long")
            .arg("max", MAX_LENGTH)
            .arg("length", length));
    }
    Ok(())
}

pub fn hash(password: &str) -> Result<String, String> {
    let hashed: Result<PasswordHash, _> = Argon2::default().hash_password(password.as_bytes());
    hashed
        .map(|h| h.to_string())
        .map_err(|e| format!("password hashing failed: {e}"))
}

/// True when `password` matches `stored`; with `None`, burns the same time and says no.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    let (hash, known) = match stored {
        Some(h) => (h, true),
        None => (DUMMY_HASH.as_str(), false),
    };
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let matches = Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    matches && known
}

/// The password "hash" of an account that signs in only through an identity provider: not a
/// hash at all, so no password ever matches it.
pub const UNUSABLE: &str = "!";

/// A readable one-time password for new or reset accounts (about 120 bits).
pub fn generate_one_time() -> String {
    super::random_token(15)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let h = hash("correct horse battery staple").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery staple", Some(&h)));
        assert!(!verify("wrong password!!", Some(&h)));
        assert!(!verify("correct horse battery staple", None));
    }

    #[test]
    fn new_passwords_are_checked() {
        assert_eq!(check_new("short").unwrap_err().key, "err-password-short");
        assert_eq!(check_new("            ").unwrap_err().key, "err-required");
        assert!(check_new("a long enough passphrase").is_ok());
        assert_eq!(check_new(&"x".repeat(300)).unwrap_err().key, "err-too-long");
    }
}
