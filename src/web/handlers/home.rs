//! The home page: what the signed-in user can reach, with the figures of their scope.

use actix_web::HttpResponse;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{organisations, sites};
use crate::error::AppError;
use crate::models::organisation;
use crate::web::page::Ctx;

#[derive(Serialize)]
struct Figures {
    organisations: i64,
    sites: i64,
    homes: i64,
}

pub async fn index(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let (user, figures) = ctx
        .user_run(|conn, user| {
            let visible: Vec<String> = organisation::scoped(&user.scope())
                .select(organisations::id)
                .load(conn)?;
            let organisations: i64 = organisation::scoped(&user.scope())
                .count()
                .get_result(conn)?;
            let homes: Option<i64> = organisation::scoped(&user.scope())
                .select(diesel::dsl::sum(organisations::homes))
                .first(conn)?;
            let sites: i64 = sites::table
                .filter(sites::organisation_id.eq_any(&visible))
                .count()
                .get_result(conn)?;
            Ok(Figures {
                organisations,
                sites,
                homes: homes.unwrap_or(0),
            })
        })
        .await?;
    let mut page = ctx.page(Some(&user), "home");
    page.insert("figures", &figures);
    ctx.render("home.html", &page)
}
