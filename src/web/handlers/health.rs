//! Liveness and readiness for load balancers and operators.

use crate::startup::AppState;
use actix_web::{HttpResponse, web};

pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let backend = state.db.backend().name();
    let reachable = state.db.read(crate::db::ping).await;
    let body = |status: &str| {
        serde_json::json!({
            "status": status,
            "version": env!("CARGO_PKG_VERSION"),
            "database": backend,
        })
    };
    match reachable {
        Ok(()) => HttpResponse::Ok().json(body("ok")),
        Err(_) => HttpResponse::ServiceUnavailable().json(body("unavailable")),
    }
}
