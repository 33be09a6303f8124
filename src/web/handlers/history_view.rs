//! History rows as people read them: who, when, what was done to which record, and which
//! fields went from what to what — with the fields' labels and the values' words (a state,
//! a role, a region), never the columns and codes they are stored as.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::i18n::{self, Lang};
use crate::models::history::HistoryEntry;

/// Fields every change touches, or that only the software reads (fingerprints, search keys,
/// hashes, identifiers): showing them would hide the real change.
const NOISE: [&str; 9] = [
    "updated_at",
    "version",
    "search_key",
    "created_at",
    "content_hash",
    "password_hash",
    "token_hash",
    "secret_hash",
    "id",
];

#[derive(Debug, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Serialize)]
pub struct EntryView {
    #[serde(serialize_with = "crate::domain::dates::utc_seconds")]
    pub at: chrono::NaiveDateTime,
    /// Who did it: the person's name (the label recorded when the account is gone)
    pub actor: String,
    pub entity: String,
    pub entity_id: String,
    /// The record's own name: its name, title or requirement
    pub subject: String,
    pub action: String,
    pub changes: Vec<FieldChange>,
}

/// The names of the people, organismes, sites and frameworks history lines point at.
pub type Names = HashMap<String, String>;

fn is_id(text: &str) -> bool {
    text.len() == 36 && text.chars().filter(|c| *c == '-').count() == 4
}

/// Every identifier the entries point at (their authors and the `…_id` fields of their
/// records), for `models::history::names_of`.
pub fn referenced(entries: &[HistoryEntry]) -> Vec<String> {
    let mut ids: Vec<String> = entries.iter().filter_map(|e| e.actor_id.clone()).collect();
    for e in entries {
        for data in [&e.before_data, &e.after_data] {
            for (field, value) in object(data.as_deref()) {
                if !field.ends_with("_id") && !field.ends_with("_ids") {
                    continue;
                }
                match value {
                    Value::String(id) if is_id(&id) => ids.push(id),
                    Value::Array(items) => ids.extend(
                        items
                            .into_iter()
                            .filter_map(|v| v.as_str().map(ToOwned::to_owned))
                            .filter(|id| is_id(id)),
                    ),
                    _ => {}
                }
            }
        }
    }
    ids.sort();
    ids.dedup();
    ids
}

/// The record's own name, as its data gives it.
fn subject(entry: &HistoryEntry) -> String {
    let data = object(entry.after_data.as_deref().or(entry.before_data.as_deref()));
    ["name", "title", "requirement_ref", "email", "period"]
        .iter()
        .find_map(|f| data.get(*f).and_then(Value::as_str).map(ToOwned::to_owned))
        .unwrap_or_default()
}

/// An identifier (or a list of them) by the names it points at; as stored when unknown.
fn named(value: &str, names: &Names) -> String {
    if let Some(name) = names.get(value) {
        return name.clone();
    }
    match serde_json::from_str::<Vec<String>>(value) {
        Ok(ids) if !ids.is_empty() && ids.iter().all(|id| names.contains_key(id)) => ids
            .iter()
            .map(|id| names[id].as_str())
            .collect::<Vec<_>>()
            .join(", "),
        _ => value.to_owned(),
    }
}

pub fn present(entries: &[HistoryEntry], lang: Lang, names: &Names) -> Vec<EntryView> {
    entries
        .iter()
        .map(|e| EntryView {
            at: e.at,
            actor: e
                .actor_id
                .as_ref()
                .and_then(|id| names.get(id))
                .cloned()
                .unwrap_or_else(|| e.actor_label.clone()),
            entity: e.entity.clone(),
            entity_id: e.entity_id.clone(),
            subject: subject(e),
            action: e.action.clone(),
            changes: diff(e.before_data.as_deref(), e.after_data.as_deref(), names)
                .into_iter()
                .map(|c| FieldChange {
                    before: worded(lang, &e.entity, &c.field, &named(&c.before, names)),
                    after: worded(lang, &e.entity, &c.field, &named(&c.after, names)),
                    field: label(lang, &c.field),
                })
                .collect(),
        })
        .collect()
}

/// A field's label: `field-<name>` of the catalogue (the forms' labels), or its name in words.
fn label(lang: Lang, field: &str) -> String {
    i18n::t_opt(lang, &format!("field-{field}")).unwrap_or_else(|| {
        let words = field.replace('_', " ");
        let mut chars = words.chars();
        chars.next().map_or_else(String::new, |first| {
            first.to_uppercase().chain(chars).collect()
        })
    })
}

/// A stored value in the reader's words: states, roles, families, kinds and regions by their
/// labels, booleans as yes or no; anything else as stored.
fn worded(lang: Lang, entity: &str, field: &str, value: &str) -> String {
    if value.is_empty() {
        return String::new();
    }
    let key = match (entity, field) {
        (_, "role") => Some("role"),
        (_, "family") => Some("family"),
        (_, "federation") => Some("federation"),
        ("site", "kind") => Some("site-kind"),
        ("commitment", "state") => Some("commitment-state"),
        ("audit", "state") => Some("audit-state"),
        (_, "decision") => Some("decision"),
        ("action", "status") => Some("action-status"),
        ("action", "origin") => Some("action-origin"),
        ("action", "priority") => Some("priority"),
        ("finding", "self_level") => Some("self-level"),
        _ => None,
    };
    if let Some(prefix) = key
        && let Some(words) = i18n::t_opt(lang, &format!("{prefix}-{value}"))
    {
        return words;
    }
    match (field, value) {
        ("region", code) => crate::domain::Region::by_code(code)
            .map_or_else(|| code.to_owned(), |r| r.name.to_owned()),
        (_, "true") => i18n::t(lang, "yes"),
        (_, "false") => i18n::t(lang, "no"),
        _ => value.to_owned(),
    }
}

