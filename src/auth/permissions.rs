//! The role table of DESIGN.md as code: which organismes a user sees and what they may change.
//! Queries take an `OrgScope`, so visibility is enforced where data is read.

use serde::Serialize;

use crate::domain::Role;
use crate::error::AppError;

/// The signed-in user, as loaded from the database for this request.
#[derive(Debug, Clone, Serialize)]
pub struct CurrentUser {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub organisation_id: Option<String>,
    pub region: Option<String>,
    pub must_change_password: bool,
    pub locale: Option<String>,
}

/// Which organismes a user may see.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OrgScope {
    All,
    Region(String),
    One(String),
    /// Organismes whose commitments the auditor is assigned to follow.
    AssignedAuditor(String),
}

impl CurrentUser {
    pub fn scope(&self) -> OrgScope {
        match self.role {
            Role::Admin => OrgScope::All,
            Role::Federation => match &self.region {
                Some(region) => OrgScope::Region(region.clone()),
                None => OrgScope::All,
            },
            Role::QualityManager | Role::Observer => {
                OrgScope::One(self.organisation_id.clone().unwrap_or_default())
            }
            Role::Auditor => OrgScope::AssignedAuditor(self.id.clone()),
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    pub fn require_admin(&self) -> Result<(), AppError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Creating an organisme is an administrator's act.
    pub fn can_create_organisation(&self) -> bool {
        self.is_admin()
    }

    /// Editing an organisme or its sites: administrators, and its own quality manager.
    /// (Visibility is checked first by the scoped query; this only decides read vs write.)
    pub fn can_edit_organisation(&self, organisation_id: &str) -> bool {
        match self.role {
            Role::Admin => true,
            Role::QualityManager => self.organisation_id.as_deref() == Some(organisation_id),
            Role::Federation | Role::Auditor | Role::Observer => false,
        }
    }

    pub fn require_edit_organisation(&self, organisation_id: &str) -> Result<(), AppError> {
        if self.can_edit_organisation(organisation_id) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Adding documents to an organisme's library: whoever edits the organisme, and the
    /// auditors it is visible to (through an audit they are assigned), who bring the proof
    /// they gather on site. Changing the organisme's documents stays with its own people.
    pub fn can_add_evidence(&self, organisation_id: &str) -> bool {
        self.can_edit_organisation(organisation_id) || self.role == Role::Auditor
    }

    pub fn require_add_evidence(&self, organisation_id: &str) -> Result<(), AppError> {
        if self.can_add_evidence(organisation_id) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Whether the user may read the change history of an organisme they can see.
    pub fn can_read_history(&self) -> bool {
        !matches!(self.role, Role::Observer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, organisation: Option<&str>, region: Option<&str>) -> CurrentUser {
        CurrentUser {
            id: "u1".into(),
            email: "a@b.fr".into(),
            name: "A".into(),
            role,
            organisation_id: organisation.map(Into::into),
            region: region.map(Into::into),
            must_change_password: false,
            locale: None,
        }
    }

    #[test]
    fn scopes_follow_roles() {
        assert_eq!(user(Role::Admin, None, None).scope(), OrgScope::All);
        assert_eq!(user(Role::Federation, None, None).scope(), OrgScope::All);
        assert_eq!(
            user(Role::Federation, None, Some("11")).scope(),
            OrgScope::Region("11".into())
        );
        assert_eq!(
            user(Role::Observer, Some("o1"), None).scope(),
            OrgScope::One("o1".into())
        );
        assert_eq!(
            user(Role::Auditor, None, None).scope(),
            OrgScope::AssignedAuditor("u1".into())
        );
    }

    #[test]
    fn only_admins_and_own_quality_managers_edit() {
        assert!(user(Role::Admin, None, None).can_edit_organisation("o1"));
        assert!(user(Role::QualityManager, Some("o1"), None).can_edit_organisation("o1"));
        assert!(!user(Role::QualityManager, Some("o1"), None).can_edit_organisation("o2"));
        assert!(!user(Role::Observer, Some("o1"), None).can_edit_organisation("o1"));
        assert!(!user(Role::Federation, None, None).can_edit_organisation("o1"));
        assert!(!user(Role::QualityManager, Some("o1"), None).can_create_organisation());
    }
}
