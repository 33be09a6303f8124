//! Journeys in a real browser: headless Chromium (Debian's `chromium` and `chromium-driver`)
//! driven over WebDriver against the real application, and axe-core run on every main page.
//!
//! Each step leaves a screenshot under `target/browser-artifacts/<test>/`: the folder is
//! removed when the test passes and kept, with a last screenshot, when it fails. Without
//! Chromium the tests say so and pass, unless QUALITRACK_BROWSER_TESTS=required (CI).

mod accessibility;
mod driver;
mod homes;
mod journeys;
mod offline;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use driver::{Driver, Element};

/// axe-core, vendored from npm (see vendor/VENDORED.md).
const AXE: &str = include_str!("vendor/axe.min.js");

/// How long a step may wait for the page to show what it expects.
const PATIENCE: Duration = Duration::from_secs(15);

pub struct Browser {
    driver: Driver,
    base: String,
    artifacts: PathBuf,
    step: usize,
    downloads: tempfile::TempDir,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.step("echec");
            eprintln!(
                "browser screenshots and chromedriver log kept in {}",
                self.artifacts.display()
            );
        } else {
            let _ = std::fs::remove_dir_all(&self.artifacts);
        }
    }
}

/// A browser on the app at `base`, its screenshots filed under `test`; `None` (and a note)
/// when Chromium is not installed and the browser tests are not required.
pub fn open(base: &str, test: &str) -> Option<Browser> {
    if !driver::chromium().exists() || !driver::chromedriver().exists() {
        let required = std::env::var("QUALITRACK_BROWSER_TESTS").is_ok_and(|v| v == "required");
        assert!(
            !required,
            "QUALITRACK_BROWSER_TESTS=required but {} or {} is missing",
            driver::chromium().display(),
            driver::chromedriver().display()
        );
        eprintln!("SKIPPED {test}: no Chromium (apt-get install chromium chromium-driver)");
        return None;
    }
    let backend = if std::env::var("QUALITRACK_TEST_DATABASE_URL").is_ok_and(|v| !v.is_empty()) {
        "postgres"
    } else {
        "sqlite"
    };
    let artifacts = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target folder")
        .join("browser-artifacts")
        .join(format!("{test}-{backend}"));
    let _ = std::fs::remove_dir_all(&artifacts);
    std::fs::create_dir_all(&artifacts).expect("artifacts folder");
    let profile = tempfile::tempdir().expect("profile folder");
    let downloads = tempfile::tempdir().expect("downloads folder");
    let driver = Driver::start(
        profile.path(),
        downloads.path(),
        &artifacts.join("chromedriver.log"),
    );
    Some(Browser {
        driver,
        base: base.to_owned(),
        artifacts,
        step: 0,
        downloads,
        _profile: profile,
    })
}

