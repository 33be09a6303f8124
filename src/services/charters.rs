//! An organisme's own charter: created from the model charter, then adapted in the
//! interface. Each save is validated like any framework file and stored as a new version,
//! so audits already run stay pinned to the version they used.

use std::collections::HashMap;

use diesel::prelude::*;
use toml::Spanned;

use super::frameworks::{Clock, Ownership, Stamps, import_stamped};
use crate::db::DbConnection;
use crate::db::schema::frameworks;
use crate::domain::framework::file::{FrameworkFile, RefId, Requirement, Text, is_ref};
use crate::domain::{BoundedText, FieldErrors, Invalid};
use crate::error::AppError;
use crate::models::framework::{self as model, Framework};
use crate::models::history::Actor;
use crate::models::organisation::Organisation;

/// Code of the bundled model every organisme's charter starts from.
pub const MODEL_CODE: &str = crate::domain::rollout::CHARTERS;

/// The code of an organisme's charter: stable across its versions.
pub fn charter_code(organisation: &Organisation) -> String {
    format!("charte-{}", organisation.siren)
}

/// The latest version of the organisme's charter, if it has one.
pub fn latest(
    conn: &mut DbConnection,
    organisation_id: &str,
) -> Result<Option<(String, String)>, AppError> {
    Ok(frameworks::table
        .filter(frameworks::organisation_id.eq(organisation_id))
        .filter(frameworks::kind.eq("charter"))
        .order(frameworks::imported_at.desc())
        .select((frameworks::id, frameworks::version))
        .first(conn)
        .optional()?)
}

/// All versions of a charter, newest first: (id, version).
pub fn versions(conn: &mut DbConnection, code: &str) -> Result<Vec<(String, String)>, AppError> {
    Ok(frameworks::table
        .filter(frameworks::code.eq(code))
        .order(frameworks::imported_at.desc())
        .select((frameworks::id, frameworks::version))
        .load(conn)?)
}

fn parse(conn: &mut DbConnection, framework: &Framework) -> Result<FrameworkFile, AppError> {
    toml::from_str(&model::source(conn, &framework.id)?)
        .map_err(|e| AppError::unexpected(format!("stored framework unreadable: {e}")))
}

fn store(
    conn: &mut DbConnection,
    actor: &Actor,
    file: &FrameworkFile,
    ownership: &Ownership,
    stamps: &mut dyn Stamps,
) -> Result<String, AppError> {
    let source = toml::to_string(file).map_err(AppError::unexpected)?;
    let name = format!("{}.toml", file.framework.code.get_ref().0);
    let report = import_stamped(conn, actor, &[(name, source)], ownership, stamps)?;
    report
        .imported
        .into_iter()
        .next()
        .map(|(id, _, _)| id)
        .ok_or_else(|| AppError::unexpected("charter version not written"))
}

/// Creates version 1 of the organisme's charter from the latest model charter.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    organisation: &Organisation,
) -> Result<String, AppError> {
    create_stamped(conn, actor, organisation, &mut Clock)
}

/// `create`, with the ids and time of the rows written taken from `stamps`.
pub fn create_stamped(
    conn: &mut DbConnection,
    actor: &Actor,
    organisation: &Organisation,
    stamps: &mut dyn Stamps,
) -> Result<String, AppError> {
    if latest(conn, &organisation.id)?.is_some() {
        return Err(AppError::Conflict);
    }
    let (model_id,): (String,) = frameworks::table
        .filter(frameworks::code.eq(MODEL_CODE))
        .filter(frameworks::organisation_id.is_null())
        .order(frameworks::imported_at.desc())
        .select((frameworks::id,))
        .first(conn)?;
    let model = model::find(conn, &crate::auth::OrgScope::All, &model_id)?;
    let mut file = parse(conn, &model)?;
    file.framework.code = Spanned::new(
        0..0,
        crate::domain::framework::file::Slug(charter_code(organisation)),
    );
    file.framework.version = Spanned::new(0..0, Text("1".to_owned()));
    file.framework.name = Text(format!("Charte qualité de service — {}", organisation.name));
    file.framework.owner = Text(organisation.name.clone());
    file.framework.effective_date = None;
    file.framework.description = Text(format!(
        "Charte d’engagements qualité de service de {}, adaptée du modèle « {} » ({}).",
        organisation.name, model.name, model.version
    ));
    let ownership = Ownership {
        organisation_id: Some(organisation.id.clone()),
        based_on_id: Some(model.id.clone()),
    };
    store(conn, actor, &file, &ownership, stamps)
}

/// What a quality manager changed on the charter form.
#[derive(Debug, Default)]
pub struct CharterEdit {
    pub titles: HashMap<String, String>,
    pub guidance: HashMap<String, String>,
    pub targets: HashMap<String, String>,
    /// A new engagement or sub-commitment: (ref, parent, title).
    pub addition: Option<(String, String, String)>,
}

