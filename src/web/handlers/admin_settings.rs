//! The administrator's settings screen: how this deployment is configured (read from its
//! `QUALITRACK_*` settings, secrets only said to be set), and a test e-mail to check the
//! SMTP settings before the reminders rely on them.

use actix_web::{HttpResponse, web};

use crate::auth::session::FlashKind;
use crate::domain::Role;
use crate::domain::policy;
use crate::error::{AppError, ensure};
use crate::models::history::Actor;
use crate::models::second_factor;
use crate::web::page::{Ctx, see_other};

/// The roles the second factor may be required of, whether it is, and what the form read.
fn insert_roles(page: &mut tera::Context, required: &[Role]) {
    let roles: Vec<(&str, String, bool)> = Role::ALL
        .iter()
        .map(|r| (r.as_str(), r.label_key(), required.contains(r)))
        .collect();
    page.insert("second_factor_roles", &roles);
    page.insert("second_factor_seen", &seen(required));
}

fn seen(required: &[Role]) -> String {
    required
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Which roles must have a second factor (administrators always), from the settings page;
/// a choice made meanwhile by another administrator is not overwritten.
pub async fn set_second_factor_roles(
    ctx: Ctx,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let fields = form.into_inner();
    let read = fields
        .iter()
        .find(|(n, _)| n == "seen")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let mut chosen = Vec::new();
    for (name, value) in &fields {
        if name == "roles" {
            let role = Role::parse(value).map_err(|_| {
                AppError::Validation(crate::domain::FieldErrors::single(
                    "roles",
                    crate::domain::Invalid::new("err-unknown-choice"),
                ))
            })?;
            chosen.push(role);
        }
    }
    // What the form read: the roles it showed ticked.
    let read: Vec<Role> = read
        .split(',')
        .filter_map(|code| Role::parse(code).ok())
        .collect();
    ctx.user_run(move |conn, admin| {
        ensure(policy::may_administer(admin))?;
        // The page always shows the roles that always need one: a form that did not read
        // them did not come from the page as it stands.
        if Role::ALL
            .iter()
            .any(|r| policy::always_needs_second_factor(*r) && !read.contains(r))
        {
            return Err(AppError::Conflict);
        }
        let actor = Actor::user(&admin.id, &admin.email);
        second_factor::set_required(conn, &actor, &read, &chosen)
    })
    .await?;
    ctx.flash(FlashKind::Success, "flash-second-factor-roles");
    Ok(see_other("/admin/parametres#second-factor-title"))
}

pub async fn show_settings(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let (current, required) = ctx
        .user_run(|conn, current| {
            ensure(policy::may_administer(current))?;
            second_factor::required_roles(conn)
        })
        .await?;
    let mut page = ctx.page(Some(&current), "settings");
    insert_roles(&mut page, &required);
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
