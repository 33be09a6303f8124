//! Tera templates compiled into the binary, with our filters (French dates and numbers)
//! and the `t` function that reads the message catalogues.

use std::collections::HashMap;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Europe::Paris;
use fluent_templates::FluentLoader;
use rust_embed::RustEmbed;
use serde_json::Value;
use tera::{Context, Tera};

use crate::error::AppError;
use crate::i18n::{LOCALES, format_number};

#[derive(RustEmbed)]
#[folder = "templates/"]
struct TemplateFiles;

pub struct Templates {
    tera: Tera,
}

impl Templates {
    pub fn load() -> Result<Self, String> {
        let mut tera = Tera::default();
        let mut files = Vec::new();
        for name in TemplateFiles::iter() {
            let file =
                TemplateFiles::get(&name).ok_or_else(|| format!("template {name} vanished"))?;
            let text = String::from_utf8(file.data.into_owned())
                .map_err(|_| format!("template {name} is not UTF-8"))?;
            files.push((name.into_owned(), text));
        }
        tera.add_raw_templates(files)
            .map_err(|e| format!("templates: {e:?}"))?;
        tera.autoescape_on(vec![".html"]);
        tera.set_escape_fn(escape_html);
        tera.register_function(
            "t",
            FluentLoader::new(&*LOCALES).with_default_lang(unic_langid::langid!("fr")),
        );
        tera.register_filter("date_fr", date_fr);
        tera.register_filter("datetime_fr", datetime_fr);
        tera.register_filter("num", num);
        tera.register_filter("period", period);
        tera.register_filter("bytes", bytes);
        tera.register_filter("measure", measure);
        Ok(Self { tera })
    }

    pub fn render(&self, name: &str, context: &Context) -> Result<String, AppError> {
        Ok(self.tera.render(name, context)?)
    }

    pub fn respond(
        &self,
        status: StatusCode,
        name: &str,
        context: &Context,
    ) -> Result<HttpResponse, AppError> {
        let body = self.render(name, context)?;
        Ok(HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(body))
    }
}

/// Escapes what could open markup or leave an attribute (`& < > " '`). Unlike tera's
/// default, `/` stays as is: it is harmless in text and quoted attributes, and dates, URLs and
/// paths then read the same in the page source as on screen.
fn escape_html(input: &str) -> String {
    let mut output = String::with_capacity(input.len());
    for c in input.chars() {
        match c {
            '&' => output.push_str("&amp;"),
            '<' => output.push_str("&lt;"),
            '>' => output.push_str("&gt;"),
            '"' => output.push_str("&quot;"),
            '\'' => output.push_str("&#x27;"),
            other => output.push(other),
        }
    }
    output
}

/// Raw template sources (for checks run by tests).
pub fn sources() -> Vec<(String, String)> {
    TemplateFiles::iter()
        .filter_map(|name| {
            let file = TemplateFiles::get(&name)?;
            Some((
                name.into_owned(),
                String::from_utf8_lossy(&file.data).into_owned(),
            ))
        })
        .collect()
}

/// `2024-03-12` or a timestamp → `12/03/2024` (timestamps shown in Europe/Paris).
#[expect(clippy::unnecessary_wraps, reason = "the signature of a tera filter")]
fn date_fr(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    Ok(Value::String(match value.as_str() {
        Some(text) => parse_instant(text)
            .map(|t| t.format("%d/%m/%Y").to_string())
            .or_else(|| {
                NaiveDate::parse_from_str(text, "%Y-%m-%d")
                    .ok()
                    .map(|d| d.format("%d/%m/%Y").to_string())
            })
            .unwrap_or_else(|| text.to_owned()),
        None => String::new(),
    }))
}

/// A UTC timestamp → `12/03/2024 à 14:32` in Europe/Paris.
#[expect(clippy::unnecessary_wraps, reason = "the signature of a tera filter")]
fn datetime_fr(value: &Value, args: &HashMap<String, Value>) -> tera::Result<Value> {
    let joiner = if args.get("lang").and_then(Value::as_str) == Some("en") {
        "at"
    } else {
        "à"
    };
    Ok(Value::String(
        match value.as_str().and_then(parse_instant) {
            Some(t) => t.format(&format!("%d/%m/%Y {joiner} %H:%M")).to_string(),
            None => String::new(),
        },
    ))
}

/// An instant as records serialise it: RFC 3339 (`…Z`), or without offset (UTC).
fn parse_instant(text: &str) -> Option<chrono::DateTime<chrono_tz::Tz>> {
    if let Ok(instant) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(instant.with_timezone(&Paris));
    }
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").ok()?;
    Some(Paris.from_utc_datetime(&naive))
}

