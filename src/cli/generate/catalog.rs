//! The frameworks a dataset commits organismes to, read once from the database after the
//! bundled ones are imported: each one's cycle, requirements, grades and indicators. An
//! organisme's charter is a copy of the model's, under its own id and code.

use std::collections::HashMap;

use diesel::prelude::*;

use super::plan::Scheme;
use crate::auth::OrgScope;
use crate::db::DbConnection;
use crate::db::schema::frameworks;
use crate::domain::framework::plan::CyclePlan;
use crate::error::AppError;
use crate::models::framework::{self as model, GradeRow, IndicatorRow};

#[derive(Debug, Clone)]
pub struct Requirement {
    pub reference: String,
    pub parent: Option<String>,
    /// An engagement or theme, whose sub-commitments are graded too
    pub has_children: bool,
}

#[derive(Debug, Clone)]
pub struct Info {
    pub id: String,
    pub code: String,
    pub kind: String,
    pub plan: CyclePlan,
    pub requirements: Vec<Requirement>,
    pub grades: Vec<GradeRow>,
    pub indicators: Vec<IndicatorRow>,
}

impl Info {
    /// This framework under another id and code: an organisme's charter made from the model.
    pub fn copy_as(&self, id: &str, code: &str) -> Self {
        Self {
            id: id.to_owned(),
            code: code.to_owned(),
            ..self.clone()
        }
    }
}

pub struct Catalog {
    pub by_scheme: HashMap<Scheme, Info>,
}

impl Catalog {
    pub fn get(&self, scheme: Scheme) -> &Info {
        &self.by_scheme[&scheme]
    }
}

/// The latest shared version of each bundled framework.
pub fn load(conn: &mut DbConnection) -> Result<Catalog, AppError> {
    let mut by_scheme = HashMap::new();
    for scheme in Scheme::ALL {
        let id: String = frameworks::table
            .filter(frameworks::code.eq(scheme.code()))
            .filter(frameworks::organisation_id.is_null())
            .order(frameworks::imported_at.desc())
            .select(frameworks::id)
            .first(conn)?;
        by_scheme.insert(scheme, info(conn, &id)?);
    }
    Ok(Catalog { by_scheme })
}

pub fn info(conn: &mut DbConnection, id: &str) -> Result<Info, AppError> {
    let found = model::find(conn, &OrgScope::All, id)?;
    let rows = model::requirements(conn, id)?;
    let requirements = rows
        .iter()
        .map(|r| Requirement {
            reference: r.reference.clone(),
            parent: r.parent_ref.clone(),
            has_children: rows
                .iter()
                .any(|c| c.parent_ref.as_deref() == Some(r.reference.as_str())),
        })
        .collect();
    Ok(Info {
        id: found.id,
        code: found.code,
        kind: found.kind,
        plan: CyclePlan::parse(&found.cycle).map_err(AppError::unexpected)?,
        requirements,
        grades: model::grades(conn, id)?,
        indicators: model::indicators(conn, id)?,
    })
}
