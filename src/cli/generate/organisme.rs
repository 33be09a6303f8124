//! An organisme's own rows: the organisme, its sites (head office in its department, a few
//! agencies, residences whose homes add up to the organisme's, some in QPV) and its accounts
//! (a quality manager, sometimes an observer).

use std::collections::HashSet;

use chrono::{Duration, NaiveDateTime};
use rand::Rng;
use rand::rngs::StdRng;

use super::context::{Env, Org};
use super::names;
use super::plan::{HISTORY_DAYS, OrgPlan};
use super::rows::{Batch, OrgRow, SiteRow, UserRow};
use super::stamp::{chance, days, during, pick, split, uuid_at};
use crate::domain::calendar::Zone;
use crate::models::organisation::search_key;

/// Sites of an organisme: 5 to 40, more for more homes (≈ 20 at the mean).
pub fn site_count(rng: &mut StdRng, homes: i64) -> usize {
    #[expect(clippy::cast_precision_loss, reason = "a number of homes")]
    let scale = (homes as f64 / super::plan::MEAN_HOMES).sqrt();
    #[expect(clippy::cast_possible_truncation, reason = "a small count")]
    let n = 6 + (16.5 * scale).round() as i64 + rng.random_range(-2..=2);
    usize::try_from(n.clamp(5, 40)).unwrap_or(5)
}

/// Writes the organisme, its sites and accounts into `batch`; answers what comes next needs.
pub fn build<'p>(env: &Env<'_>, rng: &mut StdRng, plan: &'p OrgPlan, batch: &mut Batch) -> Org<'p> {
    let epoch = env.as_of - Duration::days(HISTORY_DAYS + 60);
    let day = epoch + days(rng, 0, 30);
    let created = during(rng, day);
    let id = uuid_at(rng, created);
    batch.organisations.push(OrgRow {
        id: id.clone(),
        name: plan.name.clone(),
        search_key: search_key(&plan.name),
        siren: plan.siren.clone(),
        family: plan.family.as_str().to_owned(),
        region: plan.region.to_owned(),
        homes: i32::try_from(plan.homes).unwrap_or(i32::MAX),
        federation: plan.family.usual_federation().as_str().to_owned(),
        created_at: created,
        updated_at: created,
        version: 1,
    });
    let sites = sites(rng, plan, &id, created);
    let zone = Zone::from_postal_code(&sites[0].postal_code);
    batch.sites.extend(sites.iter().cloned());
    let manager = names::person(rng);
    let manager_id = account(
        env,
        rng,
        batch,
        (&format!("qualite@{}.test", plan.slug), &manager),
        ("quality_manager", Some(&id)),
        created,
    );
    if plan.observer {
        let name = names::person(rng);
        account(
            env,
            rng,
            batch,
            (&format!("observateur@{}.test", plan.slug), &name),
            ("observer", Some(&id)),
            created,
        );
    }
    Org {
        plan,
        id,
        created,
        zone,
        sites,
        manager: (manager_id, manager),
        frameworks: Vec::new(),
        evidence: Vec::new(),
    }
}

/// An account with the dataset's password; answers its id.
pub fn account(
    env: &Env<'_>,
    rng: &mut StdRng,
    batch: &mut Batch,
    (email, name): (&str, &str),
    (role, organisation): (&str, Option<&str>),
    created: NaiveDateTime,
) -> String {
    let at = created + Duration::seconds(rng.random_range(60..3600));
    let id = uuid_at(rng, at);
    batch.users.push(UserRow {
        id: id.clone(),
        email: email.to_owned(),
        name: name.to_owned(),
        password_hash: env.password_hash.to_owned(),
        role: role.to_owned(),
        organisation_id: organisation.map(str::to_owned),
        region: None,
        must_change_password: false,
        disabled: false,
        created_at: at,
        updated_at: at,
        version: 1,
    });
    id
}

fn sites(
    rng: &mut StdRng,
    plan: &OrgPlan,
    organisation_id: &str,
    created: NaiveDateTime,
) -> Vec<SiteRow> {
    let area = plan.area();
    let count = site_count(rng, plan.homes);
    let agencies = usize::try_from((plan.homes / 7_000).clamp(0, 5))
        .unwrap_or(0)
        .min(count - 3);
    let residences = count - 1 - agencies;
    let homes = split(rng, plan.homes, residences, 12);
    // Offices and most residences in the organisme's department; ESH spread over the region.
    let spread = if plan.family == crate::domain::Family::Esh {
        0.5
    } else {
        0.15
    };
    let place = |rng: &mut StdRng| {
        let department = if chance(rng, spread) {
            pick(rng, area.departments)
        } else {
            plan.department
        };
        *pick(rng, department.communes)
    };
    let head_office = *pick(rng, plan.department.communes);
    let mut at = created;
    let mut taken = HashSet::new();
    let mut row = |rng: &mut StdRng,
                   name: String,
                   kind: &str,
                   (commune, postal): (&str, &str),
                   homes: i64| {
        at += Duration::seconds(rng.random_range(20..240));
        let mut name = name;
        if !taken.insert(name.clone()) {
            name = format!("{name} — {commune}");
            let mut n = 2;
            while !taken.insert(name.clone()) {
                name = format!("{name} {n}");
                n += 1;
            }
        }
        SiteRow {
            id: uuid_at(rng, at),
            organisation_id: organisation_id.to_owned(),
            name,
            kind: kind.to_owned(),
            address: names::address(rng),
            postal_code: postal.to_owned(),
            commune: commune.to_owned(),
            homes: i32::try_from(homes).unwrap_or(i32::MAX),
            qpv: kind == "residence" && chance(rng, if homes > 300 { 0.35 } else { 0.15 }),
            created_at: at,
            updated_at: at,
            version: 1,
        }
    };
    let mut out = vec![row(
        rng,
        format!("Siège — {}", head_office.0),
        "siege",
        head_office,
        0,
    )];
    for _ in 0..agencies {
        let where_ = place(rng);
        out.push(row(
            rng,
            format!("Agence de proximité {}", names::of(where_.0)),
            "agence",
            where_,
            0,
        ));
    }
    for share in homes {
        let where_ = place(rng);
        let name = names::residence(rng);
        out.push(row(rng, name, "residence", where_, share));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sites_add_up_to_the_homes_and_the_head_office_is_at_home() {
        for plan in super::super::plan::organisations(5, 40) {
            let mut rng = super::super::stamp::rng(5, 9, plan.index as u64);
            let created = chrono::NaiveDate::from_ymd_opt(2020, 1, 6)
                .unwrap()
                .and_hms_opt(9, 0, 0)
                .unwrap();
            let rows = sites(&mut rng, &plan, "org", created);
            assert!((5..=40).contains(&rows.len()), "{}", rows.len());
            let homes: i64 = rows.iter().map(|s| i64::from(s.homes)).sum();
            assert_eq!(homes, plan.homes);
            assert_eq!(rows[0].kind, "siege");
            assert!(
                plan.department
                    .communes
                    .iter()
                    .any(|(_, p)| *p == rows[0].postal_code)
            );
            let names: HashSet<&str> = rows.iter().map(|s| s.name.as_str()).collect();
            assert_eq!(names.len(), rows.len());
            assert!(
                rows.windows(2).all(|w| w[0].id < w[1].id),
                "ids sort by time"
            );
        }
    }
}
