//! Cross-cutting request rules: security headers, what caches may keep, the CSRF and Origin
//! checks on every state-changing request, and themed error pages for people (JSON stays JSON
//! for the API).

use actix_session::SessionExt;
use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::{DefaultHeaders, Next};
use actix_web::web::{Bytes, BytesMut};
use actix_web::{HttpMessage, HttpResponse, web};
use futures_util::StreamExt;
use tera::Context;

use crate::auth::{constant_time_eq, session as sess};
use crate::error::{AppError, ErrorInfo};
use crate::i18n::{self, Lang};
use crate::startup::AppState;

/// Largest form body read for its CSRF token, and accepted by form handlers (`form_config`):
/// room for every long text of a form at its field's limit, percent-encoded (5 000 accented
/// characters take 45 KB). Larger bodies are uploads, which carry the token in a header.
pub const FORM_LIMIT: usize = 256 * 1024;

/// The headers of every answer; `https` (secure cookies) adds HSTS, two years, which only a
/// deployment behind TLS may promise.
pub fn security_headers(https: bool) -> DefaultHeaders {
    let headers = if https {
        DefaultHeaders::new().add((
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=63072000; includeSubDomains",
        ))
    } else {
        DefaultHeaders::new()
    };
    headers
        .add((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
             base-uri 'none'; object-src 'none'",
        ))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::REFERRER_POLICY, "same-origin"))
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=(), payment=()",
        ))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
}

/// Answers about a signed-in person, and every API answer, are kept by no cache (a shared
/// computer's browser, a proxy): `no-store`, unless the page chose its own caching (static
/// assets, calendar feeds).
pub async fn no_store(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let is_api = req.path().starts_with("/api/");
    let mut response = next.call(req).await?;
    let signed_in = sess::signed_in(&response.request().get_session());
    let chosen = response.headers().contains_key(header::CACHE_CONTROL);
    if is_api || (signed_in && !chosen) {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
    }
    Ok(response)
}

