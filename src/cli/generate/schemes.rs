//! The commitments an organisme of the dataset makes: to which framework (Quali'Hlm on about
//! half of the organismes, Qualibail on a quarter, ISO 9001 on a tenth, an own charter on a
//! third), since when within the last six years, and how its story ends.

use chrono::{Duration, NaiveDate};
use rand::Rng;
use rand::rngs::StdRng;

use super::plan::HISTORY_DAYS;
use super::stamp::{chance, weighted};
use crate::domain::Family;

/// How a commitment's story ends, beside the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    Normal,
    /// A step recently due is left undone: late on the schedule.
    Overdue,
    /// A surveillance audit of the last eighteen months ends in a suspension.
    Suspended,
    /// The organisme withdraws on this date.
    Withdrawn(NaiveDate),
    /// The renewal never comes: the certificate or label expires.
    Expired,
}

#[derive(Debug, Clone, Copy)]
pub struct Script {
    pub start: NaiveDate,
    pub fate: Fate,
    /// Dates drawn around the due dates; without, every step on its due date with fixed
    /// delays (the demo, whose states are chosen by hand).
    pub jitter: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    QualiHlm,
    Qualibail,
    Iso9001,
    /// The organisme's own charter, made from the bundled model
    Charter,
}

impl Scheme {
    pub const ALL: [Scheme; 4] = [
        Scheme::QualiHlm,
        Scheme::Qualibail,
        Scheme::Iso9001,
        Scheme::Charter,
    ];

    /// The bundled framework's code (the model's, for a charter).
    pub fn code(self) -> &'static str {
        match self {
            Scheme::QualiHlm => "quali-hlm",
            Scheme::Qualibail => "qualibail-iv",
            Scheme::Iso9001 => "iso-9001-2015",
            Scheme::Charter => crate::services::charters::MODEL_CODE,
        }
    }

    /// How likely an organisme of `family` is to commit to it: Quali'Hlm on about half of
    /// the organismes (it is the USH's label: SEM, outside the USH, rarely), Qualibail on a
    /// quarter, ISO 9001 on a tenth, an own charter on a third.
    #[expect(clippy::match_same_arms, reason = "a table of shares, one line each")]
    fn likelihood(self, family: Family) -> f64 {
        match (self, family) {
            (Scheme::QualiHlm, Family::Oph) => 0.6,
            (Scheme::QualiHlm, Family::Esh) => 0.55,
            (Scheme::QualiHlm, Family::Coop) => 0.4,
            (Scheme::QualiHlm, _) => 0.2,
            (Scheme::Qualibail, Family::Oph) => 0.25,
            (Scheme::Qualibail, Family::Esh) => 0.35,
            (Scheme::Qualibail, Family::Coop) => 0.1,
            (Scheme::Qualibail, _) => 0.3,
            (Scheme::Iso9001, Family::Coop) => 0.04,
            (Scheme::Iso9001, Family::Sem) => 0.1,
            (Scheme::Iso9001, _) => 0.12,
            (Scheme::Charter, _) => 0.3,
        }
    }
}

/// One commitment to generate.
#[derive(Debug, Clone, Copy)]
pub struct Follow {
    pub scheme: Scheme,
    pub started_days_ago: i64,
    pub fate: FateKind,
    /// For a withdrawal: how long before the as-of date
    pub withdrawn_days_ago: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FateKind {
    Normal,
    Overdue,
    Suspended,
    Withdrawn,
    Expired,
}

impl Follow {
    pub fn script(&self, as_of: NaiveDate) -> Script {
        let fate = match self.fate {
            FateKind::Normal => Fate::Normal,
            FateKind::Overdue => Fate::Overdue,
            FateKind::Suspended => Fate::Suspended,
            FateKind::Expired => Fate::Expired,
            FateKind::Withdrawn => Fate::Withdrawn(as_of - Duration::days(self.withdrawn_days_ago)),
        };
        Script {
            start: as_of - Duration::days(self.started_days_ago),
            fate,
            jitter: true,
        }
    }
}

pub fn follows(rng: &mut StdRng, family: Family) -> Vec<Follow> {
    let mut out = Vec::new();
    for scheme in Scheme::ALL {
        if !chance(rng, scheme.likelihood(family)) {
            continue;
        }
        let started_days_ago = rng.random_range(20..=HISTORY_DAYS);
        let mut fate = match weighted(rng, &[0.80, 0.07, 0.03, 0.05, 0.05]) {
            0 => FateKind::Normal,
            1 => FateKind::Overdue,
            2 => FateKind::Suspended,
            3 => FateKind::Withdrawn,
            _ => FateKind::Expired,
        };
        let withdrawn_days_ago = if started_days_ago > 220 {
            rng.random_range(0..=started_days_ago - 200)
        } else {
            fate = if fate == FateKind::Withdrawn {
                FateKind::Normal
            } else {
                fate
            };
            0
        };
        out.push(Follow {
            scheme,
            started_days_ago,
            fate,
            withdrawn_days_ago,
        });
    }
    out
}