impl CharterEdit {
    /// Reads the form: `title.<ref>`, `guidance.<ref>`, `target.<code>`, `new_ref`…
    pub fn from_fields(fields: &[(String, String)]) -> Self {
        let mut edit = Self::default();
        let mut new = (String::new(), String::new(), String::new());
        for (name, value) in fields {
            if let Some(reference) = name.strip_prefix("title.") {
                edit.titles.insert(reference.to_owned(), value.clone());
            } else if let Some(reference) = name.strip_prefix("guidance.") {
                edit.guidance.insert(reference.to_owned(), value.clone());
            } else if let Some(code) = name.strip_prefix("target.") {
                edit.targets.insert(code.to_owned(), value.clone());
            } else if name == "new_ref" {
                value.trim().clone_into(&mut new.0);
            } else if name == "new_parent" {
                value.trim().clone_into(&mut new.1);
            } else if name == "new_title" {
                value.trim().clone_into(&mut new.2);
            }
        }
        if !(new.0.is_empty() && new.2.is_empty()) {
            edit.addition = Some(new);
        }
        edit
    }
}

/// `95`, `95,5` or `95.5`; empty means no target.
fn parse_target(raw: &str) -> Result<Option<f64>, Invalid> {
    let cleaned: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .replace(',', ".");
    if cleaned.is_empty() {
        return Ok(None);
    }
    cleaned
        .parse::<f64>()
        .map(Some)
        .map_err(|_| Invalid::new("err-not-a-number"))
}

/// Applies the edit to the current version and stores it as the next version.
pub fn save_version(
    conn: &mut DbConnection,
    actor: &Actor,
    current: &Framework,
    edit: &CharterEdit,
) -> Result<String, AppError> {
    let mut file = parse(conn, current)?;
    let mut errors = FieldErrors::new();
    for r in &mut file.requirements {
        let reference = r.reference.get_ref().0.clone();
        if let Some(title) = edit.titles.get(&reference)
            && let Some(title) = errors.check(
                &format!("title.{reference}"),
                BoundedText::required(title, 400),
            )
        {
            r.title = Text(title.into_inner());
        }
        if let Some(guidance) = edit.guidance.get(&reference)
            && let Some(guidance) = errors.check(
                &format!("guidance.{reference}"),
                BoundedText::optional(guidance, 4000),
            )
        {
            r.guidance = (!guidance.as_str().is_empty()).then(|| Text(guidance.into_inner()));
        }
    }
    for indicator in &mut file.indicators {
        let code = indicator.code.get_ref().0.clone();
        let Some(raw) = edit.targets.get(&code) else {
            continue;
        };
        let field = format!("target.{code}");
        let Some(target) = errors.check(&field, parse_target(raw)) else {
            continue;
        };
        let max = match indicator.unit.as_str() {
            "percent" => 100.0,
            "score10" => 10.0,
            _ => f64::INFINITY,
        };
        match target {
            Some(value) if !(0.0..=max).contains(&value) => {
                errors.add(
                    &field,
                    Invalid::new("err-out-of-range")
                        .arg("min", 0)
                        .arg("max", max),
                );
            }
            _ => indicator.target = target.map(|t| Spanned::new(0..0, t)),
        }
    }
    if let Some((reference, parent, title)) = &edit.addition {
        add_requirement(&mut file, reference, parent, title, &mut errors);
    }
    errors.into_result()?;
    let code = file.framework.code.get_ref().0.clone();
    let next = versions(conn, &code)?
        .iter()
        .filter_map(|(_, v)| v.parse::<u32>().ok())
        .max()
        .unwrap_or(0)
        + 1;
    file.framework.version = Spanned::new(0..0, Text(next.to_string()));
    let ownership = Ownership {
        organisation_id: current.organisation_id.clone(),
        based_on_id: Some(current.id.clone()),
    };
    store(conn, actor, &file, &ownership, &mut Clock)
}

fn add_requirement(
    file: &mut FrameworkFile,
    reference: &str,
    parent: &str,
    title: &str,
    errors: &mut FieldErrors,
) {
    if !is_ref(reference) {
        errors.add("new_ref", Invalid::new("err-ref-format"));
    } else if file
        .requirements
        .iter()
        .any(|r| r.reference.get_ref().0 == reference)
    {
        errors.add("new_ref", Invalid::new("err-ref-taken"));
    }
    if title.is_empty() {
        errors.add("new_title", Invalid::new("err-required"));
    }
    let parent_position = if parent.is_empty() {
        None
    } else if let Some(position) = file.requirements.iter().rposition(|r| {
        r.reference.get_ref().0 == parent
            || r.parent.as_ref().is_some_and(|p| p.get_ref() == parent)
    }) {
        Some(position)
    } else {
        errors.add("new_parent", Invalid::new("err-unknown-choice"));
        None
    };
    if !errors.is_empty() {
        return;
    }
    let requirement = Requirement {
        reference: Spanned::new(0..0, RefId(reference.to_owned())),
        parent: (!parent.is_empty()).then(|| Spanned::new(0..0, parent.to_owned())),
        title: Text(title.to_owned()),
        guidance: None,
        evidence: Vec::new(),
        indicators: Vec::new(),
        applicability: None,
        to_confirm: None,
    };
    // A sub-commitment goes after its parent's last child; an engagement at the end.
    match parent_position {
        Some(position) => file.requirements.insert(position + 1, requirement),
        None => file.requirements.push(requirement),
    }
}
