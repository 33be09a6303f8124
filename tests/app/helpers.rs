//! Spawns the real application on port 0 with its own database (a temporary SQLite file, or
//! a fresh PostgreSQL schema when QUALITRACK_TEST_DATABASE_URL is set) and drives it over HTTP.

use std::net::TcpListener;
use std::sync::mpsc;

use diesel::Connection;
use diesel::connection::SimpleConnection;
use qualitrack::auth::password;
use qualitrack::config::Settings;
use qualitrack::db::Db;
use qualitrack::domain::Role;
use qualitrack::models::history::Actor;
use qualitrack::models::organisation::{self, OrganisationForm, OrganisationInput};
use qualitrack::models::user::{self, UserForm, UserInput};
use qualitrack::startup::Application;

pub const PASSWORD: &str = "une phrase de passe solide";

pub struct TestApp {
    pub base: String,
    /// The database the app runs on, for commands run beside it.
    pub database_url: String,
    pub data_dir: std::path::PathBuf,
    pub admin_password: String,
    pub db: Db,
    handle: actix_web::dev::ServerHandle,
    _database: TestDatabase,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

/// A test's own database and data directory: a temporary SQLite file, or a fresh PostgreSQL
/// schema (dropped with it) when QUALITRACK_TEST_DATABASE_URL is set.
pub struct TestDatabase {
    pub url: String,
    pub dir: tempfile::TempDir,
    pg_schema: Option<(String, String)>,
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((admin_url, schema)) = &self.pg_schema
            && let Ok(mut conn) = diesel::PgConnection::establish(admin_url)
        {
            let _ = conn.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}

impl TestDatabase {
    /// A database made by the test itself (a restored copy), which it cleans up.
    pub fn at(url: String) -> TestDatabase {
        TestDatabase {
            url,
            dir: tempfile::tempdir().expect("temporary directory"),
            pg_schema: None,
        }
    }
}

/// A browser without cookies for the server at `base` (another process, say).
pub fn client_at(base: &str) -> Client {
    client_as(base, "qualitrack-tests")
}

/// A browser that names itself `user_agent` (as the account's list of sessions shows it).
pub fn client_as(base: &str, user_agent: &str) -> Client {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .user_agent(user_agent)
        .build()
        .into();
    Client {
        base: base.to_owned(),
        agent,
    }
}

pub fn test_database() -> TestDatabase {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (url, pg_schema) = match std::env::var("QUALITRACK_TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            let schema = format!("qt_{}", uuid::Uuid::now_v7().simple());
            let mut conn =
                diesel::PgConnection::establish(&admin_url).expect("PostgreSQL for tests");
            conn.batch_execute(&format!("CREATE SCHEMA {schema}"))
                .expect("create schema");
            let separator = if admin_url.contains('?') { '&' } else { '?' };
            (
                format!("{admin_url}{separator}options=-csearch_path%3D{schema}"),
                Some((admin_url, schema)),
            )
        }
        _ => (
            format!("sqlite://{}", dir.path().join("test.db").display()),
            None,
        ),
    };
    TestDatabase {
        url,
        dir,
        pg_schema,
    }
}

fn settings(dir: &std::path::Path, database_url: String) -> Settings {
    Settings {
        database_url: Some(database_url),
        data_dir: dir.to_path_buf(),
        bind: "127.0.0.1:0".into(),
        secret_key: None,
        cookie_secure: false,
        session_idle_minutes: 30,
        public_url: None,
        workers: Some(1),
        smtp: qualitrack::config::SmtpSettings::default(),
        oidc: qualitrack::config::OidcSettings::default(),
        accessibility_contact: Some("accessibilite@exemple.fr".into()),
        upload_limit_mb: 1,
        pool_size: 4,
        clock: qualitrack::clock::Clock::system(),
    }
}

pub fn spawn_app() -> TestApp {
    let app = spawn_app_on(test_database());
    assert!(
        !app.admin_password.is_empty(),
        "first start creates the administrator"
    );
    app
}

/// The application on a database prepared beforehand (by a command, say); the administrator's
/// password is empty when the database had accounts already.
pub fn spawn_app_on(database: TestDatabase) -> TestApp {
    spawn_app_with(database, |_| {})
}

/// The application with some settings changed (secure cookies, say).
pub fn spawn_app_with(database: TestDatabase, change: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_app_at(database, |settings, _| change(settings))
}

/// The application with settings that need its own address (`http://127.0.0.1:PORT`): an
/// identity provider's redirection, say.
pub fn spawn_app_at(database: TestDatabase, change: impl FnOnce(&mut Settings, &str)) -> TestApp {
    let database_url = database.url.clone();
    let mut settings = settings(database.dir.path(), database_url.clone());
    // Second-factor codes are checked at a clock the tests move (`factors`).
    settings.clock = qualitrack::clock::Clock::manual(chrono::Utc::now().timestamp());
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    let port = listener.local_addr().unwrap().port();
    change(&mut settings, &format!("http://127.0.0.1:{port}"));
    let clock = settings.clock.clone();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let app = Application::build_with_listener(&settings, listener)
                .await
                .expect("application builds");
            tx.send((
                app.initial_admin_password.clone(),
                app.db.clone(),
                app.handle(),
            ))
            .unwrap();
            app.run_until_stopped().await
        })
    });
    let (admin_password, db, handle) = rx.recv().expect("application started");
    let base = format!("http://127.0.0.1:{port}");
    crate::factors::register(&base, clock);
    TestApp {
        base,
        database_url,
        data_dir: database.dir.path().to_path_buf(),
        admin_password: admin_password.unwrap_or_default(),
        db,
        handle,
        _database: database,
    }
}

