//! Builds the application: database, migrations, first administrator, templates, and the
//! HTTP server. `main` and the tests go through the same `Application::build`.

use std::net::TcpListener;

use actix_session::SessionMiddleware;
use actix_session::config::{BrowserSession, CookieContentSecurity};
use actix_session::storage::CookieSessionStore;
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::Server;
use actix_web::middleware::{Compress, Logger, from_fn};
use actix_web::{App, HttpServer, web};
use anyhow::Context as _;

use crate::config::Settings;
use crate::db::{self, Db, DbUrl};
use crate::error::AppError;
use crate::i18n::{self, Lang};
use crate::models::history::Actor;
use crate::models::user;
use crate::services::frameworks;
use crate::services::memo::Memo;
use crate::web::templates::Templates;
use crate::web::{self as routes, middleware};

/// What every request handler shares.
pub struct AppState {
    pub db: Db,
    pub templates: Templates,
    pub idle_secs: i64,
    /// Scheme and host that forms must come from, when configured.
    pub public_origin: Option<String>,
    /// Where users report an accessibility problem, if the deployment says
    pub accessibility_contact: Option<String>,
    /// Long findings screens, laid out until the next write.
    pub screens: Memo<
        crate::web::handlers::audits::findings::ScreenKey,
        crate::web::handlers::audits::findings::Screen,
    >,
    /// Dashboard page bodies (map, charts, tables), laid out until the next write.
    pub dashboard_pages: Memo<crate::services::dashboard::DashboardKey, String>,
    /// Pages of the calendar's list, laid out until the next write.
    pub calendar_lists: Memo<crate::web::handlers::calendar::ListKey, String>,
    /// What each audit's findings rows share (library, grades, sites), until the next write.
    pub audit_shared: Memo<
        crate::web::handlers::audits::finding_parts::SharedKey,
        crate::web::handlers::audits::finding_parts::Shared,
    >,
    pub storage: Box<dyn crate::storage::Storage>,
    /// Largest evidence file accepted, in bytes.
    pub upload_limit: u64,
    /// The time second-factor codes are checked at.
    pub clock: crate::clock::Clock,
    /// OpenID Connect providers people may sign in with.
    pub oidc: Vec<std::sync::Arc<crate::auth::oidc::Provider>>,
    /// Outgoing mail, for reminders and the administrator's test e-mail.
    pub smtp: crate::config::SmtpSettings,
    /// The settings an administrator reads on the settings screen (no secret among them).
    pub shown_settings: Vec<(&'static str, String)>,
    /// Answers kept until the next write: federation dashboards, calendars, and each
    /// indicator's figures across every organisme (for positions among peers).
    pub dashboards:
        Memo<crate::services::dashboard::DashboardKey, crate::services::dashboard::Dashboard>,
    pub calendars: Memo<
        crate::services::schedules::CalendarKey,
        Vec<crate::services::schedules::CalendarEntry>,
    >,
    pub peers: Memo<crate::services::benchmarks::PeersKey, crate::services::benchmarks::Benchmark>,
    /// Each organisme's indicators board, until its next write.
    pub boards: Memo<
        crate::web::handlers::indicators::BoardKey,
        Vec<crate::web::handlers::indicators::Group>,
    >,
    /// Audit reports already laid out, by content.
    pub reports: crate::services::reports::Rendered,
}

pub struct Application {
    port: u16,
    server: Server,
    /// The first administrator's one-time password, when this start created the account.
    pub initial_admin_password: Option<String>,
    pub db: Db,
}

/// Opens the database named by the settings: migrates it, then builds the pool.
pub fn open_database(settings: &Settings) -> anyhow::Result<Db> {
    let url = DbUrl::parse(&settings.database_url()).map_err(anyhow::Error::msg)?;
    db::migrate(&url).map_err(anyhow::Error::msg)?;
    Db::open(&url, settings.pool_size.max(1)).map_err(anyhow::Error::msg)
}

/// Imports the frameworks shipped in the binary; versions already there are left alone.
async fn import_bundled_frameworks(db: &Db) -> anyhow::Result<()> {
    let report = db
        .write(|conn| frameworks::import_bundled(conn, &Actor::system("start-up")))
        .await
        .map_err(|error| match error {
            AppError::FrameworkFiles(errors) => {
                let lines: Vec<String> = errors
                    .iter()
                    .map(|e| i18n::framework_error(Lang::En, e))
                    .collect();
                anyhow::anyhow!(
                    "the bundled frameworks cannot be imported:\n{}",
                    lines.join("\n")
                )
            }
            other => anyhow::anyhow!("cannot import the bundled frameworks: {other}"),
        })?;
    for (_, code, version) in &report.imported {
        log::info!("framework {code} {version} imported");
    }
    Ok(())
}

impl Application {
    pub async fn build(settings: &Settings) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(&settings.bind)
            .with_context(|| format!("cannot listen on {}", settings.bind))?;
        Self::build_with_listener(settings, listener).await
    }

