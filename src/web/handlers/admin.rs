//! Administration: accounts (create, disable, reset a password); the history of changes is
//! in `admin_history`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use tera::Context;

use crate::auth::OrgScope;
use crate::auth::password;
use crate::auth::session::FlashKind;
use crate::db::parse_id;
use crate::domain::policy;
use crate::domain::{Region, Role};
use crate::error::AppError;
use crate::error::ensure;
use crate::models::history::Actor;
use crate::models::identity;
use crate::models::organisation;
use crate::models::user::{self, UserForm, UserInput};
use crate::web::page::{Ctx, see_other};

/// The filters of the accounts list, kept in the URL.
#[derive(Debug, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct UserQuery {
    /// Words of a name, an e-mail address or an organisme (accents and case ignored)
    q: String,
    role: String,
}

impl UserQuery {
    fn keeps(&self, account: &user::UserView) -> bool {
        let fold = |text: &str| deunicode::deunicode(text).to_lowercase();
        let haystack = fold(&format!(
            "{} {} {}",
            account.name,
            account.email,
            account.organisation_name.as_deref().unwrap_or_default()
        ));
        (self.role.is_empty() || account.role == self.role)
            && fold(&self.q)
                .split_whitespace()
                .all(|word| haystack.contains(word))
    }
}

pub async fn list_users(ctx: Ctx, query: web::Query<UserQuery>) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let (current, (all, enrolled, requests, providers)) = ctx
        .user_run(|conn, current| {
            ensure(policy::may_administer(current))?;
            Ok((
                user::list(conn)?,
                crate::models::second_factor::enrolled(conn)?,
                identity::pending(conn)?,
                identity::providers_by_user(conn)?,
            ))
        })
        .await?;
    let total = all.len();
    let users: Vec<user::UserView> = all.into_iter().filter(|a| query.keeps(a)).collect();
    // Regional staff's scope by the region's name, not its code.
    let region_names: std::collections::HashMap<&str, &str> = crate::domain::Region::all()
        .iter()
        .map(|r| (r.code, r.name))
        .collect();
    let mut page = ctx.page(Some(&current), "users");
    page.insert("users", &users);
    page.insert("second_factors", &enrolled);
    page.insert("requests", &requests);
    page.insert("providers_by_user", &providers);
    page.insert("provider_names", &super::sso::names(&ctx));
    page.insert("total", &total);
    page.insert("query", &query);
    page.insert("region_names", &region_names);
    page.insert(
        "roles",
        &Role::ALL
            .iter()
            .map(|r| (r.as_str(), r.label_key()))
            .collect::<Vec<_>>(),
    );
    ctx.render("admin/users.html", &page)
}

/// Choices of the new-account form: roles, organismes, regions.
fn form_choices(page: &mut Context, organisations: &[organisation::Organisation]) {
    page.insert(
        "roles",
        &Role::ALL
            .iter()
            .map(|r| (r.as_str(), r.label_key()))
            .collect::<Vec<_>>(),
    );
    page.insert("organisations", organisations);
    page.insert(
        "regions",
        &Region::all()
            .iter()
            .map(|r| (r.code, r.name))
            .collect::<Vec<_>>(),
    );
}

/// Every organisme, whatever their number (a federation has ~600).
fn all_organisations(
    conn: &mut crate::db::DbConnection,
) -> Result<Vec<organisation::Organisation>, AppError> {
    organisation::all_in(conn, &OrgScope::All)
}

/// `?organisation=` (id or SIREN), `?role=`: the form opened from an organisme's page.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct NewUserQuery {
    organisation: String,
    role: String,
    /// A person waiting after signing in through a provider, whose account this will be
    identite: String,
}

/// The new-account form as posted: the account, and the access request it answers, if any.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct NewUser {
    #[serde(flatten)]
    account: UserForm,
    #[serde(default)]
    identity: String,
}

pub async fn new_user_form(
    ctx: Ctx,
    query: web::Query<NewUserQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let asked = query.identite.clone();
    let (current, (organisations, request)) = ctx
        .user_run(move |conn, current| {
            ensure(policy::may_administer(current))?;
            let request = if asked.is_empty() {
                None
            } else {
                Some(identity::pending_one(conn, &asked).map_err(|_| AppError::NotFound)?)
            };
            Ok((all_organisations(conn)?, request))
        })
        .await?;
    let mut page = ctx.page(Some(&current), "users");
    form_choices(&mut page, &organisations);
    page.insert(
        "form",
        &UserForm {
            organisation: query.organisation,
            role: query.role,
            email: request
                .as_ref()
                .map(|r| r.email.clone())
                .unwrap_or_default(),
            name: request.as_ref().map(|r| r.name.clone()).unwrap_or_default(),
            ..UserForm::default()
        },
    );
    page.insert("request", &request);
    ctx.render("admin/user_new.html", &page)
}

