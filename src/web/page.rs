//! What every page handler works with: `Ctx` (request, session, shared state) and the base
//! context of the layout (user, language, CSRF token, flash messages, navigation).

use std::future::{Ready, ready};

use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use serde::Serialize;
use tera::Context;

use crate::auth::session::{self as sess, FlashKind};
use crate::auth::{CurrentUser, SessionAuth};
use crate::db::{Access, DbConnection};
use crate::domain::policy;
use crate::error::AppError;
use crate::i18n::{self, Lang};
use crate::models::{user, user_session};
use crate::startup::AppState;

pub struct Ctx {
    pub req: HttpRequest,
    pub session: Session,
    pub state: web::Data<AppState>,
}

impl Ctx {
    /// The CSRF token an upload form has still to show (see `files::PendingCsrf`).
    pub fn pending_csrf(&self) -> Option<crate::web::files::PendingCsrf> {
        actix_web::HttpMessage::extensions(&self.req)
            .get::<crate::web::files::PendingCsrf>()
            .cloned()
    }
}

impl FromRequest for Ctx {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req
            .app_data::<web::Data<AppState>>()
            .cloned()
            .ok_or_else(|| AppError::unexpected("application state missing").into());
        ready(state.map(|state| Ctx {
            req: req.clone(),
            session: req.get_session(),
            state,
        }))
    }
}

/// How a signed-in request treats an account whose password must be changed, or that must
/// set up its second factor first.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum PasswordGate {
    /// Send the user to the password page first.
    Enforce,
    /// The password and second-factor pages themselves (and logout).
    Allow,
}

#[derive(Serialize)]
struct NavItem {
    href: String,
    key: &'static str,
    current: bool,
}

#[derive(Serialize)]
struct FlashView {
    kind: FlashKind,
    message: String,
}

impl Ctx {
    pub fn auth(&self) -> Result<SessionAuth, AppError> {
        SessionAuth::from_session(&self.session, self.state.idle_secs)
    }

    /// The browser a sign-in comes from, for the account's list of sessions.
    pub fn device(&self) -> user_session::Device {
        user_session::Device {
            user_agent: self
                .req
                .headers()
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned(),
            address: self.peer_address(),
        }
    }

    /// The client's address as the connection shows it (the proxy's, behind one).
    pub fn peer_address(&self) -> String {
        self.req
            .peer_addr()
            .map(|a| a.ip().to_string())
            .unwrap_or_default()
    }

    /// Whether this request reads or may write: its transactions are begun accordingly.
    pub fn access(&self) -> Access {
        Access::of(self.req.method())
    }

