//! Checks across files (rules 11–13): each (code, version) once, mappings that land on a
//! real requirement of another framework version, and both directions of a correspondence
//! agreeing. Frameworks already imported count as well.

use std::collections::{HashMap, HashSet};

use super::file::{FrameworkFile, Mapping, Relation};
use super::report::Collector;
use crate::domain::Invalid;

/// What the checks need to know of a framework version: its refs and its mappings.
#[derive(Debug, Clone)]
pub struct Known {
    pub code: String,
    pub version: String,
    pub refs: HashSet<String>,
    /// (from, target code, target version, to, relation)
    pub mappings: Vec<(String, String, String, String, Relation)>,
}

pub struct Parsed<'a> {
    pub name: &'a str,
    pub source: &'a str,
    pub file: &'a FrameworkFile,
}

/// Checks a batch of parsed files; errors go to the collectors, one per file (same order).
pub fn check_batch(parsed: &[Parsed<'_>], known: &[Known], collectors: &mut [Collector<'_>]) {
    let mut versions: HashMap<(String, String), usize> = HashMap::new();
    for (i, p) in parsed.iter().enumerate() {
        let key = identity(p.file);
        if versions.insert(key.clone(), i).is_some() {
            collectors[i].error(
                &p.file.framework.version.span(),
                "version",
                Invalid::new("fw-duplicate-version").arg("value", format!("{} {}", key.0, key.1)),
            );
        }
    }
    // Files of the batch replace a known framework of the same (code, version).
    let mut all: Vec<Known> = known
        .iter()
        .filter(|k| !versions.contains_key(&(k.code.clone(), k.version.clone())))
        .cloned()
        .collect();
    all.extend(parsed.iter().map(|p| known_of(p.file)));

    for (p, collector) in parsed.iter().zip(collectors.iter_mut()) {
        let own = identity(p.file);
        let mut seen = HashSet::new();
        for m in &p.file.mappings {
            let Some(target) = resolve(m, &all, collector) else {
                continue;
            };
            if target.code == own.0 && target.version == own.1 {
                collector.error(
                    &m.framework.span(),
                    "mappings.framework",
                    Invalid::new("fw-self-mapping"),
                );
                continue;
            }
            let to = m.to.get_ref();
            if !target.refs.contains(to) {
                collector.error(
                    &m.to.span(),
                    "mappings.to",
                    Invalid::new("fw-unknown-target-ref")
                        .arg("value", to)
                        .arg("detail", format!("{} {}", target.code, target.version)),
                );
                continue;
            }
            let key = (
                m.from.get_ref().clone(),
                target.code.clone(),
                target.version.clone(),
                to.clone(),
            );
            if !seen.insert(key) {
                collector.error(
                    &m.from.span(),
                    "mappings",
                    Invalid::new("fw-duplicate-mapping")
                        .arg("value", format!("{} → {to}", m.from.get_ref())),
                );
                continue;
            }
            check_reverse(m, target, &own, collector);
        }
    }
}

fn identity(file: &FrameworkFile) -> (String, String) {
    (
        file.framework.code.get_ref().0.clone(),
        file.framework.version.get_ref().0.clone(),
    )
}

/// The framework version a mapping points to, or an error saying why there is none.
fn resolve<'k>(m: &Mapping, all: &'k [Known], collector: &mut Collector<'_>) -> Option<&'k Known> {
    let code = m.framework.get_ref();
    let candidates: Vec<&Known> = all
        .iter()
        .filter(|k| &k.code == code && m.version.as_ref().is_none_or(|v| &k.version == v.get_ref()))
        .collect();
    match (candidates.as_slice(), &m.version) {
        ([one], _) => return Some(one),
        ([], Some(version)) => collector.error(
            &version.span(),
            "mappings.version",
            Invalid::new("fw-unknown-target-version")
                .arg("value", format!("{code} {}", version.get_ref())),
        ),
        ([], None) => collector.error(
            &m.framework.span(),
            "mappings.framework",
            Invalid::new("fw-unknown-target").arg("value", code),
        ),
        (_, _) => collector.error(
            &m.framework.span(),
            "mappings.framework",
            Invalid::new("fw-ambiguous-target").arg("value", code),
        ),
    }
    None
}

