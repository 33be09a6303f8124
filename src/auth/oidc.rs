//! OpenID Connect sign-in (ProConnect, Microsoft Entra ID, any certified provider): the
//! authorization code flow with PKCE, a `state` and a `nonce` kept in the session and checked
//! once, the ID token's signature checked against the keys the provider publishes and its
//! claims (issuer, audience, expiry, nonce) against what was asked. The provider's addresses
//! come from its discovery document, fetched once and kept; its keys are fetched again when a
//! token names one not known yet (a key rotation).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};

/// How long the provider's addresses and keys are kept before being read again.
const KEPT_FOR: Duration = Duration::from_secs(3600);
/// How long a request to the provider may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// A provider as the settings give it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderConfig {
    /// Its part of the addresses (`/connexion/oidc/{slug}`)
    pub slug: String,
    /// The name on the button ("Se connecter avec ProConnect")
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    pub scopes: String,
    /// The authentication level asked (ProConnect's `eidas1`), if any
    pub acr: Option<String>,
    /// Whether an address counts as verified when the provider does not say: ProConnect
    /// sends professional addresses its identity providers checked, without the claim.
    pub trust_email: bool,
}

/// The provider's addresses, from `{issuer}/.well-known/openid-configuration`.
#[derive(Debug, Clone, Deserialize)]
pub struct Discovery {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    pub userinfo_endpoint: Option<String>,
    pub end_session_endpoint: Option<String>,
}

/// Why a sign-in through the provider was refused; each says so on the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The provider did not answer, or not as the protocol says.
    Unreachable(String),
    /// The provider refused (the person cancelled, or was not allowed).
    Denied(String),
    /// The answer does not belong to the sign-in this browser started (state).
    UnknownState,
    Signature,
    Claims(String),
    Nonce,
    Expired,
}

impl Refusal {
    /// The catalogue key of its message.
    pub fn message_key(&self) -> &'static str {
        match self {
            Refusal::Unreachable(_) => "oidc-unreachable",
            Refusal::Denied(_) => "oidc-denied",
            Refusal::UnknownState => "oidc-state",
            Refusal::Signature | Refusal::Claims(_) | Refusal::Nonce => "oidc-invalid-token",
            Refusal::Expired => "oidc-expired",
        }
    }
}

/// What the ID token (and the userinfo answer) say of the person.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Person {
    pub sub: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub email_verified: Option<bool>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub given_name: Option<String>,
    #[serde(default)]
    pub family_name: Option<String>,
    /// ProConnect's family name
    #[serde(default)]
    pub usual_name: Option<String>,
    /// ProConnect: the SIRET of the person's organisation
    #[serde(default)]
    pub siret: Option<String>,
    #[serde(default)]
    pub organizational_unit: Option<String>,
    #[serde(default)]
    pub nonce: Option<String>,
    /// The authentication level the provider vouches for
    #[serde(default)]
    pub acr: Option<String>,
}

/// Whether the level the provider vouches for is one of those asked (space-separated, as
/// `acr_values` goes); nothing asked, anything will do.
pub fn acr_met(asked: Option<&str>, got: Option<&str>) -> bool {
    match asked {
        None => true,
        Some(asked) => got.is_some_and(|got| asked.split_whitespace().any(|a| a == got)),
    }
}

impl Person {
    /// The person's name as the provider gives it.
    pub fn display_name(&self) -> String {
        if let Some(name) = self.name.as_deref().filter(|n| !n.trim().is_empty()) {
            return name.trim().to_owned();
        }
        let family = self.usual_name.as_deref().or(self.family_name.as_deref());
        let parts: Vec<&str> = [self.given_name.as_deref(), family]
            .into_iter()
            .flatten()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        if parts.is_empty() {
            self.email.clone().unwrap_or_else(|| self.sub.clone())
        } else {
            parts.join(" ")
        }
    }

    /// The e-mail address, only when the provider says it checked it (a provider that does not
    /// say, such as ProConnect whose addresses are professional ones it verified, is trusted
    /// only if configured so; see `email_trusted`).
    pub fn verified_email(&self, trusted_without_claim: bool) -> Option<String> {
        let email = self.email.as_deref()?.trim().to_lowercase();
        let verified = self.email_verified.unwrap_or(trusted_without_claim);
        (verified && email.contains('@')).then_some(email)
    }