/// Waits until `check` gives something, or fails with `what` after a while.
fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(found) = check() {
            return found;
        }
        assert!(started.elapsed() < PATIENCE, "waited in vain for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

impl Browser {
    /// A screenshot of the page as it stands, numbered in the order of the steps.
    pub fn step(&mut self, label: &str) {
        self.step += 1;
        if let Some(png) = self.driver.screenshot() {
            let name = format!("{:02}-{label}.png", self.step);
            let _ = std::fs::write(self.artifacts.join(name), png);
        }
    }

    /// A screenshot at `width`×`height` (CSS pixels, the viewport as a phone or a laptop
    /// shows it) kept whatever the outcome, under `target/browser-screenshots/`; returns how
    /// wide the page is laid out there (wider than `width`: it scrolls sideways).
    pub fn keep_screenshot(&self, name: &str, width: u32, height: u32) -> u64 {
        let metrics = json!({
            "cmd": "Emulation.setDeviceMetricsOverride",
            "params": { "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600 },
        });
        // Chromium's own command: a headless window cannot be made narrower than ~500 px.
        let _ = self.driver.call("POST", "/goog/cdp/execute", Some(metrics));
        let _ = self.driver.execute("window.scrollTo(0, 0);", &[]);
        let folder = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .parent()
            .expect("the target folder")
            .join("browser-screenshots");
        std::fs::create_dir_all(&folder).expect("screenshots folder");
        let file = folder.join(format!("{name}-{width}x{height}.png"));
        let png = self.driver.screenshot().expect("a screenshot");
        std::fs::write(&file, png).expect("the screenshot is written");
        let laid_out = self
            .driver
            .execute("return document.documentElement.scrollWidth;", &[])
            .as_u64()
            .unwrap_or(0);
        let clear = json!({ "cmd": "Emulation.clearDeviceMetricsOverride", "params": {} });
        let _ = self.driver.call("POST", "/goog/cdp/execute", Some(clear));
        laid_out
    }

    /// How tall (CSS pixels) the element `css` selects is laid out in a `width`×`height`
    /// viewport (a phone's, a laptop's).
    pub fn height_at(&self, css: &str, width: u32, height: u32) -> f64 {
        self.wait_for(css);
        let metrics = json!({
            "cmd": "Emulation.setDeviceMetricsOverride",
            "params": { "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600 },
        });
        let _ = self.driver.call("POST", "/goog/cdp/execute", Some(metrics));
        // Measured once the page is laid out at that width (two frames after it applies).
        eventually(&format!("a {width} px wide layout"), || {
            let now = self.driver.execute("return window.innerWidth;", &[]);
            (now.as_u64() == Some(u64::from(width))).then_some(())
        });
        let script = format!(
            "var done = arguments[arguments.length - 1];
             requestAnimationFrame(function () {{ requestAnimationFrame(function () {{
               done(document.querySelector({css:?}).getBoundingClientRect().height);
             }}); }});"
        );
        let measured = self
            .driver
            .execute_async(&script, &[])
            .as_f64()
            .unwrap_or(f64::MAX);
        let clear = json!({ "cmd": "Emulation.clearDeviceMetricsOverride", "params": {} });
        let _ = self.driver.call("POST", "/goog/cdp/execute", Some(clear));
        measured
    }

    /// Whether the element `css` selects is wider than the room it has (its content scrolls
    /// sideways in it); a pixel more is the rounding of fractional widths, not a scroll.
    pub fn overflows(&self, css: &str) -> bool {
        self.wait_for(css);
        let script = format!(
            "const e = document.querySelector({css:?}); return e.scrollWidth > e.clientWidth + 1;"
        );
        self.driver.execute(&script, &[]).as_bool().unwrap_or(true)
    }

    pub fn visit(&self, path: &str) {
        self.driver.goto(&format!("{}{path}", self.base));
    }

    /// The current address without the server's, query included.
    pub fn path(&self) -> String {
        let url = self.driver.url();
        url.strip_prefix(&self.base).unwrap_or(&url).to_owned()
    }

    pub fn wait_for(&self, css: &str) -> Element {
        eventually(css, || self.driver.find(css))
    }

    pub fn wait_path(&self, prefix: &str) -> String {
        eventually(&format!("an address starting {prefix}"), || {
            Some(self.path()).filter(|p| p.starts_with(prefix))
        })
    }

    /// Waits until the page's visible text holds `text`.
    pub fn wait_text(&self, text: &str) {
        eventually(&format!("« {text} » on {}", self.path()), || {
            self.text().contains(text).then_some(())
        });
    }

    pub fn has(&self, css: &str) -> bool {
        self.driver.find(css).is_some()
    }

    pub fn count(&self, css: &str) -> usize {
        self.driver.find_all(css).len()
    }

    /// The page's visible text.
    pub fn text(&self) -> String {
        self.driver
            .execute("return document.body.innerText;", &[])
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub fn text_of(&self, css: &str) -> String {
        let element = self.wait_for(css);
        self.driver.text(&element)
    }

    /// Clicks what `css` designates once it can be clicked (a page may still be settling).
    pub fn click(&self, css: &str) {
        let mut last = String::from("not found");
        let started = Instant::now();
        loop {
            match self.driver.find(css).map(|e| self.driver.click(&e)) {
                Some(Ok(())) => return,
                Some(Err(e)) => last = format!("{} — {}", e.code, e.message),
                None => {}
            }
            assert!(
                started.elapsed() < PATIENCE,
                "a click on {css} failed: {last}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Clears a field and types `value` into it.
    pub fn fill(&self, css: &str, value: &str) {
        let element = self.wait_for(css);
        self.driver.clear(&element);
        self.driver.type_into(&element, value);
    }

    /// Chooses the option of value `value` in the select `css`.
    pub fn choose(&self, css: &str, value: &str) {
        self.click(&format!("{css} option[value=\"{value}\"]"));
    }

    /// Gives a file input the path of a file on disk, as a user picking it would.
    pub fn attach(&self, css: &str, file: &Path) {
        let element = self.wait_for(css);
        self.driver.type_into(&element, &file.display().to_string());
    }

    /// Presses keys, each with the modifiers held.
    pub fn press(&self, modifiers: &[&str], keys: &[&str]) {
        self.driver.press(modifiers, keys);
    }

    /// The id of the element that has the keyboard focus.
    pub fn focused_id(&self) -> String {
        self.driver
            .execute(
                "var a = document.activeElement; return a ? (a.id || a.tagName) : '';",
                &[],
            )
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub fn checked(&self, css: &str) -> bool {
        let element = self.wait_for(css);
        self.driver.property(&element, "checked") == json!(true)
    }

    /// Signs in through the login page and waits to leave it.
    pub fn sign_in(&mut self, email: &str, password: &str) {
        self.visit("/connexion");
        self.fill("#f-email", email);
        self.fill("#f-password", password);
        self.click("form[action=\"/connexion\"] button[type=submit]");
        eventually("leaving the login page", || {
            (self.path() != "/connexion").then_some(())
        });
        self.second_step(email);
    }

    /// The second factor's step, as its owner takes it: the app's code typed, or the app set
    /// up first (the key read from the page) when the account's role requires one.
    pub fn second_step(&self, email: &str) {
        let path = self.path();
        if path.starts_with("/compte/second-facteur") {
            let key = self.text_of(".secret-key");
            crate::factors::remember(&self.base, email, &key);
            self.fill("#f-code", &crate::factors::next_code(&self.base, email));
            self.click("form[action=\"/compte/second-facteur\"] button[type=submit]");
            self.wait_for("ol.codes");
        } else if path.starts_with("/connexion/code") {
            self.fill("#f-code", &crate::factors::next_code(&self.base, email));
            self.click("form[action=\"/connexion/code\"] button[type=submit]");
            eventually("leaving the code page", || {
                (!self.path().starts_with("/connexion")).then_some(())
            });
        }
    }

    /// Cuts the browser from the network, or gives it back (chromedriver's network
    /// conditions: the page, its requests and its service worker see no network).
    pub fn offline(&self, cut: bool) {
        if cut {
            let conditions = json!({ "network_conditions": {
                "offline": true, "latency": 0, "download_throughput": 0, "upload_throughput": 0,
            }});
            self.driver
                .call("POST", "/chromium/network_conditions", Some(conditions))
                .expect("network conditions");
        } else {
            let _ = self
                .driver
                .call("DELETE", "/chromium/network_conditions", None);
        }
    }

    /// From now on, a phone's screen (390×844, touch), until the browser closes.
    pub fn as_phone(&self) {
        let metrics = json!({
            "cmd": "Emulation.setDeviceMetricsOverride",
            "params": { "width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": true },
        });
        let _ = self.driver.call("POST", "/goog/cdp/execute", Some(metrics));
    }

    /// Forgets the session's cookie, as a session that expired would.
    pub fn drop_cookies(&self) {
        let _ = self.driver.call("DELETE", "/cookie", None);
    }

    /// Signs out with the header's button.
    pub fn sign_out(&self) {
        self.click("form[action=\"/deconnexion\"] button");
        self.wait_path("/connexion");
    }

    /// A file the browser downloaded, once complete: its name and bytes.
    pub fn downloaded(&self, suffix: &str) -> (String, Vec<u8>) {
        eventually(&format!("a downloaded {suffix} file"), || {
            std::fs::read_dir(self.downloads.path())
                .ok()?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .find(|p| p.to_string_lossy().ends_with(suffix))
                .and_then(|p| {
                    let bytes = std::fs::read(&p).ok()?;
                    let name = p.file_name()?.to_string_lossy().into_owned();
                    (!bytes.is_empty()).then_some((name, bytes))
                })
        })
    }

    /// axe-core's serious and critical violations of WCAG 2.1 A and AA on the page, one line
    /// each: rule, impact, and the first elements at fault.
    pub fn accessibility_violations(&self) -> Vec<String> {
        self.driver
            .execute(&format!("{AXE}\nreturn typeof window.axe;"), &[]);
        let found: Value = self.driver.execute_async(
            "var done = arguments[arguments.length - 1];
             window.axe.run(document, { runOnly: { type: 'tag',
                 values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })
               .then(function (r) { done(r.violations.map(function (v) {
                   return { id: v.id, impact: v.impact, help: v.help,
                            nodes: v.nodes.slice(0, 3).map(function (n) { return n.target.join(' '); }) };
               })); })
               .catch(function (e) { done([{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }]); });",
            &[],
        );
        found
            .as_array()
            .into_iter()
            .flatten()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .map(|v| {
                format!(
                    "{} ({}): {} — {}",
                    v["id"].as_str().unwrap_or_default(),
                    v["impact"].as_str().unwrap_or_default(),
                    v["help"].as_str().unwrap_or_default(),
                    v["nodes"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(" | ")
                )
            })
            .collect()
    }
}

/// The demo (`qualitrack demo`) served by the real app: four organismes with audits at every
/// stage, the people who use them, and the ids of what the pages show.
pub struct Demo {
    pub app: crate::helpers::TestApp,
    pub password: String,
    pub quality_manager: String,
    pub observer: String,
    pub auditor: String,
    ids: Vec<(&'static str, String)>,
}

impl Demo {
    /// `pattern` with each `{name}` replaced by the demo's id of that name.
    pub fn fill(&self, pattern: &str) -> String {
        let mut path = pattern.to_owned();
        for (name, id) in &self.ids {
            path = path.replace(&format!("{{{name}}}"), id);
        }
        assert!(!path.contains('{'), "{pattern}: an id is missing");
        path
    }
}

#[derive(diesel::QueryableByName)]
struct Line {
    #[diesel(sql_type = diesel::sql_types::Text)]
    line: String,
}

/// The first value the query gives (it names its column `line`).
fn first(app: &crate::helpers::TestApp, sql: String) -> String {
    use diesel::RunQueryDsl;
    app.with_db(move |conn| {
        let found: Vec<Line> = diesel::sql_query(&sql).load(conn)?;
        Ok(found
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("nothing for {sql}"))
            .line)
    })
}

pub fn demo() -> Demo {
    let database = crate::helpers::test_database();
    let loaded = crate::cli::qualitrack(&database.url, database.dir.path(), &["demo"], "");
    let stdout = String::from_utf8_lossy(&loaded.stdout).into_owned();
    assert!(
        loaded.status.success(),
        "{}",
        String::from_utf8_lossy(&loaded.stderr)
    );
    let (password, _) = crate::generate::printed_login(&stdout);
    let app = crate::helpers::spawn_app_on(database);
    let org = first(
        &app,
        "SELECT id AS line FROM organisations WHERE name = 'Loire Océan Habitat'".into(),
    );
    let planned = first(
        &app,
        format!(
            "SELECT id AS line FROM audits WHERE organisation_id = '{org}' AND state = 'planned' \
             ORDER BY start_date"
        ),
    );
    let onsite = first(
        &app,
        "SELECT id AS line FROM audits WHERE state = 'on_site' ORDER BY id".into(),
    );
    let auditor = first(
        &app,
        format!(
            "SELECT u.email AS line FROM users u JOIN audits a ON a.lead_auditor_id = u.id \
             WHERE a.id = '{onsite}'"
        ),
    );
    let ids = demo_ids(&app, org, planned, onsite);
    Demo {
        app,
        password,
        quality_manager: "qualite@loire-ocean-habitat.test".into(),
        observer: "observateur@loire-ocean-habitat.test".into(),
        auditor,
        ids,
    }
}

/// The ids the accessibility test fills its pages with: of the organisme (`org`), its planned
/// audit, the audit on site, and what they hold.
fn demo_ids(
    app: &crate::helpers::TestApp,
    org: String,
    planned: String,
    onsite: String,
) -> Vec<(&'static str, String)> {
    vec![
        (
            "site",
            first(
                app,
                format!(
                    "SELECT id AS line FROM sites WHERE organisation_id = '{org}' ORDER BY name"
                ),
            ),
        ),
        (
            "framework",
            first(
                app,
                format!("SELECT framework_id AS line FROM audits WHERE id = '{planned}'"),
            ),
        ),
        (
            "commitment",
            first(
                app,
                format!("SELECT commitment_id AS line FROM audits WHERE id = '{planned}'"),
            ),
        ),
        (
            "evidence",
            first(
                app,
                format!(
                    "SELECT id AS line FROM evidence WHERE organisation_id = '{org}' ORDER BY title"
                ),
            ),
        ),
        (
            "indicator",
            first(
                app,
                format!(
                    "SELECT indicator_code AS line FROM indicator_values \
                     WHERE organisation_id = '{org}' ORDER BY indicator_code"
                ),
            ),
        ),
        (
            "survey",
            first(
                app,
                format!("SELECT id AS line FROM survey_waves WHERE organisation_id = '{org}'"),
            ),
        ),
        (
            "action",
            first(app, "SELECT id AS line FROM actions ORDER BY id".into()),
        ),
        ("org", org),
        ("planned", planned),
        ("onsite", onsite),
    ]
}
