//! What a report must hold before it is submitted: a nonconformity without a written finding
//! blocks (the organisme could not answer it); requirements left unassessed are listed, and
//! the auditor confirms submitting without them.

/// One requirement as the check reads it.
#[derive(Debug, Clone, Copy)]
pub struct Assessed<'a> {
    pub reference: &'a str,
    pub title: &'a str,
    /// Whether a grade was given
    pub graded: bool,
    pub nonconformity: bool,
    /// Whether the finding's text says something
    pub written: bool,
}

/// A requirement the check names: (reference, title).
pub type Named = (String, String);

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Check {
    pub unassessed: Vec<Named>,
    /// Nonconformities without a finding text
    pub unwritten: Vec<Named>,
    pub total: usize,
}

impl Check {
    pub fn of<'a>(requirements: impl IntoIterator<Item = Assessed<'a>>) -> Self {
        let mut check = Check::default();
        for r in requirements {
            check.total += 1;
            let named = || (r.reference.to_owned(), r.title.to_owned());
            if !r.graded {
                check.unassessed.push(named());
            } else if r.nonconformity && !r.written {
                check.unwritten.push(named());
            }
        }
        check
    }

    /// Nothing may be submitted while this holds.
    pub fn blocks(&self) -> bool {
        !self.unwritten.is_empty()
    }

    /// Submitting needs the auditor's word that the unassessed requirements stay so.
    pub fn needs_confirmation(&self) -> bool {
        !self.unassessed.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(reference: &str, graded: bool, nonconformity: bool, written: bool) -> Assessed<'_> {
        Assessed {
            reference,
            title: "Titre",
            graded,
            nonconformity,
            written,
        }
    }

    #[test]
    fn an_unwritten_nonconformity_blocks_and_unassessed_requirements_ask_for_confirmation() {
        let check = Check::of([
            item("E1", true, false, false),
            item("E1.1", true, true, false),
            item("E1.2", false, false, false),
            item("E1.3", true, true, true),
        ]);
        assert!(check.blocks() && check.needs_confirmation());
        assert_eq!(check.unwritten, [("E1.1".into(), "Titre".into())]);
        assert_eq!(check.unassessed, [("E1.2".into(), "Titre".into())]);
        assert_eq!(check.total, 4);
        let ready = Check::of([
            item("E1", true, false, false),
            item("E1.1", true, true, true),
        ]);
        assert!(!ready.blocks() && !ready.needs_confirmation());
    }
}