    /// The SIREN of the person's organisation: the SIRET's first nine digits.
    pub fn siren(&self) -> Option<String> {
        let siret = self.siret.as_deref()?.trim();
        (siret.len() == 14 && siret.chars().all(|c| c.is_ascii_digit()))
            .then(|| siret[..9].to_owned())
    }
}

/// A sign-in started: kept in the session until the provider sends the browser back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Start {
    pub provider: String,
    pub state: String,
    pub nonce: String,
    pub verifier: String,
    pub next: String,
}

impl Start {
    pub fn new(provider: &str, next: &str) -> Self {
        Self {
            provider: provider.to_owned(),
            state: super::random_token(24),
            nonce: super::random_token(24),
            verifier: super::random_token(48),
            next: next.to_owned(),
        }
    }

    /// PKCE's S256 challenge of the verifier.
    pub fn challenge(&self) -> String {
        use base64::Engine;
        use sha2::Digest;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(sha2::Sha256::digest(self.verifier.as_bytes()))
    }
}

/// What the token endpoint answers.
#[derive(Debug, Clone, Deserialize)]
pub struct Tokens {
    pub id_token: String,
    #[serde(default)]
    pub access_token: Option<String>,
}

/// Checks an ID token against the provider's keys and what this sign-in asked: signed by one
/// of the keys (RS256 or ES256 as the key says), issued by the issuer for this client, not
/// expired (a minute of clock difference allowed), carrying this sign-in's nonce.
pub fn verify_id_token(
    token: &str,
    keys: &JwkSet,
    issuer: &str,
    client_id: &str,
    nonce: &str,
) -> Result<Person, Refusal> {
    let header = jsonwebtoken::decode_header(token).map_err(|e| Refusal::Claims(e.to_string()))?;
    let jwk = match &header.kid {
        Some(kid) => keys.find(kid),
        None => keys.keys.first(),
    }
    .ok_or(Refusal::Signature)?;
    if !matches!(
        header.alg,
        Algorithm::RS256 | Algorithm::ES256 | Algorithm::PS256
    ) {
        return Err(Refusal::Claims(format!("algorithm {:?}", header.alg)));
    }
    let key = DecodingKey::from_jwk(jwk).map_err(|_| Refusal::Signature)?;
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[client_id]);
    validation.leeway = 60;
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub", "iat"]);
    let decoded = jsonwebtoken::decode::<Person>(token, &key, &validation).map_err(|error| {
        use jsonwebtoken::errors::ErrorKind;
        match error.kind() {
            ErrorKind::InvalidSignature => Refusal::Signature,
            ErrorKind::ExpiredSignature => Refusal::Expired,
            other => Refusal::Claims(format!("{other:?}")),
        }
    })?;
    let person = decoded.claims;
    let same = person
        .nonce
        .as_deref()
        .is_some_and(|n| super::constant_time_eq(n.as_bytes(), nonce.as_bytes()));
    if !same {
        return Err(Refusal::Nonce);
    }
    Ok(person)
}

/// A configured provider, with its addresses and keys once read.
pub struct Provider {
    pub config: ProviderConfig,
    known: Mutex<Option<(Discovery, JwkSet, Instant)>>,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .http_status_as_error(false)
        .build()
        .into()
}

fn unreachable(error: impl std::fmt::Display) -> Refusal {
    Refusal::Unreachable(error.to_string())
}

impl Provider {
    pub fn new(config: ProviderConfig) -> Self {
        Self {
            config,
            known: Mutex::new(None),
        }
    }

