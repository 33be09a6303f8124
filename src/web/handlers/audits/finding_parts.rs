//! What the findings screen and each of its rows are made of: the user's rights, what every
//! row shares (grades, the organisme's documents and sites, which documents support which
//! requirement), one row, and the row form as posted.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use serde::Serialize;
use tera::Context;

use crate::auth::CurrentUser;
use crate::db::DbConnection;
use crate::db::clock::Reach;
use crate::domain::audit::SelfLevel;
use crate::domain::policy;
use crate::domain::{FieldErrors, Invalid};
use crate::error::AppError;
use crate::models::audit::Audit;
use crate::models::finding::{Finding, FindingContent, SelfContent, id_list};
use crate::models::framework::{self as framework_model, GradeRow, RequirementRow};
use crate::models::{evidence, photo, site};
use crate::services::memo::{self, AuditKey};

/// Who may write what on this audit's findings.
#[derive(Debug, Serialize, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rights {
    pub grade: bool,
    pub self_assess: bool,
}

pub fn rights(user: &CurrentUser, found: &Audit, team: &[String]) -> Rights {
    Rights {
        grade: policy::may_record_findings(user, found, team) && found.state().findings_open(),
        self_assess: policy::may_self_assess(user, found) && found.state().self_assessment_open(),
    }
}

/// A document of the organisme's library as rows show it.
#[derive(Debug, Clone, Serialize)]
pub struct Doc {
    pub title: String,
    /// Its current file
    pub file_id: String,
    pub valid_until: Option<NaiveDate>,
    pub expired: bool,
}

/// What every row of one audit needs, loaded once per screen.
pub struct Shared {
    pub grades: Vec<GradeRow>,
    pub library: HashMap<String, Doc>,
    /// Sampled sites of the audit, or every site of the organisme when none was sampled
    pub sites: Vec<(String, String)>,
    /// Per requirement, the documents the library says support it
    pub supporting: HashMap<String, Vec<String>>,
    /// Per requirement, the photographs taken on site for this audit, oldest first
    pub photos: HashMap<String, Vec<Shot>>,
}

/// A photograph taken on site, as its requirement shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Shot {
    pub evidence_id: String,
    pub file_id: String,
    pub title: String,
    pub taken_by: String,
    #[serde(serialize_with = "crate::domain::dates::utc_seconds")]
    pub at: chrono::NaiveDateTime,
}

/// What an audit's rows share on a day (documents expire): it changes with the organisme's
/// documents, sites and audits, or a framework, not with the findings saved row by row.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SharedKey {
    pub audit: AuditKey,
    pub today: chrono::NaiveDate,
}

/// Kinds of record an audit's shared row parts never read.
const UNREAD_BY_ROWS: &[&str] = &[
    "finding",
    "action",
    "commitment",
    "indicator_values",
    "indicator",
    "indicator_target",
    "survey_wave",
    "user",
    "api_token",
    "calendar_feed",
];

impl memo::Key for SharedKey {
    fn reach(&self) -> Reach<'_> {
        Reach::OrganisationBut(&self.audit.organisation, UNREAD_BY_ROWS)
    }
}

impl Shared {
    pub fn load(conn: &mut DbConnection, found: &Audit) -> Result<Self, AppError> {
        let framework = framework_model::summary(conn, &found.framework_id)?;
        let today = chrono::Utc::now().date_naive();
        let library = evidence::list_for(conn, &found.organisation_id)?
            .into_iter()
            .map(|(item, file)| {
                let doc = Doc {
                    expired: item.valid_until.is_some_and(|d| d < today),
                    file_id: file.id,
                    title: item.title,
                    valid_until: item.valid_until,
                };
                (item.id, doc)
            })
            .collect();
        let sampled = crate::models::audit::sites(conn, &found.id)?;
        let sites = site::list_for(conn, &found.organisation_id)?
            .into_iter()
            .filter(|s| sampled.is_empty() || sampled.contains(&s.id))
            .map(|s| (s.id, s.name))
            .collect();
        let photos = Self::photos(conn, found, &library)?;
        // This audit's photographs are shown as such, not offered again as documents seen.
        let taken: BTreeSet<&str> = photos
            .values()
            .flatten()
            .map(|shot| shot.evidence_id.as_str())
            .collect();
        let mut supporting: HashMap<String, Vec<String>> = HashMap::new();
        for (reference, evidence_id) in
            evidence::supporting(conn, &found.organisation_id, &framework.code)?
        {
            if !taken.contains(evidence_id.as_str()) {
                supporting.entry(reference).or_default().push(evidence_id);
            }
        }
        Ok(Self {
            grades: framework_model::grades(conn, &found.framework_id)?,
            library,
            sites,
            supporting,
            photos,
        })
    }

    fn photos(
        conn: &mut DbConnection,
        found: &Audit,
        library: &HashMap<String, Doc>,
    ) -> Result<HashMap<String, Vec<Shot>>, AppError> {
        let mut photos: HashMap<String, Vec<Shot>> = HashMap::new();
        for taken in photo::of_audit(conn, &found.id)? {
            let Some(doc) = library.get(&taken.evidence_id) else {
                continue;
            };
            photos.entry(taken.requirement_ref).or_default().push(Shot {
                file_id: doc.file_id.clone(),
                title: doc.title.clone(),
                evidence_id: taken.evidence_id,
                taken_by: taken.taken_by,
                at: taken.created_at,
            });
        }
        Ok(photos)
    }