    /// Loads the signed-in user and runs `f` in the same blocking hop (and transaction).
    pub async fn user_run<T, F>(&self, f: F) -> Result<(CurrentUser, T), AppError>
    where
        F: FnOnce(&mut DbConnection, &CurrentUser) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        self.user_run_gated(PasswordGate::Enforce, f).await
    }

    /// Like `user_run`, read-only whatever the request's method: what a write's answer shows
    /// after the write committed, without queueing for the write lock a second time.
    pub async fn user_read<T, F>(&self, f: F) -> Result<(CurrentUser, T), AppError>
    where
        F: FnOnce(&mut DbConnection, &CurrentUser) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        self.hop_as(Access::Read, PasswordGate::Enforce, f).await
    }

    pub async fn user_run_gated<T, F>(
        &self,
        gate: PasswordGate,
        f: F,
    ) -> Result<(CurrentUser, T), AppError>
    where
        F: FnOnce(&mut DbConnection, &CurrentUser) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        self.hop_as(self.access(), gate, f).await
    }

    async fn hop_as<T, F>(
        &self,
        access: Access,
        gate: PasswordGate,
        f: F,
    ) -> Result<(CurrentUser, T), AppError>
    where
        F: FnOnce(&mut DbConnection, &CurrentUser) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let auth = self.auth()?;
        let session_id = auth.session_id.clone();
        let outcome = self
            .state
            .db
            .hop(access, move |conn| {
                let (current, stale) = load_user(conn, &auth, access)?;
                if current.must_change_password && gate == PasswordGate::Enforce {
                    return Err(AppError::PasswordChangeRequired);
                }
                if auth.must_enrol && gate == PasswordGate::Enforce {
                    return Err(AppError::SecondFactorRequired);
                }
                let value = f(conn, &current)?;
                Ok((current, value, stale))
            })
            .await;
        self.after_hop(outcome, session_id)
    }

    /// Ends a session found closed, and records a read's activity off the request: it
    /// queues like any write and its failure never fails the read.
    fn after_hop<T>(
        &self,
        outcome: Result<(CurrentUser, T, bool), AppError>,
        session_id: String,
    ) -> Result<(CurrentUser, T), AppError> {
        match outcome {
            Ok((current, value, stale)) => {
                if stale {
                    let db = self.state.db.clone();
                    actix_web::rt::spawn(async move {
                        let touched = db
                            .write(move |conn| user_session::touch(conn, &session_id))
                            .await;
                        if let Err(error) = touched {
                            log::warn!("cannot record a session's activity: {error}");
                        }
                    });
                }
                Ok((current, value))
            }
            Err(error) => {
                if matches!(error, AppError::Unauthenticated) {
                    sess::end(&self.session);
                }
                Err(error)
            }
        }
    }

    /// Like `user_run`, but an error of `f` (rolled back) is handed to the caller together
    /// with the user, so a form can be shown again with its messages.
    pub async fn user_attempt<T, F>(
        &self,
        f: F,
    ) -> Result<(CurrentUser, Result<T, AppError>), AppError>
    where
        F: FnOnce(&mut DbConnection, &CurrentUser) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let auth = self.auth()?;
        let session_id = auth.session_id.clone();
        let access = self.access();
        let outcome = self
            .state
            .db
            .hop(access, move |conn| {
                let (current, stale) = load_user(conn, &auth, access)?;
                if current.must_change_password {
                    return Err(AppError::PasswordChangeRequired);
                }
                if auth.must_enrol {
                    return Err(AppError::SecondFactorRequired);
                }
                let attempt = crate::db::savepoint(conn, |c| f(c, &current));
                Ok((current, attempt, stale))
            })
            .await;
        self.after_hop(outcome, session_id)
    }

    /// The reader's language: their account's choice, the session's, then the browser's.
    pub fn lang(&self, user: Option<&CurrentUser>) -> Lang {
        user.and_then(|u| u.locale.as_deref())
            .and_then(Lang::parse)
            .or_else(|| sess::lang(&self.session))
            .unwrap_or_else(|| {
                Lang::negotiate(
                    self.req
                        .headers()
                        .get(header::ACCEPT_LANGUAGE)
                        .and_then(|v| v.to_str().ok()),
                )
            })
    }

    pub fn t(&self, user: Option<&CurrentUser>, key: &str) -> String {
        i18n::t(self.lang(user), key)
    }

    /// The layout's context: every page starts from this.
    pub fn page(&self, user: Option<&CurrentUser>, section: &str) -> Context {
        let lang = self.lang(user);
        let mut context = Context::new();
        context.insert("lang", lang.code());
        context.insert("csrf_token", &sess::csrf_token(&self.session));
        context.insert("path", self.req.path());
        context.insert("section", section);
        context.insert("version", env!("CARGO_PKG_VERSION"));
        context.insert("user", &user);
        if let Some(user) = user {
            context.insert("role_label", &i18n::t(lang, &user.role.label_key()));
            context.insert("nav", &navigation(user, section));
            context.insert("may", &May::of(user));
        }
        let flashes: Vec<FlashView> = sess::take_flashes(&self.session)
            .into_iter()
            .map(|f| {
                let args: Vec<(&str, String)> = f
                    .args
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.clone()))
                    .collect();
                FlashView {
                    kind: f.kind,
                    message: i18n::t_args(lang, &f.key, &args),
                }
            })
            .collect();
        context.insert("flashes", &flashes);
        // Forms read `errors.<field>`; an empty map keeps those lookups valid.
        context.insert(
            "errors",
            &std::collections::BTreeMap::<String, String>::new(),
        );
        context.insert(
            "error_labels",
            &std::collections::BTreeMap::<String, String>::new(),
        );
        context
    }

    pub fn render(&self, template: &str, context: &Context) -> Result<HttpResponse, AppError> {
        self.state
            .templates
            .respond(StatusCode::OK, template, context)
    }

    pub fn render_status(
        &self,
        status: StatusCode,
        template: &str,
        context: &Context,
    ) -> Result<HttpResponse, AppError> {
        self.state.templates.respond(status, template, context)
    }

    /// Adds the field errors of a refused form, translated, to `context`.
    /// The end of every form post. A write that went through gets `done`'s answer (most
    /// often a redirection with its message); a refusal the user can act on (the content,
    /// and for an edit a version read before someone else's save, as `again` says) shows
    /// the form once more through `show`, with what was typed and why; anything else is an
    /// error page. Nothing refused was written.
    pub async fn conclude<T, Fut>(
        &self,
        attempt: Result<T, AppError>,
        again: Again,
        done: impl FnOnce(T) -> Result<HttpResponse, AppError>,
        show: impl FnOnce(AppError) -> Fut,
    ) -> Result<HttpResponse, AppError>
    where
        Fut: std::future::Future<Output = Result<HttpResponse, AppError>>,
    {
        match attempt {
            Ok(value) => done(value),
            Err(error) if again.covers(&error) => show(error).await,
            Err(other) => Err(other),
        }
    }

    /// A form page shown again: the refusal's messages beside the fields (or above the form),
    /// at the refusal's status (422 for content, 409 for a stale version).
    pub fn form_again(
        &self,
        page: &mut Context,
        user: &CurrentUser,
        template: &str,
        error: &AppError,
    ) -> Result<HttpResponse, AppError> {
        self.with_errors(page, Some(user), error);
        self.render_status(error.info().status, template, page)
    }

    pub fn with_errors(&self, context: &mut Context, user: Option<&CurrentUser>, error: &AppError) {
        let lang = self.lang(user);
        match error {
            AppError::Validation(fields) => {
                context.insert("errors", &i18n::field_messages(lang, fields));
                context.insert("error_labels", &i18n::field_labels(lang, fields));
            }
            other => {
                context.insert("form_error", &i18n::t(lang, other.info().message_key));
            }
        }
    }

    pub fn flash(&self, kind: FlashKind, key: &str) {
        sess::flash(&self.session, kind, key);
    }

    pub fn flash_with(&self, kind: FlashKind, key: &str, args: Vec<(String, String)>) {
        sess::flash_with(&self.session, kind, key, args);
    }
}