    /// The provider's addresses and keys, read again when older than an hour or when
    /// `fresh` asks (a token signed by a key not known yet).
    pub fn known(&self, fresh: bool) -> Result<(Discovery, JwkSet), Refusal> {
        if !fresh
            && let Some((discovery, keys, at)) = self.known.lock().map_err(unreachable)?.as_ref()
            && at.elapsed() < KEPT_FOR
        {
            return Ok((discovery.clone(), keys.clone()));
        }
        let agent = agent();
        let address = format!(
            "{}/.well-known/openid-configuration",
            self.config.issuer.trim_end_matches('/')
        );
        let discovery: Discovery = agent
            .get(&address)
            .call()
            .map_err(unreachable)?
            .body_mut()
            .read_json()
            .map_err(unreachable)?;
        if discovery.issuer.trim_end_matches('/') != self.config.issuer.trim_end_matches('/') {
            return Err(Refusal::Claims(format!("issuer {}", discovery.issuer)));
        }
        let keys: JwkSet = agent
            .get(&discovery.jwks_uri)
            .call()
            .map_err(unreachable)?
            .body_mut()
            .read_json()
            .map_err(unreachable)?;
        *self.known.lock().map_err(unreachable)? =
            Some((discovery.clone(), keys.clone(), Instant::now()));
        Ok((discovery, keys))
    }

