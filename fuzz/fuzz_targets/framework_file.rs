//! Any text given to the framework loader is either accepted or refused with located
//! errors; it never panics, and every error can be put into words.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qualitrack::domain::framework::validate;
use qualitrack::i18n::{Lang, framework_error};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let outcome = validate(&[("fuzz.toml".to_owned(), text.to_owned())], &[]);
    for error in outcome.errors.iter().chain(&outcome.warnings) {
        assert!(error.line >= 1 && error.column >= 1);
        let _ = framework_error(Lang::Fr, error);
    }
});
