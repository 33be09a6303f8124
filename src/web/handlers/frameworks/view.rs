//! What the framework page shows, prepared from stored rows: the requirement tree grouped by
//! theme (with search), the crosswalk of each requirement, and the cycle as phrases and as
//! points of an SVG time line.

use std::collections::HashMap;

use serde::Serialize;

use crate::domain::framework::plan::CyclePlan;
use crate::i18n::{self, Lang};
use crate::models::framework::{Framework, IndicatorRow, MappingRow, RequirementRow};
use crate::models::organisation::search_key;

#[derive(Debug, Serialize)]
pub struct MapView {
    pub framework_id: Option<String>,
    pub framework: String,
    pub to_ref: String,
    pub relation: String,
}

#[derive(Debug, Serialize)]
pub struct ReqView {
    pub reference: String,
    pub depth: i32,
    pub title: String,
    pub guidance: Option<String>,
    pub evidence: Vec<String>,
    pub indicators: Vec<(String, String)>,
    pub applicability: Option<String>,
    pub to_confirm: bool,
    pub mappings: Vec<MapView>,
    pub matched: bool,
}

#[derive(Debug, Serialize)]
pub struct Group {
    pub root: ReqView,
    pub items: Vec<ReqView>,
    pub matches: usize,
}

/// Everything the tree needs besides the requirements themselves.
pub struct Crosswalk<'a> {
    pub own: &'a [MappingRow],
    /// Mappings other versions declare towards this one, with their (code, version).
    pub towards: &'a [(MappingRow, String, String)],
    /// (id, code, version, name) of every version, to turn targets into links.
    pub identities: &'a [(String, String, String, String)],
}

impl Crosswalk<'_> {
    fn for_ref(&self, reference: &str) -> Vec<MapView> {
        let link = |code: &str, version: &str| {
            self.identities
                .iter()
                .find(|(_, c, v, _)| c == code && v == version)
                .map(|(id, _, _, name)| (Some(id.clone()), format!("{name} ({version})")))
                .unwrap_or((None, format!("{code} {version}")))
        };
        let mut views: Vec<MapView> = self
            .own
            .iter()
            .filter(|m| m.from_ref == reference)
            .map(|m| {
                let (framework_id, framework) = link(&m.to_code, &m.to_version);
                MapView {
                    framework_id,
                    framework,
                    to_ref: m.to_ref.clone(),
                    relation: m.relation.clone(),
                }
            })
            .collect();
        for (m, code, version) in self
            .towards
            .iter()
            .filter(|(m, _, _)| m.to_ref == reference)
        {
            let (framework_id, framework) = link(code, version);
            let duplicate = views
                .iter()
                .any(|v| v.framework_id == framework_id && v.to_ref == m.from_ref);
            if !duplicate {
                views.push(MapView {
                    framework_id,
                    framework,
                    to_ref: m.from_ref.clone(),
                    relation: m.relation.clone(),
                });
            }
        }
        views.sort_by(|a, b| (&a.framework, &a.to_ref).cmp(&(&b.framework, &b.to_ref)));
        views
    }
}

/// Groups requirements by top-level theme, in file order. With a search, keeps the
/// requirements that match and their ancestors, and counts the matches.
pub fn groups(
    requirements: &[RequirementRow],
    indicators: &[IndicatorRow],
    crosswalk: &Crosswalk<'_>,
    query: &str,
) -> (Vec<Group>, usize) {
    let names: HashMap<&str, &str> = indicators
        .iter()
        .map(|i| (i.code.as_str(), i.name.as_str()))
        .collect();
    let needle = search_key(query.trim());
    let matched: Vec<bool> = requirements
        .iter()
        .map(|r| needle.is_empty() || r.search_key.contains(&needle))
        .collect();
    let parents: HashMap<&str, Option<&str>> = requirements
        .iter()
        .map(|r| (r.reference.as_str(), r.parent_ref.as_deref()))
        .collect();
    // Ancestors of a match stay visible, to give it its context.
    let mut keep: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for (r, m) in requirements.iter().zip(&matched) {
        if *m {
            let mut current = Some(r.reference.as_str());
            while let Some(reference) = current {
                keep.insert(reference);
                current = parents.get(reference).copied().flatten();
            }
        }
    }
    let mut groups: Vec<Group> = Vec::new();
    let mut total = 0;
    for (r, m) in requirements.iter().zip(matched) {
        if !keep.contains(r.reference.as_str()) {
            continue;
        }
        total += usize::from(m && !needle.is_empty());
        let view = ReqView {
            reference: r.reference.clone(),
            depth: r.depth,
            title: r.title.clone(),
            guidance: r.guidance.clone(),
            evidence: serde_json::from_str(&r.evidence).unwrap_or_default(),
            indicators: serde_json::from_str::<Vec<String>>(&r.indicator_codes)
                .unwrap_or_default()
                .into_iter()
                .map(|code| {
                    let name = names
                        .get(code.as_str())
                        .map_or_else(|| code.clone(), |n| (*n).to_owned());
                    (code, name)
                })
                .collect(),
            applicability: r.applicability.clone(),
            to_confirm: r.to_confirm,
            mappings: crosswalk.for_ref(&r.reference),
            matched: m && !needle.is_empty(),
        };
        if r.parent_ref.is_none() {
            groups.push(Group {
                root: view,
                items: Vec::new(),
                matches: usize::from(m && !needle.is_empty()),
            });
        } else {
            let root = root_of(&parents, &r.reference);
            if let Some(group) = groups.iter_mut().find(|g| g.root.reference == root) {
                group.matches += usize::from(view.matched);
                group.items.push(view);
            }
        }
    }
    (groups, total)
}

