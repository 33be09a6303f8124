//! Message catalogues (Fluent files under `locales/`, compiled into the binary), language
//! negotiation, and French formats for dates and numbers.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{Loader, static_loader};
use unic_langid::LanguageIdentifier;

use crate::domain::{FieldErrors, Invalid};
use crate::error::ErrorInfo;

static_loader! {
    pub static LOCALES = {
        locales: "./locales",
        fallback_language: "fr",
        // Bidi isolation marks would end up inside HTML attributes and CSV cells.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Fr,
    En,
}

pub const DEFAULT_LANG: Lang = Lang::Fr;

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Fr, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code.trim().to_ascii_lowercase().as_str() {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    fn id(self) -> LanguageIdentifier {
        match self {
            Lang::Fr => unic_langid::langid!("fr"),
            Lang::En => unic_langid::langid!("en"),
        }
    }

    /// Picks the first supported language of an `Accept-Language` header, French otherwise.
    pub fn negotiate(header: Option<&str>) -> Self {
        let Some(header) = header else {
            return DEFAULT_LANG;
        };
        let mut ranges: Vec<(f32, &str)> = header
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.trim().split(';');
                let tag = pieces.next()?.trim();
                let quality = pieces
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.parse().ok())
                    .unwrap_or(1.0);
                Some((quality, tag))
            })
            .collect();
        ranges.sort_by(|a, b| b.0.total_cmp(&a.0));
        ranges
            .iter()
            .filter(|(q, _)| *q > 0.0)
            .find_map(|(_, tag)| Lang::parse(tag.split('-').next().unwrap_or(tag)))
            .unwrap_or(DEFAULT_LANG)
    }
}

/// The message `key` in `lang`.
pub fn t(lang: Lang, key: &str) -> String {
    LOCALES.lookup(&lang.id(), key)
}

/// The message `key` in `lang`, if the catalogue has it.
pub fn t_opt(lang: Lang, key: &str) -> Option<String> {
    LOCALES.try_lookup(&lang.id(), key)
}

/// The message `key` in `lang`, with named arguments.
pub fn t_args(lang: Lang, key: &str, args: &[(&str, String)]) -> String {
    let args: HashMap<Cow<'static, str>, FluentValue> = args
        .iter()
        .map(|(name, value)| {
            // A count chooses its message's plural ("1 organisme", "2 organismes").
            let value = match value.parse::<i64>() {
                Ok(number) if *name == "count" => FluentValue::from(number),
                _ => FluentValue::from(value.clone()),
            };
            (Cow::Owned((*name).to_owned()), value)
        })
        .collect();
    LOCALES.lookup_with_args(&lang.id(), key, &args)
}

