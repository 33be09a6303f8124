//! The accessibility statement (déclaration d'accessibilité), public, as French law asks of
//! every public-facing service: its conformity, what was checked, what is known not to be
//! accessible, whom to tell and how to appeal.

use actix_web::HttpResponse;

use crate::error::AppError;
use crate::web::page::Ctx;

pub async fn statement(ctx: Ctx) -> Result<HttpResponse, AppError> {
    // Signed in, the page keeps the user's navigation; anyone else reads it too.
    let user = if ctx.auth().is_ok() {
        ctx.user_run(|_, _| Ok(()))
            .await
            .ok()
            .map(|(user, ())| user)
    } else {
        None
    };
    let mut page = ctx.page(user.as_ref(), "accessibility");
    let contact = ctx.state.accessibility_contact.as_deref().unwrap_or("");
    page.insert("contact", contact);
    page.insert("contact_is_mail", &contact.contains('@'));
    ctx.render("accessibility.html", &page)
}