/// Identifiers and lists of them that name nothing the reader knows.
fn internal(field: &str, value: &Value, names: &Names) -> bool {
    let id_like = |v: &Value| {
        v.as_str()
            .is_some_and(|s| is_id(s) && !names.contains_key(s))
    };
    (field.ends_with("_id") || field.ends_with("_ids"))
        && match value {
            Value::Array(items) => items.iter().all(id_like),
            other => other.is_null() || id_like(other),
        }
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
pub fn diff(before: Option<&str>, after: Option<&str>, names: &Names) -> Vec<FieldChange> {
    let before = object(before);
    let after = object(after);
    let mut fields: Vec<&String> = before.keys().chain(after.keys()).collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .filter(|f| !NOISE.contains(&f.as_str()))
        .filter(|f| {
            let shown = |v: Option<&Value>| v.is_some_and(|v| !internal(f, v, names));
            shown(before.get(*f)) || shown(after.get(*f))
        })
        .filter(|f| before.get(*f) != after.get(*f))
        .map(|f| FieldChange {
            field: f.clone(),
            before: text(before.get(f)),
            after: text(after.get(f)),
        })
        .filter(|c| !(c.before.is_empty() && c.after.is_empty()))
        .collect()
}

/// The names `entries` point at, read once for the page.
pub fn names(
    conn: &mut crate::db::DbConnection,
    entries: &[HistoryEntry],
) -> Result<Names, crate::error::AppError> {
    crate::models::history::names_of(conn, &referenced(entries))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changed_fields_are_listed() {
        let changes = diff(
            Some(r#"{"id":"1","name":"A","homes":10,"version":1}"#),
            Some(r#"{"id":"1","name":"B","homes":10,"version":2}"#),
            &Names::new(),
        );
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].field, "name");
        assert_eq!(
            (changes[0].before.as_str(), changes[0].after.as_str()),
            ("A", "B")
        );
    }

    #[test]
    fn fields_read_by_their_labels_and_values_by_their_words() {
        let entry = HistoryEntry {
            id: "h1".into(),
            at: chrono::NaiveDateTime::default(),
            actor_id: None,
            actor_label: "Camille".into(),
            entity: "commitment".into(),
            entity_id: "c1".into(),
            organisation_id: None,
            action: "transition".into(),
            before_data: Some(
                r#"{"state":"preparing","region":"53","auditor_id":"01a23718-bf4c-723d-a8bc-251fe8c70ed5","content_hash":"ab"}"#.into(),
            ),
            after_data: Some(
                r#"{"state":"granted","region":"52","auditor_id":"01a23718-bf4c-723d-a8bc-2520568c1fc7","content_hash":"cd"}"#.into(),
            ),
        };
        let shown = present(&[entry], Lang::Fr, &Names::new());
        // To the second with its offset, as `<time datetime>` accepts it.
        assert_eq!(
            serde_json::to_value(&shown[0]).unwrap()["at"],
            "1970-01-01T00:00:00Z"
        );
        let changes: Vec<(&str, &str, &str)> = shown[0]
            .changes
            .iter()
            .map(|c| (c.field.as_str(), c.before.as_str(), c.after.as_str()))
            .collect();
        assert_eq!(
            changes,
            [
                ("Région", "Bretagne", "Pays de la Loire"),
                ("État", "En préparation", "Accordé"),
            ],
            "identifiers and fingerprints are not shown"
        );
    }

    #[test]
    fn creation_lists_every_set_field() {
        let changes = diff(
            None,
            Some(r#"{"name":"A","homes":10,"region":null}"#),
            &Names::new(),
        );
        let fields: Vec<_> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["homes", "name"]);
    }

    #[test]
    fn identifiers_read_as_the_names_they_point_at_and_the_author_by_name() {
        let owner = "01a23718-bf4c-723d-a8bc-251fe8c70ed5";
        let site = "01a23718-bf4c-723d-a8bc-2520568c1fc7";
        let entry = HistoryEntry {
            id: "h2".into(),
            at: chrono::NaiveDateTime::default(),
            actor_id: Some(owner.into()),
            actor_label: "rq@habitat.fr".into(),
            entity: "action".into(),
            entity_id: "a1".into(),
            organisation_id: None,
            action: "update".into(),
            before_data: Some(format!(
                r#"{{"title":"Hall","owner_id":null,"site_id":"{site}"}}"#
            )),
            after_data: Some(format!(
                r#"{{"title":"Hall","owner_id":"{owner}","site_id":"{site}"}}"#
            )),
        };
        let names: Names = [
            (owner.to_owned(), "Marie Durand".to_owned()),
            (site.to_owned(), "Résidence Vauban".to_owned()),
        ]
        .into();
        assert_eq!(referenced(std::slice::from_ref(&entry)), [owner, site]);
        let shown = &present(&[entry], Lang::Fr, &names)[0];
        assert_eq!(shown.actor, "Marie Durand");
        assert_eq!(shown.subject, "Hall");
        let changes: Vec<(&str, &str, &str)> = shown
            .changes
            .iter()
            .map(|c| (c.field.as_str(), c.before.as_str(), c.after.as_str()))
            .collect();
        assert_eq!(changes, [("Responsable", "", "Marie Durand")]);
    }
}
