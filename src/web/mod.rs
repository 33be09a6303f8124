//! Pages for people: routes, handlers per resource, templates, static assets.

pub mod assets;
pub mod files;
pub mod handlers;
pub mod middleware;
pub mod page;
pub use crate::templates;

use actix_web::{guard, web};

use crate::error::AppError;
use handlers::{
    accessibility, account, account_sessions, actions, admin, admin_history, admin_settings,
    audits, auth, auth_code, benchmarks, calendar, commitments, dashboard, evidence, frameworks,
    health, home, indicators, organisations, published, second_factor, sites, sso, surveys,
};

/// GET, and HEAD with the same answer (actix's `web::get` does not answer HEAD).
fn read() -> actix_web::Route {
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    base_routes(cfg);
    account_routes(cfg);
    admin_routes(cfg);
    organisation_routes(cfg);
    framework_routes(cfg);
    commitment_routes(cfg);
    audit_routes(cfg);
    evidence_routes(cfg);
    action_routes(cfg);
    calendar_routes(cfg);
    federation_routes(cfg);
    survey_routes(cfg);
    indicator_routes(cfg);
    cfg.configure(crate::api::configure);
}

/// Health, assets, home, signing in and out, language.
fn base_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", read().to(health::healthz))
        .route("/static/{path:.*}", read().to(assets::serve))
        .route("/sw.js", read().to(assets::service_worker))
        .route("/manifest.webmanifest", read().to(assets::manifest))
        .route("/", read().to(home::index))
        .route("/accessibilite", read().to(accessibility::statement))
        .route("/connexion", read().to(auth::login_form))
        .route("/connexion", web::post().to(auth::login))
        .route("/connexion/code", read().to(auth_code::code_form))
        .route("/connexion/oidc/{provider}", read().to(sso::start))
        .route("/connexion/oidc/{provider}/retour", read().to(sso::back))
        .route("/connexion/code", web::post().to(auth_code::code_submit))
        .route("/deconnexion", web::post().to(auth::logout))
        .route("/langue", web::post().to(account::set_language));
}

/// The user's own account and API tokens.
fn account_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/compte", read().to(account::show_account))
        .route("/compte/mot-de-passe", read().to(account::password_form))
        .route(
            "/compte/mot-de-passe",
            web::post().to(account::change_password),
        )
        .route("/compte/jetons", web::post().to(account::create_token))
        .route("/compte/second-facteur", read().to(second_factor::show))
        .route(
            "/compte/second-facteur",
            web::post().to(second_factor::enable),
        )
        .route(
            "/compte/second-facteur/codes",
            web::post().to(second_factor::new_codes),
        )
        .route(
            "/compte/second-facteur/desactiver",
            web::post().to(second_factor::disable),
        )
        .route(
            "/compte/jetons/{id}/revoquer",
            web::post().to(account::revoke_token),
        )
        .route(
            "/compte/sessions/fermer-autres",
            web::post().to(account_sessions::close_others),
        )
        .route(
            "/compte/sessions/{id}/fermer",
            web::post().to(account_sessions::close),
        );
}

/// Administration: accounts and the history of every change.
fn admin_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/utilisateurs", read().to(admin::list_users))
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
        .route(
            "/admin/utilisateurs/{id}/second-facteur",
            web::post().to(second_factor::reset),
        )
        .route(
            "/admin/identites/{id}/refuser",
            web::post().to(admin::refuse_identity),
        )
        .route(
            "/admin/parametres/second-facteur",
            web::post().to(admin_settings::set_second_factor_roles),
        )
        .route("/admin/historique", read().to(admin_history::show_history))
        .route(
            "/admin/historique/export.csv",
            read().to(admin_history::export_csv),
        )
        .route(
            "/admin/parametres",
            read().to(admin_settings::show_settings),
        )
        .route(
            "/admin/parametres/courriel-test",
            web::post().to(admin_settings::send_test_email),
        );
}

/// Organismes and their sites.
fn organisation_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/organismes", read().to(organisations::list_organisations))
        .route(
            "/organismes/export.csv",
            read().to(organisations::export_csv),
        )
        .route(
            "/organismes/export.xlsx",
            read().to(organisations::export_xlsx),
        )
        .route(
            "/organismes/export.ods",
            read().to(organisations::export_ods),
        )
        .route(
            "/organismes",
            web::post().to(organisations::create_organisation),
        )
        .route(
            "/organismes/nouveau",
            read().to(organisations::new_organisation_form),
        )
        .route(
            "/organismes/{id}/rattachement",
            web::post().to(organisations::set_auto_join),
        )
        .route(
            "/organismes/{id}",
            read().to(organisations::show_organisation),
        )
        .route(
            "/organismes/{id}",
            web::post().to(organisations::update_organisation),
        )
        .route("/organismes/{id}/vue-publique", read().to(published::show))
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
        .route("/sites/{id}", read().to(sites::show_site))
        .route("/sites/{id}", web::post().to(sites::update_site))
        .route("/sites/{id}/modifier", read().to(sites::edit_site_form));
}

