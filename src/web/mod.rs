//! Pages for people: routes, handlers per resource, templates, static assets.

pub mod assets;
pub mod handlers;
pub mod middleware;
pub mod page;
pub mod templates;

use actix_web::{guard, web};

use crate::error::AppError;
use handlers::{account, admin, auth, frameworks, health, home, organisations, sites};

/// GET, and HEAD with the same answer (actix's `web::get` does not answer HEAD).
fn read() -> actix_web::Route {
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", read().to(health::healthz))
        .route("/static/{path:.*}", read().to(assets::serve))
        .route("/", read().to(home::index))
        .route("/connexion", read().to(auth::login_form))
        .route("/connexion", web::post().to(auth::login))
        .route("/deconnexion", web::post().to(auth::logout))
        .route("/langue", web::post().to(account::set_language))
        .route("/compte", read().to(account::show_account))
        .route("/compte/mot-de-passe", read().to(account::password_form))
        .route(
            "/compte/mot-de-passe",
            web::post().to(account::change_password),
        )
        .route("/compte/jetons", web::post().to(account::create_token))
        .route(
            "/compte/jetons/{id}/revoquer",
            web::post().to(account::revoke_token),
        )
        .route("/admin/utilisateurs", read().to(admin::list_users))
        .route("/admin/utilisateurs", web::post().to(admin::create_user))
        .route(
            "/admin/utilisateurs/nouveau",
            read().to(admin::new_user_form),
        )
        .route(
            "/admin/utilisateurs/{id}/etat",
            web::post().to(admin::set_user_state),
        )
        .route(
            "/admin/utilisateurs/{id}/reinitialiser",
            web::post().to(admin::reset_password),
        )
        .route("/admin/historique", read().to(admin::show_history))
        .route("/organismes", read().to(organisations::list_organisations))
        .route(
            "/organismes",
            web::post().to(organisations::create_organisation),
        )
        .route(
            "/organismes/nouveau",
            read().to(organisations::new_organisation_form),
        )
        .route(
            "/organismes/{id}",
            read().to(organisations::show_organisation),
        )
        .route(
            "/organismes/{id}",
            web::post().to(organisations::update_organisation),
        )
        .route(
            "/organismes/{id}/modifier",
            read().to(organisations::edit_organisation_form),
        )
        .route(
            "/organismes/{id}/historique",
            read().to(organisations::organisation_history),
        )
        .route("/organismes/{id}/sites", web::post().to(sites::create_site))
        .route(
            "/organismes/{id}/sites/nouveau",
            read().to(sites::new_site_form),
        )
        .route(
            "/organismes/{id}/charte",
            web::post().to(frameworks::create_charter),
        )
        .route("/referentiels", read().to(frameworks::list_frameworks))
        .route("/referentiels/importer", read().to(frameworks::upload_form))
        .route(
            "/referentiels/importer",
            web::post().to(frameworks::upload_frameworks),
        )
        .route("/referentiels/{id}", read().to(frameworks::show_framework))
        .route(
            "/referentiels/{id}/source",
            read().to(frameworks::framework_source),
        )
        .route(
            "/referentiels/{id}/modifier",
            read().to(frameworks::edit_charter_form),
        )
        .route(
            "/referentiels/{id}/modifier",
            web::post().to(frameworks::save_charter),
        )
        .route("/sites/{id}", read().to(sites::show_site))
        .route("/sites/{id}", web::post().to(sites::update_site))
        .route("/sites/{id}/modifier", read().to(sites::edit_site_form))
        .configure(crate::api::configure);
}

/// Malformed JSON gets the API's JSON error, not actix's plain text.
pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(1024 * 1024)
        .error_handler(|error, _| AppError::BadRequest(error.to_string()).into())
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default()
        .error_handler(|error, _| AppError::BadRequest(error.to_string()).into())
}
