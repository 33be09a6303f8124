//! What every part of a dataset shares: the settings of the run, the frameworks, the pool of
//! auditors, the file store, and what is known of the organisme being written.

use std::collections::HashSet;
use std::io;

use chrono::{NaiveDate, NaiveDateTime};

use super::catalog::{Catalog, Info};
use super::plan::OrgPlan;
use super::rows::SiteRow;
use crate::domain::calendar::Zone;
use crate::storage::{Incoming, LocalStorage, Storage, sniff};

/// The bodies auditors work for; commitments name theirs.
pub const BODIES: [&str; 4] = [
    "Union sociale pour l’habitat — auditeurs référencés Quali’Hlm",
    "AFNOR Certification",
    "Bureau Veritas Certification",
    "SGS ICS",
];

#[derive(Debug, Clone)]
pub struct Auditor {
    pub id: String,
    pub name: String,
    /// Index in `BODIES`
    pub body: usize,
}

/// Evidence files kept in the application's storage, each content once.
pub struct Files {
    storage: LocalStorage,
    kept: HashSet<String>,
    /// Documents every organisme shares, made once
    templates: std::collections::HashMap<&'static str, Vec<u8>>,
    pub written: usize,
    pub bytes: u64,
}

/// A file as recorded: sha256, content type, size.
#[derive(Debug, Clone)]
pub struct Kept {
    pub sha256: String,
    pub content_type: String,
    pub size: i64,
}

impl Files {
    pub fn new(data_dir: &std::path::Path) -> Self {
        Self {
            storage: LocalStorage::new(data_dir.join("evidence")),
            kept: HashSet::new(),
            templates: std::collections::HashMap::new(),
            written: 0,
            bytes: 0,
        }
    }

    /// A shared document, made on first use.
    pub fn template(&mut self, key: &'static str, make: impl FnOnce() -> Vec<u8>) -> Vec<u8> {
        self.templates.entry(key).or_insert_with(make).clone()
    }

    /// Stores `bytes` (once per content) through the application's own checks and storage.
    pub fn keep(&mut self, file_name: &str, bytes: &[u8]) -> io::Result<Kept> {
        let content_type = sniff(bytes, file_name)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.key))?
            .to_owned();
        let sha256 = crate::auth::sha256_hex(bytes);
        if self.kept.insert(sha256.clone()) {
            let mut incoming = Incoming::create(&self.storage, u64::MAX)?;
            incoming.write(bytes)?;
            let (path, digest, _, _) = incoming.finish()?;
            self.storage.keep(&path, &digest)?;
            self.written += 1;
            self.bytes += bytes.len() as u64;
        }
        Ok(Kept {
            sha256,
            content_type,
            size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        })
    }
}

/// The run: what every organisme is written with.
pub struct Env<'a> {
    pub seed: u64,
    pub as_of: NaiveDate,
    pub months: u32,
    pub catalog: &'a Catalog,
    pub auditors: &'a [Auditor],
    pub password_hash: &'a str,
    /// The label of events and history rows that no person wrote
    pub label: &'a str,
}

/// An organisme being written: what its commitments, evidence and values refer to.
pub struct Org<'p> {
    pub plan: &'p OrgPlan,
    pub id: String,
    pub created: NaiveDateTime,
    pub zone: Zone,
    pub sites: Vec<SiteRow>,
    /// The quality manager: (user id, name)
    pub manager: (String, String),
    /// The frameworks it commits to (its charter under its own id and code)
    pub frameworks: Vec<Info>,
    /// Its documents: (id, from when they exist)
    pub evidence: Vec<(String, NaiveDate)>,
}

impl Org<'_> {
    pub fn residences(&self) -> impl Iterator<Item = &SiteRow> {
        self.sites.iter().filter(|s| s.kind == "residence")
    }
}
