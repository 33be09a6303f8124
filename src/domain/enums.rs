//! Closed lists stored as text: roles, organisme families, federations, site kinds.
//! Each value has a stable code (database, API, CLI) and a catalogue key for its label.

use super::Invalid;

/// Declares an enumeration with its text codes, `ALL`, `as_str`, `parse` and `label_key`.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident, $prefix:literal, { $($variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn parse(raw: &str) -> Result<Self, Invalid> {
                match raw.trim() {
                    $($code => Ok($name::$variant),)+
                    "" => Err(Invalid::new("err-required")),
                    _ => Err(Invalid::new("err-unknown-choice")),
                }
            }

            /// Key of the label in the message catalogue.
            pub fn label_key(self) -> String {
                format!("{}-{}", $prefix, self.as_str())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use text_enum;

text_enum!(
    /// What a user may do; see the role table of DESIGN.md.
    Role, "role", {
        Admin => "admin",
        Federation => "federation",
        QualityManager => "quality_manager",
        Auditor => "auditor",
        Observer => "observer",
    }
);

impl Role {
    /// Roles tied to exactly one organisme.
    pub fn needs_organisation(self) -> bool {
        matches!(self, Role::QualityManager | Role::Observer)
    }

    /// Only federation staff may be narrowed to one region.
    pub fn allows_region(self) -> bool {
        self == Role::Federation
    }
}

text_enum!(
    /// Legal family of an organisme.
    Family, "family", {
        Oph => "oph",
        Esh => "esh",
        Coop => "coop",
        Sem => "sem",
        Other => "autre",
    }
);

text_enum!(
    /// The federation an organisme belongs to (SEM belong to the EPL federation, not the USH).
    Federation, "federation", {
        Foph => "foph",
        Esh => "esh",
        Coop => "coop",
        Procivis => "procivis",
        Epl => "epl",
        Other => "autre",
    }
);

impl Family {
    /// The usual federation of a family, offered as the default on forms.
    pub fn usual_federation(self) -> Federation {
        match self {
            Family::Oph => Federation::Foph,
            Family::Esh => Federation::Esh,
            Family::Coop => Federation::Coop,
            Family::Sem => Federation::Epl,
            Family::Other => Federation::Other,
        }
    }
}

text_enum!(
    /// Kind of site of an organisme.
    SiteKind, "site-kind", {
        Agency => "agence",
        Residence => "residence",
        HeadOffice => "siege",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()).unwrap(), *role);
        }
        assert_eq!(Family::parse("autre").unwrap(), Family::Other);
        assert_eq!(Family::parse("hlm").unwrap_err().key, "err-unknown-choice");
        assert_eq!(SiteKind::parse("").unwrap_err().key, "err-required");
        assert_eq!(Role::QualityManager.label_key(), "role-quality_manager");
    }

    #[test]
    fn scoping_rules_of_roles() {
        assert!(Role::Observer.needs_organisation());
        assert!(!Role::Auditor.needs_organisation());
        assert!(Role::Federation.allows_region());
        assert!(!Role::Admin.allows_region());
    }
}
