//! The one error type handlers return.
//!
//! Policy: user mistakes are `Validation` (422, per field) and never logged as failures;
//! `NotFound` also covers "exists but not yours", so ids of other organismes reveal nothing;
//! `Unexpected` is logged with its cause and shown to people without any internal detail.
//! The response built here is JSON; the `error_pages` middleware turns it into a themed
//! HTML page (or a redirect to the login page) for requests outside `/api`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

use crate::domain::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("authentication required")]
    Unauthenticated,
    #[error("the password must be changed first")]
    PasswordChangeRequired,
    #[error("a second factor must be set up first")]
    SecondFactorRequired,
    #[error("forbidden")]
    Forbidden,
    #[error("invalid or missing CSRF token")]
    Csrf,
    #[error("invalid input")]
    Validation(FieldErrors),
    #[error("malformed request: {0}")]
    BadRequest(String),
    /// A request whose body could be read but not as the fields it should have (a text where
    /// a number goes): malformed, with the fields named.
    #[error("malformed fields")]
    Malformed(FieldErrors),
    #[error("invalid framework files ({} errors)", .0.len())]
    FrameworkFiles(Vec<crate::domain::framework::FrameworkError>),
    #[error("conflict: the record changed meanwhile")]
    Conflict,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("too many attempts")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error("unexpected: {0}")]
    Unexpected(String),
}

/// A rule of `domain::policy` that must hold, or 403.
pub fn ensure(allowed: bool) -> Result<(), AppError> {
    if allowed {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// What the error-page middleware needs to render a response in the reader's language.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub status: StatusCode,
    /// Catalogue key of the message shown to people.
    pub message_key: &'static str,
    pub fields: Option<FieldErrors>,
    /// Located errors of refused framework files.
    pub framework_errors: Vec<crate::domain::framework::FrameworkError>,
    pub retry_after_secs: Option<u64>,
}

impl AppError {
    pub fn info(&self) -> ErrorInfo {
        let (status, message_key) = match self {
            AppError::NotFound => (StatusCode::NOT_FOUND, "error-not-found"),
            AppError::Unauthenticated => (StatusCode::UNAUTHORIZED, "error-unauthenticated"),
            AppError::PasswordChangeRequired => {
                (StatusCode::FORBIDDEN, "error-password-change-required")
            }
            AppError::SecondFactorRequired => {
                (StatusCode::FORBIDDEN, "error-second-factor-required")
            }
            AppError::Forbidden => (StatusCode::FORBIDDEN, "error-forbidden"),
            AppError::Csrf => (StatusCode::FORBIDDEN, "error-csrf"),
            // A file over the upload limit is too large, whichever page or API received it.
            AppError::Validation(fields)
                if fields.0.values().any(|e| e.key == "err-file-too-big") =>
            {
                (StatusCode::PAYLOAD_TOO_LARGE, "error-validation")
            }
            AppError::Validation(_) => (StatusCode::UNPROCESSABLE_ENTITY, "error-validation"),
            AppError::BadRequest(_) | AppError::Malformed(_) => {
                (StatusCode::BAD_REQUEST, "error-bad-request")
            }
            AppError::FrameworkFiles(_) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "error-framework-files")
            }
            AppError::Conflict => (StatusCode::CONFLICT, "error-conflict"),
            AppError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "error-method"),
            AppError::TooManyAttempts { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, "error-too-many-attempts")
            }
            AppError::Unexpected(_) => (StatusCode::INTERNAL_SERVER_ERROR, "error-unexpected"),
        };
        ErrorInfo {
            status,
            message_key,
            fields: match self {
                AppError::Validation(fields) | AppError::Malformed(fields) => Some(fields.clone()),
                _ => None,
            },
            framework_errors: match self {
                AppError::FrameworkFiles(errors) => errors.clone(),
                _ => Vec::new(),
            },
            retry_after_secs: match self {
                AppError::TooManyAttempts { retry_after_secs } => Some(*retry_after_secs),
                _ => None,
            },
        }
    }

    pub fn unexpected(cause: impl std::fmt::Display) -> Self {
        AppError::Unexpected(cause.to_string())
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.info().status
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::Unexpected(cause) = self {
            log::error!("unexpected error: {cause}");
        }
        let info = self.info();
        let body = crate::i18n::error_json(&info, crate::i18n::DEFAULT_LANG);
        let mut response = HttpResponse::build(info.status);
        if let Some(secs) = info.retry_after_secs {
            response.insert_header(("Retry-After", secs.to_string()));
        }
        // RFC 6750: a refusal for want of credentials names the scheme that would do.
        if matches!(self, AppError::Unauthenticated) {
            response.insert_header(("WWW-Authenticate", "Bearer realm=\"qualitrack\""));
        }
        let mut response = response.json(body);
        response.extensions_mut().insert(info);
        response
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(error: diesel::result::Error) -> Self {
        match error {
            diesel::result::Error::NotFound => AppError::NotFound,
            other => AppError::unexpected(format!("database: {other}")),
        }
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(error: diesel::r2d2::PoolError) -> Self {
        AppError::unexpected(format!("database pool: {error}"))
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        AppError::unexpected(format!("blocking task: {error}"))
    }
}

impl From<FieldErrors> for AppError {
    fn from(errors: FieldErrors) -> Self {
        AppError::Validation(errors)
    }
}

impl From<tera::Error> for AppError {
    fn from(error: tera::Error) -> Self {
        // tera nests the real cause (missing variable, bad filter) in its source chain.
        let mut message = error.to_string();
        let mut source = std::error::Error::source(&error);
        while let Some(cause) = source {
            message.push_str(": ");
            message.push_str(&cause.to_string());
            source = cause.source();
        }
        AppError::unexpected(format!("template: {message}"))
    }
}
