//! Importing framework versions: validate the whole batch against what is already imported,
//! then write each new version with its tree, indicators, grades and mappings. A version
//! already imported with the same content is left alone (imports are idempotent); one
//! imported with another content is refused, since audits stay pinned to their version.

use diesel::prelude::*;

use crate::db::schema::{
    framework_grades, framework_indicators, framework_mappings, framework_requirements,
    framework_sources, frameworks,
};
use crate::db::{DbConnection, new_id, now};
use crate::domain::Invalid;
use crate::domain::framework::file::FrameworkFile;
use crate::domain::framework::report::Collector;
use crate::domain::framework::{FrameworkError, Loaded, validate};
use crate::error::AppError;
use crate::models::framework::{self as model, GradeRow, IndicatorRow, MappingRow, RequirementRow};
use crate::models::history::{self, Actor, Change};
use crate::models::organisation::search_key;

#[derive(Debug, Default)]
pub struct ImportReport {
    /// (id, code, version) of the versions written now
    pub imported: Vec<(String, String, String)>,
    /// (code, version) of versions that were already there, identical
    pub unchanged: Vec<(String, String)>,
    pub warnings: Vec<FrameworkError>,
}

/// Who owns an imported version: nobody (shared), or an organisme's own charter.
#[derive(Debug, Clone, Default)]
pub struct Ownership {
    pub organisation_id: Option<String>,
    pub based_on_id: Option<String>,
}

/// Where an import takes the ids and the time of the rows it writes: the clock in the
/// application; a seeded sequence for a generated dataset, which must come out the same
/// every time (`qualitrack generate`).
pub trait Stamps {
    fn id(&mut self) -> String;
    fn at(&mut self) -> chrono::NaiveDateTime;
}

/// Fresh UUIDv7s and the current time.
pub struct Clock;

impl Stamps for Clock {
    fn id(&mut self) -> String {
        new_id()
    }

    fn at(&mut self) -> chrono::NaiveDateTime {
        now()
    }
}

/// Validates and imports `(file name, text)` pairs. Call it inside a transaction: on error
/// the caller's rollback guarantees nothing is written.
pub fn import(
    conn: &mut DbConnection,
    actor: &Actor,
    inputs: &[(String, String)],
    ownership: &Ownership,
) -> Result<ImportReport, AppError> {
    import_stamped(conn, actor, inputs, ownership, &mut Clock)
}

/// `import`, with the ids and time of the rows written taken from `stamps`.
pub fn import_stamped(
    conn: &mut DbConnection,
    actor: &Actor,
    inputs: &[(String, String)],
    ownership: &Ownership,
    stamps: &mut dyn Stamps,
) -> Result<ImportReport, AppError> {
    let known = model::known(conn)?;
    let outcome = validate(inputs, &known);
    if !outcome.is_ok() {
        return Err(AppError::FrameworkFiles(outcome.errors));
    }
    let mut report = ImportReport {
        warnings: outcome.warnings,
        ..ImportReport::default()
    };
    let mut fresh = Vec::new();
    let mut changed = Vec::new();
    for loaded in &outcome.loaded {
        match model::fingerprint(conn, loaded.code(), loaded.version())? {
            Some((_, hash)) if hash == loaded.content_hash() => {
                report
                    .unchanged
                    .push((loaded.code().to_owned(), loaded.version().to_owned()));
            }
            Some(_) => {
                let mut collector = Collector::new(&loaded.name, &loaded.source);
                collector.error(
                    &loaded.file.framework.version.span(),
                    "version",
                    Invalid::new("fw-version-changed")
                        .arg("value", format!("{} {}", loaded.code(), loaded.version())),
                );
                changed.extend(collector.errors);
            }
            None => fresh.push(loaded),
        }
    }
    if !changed.is_empty() {
        return Err(AppError::FrameworkFiles(changed));
    }
    for loaded in fresh {
        let id = write(conn, actor, loaded, &outcome.loaded, ownership, stamps)?;
        report
            .imported
            .push((id, loaded.code().to_owned(), loaded.version().to_owned()));
    }
    Ok(report)
}

