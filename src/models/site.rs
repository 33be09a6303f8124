//! Sites of an organisme: agencies, residences (groupes immobiliers) and the head office.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::history::{self, Actor, Change};
use crate::db::schema::sites;
use crate::db::{DbConnection, new_id, now};
use crate::domain::actor::OrgScope;
use crate::domain::{BoundedText, FieldErrors, Homes, PostalCode, SiteKind};
use crate::error::AppError;
use crate::models::organisation::Organisation;

#[derive(
    Debug, Clone, Queryable, Selectable, Insertable, Identifiable, Serialize, utoipa::ToSchema,
)]
#[diesel(table_name = sites)]
pub struct Site {
    pub id: String,
    pub organisation_id: String,
    pub name: String,
    /// agence, residence or siege
    pub kind: String,
    pub address: String,
    pub postal_code: String,
    pub commune: String,
    pub homes: i32,
    /// In a quartier prioritaire de la politique de la ville
    pub qpv: bool,
    #[serde(serialize_with = "crate::domain::dates::utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::domain::dates::utc")]
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

impl crate::domain::policy::Owned for Site {
    fn organisation_id(&self) -> &str {
        &self.organisation_id
    }
}

/// What people type, before validation. `qpv` comes as a checkbox ("on") or a boolean.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct SiteForm {
    pub name: String,
    pub kind: String,
    pub address: String,
    pub postal_code: String,
    pub commune: String,
    pub homes: String,
    pub qpv: Option<String>,
    pub version: Option<i32>,
}

impl From<&Site> for SiteForm {
    fn from(s: &Site) -> Self {
        Self {
            name: s.name.clone(),
            kind: s.kind.clone(),
            address: s.address.clone(),
            postal_code: s.postal_code.clone(),
            commune: s.commune.clone(),
            homes: s.homes.to_string(),
            qpv: s.qpv.then(|| "on".to_owned()),
            version: Some(s.version),
        }
    }
}

#[derive(Debug, Clone)]
pub struct SiteInput {
    pub name: BoundedText,
    pub kind: SiteKind,
    pub address: BoundedText,
    pub postal_code: PostalCode,
    pub commune: BoundedText,
    pub homes: Homes,
    pub qpv: bool,
}

impl TryFrom<&SiteForm> for SiteInput {
    type Error = FieldErrors;

    fn try_from(form: &SiteForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.check("name", BoundedText::required(&form.name, 200));
        let kind = errors.check("kind", SiteKind::parse(&form.kind));
        let address = errors.check("address", BoundedText::required(&form.address, 300));
        let postal_code = errors.check("postal_code", PostalCode::parse(&form.postal_code));
        let commune = errors.check("commune", BoundedText::required(&form.commune, 120));
        let homes = errors.check("homes", Homes::parse(&form.homes));
        let qpv = matches!(form.qpv.as_deref(), Some("on" | "true" | "1" | "oui"));
        match (name, kind, address, postal_code, commune, homes) {
            (
                Some(name),
                Some(kind),
                Some(address),
                Some(postal_code),
                Some(commune),
                Some(homes),
            ) if errors.is_empty() => Ok(Self {
                name,
                kind,
                address,
                postal_code,
                commune,
                homes,
                qpv,
            }),
            _ => Err(errors),
        }
    }
}

pub fn list_for(conn: &mut DbConnection, organisation_id: &str) -> Result<Vec<Site>, AppError> {
    Ok(sites::table
        .filter(sites::organisation_id.eq(organisation_id))
        .order((sites::name.asc(), sites::id.asc()))
        .select(Site::as_select())
        .load(conn)?)
}

/// A site that `scope` holds, with its organisme; any other id is not found, whoever
/// asks. This is how pages, API and services reach one: the bare lookup stays in `models`.
pub fn find(
    conn: &mut DbConnection,
    scope: &OrgScope,
    id: &str,
) -> Result<(Site, Organisation), AppError> {
    let found = get(conn, id)?;
    let organisation = crate::models::organisation::find(conn, scope, &found.organisation_id)?;
    Ok((found, organisation))
}

/// A site by id, whatever its organisme: callers check the organisme against their scope.
pub(in crate::models) fn get(conn: &mut DbConnection, id: &str) -> Result<Site, AppError> {
    Ok(sites::table
        .find(id)
        .select(Site::as_select())
        .first(conn)?)
}

pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    organisation_id: &str,
    input: &SiteInput,
) -> Result<Site, AppError> {
    let at = now();
    let site = Site {
        id: new_id(),
        organisation_id: organisation_id.to_owned(),
        name: input.name.as_str().to_owned(),
        kind: input.kind.as_str().to_owned(),
        address: input.address.as_str().to_owned(),
        postal_code: input.postal_code.as_str().to_owned(),
        commune: input.commune.as_str().to_owned(),
        homes: input.homes.get(),
        qpv: input.qpv,
        created_at: at,
        updated_at: at,
        version: 1,
    };
    diesel::insert_into(sites::table)
        .values((
            sites::id.eq(&site.id),
            sites::organisation_id.eq(&site.organisation_id),
            sites::name.eq(&site.name),
            sites::kind.eq(&site.kind),
            sites::address.eq(&site.address),
            sites::postal_code.eq(&site.postal_code),
            sites::commune.eq(&site.commune),
            sites::homes.eq(site.homes),
            sites::qpv.eq(site.qpv),
            sites::created_at.eq(site.created_at),
            sites::updated_at.eq(site.updated_at),
            sites::version.eq(site.version),
        ))
        .execute(conn)?;
    history::record(
        conn,
        actor,
        &Change {
            entity: "site",
            entity_id: &site.id,
            organisation_id: Some(organisation_id),
            action: "create",
            before: None,
            after: Some(&site),
        },
    )?;
    Ok(site)
}

pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    before: &Site,
    expected_version: i32,
    input: &SiteInput,
) -> Result<Site, AppError> {
    let changed = diesel::update(sites::table)
        .filter(sites::id.eq(&before.id))
        .filter(sites::version.eq(expected_version))
        .set((
            sites::name.eq(input.name.as_str()),
            sites::kind.eq(input.kind.as_str()),
            sites::address.eq(input.address.as_str()),
            sites::postal_code.eq(input.postal_code.as_str()),
            sites::commune.eq(input.commune.as_str()),
            sites::homes.eq(input.homes.get()),
            sites::qpv.eq(input.qpv),
            sites::updated_at.eq(now()),
            sites::version.eq(expected_version + 1),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Err(AppError::Conflict);
    }
    let after = get(conn, &before.id)?;
    history::record(
        conn,
        actor,
        &Change {
            entity: "site",
            entity_id: &after.id,
            organisation_id: Some(&after.organisation_id),
            action: "update",
            before: Some(before),
            after: Some(&after),
        },
    )?;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_form_validation() {
        let form = SiteForm {
            name: "Agence Nord".into(),
            kind: "agence".into(),
            address: "3 rue des Lilas".into(),
            postal_code: "59000".into(),
            commune: "Lille".into(),
            homes: "1 200".into(),
            qpv: Some("on".into()),
            version: None,
        };
        let input = SiteInput::try_from(&form).unwrap();
        assert!(input.qpv);
        assert_eq!(input.homes.get(), 1200);

        let bad = SiteForm {
            postal_code: "5900".into(),
            kind: "tour".into(),
            ..form
        };
        let errors = SiteInput::try_from(&bad).unwrap_err();
        assert_eq!(errors.0["postal_code"].key, "err-postal-code-format");
        assert_eq!(errors.0["kind"].key, "err-unknown-choice");
    }
}
