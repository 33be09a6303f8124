//! Who is asking: the signed-in user as loaded for this request, and the organismes they see.
//! What they may do with what they see is decided in `policy`, nowhere else.

use serde::Serialize;

use crate::domain::Role;

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

/// Which organismes a user may see. Every finder of the data layer takes one, so an id
/// outside it is "not found" there, whatever page or route asked.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OrgScope {
    All,
    Region(String),
    One(String),
    /// Organismes whose commitments the auditor is assigned to follow.
    AssignedAuditor(String),
}

impl CurrentUser {
    /// The organismes this user sees (the first column of the roles table).
    pub fn scope(&self) -> OrgScope {
        crate::domain::policy::scope(self)
    }
}
