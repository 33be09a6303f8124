//! A WebDriver client for the browser tests: the dozen W3C WebDriver commands the journeys
//! use, sent to Debian's chromedriver over the HTTP client the other tests already use (the
//! WebDriver crates bring an async HTTP stack of their own for these few JSON requests).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

/// Where Debian puts the browser and its driver; overridable for other systems.
fn program(variable: &str, default: &str) -> PathBuf {
    std::env::var_os(variable).map_or_else(|| PathBuf::from(default), PathBuf::from)
}

pub fn chromium() -> PathBuf {
    program("QUALITRACK_CHROMIUM", "/usr/bin/chromium")
}

pub fn chromedriver() -> PathBuf {
    program("QUALITRACK_CHROMEDRIVER", "/usr/bin/chromedriver")
}

/// An element found on the page: the reference WebDriver returned, kept with its key so that
/// it can be passed back as a script argument.
#[derive(Clone, Debug)]
pub struct Element {
    key: String,
    id: String,
}

impl Element {
    fn from(value: &Value) -> Option<Element> {
        let (key, id) = value.as_object()?.iter().next()?;
        Some(Element {
            key: key.clone(),
            id: id.as_str()?.to_owned(),
        })
    }

    pub fn json(&self) -> Value {
        json!({ self.key.as_str(): self.id })
    }
}

/// A WebDriver error: its code (`no such element`, …) and message.
#[derive(Debug)]
pub struct DriverError {
    pub code: String,
    pub message: String,
}

