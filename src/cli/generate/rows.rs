//! The rows a dataset writes, table by table, and the batch that holds them until they go
//! in with multi-row inserts (in chunks far below PostgreSQL's 65 535 bound parameters),
//! parents before children, counting what each table received.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::Insertable;

use crate::db::DbConnection;
use crate::db::schema::{
    action_updates, actions, audit_sites, audit_team, audits, commitment_events, commitment_sites,
    commitments, evidence, evidence_files, evidence_requirements, findings, history,
    indicator_values, organisations, sites, survey_results, survey_waves, users,
};
use crate::models::indicator::Value;

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = organisations)]
pub struct OrgRow {
    pub id: String,
    pub name: String,
    pub search_key: String,
    pub siren: String,
    pub family: String,
    pub region: String,
    pub homes: i32,
    pub federation: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = sites)]
pub struct SiteRow {
    pub id: String,
    pub organisation_id: String,
    pub name: String,
    pub kind: String,
    pub address: String,
    pub postal_code: String,
    pub commune: String,
    pub homes: i32,
    pub qpv: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub role: String,
    pub organisation_id: Option<String>,
    pub region: Option<String>,
    pub must_change_password: bool,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = commitments)]
pub struct CommitmentRow {
    pub id: String,
    pub organisation_id: String,
    pub framework_id: String,
    pub state: String,
    pub all_sites: bool,
    pub body: String,
    pub certificate_number: String,
    pub auditor_id: Option<String>,
    pub start_date: NaiveDate,
    pub notes: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = commitment_sites)]
pub struct CommitmentSiteRow {
    pub commitment_id: String,
    pub site_id: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = commitment_events)]
pub struct EventRow {
    pub id: String,
    pub commitment_id: String,
    pub kind: String,
    pub event_date: NaiveDate,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub step_code: Option<String>,
    pub reason: String,
    pub author_id: Option<String>,
    pub author_label: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = audits)]
pub struct AuditRow {
    pub id: String,
    pub commitment_id: String,
    pub organisation_id: String,
    pub framework_id: String,
    pub step_code: Option<String>,
    pub kind: String,
    pub title: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub state: String,
    pub lead_auditor_id: Option<String>,
    pub decision: Option<String>,
    pub decision_date: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = audit_team)]
pub struct TeamRow {
    pub audit_id: String,
    pub user_id: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = audit_sites)]
pub struct AuditSiteRow {
    pub audit_id: String,
    pub site_id: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = findings)]
pub struct FindingRow {
    pub id: String,
    pub audit_id: String,
    pub requirement_ref: String,
    pub grade_code: Option<String>,
    pub finding: String,
    pub evidence_seen: String,
    pub site_ids: String,
    pub self_level: Option<String>,
    pub self_comment: String,
    pub evidence_ids: String,
    pub self_evidence_ids: String,
    pub updated_at: NaiveDateTime,
    pub updated_by: String,
    pub version: i32,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = actions)]
pub struct ActionRow {
    pub id: String,
    pub organisation_id: String,
    pub audit_id: String,
    pub finding_id: String,
    pub requirement_ref: String,
    pub title: String,
    pub correction: String,
    pub root_cause: String,
    pub corrective_action: String,
    pub owner: String,
    pub due_date: NaiveDate,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = action_updates)]
pub struct ActionUpdateRow {
    pub id: String,
    pub action_id: String,
    pub at: NaiveDateTime,
    pub author_label: String,
    pub status: String,
    pub note: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = evidence)]
pub struct EvidenceRow {
    pub id: String,
    pub organisation_id: String,
    pub title: String,
    pub site_id: Option<String>,
    pub effective_date: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = evidence_files)]
pub struct EvidenceFileRow {
    pub id: String,
    pub evidence_id: String,
    pub sha256: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_at: NaiveDateTime,
    pub uploaded_by: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = evidence_requirements)]
pub struct SupportRow {
    pub evidence_id: String,
    pub framework_code: String,
    pub requirement_ref: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = survey_waves)]
pub struct WaveRow {
    pub id: String,
    pub organisation_id: String,
    pub title: String,
    pub scale: String,
    pub fieldwork_end: NaiveDate,
    pub respondents: Option<i32>,
    pub provider: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = survey_results)]
pub struct ResultRow {
    pub id: String,
    pub wave_id: String,
    pub theme: String,
    pub site_id: Option<String>,
    pub value: f64,
    pub respondents: Option<i32>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = history)]
pub struct HistoryRow {
    pub id: String,
    pub at: NaiveDateTime,
    pub actor_id: Option<String>,
    pub actor_label: String,
    pub entity: String,
    pub entity_id: String,
    pub organisation_id: Option<String>,
    pub action: String,
    pub before_data: Option<String>,
    pub after_data: Option<String>,
}

/// Rows written per table, for the summary.
pub type Counts = BTreeMap<&'static str, usize>;

macro_rules! batch {
    ($($field:ident: $row:ty => $table:ident),+ $(,)?) => {
        /// Rows waiting to be written, in the order foreign keys need.
        #[derive(Default)]
        pub struct Batch {
            $(pub $field: Vec<$row>,)+
        }

        impl Batch {
            /// Writes everything held, parents first, and empties the batch.
            pub fn flush(
                &mut self,
                conn: &mut DbConnection,
                counts: &mut Counts,
            ) -> Result<(), diesel::result::Error> {
                $(
                    let rows = std::mem::take(&mut self.$field);
                    if !rows.is_empty() {
                        let written = crate::insert_batch!(&mut *conn, $table::table, &rows)?;
                        *counts.entry(stringify!($table)).or_default() += written;
                    }
                )+
                Ok(())
            }
        }
    };
}

batch!(
    organisations: OrgRow => organisations,
    sites: SiteRow => sites,
    users: UserRow => users,
    commitments: CommitmentRow => commitments,
    commitment_sites: CommitmentSiteRow => commitment_sites,
    events: EventRow => commitment_events,
    audits: AuditRow => audits,
    team: TeamRow => audit_team,
    audit_sites: AuditSiteRow => audit_sites,
    evidence: EvidenceRow => evidence,
    evidence_files: EvidenceFileRow => evidence_files,
    supports: SupportRow => evidence_requirements,
    findings: FindingRow => findings,
    actions: ActionRow => actions,
    action_updates: ActionUpdateRow => action_updates,
    values: Value => indicator_values,
    waves: WaveRow => survey_waves,
    results: ResultRow => survey_results,
    history: HistoryRow => history,
);
