//! `qualitrack demo`: four named organismes of different families and regions, whose
//! commitments are played (without chance) from start dates chosen so that, on the as-of
//! date, each bundled framework is followed in a telling state and audits stand at every
//! stage: one planned, one on site with part of its findings, one submitted, one decided.

use std::time::Instant;

use anyhow::Context as _;
use chrono::{Duration, NaiveDate};

use super::context::{Env, Files};
use super::places::area;
use super::plan::{OrgPlan, Scheme};
use super::rows::{Batch, Counts};
use super::stamp::rng;
use super::story::{Fate, Script, Story, play};
use super::write::{self, Scripts};
use super::{organisme, print_accounts, summary};
use crate::auth::password;
use crate::config::Settings;
use crate::domain::audit::AuditState;
use crate::domain::commitment::CommitmentState;
use crate::domain::{Family, calendar::Zone};
use crate::error::AppError;
use crate::startup::open_database;

/// The demo's own seed: its ids and values never change.
const SEED: u64 = 2016;

/// What a commitment of the demo must look like on the as-of date.
type Wanted = fn(&Story, NaiveDate) -> bool;

fn audit_in(story: &Story, step: &str, state: AuditState) -> bool {
    story
        .audits
        .iter()
        .any(|a| a.step_code == step && a.state == state)
}

/// A verification audit planned in five to eight weeks, the label granted.
fn verification_planned(story: &Story, as_of: NaiveDate) -> bool {
    story.audits.iter().any(|a| {
        a.step_code == "audit-verification"
            && a.state == AuditState::Planned
            && (35..=56).contains(&(a.start - as_of).num_days())
    })
}

fn renewal_on_site(story: &Story, _: NaiveDate) -> bool {
    audit_in(story, "renouvellement", AuditState::OnSite)
}

fn stage_two_submitted(story: &Story, _: NaiveDate) -> bool {
    audit_in(story, "etape-2", AuditState::Submitted)
}

/// A follow-up audit decided two to four weeks ago.
fn follow_up_decided(story: &Story, as_of: NaiveDate) -> bool {
    story.audits.iter().any(|a| {
        a.step_code == "suivi-1"
            && a.decision
                .is_some_and(|(_, on)| (14..=28).contains(&(as_of - on).num_days()))
    })
}

fn diagnostic_done(story: &Story, _: NaiveDate) -> bool {
    story.state == CommitmentState::Preparing
        && audit_in(story, "diagnostic-hqs", AuditState::Closed)
}

fn charter_held(story: &Story, _: NaiveDate) -> bool {
    story.state == CommitmentState::Surveillance
}

struct DemoOrg {
    name: &'static str,
    slug: &'static str,
    siren: &'static str,
    family: Family,
    region: &'static str,
    department: &'static str,
    homes: i64,
    quality: f64,
    /// (scheme, search from this many days ago, back to this many, what it must show)
    commitments: &'static [(Scheme, i64, i64, Wanted)],
}

const ORGANISMES: [DemoOrg; 4] = [
    DemoOrg {
        name: "Loire Océan Habitat",
        slug: "loire-ocean-habitat",
        siren: "272440017",
        family: Family::Oph,
        region: "52",
        department: "44",
        homes: 12_400,
        quality: 0.3,
        commitments: &[
            (Scheme::QualiHlm, 700, 1_500, verification_planned),
            (Scheme::Charter, 1_200, 1_600, charter_held),
        ],
    },
    DemoOrg {
        name: "Logis Méditerranée",
        slug: "logis-mediterranee",
        siren: "573820149",
        family: Family::Esh,
        region: "93",
        department: "13",
        homes: 21_800,
        quality: -0.6,
        commitments: &[
            (Scheme::Qualibail, 1_000, 1_400, renewal_on_site),
            (Scheme::Iso9001, 100, 400, stage_two_submitted),
        ],
    },
    DemoOrg {
        name: "Coop Hlm Val de Loire",
        slug: "coop-hlm-val-de-loire",
        siren: "419370283",
        family: Family::Coop,
        region: "24",
        department: "37",
        homes: 1_450,
        quality: 0.8,
        commitments: &[(Scheme::QualiHlm, 100, 330, diagnostic_done)],
    },
    DemoOrg {
        name: "SEM Habitat Océan Indien",
        slug: "sem-habitat-ocean-indien",
        siren: "351960331",
        family: Family::Sem,
        region: "04",
        department: "974",
        homes: 9_600,
        quality: 0.0,
        commitments: &[(Scheme::Qualibail, 400, 800, follow_up_decided)],
    },
];

impl DemoOrg {
    fn plan(&self, index: usize) -> OrgPlan {
        let area = area(self.region);
        let department = area
            .departments
            .iter()
            .find(|d| d.code == self.department)
            .unwrap_or(&area.departments[0]);
        OrgPlan {
            index,
            name: self.name.to_owned(),
            slug: self.slug.to_owned(),
            siren: self.siren.to_owned(),
            family: self.family,
            region: self.region,
            department,
            homes: self.homes,
            follows: Vec::new(),
            observer: index == 0,
            quality: self.quality,
        }
    }
}

