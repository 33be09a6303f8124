//! The rows a dataset writes, table by table, and the batch that holds them until they go
//! in with multi-row inserts (in chunks far below PostgreSQL's 65 535 bound parameters),
//! parents before children, counting what each table received.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::Insertable;

use crate::db::DbConnection;
use crate::db::schema::{
    action_updates, actions, audit_sites, audit_team, audits, commitment_events, commitment_sites,
    commitments, evidence, evidence_files, evidence_requirements, findings, history,
    indicator_values, organisations, sites, survey_results, survey_waves, users,
};
use crate::models::indicator::Value;
// Most rows are the models' own structs, inserted as they are read back.
pub use crate::models::action::Action as ActionRow;
pub use crate::models::action::ActionUpdate as ActionUpdateRow;
pub use crate::models::audit::Audit as AuditRow;
pub use crate::models::commitment::Commitment as CommitmentRow;
pub use crate::models::commitment::Event as EventRow;
pub use crate::models::evidence::Evidence as EvidenceRow;
pub use crate::models::evidence::EvidenceFile as EvidenceFileRow;
pub use crate::models::finding::Finding as FindingRow;
pub use crate::models::history::HistoryEntry as HistoryRow;
pub use crate::models::organisation::Organisation as OrgRow;
pub use crate::models::site::Site as SiteRow;
pub use crate::models::survey::SurveyResult as ResultRow;
pub use crate::models::survey::Wave as WaveRow;

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
#[diesel(table_name = commitment_sites)]
pub struct CommitmentSiteRow {
    pub commitment_id: String,
    pub site_id: String,
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
#[diesel(table_name = evidence_requirements)]
pub struct SupportRow {
    pub evidence_id: String,
    pub framework_code: String,
    pub requirement_ref: String,
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