/// A period as people write it: `2026-11` → `nov. 2026`, `2026-Q3` → `T3 2026` (`Q3 2026` in
/// English), a year as itself; what is not a period stays as it is.
#[expect(clippy::unnecessary_wraps, reason = "the signature of a tera filter")]
fn period(value: &Value, args: &HashMap<String, Value>) -> tera::Result<Value> {
    use crate::domain::indicators::Period;
    let lang = args.get("lang").and_then(Value::as_str).unwrap_or("fr");
    let Some(text) = value.as_str() else {
        return Ok(value.clone());
    };
    Ok(Value::String(
        Period::parse(text).map_or_else(|_| text.to_owned(), |p| p.short_label(lang)),
    ))
}

/// `12500` → `12 500`; `decimals=1` for `12,5`.
#[expect(clippy::unnecessary_wraps, reason = "the signature of a tera filter")]
fn num(value: &Value, args: &HashMap<String, Value>) -> tera::Result<Value> {
    let decimals = args
        .get("decimals")
        .and_then(Value::as_u64)
        .and_then(|d| usize::try_from(d).ok())
        .unwrap_or(0);
    Ok(Value::String(match value.as_f64() {
        Some(n) => format_number(n, decimals),
        None => String::new(),
    }))
}

/// An indicator's value with its unit: `80,7 %`, `7,8 / 10`, `12,5 j`, `1 234`.
#[expect(clippy::unnecessary_wraps, reason = "the signature of a tera filter")]
fn measure(value: &Value, args: &HashMap<String, Value>) -> tera::Result<Value> {
    let Some(n) = value.as_f64() else {
        return Ok(Value::String(String::new()));
    };
    let unit = args.get("unit").and_then(Value::as_str).unwrap_or("count");
    let lang = args
        .get("lang")
        .and_then(Value::as_str)
        .and_then(crate::i18n::Lang::parse)
        .unwrap_or(crate::i18n::DEFAULT_LANG);
    let text = if unit == "count" {
        format_number(n, usize::from(n.fract().abs() >= 1e-9))
    } else {
        let suffix = crate::i18n::t(lang, &format!("unit-short-{unit}"));
        format!("{}\u{a0}{suffix}", format_number(n, 1))
    };
    Ok(Value::String(text))
}

/// A file size as people read it: `830 o`, `12,3 Ko`, `4,5 Mo`.
#[expect(clippy::unnecessary_wraps, reason = "the signature of a tera filter")]
fn bytes(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    let size = value.as_f64().unwrap_or(0.0);
    let text = if size < 1024.0 {
        format!("{} o", format_number(size, 0))
    } else if size < 1024.0 * 1024.0 {
        format!("{} Ko", format_number(size / 1024.0, 1))
    } else {
        format!("{} Mo", format_number(size / (1024.0 * 1024.0), 1))
    };
    Ok(Value::String(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped_but_slashes_stay() {
        assert_eq!(
            escape_html("<script>\"a\" & 'b'</script> 12/03/2024"),
            "&lt;script&gt;&quot;a&quot; &amp; &#x27;b&#x27;&lt;/script&gt; 12/03/2024"
        );
    }

    #[test]
    fn periods_read_as_people_write_them() {
        let fr = HashMap::new();
        let mut en = HashMap::new();
        en.insert("lang".to_owned(), Value::from("en"));
        let shown =
            |raw: &str, args: &HashMap<String, Value>| period(&Value::from(raw), args).unwrap();
        assert_eq!(shown("2026-11", &fr), "nov. 2026");
        assert_eq!(shown("2026-Q3", &fr), "T3 2026");
        assert_eq!(shown("2025-T1", &fr), "T1 2025");
        assert_eq!(shown("2026-Q3", &en), "Q3 2026");
        assert_eq!(shown("2026-02", &en), "Feb 2026");
        assert_eq!(shown("2026", &fr), "2026");
        assert_eq!(shown("n/a", &fr), "n/a");
    }

    #[test]
    fn dates_are_french_and_in_paris_time() {
        let none = HashMap::new();
        assert_eq!(
            date_fr(&Value::from("2024-03-12"), &none).unwrap(),
            "12/03/2024"
        );
        // 23:30 UTC on 31 December is already 1 January in Paris.
        assert_eq!(
            date_fr(&Value::from("2024-12-31T23:30:00"), &none).unwrap(),
            "01/01/2025"
        );
        assert_eq!(
            datetime_fr(&Value::from("2024-07-01T12:32:00.123"), &none).unwrap(),
            "01/07/2024 à 14:32"
        );
        let mut args = HashMap::new();
        args.insert("decimals".to_owned(), Value::from(1));
        assert_eq!(num(&Value::from(12.5), &args).unwrap(), "12,5");
    }
}