/// A valid SIREN built from `n` (Luhn check digit computed).
fn api_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// A `multipart/form-data` body as a browser sends it: fields, then files named `files`.
fn multipart(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "qualitrack-test-boundary";
    let mut body: Vec<u8> = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, content) in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub fn siren(n: u32) -> String {
    let body = format!("{:08}", 10_000_000 + n);
    for check in 0..10 {
        let candidate = format!("{body}{check}");
        if qualitrack::domain::Siren::parse(&candidate).is_ok() {
            return candidate;
        }
    }
    unreachable!()
}

pub struct Resp {
    pub status: u16,
    pub body: String,
    /// The body as received, for files that are not text
    pub bytes: Vec<u8>,
    pub location: Option<String>,
    pub headers: Vec<(String, String)>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

fn read(response: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Resp {
    let mut response = response.expect("request sent");
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_owned()))
        .collect::<Vec<_>>();
    let location = response
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_vec()
        .unwrap_or_default();
    Resp {
        status: response.status().as_u16(),
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes,
        location,
        headers,
    }
}

/// A browser: keeps cookies, does not follow redirects (tests look at them).
pub struct Client {
    pub base: String,
    agent: ureq::Agent,
}

impl Client {
    pub fn get(&self, path: &str) -> Resp {
        read(self.agent.get(format!("{}{path}", self.base)).call())
    }

    /// A page of another site (an identity provider), with this browser's cookies.
    pub fn get_at(&self, url: &str) -> Resp {
        read(self.agent.get(url).call())
    }

    /// A form posted to another site, with this browser's cookies.
    pub fn post_at(&self, url: &str, fields: &[(&str, &str)]) -> Resp {
        read(self.agent.post(url).send_form(fields.iter().copied()))
    }

    pub fn get_with(&self, path: &str, header: (&str, &str)) -> Resp {
        read(
            self.agent
                .get(format!("{}{path}", self.base))
                .header(header.0, header.1)
                .call(),
        )
    }

