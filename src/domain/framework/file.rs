//! The framework file format (audit-frameworks/README.md) as serde types. Values that other
//! values refer to keep their position in the file (`Sp`) so that errors can point at them;
//! closed lists are enums and free texts are `Text`, so serde itself refuses bad values with
//! their location. Unknown keys are refused everywhere.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use toml::Spanned as Sp;

/// Non-empty text (not only whitespace).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = String::deserialize(d)?;
        if value.trim().is_empty() {
            return Err(D::Error::custom("fw-empty-text"));
        }
        Ok(Self(value))
    }
}

impl Text {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A code: lower-case letters and digits in dash-separated words, at most 64 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Slug(pub String);

pub fn is_slug(value: &str) -> bool {
    value.len() <= 64
        && !value.is_empty()
        && value.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

impl<'de> Deserialize<'de> for Slug {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = String::deserialize(d)?;
        if is_slug(&value) {
            Ok(Self(value))
        } else {
            Err(D::Error::custom(format!("fw-not-slug|value={value}")))
        }
    }
}

/// A requirement reference: `8.5.1`, `E1.4`, `T3-2`; at most 20 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct RefId(pub String);

pub fn is_ref(value: &str) -> bool {
    value.len() <= 20
        && !value.is_empty()
        && value
            .split(['.', '-'])
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_alphanumeric()))
}

impl<'de> Deserialize<'de> for RefId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = String::deserialize(d)?;
        if is_ref(&value) {
            Ok(Self(value))
        } else {
            Err(D::Error::custom(format!("fw-not-ref|value={value}")))
        }
    }
}

macro_rules! closed_list {
    ($name:ident { $($variant:ident = $code:literal),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $code)] $variant),+ }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
        }
    };
}

closed_list!(Kind { Charter = "charter", Certification = "certification", Label = "label" });
closed_list!(Language { Fr = "fr" });
closed_list!(StepKind {
    Diagnostic = "diagnostic", Initial = "initial", Decision = "decision",
    Surveillance = "surveillance", Verification = "verification", Renewal = "renewal",
});
closed_list!(Anchor { Start = "start", Decision = "decision", Expiry = "expiry" });
closed_list!(RenewalFrom { PreviousExpiry = "previous_expiry", RenewalDecision = "renewal_decision" });
closed_list!(DayUnit { Working = "working", Calendar = "calendar" });
closed_list!(Closure { None = "none", NextAudit = "next_audit", BeforeDecision = "before_decision" });
closed_list!(Unit {
    Percent = "percent", Days = "days", WorkingDays = "working_days",
    Hours = "hours", Count = "count", Score10 = "score10",
});
closed_list!(Direction { HigherIsBetter = "higher_is_better", LowerIsBetter = "lower_is_better" });
closed_list!(Frequency { Monthly = "monthly", Quarterly = "quarterly", Yearly = "yearly", Triennial = "triennial" });
closed_list!(Relation { Equivalent = "equivalent", Partial = "partial", Related = "related" });

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FrameworkFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format_version: Option<Sp<i64>>,
    pub framework: Meta,
    pub cycle: Cycle,
    #[serde(default)]
    pub grades: Vec<Grade>,
    #[serde(default)]
    pub indicators: Vec<Indicator>,
    #[serde(default)]
    pub requirements: Vec<Requirement>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mappings: Vec<Mapping>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    pub code: Sp<Slug>,
    pub version: Sp<Text>,
    pub name: Text,
    pub kind: Kind,
    pub owner: Text,
    pub language: Language,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_date: Option<Sp<toml::value::Datetime>>,
    pub description: Text,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Text>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Cycle {
    pub validity_months: Sp<i64>,
    pub restoration_months: Sp<i64>,
    pub summary: Text,
    #[serde(default)]
    pub audit_every_calendar_year: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal_expiry_from: Option<RenewalFrom>,
    pub audits: Vec<Step>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deadlines: Vec<Deadline>,
}

/// One step of a cycle: an audit, a diagnostic or a decision.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub code: Sp<Slug>,
    pub name: Text,
    pub kind: Sp<StepKind>,
    pub anchor: Sp<Anchor>,
    pub offset_months: Sp<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_before_days: Option<Sp<i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_after_days: Option<Sp<i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Text>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Deadline {
    pub code: Sp<Slug>,
    pub name: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<Sp<i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months: Option<Sp<i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<Sp<DayUnit>>,
    pub after: Sp<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Text>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Grade {
    pub code: Sp<Slug>,
    pub label: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abbreviation: Option<Text>,
    pub severity: Sp<i64>,
    pub nonconformity: Sp<bool>,
    pub blocks_decision: Sp<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_days: Option<Sp<i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_unit: Option<Sp<DayUnit>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closure: Option<Closure>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub code: Sp<Slug>,
    pub name: Text,
    pub unit: Unit,
    pub direction: Direction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Sp<f64>>,
    pub frequency: Frequency,
    pub definition: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numerator: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denominator: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla_hours: Option<Sp<i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla_working_days: Option<Sp<i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla_calendar_days: Option<Sp<i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla_months: Option<Sp<i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_confirm: Option<bool>,
}

impl Indicator {
    /// The service delay checked by the indicator, if any: (unit, value).
    pub fn sla(&self) -> Option<(&'static str, i64)> {
        [
            ("hours", &self.sla_hours),
            ("working_days", &self.sla_working_days),
            ("calendar_days", &self.sla_calendar_days),
            ("months", &self.sla_months),
        ]
        .into_iter()
        .find_map(|(unit, value)| value.as_ref().map(|v| (unit, *v.get_ref())))
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    #[serde(rename = "ref")]
    pub reference: Sp<RefId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<Sp<String>>,
    pub title: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guidance: Option<Text>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Sp<Text>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indicators: Vec<Sp<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applicability: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_confirm: Option<bool>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    pub from: Sp<String>,
    pub framework: Sp<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<Sp<String>>,
    pub to: Sp<String>,
    pub relation: Sp<Relation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Text>,
}