/// The version a mapping without `version` points to: the single one loaded (checked valid).
fn target_version(
    conn: &mut DbConnection,
    batch: &[Loaded],
    code: &str,
) -> Result<String, AppError> {
    if let Some(found) = batch.iter().find(|l| l.code() == code) {
        return Ok(found.version().to_owned());
    }
    Ok(frameworks::table
        .filter(frameworks::code.eq(code))
        .select(frameworks::version)
        .first(conn)?)
}

fn write(
    conn: &mut DbConnection,
    actor: &Actor,
    loaded: &Loaded,
    batch: &[Loaded],
    ownership: &Ownership,
    stamps: &mut dyn Stamps,
) -> Result<String, AppError> {
    let f: &FrameworkFile = &loaded.file;
    let id = stamps.id();
    let imported_at = stamps.at();
    let effective_date =
        f.framework.effective_date.as_ref().and_then(|d| {
            chrono::NaiveDate::parse_from_str(&d.get_ref().to_string(), "%Y-%m-%d").ok()
        });
    let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
    diesel::insert_into(frameworks::table)
        .values((
            frameworks::id.eq(&id),
            frameworks::code.eq(loaded.code()),
            frameworks::version.eq(loaded.version()),
            frameworks::name.eq(f.framework.name.as_str()),
            frameworks::kind.eq(f.framework.kind.as_str()),
            frameworks::owner.eq(f.framework.owner.as_str()),
            frameworks::effective_date.eq(effective_date),
            frameworks::description.eq(f.framework.description.as_str()),
            frameworks::cycle.eq(serde_json::to_string(&f.cycle).map_err(AppError::unexpected)?),
            frameworks::organisation_id.eq(&ownership.organisation_id),
            frameworks::based_on_id.eq(&ownership.based_on_id),
            frameworks::content_hash.eq(loaded.content_hash()),
            frameworks::requirements_count.eq(count(f.requirements.len())),
            frameworks::indicators_count.eq(count(f.indicators.len())),
            frameworks::imported_at.eq(imported_at),
        ))
        .execute(conn)?;
    diesel::insert_into(framework_sources::table)
        .values((
            framework_sources::framework_id.eq(&id),
            framework_sources::source.eq(&loaded.source),
        ))
        .execute(conn)?;

    let requirements = requirement_rows(&id, f, stamps)?;
    crate::insert_batch!(&mut *conn, framework_requirements::table, &requirements)?;
    let indicators = indicator_rows(&id, f, stamps);
    crate::insert_batch!(&mut *conn, framework_indicators::table, &indicators)?;
    let grades = grade_rows(&id, f, stamps);
    crate::insert_batch!(&mut *conn, framework_grades::table, &grades)?;
    let mut mappings = Vec::with_capacity(f.mappings.len());
    for m in &f.mappings {
        let to_version = match &m.version {
            Some(v) => v.get_ref().clone(),
            None => target_version(conn, batch, m.framework.get_ref())?,
        };
        mappings.push(MappingRow {
            id: stamps.id(),
            framework_id: id.clone(),
            from_ref: m.from.get_ref().clone(),
            to_code: m.framework.get_ref().clone(),
            to_version,
            to_ref: m.to.get_ref().clone(),
            relation: m.relation.get_ref().as_str().to_owned(),
            note: m.note.as_ref().map(|n| n.0.clone()),
        });
    }
    crate::insert_batch!(&mut *conn, framework_mappings::table, &mappings)?;
    history::record_as(
        conn,
        actor,
        &Change {
            entity: "framework",
            entity_id: &id,
            organisation_id: ownership.organisation_id.as_deref(),
            action: "import",
            before: None,
            after: Some(&serde_json::json!({
                "code": loaded.code(),
                "version": loaded.version(),
                "name": f.framework.name.as_str(),
                "content_hash": loaded.content_hash(),
                "requirements": requirements.len(),
                "indicators": indicators.len(),
                "mappings": mappings.len(),
            })),
        },
        stamps.id(),
        imported_at,
    )?;
    Ok(id)
}

