//! Who signs in through an OpenID Connect provider: one identity per provider and subject,
//! linked to an account, or pending until an administrator accepts the person (or refuses
//! them). A person is matched to an existing account only by an e-mail address the provider
//! says it verified; an unknown person gets no access by themselves.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::history::{self, Actor, Change};
use crate::auth::oidc::Person;
use crate::db::schema::{auto_joins, identities, organisations};
use crate::db::{DbConnection, new_id, now};
use crate::error::AppError;
use crate::models::user::{self, User};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = identities)]
pub struct Identity {
    pub id: String,
    pub provider: String,
    pub subject: String,
    pub user_id: Option<String>,
    pub email: String,
    pub email_verified: bool,
    pub name: String,
    pub siret: Option<String>,
    pub organizational_unit: Option<String>,
    pub state: String,
    #[serde(serialize_with = "crate::domain::dates::utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::domain::dates::utc_opt")]
    pub last_login_at: Option<NaiveDateTime>,
}

/// Where a sign-in through a provider leads.
#[derive(Debug)]
pub enum Arrival {
    /// Into this account.
    Account(Box<User>),
    /// Nowhere yet: an administrator has to accept the person first.
    Pending(Box<Identity>),
    /// An administrator refused the person, or disabled their account.
    Refused,
}

fn by_subject(
    conn: &mut DbConnection,
    provider: &str,
    subject: &str,
) -> Result<Option<Identity>, AppError> {
    Ok(identities::table
        .filter(identities::provider.eq(provider))
        .filter(identities::subject.eq(subject))
        .select(Identity::as_select())
        .first(conn)
        .optional()?)
}

fn note(
    conn: &mut DbConnection,
    actor: &Actor,
    identity: &Identity,
    action: &str,
) -> Result<(), AppError> {
    history::on_account(
        conn,
        actor,
        identity.user_id.as_deref().unwrap_or(&identity.id),
        action,
        Some(&serde_json::json!({
            "provider": identity.provider,
            "email": identity.email,
            "name": identity.name,
            "siret": identity.siret,
        })),
    )
}

/// The person arriving from `provider`: their account when known (or matched by a verified
/// address, then linked), else a pending request. `trust_email` says whether the provider's
/// addresses count as verified when it does not say (ProConnect).
pub fn arrive(
    conn: &mut DbConnection,
    provider: &str,
    person: &Person,
    trust_email: bool,
) -> Result<Arrival, AppError> {
    let verified = person.verified_email(trust_email);
    if let Some(known) = by_subject(conn, provider, &person.sub)? {
        return match (known.state.as_str(), known.user_id.clone()) {
            ("linked", Some(user_id)) => enter(conn, &known, &user_id),
            ("refused", _) => Ok(Arrival::Refused),
            _ => still_waiting(conn, provider, person, verified.as_deref(), known),
        };
    }
    let (matched, joined_now) = if let Some(email) = &verified {
        if let Some(found) = user::find_by_email(conn, email)? {
            (Some(found), false)
        } else {
            let made = joined(conn, provider, person, email)?;
            let now = made.is_some();
            (made, now)
        }
    } else {
        (None, false)
    };
    let identity = Identity {
        id: new_id(),
        provider: provider.to_owned(),
        subject: person.sub.clone(),
        user_id: matched.as_ref().map(|u| u.id.clone()),
        email: verified
            .clone()
            .or_else(|| person.email.clone())
            .unwrap_or_default(),
        email_verified: verified.is_some(),
        name: person.display_name(),
        siret: person.siret.clone(),
        organizational_unit: person.organizational_unit.clone(),
        state: if matched.is_some() {
            "linked"
        } else {
            "pending"
        }
        .to_owned(),
        created_at: now(),
        last_login_at: None,
    };
    // Two first sign-ins of one person at the same instant: the second meets the unique key
    // (a conflict) and the caller reads the first's; in a savepoint, so that PostgreSQL's
    // transaction survives it.
    diesel::Connection::transaction(conn, |c| {
        diesel::insert_into(identities::table)
            .values((
                identities::id.eq(&identity.id),
                identities::provider.eq(&identity.provider),
                identities::subject.eq(&identity.subject),
                identities::user_id.eq(&identity.user_id),
                identities::email.eq(&identity.email),
                identities::email_verified.eq(identity.email_verified),
                identities::name.eq(&identity.name),
                identities::siret.eq(&identity.siret),
                identities::organizational_unit.eq(&identity.organizational_unit),
                identities::state.eq(&identity.state),
                identities::created_at.eq(identity.created_at),
            ))
            .execute(c)
    })
    .map_err(super::conflict_on_unique)?;
    let actor = Actor::system(&format!("{provider} : {}", identity.name));
    if let Some(user_id) = &identity.user_id {
        let action = if joined_now {
            "identity_joined"
        } else {
            "identity_linked"
        };
        note(conn, &actor, &identity, action)?;
        return enter(conn, &identity, user_id);
    }
    note(conn, &actor, &identity, "identity_requested")?;
    Ok(Arrival::Pending(Box::new(identity)))
}

