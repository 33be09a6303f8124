//! The organisme's published view (`/organismes/{id}/vue-publique`): where observers (tenant
//! representatives, board members) land, and what anyone who sees the organisme may show them.

use actix_web::{HttpResponse, web};

use crate::db::parse_id;
use crate::domain::indicators::Status;
use crate::error::AppError;
use crate::services::published;
use crate::web::page::Ctx;

pub async fn show(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let today = chrono::Utc::now().date_naive();
    let (user, view) = ctx
        .user_run(move |conn, user| published::view(conn, user, &id, today))
        .await?;
    let mut page = ctx.page(Some(&user), "organisations");
    let count = |status: Status| {
        view.indicators
            .iter()
            .filter(|s| s.status == status)
            .count()
    };
    page.insert("met", &count(Status::Met));
    page.insert("not_met", &count(Status::NotMet));
    page.insert(
        "late",
        &view
            .under_way
            .iter()
            .filter(|a| a.days_late.is_some())
            .count(),
    );
    page.insert("view", &view);
    ctx.render("organisations/published.html", &page)
}