/// One chromedriver process with one headless Chromium session; both end with it.
pub struct Driver {
    process: Child,
    agent: ureq::Agent,
    session: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.agent.delete(&self.session).call();
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

impl Driver {
    /// Starts chromedriver on a free port and opens a headless Chromium with a fresh profile,
    /// French first, downloads going to `downloads` without a prompt.
    pub fn start(profile: &Path, downloads: &Path, log: &Path) -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let process = Command::new(chromedriver())
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(90)))
            .build()
            .into();
        let root = format!("http://127.0.0.1:{port}");
        let mut driver = Driver {
            process,
            agent,
            session: String::new(),
        };
        let started = Instant::now();
        while driver
            .agent
            .get(format!("{root}/status"))
            .call()
            .ok()
            .and_then(|mut r| r.body_mut().read_json::<Value>().ok())
            .is_none_or(|v| v["value"]["ready"] != json!(true))
        {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not answer on port {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        // Without the background-networking flags Chromium keeps reaching for Google's hosts,
        // which a closed network refuses; the sandbox needs a user namespace CI may not give.
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-search-engine-choice-screen",
            // Smooth scrolling (the stylesheet's, unless motion is reduced) would move elements
            // while WebDriver clicks them.
            "--force-prefers-reduced-motion",
            "--window-size=1280,900",
            "--lang=fr-FR",
            &format!("--user-data-dir={}", profile.display()),
        ];
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "timeouts": { "script": 60_000, "pageLoad": 30_000, "implicit": 0 },
            "goog:chromeOptions": {
                "binary": chromium(),
                "args": args,
                "prefs": {
                    "intl.accept_languages": "fr-FR,fr",
                    "download.default_directory": downloads,
                    "download.prompt_for_download": false,
                    "plugins.always_open_pdf_externally": true,
                },
            },
        }}});
        let created = driver
            .send("POST", &format!("{root}/session"), Some(capabilities))
            .unwrap_or_else(|e| panic!("Chromium session: {} — {}", e.code, e.message));
        let id = created["sessionId"]
            .as_str()
            .expect("a session id")
            .to_owned();
        driver.session = format!("{root}/session/{id}");
        driver
    }

    fn send(&self, method: &str, url: &str, body: Option<Value>) -> Result<Value, DriverError> {
        let response = match (method, body) {
            ("GET", _) => self.agent.get(url).call(),
            ("DELETE", _) => self.agent.delete(url).call(),
            (_, body) => self
                .agent
                .post(url)
                .send_json(body.unwrap_or_else(|| json!({}))),
        };
        let mut response = response.map_err(|e| DriverError {
            code: "transport".into(),
            message: e.to_string(),
        })?;
        let ok = response.status().is_success();
        let value: Value = response
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_json()
            .map_err(|e| DriverError {
                code: "answer".into(),
                message: e.to_string(),
            })?;
        let value = value.get("value").cloned().unwrap_or(Value::Null);
        if ok {
            Ok(value)
        } else {
            Err(DriverError {
                code: value["error"].as_str().unwrap_or("unknown").to_owned(),
                message: value["message"]
                    .as_str()
                    .unwrap_or_default()
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
            })
        }
    }

    /// A command of this session (`path` after `/session/{id}`).
    pub fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, DriverError> {
        self.send(method, &format!("{}{path}", self.session), body)
    }

    fn must(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.call(method, path, body)
            .unwrap_or_else(|e| panic!("WebDriver {method} {path}: {} — {}", e.code, e.message))
    }

    pub fn goto(&self, url: &str) {
        self.must("POST", "/url", Some(json!({ "url": url })));
    }

    pub fn url(&self) -> String {
        self.must("GET", "/url", None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub fn find(&self, css: &str) -> Option<Element> {
        let body = json!({ "using": "css selector", "value": css });
        match self.call("POST", "/element", Some(body)) {
            Ok(v) => Element::from(&v),
            Err(e) if e.code == "no such element" => None,
            Err(e) => panic!("finding {css}: {} — {}", e.code, e.message),
        }
    }

    pub fn find_all(&self, css: &str) -> Vec<Element> {
        let body = json!({ "using": "css selector", "value": css });
        self.must("POST", "/elements", Some(body))
            .as_array()
            .map(|a| a.iter().filter_map(Element::from).collect())
            .unwrap_or_default()
    }

    pub fn click(&self, element: &Element) -> Result<(), DriverError> {
        self.call("POST", &format!("/element/{}/click", element.id), None)
            .map(drop)
    }

    pub fn clear(&self, element: &Element) {
        self.must("POST", &format!("/element/{}/clear", element.id), None);
    }

    /// Types `text` into the element, as keystrokes (a file path for a file input).
    pub fn type_into(&self, element: &Element, text: &str) {
        self.must(
            "POST",
            &format!("/element/{}/value", element.id),
            Some(json!({ "text": text })),
        );
    }

    pub fn text(&self, element: &Element) -> String {
        self.must("GET", &format!("/element/{}/text", element.id), None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub fn property(&self, element: &Element, name: &str) -> Value {
        self.must(
            "GET",
            &format!("/element/{}/property/{name}", element.id),
            None,
        )
    }

    pub fn execute(&self, script: &str, args: &[Value]) -> Value {
        self.must(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// A script that ends by calling its last argument with its result.
    pub fn execute_async(&self, script: &str, args: &[Value]) -> Value {
        self.must(
            "POST",
            "/execute/async",
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// Presses keys one after the other, each with the modifiers held (WebDriver key codes:
    /// `\u{E007}` Enter, `\u{E009}` Control, `\u{E00C}` Escape, `\u{E004}` Tab).
    pub fn press(&self, modifiers: &[&str], keys: &[&str]) {
        let mut actions: Vec<Value> = Vec::new();
        for m in modifiers {
            actions.push(json!({ "type": "keyDown", "value": m }));
        }
        // WebDriver takes one character per key: a word is typed letter by letter.
        for k in keys.iter().flat_map(|k| k.chars()) {
            actions.push(json!({ "type": "keyDown", "value": k.to_string() }));
            actions.push(json!({ "type": "keyUp", "value": k.to_string() }));
        }
        for m in modifiers.iter().rev() {
            actions.push(json!({ "type": "keyUp", "value": m }));
        }
        let body = json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": actions }] });
        self.must("POST", "/actions", Some(body));
        self.must("DELETE", "/actions", None);
    }

    pub fn screenshot(&self) -> Option<Vec<u8>> {
        let encoded = self.call("GET", "/screenshot", None).ok()?;
        base64::engine::general_purpose::STANDARD
            .decode(encoded.as_str()?)
            .ok()
    }
}