/// Frameworks, uploads and organismes' charters.
fn framework_routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
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
    );
}

/// Commitments, and planning or recording their audits.
fn commitment_routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/organismes/{id}/engagements",
        web::post().to(commitments::create_commitment),
    )
    .route(
        "/organismes/{id}/engagements/nouveau",
        read().to(commitments::new_commitment_form),
    )
    .route("/engagements/{id}", read().to(commitments::show_commitment))
    .route(
        "/engagements/{id}/transition",
        web::post().to(commitments::transition_commitment),
    )
    .route(
        "/engagements/{id}/audits",
        web::post().to(commitments::record_audit),
    )
    .route(
        "/engagements/{id}/audits/nouveau",
        read().to(audits::plan_form),
    )
    .route(
        "/engagements/{id}/planification",
        web::post().to(audits::create_audit),
    );
}

/// An audit: its page, states and decision, findings, comparison, report, and the verification of an issued report.
fn audit_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/audits/{id}", read().to(audits::show_audit))
        .route("/audits/{id}/etat", web::post().to(audits::move_audit))
        .route(
            "/audits/{id}/decision",
            web::post().to(audits::decide_audit),
        )
        .route(
            "/audits/{id}/comparaison",
            read().to(audits::comparison::compare),
        )
        .route(
            "/audits/{id}/constats",
            read().to(audits::findings::show_findings),
        )
        .route(
            "/audits/{id}/constats/{ref}",
            read().to(audits::findings::open_row),
        )
        .route(
            "/audits/{id}/constats/{ref}",
            web::post().to(audits::finding_save::save_finding),
        )
        .route(
            "/audits/{id}/constats/{ref}/photos",
            web::post().to(audits::photos::add_photo),
        )
        .route(
            "/audits/{id}/autoevaluation",
            read().to(audits::self_assessment::show),
        )
        .route(
            "/audits/{id}/autoevaluation/{ref}",
            web::post().to(audits::finding_save::save_self_assessment),
        )
        .route(
            "/audits/{id}/soumettre",
            read().to(audits::submission::show_submission),
        )
        .route(
            "/audits/{id}/soumettre",
            web::post().to(audits::submission::submit),
        )
        .route(
            "/audits/{id}/rapport.pdf",
            read().to(audits::report::audit_report),
        )
        .route(
            "/audits/{id}/rapport.odt",
            read().to(audits::report::audit_report_odt),
        )
        .route(
            "/audits/{id}/rapport.docx",
            read().to(audits::report::audit_report_docx),
        )
        .route("/verify/{fingerprint}", read().to(audits::report::verify));
}

/// An organisme's evidence library and its documents.
fn evidence_routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/organismes/{id}/preuves",
        read().to(evidence::list_evidence),
    )
    .route(
        "/organismes/{id}/preuves",
        web::post().to(evidence::upload_evidence),
    )
    .route("/preuves/{id}", read().to(evidence::item::show_evidence))
    .route(
        "/preuves/{id}",
        web::post().to(evidence::item::update_evidence),
    )
    .route(
        "/preuves/{id}/revisions",
        web::post().to(evidence::item::upload_revision),
    )
    .route(
        "/preuves/fichiers/{id}",
        read().to(evidence::item::download),
    );
}

/// The action plan.
fn action_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/organismes/{id}/actions", read().to(actions::list_actions))
        .route(
            "/organismes/{id}/actions",
            web::post().to(actions::create_action),
        )
        .route(
            "/organismes/{id}/actions/nouvelle",
            read().to(actions::new_action),
        )
        .route(
            "/organismes/{id}/actions/export.csv",
            read().to(actions::export_csv),
        )
        .route(
            "/organismes/{id}/actions/export.xlsx",
            read().to(actions::export_xlsx),
        )
        .route(
            "/organismes/{id}/actions/export.ods",
            read().to(actions::export_ods),
        )
        .route("/actions/{id}", read().to(actions::show_action))
        .route("/actions/{id}", web::post().to(actions::update_action));
}

