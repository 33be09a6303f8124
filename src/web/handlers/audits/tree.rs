//! The findings workspace's requirement tree: themes (the top-level requirements) holding
//! their lines, each with its grade; progress per theme and in all; the line a screen opens
//! on and the lines before and after it. Built from rows already loaded, without the
//! database, so that it is tested as a rule.

use std::collections::HashMap;

use serde::Serialize;

use crate::models::finding::Finding;
use crate::models::framework::{GradeRow, RequirementRow};

/// Which lines the tree shows; progress always counts every requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    All,
    /// Not graded yet
    Open,
    /// Graded as a nonconformity
    Nonconformities,
}

impl Show {
    pub fn parse(raw: &str) -> Self {
        match raw {
            "non-evalues" => Show::Open,
            "nc" => Show::Nonconformities,
            _ => Show::All,
        }
    }
}

/// A grade as a badge reads it: its label and its tone (a nonconformity, a strength or
/// conformity, anything in between).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Mark {
    pub code: String,
    pub label: String,
    /// The framework's abbreviation, else the label: what a tree line has room for
    pub short: String,
    pub tone: &'static str,
}

impl Mark {
    pub fn of(grade: &GradeRow) -> Self {
        let tone = if grade.nonconformity {
            "danger"
        } else if grade.severity == 0 {
            "ok"
        } else {
            "warn"
        };
        Self {
            code: grade.code.clone(),
            label: grade.label.clone(),
            short: grade
                .abbreviation
                .clone()
                .filter(|a| !a.trim().is_empty())
                .unwrap_or_else(|| grade.label.clone()),
            tone,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub reference: String,
    pub title: String,
    pub depth: i32,
    pub mark: Option<Mark>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Theme {
    pub reference: String,
    pub title: String,
    /// Requirements of the theme graded, and in all (the theme's own included)
    pub done: usize,
    pub total: usize,
    /// The lines shown (all, or those the filter and the search keep)
    pub lines: Vec<Line>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tree {
    pub themes: Vec<Theme>,
    pub done: usize,
    pub total: usize,
    /// Lines shown, all themes together, in the framework's order
    pub shown: usize,
}

fn folded(text: &str) -> String {
    deunicode::deunicode(text).to_lowercase()
}

/// The tree of `requirements` (in the framework's order) with the `findings` recorded, the
/// lines kept by `show` and by every word of `search` (reference or title, accents and case
/// ignored).
pub fn build<S: std::hash::BuildHasher>(
    requirements: &[RequirementRow],
    findings: &HashMap<String, Finding, S>,
    grades: &[GradeRow],
    show: Show,
    search: &str,
) -> Tree {
    let marks: HashMap<&str, Mark> = grades
        .iter()
        .map(|g| (g.code.as_str(), Mark::of(g)))
        .collect();
    let words = folded(search);
    let mut themes: Vec<Theme> = Vec::new();
    let mut theme_of: HashMap<&str, usize> = HashMap::new();
    let mut assessed = 0;
    for requirement in requirements {
        let index = if let Some(parent) = requirement.parent_ref.as_deref() {
            *theme_of
                .get(parent)
                .unwrap_or(&themes.len().saturating_sub(1))
        } else {
            themes.push(Theme {
                reference: requirement.reference.clone(),
                title: requirement.title.clone(),
                done: 0,
                total: 0,
                lines: Vec::new(),
            });
            themes.len() - 1
        };
        theme_of.insert(&requirement.reference, index);
        let Some(theme) = themes.get_mut(index) else {
            continue;
        };
        let mark = findings
            .get(&requirement.reference)
            .and_then(|f| f.grade_code.as_deref())
            .and_then(|code| marks.get(code))
            .cloned();
        theme.total += 1;
        theme.done += usize::from(mark.is_some());
        assessed += usize::from(mark.is_some());
        let kept = match show {
            Show::All => true,
            Show::Open => mark.is_none(),
            Show::Nonconformities => mark.as_ref().is_some_and(|m| m.tone == "danger"),
        } && (words.is_empty() || {
            let text = folded(&format!("{} {}", requirement.reference, requirement.title));
            words.split_whitespace().all(|w| text.contains(w))
        });
        if kept {
            theme.lines.push(Line {
                reference: requirement.reference.clone(),
                title: requirement.title.clone(),
                depth: requirement.depth,
                mark,
            });
        }
    }
    let filtered = show != Show::All || !words.is_empty();
    if filtered {
        themes.retain(|t| !t.lines.is_empty());
    }
    Tree {
        // Counted over every requirement: a theme a filter hid still counts.
        done: assessed,
        total: requirements.len(),
        shown: themes.iter().map(|t| t.lines.len()).sum(),
        themes,
    }
}

impl Tree {
    fn lines(&self) -> impl Iterator<Item = &Line> {
        self.themes.iter().flat_map(|t| t.lines.iter())
    }

    /// The line a screen opens on: the one asked for when the tree shows it, else the first
    /// not graded, else the first.
    pub fn selected(&self, asked: Option<&str>) -> Option<&Line> {
        asked
            .and_then(|wanted| self.lines().find(|l| l.reference == wanted))
            .or_else(|| self.lines().find(|l| l.mark.is_none()))
            .or_else(|| self.lines().next())
    }

    /// The lines just before and after `reference` among those shown.
    pub fn around(&self, reference: &str) -> (Option<&Line>, Option<&Line>) {
        let lines: Vec<&Line> = self.lines().collect();
        let Some(at) = lines.iter().position(|l| l.reference == reference) else {
            return (None, None);
        };
        (
            at.checked_sub(1).and_then(|i| lines.get(i).copied()),
            lines.get(at + 1).copied(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn requirement(reference: &str, parent: Option<&str>) -> RequirementRow {
        RequirementRow {
            id: reference.into(),
            framework_id: "f".into(),
            reference: reference.into(),
            parent_ref: parent.map(Into::into),
            position: 0,
            depth: i32::from(parent.is_some()),
            title: format!("Exigence {reference} — Accueil"),
            guidance: None,
            evidence: "[]".into(),
            indicator_codes: "[]".into(),
            applicability: None,
            to_confirm: false,
            search_key: String::new(),
        }
    }

    fn grade(code: &str, severity: i32, nonconformity: bool) -> GradeRow {
        GradeRow {
            id: code.into(),
            framework_id: "f".into(),
            code: code.into(),
            label: code.to_uppercase(),
            abbreviation: None,
            severity,
            nonconformity,
            blocks_decision: false,
            response_days: None,
            response_unit: None,
            closure: String::new(),
            description: None,
            position: 0,
        }
    }

    fn graded(reference: &str, code: &str) -> (String, Finding) {
        (
            reference.into(),
            Finding {
                id: String::new(),
                audit_id: String::new(),
                requirement_ref: reference.into(),
                grade_code: Some(code.into()),
                finding: String::new(),
                evidence_seen: String::new(),
                site_ids: "[]".into(),
                evidence_ids: "[]".into(),
                self_level: None,
                self_comment: String::new(),
                self_evidence_ids: "[]".into(),
                updated_at: chrono::NaiveDateTime::default(),
                updated_by: String::new(),
                version: 1,
            },
        )
    }

    fn sample() -> (Vec<RequirementRow>, HashMap<String, Finding>, Vec<GradeRow>) {
        let requirements = vec![
            requirement("E1", None),
            requirement("E1.1", Some("E1")),
            requirement("E1.2", Some("E1")),
            requirement("E2", None),
            requirement("E2.1", Some("E2")),
        ];
        let findings = [graded("E1.1", "nc"), graded("E2.1", "fort")]
            .into_iter()
            .collect();
        let grades = vec![grade("fort", 0, false), grade("nc", 3, true)];
        (requirements, findings, grades)
    }

    #[test]
    fn themes_count_their_graded_requirements_and_the_whole_counts_all() {
        let (requirements, findings, grades) = sample();
        let tree = build(&requirements, &findings, &grades, Show::All, "");
        assert_eq!((tree.done, tree.total, tree.shown), (2, 5, 5));
        let counts: Vec<(&str, usize, usize)> = tree
            .themes
            .iter()
            .map(|t| (t.reference.as_str(), t.done, t.total))
            .collect();
        assert_eq!(counts, [("E1", 1, 3), ("E2", 1, 2)]);
        assert_eq!(
            tree.themes[0].lines[1].mark.as_ref().unwrap().tone,
            "danger"
        );
        assert_eq!(tree.themes[1].lines[1].mark.as_ref().unwrap().tone, "ok");
    }

    #[test]
    fn a_filter_keeps_its_lines_and_themes_but_progress_still_counts_everything() {
        let (requirements, findings, grades) = sample();
        let open = build(&requirements, &findings, &grades, Show::Open, "");
        let refs: Vec<&str> = open.lines().map(|l| l.reference.as_str()).collect();
        assert_eq!(refs, ["E1", "E1.2", "E2"]);
        assert_eq!(open.done, 2);
        let nc = build(&requirements, &findings, &grades, Show::Nonconformities, "");
        assert_eq!(nc.themes.len(), 1, "a theme without a line is left out");
        assert_eq!(nc.shown, 1);
        let searched = build(&requirements, &findings, &grades, Show::All, "e2.1 ACCUEIL");
        assert_eq!(searched.shown, 1);
        assert_eq!(
            searched.themes[0].total, 2,
            "the theme's own count stays whole"
        );
    }

    #[test]
    fn the_screen_opens_on_the_line_asked_else_the_first_not_graded() {
        let (requirements, findings, grades) = sample();
        let tree = build(&requirements, &findings, &grades, Show::All, "");
        assert_eq!(tree.selected(Some("E2.1")).unwrap().reference, "E2.1");
        assert_eq!(tree.selected(Some("nope")).unwrap().reference, "E1");
        assert_eq!(tree.selected(None).unwrap().reference, "E1");
        let (before, after) = tree.around("E1.2");
        assert_eq!(before.unwrap().reference, "E1.1");
        assert_eq!(after.unwrap().reference, "E2", "across themes");
        assert!(tree.around("E1").0.is_none() && tree.around("E2.1").1.is_none());
        let nc = build(&requirements, &findings, &grades, Show::Nonconformities, "");
        assert_eq!(
            nc.selected(None).unwrap().reference,
            "E1.1",
            "every line graded: the first"
        );
    }
}
