//! Validation errors as message keys, so that the pure core stays language-free and the
//! edge (HTML page or JSON API) translates them into the reader's language.

use std::collections::BTreeMap;

/// Why one value was refused: a catalogue key (`err-…`) and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl Invalid {
    pub fn new(key: &'static str) -> Self {
        Self {
            key,
            args: Vec::new(),
        }
    }

    #[must_use]
    pub fn arg(mut self, name: &'static str, value: impl std::fmt::Display) -> Self {
        self.args.push((name, value.to_string()));
        self
    }
}

/// Errors of a whole form, by field name; ordered so messages come out stable.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub BTreeMap<String, Invalid>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, error: Invalid) {
        self.0.entry(field.to_owned()).or_insert(error);
    }

    pub fn single(field: &str, error: Invalid) -> Self {
        let mut errors = Self::new();
        errors.add(field, error);
        errors
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Records the error of `result` under `field` and returns its value, if any.
    pub fn check<T>(&mut self, field: &str, result: Result<T, Invalid>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.add(field, error);
                None
            }
        }
    }

    /// `Ok(())` when nothing was recorded.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
}