fn root_of<'a>(parents: &HashMap<&'a str, Option<&'a str>>, mut reference: &'a str) -> &'a str {
    while let Some(Some(parent)) = parents.get(reference) {
        reference = parent;
    }
    reference
}

#[derive(Debug, Serialize)]
pub struct StepView {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub when: String,
    pub window: Option<String>,
    pub required: bool,
    pub note: Option<String>,
    /// Position on the SVG time line.
    pub x: i64,
    pub label_y: i64,
}

#[derive(Debug, Serialize)]
pub struct CycleView {
    pub summary: String,
    pub validity_months: i64,
    pub restoration_months: i64,
    pub every_calendar_year: bool,
    pub steps: Vec<StepView>,
    pub deadlines: Vec<(String, String)>,
    /// Axis: x of the first decision, of expiry and of the end of restoration, and ticks.
    pub decision_x: i64,
    pub expiry_x: i64,
    pub restoration_x: i64,
    pub ticks: Vec<(i64, String)>,
}

pub const TIMELINE_WIDTH: i64 = 960;
const MARGIN: i64 = 40;

pub fn cycle_view(framework: &Framework, lang: Lang) -> Result<CycleView, String> {
    let plan = CyclePlan::parse(&framework.cycle)?;
    let positions = plan.positions();
    let first = positions.iter().map(|(_, m)| *m).min().unwrap_or(0).min(0);
    let last = (plan.validity_months + plan.restoration_months)
        .max(positions.iter().map(|(_, m)| *m).max().unwrap_or(0));
    let span = (last - first).max(1);
    let x = |month: i64| MARGIN + (month - first) * (TIMELINE_WIDTH - 2 * MARGIN) / span;
    let steps = positions
        .iter()
        .enumerate()
        .map(|(i, (step, month))| StepView {
            code: step.code.clone(),
            name: step.name.clone(),
            kind: step.kind.clone(),
            when: when(lang, &step.anchor, step.offset_months),
            window: window(
                lang,
                step.window_before_days.unwrap_or(0),
                step.window_after_days.unwrap_or(0),
            ),
            required: step.required.unwrap_or(true),
            note: step.note.clone(),
            x: x(*month),
            label_y: if i % 2 == 0 { 30 } else { 112 },
        })
        .collect();
    let deadlines = plan
        .deadlines
        .iter()
        .map(|d| {
            let length = match (d.days, d.months, d.unit.as_deref()) {
                (Some(days), _, Some("working")) => {
                    i18n::t_args(lang, "cycle-working-days", &[("n", days.to_string())])
                }
                (Some(days), _, _) => i18n::t_args(lang, "cycle-days", &[("n", days.to_string())]),
                (_, Some(months), _) => {
                    i18n::t_args(lang, "cycle-months", &[("n", months.to_string())])
                }
                _ => String::new(),
            };
            (d.name.clone(), length)
        })
        .collect();
    let ticks = (first..=last)
        .filter(|m| m % 6 == 0)
        .map(|m| {
            (
                x(m),
                i18n::t_args(lang, "cycle-tick", &[("n", m.to_string())]),
            )
        })
        .collect();
    Ok(CycleView {
        summary: plan.summary.clone(),
        validity_months: plan.validity_months,
        restoration_months: plan.restoration_months,
        every_calendar_year: plan.audit_every_calendar_year,
        steps,
        deadlines,
        decision_x: x(0),
        expiry_x: x(plan.validity_months),
        restoration_x: x(plan.validity_months + plan.restoration_months),
        ticks,
    })
}

fn when(lang: Lang, anchor: &str, offset: i64) -> String {
    let months = offset.abs().to_string();
    let key = match (anchor, offset.signum()) {
        ("start", 0) => "cycle-when-start-now",
        ("start", _) => "cycle-when-start",
        ("decision", 0) => "cycle-when-decision-now",
        ("decision", _) => "cycle-when-decision",
        (_, 0) => "cycle-when-expiry-now",
        (_, -1) => "cycle-when-expiry-before",
        _ => "cycle-when-expiry-after",
    };
    i18n::t_args(lang, key, &[("months", months)])
}

fn window(lang: Lang, before: i64, after: i64) -> Option<String> {
    (before > 0 || after > 0).then(|| {
        i18n::t_args(
            lang,
            "cycle-window",
            &[("before", before.to_string()), ("after", after.to_string())],
        )
    })
}
