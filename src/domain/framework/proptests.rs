//! Property: any well-formed requirement tree written out as TOML loads back unchanged.

use proptest::prelude::*;
use toml::Spanned;

use super::file::{FrameworkFile, RefId, Requirement, Text};
use super::validate;

const BASE: &str = include_str!("../../../tests/frameworks/valid-minimal.toml");

fn sp<T>(value: T) -> Spanned<T> {
    Spanned::new(0..0, value)
}

/// A tree as (parent index or none, title) pairs; a parent always comes earlier.
fn trees() -> impl Strategy<Value = Vec<(Option<prop::sample::Index>, String)>> {
    prop::collection::vec(
        (
            prop::option::of(any::<prop::sample::Index>()),
            "[A-Za-zÀ-ÿœ’«» 0-9,;:!?'\"\\\\-]{1,60}"
                .prop_filter("not blank", |t| !t.trim().is_empty()),
        ),
        1..40,
    )
}

fn build(tree: &[(Option<prop::sample::Index>, String)]) -> FrameworkFile {
    let mut file: FrameworkFile = toml::from_str(BASE).expect("base file");
    let indicator = file.indicators[0].code.get_ref().0.clone();
    file.requirements = tree
        .iter()
        .enumerate()
        .map(|(i, (parent, title))| Requirement {
            reference: sp(RefId(format!("R{i}"))),
            parent: parent
                .filter(|_| i > 0)
                .map(|p| sp(format!("R{}", p.index(i)))),
            title: Text(title.clone()),
            guidance: None,
            evidence: Vec::new(),
            indicators: if i == 0 {
                vec![sp(indicator.clone())]
            } else {
                Vec::new()
            },
            applicability: None,
            to_confirm: (i % 3 == 0).then_some(true),
        })
        .collect();
    file
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_valid_trees_round_trip(tree in trees()) {
        let file = build(&tree);
        let text = toml::to_string(&file).expect("serialises");
        let outcome = validate(&[("generated.toml".into(), text)], &[]);
        prop_assert!(outcome.is_ok(), "{:?}", outcome.errors);
        let loaded = &outcome.loaded[0].file;
        prop_assert_eq!(loaded.requirements.len(), file.requirements.len());
        for (a, b) in loaded.requirements.iter().zip(&file.requirements) {
            prop_assert_eq!(a.reference.get_ref(), b.reference.get_ref());
            prop_assert_eq!(a.parent.as_ref().map(Spanned::get_ref), b.parent.as_ref().map(Spanned::get_ref));
            prop_assert_eq!(&a.title, &b.title);
        }
        prop_assert_eq!(super::content_hash(loaded), super::content_hash(&file));
    }
}
