//! A JSON request body read with the path of whatever does not fit: `"homes": "12"` is a
//! malformed request (400) naming `homes` and what was expected, not a bare "malformed".

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use serde::de::DeserializeOwned;

use crate::domain::{FieldErrors, Invalid};
use crate::error::AppError;

/// Largest JSON body accepted (a batch of indicator values fits many times over).
const LIMIT: usize = 1024 * 1024;

/// A request body deserialised from JSON.
pub struct Body<T>(pub T);

impl<T> Body<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

/// What went wrong, on the field where it did (`values[2].value`), in the reader's words.
fn refusal(error: &serde_path_to_error::Error<serde_json::Error>) -> AppError {
    let path = error.path().to_string();
    let inner = error.inner();
    if inner.is_syntax() || inner.is_eof() || path == "." {
        return AppError::BadRequest(inner.to_string());
    }
    let message = inner.to_string();
    let expected = message.split("expected ").nth(1).unwrap_or_default();
    let invalid = if message.starts_with("missing field") {
        Invalid::new("err-required")
    } else {
        Invalid::new(expected_key(expected))
    };
    let field = match message.strip_prefix("missing field `") {
        Some(rest) => {
            let name = rest.split('`').next().unwrap_or_default();
            if path.is_empty() || path == "." {
                name.to_owned()
            } else {
                format!("{path}.{name}")
            }
        }
        None => path,
    };
    AppError::Malformed(FieldErrors::single(&field, invalid))
}

/// What serde expected, as the reader would say it.
fn expected_key(expected: &str) -> &'static str {
    let integer = [
        "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "usize",
    ];
    if integer.iter().any(|t| expected.contains(t)) {
        "err-json-integer"
    } else if expected.contains("f64") || expected.contains("f32") {
        "err-json-number"
    } else if expected.contains("string") {
        "err-json-text"
    } else if expected.contains("sequence") {
        "err-json-list"
    } else if expected.contains("bool") {
        "err-json-boolean"
    } else {
        "err-json-type"
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Body<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let anonymous = !req
            .headers()
            .contains_key(actix_web::http::header::AUTHORIZATION);
        let json = req
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("application/json")
            });
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            // Credentials first: a client learns it must sign in before anything else.
            if anonymous {
                return Err(AppError::Unauthenticated.into());
            }
            let bytes = bytes
                .await
                .map_err(|e| AppError::BadRequest(e.to_string()))?;
            if !json {
                return Err(AppError::BadRequest("expected application/json".into()).into());
            }
            if bytes.len() > LIMIT {
                return Err(AppError::BadRequest("body too large".into()).into());
            }
            let mut reader = serde_json::Deserializer::from_slice(&bytes);
            serde_path_to_error::deserialize(&mut reader)
                .map(Body)
                .map_err(|e| refusal(&e).into())
        })
    }
}

/// A whole number as JSON Schema counts one: `12` and `12.0` alike (a client may send either).
#[expect(
    clippy::cast_possible_truncation,
    reason = "only a whole value under 9e15 is cast, which i64 holds exactly"
)]
fn whole_number<E: serde::de::Error>(number: &serde_json::Number) -> Result<i64, E> {
    number
        .as_i64()
        .or_else(|| {
            number
                .as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        })
        .ok_or_else(|| E::custom("expected i64"))
}

/// `deserialize_with` for an optional whole number of a body (`version`, `homes`).
pub fn whole<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: TryFrom<i64>,
{
    use serde::Deserialize;
    match Option::<serde_json::Value>::deserialize(deserializer)? {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::Number(number)) => T::try_from(whole_number::<D::Error>(&number)?)
            .map(Some)
            .map_err(|_| serde::de::Error::custom("expected i32 within range")),
        // A text, a list…: the same words as any other whole number refused.
        Some(_) => Err(serde::de::Error::custom("expected i64")),
    }
}

/// `deserialize_with` for a whole number a body always carries.
pub fn whole_required<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: TryFrom<i64>,
{
    whole(deserializer)?.ok_or_else(|| serde::de::Error::custom("expected i32"))
}
