//! A framework's cycle as stored (JSON), in plain types, and where each step falls on a
//! time line measured in months from the first decision. The schedule engine builds on it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct CyclePlan {
    pub validity_months: i64,
    pub restoration_months: i64,
    pub summary: String,
    #[serde(default)]
    pub audit_every_calendar_year: bool,
    #[serde(default)]
    pub renewal_expiry_from: Option<String>,
    pub audits: Vec<PlanStep>,
    #[serde(default)]
    pub deadlines: Vec<PlanDeadline>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct PlanStep {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub anchor: String,
    pub offset_months: i64,
    #[serde(default)]
    pub window_before_days: Option<i64>,
    #[serde(default)]
    pub window_after_days: Option<i64>,
    #[serde(default)]
    pub required: Option<bool>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct PlanDeadline {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub days: Option<i64>,
    #[serde(default)]
    pub months: Option<i64>,
    #[serde(default)]
    pub unit: Option<String>,
    pub after: String,
    #[serde(default)]
    pub note: Option<String>,
}

impl CyclePlan {
    pub fn parse(json: &str) -> Result<Self, String> {
        serde_json::from_str(json).map_err(|e| format!("stored cycle unreadable: {e}"))
    }

    /// Month of each step, counted from the first decision (initial steps are negative).
    pub fn positions(&self) -> Vec<(&PlanStep, i64)> {
        let first_decision = self
            .audits
            .iter()
            .find(|s| s.anchor == "start" && s.kind == "decision")
            .map_or(0, |s| s.offset_months);
        self.audits
            .iter()
            .map(|s| {
                let month = match s.anchor.as_str() {
                    "start" => s.offset_months - first_decision,
                    "expiry" => self.validity_months + s.offset_months,
                    _ => s.offset_months,
                };
                (s, month)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_steps_fall_where_the_standard_puts_them() {
        let files = super::super::bundled();
        let (_, source) = files
            .iter()
            .find(|(n, _)| n == "iso-9001-2015.toml")
            .unwrap();
        let file: super::super::FrameworkFile = toml::from_str(source).unwrap();
        let plan = CyclePlan::parse(&serde_json::to_string(&file.cycle).unwrap()).unwrap();
        let months: Vec<(&str, i64)> = plan
            .positions()
            .iter()
            .map(|(s, m)| (s.code.as_str(), *m))
            .collect();
        assert_eq!(
            months,
            [
                ("etape-1", -3),
                ("etape-2", -1),
                ("decision-certification", 0),
                ("surveillance-1", 12),
                ("surveillance-2", 24),
                ("renouvellement", 33),
                ("decision-renouvellement", 36),
            ]
        );
    }
}
