//! Readiness for an audit, as rules: which requirements are assessed one by one (those with
//! no requirement below them; a theme that holds requirements is a heading), and how far the
//! preparation has gone.

use std::collections::HashSet;

/// The references of the requirements assessed one by one, in the order given: every one
/// that no other names as its parent.
pub fn assessed_one_by_one<'a>(requirements: &[(&'a str, Option<&'a str>)]) -> Vec<&'a str> {
    let parents: HashSet<&str> = requirements.iter().filter_map(|(_, p)| *p).collect();
    requirements
        .iter()
        .map(|(r, _)| *r)
        .filter(|r| !parents.contains(r))
        .collect()
}

/// A share as a whole percentage, 0 when there is nothing to share (nothing to prepare is not
/// "100 % ready").
pub fn percent(part: usize, whole: usize) -> u32 {
    if whole == 0 {
        return 0;
    }
    let share = (part.min(whole) * 100) / whole;
    u32::try_from(share).unwrap_or(100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn themes_holding_requirements_are_headings_and_flat_frameworks_count_every_line() {
        let tree = [
            ("T1", None),
            ("T1.1", Some("T1")),
            ("T1.2", Some("T1")),
            ("T2", None),
        ];
        assert_eq!(assessed_one_by_one(&tree), ["T1.1", "T1.2", "T2"]);
        let flat = [("E1", None), ("E2", None)];
        assert_eq!(assessed_one_by_one(&flat), ["E1", "E2"]);
    }

    #[test]
    fn shares_are_whole_percentages_and_nothing_is_not_ready() {
        assert_eq!(percent(1, 3), 33);
        assert_eq!(percent(3, 3), 100);
        assert_eq!(percent(4, 3), 100);
        assert_eq!(percent(0, 0), 0);
    }
}
