//! Evidence files: checked by content against an allowlist, stored once per content under
//! their sha256 (written to a temporary file and renamed, never half a file), and read back.
//! The local directory is the only storage today; the trait keeps object storage possible.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::domain::Invalid;

/// Where file contents live, addressed by their sha256.
pub trait Storage: Send + Sync {
    /// Moves a finished temporary file into place (a no-op when the content is already there).
    fn keep(&self, temporary: &Path, sha256: &str) -> io::Result<()>;
    fn read(&self, sha256: &str) -> io::Result<Vec<u8>>;
    /// A directory for temporary files on the same file system (so renames are atomic).
    fn scratch(&self) -> io::Result<PathBuf>;
}

pub struct LocalStorage {
    root: PathBuf,
}

impl LocalStorage {
    pub fn new(root: PathBuf) -> Self {
        Self { root }
    }

    fn path_of(&self, sha256: &str) -> PathBuf {
        // Two levels of fan-out keep directories small; the name cannot be guessed or chosen.
        self.root
            .join(&sha256[..2])
            .join(&sha256[2..4])
            .join(sha256)
    }
}

impl Storage for LocalStorage {
    fn keep(&self, temporary: &Path, sha256: &str) -> io::Result<()> {
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a sha256"));
        }
        let target = self.path_of(sha256);
        if target.exists() {
            return fs::remove_file(temporary);
        }
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::rename(temporary, target)
    }

    fn read(&self, sha256: &str) -> io::Result<Vec<u8>> {
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a sha256"));
        }
        fs::read(self.path_of(sha256))
    }

    fn scratch(&self) -> io::Result<PathBuf> {
        let dir = self.root.join("tmp");
        fs::create_dir_all(&dir)?;
        Ok(dir)
    }
}

/// A file being received: written as it arrives, hashed on the way, size-limited.
pub struct Incoming {
    pub path: PathBuf,
    file: fs::File,
    hasher: Sha256,
    pub size: u64,
    pub head: Vec<u8>,
    limit: u64,
}

impl Incoming {
    pub fn create(storage: &dyn Storage, limit: u64) -> io::Result<Self> {
        let path = storage.scratch()?.join(uuid::Uuid::now_v7().to_string());
        let file = fs::File::create(&path)?;
        Ok(Self {
            path,
            file,
            hasher: Sha256::new(),
            size: 0,
            head: Vec::new(),
            limit,
        })
    }

    /// Appends a chunk; `Ok(false)` when the file would pass the size limit.
    pub fn write(&mut self, chunk: &[u8]) -> io::Result<bool> {
        self.size += chunk.len() as u64;
        if self.size > self.limit {
            return Ok(false);
        }
        if self.head.len() < 8192 {
            let take = (8192 - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        self.hasher.update(chunk);
        self.file.write_all(chunk)?;
        Ok(true)
    }

    /// Flushes the file to disk and returns its sha256.
    pub fn finish(mut self) -> io::Result<(PathBuf, String, u64, Vec<u8>)> {
        self.file.flush()?;
        self.file.sync_all()?;
        let digest = self.hasher.finalize();
        Ok((self.path, crate::auth::hex(&digest), self.size, self.head))
    }

    pub fn discard(self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// The content type of an allowed file, judged by its bytes (the extension only decides
/// between text formats, which have no signature). Anything else is refused.
pub fn sniff(head: &[u8], file_name: &str) -> Result<&'static str, Invalid> {
    if head.is_empty() {
        return Err(Invalid::new("err-file-empty"));
    }
    let extension = file_name
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if let Some(kind) = infer::get(head) {
        let allowed = [
            "application/pdf",
            "image/png",
            "image/jpeg",
            "image/gif",
            "image/webp",
            "image/tiff",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "application/vnd.oasis.opendocument.text",
            "application/vnd.oasis.opendocument.spreadsheet",
            "application/vnd.oasis.opendocument.presentation",
            "application/msword",
            "application/vnd.ms-excel",
            "application/vnd.ms-powerpoint",
        ];
        return allowed
            .iter()
            .find(|a| **a == kind.mime_type())
            .copied()
            .ok_or_else(|| Invalid::new("err-file-type").arg("value", kind.mime_type()));
    }
    // No signature: plain text or CSV, if it really is text.
    let text = !head.contains(&0)
        && (std::str::from_utf8(head).is_ok() || head.iter().all(|b| *b >= 0x09));
    match (text, extension.as_str()) {
        (true, "csv") => Ok("text/csv"),
        (true, "txt" | "md") => Ok("text/plain"),
        _ => Err(Invalid::new("err-file-type").arg("value", extension)),
    }
}

/// A file name safe to show and to offer on download: its base name, without control
/// characters or quotes, at most 200 characters.
pub fn clean_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\'' | ';'))
        .take(200)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_owned();
    if cleaned.is_empty() {
        "document".to_owned()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_judged_by_their_content() {
        assert_eq!(
            sniff(b"%PDF-1.7\n", "rapport.pdf").unwrap(),
            "application/pdf"
        );
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n0000", "photo.png").unwrap(),
            "image/png"
        );
        assert_eq!(
            sniff("nom;valeur\nabc;1\n".as_bytes(), "export.csv").unwrap(),
            "text/csv"
        );
        // A program renamed as a PDF is refused.
        assert_eq!(
            sniff(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "rapport.pdf")
                .unwrap_err()
                .key,
            "err-file-type"
        );
        assert_eq!(
            sniff(b"#!/bin/sh\nrm -rf /\n", "script.sh")
                .unwrap_err()
                .key,
            "err-file-type"
        );
        assert_eq!(sniff(b"", "vide.pdf").unwrap_err().key, "err-file-empty");
    }

    #[test]
    fn names_lose_their_path_and_dangerous_characters() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(
            clean_name("C:\\docs\\plan \"qualité\".pdf"),
            "plan qualité.pdf"
        );
        assert_eq!(clean_name(".htaccess"), "htaccess");
        assert_eq!(clean_name("///"), "document");
    }

    #[test]
    fn contents_are_stored_once_under_their_hash() {
        let dir = tempfile::tempdir().unwrap();
        let storage = LocalStorage::new(dir.path().to_path_buf());
        let keep = |bytes: &[u8]| {
            let mut incoming = Incoming::create(&storage, 1000).unwrap();
            assert!(incoming.write(bytes).unwrap());
            let (path, sha, _, _) = incoming.finish().unwrap();
            storage.keep(&path, &sha).unwrap();
            sha
        };
        let first = keep(b"%PDF-1.7 same");
        let second = keep(b"%PDF-1.7 same");
        assert_eq!(first, second);
        assert_eq!(storage.read(&first).unwrap(), b"%PDF-1.7 same");
        assert!(
            fs::read_dir(storage.scratch().unwrap())
                .unwrap()
                .next()
                .is_none(),
            "no temporary file left"
        );
        let mut big = Incoming::create(&storage, 4).unwrap();
        assert!(!big.write(b"too long").unwrap());
        big.discard();
    }
}
