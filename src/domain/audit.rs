//! Audits as rules: their states and allowed moves, when findings and self-assessments may
//! change, how a decision moves the commitment, and how a save meets concurrent saves.

use super::Invalid;
use super::commitment::CommitmentState;
use super::enums::text_enum;

text_enum!(
    /// Where an audit stands.
    AuditState, "audit-state", {
        Planned => "planned",
        Preparation => "preparation",
        OnSite => "on_site",
        Drafted => "drafted",
        Submitted => "submitted",
        Decided => "decided",
        Closed => "closed",
    }
);

text_enum!(
    /// The outcome of an audit, taken by the certification body or labelling committee.
    Decision, "decision", {
        Granted => "granted",
        Renewed => "renewed",
        Maintained => "maintained",
        Suspended => "suspended",
        Refused => "refused",
    }
);

text_enum!(
    /// The organisme's own view of a requirement before the audit.
    SelfLevel, "self-level", {
        Met => "met",
        Partial => "partial",
        NotMet => "not_met",
        NotApplicable => "not_applicable",
    }
);

impl AuditState {
    pub fn next(self) -> &'static [AuditState] {
        use AuditState::{Closed, Decided, Drafted, OnSite, Planned, Preparation, Submitted};
        match self {
            Planned => &[Preparation, OnSite],
            Preparation => &[OnSite, Planned],
            OnSite => &[Drafted],
            Drafted => &[Submitted, OnSite],
            // Reopening a submitted report goes back to drafting, with a reason.
            Submitted => &[Decided, Drafted],
            Decided => &[Closed],
            Closed => &[],
        }
    }

    pub fn check_move(self, to: AuditState) -> Result<(), Invalid> {
        if self.next().contains(&to) {
            return Ok(());
        }
        let allowed: Vec<String> = self
            .next()
            .iter()
            .map(|s| format!("@{}", s.label_key()))
            .collect();
        Err(Invalid::new("err-audit-transition")
            .arg("from", format!("@{}", self.label_key()))
            .arg("to", format!("@{}", to.label_key()))
            .arg(
                "allowed",
                if allowed.is_empty() {
                    "—".to_owned()
                } else {
                    allowed.join(",")
                },
            ))
    }

    /// Findings are written until the report is submitted; then they are frozen.
    pub fn findings_open(self) -> bool {
        matches!(
            self,
            AuditState::Planned
                | AuditState::Preparation
                | AuditState::OnSite
                | AuditState::Drafted
        )
    }

    /// The report may be submitted (through its check): from the site, or its drafting.
    pub fn submittable(self) -> bool {
        matches!(self, AuditState::OnSite | AuditState::Drafted)
    }

    /// The organisme states where it stands before the auditors come.
    pub fn self_assessment_open(self) -> bool {
        matches!(self, AuditState::Planned | AuditState::Preparation)
    }
}

impl Decision {
    /// The state the commitment takes when this decision is recorded.
    pub fn commitment_state(self) -> CommitmentState {
        match self {
            Decision::Granted => CommitmentState::Granted,
            Decision::Renewed => CommitmentState::Renewed,
            Decision::Maintained => CommitmentState::Surveillance,
            Decision::Suspended => CommitmentState::Suspended,
            Decision::Refused => CommitmentState::Preparing,
        }
    }
}

/// What to do with a save, given the stored row (its version and content) and the version the
/// editor started from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveOutcome {
    Create,
    Update,
    /// The stored row already holds exactly this content: a retried save, harmless.
    AlreadySaved,
    /// Someone else saved another content since: nothing is written.
    Conflict,
}

pub fn save_outcome<T: PartialEq>(
    stored: Option<(i32, &T)>,
    base_version: i32,
    content: &T,
) -> SaveOutcome {
    match stored {
        None => SaveOutcome::Create,
        Some((_, current)) if current == content => SaveOutcome::AlreadySaved,
        Some((version, _)) if version == base_version => SaveOutcome::Update,
        Some(_) => SaveOutcome::Conflict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_audit_path_and_its_refusals() {
        let path = [
            AuditState::Planned,
            AuditState::Preparation,
            AuditState::OnSite,
            AuditState::Drafted,
            AuditState::Submitted,
            AuditState::Decided,
            AuditState::Closed,
        ];
        for pair in path.windows(2) {
            assert!(pair[0].check_move(pair[1]).is_ok());
        }
        assert_eq!(
            AuditState::Planned
                .check_move(AuditState::Submitted)
                .unwrap_err()
                .key,
            "err-audit-transition"
        );
        assert!(
            AuditState::Submitted
                .check_move(AuditState::Drafted)
                .is_ok(),
            "reopening"
        );
        assert!(AuditState::Closed.check_move(AuditState::Drafted).is_err());
    }

    #[test]
    fn findings_freeze_at_submission() {
        assert!(AuditState::Drafted.findings_open());
        assert!(!AuditState::Submitted.findings_open());
        assert!(AuditState::Preparation.self_assessment_open());
        assert!(!AuditState::OnSite.self_assessment_open());
    }

    #[test]
    fn saves_are_idempotent_and_conflicts_detected() {
        let mine = "NC mineure".to_owned();
        let theirs = "Point fort".to_owned();
        assert_eq!(save_outcome(None, 0, &mine), SaveOutcome::Create);
        assert_eq!(
            save_outcome(Some((1, &theirs)), 1, &mine),
            SaveOutcome::Update
        );
        assert_eq!(
            save_outcome(Some((2, &mine)), 1, &mine),
            SaveOutcome::AlreadySaved
        );
        assert_eq!(
            save_outcome(Some((2, &theirs)), 1, &mine),
            SaveOutcome::Conflict
        );
    }

    #[test]
    fn decisions_move_the_commitment() {
        assert_eq!(
            Decision::Renewed.commitment_state(),
            CommitmentState::Renewed
        );
        assert_eq!(
            Decision::Refused.commitment_state(),
            CommitmentState::Preparing
        );
    }
}

text_enum!(
    /// Where an action of an action plan stands; effectiveness is judged by an auditor.
    ActionStatus, "action-status", {
        Open => "open",
        InProgress => "in_progress",
        Done => "done",
        Effective => "effective",
        Ineffective => "ineffective",
    }
);

impl ActionStatus {
    /// Only an auditor, at a later audit, says whether an action worked.
    pub fn needs_auditor(self) -> bool {
        matches!(self, ActionStatus::Effective | ActionStatus::Ineffective)
    }

    /// Still to be carried out (an ineffective action is open again).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            ActionStatus::Open | ActionStatus::InProgress | ActionStatus::Ineffective
        )
    }
}