    /// The CSRF token of this client's session, read from a page's meta tag.
    pub fn csrf_token(&self) -> String {
        let page = self.get("/api/docs");
        let marker = "name=\"csrf-token\" content=\"";
        let start = page.body.find(marker).expect("csrf meta tag") + marker.len();
        page.body[start..].split('"').next().unwrap().to_owned()
    }

    /// Posts a form as the browser would, with this session's CSRF token.
    pub fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let token = self.csrf_token();
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all, None)
    }

    /// Posts these fields with one more header (e.g. `HX-Request`).
    pub fn post_with_header(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        header: (&str, &str),
    ) -> Resp {
        read(
            self.agent
                .post(format!("{}{path}", self.base))
                .header(header.0, header.1)
                .send_form(fields.iter().copied()),
        )
    }

    /// Posts exactly these fields (no token added), optionally with an Origin header.
    pub fn post_raw(&self, path: &str, fields: &[(&str, &str)], origin: Option<&str>) -> Resp {
        let mut request = self.agent.post(format!("{}{path}", self.base));
        if let Some(origin) = origin {
            request = request.header("Origin", origin);
        }
        read(request.send_form(fields.iter().copied()))
    }

    /// Uploads text files as `multipart/form-data` (field `files`), the token first.
    pub fn upload(&self, path: &str, files: &[(&str, &str)]) -> Resp {
        let files: Vec<(&str, &[u8])> = files.iter().map(|(n, c)| (*n, c.as_bytes())).collect();
        self.upload_with(path, &[], &files)
    }

    /// Uploads form fields and files (any bytes) as a browser sends the page's form: the
    /// CSRF token as its first field.
    pub fn upload_with(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &[u8])],
    ) -> Resp {
        let token = self.csrf_token();
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.upload_raw(path, &all, files)
    }

    /// Uploads exactly these fields and files, adding no token.
    pub fn upload_raw(&self, path: &str, fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> Resp {
        self.upload_headed(path, fields, files, ("X-Test", "1"))
    }

    /// Uploads exactly these fields and files with one more header (`HX-Request`, as the
    /// page's script sends them).
    pub fn upload_headed(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &[u8])],
        header: (&str, &str),
    ) -> Resp {
        let (content_type, body) = multipart(fields, files);
        read(
            self.agent
                .post(format!("{}{path}", self.base))
                .header("Content-Type", content_type)
                .header(header.0, header.1)
                .send(&body[..]),
        )
    }

    /// Creates an API token on the account page, as a user would, and returns its secret.
    pub fn create_api_token(&self, name: &str) -> String {
        let page = self.post_form("/compte/jetons", &[("name", name)]);
        assert_eq!(page.status, 200, "{}", page.body);
        page.body
            .split("<code class=\"token\">")
            .nth(1)
            .and_then(|rest| rest.split('<').next())
            .expect("the new token is shown")
            .to_owned()
    }

    pub fn login(&self, email: &str, password: &str) -> Resp {
        self.post_form("/connexion", &[("email", email), ("password", password)])
    }
}

impl TestApp {
    pub fn client(&self) -> Client {
        client_at(&self.base)
    }

