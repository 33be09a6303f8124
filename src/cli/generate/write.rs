//! Writes a whole dataset in one transaction (nothing stays of a run that fails): the
//! bundled frameworks if missing, the federation's staff and auditors, then each organisme
//! with everything it holds, batched into multi-row inserts.

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use rand::rngs::StdRng;

use super::catalog::{self, Catalog};
use super::context::{Auditor, BODIES, Env, Files, Org};
use super::plan::{self, HISTORY_DAYS, OrgPlan, Scheme};
use super::rows::{Batch, Counts, HistoryRow, UserRow};
use super::stamp::{Seq, at_hour, rng, uuid_at};
use super::story::Script;
use super::{commitments, evidence, findings, measures, names, organisme};
use crate::db::DbConnection;
use crate::db::schema::organisations;
use crate::domain::Region;
use crate::error::AppError;
use crate::models::history::Actor;
use crate::models::organisation::Organisation;
use crate::services::{charters, frameworks};

const STREAM_FRAMEWORKS: u64 = 10;
const STREAM_STAFF: u64 = 11;
const STREAM_CHARTER: u64 = 12;

/// Refuses a database that already holds organismes: datasets are not mixed.
pub fn require_empty(conn: &mut DbConnection) -> anyhow::Result<()> {
    let existing: i64 = organisations::table
        .count()
        .get_result(conn)
        .map_err(|e| anyhow::anyhow!("cannot count the organismes: {e}"))?;
    if existing > 0 {
        anyhow::bail!(
            "the database already holds {existing} organisme(s): datasets are written into an \
             empty database only (point QUALITRACK_DATABASE_URL or QUALITRACK_DATA_DIR elsewhere)"
        );
    }
    Ok(())
}

/// Imports the bundled frameworks that are not there yet, with ids from the seed.
pub fn import_frameworks(
    conn: &mut DbConnection,
    seed: u64,
    at: chrono::NaiveDateTime,
    label: &str,
) -> Result<Catalog, AppError> {
    let mut stamps = Seq {
        rng: rng(seed, STREAM_FRAMEWORKS, 0),
        at,
    };
    frameworks::import_stamped(
        conn,
        &Actor::system(label),
        &crate::domain::framework::bundled(),
        &frameworks::Ownership::default(),
        &mut stamps,
    )?;
    catalog::load(conn)
}

/// Accounts shown at the end: (role, e-mail).
pub type Logins = Vec<(String, String)>;

/// The administrator, federation staff (national, and one per region) and the auditors.
pub fn staff(
    featured_region: &str,
    password_hash: &str,
    seed: u64,
    n: usize,
    day: NaiveDate,
    batch: &mut Batch,
) -> (Vec<Auditor>, Logins) {
    let mut r = rng(seed, STREAM_STAFF, 0);
    let mut at = at_hour(day, 8);
    let mut user =
        |r: &mut StdRng, email: String, name: String, role: &str, region: Option<&str>| {
            at += Duration::seconds(37);
            let id = uuid_at(r, at);
            batch.users.push(UserRow {
                id: id.clone(),
                email,
                name,
                password_hash: password_hash.to_owned(),
                role: role.to_owned(),
                organisation_id: None,
                region: region.map(str::to_owned),
                must_change_password: false,
                disabled: false,
                created_at: at,
                updated_at: at,
                version: 1,
            });
            id
        };
    let mut logins = vec![
        ("admin".to_owned(), "admin@qualitrack.test".to_owned()),
        (
            "federation".to_owned(),
            "federation@qualitrack.test".to_owned(),
        ),
    ];
    user(
        &mut r,
        logins[0].1.clone(),
        "Administration qualitrack".to_owned(),
        "admin",
        None,
    );
    let name = format!("{} — Union sociale pour l’habitat", names::person(&mut r));
    user(&mut r, logins[1].1.clone(), name, "federation", None);
    for region in Region::all() {
        let email = format!("federation.{}@qualitrack.test", region.code);
        let name = format!(
            "{} — association régionale Hlm, {}",
            names::person(&mut r),
            region.name
        );
        user(&mut r, email.clone(), name, "federation", Some(region.code));
        if region.code == featured_region {
            logins.push((format!("federation ({})", region.name), email));
        }
    }
    let count = n.div_ceil(15).max(2);
    let mut auditors = Vec::with_capacity(count);
    for i in 0..count {
        let body = i % BODIES.len();
        let name = names::person(&mut r);
        let email = format!("auditeur.{:03}@qualitrack.test", i + 1);
        let id = user(&mut r, email.clone(), name.clone(), "auditor", None);
        if i == 0 {
            logins.push(("auditor".to_owned(), email));
        }
        auditors.push(Auditor { id, name, body });
    }
    (auditors, logins)
}