    /// The documents offered as checkboxes on a row: those supporting the requirement and
    /// those already cited, by title.
    pub fn offered(&self, reference: &str, finding: Option<&Finding>) -> Vec<String> {
        let mut ids: Vec<String> = self.supporting.get(reference).cloned().unwrap_or_default();
        if let Some(f) = finding {
            ids.extend(id_list::parse(&f.evidence_ids));
            ids.extend(id_list::parse(&f.self_evidence_ids));
        }
        ids.retain(|id| self.library.contains_key(id));
        ids.sort_by(|a, b| self.library[a].title.cmp(&self.library[b].title));
        ids.dedup();
        ids
    }

    /// The document titled so (case and surrounding spaces ignored), for the "add a
    /// document" field; two documents of the same title are told apart by their id.
    pub fn by_title(&self, title: &str) -> Option<&str> {
        let wanted = title.trim().to_lowercase();
        let mut matches = self
            .library
            .iter()
            .filter(|(_, d)| d.title.trim().to_lowercase() == wanted);
        match (matches.next(), matches.next()) {
            (Some((id, _)), None) => Some(id.as_str()),
            _ => None,
        }
    }

    pub fn insert(&self, page: &mut Context) {
        page.insert("grades", &self.grades);
        page.insert("library", &self.library);
        // Titles for the shared datalist, in order.
        let titles: BTreeSet<&str> = self.library.values().map(|d| d.title.as_str()).collect();
        page.insert("library_titles", &titles);
        page.insert("sites", &self.sites);
        page.insert(
            "levels",
            &SelfLevel::ALL
                .iter()
                .map(|l| (l.as_str(), l.label_key()))
                .collect::<Vec<_>>(),
        );
    }
}

/// One row of the screen, ready for the template.
#[derive(Debug, Serialize)]
pub struct Row {
    pub requirement: RequirementRow,
    pub evidence: Vec<String>,
    pub finding: Option<Finding>,
    /// Documents offered as checkboxes
    pub offered: Vec<String>,
    /// The stored version, when this user's save was refused.
    pub conflict: Option<Finding>,
    /// What this user tried to save, shown beside the stored version.
    pub attempted: Option<FindingContent>,
    pub saved_now: bool,
    /// With its forms, or as a summary that opens them on demand
    pub open: bool,
    /// The top-level requirement above it
    pub theme: String,
    /// Photographs taken on site for it
    pub photos: Vec<Shot>,
}

impl Row {
    pub fn new(shared: &Shared, requirement: RequirementRow, finding: Option<Finding>) -> Self {
        Self {
            evidence: serde_json::from_str(&requirement.evidence).unwrap_or_default(),
            offered: shared.offered(&requirement.reference, finding.as_ref()),
            photos: shared
                .photos
                .get(&requirement.reference)
                .cloned()
                .unwrap_or_default(),
            requirement,
            finding,
            conflict: None,
            attempted: None,
            saved_now: false,
            open: true,
            theme: String::new(),
        }
    }
}

/// A row's form as posted: checkboxes repeat `site_ids`, `evidence_ids` and
/// `self_evidence_ids`; `evidence_add` and `self_evidence_add` name one more document.
#[derive(Debug, Default, Clone)]
pub struct FindingForm {
    pub grade_code: String,
    pub finding: String,
    pub evidence_seen: String,
    pub site_ids: Vec<String>,
    pub evidence_ids: Vec<String>,
    pub evidence_add: String,
    pub self_level: String,
    pub self_comment: String,
    pub self_evidence_ids: Vec<String>,
    pub self_evidence_add: String,
    pub version: i32,
}

impl FindingForm {
    pub fn from_fields(fields: Vec<(String, String)>) -> Self {
        let mut form = Self::default();
        for (name, value) in fields {
            match name.as_str() {
                "grade_code" => form.grade_code = value,
                "finding" => form.finding = value,
                "evidence_seen" => form.evidence_seen = value,
                "site_ids" => form.site_ids.push(value),
                "evidence_ids" => form.evidence_ids.push(value),
                "evidence_add" => form.evidence_add = value,
                "self_level" => form.self_level = value,
                "self_comment" => form.self_comment = value,
                "self_evidence_ids" => form.self_evidence_ids.push(value),
                "self_evidence_add" => form.self_evidence_add = value,
                "version" => form.version = value.trim().parse().unwrap_or(-1),
                _ => {}
            }
        }
        form
    }

    /// What the auditor asks to save, as typed (the added document not yet found).
    pub fn content(&self) -> FindingContent {
        FindingContent {
            grade_code: Some(self.grade_code.trim().to_owned()).filter(|g| !g.is_empty()),
            finding: self.finding.clone(),
            evidence_seen: self.evidence_seen.clone(),
            site_ids: self.site_ids.clone(),
            evidence_ids: self.evidence_ids.clone(),
        }
    }

    pub fn self_content(&self) -> SelfContent {
        SelfContent {
            level: Some(self.self_level.trim().to_owned()).filter(|l| !l.is_empty()),
            comment: self.self_comment.clone(),
            evidence_ids: self.self_evidence_ids.clone(),
        }
    }
}

/// Adds the document named in an "add" field to the chosen ones, or says it is unknown.
pub fn add_named(
    shared: &Shared,
    ids: &mut Vec<String>,
    title: &str,
    field: &str,
) -> Result<(), FieldErrors> {
    if title.trim().is_empty() {
        return Ok(());
    }
    match shared.by_title(title) {
        Some(id) => {
            ids.push(id.to_owned());
            Ok(())
        }
        None => Err(FieldErrors::single(
            field,
            Invalid::new("err-unknown-document-title").arg("value", title.trim()),
        )),
    }
}