/// A person whose request is pending: still waiting, unless their organisme let its staff
/// join by themselves since (then they join now).
fn still_waiting(
    conn: &mut DbConnection,
    provider: &str,
    person: &Person,
    verified: Option<&str>,
    mut known: Identity,
) -> Result<Arrival, AppError> {
    let Some(email) = verified else {
        return Ok(Arrival::Pending(Box::new(known)));
    };
    if user::find_by_email(conn, email)?.is_some() {
        return Ok(Arrival::Pending(Box::new(known)));
    }
    let Some(account) = joined(conn, provider, person, email)? else {
        return Ok(Arrival::Pending(Box::new(known)));
    };
    diesel::update(identities::table.find(&known.id))
        .set((
            identities::state.eq("linked"),
            identities::user_id.eq(&account.id),
        ))
        .execute(conn)?;
    known.user_id = Some(account.id.clone());
    let actor = Actor::system(&format!("{provider} : {}", known.name));
    note(conn, &actor, &known, "identity_joined")?;
    enter(conn, &known, &account.id)
}

/// An account made for a person whose SIRET belongs to an organisme that lets its staff join
/// by themselves: an observer of it, with no password (they sign in through the provider).
fn joined(
    conn: &mut DbConnection,
    provider: &str,
    person: &Person,
    email: &str,
) -> Result<Option<User>, AppError> {
    let Some(siren) = person.siren() else {
        return Ok(None);
    };
    let Some(organisation_id) = auto_joins::table
        .inner_join(organisations::table)
        .filter(organisations::siren.eq(&siren))
        .select(organisations::id)
        .first::<String>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let form = user::UserForm {
        email: email.to_owned(),
        name: person.display_name(),
        role: crate::domain::Role::Observer.as_str().to_owned(),
        organisation: organisation_id,
        region: String::new(),
    };
    // A name or address the provider gives that qualitrack would refuse: an administrator
    // settles the request instead.
    let Ok(input) = user::UserInput::try_from(&form) else {
        return Ok(None);
    };
    let actor = Actor::system(&format!("{provider} : {}", person.display_name()));
    Ok(Some(user::create(
        conn,
        &actor,
        &input,
        crate::auth::password::UNUSABLE,
        false,
    )?))
}

