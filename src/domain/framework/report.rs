//! Errors of framework files: where (file, line, column, key) and what (a catalogue key with
//! its arguments, so the same error reads in French on a page and in English in a terminal).

use std::ops::Range;

use crate::domain::Invalid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameworkError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// The key concerned, as written in the file (`parent`, `requirements.ref`…).
    pub field: String,
    pub problem: Invalid,
}

/// Line and column (both from 1, the column in characters) of a byte offset.
pub fn locate(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = source.get(..offset).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// The key written on the line of `offset` (`key = value`), or the table header there.
fn key_at(source: &str, offset: usize) -> String {
    let (line, _) = locate(source, offset);
    let text = source.lines().nth(line - 1).unwrap_or_default().trim();
    if text.starts_with('[') {
        return text.trim_matches(|c| c == '[' || c == ']').to_owned();
    }
    text.split('=').next().unwrap_or_default().trim().to_owned()
}

/// Collects the errors (and warnings) of one file.
pub struct Collector<'a> {
    pub file: &'a str,
    pub source: &'a str,
    pub errors: Vec<FrameworkError>,
    pub warnings: Vec<FrameworkError>,
}

impl<'a> Collector<'a> {
    pub fn new(file: &'a str, source: &'a str) -> Self {
        Self {
            file,
            source,
            errors: Vec::new(),
            warnings: Vec::new(),
        }
    }

    fn make(&self, span: &Range<usize>, field: &str, problem: Invalid) -> FrameworkError {
        let (line, column) = locate(self.source, span.start);
        let field = if field.is_empty() {
            key_at(self.source, span.start)
        } else {
            field.to_owned()
        };
        FrameworkError {
            file: self.file.to_owned(),
            line,
            column,
            field,
            problem,
        }
    }

    pub fn error(&mut self, span: &Range<usize>, field: &str, problem: Invalid) {
        let error = self.make(span, field, problem);
        self.errors.push(error);
    }

    pub fn warning(&mut self, span: &Range<usize>, field: &str, problem: Invalid) {
        let warning = self.make(span, field, problem);
        self.warnings.push(warning);
    }
}

/// Turns a TOML or serde error into a located error with a catalogue key.
pub fn from_toml(file: &str, source: &str, error: &toml::de::Error) -> FrameworkError {
    let span = error.span().unwrap_or(0..0);
    let mut collector = Collector::new(file, source);
    let problem = translate(error.message());
    collector.error(&span, "", problem);
    collector.errors.remove(0)
}

/// Maps the messages of the TOML parser and of our own deserializers to catalogue keys.
fn translate(message: &str) -> Invalid {
    let message = message.trim();
    // Our deserializers speak in keys already: `fw-not-slug|value=X`.
    if let Some(rest) = message.strip_prefix("fw-") {
        let mut parts = rest.split('|');
        let key = static_key(&format!("fw-{}", parts.next().unwrap_or_default()));
        let mut problem = Invalid::new(key);
        for part in parts {
            if let Some((name, value)) = part.split_once('=') {
                problem = problem.arg(if name == "value" { "value" } else { "detail" }, value);
            }
        }
        return problem;
    }
    let quoted = |text: &str| -> Vec<String> {
        text.split('`')
            .skip(1)
            .step_by(2)
            .map(ToOwned::to_owned)
            .collect()
    };
    if message.starts_with("unknown field") {
        let names = quoted(message);
        return Invalid::new("fw-unknown-key")
            .arg("value", names.first().cloned().unwrap_or_default())
            .arg("allowed", names.get(1..).unwrap_or_default().join(", "));
    }
    if message.starts_with("missing field") {
        return Invalid::new("fw-missing-key").arg(
            "value",
            quoted(message).first().cloned().unwrap_or_default(),
        );
    }
    if message.starts_with("unknown variant") {
        let names = quoted(message);
        return Invalid::new("fw-unknown-value")
            .arg("value", names.first().cloned().unwrap_or_default())
            .arg("allowed", names.get(1..).unwrap_or_default().join(", "));
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return Invalid::new("fw-wrong-type")
            .arg("value", found)
            .arg("detail", readable_type(expected));
    }
    if message.contains("duplicate key") {
        return Invalid::new("fw-duplicate-key").arg("detail", message);
    }
    Invalid::new("fw-syntax").arg("detail", message)
}

/// Rust type names in parser messages, as a file's author would say them.
fn readable_type(expected: &str) -> &str {
    match expected {
        "i64" | "u32" | "i32" | "u64" => "integer (nombre entier)",
        "f64" => "number (nombre)",
        "a boolean" | "bool" => "true / false",
        "a string" | "string" => "string (texte entre guillemets)",
        "a sequence" => "array (liste entre crochets)",
        other => other,
    }
}

fn static_key(key: &str) -> &'static str {
    match key {
        "fw-empty-text" => "fw-empty-text",
        "fw-not-slug" => "fw-not-slug",
        "fw-not-ref" => "fw-not-ref",
        _ => "fw-syntax",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_columns() {
        let source = "a = 1\nbé = 2\n";
        assert_eq!(locate(source, 0), (1, 1));
        assert_eq!(locate(source, 6), (2, 1));
        assert_eq!(locate(source, source.find('=').unwrap() + 8), (2, 4));
    }

    #[test]
    fn parser_messages_become_catalogue_keys() {
        let unknown = translate("unknown field `titel`, expected one of `ref`, `parent`, `title`");
        assert_eq!(unknown.key, "fw-unknown-key");
        assert_eq!(unknown.args[0].1, "titel");
        assert_eq!(unknown.args[1].1, "ref, parent, title");
        assert_eq!(translate("missing field `title`").key, "fw-missing-key");
        assert_eq!(
            translate("unknown variant `label2`, expected one of `charter`").key,
            "fw-unknown-value"
        );
        assert_eq!(
            translate("invalid type: string \"12\", expected i64").key,
            "fw-wrong-type"
        );
        assert_eq!(translate("fw-not-slug|value=Abc").args[0].1, "Abc");
    }
}