fn requirement_rows(
    framework_id: &str,
    f: &FrameworkFile,
    stamps: &mut dyn Stamps,
) -> Result<Vec<RequirementRow>, AppError> {
    let mut depths: std::collections::HashMap<&str, i32> = std::collections::HashMap::new();
    let mut rows = Vec::with_capacity(f.requirements.len());
    for (position, r) in f.requirements.iter().enumerate() {
        let reference = r.reference.get_ref().0.as_str();
        let depth = r
            .parent
            .as_ref()
            .map_or(0, |p| depths.get(p.get_ref().as_str()).map_or(0, |d| d + 1));
        depths.insert(reference, depth);
        let evidence: Vec<&str> = r.evidence.iter().map(|e| e.get_ref().as_str()).collect();
        let indicators: Vec<&str> = r.indicators.iter().map(|i| i.get_ref().as_str()).collect();
        let searchable = format!(
            "{reference} {} {} {}",
            r.title.as_str(),
            r.guidance.as_ref().map_or("", |g| g.as_str()),
            evidence.join(" ")
        );
        rows.push(RequirementRow {
            id: stamps.id(),
            framework_id: framework_id.to_owned(),
            reference: reference.to_owned(),
            parent_ref: r.parent.as_ref().map(|p| p.get_ref().clone()),
            position: i32::try_from(position).unwrap_or(i32::MAX),
            depth,
            title: r.title.0.clone(),
            guidance: r.guidance.as_ref().map(|g| g.0.clone()),
            evidence: serde_json::to_string(&evidence).map_err(AppError::unexpected)?,
            indicator_codes: serde_json::to_string(&indicators).map_err(AppError::unexpected)?,
            applicability: r.applicability.as_ref().map(|a| a.0.clone()),
            to_confirm: r.to_confirm.unwrap_or(false),
            search_key: search_key(&searchable),
        });
    }
    Ok(rows)
}

fn indicator_rows(
    framework_id: &str,
    f: &FrameworkFile,
    stamps: &mut dyn Stamps,
) -> Vec<IndicatorRow> {
    f.indicators
        .iter()
        .enumerate()
        .map(|(position, i)| {
            let sla = i.sla();
            IndicatorRow {
                id: stamps.id(),
                framework_id: framework_id.to_owned(),
                code: i.code.get_ref().0.clone(),
                name: i.name.0.clone(),
                unit: i.unit.as_str().to_owned(),
                direction: i.direction.as_str().to_owned(),
                target: i.target.as_ref().map(|t| *t.get_ref()),
                frequency: i.frequency.as_str().to_owned(),
                definition: i.definition.0.clone(),
                numerator: i.numerator.as_ref().map(|t| t.0.clone()),
                denominator: i.denominator.as_ref().map(|t| t.0.clone()),
                source: i.source.as_ref().map(|t| t.0.clone()),
                sla_unit: sla.map(|(unit, _)| unit.to_owned()),
                sla_value: sla.and_then(|(_, v)| i32::try_from(v).ok()),
                to_confirm: i.to_confirm.unwrap_or(false),
                position: i32::try_from(position).unwrap_or(i32::MAX),
            }
        })
        .collect()
}

fn grade_rows(framework_id: &str, f: &FrameworkFile, stamps: &mut dyn Stamps) -> Vec<GradeRow> {
    f.grades
        .iter()
        .enumerate()
        .map(|(position, g)| GradeRow {
            id: stamps.id(),
            framework_id: framework_id.to_owned(),
            code: g.code.get_ref().0.clone(),
            label: g.label.0.clone(),
            abbreviation: g.abbreviation.as_ref().map(|a| a.0.clone()),
            severity: i32::try_from(*g.severity.get_ref()).unwrap_or(0),
            nonconformity: *g.nonconformity.get_ref(),
            blocks_decision: *g.blocks_decision.get_ref(),
            response_days: g
                .response_days
                .as_ref()
                .and_then(|d| i32::try_from(*d.get_ref()).ok()),
            response_unit: g
                .response_unit
                .as_ref()
                .map(|u| u.get_ref().as_str().to_owned()),
            closure: g.closure.map_or("none", |c| c.as_str()).to_owned(),
            description: g.description.as_ref().map(|d| d.0.clone()),
            position: i32::try_from(position).unwrap_or(i32::MAX),
        })
        .collect()
}

/// Imports the bundled frameworks (at start and by `qualitrack frameworks import`).
pub fn import_bundled(conn: &mut DbConnection, actor: &Actor) -> Result<ImportReport, AppError> {
    import(
        conn,
        actor,
        &crate::domain::framework::bundled(),
        &Ownership::default(),
    )
}