    /// Uploads files to the API as `multipart/form-data`; answers (status, JSON body).
    pub fn api_upload(
        &self,
        path: &str,
        token: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &[u8])],
    ) -> (u16, serde_json::Value) {
        let (content_type, body) = multipart(fields, files);
        let resp = read(
            api_agent()
                .post(format!("{}{path}", self.base))
                .header("Authorization", format!("Bearer {token}"))
                .header("Content-Type", content_type)
                .send(&body[..]),
        );
        let json =
            serde_json::from_str(&resp.body).unwrap_or_else(|_| panic!("not JSON: {}", resp.body));
        (resp.status, json)
    }

    /// A GET on the API answered with any body (a file download).
    pub fn api_raw(&self, path: &str, token: &str) -> Resp {
        read(
            api_agent()
                .get(format!("{}{path}", self.base))
                .header("Authorization", format!("Bearer {token}"))
                .call(),
        )
    }

    /// Calls the JSON API with an optional bearer token; answers (status, JSON body).
    pub fn api_call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let url = format!("{}{path}", self.base);
        let auth = token.map(|t| format!("Bearer {t}"));
        let response = if method == "GET" {
            let mut request = agent.get(&url);
            if let Some(auth) = &auth {
                request = request.header("Authorization", auth);
            }
            request.call()
        } else {
            let mut request = if method == "POST" {
                agent.post(&url)
            } else {
                agent.put(&url)
            };
            if let Some(auth) = &auth {
                request = request.header("Authorization", auth);
            }
            request.send_json(body.unwrap_or_default())
        };
        let mut response = response.expect("request sent");
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}")),
        )
    }

    /// The latest imported version of a framework, by code.
    pub fn framework_id(&self, code: &str) -> String {
        let code = code.to_owned();
        self.with_db(move |conn| {
            use diesel::prelude::*;
            use qualitrack::db::schema::frameworks;
            Ok(frameworks::table
                .filter(frameworks::code.eq(code))
                .order(frameworks::imported_at.desc())
                .select(frameworks::id)
                .first::<String>(conn)?)
        })
    }

    /// Runs `f` on a connection of the application's own pool.
    pub fn with_db<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut qualitrack::db::DbConnection) -> Result<T, qualitrack::error::AppError>
        + Send
        + 'static,
    ) -> T {
        let pool = self.db.pool().clone();
        let mut conn = pool.get().expect("connection");
        qualitrack::db::transaction(&mut conn, qualitrack::db::Access::Write, f)
            .expect("database work")
    }

    pub fn create_organisation(&self, name: &str, n: u32, region: &str) -> String {
        let form = OrganisationForm {
            name: name.into(),
            siren: siren(n),
            family: "oph".into(),
            region: region.into(),
            homes: "10000".into(),
            federation: String::new(),
            version: None,
        };
        self.with_db(move |conn| {
            let input = OrganisationInput::try_from(&form)
                .map_err(qualitrack::error::AppError::Validation)?;
            Ok(organisation::create(conn, &Actor::system("test"), &input)?.id)
        })
    }

    /// Creates an account with the test password (no forced change) and returns its e-mail.
    pub fn create_user(
        &self,
        role: Role,
        organisation: Option<&str>,
        region: Option<&str>,
    ) -> String {
        let email = format!(
            "{}-{}@exemple.fr",
            role.as_str().replace('_', "-"),
            uuid::Uuid::now_v7().simple()
        );
        let form = UserForm {
            email: email.clone(),
            name: format!("Test {}", role.as_str()),
            role: role.as_str().into(),
            organisation: organisation.unwrap_or_default().into(),
            region: region.unwrap_or_default().into(),
        };
        let hash = password::hash(PASSWORD).unwrap();
        self.with_db(move |conn| {
            let input =
                UserInput::try_from(&form).map_err(qualitrack::error::AppError::Validation)?;
            user::create(conn, &Actor::system("test"), &input, &hash, false)
        });
        email
    }

    /// A signed-in browser for a new account of `role`.
    pub fn login_as(&self, role: Role, organisation: Option<&str>, region: Option<&str>) -> Client {
        let email = self.create_user(role, organisation, region);
        let client = self.client();
        let response = client.login(&email, PASSWORD);
        assert_eq!(response.status, 303, "login of {email}: {}", response.body);
        // Administrators set up their second factor at their first sign-in.
        client.past_second_step(&email, response);
        client
    }

    pub fn admin(&self) -> Client {
        self.login_as(Role::Admin, None, None)
    }

    pub fn count(&self, table: &'static str) -> i64 {
        self.with_db(move |conn| {
            use diesel::RunQueryDsl;
            #[derive(diesel::QueryableByName)]
            struct Count {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
            }
            let row: Count =
                diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}")).get_result(conn)?;
            Ok(row.n)
        })
    }
}
