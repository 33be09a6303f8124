//! The life of a commitment (engagement qualité) as an explicit state machine: which moves
//! are allowed, and which of them record a decision that opens a cycle.

use super::Invalid;
use super::enums::text_enum;

text_enum!(
    /// Where an organisme stands with one framework.
    CommitmentState, "commitment-state", {
        Considered => "considered",
        Preparing => "preparing",
        InitialAudit => "initial_audit",
        Granted => "granted",
        Surveillance => "surveillance",
        RenewalDue => "renewal_due",
        Renewed => "renewed",
        Suspended => "suspended",
        Withdrawn => "withdrawn",
        Expired => "expired",
    }
);

impl CommitmentState {
    /// The states one may move to from this one.
    pub fn next(self) -> &'static [CommitmentState] {
        use CommitmentState::{
            Considered, Expired, Granted, InitialAudit, Preparing, RenewalDue, Renewed,
            Surveillance, Suspended, Withdrawn,
        };
        match self {
            Considered => &[Preparing, Withdrawn],
            Preparing => &[InitialAudit, Considered, Withdrawn],
            // A refusal sends the organisme back to preparing.
            InitialAudit => &[Granted, Preparing, Withdrawn],
            Granted | Renewed => &[
                Surveillance,
                RenewalDue,
                Renewed,
                Suspended,
                Withdrawn,
                Expired,
            ],
            Surveillance => &[RenewalDue, Renewed, Suspended, Withdrawn, Expired],
            RenewalDue => &[Renewed, Suspended, Withdrawn, Expired],
            // Reinstated after a suspension, or ended.
            Suspended => &[Surveillance, RenewalDue, Renewed, Withdrawn, Expired],
            // Within the restoration window a late renewal restores; after it, start again.
            Expired => &[Renewed, Preparing, Considered],
            Withdrawn => &[Considered, Preparing],
        }
    }

    /// Entering this state records a decision (first grant or renewal) with its date.
    pub fn is_decision(self) -> bool {
        matches!(self, CommitmentState::Granted | CommitmentState::Renewed)
    }

    /// The organisme holds the certificate or label (even while suspended it is not lost yet).
    pub fn holds(self) -> bool {
        matches!(
            self,
            CommitmentState::Granted
                | CommitmentState::Surveillance
                | CommitmentState::RenewalDue
                | CommitmentState::Renewed
                | CommitmentState::Suspended
        )
    }

    /// Checks a move; the refusal names the allowed moves (as catalogue keys, marked `@`).
    pub fn check_move(self, to: CommitmentState) -> Result<(), Invalid> {
        if self.next().contains(&to) {
            return Ok(());
        }
        let allowed: Vec<String> = self
            .next()
            .iter()
            .map(|s| format!("@{}", s.label_key()))
            .collect();
        Err(Invalid::new("err-transition")
            .arg("from", format!("@{}", self.label_key()))
            .arg("to", format!("@{}", to.label_key()))
            .arg("allowed", allowed.join(",")))
    }
}

#[cfg(test)]
mod tests {
    use super::CommitmentState::*;
    use super::*;

    #[test]
    fn the_usual_path_is_allowed() {
        let path = [
            Considered,
            Preparing,
            InitialAudit,
            Granted,
            Surveillance,
            RenewalDue,
            Renewed,
            Surveillance,
        ];
        for pair in path.windows(2) {
            assert!(
                pair[0].check_move(pair[1]).is_ok(),
                "{:?} → {:?}",
                pair[0],
                pair[1]
            );
        }
    }

    #[test]
    fn forbidden_moves_say_what_is_possible() {
        let refusal = Considered.check_move(Granted).unwrap_err();
        assert_eq!(refusal.key, "err-transition");
        assert_eq!(
            refusal.args[2].1,
            "@commitment-state-preparing,@commitment-state-withdrawn"
        );
        assert!(Withdrawn.check_move(Granted).is_err());
        assert!(Expired.check_move(Surveillance).is_err());
    }

    #[test]
    fn every_state_can_be_left_and_decisions_are_grants_and_renewals() {
        for state in CommitmentState::ALL {
            assert!(!state.next().is_empty());
            assert!(!state.next().contains(state) || *state == Renewed);
        }
        assert!(Granted.is_decision() && Renewed.is_decision() && !Surveillance.is_decision());
        assert!(Suspended.holds() && !Expired.holds());
    }
}