/// Creates the organisme's own charter (through the charter service), with ids from the seed.
pub fn charter(
    conn: &mut DbConnection,
    env: &Env<'_>,
    org: &Org<'_>,
) -> Result<catalog::Info, AppError> {
    let organisation = Organisation {
        id: org.id.clone(),
        name: org.plan.name.clone(),
        search_key: String::new(),
        siren: org.plan.siren.clone(),
        family: org.plan.family.as_str().to_owned(),
        region: org.plan.region.to_owned(),
        homes: i32::try_from(org.plan.homes).unwrap_or(i32::MAX),
        federation: String::new(),
        created_at: org.created,
        updated_at: org.created,
        version: 1,
    };
    let mut stamps = Seq {
        rng: rng(env.seed, STREAM_CHARTER, org.plan.index as u64),
        at: org.created + Duration::hours(2),
    };
    let id = charters::create_stamped(
        conn,
        &Actor::user(&org.manager.0, &org.manager.1),
        &organisation,
        &mut stamps,
    )?;
    Ok(env
        .catalog
        .get(Scheme::Charter)
        .copy_as(&id, &charters::charter_code(&organisation)))
}

/// What an organisme's commitments are to play: the scheme and its script.
pub type Scripts = Vec<(Scheme, Script)>;

/// Everything an organisme holds besides itself, its sites and accounts; `survey` says
/// whether it has a satisfaction survey (drawn when `None`).
pub fn contents(
    env: &Env<'_>,
    r: &mut StdRng,
    org: &mut Org<'_>,
    (scripts, survey): (&Scripts, Option<bool>),
    files: &mut Files,
    batch: &mut Batch,
) -> Result<(), AppError> {
    evidence::write(r, org, env.as_of, files, batch).map_err(AppError::unexpected)?;
    let mut audits = Vec::new();
    let mut states = Vec::new();
    for (scheme, script) in scripts {
        let framework = if *scheme == Scheme::Charter {
            org.frameworks.iter().find(|f| f.kind == "charter")
        } else {
            org.frameworks.iter().find(|f| f.code == scheme.code())
        };
        let Some(framework) = framework else { continue };
        let (story, written) =
            commitments::write(env, r, org, (*scheme, framework), *script, batch);
        states.push(
            serde_json::json!({ "framework": framework.code, "state": story.state.as_str() }),
        );
        audits.extend(written);
    }
    findings::write(r, org, env.as_of, &audits, batch);
    measures::write(r, org, (env.as_of, env.months), survey, batch);
    let at = at_hour(env.as_of, 20) + Duration::seconds(i64::try_from(org.plan.index).unwrap_or(0));
    batch.history.push(HistoryRow {
        id: uuid_at(r, at),
        at,
        actor_id: None,
        actor_label: env.label.to_owned(),
        entity: "organisation".to_owned(),
        entity_id: org.id.clone(),
        organisation_id: Some(org.id.clone()),
        action: "generate".to_owned(),
        before_data: None,
        after_data: Some(
            serde_json::json!({
                "seed": env.seed,
                "as_of": env.as_of,
                "index": org.plan.index,
                "homes": org.plan.homes,
                "sites": org.sites.len(),
                "commitments": states,
            })
            .to_string(),
        ),
    });
    Ok(())
}

/// Writes the organismes of `plans`, `chunk` at a time; `progress` hears each one done.
pub fn organismes(
    conn: &mut DbConnection,
    env: &Env<'_>,
    plans: &[OrgPlan],
    files: &mut Files,
    counts: &mut Counts,
    progress: &mut dyn FnMut(),
) -> Result<(), AppError> {
    for chunk in plans.chunks(25) {
        let mut batch = Batch::default();
        let mut built: Vec<(StdRng, Org<'_>)> = Vec::with_capacity(chunk.len());
        for p in chunk {
            let mut r = rng(env.seed, plan::STREAM_CONTENT, p.index as u64);
            let org = organisme::build(env, &mut r, p, &mut batch);
            built.push((r, org));
        }
        batch.flush(conn, counts)?;
        for (r, org) in &mut built {
            let schemes: Vec<Scheme> = org.plan.follows.iter().map(|f| f.scheme).collect();
            frameworks_of(conn, env, org, &schemes)?;
            let scripts: Scripts = org
                .plan
                .follows
                .iter()
                .map(|f| (f.scheme, f.script(env.as_of)))
                .collect();
            contents(env, r, org, (&scripts, None), files, &mut batch)?;
            progress();
        }
        batch.flush(conn, counts)?;
    }
    Ok(())
}

/// The frameworks an organisme commits to, its own charter created if it has one.
pub fn frameworks_of(
    conn: &mut DbConnection,
    env: &Env<'_>,
    org: &mut Org<'_>,
    schemes: &[Scheme],
) -> Result<(), AppError> {
    for scheme in schemes {
        let info = if *scheme == Scheme::Charter {
            charter(conn, env, org)?
        } else {
            env.catalog.get(*scheme).clone()
        };
        org.frameworks.push(info);
    }
    Ok(())
}

/// The first instant of a dataset: before every organisme and commitment.
pub fn epoch(as_of: NaiveDate) -> chrono::NaiveDateTime {
    at_hour(as_of - Duration::days(HISTORY_DAYS + 90), 8)
}
