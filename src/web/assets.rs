//! Static files (stylesheet, scripts, images) compiled into the binary: no CDN, no disk.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "static/"]
struct StaticFiles;

pub async fn serve(req: HttpRequest) -> HttpResponse {
    let path = req.match_info().query("path");
    let Some(file) = StaticFiles::get(path) else {
        return HttpResponse::NotFound().finish();
    };
    let etag = format!(
        "\"{}\"",
        crate::auth::sha256_hex(&file.metadata.sha256_hash())[..16].to_owned()
    );
    if req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == etag)
    {
        return HttpResponse::NotModified().finish();
    }
    HttpResponse::Ok()
        .content_type(content_type(path))
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(file.data.into_owned())
}

/// The service worker that keeps an audit prepared for offline work, served from the root
/// so that it may answer for the workspace's pages; always checked again (a new version must
/// reach devices at once).
pub async fn service_worker() -> HttpResponse {
    let Some(file) = StaticFiles::get("js/sw.js") else {
        return HttpResponse::NotFound().finish();
    };
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(file.data.into_owned())
}

/// The web app manifest: the workspace can be added to a phone's home screen.
pub async fn manifest() -> HttpResponse {
    let Some(file) = StaticFiles::get("manifest.webmanifest") else {
        return HttpResponse::NotFound().finish();
    };
    HttpResponse::Ok()
        .content_type("application/manifest+json")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(file.data.into_owned())
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}