fn is_state_changing(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Pages (not the bearer-token API) refuse a state-changing request from another origin or
/// without this session's CSRF token, given as the `csrf_token` form field, the
/// `X-CSRF-Token` header (htmx), or for file uploads the first field of the form.
pub async fn csrf_protection(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if !is_state_changing(req.method()) || req.path().starts_with("/api/") {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    if !origin_allowed(&req) {
        log::warn!("refused {} {}: foreign origin", req.method(), req.path());
        return Ok(refuse(req, &AppError::Csrf));
    }
    let expected = sess::stored_csrf_token(&req.get_session());
    let mut given = req
        .headers()
        .get("X-CSRF-Token")
        .and_then(|v| v.to_str().ok())
        .map(ToOwned::to_owned);
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("multipart/form-data"));
    // A file upload's body is streamed to its handler, which checks the token as the form's
    // first field before it reads any file (`files::check_token`).
    if given.is_none() && is_multipart && crate::web::files::is_upload_path(req.path()) {
        req.extensions_mut()
            .insert(crate::web::files::PendingCsrf(expected));
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    if given.is_none() && is_form {
        let body = match read_body(&mut req).await {
            Ok(body) => body,
            Err(status) => {
                return Ok(req
                    .into_response(HttpResponse::new(status))
                    .map_into_right_body());
            }
        };
        given = form_urlencoded::parse(&body)
            .find(|(k, _)| k == "csrf_token")
            .map(|(_, v)| v.into_owned());
        req.set_payload(bytes_payload(body));
    }
    match (expected, given) {
        (Some(expected), Some(given))
            if constant_time_eq(expected.as_bytes(), given.as_bytes()) =>
        {
            next.call(req)
                .await
                .map(ServiceResponse::map_into_left_body)
        }
        _ => {
            log::warn!(
                "refused {} {}: CSRF token missing or wrong",
                req.method(),
                req.path()
            );
            Ok(refuse(req, &AppError::Csrf))
        }
    }
}

fn refuse<B>(req: ServiceRequest, error: &AppError) -> ServiceResponse<EitherBody<B>> {
    let response = actix_web::ResponseError::error_response(error);
    req.into_response(response).map_into_right_body()
}

async fn read_body(req: &mut ServiceRequest) -> Result<Bytes, StatusCode> {
    let mut payload = req.take_payload();
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| StatusCode::BAD_REQUEST)?;
        if body.len() + chunk.len() > FORM_LIMIT {
            return Err(StatusCode::PAYLOAD_TOO_LARGE);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

fn bytes_payload(body: Bytes) -> actix_web::dev::Payload {
    actix_web::dev::Payload::from(body)
}

/// The `Origin` (or, failing that, `Referer`) must be this site when the browser sends one.
fn origin_allowed(req: &ServiceRequest) -> bool {
    let configured = req
        .app_data::<web::Data<AppState>>()
        .and_then(|s| s.public_origin.clone());
    let expected = configured.unwrap_or_else(|| {
        let info = req.connection_info();
        format!("{}://{}", info.scheme(), info.host())
    });
    let header_value = |name: header::HeaderName| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(ToOwned::to_owned)
    };
    if let Some(origin) = header_value(header::ORIGIN) {
        return origin == expected;
    }
    if let Some(referer) = header_value(header::REFERER) {
        return referer == expected || referer.starts_with(&format!("{expected}/"));
    }
    true
}

/// Replaces error responses of pages by a themed page in the reader's language, and sends
/// people who must sign in (or change their password) to the right page.
pub async fn error_pages(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let is_api = req.path().starts_with("/api/") || req.path() == "/healthz";
    let response = next.call(req).await?;
    let status = response.status();
    if is_api || !(status.is_client_error() || status.is_server_error()) {
        return Ok(response.map_into_left_body());
    }
    let explicit = response.response().extensions().get::<ErrorInfo>().cloned();
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"));
    // A page rendered by its handler (a form shown again with its errors) stays as it is.
    if explicit.is_none() && is_html {
        return Ok(response.map_into_left_body());
    }
    let info = explicit.unwrap_or_else(|| generic_info(status));
    let (req, _) = response.into_parts();
    let page = themed_response(&req, &info);
    Ok(ServiceResponse::new(req, page).map_into_right_body())
}

fn generic_info(status: StatusCode) -> ErrorInfo {
    let message_key = match status.as_u16() {
        404 | 405 => "error-not-found",
        403 => "error-forbidden",
        413 => "error-too-large",
        400..=499 => "error-bad-request",
        _ => "error-unexpected",
    };
    ErrorInfo {
        status,
        message_key,
        fields: None,
        framework_errors: Vec::new(),
        retry_after_secs: None,
    }
}

fn themed_response(req: &actix_web::HttpRequest, info: &ErrorInfo) -> HttpResponse<BoxBody> {
    let session = req.get_session();
    match info.message_key {
        "error-unauthenticated" => {
            let target = if req.method() == Method::GET {
                format!(
                    "/connexion?suivant={}",
                    form_urlencoded::byte_serialize(req.uri().to_string().as_bytes())
                        .collect::<String>()
                )
            } else {
                "/connexion".to_owned()
            };
            return crate::web::page::see_other(&target);
        }
        "error-password-change-required" => {
            return crate::web::page::see_other("/compte/mot-de-passe");
        }
        "error-second-factor-required" => {
            return crate::web::page::see_other("/compte/second-facteur");
        }
        _ => {}
    }
    let lang = sess::lang(&session).unwrap_or_else(|| {
        Lang::negotiate(
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
        )
    });
    let Some(state) = req.app_data::<web::Data<AppState>>() else {
        return HttpResponse::build(info.status).body(i18n::t(lang, info.message_key));
    };
    let mut context = Context::new();
    context.insert("lang", lang.code());
    context.insert("status", &info.status.as_u16());
    context.insert(
        "title_key",
        &format!("error-title-{}", title_code(info.status)),
    );
    context.insert("message", &i18n::t(lang, info.message_key));
    context.insert("csrf_token", &sess::csrf_token(&session));
    context.insert("flashes", &Vec::<()>::new());
    context.insert("path", req.path());
    context.insert("version", env!("CARGO_PKG_VERSION"));
    context.insert(
        "error_labels",
        &std::collections::BTreeMap::<String, String>::new(),
    );
    if let Some(fields) = &info.fields {
        context.insert("errors", &i18n::field_messages(lang, fields));
        context.insert("error_labels", &i18n::field_labels(lang, fields));
    }
    let located: Vec<String> = info
        .framework_errors
        .iter()
        .map(|e| i18n::framework_error(lang, e))
        .collect();
    context.insert("located_errors", &located);
    let mut builder = HttpResponse::build(info.status);
    if let Some(secs) = info.retry_after_secs {
        builder.insert_header((header::RETRY_AFTER, secs.to_string()));
    }
    match state.templates.render("error.html", &context) {
        Ok(body) => builder.content_type("text/html; charset=utf-8").body(body),
        Err(error) => {
            log::error!("error page failed: {error}");
            builder.body(i18n::t(lang, info.message_key))
        }
    }
}

fn title_code(status: StatusCode) -> u16 {
    match status.as_u16() {
        code @ (403 | 404 | 409 | 422 | 429) => code,
        400..=499 => 400,
        _ => 500,
    }
}