/// Whether staff of the organisme join it by themselves through a provider.
pub fn auto_join(conn: &mut DbConnection, organisation_id: &str) -> Result<bool, AppError> {
    Ok(auto_joins::table
        .find(organisation_id)
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// Turns the organisme's self-joining on or off, with its history line.
pub fn set_auto_join(
    conn: &mut DbConnection,
    actor: &Actor,
    organisation_id: &str,
    on: bool,
) -> Result<(), AppError> {
    let before = auto_join(conn, organisation_id)?;
    if on == before {
        return Ok(());
    }
    if on {
        // Turned on by two administrators at once: the second finds it on (a savepoint, so
        // that PostgreSQL's transaction survives the duplicate key).
        let inserted = diesel::Connection::transaction(conn, |c| {
            diesel::insert_into(auto_joins::table)
                .values((
                    auto_joins::organisation_id.eq(organisation_id),
                    auto_joins::enabled_at.eq(now()),
                    auto_joins::enabled_by.eq(&actor.label),
                ))
                .execute(c)
        })
        .map_err(super::conflict_on_unique);
        match inserted {
            Err(AppError::Conflict) => return Ok(()),
            other => other?,
        };
    } else if diesel::delete(auto_joins::table.find(organisation_id)).execute(conn)? == 0 {
        return Ok(());
    }
    history::record(
        conn,
        actor,
        &Change {
            entity: "organisation",
            entity_id: organisation_id,
            organisation_id: Some(organisation_id),
            action: "update",
            before: Some(&serde_json::json!({ "auto_join": before })),
            after: Some(&serde_json::json!({ "auto_join": on })),
        },
    )
}

fn enter(conn: &mut DbConnection, identity: &Identity, user_id: &str) -> Result<Arrival, AppError> {
    let account = user::get(conn, user_id)?;
    if account.disabled {
        return Ok(Arrival::Refused);
    }
    diesel::update(identities::table.find(&identity.id))
        .set(identities::last_login_at.eq(now()))
        .execute(conn)?;
    user::record_login(conn, &account)?;
    Ok(Arrival::Account(Box::new(account)))
}

/// People waiting for an administrator, oldest first.
pub fn pending(conn: &mut DbConnection) -> Result<Vec<Identity>, AppError> {
    Ok(identities::table
        .filter(identities::state.eq("pending"))
        .order(identities::created_at.asc())
        .select(Identity::as_select())
        .load(conn)?)
}

/// The identities linked to an account (its page says how it signs in).
pub fn of_user(conn: &mut DbConnection, user_id: &str) -> Result<Vec<Identity>, AppError> {
    Ok(identities::table
        .filter(identities::user_id.eq(user_id))
        .order(identities::created_at.asc())
        .select(Identity::as_select())
        .load(conn)?)
}

/// Per account, the providers it signs in through (for the list of accounts: who signs in
/// how).
pub fn providers_by_user(
    conn: &mut DbConnection,
) -> Result<std::collections::HashMap<String, Vec<String>>, AppError> {
    let linked: Vec<(Option<String>, String)> = identities::table
        .filter(identities::state.eq("linked"))
        .order(identities::provider.asc())
        .select((identities::user_id, identities::provider))
        .load(conn)?;
    let mut by_user: std::collections::HashMap<String, Vec<String>> =
        std::collections::HashMap::new();
    for (user_id, provider) in linked {
        if let Some(user_id) = user_id {
            by_user.entry(user_id).or_default().push(provider);
        }
    }
    Ok(by_user)
}

/// A pending request, for an administrator to settle.
pub fn pending_one(conn: &mut DbConnection, id: &str) -> Result<Identity, AppError> {
    identities::table
        .find(id)
        .filter(identities::state.eq("pending"))
        .select(Identity::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::Conflict)
}

/// Links a pending request to the account made (or chosen) for the person.
pub fn accept(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    user_id: &str,
) -> Result<(), AppError> {
    let mut identity = pending_one(conn, id)?;
    diesel::update(
        identities::table
            .find(id)
            .filter(identities::state.eq("pending")),
    )
    .set((
        identities::state.eq("linked"),
        identities::user_id.eq(user_id),
    ))
    .execute(conn)?;
    identity.user_id = Some(user_id.to_owned());
    note(conn, actor, &identity, "identity_accepted")
}

/// Refuses a pending request: the person keeps getting no access.
pub fn refuse(conn: &mut DbConnection, actor: &Actor, id: &str) -> Result<(), AppError> {
    let identity = pending_one(conn, id)?;
    diesel::update(
        identities::table
            .find(id)
            .filter(identities::state.eq("pending")),
    )
    .set(identities::state.eq("refused"))
    .execute(conn)?;
    note(conn, actor, &identity, "identity_refused")
}
