//! The administrator's settings screen: how this deployment is configured (read from its
//! `QUALITRACK_*` settings, secrets only said to be set), and a test e-mail to check the
//! SMTP settings before the reminders rely on them.

use actix_web::{HttpResponse, web};

use crate::auth::session::FlashKind;
use crate::domain::policy;
use crate::error::{AppError, ensure};
use crate::web::page::{Ctx, see_other};

pub async fn show_settings(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let (current, ()) = ctx
        .user_run(|_, current| ensure(policy::may_administer(current)))
        .await?;
    let mut page = ctx.page(Some(&current), "settings");
    page.insert("settings", &ctx.state.shown_settings);
    page.insert("smtp_ready", &ctx.state.smtp.host.is_some());
    ctx.render("admin/settings.html", &page)
}

/// Sends a test message to the administrator's own address and says what the server
/// answered.
pub async fn send_test_email(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let (current, ()) = ctx
        .user_run(|_, current| ensure(policy::may_administer(current)))
        .await?;
    let lang = ctx.lang(Some(&current));
    let smtp = ctx.state.smtp.clone();
    let (email, name) = (current.email.clone(), current.name.clone());
    let sent =
        web::block(move || crate::services::reminders::send_test(&smtp, &email, &name, lang))
            .await
            .map_err(AppError::unexpected)?;
    match sent {
        Ok(()) => ctx.flash_with(
            FlashKind::Success,
            "flash-test-email-sent",
            vec![("email".into(), current.email.clone())],
        ),
        Err(cause) => ctx.flash_with(
            FlashKind::Error,
            "flash-test-email-failed",
            vec![("cause".into(), cause)],
        ),
    }
    Ok(see_other("/admin/parametres"))
}