/// The first start date (searching back from `from` days to `to`) whose story shows `wanted`.
fn start_for(
    info: &super::catalog::Info,
    zone: Zone,
    as_of: NaiveDate,
    (from, to, wanted): (i64, i64, Wanted),
) -> Result<Script, AppError> {
    let mut r = rng(SEED, 0, 0);
    for back in from..=to {
        let script = Script {
            start: as_of - Duration::days(back),
            fate: Fate::Normal,
            jitter: false,
        };
        if wanted(&play(&info.plan, zone, script, as_of, &mut r), as_of) {
            return Ok(script);
        }
    }
    Err(AppError::unexpected(format!(
        "no start date gives the demo's {} the state it needs",
        info.code
    )))
}

pub fn demo(settings: &Settings, as_of_text: Option<&str>) -> anyhow::Result<()> {
    let as_of = super::as_of(as_of_text)?;
    let started = Instant::now();
    let db = open_database(settings)?;
    let mut conn = db
        .pool()
        .get()
        .context("cannot open a database connection")?;
    let password = password::generate_one_time();
    let hash = password::hash(&password).map_err(anyhow::Error::msg)?;
    let mut files = Files::new(&settings.data_dir);
    let mut counts = Counts::new();
    let label = "qualitrack demo";
    let plans: Vec<OrgPlan> = ORGANISMES
        .iter()
        .enumerate()
        .map(|(i, o)| o.plan(i))
        .collect();
    write::require_empty(&mut conn)?;
    let logins = crate::db::transaction(
        &mut conn,
        crate::db::Access::Write,
        |conn| -> Result<write::Logins, AppError> {
            let epoch = write::epoch(as_of);
            let catalog = write::import_frameworks(conn, SEED, epoch, label)?;
            let mut batch = Batch::default();
            let (auditors, mut logins) =
                write::staff("52", &hash, SEED, 60, epoch.date(), &mut batch);
            batch.flush(conn, &mut counts)?;
            let env = Env {
                seed: SEED,
                as_of,
                months: 12,
                catalog: &catalog,
                auditors: &auditors,
                password_hash: &hash,
                label,
            };
            for (demo, plan) in ORGANISMES.iter().zip(&plans) {
                let mut r = rng(SEED, super::plan::STREAM_CONTENT, plan.index as u64);
                let mut org = organisme::build(&env, &mut r, plan, &mut batch);
                batch.flush(conn, &mut counts)?;
                let schemes: Vec<Scheme> = demo.commitments.iter().map(|c| c.0).collect();
                write::frameworks_of(conn, &env, &mut org, &schemes)?;
                let mut scripts: Scripts = Vec::new();
                for (info, (scheme, from, to, wanted)) in
                    org.frameworks.iter().zip(demo.commitments)
                {
                    scripts.push((
                        *scheme,
                        start_for(info, org.zone, as_of, (*from, *to, *wanted))?,
                    ));
                }
                write::contents(
                    &env,
                    &mut r,
                    &mut org,
                    (&scripts, Some(true)),
                    &mut files,
                    &mut batch,
                )?;
                batch.flush(conn, &mut counts)?;
                logins.push((
                    format!("quality_manager ({})", plan.name),
                    format!("qualite@{}.test", plan.slug),
                ));
            }
            logins.push((
                format!("observer ({})", plans[0].name),
                format!("observateur@{}.test", plans[0].slug),
            ));
            Ok(logins)
        },
    )
    .map_err(|e| anyhow::anyhow!(super::super::commands::describe(&e)))?;
    println!(
        "demo loaded (as of {as_of}) on {} in {:.1} s: {}",
        db.backend().name(),
        started.elapsed().as_secs_f64(),
        plans
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    summary(&mut conn, settings, &files)?;
    print_accounts(&password, &logins);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whatever the day the demo is loaded, every commitment finds its state (month ends
    /// are where month arithmetic skips days).
    #[test]
    fn every_day_of_the_year_has_its_demo() {
        let files = crate::domain::framework::bundled();
        let info = |code: &str| {
            let (_, source) = files.iter().find(|(n, _)| n.starts_with(code)).unwrap();
            let file: crate::domain::framework::FrameworkFile = toml::from_str(source).unwrap();
            let cycle = serde_json::to_string(&file.cycle).unwrap();
            super::super::catalog::Info {
                id: String::new(),
                code: code.to_owned(),
                kind: String::new(),
                plan: crate::domain::framework::plan::CyclePlan::parse(&cycle).unwrap(),
                requirements: Vec::new(),
                grades: Vec::new(),
                indicators: Vec::new(),
            }
        };
        let mut days: Vec<NaiveDate> = Vec::new();
        for year in [2027, 2028] {
            for month in 1..=12 {
                for day in [1, 29, 30, 31] {
                    days.extend(NaiveDate::from_ymd_opt(year, month, day));
                }
            }
        }
        for as_of in days {
            for demo in &ORGANISMES {
                for (scheme, from, to, wanted) in demo.commitments {
                    let found = start_for(
                        &info(scheme.code()),
                        Zone::Metropole,
                        as_of,
                        (*from, *to, *wanted),
                    );
                    assert!(found.is_ok(), "{} {} on {as_of}", demo.name, scheme.code());
                }
            }
        }
    }
}
