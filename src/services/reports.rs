//! Issuing audit reports and verifying printed copies: a report is rendered from its data,
//! its fingerprint recorded (once) with what a stranger may learn of it, and a fingerprint
//! checked later says whether qualitrack issued it, for which audit and when, and whether
//! the audit has changed since.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{audits, issued_reports};
use crate::db::{Db, DbConnection, now};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::models::history::{self, Actor, Change};
use crate::reports::audit_report::{self, ReportData};
use crate::reports::document::Format;
use crate::services::memo::{AuditKey, Memo};

/// A rendered report.
pub struct Issued {
    pub data: Arc<ReportData>,
    pub fingerprint: String,
    pub pdf: Arc<Vec<u8>>,
    /// Whether its fingerprint was already recorded
    pub recorded: bool,
    lang: Lang,
    origin: Option<String>,
}

impl Issued {
    /// The report in `format`: the PDF laid out already, or the editable document with the
    /// same sections and tables (written on demand: it is not kept).
    pub fn document(&self, format: Format) -> Result<Vec<u8>, AppError> {
        if format == Format::Pdf {
            return Ok(self.pdf.as_ref().clone());
        }
        audit_report::render(
            &self.data,
            &self.fingerprint,
            self.lang,
            self.origin.as_deref(),
            format,
        )
        .map_err(AppError::unexpected)
    }

    /// A file name people recognise: `rapport-audit-<organisme>-<date>.pdf`.
    pub fn file_name(&self) -> String {
        self.file_name_as(Format::Pdf)
    }

    /// The same name with the extension of `format`.
    pub fn file_name_as(&self, format: Format) -> String {
        let slug: String = deunicode::deunicode(&self.data.organisation)
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let slug = slug
            .split('-')
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        format!(
            "rapport-audit-{slug}-{}.{}",
            self.data.end_date,
            format.extension()
        )
    }
}

/// Reports already laid out, by fingerprint and language, and each audit's report data with
/// its fingerprint until the next write. The same content always gives the same bytes, so a
/// kept rendering is never stale; a report downloaded again (by the team, the organisme, the
/// API) is neither read again from the database nor laid out again.
#[derive(Clone, Default)]
pub struct Rendered {
    pdfs: Arc<Mutex<Renderings>>,
    loaded: Memo<AuditKey, Loaded>,
    /// The public address reports print their verification link under (`QUALITRACK_PUBLIC_URL`)
    origin: Option<String>,
}

/// Rendered reports by fingerprint and language.
type Renderings = HashMap<(String, Lang), Arc<Vec<u8>>>;

/// An audit's report data and its fingerprint.
type Loaded = (Arc<ReportData>, String);

/// Renderings kept; beyond, all are dropped.
const RENDERED: usize = 32;

impl Rendered {
    /// Reports whose verification link and QR code point at `origin` (no trailing slash);
    /// without one, the link is printed as a path on "the site that issued it".
    pub fn at(origin: Option<&str>) -> Self {
        Self {
            origin: origin.map(|o| o.trim_end_matches('/').to_owned()),
            ..Self::default()
        }
    }

