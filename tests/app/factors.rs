//! The second factor as tests meet it: each server's clock (the tests move it), and the
//! authenticator app of every account enrolled, so that a sign-in types the code the person's
//! phone would show. Every code is taken one step after the last, so no test waits thirty
//! seconds and none meets a code already spent.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use qualitrack::auth::totp::{STEP, Secret};
use qualitrack::clock::Clock;

use crate::helpers::{Client, Resp};

#[derive(Default)]
struct Book {
    clocks: HashMap<String, Clock>,
    secrets: HashMap<(String, String), Secret>,
}

static BOOK: LazyLock<Mutex<Book>> = LazyLock::new(Mutex::default);

/// The clock of the server at `base`, registered when it starts.
pub fn register(base: &str, clock: Clock) {
    BOOK.lock().unwrap().clocks.insert(base.to_owned(), clock);
}

pub fn clock(base: &str) -> Clock {
    BOOK.lock()
        .unwrap()
        .clocks
        .get(base)
        .cloned()
        .expect("a server started by the tests")
}

/// Keeps the key an enrolment page showed (spaces between its groups ignored).
pub fn remember(base: &str, email: &str, shown_key: &str) -> Secret {
    let key: String = shown_key.chars().filter(|c| !c.is_whitespace()).collect();
    let secret = Secret::from_base32(&key).expect("a base32 key");
    BOOK.lock()
        .unwrap()
        .secrets
        .insert((base.to_owned(), email.to_owned()), secret.clone());
    secret
}

/// The code the account's app shows one step after the last one asked.
pub fn next_code(base: &str, email: &str) -> String {
    let clock = clock(base);
    clock.advance(i64::try_from(STEP).unwrap());
    let book = BOOK.lock().unwrap();
    let secret = book
        .secrets
        .get(&(base.to_owned(), email.to_owned()))
        .unwrap_or_else(|| panic!("{email} has enrolled no app"));
    secret.code_at(clock.unix())
}

/// The key shown on an enrolment page.
pub fn shown_key(page: &str) -> String {
    page.split("<code class=\"secret-key\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the key is shown")
        .to_owned()
}

/// The recovery codes shown once after enrolment.
pub fn shown_codes(page: &str) -> Vec<String> {
    page.split("<ol class=\"codes\">")
        .nth(1)
        .and_then(|rest| rest.split("</ol>").next())
        .map(|list| {
            list.split("<code>")
                .skip(1)
                .filter_map(|c| c.split('<').next().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

impl Client {
    /// Sets up an authenticator app for the signed-in account, as its owner would: the key
    /// read from the page, the app's code typed back. Returns the recovery codes shown.
    pub fn enrol(&self, email: &str) -> Vec<String> {
        let page = self.get("/compte/second-facteur");
        assert_eq!(page.status, 200, "{}", page.body);
        remember(&self.base, email, &shown_key(&page.body));
        let done = self.post_form(
            "/compte/second-facteur",
            &[("code", &next_code(&self.base, email))],
        );
        assert_eq!(done.status, 200, "{}", done.body);
        shown_codes(&done.body)
    }

    /// Takes a sign-in past its second step: the app's code, or the app set up first when
    /// the account's role requires one.
    pub fn past_second_step(&self, email: &str, first: Resp) -> Resp {
        match first.location.as_deref() {
            Some("/connexion/code") => self.post_form(
                "/connexion/code",
                &[("code", &next_code(&self.base, email))],
            ),
            Some("/compte/second-facteur") => {
                self.enrol(email);
                first
            }
            _ => first,
        }
    }
}