/// The calendar, its exports and feeds, and renewals.
fn calendar_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/calendrier", read().to(calendar::show_calendar))
        .route("/calendrier/export.csv", read().to(calendar::export_csv))
        .route("/calendrier/export.xlsx", read().to(calendar::export_xlsx))
        .route("/calendrier/export.ods", read().to(calendar::export_ods))
        .route("/calendrier/export.pdf", read().to(calendar::export_pdf))
        .route(
            "/calendrier/abonnements",
            web::post().to(calendar::feeds::create_feed),
        )
        .route(
            "/calendrier/abonnements/{id}/revoquer",
            web::post().to(calendar::feeds::revoke_feed),
        )
        .route("/ics/{token}", read().to(calendar::feeds::ics_feed))
        .route("/federation/renouvellements", read().to(calendar::renewals));
}

/// Federation views: the rollout dashboard, its summary and exports, benchmarks.
fn federation_routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/federation/synthese.pdf",
        read().to(dashboard::rollout_pdf),
    )
    .route("/federation/indicateurs", read().to(benchmarks::show))
    .route("/federation", read().to(dashboard::show))
    .route(
        "/federation/tableau-de-bord.csv",
        read().to(dashboard::export_csv),
    )
    .route(
        "/federation/tableau-de-bord.xlsx",
        read().to(dashboard::export_xlsx),
    )
    .route(
        "/federation/tableau-de-bord.ods",
        read().to(dashboard::export_ods),
    );
}

/// Satisfaction surveys and their results.
fn survey_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/organismes/{id}/enquetes", read().to(surveys::list_waves))
        .route(
            "/organismes/{id}/enquetes",
            web::post().to(surveys::create_wave),
        )
        .route("/enquetes/{id}", read().to(surveys::show_wave))
        .route(
            "/enquetes/{id}/resultats",
            web::post().to(surveys::save_results),
        )
        .route(
            "/enquetes/{id}/import",
            web::post().to(surveys::import_results),
        );
}

/// An organisme's indicators: board, entry, import, own indicators, targets.
fn indicator_routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/organismes/{id}/indicateurs/propres/nouveau",
        read().to(indicators::own::new_own),
    )
    .route(
        "/organismes/{id}/indicateurs/propres",
        web::post().to(indicators::own::create_own),
    )
    .route(
        "/organismes/{id}/indicateurs/propres/{code}",
        read().to(indicators::own::edit_own),
    )
    .route(
        "/organismes/{id}/indicateurs/propres/{code}",
        web::post().to(indicators::own::update_own),
    )
    .route(
        "/organismes/{id}/indicateurs",
        read().to(indicators::show_board),
    )
    .route(
        "/organismes/{id}/indicateurs/saisie",
        read().to(indicators::entry::show_entry),
    )
    .route(
        "/organismes/{id}/indicateurs/saisie",
        web::post().to(indicators::entry::save_entry),
    )
    .route(
        "/organismes/{id}/indicateurs/import",
        read().to(indicators::import::show_import),
    )
    .route(
        "/organismes/{id}/indicateurs/import",
        web::post().to(indicators::import::upload_import),
    )
    .route(
        "/organismes/{id}/indicateurs/import/confirmer",
        web::post().to(indicators::import::confirm_import),
    )
    .route(
        "/organismes/{id}/indicateurs/modele.csv",
        read().to(indicators::import::template),
    )
    .route(
        "/organismes/{id}/indicateurs/{code}",
        read().to(indicators::show_indicator),
    )
    .route(
        "/organismes/{id}/indicateurs/{code}/cible",
        web::post().to(indicators::set_target),
    );
}

/// A request the API cannot read: 401 first when it carries no credentials (a client learns
/// it must sign in before anything else), otherwise 400 with what could not be read.
fn unreadable(error: impl std::fmt::Display, req: &actix_web::HttpRequest) -> actix_web::Error {
    let anonymous = req.path().starts_with("/api/")
        && !req
            .headers()
            .contains_key(actix_web::http::header::AUTHORIZATION);
    if anonymous {
        AppError::Unauthenticated.into()
    } else {
        AppError::BadRequest(error.to_string()).into()
    }
}

/// Malformed JSON gets the API's JSON error, not actix's plain text.
pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(1024 * 1024)
        .error_handler(unreadable)
}

/// Forms up to `FORM_LIMIT` (actix stops at 16 KiB, where one long finding would get a bare
/// 413 instead of its field's "5 000 caractères au maximum").
pub fn form_config() -> web::FormConfig {
    web::FormConfig::default().limit(middleware::FORM_LIMIT)
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(unreadable)
}
