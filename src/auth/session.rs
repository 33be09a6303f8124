//! What the session cookie holds, read and written in one place: the user id, a fingerprint
//! of their password hash (a password change ends every other session), the last activity
//! (idle timeout), the CSRF token, the chosen language and pending flash messages.

use actix_session::Session;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::Lang;

const USER_ID: &str = "uid";
/// The session's row in `user_sessions`: closed there, the session ends at its next request.
const SESSION_ID: &str = "sid";

/// The session cookie's name; over HTTPS with the `__Host-` prefix, so that the browser
/// accepts it only when Secure, for the whole site (Path=/) and from this host (no Domain).
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-qualitrack_session"
    } else {
        "qualitrack_session"
    }
}
const PASSWORD_FINGERPRINT: &str = "pwf";
const LAST_SEEN: &str = "seen";
const CSRF: &str = "csrf";
const LANG: &str = "lang";
const FLASH: &str = "flash";
/// The account must enrol a second factor before anything else.
const MUST_ENROL: &str = "enrol";
/// The password was right; the second factor's code is awaited.
const PENDING: &str = "pending2";
/// A secret being enrolled, until its first code confirms it.
const ENROLLING: &str = "totp_new";
/// A sign-in started with an OpenID Connect provider (state, nonce, PKCE verifier).
const OIDC_START: &str = "oidc";
/// The provider this session came from, and its ID token (to end both sessions at once).
const SSO: &str = "sso";
/// How long a right password waits for its code.
const PENDING_SECS: i64 = 300;

/// Activity is written back at most this often, so most responses carry no new cookie.
const SEEN_RESOLUTION_SECS: i64 = 60;

/// Proof of a live session; the user behind it is loaded from the database by `Db::with_user`.
#[derive(Debug, Clone)]
pub struct SessionAuth {
    pub user_id: String,
    /// Its row among the account's open sessions
    pub session_id: String,
    pub password_fingerprint: String,
    /// Nothing but the second factor's enrolment until it is done
    pub must_enrol: bool,
}

impl SessionAuth {
    /// Reads the session, ending it when it has been idle too long.
    pub fn from_session(session: &Session, idle_secs: i64) -> Result<Self, AppError> {
        let user_id = get::<String>(session, USER_ID).ok_or(AppError::Unauthenticated)?;
        let session_id = get::<String>(session, SESSION_ID).ok_or(AppError::Unauthenticated)?;
        let fingerprint =
            get::<String>(session, PASSWORD_FINGERPRINT).ok_or(AppError::Unauthenticated)?;
        let now = chrono::Utc::now().timestamp();
        let seen = get::<i64>(session, LAST_SEEN).unwrap_or(0);
        if now - seen > idle_secs {
            end(session);
            flash(session, FlashKind::Info, "flash-session-expired");
            return Err(AppError::Unauthenticated);
        }
        if now - seen >= SEEN_RESOLUTION_SECS {
            set(session, LAST_SEEN, now);
        }
        Ok(Self {
            user_id,
            session_id,
            password_fingerprint: fingerprint,
            must_enrol: get::<bool>(session, MUST_ENROL).unwrap_or(false),
        })
    }
}

/// Whether the session names a user (checked or not: for what caches may keep, not access).
pub fn signed_in(session: &Session) -> bool {
    get::<String>(session, USER_ID).is_some()
}

/// A fingerprint of the stored hash: it changes whenever the password does.
pub fn password_fingerprint(password_hash: &str) -> String {
    super::sha256_hex(password_hash.as_bytes())[..24].to_owned()
}

/// Starts a fresh session for `user_id` (a new cookie: no fixation), keeping the language;
/// `session_id` is its row, opened by `models::user_session::open`.
pub fn begin(session: &Session, user_id: &str, password_hash: &str, session_id: &str) {
    let lang = get::<String>(session, LANG);
    // `clear` + `renew` (not `purge`, after which nothing more would be stored).
    session.clear();
    session.renew();
    set(session, USER_ID, user_id);
    set(session, SESSION_ID, session_id);
    set(
        session,
        PASSWORD_FINGERPRINT,
        password_fingerprint(password_hash),
    );
    set(session, LAST_SEEN, chrono::Utc::now().timestamp());
    set(session, CSRF, super::random_token(32));
    if let Some(lang) = lang {
        set(session, LANG, lang);
    }
}

/// Sends every page of this session to the second factor's enrolment, or no longer.
pub fn set_must_enrol(session: &Session, must: bool) {
    if must {
        set(session, MUST_ENROL, true);
    } else {
        session.remove(MUST_ENROL);
    }
}