/// When the target declares the same correspondence back, both must say the same relation.
fn check_reverse(
    m: &Mapping,
    target: &Known,
    own: &(String, String),
    collector: &mut Collector<'_>,
) {
    let relation = *m.relation.get_ref();
    let reverse = target.mappings.iter().find(|(from, code, version, to, _)| {
        from == m.to.get_ref() && *code == own.0 && *version == own.1 && to == m.from.get_ref()
    });
    if let Some((_, _, _, _, other)) = reverse
        && *other != relation
    {
        collector.error(
            &m.relation.span(),
            "mappings.relation",
            Invalid::new("fw-reverse-relation")
                .arg("value", relation.as_str())
                .arg("detail", other.as_str()),
        );
    }
}

/// The refs and mappings of a parsed file (only mappings with an explicit version are
/// compared for reverse agreement).
pub fn known_of(file: &FrameworkFile) -> Known {
    Known {
        code: file.framework.code.get_ref().0.clone(),
        version: file.framework.version.get_ref().0.clone(),
        refs: file
            .requirements
            .iter()
            .map(|r| r.reference.get_ref().0.clone())
            .collect(),
        mappings: file
            .mappings
            .iter()
            .filter_map(|m| {
                Some((
                    m.from.get_ref().clone(),
                    m.framework.get_ref().clone(),
                    m.version.as_ref()?.get_ref().clone(),
                    m.to.get_ref().clone(),
                    *m.relation.get_ref(),
                ))
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{bundled, validate};

    fn bundled_with(name: &str, edit: impl Fn(&str) -> String) -> Vec<(String, String)> {
        bundled()
            .into_iter()
            .map(|(n, s)| {
                if n == name {
                    let e = edit(&s);
                    (n, e)
                } else {
                    (n, s)
                }
            })
            .collect()
    }

    #[test]
    fn a_mapping_to_a_missing_requirement_is_refused() {
        let files = bundled_with("quali-hlm.toml", |s| {
            s.replacen(
                "framework = \"iso-9001-2015\"\nversion = \"2015+A1:2024\"\nto = \"",
                "framework = \"iso-9001-2015\"\nversion = \"2015+A1:2024\"\nto = \"99.",
                1,
            )
        });
        let outcome = validate(&files, &[]);
        assert!(
            outcome
                .errors
                .iter()
                .any(|e| e.problem.key == "fw-unknown-target-ref" && e.file == "quali-hlm.toml"),
            "{:?}",
            outcome.errors
        );
    }

    #[test]
    fn the_same_version_twice_in_a_batch_is_refused() {
        let mut files = bundled();
        let copy = files[0].clone();
        files.push(("copie.toml".into(), copy.1));
        let outcome = validate(&files, &[]);
        assert!(
            outcome
                .errors
                .iter()
                .any(|e| e.problem.key == "fw-duplicate-version")
        );
    }

    #[test]
    fn contradicting_reverse_mappings_are_refused() {
        let (iso, qualibail) = ("iso-9001-2015.toml", "qualibail-iv.toml");
        let files = bundled();
        let source = &files.iter().find(|(n, _)| n == qualibail).unwrap().1;
        // Find a mapping of Qualibail to ISO and flip its relation.
        let start = source.find("framework = \"iso-9001-2015\"").unwrap();
        let relation_at =
            start + source[start..].find("relation = \"").unwrap() + "relation = \"".len();
        let old: String = source[relation_at..]
            .chars()
            .take_while(|c| *c != '"')
            .collect();
        let new = if old == "related" {
            "equivalent"
        } else {
            "related"
        };
        let edited = format!(
            "{}{new}{}",
            &source[..relation_at],
            &source[relation_at + old.len()..]
        );
        let files: Vec<(String, String)> = files
            .into_iter()
            .map(|(n, s)| {
                if n == qualibail {
                    (n, edited.clone())
                } else {
                    (n, s)
                }
            })
            .collect();
        let outcome = validate(&files, &[]);
        let reverse: Vec<_> = outcome
            .errors
            .iter()
            .filter(|e| e.problem.key == "fw-reverse-relation")
            .collect();
        assert!(!reverse.is_empty(), "{:?}", outcome.errors);
        assert!(reverse.iter().all(|e| e.file == qualibail || e.file == iso));
    }
}