/// Creates an account with a one-time password, shown once to the administrator.
pub async fn create_user(ctx: Ctx, form: web::Form<NewUser>) -> Result<HttpResponse, AppError> {
    let NewUser {
        account: form,
        identity: request,
    } = form.into_inner();
    let submitted = form.clone();
    let answered = request.clone();
    let (current, attempt) = ctx
        .user_attempt(move |conn, current| {
            ensure(policy::may_administer(current))?;
            let input = UserInput::try_from(&form)?;
            let one_time = password::generate_one_time();
            let hash = password::hash(&one_time).map_err(AppError::unexpected)?;
            let actor = Actor::user(&current.id, &current.email);
            // A person who asked through a provider signs in through it: no password to pass
            // on (the one set is known to nobody).
            let through_provider = !request.is_empty();
            let created = user::create(conn, &actor, &input, &hash, !through_provider)?;
            if through_provider {
                // A request settled meanwhile by another administrator is not settled twice.
                identity::accept(conn, &actor, &request, &created.id)?;
            }
            Ok((
                created.view(None),
                if through_provider {
                    String::new()
                } else {
                    one_time
                },
            ))
        })
        .await?;
    match attempt {
        Ok((created, one_time)) => {
            let mut page = ctx.page(Some(&current), "users");
            page.insert("account", &created);
            page.insert("one_time_password", &one_time);
            page.insert("created", &true);
            ctx.render("admin/user_password.html", &page)
        }
        Err(error @ AppError::Validation(_)) => {
            let (_, organisations) = ctx.user_run(|conn, _| all_organisations(conn)).await?;
            let mut page = ctx.page(Some(&current), "users");
            form_choices(&mut page, &organisations);
            page.insert("form", &submitted);
            if !answered.is_empty() {
                page.insert("request", &serde_json::json!({ "id": answered }));
            }
            ctx.with_errors(&mut page, Some(&current), &error);
            ctx.render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                "admin/user_new.html",
                &page,
            )
        }
        Err(other) => Err(other),
    }
}

#[derive(Debug, Deserialize)]
pub struct StateForm {
    disabled: String,
    version: i32,
}

pub async fn set_user_state(
    ctx: Ctx,
    path: web::Path<String>,
    form: web::Form<StateForm>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let form = form.into_inner();
    let disable = form.disabled == "true";
    let (current, attempt) = ctx
        .user_attempt(move |conn, current| {
            ensure(policy::may_administer(current))?;
            if current.id == id && disable {
                return Err(AppError::Forbidden);
            }
            let target = user::get(conn, &id)?;
            user::set_disabled(
                conn,
                &Actor::user(&current.id, &current.email),
                &target,
                form.version,
                disable,
            )
        })
        .await?;
    match attempt {
        Ok(updated) => {
            let key = if updated.disabled {
                "flash-user-disabled"
            } else {
                "flash-user-enabled"
            };
            ctx.flash_with(
                FlashKind::Success,
                key,
                vec![("email".into(), updated.email)],
            );
        }
        Err(AppError::Conflict) => ctx.flash(FlashKind::Error, "error-conflict"),
        // Only an administrator gets this far: anyone else's Forbidden is a plain 403.
        Err(AppError::Forbidden) if policy::may_administer(&current) => {
            ctx.flash(FlashKind::Error, "flash-cannot-disable-self");
        }
        Err(other) => return Err(other),
    }
    Ok(see_other("/admin/utilisateurs"))
}

/// Gives an account a new one-time password; its holder must choose a new one at login.
pub async fn reset_password(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let (current, (account, one_time)) = ctx
        .user_run(move |conn, current| {
            ensure(policy::may_administer(current))?;
            let target = user::get(conn, &id)?;
            let one_time = password::generate_one_time();
            let hash = password::hash(&one_time).map_err(AppError::unexpected)?;
            let updated = user::set_password(
                conn,
                &Actor::user(&current.id, &current.email),
                &target,
                &hash,
                false,
            )?;
            Ok((updated.view(None), one_time))
        })
        .await?;
    let mut page = ctx.page(Some(&current), "users");
    page.insert("account", &account);
    page.insert("one_time_password", &one_time);
    page.insert("created", &false);
    ctx.render("admin/user_password.html", &page)
}

/// Refuses an access request: the person keeps getting no access (and is told so).
pub async fn refuse_identity(ctx: Ctx, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = crate::db::parse_id(&path.into_inner())?;
    ctx.user_run(move |conn, current| {
        ensure(policy::may_administer(current))?;
        identity::refuse(conn, &Actor::user(&current.id, &current.email), &id)
    })
    .await?;
    ctx.flash(FlashKind::Success, "flash-identity-refused");
    Ok(see_other("/admin/utilisateurs"))
}
