//! History rows as people read them: who, when, and which fields went from what to what.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::models::history::HistoryEntry;

/// Fields every change touches; showing them would hide the real change.
const NOISE: [&str; 4] = ["updated_at", "version", "search_key", "created_at"];

#[derive(Debug, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Serialize)]
pub struct EntryView {
    pub at: chrono::NaiveDateTime,
    pub actor: String,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    pub changes: Vec<FieldChange>,
}

pub fn present(entries: &[HistoryEntry]) -> Vec<EntryView> {
    entries
        .iter()
        .map(|e| EntryView {
            at: e.at,
            actor: e.actor_label.clone(),
            entity: e.entity.clone(),
            entity_id: e.entity_id.clone(),
            action: e.action.clone(),
            changes: diff(e.before_data.as_deref(), e.after_data.as_deref()),
        })
        .collect()
}

fn object(data: Option<&str>) -> Map<String, Value> {
    data.and_then(|d| serde_json::from_str::<Value>(d).ok())
        .and_then(|v| match v {
            Value::Object(map) => Some(map),
            _ => None,
        })
        .unwrap_or_default()
}

fn text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// The fields whose value differs between `before` and `after` (all set fields on creation).
pub fn diff(before: Option<&str>, after: Option<&str>) -> Vec<FieldChange> {
    let before = object(before);
    let after = object(after);
    let mut fields: Vec<&String> = before.keys().chain(after.keys()).collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .filter(|f| !NOISE.contains(&f.as_str()) && *f != "id")
        .filter(|f| before.get(*f) != after.get(*f))
        .map(|f| FieldChange {
            field: f.clone(),
            before: text(before.get(f)),
            after: text(after.get(f)),
        })
        .filter(|c| !(c.before.is_empty() && c.after.is_empty()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changed_fields_are_listed() {
        let changes = diff(
            Some(r#"{"id":"1","name":"A","homes":10,"version":1}"#),
            Some(r#"{"id":"1","name":"B","homes":10,"version":2}"#),
        );
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].field, "name");
        assert_eq!(
            (changes[0].before.as_str(), changes[0].after.as_str()),
            ("A", "B")
        );
    }

    #[test]
    fn creation_lists_every_set_field() {
        let changes = diff(None, Some(r#"{"name":"A","homes":10,"region":null}"#));
        let fields: Vec<_> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["homes", "name"]);
    }
}