/// The account behind a session, if its session is open, the account enabled and its
/// password unchanged; with whether the session's activity is still to be recorded (a write
/// hop records it in its own transaction, a read leaves it to `Ctx::after_hop`).
fn load_user(
    conn: &mut DbConnection,
    auth: &SessionAuth,
    access: Access,
) -> Result<(CurrentUser, bool), AppError> {
    let row = match user::get(conn, &auth.user_id) {
        Ok(row) => row,
        Err(AppError::NotFound) => return Err(AppError::Unauthenticated),
        Err(other) => return Err(other),
    };
    if row.disabled || sess::password_fingerprint(&row.password_hash) != auth.password_fingerprint {
        return Err(AppError::Unauthenticated);
    }
    let stale = user_session::alive(conn, &auth.session_id, &auth.user_id)?
        .ok_or(AppError::Unauthenticated)?;
    if stale && access == Access::Write {
        user_session::touch(conn, &auth.session_id)?;
        return Ok((row.current()?, false));
    }
    Ok((row.current()?, stale))
}

/// Redirect after a successful POST (303: the browser follows with GET).
/// A file to save rather than show: its type, the name offered, its bytes.
pub fn download(
    content_type: &str,
    name: &str,
    body: impl actix_web::body::MessageBody + 'static,
) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(body)
}

/// Sheets as a workbook to save, named `stem` with the format's extension.
pub fn workbook(
    format: crate::reports::sheet::Workbook,
    stem: &str,
    sheets: &[crate::reports::sheet::Sheet],
) -> Result<HttpResponse, AppError> {
    let body = format.write(sheets).map_err(AppError::unexpected)?;
    Ok(download(
        format.media_type(),
        &format!("{stem}.{}", format.extension()),
        body,
    ))
}

/// Which refusals of a write show its form again (see `Ctx::conclude`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Again {
    /// A refusal of the content: a field missing or wrong, a framework file that does not
    /// validate.
    OnInvalid,
    /// Also a version read before someone else's save (an edit): the stored version is
    /// shown beside what was typed.
    OnInvalidOrStale,
}

impl Again {
    fn covers(self, error: &AppError) -> bool {
        match error {
            AppError::Validation(_) | AppError::FrameworkFiles(_) => true,
            AppError::Conflict => self == Again::OnInvalidOrStale,
            _ => false,
        }
    }
}

pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// What templates may offer the user, from `domain::policy`: a page never shows a link to
/// what would answer 403.
#[derive(Serialize)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "each is one answer of the policy that a template asks"
)]
struct May {
    working_documents: bool,
    history: bool,
    organisations_list: bool,
    federation_views: bool,
    administer: bool,
    create_organisation: bool,
    own_audits: bool,
}

impl May {
    fn of(user: &CurrentUser) -> Self {
        Self {
            working_documents: policy::sees_working_documents(user),
            history: policy::reads_history(user),
            organisations_list: policy::lives_in_one_organisation(user).is_none(),
            federation_views: policy::sees_federation_views(user),
            administer: policy::may_administer(user),
            create_organisation: policy::may_create_organisation(user),
            own_audits: policy::sees_only_own_audits(user),
        }
    }
}

fn navigation(user: &CurrentUser, section: &str) -> Vec<NavItem> {
    let mut items = vec![("/", "nav-home", "home")];
    if policy::lives_in_one_organisation(user).is_none() {
        items.push(("/organismes", "nav-organisations", "organisations"));
    }
    items.push(("/calendrier", "nav-calendar", "calendar"));
    if policy::sees_federation_views(user) {
        items.push(("/federation", "nav-dashboard", "dashboard"));
        items.push(("/federation/renouvellements", "nav-renewals", "renewals"));
        items.push(("/federation/indicateurs", "nav-benchmarks", "benchmarks"));
    }
    items.push(("/referentiels", "nav-frameworks", "frameworks"));
    if policy::may_administer(user) {
        items.push(("/admin/utilisateurs", "nav-users", "users"));
        items.push(("/admin/historique", "nav-history", "history"));
        items.push(("/admin/parametres", "nav-settings", "settings"));
    }
    let mut nav: Vec<NavItem> = items
        .into_iter()
        .map(|(href, key, id)| NavItem {
            href: href.to_owned(),
            key,
            current: id == section,
        })
        .collect();
    if let Some(id) = policy::lives_in_one_organisation(user) {
        nav.insert(
            1,
            NavItem {
                href: format!("/organismes/{id}"),
                key: "nav-my-organisation",
                current: section == "organisations",
            },
        );
    }
    nav
}