/// A validation message; argument values marked `@key` (or `@a,@b`) are catalogue keys,
/// translated too (the pure core names states and choices without knowing the language).
pub fn invalid(lang: Lang, error: &Invalid) -> String {
    let args: Vec<(&str, String)> = error
        .args
        .iter()
        .map(|(name, value)| {
            let shown = if value.starts_with('@') {
                value
                    .split(',')
                    .map(|part| {
                        part.strip_prefix('@')
                            .map_or_else(|| part.to_owned(), |key| t(lang, key))
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            } else {
                grouped(name, value)
            };
            (*name, shown)
        })
        .collect();
    t_args(lang, error.key, &args)
}

/// Sizes and bounds printed as numbers are (`5 000 caractères au maximum`); other arguments,
/// years among them, as they are.
fn grouped(name: &str, value: &str) -> String {
    match value.parse::<i32>() {
        Ok(number) if matches!(name, "max" | "min" | "length") => {
            format_number(f64::from(number), 0)
        }
        _ => value.to_owned(),
    }
}

/// Field errors as `field → message`, for forms and JSON answers.
pub fn field_messages(lang: Lang, errors: &FieldErrors) -> BTreeMap<String, String> {
    errors
        .0
        .iter()
        .map(|(field, error)| (field.clone(), invalid(lang, error)))
        .collect()
}

/// Per refused field, its label when the catalogue has one (`field-<name>`), so that an error
/// summary names what is wrong: "Nom : Ce champ est obligatoire."
pub fn field_labels(lang: Lang, errors: &FieldErrors) -> BTreeMap<String, String> {
    errors
        .0
        .keys()
        .filter_map(|field| Some((field.clone(), t_opt(lang, &format!("field-{field}"))?)))
        .collect()
}

/// The JSON body of an API error: `{"error": "…", "fields": {…}}`.
pub fn error_json(info: &ErrorInfo, lang: Lang) -> serde_json::Value {
    let mut body = serde_json::json!({ "error": t(lang, info.message_key) });
    if let Some(fields) = &info.fields {
        body["fields"] = serde_json::to_value(field_messages(lang, fields)).unwrap_or_default();
    }
    if !info.framework_errors.is_empty() {
        body["errors"] = info
            .framework_errors
            .iter()
            .map(|e| {
                serde_json::json!({
                    "file": e.file, "line": e.line, "column": e.column, "field": e.field,
                    "message": framework_error(lang, e),
                })
            })
            .collect();
    }
    body
}

/// `1234567.5` → `1 234 567,5` (narrow no-break space between thousands, as in French print).
pub fn format_number(value: f64, decimals: usize) -> String {
    let formatted = format!("{:.*}", decimals, value.abs());
    let (int_part, frac_part) = match formatted.split_once('.') {
        Some((i, f)) => (i.to_owned(), Some(f.to_owned())),
        None => (formatted, None),
    };
    let mut grouped = String::new();
    for (i, c) in int_part.chars().enumerate() {
        if i > 0 && (int_part.len() - i) % 3 == 0 {
            grouped.push('\u{202f}');
        }
        grouped.push(c);
    }
    let sign =
        if value < 0.0 && value.abs() >= 0.5 * 10f64.powi(-i32::try_from(decimals).unwrap_or(0)) {
            "-"
        } else {
            ""
        };
    match frac_part {
        Some(f) => format!("{sign}{grouped},{f}"),
        None => format!("{sign}{grouped}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_is_negotiated() {
        assert_eq!(Lang::negotiate(None), Lang::Fr);
        assert_eq!(Lang::negotiate(Some("en-GB,en;q=0.9,fr;q=0.8")), Lang::En);
        assert_eq!(Lang::negotiate(Some("de-DE, fr;q=0.5")), Lang::Fr);
        assert_eq!(Lang::negotiate(Some("de, it")), Lang::Fr);
        assert_eq!(Lang::negotiate(Some("fr;q=0.1, en;q=0.9")), Lang::En);
    }

    #[test]
    fn a_count_of_one_is_singular() {
        let one = t_args(
            Lang::Fr,
            "dashboard-lead-region",
            &[
                ("date", "1er mars 2026".into()),
                ("region", "Bretagne".into()),
                ("count", "1".into()),
                ("homes", "900".into()),
            ],
        );
        assert!(one.contains("1 organisme et"), "{one}");
        let two = t_args(
            Lang::Fr,
            "dashboard-lead",
            &[
                ("date", "1er mars 2026".into()),
                ("count", "2".into()),
                ("homes", "900".into()),
            ],
        );
        assert!(two.contains("2 organismes"), "{two}");
    }

    #[test]
    fn numbers_use_french_separators() {
        assert_eq!(format_number(1_234.5, 1), "1\u{202f}234,5");
        assert_eq!(format_number(12.5, 1), "12,5");
        assert_eq!(format_number(1_234_567.0, 0), "1\u{202f}234\u{202f}567");
        assert_eq!(format_number(-1_000.0, 0), "-1\u{202f}000");
        assert_eq!(format_number(999.0, 0), "999");
    }

    #[test]
    fn messages_exist_in_both_languages() {
        assert_eq!(t(Lang::Fr, "error-not-found"), "Page introuvable");
        assert_eq!(t(Lang::En, "error-not-found"), "Page not found");
        let e = Invalid::new("err-too-long")
            .arg("max", 10)
            .arg("length", 12);
        assert!(invalid(Lang::Fr, &e).contains("10"));
    }

    #[test]
    fn sizes_in_messages_are_grouped_like_every_number_and_other_arguments_are_not() {
        let long = Invalid::new("err-too-long").arg("max", 5000);
        assert_eq!(
            invalid(Lang::Fr, &long),
            "5\u{202f}000 caractères au maximum."
        );
        assert_eq!(invalid(Lang::En, &long), "At most 5\u{202f}000 characters.");
        let period = Invalid::new("err-unknown-site").arg("value", 2025);
        assert!(invalid(Lang::Fr, &period).contains("2025"));
    }
}

#[cfg(test)]
mod catalogue_tests {
    use super::*;
    use crate::domain::{Family, Federation, Role, SiteKind};

    /// Whether the catalogue defines `key` (read from the file: a lookup without the
    /// message's arguments would fail even when it exists).
    fn exists(lang: Lang, key: &str) -> bool {
        let catalogue = match lang {
            Lang::Fr => include_str!("../locales/fr/main.ftl"),
            Lang::En => include_str!("../locales/en/main.ftl"),
        };
        catalogue.lines().any(|line| {
            line.strip_prefix(key)
                .is_some_and(|rest| rest.starts_with(" ="))
        })
    }

    /// Every literal key a template uses, and every label of a closed list, is translated.
    #[test]
    fn every_key_used_exists_in_both_languages() {
        let mut keys: Vec<String> = Vec::new();
        for (_, source) in crate::templates::sources() {
            for piece in source.split("key=\"").skip(1) {
                let key: String = piece.chars().take_while(|c| *c != '"').collect();
                if !key.ends_with('-') {
                    keys.push(key);
                }
            }
        }
        keys.extend(Role::ALL.iter().map(|r| r.label_key()));
        keys.extend(Family::ALL.iter().map(|f| f.label_key()));
        keys.extend(Federation::ALL.iter().map(|f| f.label_key()));
        keys.extend(SiteKind::ALL.iter().map(|k| k.label_key()));
        for role in Role::ALL {
            keys.push(format!("home-lead-{role}"));
            keys.push(format!("home-empty-{role}"));
        }
        for code in [400, 403, 404, 409, 422, 429, 500] {
            keys.push(format!("error-title-{code}"));
        }
        assert!(keys.len() > 100);
        for lang in Lang::ALL {
            let missing: Vec<&String> = keys.iter().filter(|k| !exists(lang, k)).collect();
            assert!(
                missing.is_empty(),
                "missing in {}: {missing:?}",
                lang.code()
            );
        }
    }

    /// Keys written in Rust (errors, flashes) are translated too.
    #[test]
    fn keys_used_in_code_exist_in_both_languages() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut stack = vec![std::path::PathBuf::from(root)];
        let mut keys = Vec::new();
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    for prefix in ["\"err-", "\"error-", "\"flash-", "\"login-", "\"fw-"] {
                        for piece in text.split(prefix).skip(1) {
                            let rest: String = piece
                                .chars()
                                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                                .collect();
                            if piece[rest.len()..].starts_with('"')
                                && !rest.is_empty()
                                && !rest.ends_with('-')
                            {
                                keys.push(format!("{}{rest}", &prefix[1..]));
                            }
                        }
                    }
                }
            }
        }
        assert!(keys.len() > 30);
        for lang in Lang::ALL {
            let missing: Vec<&String> = keys.iter().filter(|k| !exists(lang, k)).collect();
            assert!(
                missing.is_empty(),
                "missing in {}: {missing:?}",
                lang.code()
            );
        }
    }
}

/// One framework-file error as a sentence: where, which key, what is wrong.
pub fn framework_error(lang: Lang, error: &crate::domain::framework::FrameworkError) -> String {
    t_args(
        lang,
        "fw-location",
        &[
            ("file", error.file.clone()),
            ("line", error.line.to_string()),
            ("column", error.column.to_string()),
            ("field", error.field.clone()),
            ("message", invalid(lang, &error.problem)),
        ],
    )
}