    pub async fn build_with_listener(
        settings: &Settings,
        listener: TcpListener,
    ) -> anyhow::Result<Self> {
        let db = open_database(settings)?;
        let initial_admin_password = db
            .write(user::bootstrap_admin)
            .await
            .map_err(|e: AppError| anyhow::anyhow!("cannot create the first administrator: {e}"))?;
        import_bundled_frameworks(&db).await?;
        let master = settings.cookie_master_key().map_err(anyhow::Error::msg)?;
        let key = Key::derive_from(&master);
        let templates = Templates::load().map_err(anyhow::Error::msg)?;
        let state = web::Data::new(AppState {
            db: db.clone(),
            templates,
            idle_secs: i64::try_from(settings.session_idle().as_secs()).unwrap_or(i64::MAX),
            storage: Box::new(crate::storage::LocalStorage::new(
                settings.data_dir.join("evidence"),
            )),
            upload_limit: settings.upload_limit_mb.saturating_mul(1024 * 1024),
            clock: settings.clock.clone(),
            oidc: settings
                .oidc
                .providers()?
                .into_iter()
                .map(|config| std::sync::Arc::new(crate::auth::oidc::Provider::new(config)))
                .collect(),
            smtp: settings.smtp.clone(),
            shown_settings: settings.shown(),
            dashboards: Memo::default(),
            calendars: Memo::default(),
            peers: Memo::default(),
            boards: Memo::default(),
            reports: crate::services::reports::Rendered::at(settings.public_url.as_deref()),
            accessibility_contact: settings.accessibility_contact.clone(),
            // A long screen's rows are kept laid out (about a megabyte for 300 rows).
            screens: Memo::with_capacity(32),
            dashboard_pages: Memo::default(),
            calendar_lists: Memo::default(),
            audit_shared: Memo::default(),
            public_origin: settings
                .public_url
                .as_ref()
                .map(|u| u.trim_end_matches('/').to_owned()),
        });
        let port = listener.local_addr()?.port();
        let cookie_secure = settings.cookie_secure;
        let mut server = HttpServer::new(move || {
            let sessions = SessionMiddleware::builder(CookieSessionStore::default(), key.clone())
                .cookie_name(crate::auth::session::cookie_name(cookie_secure).to_owned())
                .cookie_secure(cookie_secure)
                .cookie_http_only(true)
                .cookie_same_site(SameSite::Lax)
                .cookie_content_security(CookieContentSecurity::Private)
                .session_lifecycle(BrowserSession::default())
                .build();
            App::new()
                .app_data(state.clone())
                .app_data(routes::json_config())
                .app_data(routes::form_config())
                .app_data(routes::query_config())
                .configure(routes::configure)
                .wrap(from_fn(middleware::csrf_protection))
                .wrap(from_fn(middleware::error_pages))
                .wrap(from_fn(middleware::no_store))
                .wrap(sessions)
                .wrap(middleware::security_headers(cookie_secure))
                .wrap(Compress::default())
                .wrap(Logger::new("%a \"%r\" %s %b %Dms"))
        })
        // A blocking thread beyond the pool's connections would only wait for one (and keep a
        // memory arena of its own): two more per worker serve password checks and PDF layout.
        .worker_max_blocking_threads(usize::try_from(settings.pool_size.max(1)).unwrap_or(8) + 2)
        .listen(listener)?;
        if let Some(workers) = settings.workers {
            server = server.workers(workers.max(1));
        }
        Ok(Self {
            port,
            server: server.run(),
            initial_admin_password,
            db,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server (tests stop theirs when done).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