    /// Where the browser is sent to sign in.
    pub fn authorization_url(
        &self,
        discovery: &Discovery,
        start: &Start,
        redirect_uri: &str,
    ) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.config.client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("scope", &self.config.scopes)
            .append_pair("state", &start.state)
            .append_pair("nonce", &start.nonce)
            .append_pair("code_challenge", &start.challenge())
            .append_pair("code_challenge_method", "S256");
        if let Some(acr) = &self.config.acr {
            query.append_pair("acr_values", acr);
        }
        let separator = if discovery.authorization_endpoint.contains('?') {
            '&'
        } else {
            '?'
        };
        format!(
            "{}{separator}{}",
            discovery.authorization_endpoint,
            query.finish()
        )
    }

    /// Exchanges the code for tokens (the client authenticated by its secret, HTTP Basic),
    /// then checks the ID token; the userinfo answer adds what the token leaves out.
    pub fn finish(
        &self,
        start: &Start,
        code: &str,
        redirect_uri: &str,
    ) -> Result<(Person, String), Refusal> {
        let (discovery, keys) = self.known(false)?;
        let basic = {
            use base64::Engine;
            let pair = format!(
                "{}:{}",
                form_urlencoded::byte_serialize(self.config.client_id.as_bytes())
                    .collect::<String>(),
                form_urlencoded::byte_serialize(self.config.client_secret.as_bytes())
                    .collect::<String>()
            );
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(pair)
            )
        };
        let mut response = agent()
            .post(&discovery.token_endpoint)
            .header("Authorization", &basic)
            .send_form([
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", redirect_uri),
                ("code_verifier", start.verifier.as_str()),
            ])
            .map_err(unreachable)?;
        if !response.status().is_success() {
            let body = response.body_mut().read_to_string().unwrap_or_default();
            return Err(Refusal::Denied(body));
        }
        let tokens: Tokens = response.body_mut().read_json().map_err(unreachable)?;
        let checked = verify_id_token(
            &tokens.id_token,
            &keys,
            &discovery.issuer,
            &self.config.client_id,
            &start.nonce,
        );
        let mut person = match checked {
            // A key rotated since the keys were read: read them again, once.
            Err(Refusal::Signature) => {
                let (_, keys) = self.known(true)?;
                verify_id_token(
                    &tokens.id_token,
                    &keys,
                    &discovery.issuer,
                    &self.config.client_id,
                    &start.nonce,
                )?
            }
            other => other?,
        };
        // ProConnect's level (eidas1…) is checked, not only asked: a provider that signed the
        // person in at a lower level is refused.
        if !acr_met(self.config.acr.as_deref(), person.acr.as_deref()) {
            return Err(Refusal::Claims(format!("acr {:?}", person.acr)));
        }
        if let (Some(address), Some(access)) = (&discovery.userinfo_endpoint, &tokens.access_token)
        {
            self.complete(&mut person, address, access, &keys, &discovery.issuer)?;
        }
        Ok((person, tokens.id_token))
    }

    /// Adds the userinfo answer's claims (JSON, or a signed JWT as ProConnect sends) to what
    /// the ID token said, for the same subject only.
    fn complete(
        &self,
        person: &mut Person,
        address: &str,
        access: &str,
        keys: &JwkSet,
        issuer: &str,
    ) -> Result<(), Refusal> {
        let mut response = agent()
            .get(address)
            .header("Authorization", &format!("Bearer {access}"))
            .call()
            .map_err(unreachable)?;
        if !response.status().is_success() {
            return Ok(());
        }
        let body = response.body_mut().read_to_string().map_err(unreachable)?;
        let info: Person = if body.trim_start().starts_with('{') {
            serde_json::from_str(&body).map_err(unreachable)?
        } else {
            let header = jsonwebtoken::decode_header(body.trim())
                .map_err(|e| Refusal::Claims(e.to_string()))?;
            let jwk = header
                .kid
                .as_deref()
                .and_then(|kid| keys.find(kid))
                .ok_or(Refusal::Signature)?;
            let key = DecodingKey::from_jwk(jwk).map_err(|_| Refusal::Signature)?;
            let mut validation = Validation::new(header.alg);
            validation.set_issuer(&[issuer]);
            validation.set_audience(&[&self.config.client_id]);
            validation.set_required_spec_claims(&["sub"]);
            validation.validate_exp = false;
            jsonwebtoken::decode::<Person>(body.trim(), &key, &validation)
                .map_err(|_| Refusal::Signature)?
                .claims
        };
        if info.sub != person.sub {
            return Err(Refusal::Claims("userinfo subject".into()));
        }
        let nonce = person.nonce.take();
        let merged = Person {
            sub: info.sub.clone(),
            email: info.email.or(person.email.take()),
            email_verified: info.email_verified.or(person.email_verified),
            name: info.name.or(person.name.take()),
            given_name: info.given_name.or(person.given_name.take()),
            family_name: info.family_name.or(person.family_name.take()),
            usual_name: info.usual_name.or(person.usual_name.take()),
            siret: info.siret.or(person.siret.take()),
            organizational_unit: info
                .organizational_unit
                .or(person.organizational_unit.take()),
            nonce,
            acr: person.acr.take(),
        };
        *person = merged;
        Ok(())
    }

    /// Where the browser is sent to end its session with the provider too, if it has one.
    pub fn logout_url(&self, id_token: &str, back_to: &str) -> Option<String> {
        let (discovery, _) = self.known(false).ok()?;
        let end = discovery.end_session_endpoint?;
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("id_token_hint", id_token)
            .append_pair("post_logout_redirect_uri", back_to)
            .append_pair("state", &super::random_token(16))
            .finish();
        let separator = if end.contains('?') { '&' } else { '?' };
        Some(format!("{end}{separator}{query}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use ring::rand::SystemRandom;
    use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};

    const ISSUER: &str = "https://identite.exemple.gouv.fr";
    const CLIENT: &str = "qualitrack";

    /// An ES256 key: its PKCS#8 form to sign, its public JWK to publish.
    fn key(kid: &str) -> (Vec<u8>, serde_json::Value) {
        let pkcs8 =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
                .unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            pkcs8.as_ref(),
            &SystemRandom::new(),
        )
        .unwrap();
        let point = pair.public_key().as_ref();
        let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
        let jwk = serde_json::json!({
            "kty": "EC", "crv": "P-256", "kid": kid, "alg": "ES256", "use": "sig",
            "x": b64(&point[1..33]), "y": b64(&point[33..65]),
        });
        (pkcs8.as_ref().to_vec(), jwk)
    }

    fn sign(pkcs8: &[u8], kid: &str, claims: &serde_json::Value) -> String {
        let mut header = jsonwebtoken::Header::new(Algorithm::ES256);
        header.kid = Some(kid.to_owned());
        jsonwebtoken::encode(
            &header,
            claims,
            &jsonwebtoken::EncodingKey::from_ec_der(pkcs8),
        )
        .unwrap()
    }

    fn claims(nonce: &str, exp_offset: i64) -> serde_json::Value {
        let now = chrono::Utc::now().timestamp();
        serde_json::json!({
            "iss": ISSUER, "aud": CLIENT, "sub": "agent-42", "iat": now, "exp": now + exp_offset,
            "nonce": nonce, "email": "Marie.Durand@Habitat.fr", "email_verified": true,
            "given_name": "Marie", "usual_name": "Durand", "siret": "73282932000074",
        })
    }

    fn published(jwk: &serde_json::Value) -> JwkSet {
        serde_json::from_value(serde_json::json!({ "keys": [jwk] })).unwrap()
    }

    #[test]
    fn a_token_signed_by_a_published_key_for_this_sign_in_is_accepted() {
        let (private, public) = key("k1");
        let token = sign(&private, "k1", &claims("n-1", 300));
        let person = verify_id_token(&token, &published(&public), ISSUER, CLIENT, "n-1").unwrap();
        assert_eq!(person.sub, "agent-42");
        assert_eq!(
            person.verified_email(false).as_deref(),
            Some("marie.durand@habitat.fr")
        );
        assert_eq!(person.display_name(), "Marie Durand");
        assert_eq!(person.siren().as_deref(), Some("732829320"));
    }

    #[test]
    fn a_bad_signature_a_wrong_nonce_an_expired_token_or_another_audience_is_refused() {
        let (private, public) = key("k1");
        let (other, _) = key("k2");
        let keys = published(&public);
        let forged = sign(&other, "k1", &claims("n-1", 300));
        assert!(matches!(
            verify_id_token(&forged, &keys, ISSUER, CLIENT, "n-1"),
            Err(Refusal::Signature)
        ));
        let unknown_key = sign(&other, "k2", &claims("n-1", 300));
        assert!(matches!(
            verify_id_token(&unknown_key, &keys, ISSUER, CLIENT, "n-1"),
            Err(Refusal::Signature)
        ));
        let token = sign(&private, "k1", &claims("n-1", 300));
        assert!(matches!(
            verify_id_token(&token, &keys, ISSUER, CLIENT, "n-2"),
            Err(Refusal::Nonce)
        ));
        let expired = sign(&private, "k1", &claims("n-1", -120));
        assert!(matches!(
            verify_id_token(&expired, &keys, ISSUER, CLIENT, "n-1"),
            Err(Refusal::Expired)
        ));
        assert!(matches!(
            verify_id_token(&token, &keys, ISSUER, "another-client", "n-1"),
            Err(Refusal::Claims(_))
        ));
        assert!(matches!(
            verify_id_token(&token, &keys, "https://autre.exemple", CLIENT, "n-1"),
            Err(Refusal::Claims(_))
        ));
        let mut tampered: Vec<&str> = token.split('.').collect();
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(
            serde_json::to_vec(&claims("n-1", 300).as_object().map(|o| {
                let mut o = o.clone();
                o.insert("sub".into(), "someone-else".into());
                o
            }))
            .unwrap(),
        );
        tampered[1] = &payload;
        assert!(matches!(
            verify_id_token(&tampered.join("."), &keys, ISSUER, CLIENT, "n-1"),
            Err(Refusal::Signature)
        ));
    }

    #[test]
    fn the_level_asked_is_the_level_required() {
        assert!(acr_met(None, None));
        assert!(acr_met(Some("eidas1"), Some("eidas1")));
        assert!(acr_met(Some("eidas2 eidas3"), Some("eidas3")));
        assert!(!acr_met(Some("eidas2"), Some("eidas1")));
        assert!(
            !acr_met(Some("eidas1"), None),
            "a level asked and not vouched for"
        );
    }

    #[test]
    fn an_unchecked_address_is_not_trusted_and_pkce_is_s256() {
        let person = Person {
            sub: "x".into(),
            email: Some("a@b.fr".into()),
            email_verified: Some(false),
            ..Person::default()
        };
        assert_eq!(person.verified_email(true), None);
        let unsaid = Person {
            email_verified: None,
            ..person.clone()
        };
        assert_eq!(unsaid.verified_email(false), None);
        assert_eq!(unsaid.verified_email(true).as_deref(), Some("a@b.fr"));
        // RFC 7636, appendix B.
        let start = Start {
            verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into(),
            ..Start::new("p", "/")
        };
        assert_eq!(
            start.challenge(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
