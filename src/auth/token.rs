//! API bearer tokens: shown once at creation, stored only as a sha256 hash, with a short
//! visible prefix so people can tell their tokens apart.

/// Prefix of every token, so a leaked one is easy to recognise in logs and scanners.
pub const TOKEN_PREFIX: &str = "qt_";

pub struct NewToken {
    /// The secret, given to the user once.
    pub secret: String,
    pub hash: String,
    /// The first characters, stored in clear for display.
    pub prefix: String,
}

pub fn generate() -> NewToken {
    let secret = format!("{TOKEN_PREFIX}{}", super::random_token(32));
    NewToken {
        hash: hash(&secret),
        prefix: secret.chars().take(TOKEN_PREFIX.len() + 6).collect(),
        secret,
    }
}

pub fn hash(secret: &str) -> String {
    super::sha256_hex(secret.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_stored_hashed() {
        let token = generate();
        assert!(token.secret.starts_with("qt_"));
        assert_eq!(token.hash, hash(&token.secret));
        assert_ne!(token.hash, token.secret);
        assert!(token.secret.starts_with(&token.prefix));
    }
}