/// A sign-in whose password was right, waiting for its second factor.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pending {
    pub user_id: String,
    pub password_fingerprint: String,
    pub next: String,
    pub at: i64,
}

/// Remembers a right password while its code is awaited (nothing is signed in yet).
pub fn await_code(session: &Session, user_id: &str, password_hash: &str, next: &str) {
    end(session);
    set(
        session,
        PENDING,
        Pending {
            user_id: user_id.to_owned(),
            password_fingerprint: password_fingerprint(password_hash),
            next: next.to_owned(),
            at: chrono::Utc::now().timestamp(),
        },
    );
}

/// The sign-in waiting for its code, if it is recent enough.
pub fn pending(session: &Session) -> Option<Pending> {
    get::<Pending>(session, PENDING)
        .filter(|p| chrono::Utc::now().timestamp() - p.at <= PENDING_SECS)
}

/// The secret shown for enrolment, kept until its first code confirms it (base32).
pub fn enrolling(session: &Session) -> Option<String> {
    get(session, ENROLLING)
}

pub fn set_enrolling(session: &Session, secret: Option<&str>) {
    match secret {
        Some(secret) => set(session, ENROLLING, secret),
        None => {
            session.remove(ENROLLING);
        }
    }
}

/// Keeps a sign-in started with a provider until it sends the browser back.
pub fn start_oidc(session: &Session, start: &crate::auth::oidc::Start) {
    set(session, OIDC_START, start);
}

/// The sign-in started with a provider, taken out: its state answers once.
pub fn take_oidc(session: &Session) -> Option<crate::auth::oidc::Start> {
    let start = get(session, OIDC_START);
    session.remove(OIDC_START);
    start
}

/// Remembers the provider this session was opened through, with its ID token.
pub fn set_sso(session: &Session, provider: &str, id_token: &str) {
    set(session, SSO, (provider, id_token));
}

pub fn sso(session: &Session) -> Option<(String, String)> {
    get(session, SSO)
}

/// After the user changed their own password: keep this session alive under the new hash.
pub fn refresh_fingerprint(session: &Session, password_hash: &str) {
    session.renew();
    set(
        session,
        PASSWORD_FINGERPRINT,
        password_fingerprint(password_hash),
    );
}

/// Ends the signed-in part of a session; the language stays, and a flash can still follow.
pub fn end(session: &Session) {
    let lang = get::<String>(session, LANG);
    session.clear();
    session.renew();
    if let Some(lang) = lang {
        set(session, LANG, lang);
    }
}

/// The CSRF token of this session, created on first use (anonymous sessions too: login form).
pub fn csrf_token(session: &Session) -> String {
    if let Some(token) = get::<String>(session, CSRF) {
        return token;
    }
    let token = super::random_token(32);
    set(session, CSRF, &token);
    token
}

/// The stored token, without creating one.
pub fn stored_csrf_token(session: &Session) -> Option<String> {
    get(session, CSRF)
}

pub fn lang(session: &Session) -> Option<Lang> {
    get::<String>(session, LANG).and_then(|code| Lang::parse(&code))
}

pub fn set_lang(session: &Session, lang: Lang) {
    set(session, LANG, lang.code());
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FlashKind {
    Success,
    Info,
    Warning,
    Error,
}

/// A message shown once on the next page; `key` is a catalogue key, `args` its arguments.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flash {
    pub kind: FlashKind,
    pub key: String,
    #[serde(default)]
    pub args: Vec<(String, String)>,
}

pub fn flash(session: &Session, kind: FlashKind, key: &str) {
    flash_with(session, kind, key, Vec::new());
}

pub fn flash_with(session: &Session, kind: FlashKind, key: &str, args: Vec<(String, String)>) {
    let mut pending: Vec<Flash> = get(session, FLASH).unwrap_or_default();
    pending.push(Flash {
        kind,
        key: key.to_owned(),
        args,
    });
    set(session, FLASH, pending);
}

pub fn take_flashes(session: &Session) -> Vec<Flash> {
    let pending: Vec<Flash> = get(session, FLASH).unwrap_or_default();
    if !pending.is_empty() {
        session.remove(FLASH);
    }
    pending
}

fn get<T: serde::de::DeserializeOwned>(session: &Session, key: &str) -> Option<T> {
    session.get::<T>(key).ok().flatten()
}

fn set<T: Serialize>(session: &Session, key: &str, value: T) {
    // Serialising plain strings and numbers cannot fail; a failure would only lose the value.
    if let Err(error) = session.insert(key, value) {
        log::warn!("session value {key} not stored: {error}");
    }
}
