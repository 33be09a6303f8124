//! Quality frameworks as data: the file format, its validation with located errors, and
//! the content fingerprint that makes imports idempotent. Pure: no database here.

pub mod batch;
pub mod check;
pub mod file;
pub mod plan;
#[cfg(test)]
mod proptests;
pub mod report;

pub use batch::Known;
pub use file::FrameworkFile;
pub use report::FrameworkError;

use report::Collector;

/// A file that passed every check.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub name: String,
    pub source: String,
    pub file: FrameworkFile,
}

impl Loaded {
    pub fn code(&self) -> &str {
        &self.file.framework.code.get_ref().0
    }

    pub fn version(&self) -> &str {
        &self.file.framework.version.get_ref().0
    }

    /// Fingerprint of the content (not of comments or layout): sha256 of its canonical JSON.
    pub fn content_hash(&self) -> String {
        content_hash(&self.file)
    }
}

pub fn content_hash(file: &FrameworkFile) -> String {
    use sha2::Digest;
    let canonical = serde_json::to_vec(file).unwrap_or_default();
    format!("{:x}", sha2::Sha256::digest(&canonical))
}

/// The outcome of validating a batch: every error of every file, warnings apart.
#[derive(Debug, Default)]
pub struct Outcome {
    pub loaded: Vec<Loaded>,
    pub errors: Vec<FrameworkError>,
    pub warnings: Vec<FrameworkError>,
}

impl Outcome {
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Parses and checks `(file name, text)` pairs together, against frameworks already known.
/// A file with a syntax error reports that error only (the parser stops there); all other
/// errors of all files are reported at once.
pub fn validate(inputs: &[(String, String)], known: &[Known]) -> Outcome {
    let mut outcome = Outcome::default();
    let mut parsed_files = Vec::new();
    for (name, source) in inputs {
        match toml::from_str::<FrameworkFile>(source) {
            Ok(file) => parsed_files.push((name, source, file)),
            Err(error) => outcome.errors.push(report::from_toml(name, source, &error)),
        }
    }
    let mut collectors: Vec<Collector<'_>> = parsed_files
        .iter()
        .map(|(name, source, _)| Collector::new(name, source))
        .collect();
    for ((_, _, file), collector) in parsed_files.iter().zip(collectors.iter_mut()) {
        check::check_file(collector, file);
    }
    let parsed: Vec<batch::Parsed<'_>> = parsed_files
        .iter()
        .map(|(name, source, file)| batch::Parsed { name, source, file })
        .collect();
    batch::check_batch(&parsed, known, &mut collectors);
    for collector in collectors {
        outcome.errors.extend(collector.errors);
        outcome.warnings.extend(collector.warnings);
    }
    if outcome.errors.is_empty() {
        outcome.loaded = parsed_files
            .into_iter()
            .map(|(name, source, file)| Loaded {
                name: name.clone(),
                source: source.clone(),
                file,
            })
            .collect();
    }
    outcome
}

/// The frameworks shipped with qualitrack (`audit-frameworks/*.toml`), compiled in.
#[derive(rust_embed::RustEmbed)]
#[folder = "audit-frameworks/"]
struct Bundled;

pub fn bundled() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = Bundled::iter()
        .filter(|name| name.ends_with(".toml"))
        .filter_map(|name| {
            let data = Bundled::get(&name)?;
            Some((
                name.into_owned(),
                String::from_utf8_lossy(&data.data).into_owned(),
            ))
        })
        .collect();
    files.sort();
    files
}

/// The bundled frameworks as the checks across files know them, for files checked alone.
pub fn bundled_known() -> Vec<Known> {
    validate(&bundled(), &[])
        .loaded
        .iter()
        .map(|l| batch::known_of(&l.file))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_framework_loads() {
        let files = bundled();
        assert_eq!(files.len(), 4);
        let outcome = validate(&files, &[]);
        assert!(outcome.errors.is_empty(), "{:#?}", outcome.errors);
        assert_eq!(outcome.loaded.len(), 4);
        let codes: Vec<&str> = outcome.loaded.iter().map(Loaded::code).collect();
        assert_eq!(
            codes,
            [
                "charte-qualite",
                "iso-9001-2015",
                "quali-hlm",
                "qualibail-iv"
            ]
        );
    }

    #[test]
    fn the_fingerprint_ignores_comments_and_layout() {
        let source = &bundled()[0].1;
        let original: FrameworkFile = toml::from_str(source).unwrap();
        let reformatted: FrameworkFile =
            toml::from_str(&format!("# note\n\n{}", source.replace(" = ", "="))).unwrap();
        assert_eq!(content_hash(&original), content_hash(&reformatted));
        let mut changed = original.clone();
        changed.requirements[0].title.0.push('!');
        assert_ne!(content_hash(&original), content_hash(&changed));
    }

    #[test]
    fn a_charter_checked_alone_finds_the_frameworks_it_maps_to_among_the_bundled_ones() {
        let (_, model) = bundled()
            .into_iter()
            .find(|(name, _)| name == "charte-qualite.toml")
            .unwrap();
        let own = vec![(
            "my-charter.toml".to_owned(),
            model.replacen(
                "code = \"charte-qualite\"",
                "code = \"charte-mon-office\"",
                1,
            ),
        )];
        assert!(
            !validate(&own, &[]).is_ok(),
            "alone, its mappings land nowhere"
        );
        let known = bundled_known();
        assert_eq!(known.len(), 4);
        let outcome = validate(&own, &known);
        assert!(outcome.is_ok(), "{:#?}", outcome.errors);
    }
}
