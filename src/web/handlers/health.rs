//! Liveness and readiness for load balancers and operators.

use actix_web::{HttpResponse, web};
use diesel::connection::SimpleConnection;

use crate::startup::AppState;

pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let backend = state.db.backend().name();
    let reachable = state
        .db
        .read(|conn| conn.batch_execute("SELECT 1").map_err(Into::into))
        .await;
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
