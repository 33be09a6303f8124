//! The roles table of DESIGN.md, cell by cell, against the functions of `policy`.

use super::*;

struct Record {
    organisation: &'static str,
    auditor: Option<&'static str>,
}

impl Owned for Record {
    fn organisation_id(&self) -> &str {
        self.organisation
    }
}

impl Assigned for Record {
    fn auditor_id(&self) -> Option<&str> {
        self.auditor
    }
}

impl Conducted for Record {
    fn lead_auditor_id(&self) -> Option<&str> {
        self.auditor
    }
}

/// Organisme A's commitment and audit, led by the auditor `lead`.
const A: Record = Record {
    organisation: "A",
    auditor: Some("lead"),
};

fn actor(id: &str, role: Role, organisation: Option<&str>, region: Option<&str>) -> CurrentUser {
    CurrentUser {
        id: id.into(),
        email: format!("{id}@example.fr"),
        name: id.into(),
        role,
        organisation_id: organisation.map(Into::into),
        region: region.map(Into::into),
        must_change_password: false,
        locale: None,
    }
}

/// The columns of the table: every role, and for those tied to an organisme or an audit,
/// one who is and one who is not.
fn actors() -> [CurrentUser; 8] {
    [
        actor("admin", Role::Admin, None, None),
        actor("fed", Role::Federation, None, None),
        actor("fed-region", Role::Federation, None, Some("11")),
        actor("qm-a", Role::QualityManager, Some("A"), None),
        actor("qm-b", Role::QualityManager, Some("B"), None),
        actor("lead", Role::Auditor, None, None),
        actor("other-auditor", Role::Auditor, None, None),
        actor("observer-a", Role::Observer, Some("A"), None),
    ]
}

type Rule = fn(&CurrentUser) -> bool;

/// One line per rule: its name, the rule applied to organisme A's records, and the answer
/// for each column of `actors` (`Y` allowed, `.` refused).
#[rustfmt::skip]
const TABLE: &[(&str, Rule, &str)] = &[
    // organismes, sites: all · read · own · assigned, read · own, read
    ("may_create_organisation", may_create_organisation, "Y......."),
    ("may_edit_organisation", |u| may_edit_organisation(u, "A"), "Y..Y...."),
    ("may_edit", |u| may_edit(u, &A), "Y..Y...."),
    ("reads_history", reads_history, "YYYYYYY."),
    ("may_administer", may_administer, "Y......."),
    // frameworks: manage · manage · read, own charter · read · read
    ("may_import_frameworks", may_import_frameworks, "YYY....."),
    ("may_edit_charter of A", |u| may_edit_charter(u, Some("A")), "Y..Y...."),
    ("may_edit_charter of a shared framework", |u| may_edit_charter(u, None), "........"),
    // commitments: all · read · own · assigned, read · own, read
    ("may_plan_audit", |u| may_plan_audit(u, &A), "Y..Y.Y.."),
    // audits and findings: all · read · own: self-assessment · assigned: record · outcomes
    ("may_record_findings (lead)", |u| may_record_findings(u, &A, &[]), "Y....Y.."),
    ("may_record_findings (team)", |u| may_record_findings(u, &Record { organisation: "A", auditor: None }, &["other-auditor".into()]), "Y.....Y."),
    ("may_self_assess", |u| may_self_assess(u, &A), "Y..Y...."),
    ("sees_working_documents", sees_working_documents, "YYYYYYY."),
    ("sees_only_own_audits", sees_only_own_audits, ".....YY."),
    // evidence files: all · read · own · assigned · no
    ("may_add_evidence", |u| may_add_evidence(u, "A"), "Y..Y.YY."),
    // actions: the organisme's people change them, auditors follow up and judge
    ("may_create_action", |u| may_create_action(u, "A"), "Y..Y...."),
    ("may_update_action", |u| may_update_action(u, &A), "Y..Y.YY."),
    ("may_judge_effectiveness", may_judge_effectiveness, "Y....YY."),
    // indicators: benchmarks and the rollout are the federation's
    ("sees_federation_views", sees_federation_views, "YYY....."),
    ("lands_on_rollout", lands_on_rollout, ".YY....."),
    ("lands_on_published_view", lands_on_published_view, ".......Y"),
    ("prepares_audits", prepares_audits, "...YY..."),
];

#[test]
fn every_rule_answers_what_the_roles_table_says_for_every_role() {
    let actors = actors();
    let mut wrong = Vec::new();
    for (name, rule, expected) in TABLE {
        assert_eq!(expected.len(), actors.len(), "{name}: one letter per actor");
        for (actor, cell) in actors.iter().zip(expected.chars()) {
            if rule(actor) != (cell == 'Y') {
                wrong.push(format!("{name} for {}: expected {cell}", actor.id));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn scopes_follow_roles() {
    let [admin, fed, fed_region, qm_a, _, lead, _, observer] = actors();
    assert_eq!(scope(&admin), OrgScope::All);
    assert_eq!(scope(&fed), OrgScope::All);
    assert_eq!(scope(&fed_region), OrgScope::Region("11".into()));
    assert_eq!(scope(&qm_a), OrgScope::One("A".into()));
    assert_eq!(scope(&observer), OrgScope::One("A".into()));
    assert_eq!(scope(&lead), OrgScope::AssignedAuditor("lead".into()));
}

#[test]
fn people_of_one_organisme_live_in_it() {
    let [admin, _, _, qm_a, _, lead, _, observer] = actors();
    assert_eq!(lives_in_one_organisation(&qm_a), Some("A"));
    assert_eq!(lives_in_one_organisation(&observer), Some("A"));
    assert_eq!(lives_in_one_organisation(&admin), None);
    assert_eq!(lives_in_one_organisation(&lead), None);
}