    fn get_or_render(&self, key: (String, Lang), render: impl FnOnce() -> Vec<u8>) -> Arc<Vec<u8>> {
        let lock = || {
            self.pdfs
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if let Some(pdf) = lock().get(&key) {
            return Arc::clone(pdf);
        }
        let pdf = Arc::new(render());
        let mut kept = lock();
        if kept.len() >= RENDERED {
            kept.clear();
        }
        kept.insert(key, Arc::clone(&pdf));
        pdf
    }
}

/// The report of an audit as `user` may read it (the audit in their scope, not for
/// observers), in their language or else `fallback`.
pub fn issue_for(
    conn: &mut DbConnection,
    rendered: &Rendered,
    user: &crate::auth::CurrentUser,
    audit_id: &str,
    fallback: Lang,
) -> Result<Issued, AppError> {
    let (found, _) = crate::services::audits::open_working(conn, user, audit_id)?;
    let lang = user
        .locale
        .as_deref()
        .and_then(Lang::parse)
        .unwrap_or(fallback);
    issue(conn, rendered, &found.id, lang)
}

/// Renders the report of an audit the caller may see (or takes it from `rendered`). Reads
/// only: a report issued for the first time is then recorded by `record`.
pub fn issue(
    conn: &mut DbConnection,
    rendered: &Rendered,
    audit_id: &str,
    lang: Lang,
) -> Result<Issued, AppError> {
    let organisation: String = audits::table
        .find(audit_id)
        .select(audits::organisation_id)
        .first(conn)?;
    let key = AuditKey {
        organisation,
        audit: audit_id.to_owned(),
    };
    let loaded = rendered.loaded.get_or_compute(conn, key, |conn| {
        let data = audit_report::load(conn, audit_id)?;
        let fingerprint = audit_report::fingerprint(&data);
        Ok((Arc::new(data), fingerprint))
    })?;
    let (data, fingerprint) = (Arc::clone(&loaded.0), loaded.1.clone());
    let pdf = rendered.get_or_render((fingerprint.clone(), lang), || {
        audit_report::render(
            &data,
            &fingerprint,
            lang,
            rendered.origin.as_deref(),
            Format::Pdf,
        )
        .unwrap_or_default()
    });
    let recorded = issued_reports::table
        .find(&fingerprint)
        .count()
        .get_result::<i64>(conn)?
        > 0;
    Ok(Issued {
        data,
        fingerprint,
        pdf,
        recorded,
        lang,
        origin: rendered.origin.clone(),
    })
}

/// Records a report's fingerprint the first time it is issued, with what a stranger may
/// learn of it, so that a printed copy can be verified.
pub fn record(conn: &mut DbConnection, actor: &Actor, issued: &Issued) -> Result<(), AppError> {
    let (data, fingerprint) = (&issued.data, &issued.fingerprint);
    let known: i64 = issued_reports::table
        .find(fingerprint)
        .count()
        .get_result(conn)?;
    if known > 0 {
        return Ok(());
    }
    diesel::insert_into(issued_reports::table)
        .values((
            issued_reports::fingerprint.eq(fingerprint),
            issued_reports::audit_id.eq(&data.audit_id),
            issued_reports::organisation_name.eq(&data.organisation),
            issued_reports::audit_title.eq(&data.title),
            issued_reports::content_date.eq(data.issued_on),
            issued_reports::first_issued_at.eq(now()),
        ))
        .execute(conn)?;
    history::record(
        conn,
        actor,
        &Change {
            entity: "audit",
            entity_id: &data.audit_id,
            organisation_id: Some(&data.organisation_id),
            action: "report",
            before: None,
            after: Some(&serde_json::json!({ "fingerprint": fingerprint })),
        },
    )
}

/// After a read that issued a report, records it in a write of its own when it is new
/// (before the file is sent: its verification address must answer).
pub async fn record_if_new(db: &Db, actor: Actor, issued: Issued) -> Result<Issued, AppError> {
    if issued.recorded {
        return Ok(issued);
    }
    db.write(move |conn| {
        record(conn, &actor, &issued)?;
        Ok(issued)
    })
    .await
}

/// What a stranger learns from a fingerprint: never the findings.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub organisation_name: String,
    pub audit_title: String,
    pub content_date: NaiveDate,
    #[serde(serialize_with = "crate::domain::dates::utc")]
    pub first_issued_at: NaiveDateTime,
    /// The audit changed after this report: a later version exists
    pub superseded: bool,
}

pub fn verify(
    conn: &mut DbConnection,
    fingerprint: &str,
) -> Result<Option<Verification>, AppError> {
    let wanted = fingerprint.trim().to_ascii_lowercase();
    if wanted.len() != 64 || !wanted.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let found: Option<(String, String, String, NaiveDate, NaiveDateTime)> = issued_reports::table
        .find(&wanted)
        .select((
            issued_reports::audit_id,
            issued_reports::organisation_name,
            issued_reports::audit_title,
            issued_reports::content_date,
            issued_reports::first_issued_at,
        ))
        .first(conn)
        .optional()?;
    let Some((audit_id, organisation_name, audit_title, content_date, first_issued_at)) = found
    else {
        return Ok(None);
    };
    let current = audit_report::fingerprint(&audit_report::load(conn, &audit_id)?);
    Ok(Some(Verification {
        organisation_name,
        audit_title,
        content_date,
        first_issued_at,
        superseded: current != wanted,
    }))
}
