//! What a revision delivers: the figures its obligation asks for or, for a duty without figures
//! (§ 5 (1): taking part in HMSI's surveys and conferences), a confirmation in words of how it
//! was met. Either is drafted, submitted and reviewed the same way.

use serde::Serialize;

use super::values::{ValueInput, check_complete, parse_values};
use super::{Revision, ValueEntry};
use crate::domain::indicator::Indicator;
use crate::domain::{Violation, Violations};

/// The longest confirmation: a few sentences on what was attended or answered, and when.
pub const MAX_CONFIRMATION_CHARS: usize = 2000;

/// A draft as the Träger sends it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DraftInput {
    pub values: Vec<ValueInput>,
    pub confirmation: Option<String>,
}

/// A draft as read against its obligation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Content {
    pub values: Vec<ValueEntry>,
    pub confirmation: Option<String>,
}

/// Reads a draft against the obligation's indicators: figures where it asks for figures, a
/// confirmation where it asks for none. Completeness waits for submission.
pub fn parse_draft(
    input: &DraftInput,
    indicators: &[Indicator],
) -> Result<Content, Vec<Violation>> {
    let values = parse_values(&input.values, indicators);
    let mut v = Violations::default();
    let confirmation = if indicators.is_empty() {
        v.optional_text("/confirmation", &input.confirmation, MAX_CONFIRMATION_CHARS)
            .flatten()
    } else {
        if input.confirmation.is_some() {
            v.push(
                "/confirmation",
                "this obligation asks for figures, given in `values`; a confirmation is for a \
                 duty without figures",
            );
        }
        None
    };
    match (values, v.into_result(|| Some(()))) {
        (Ok(values), Ok(())) => Ok(Content {
            values,
            confirmation,
        }),
        (values, rest) => Err(values
            .err()
            .into_iter()
            .flatten()
            .chain(rest.err().into_iter().flatten())
            .collect()),
    }
}

/// What a revision must hold to be submitted: every figure, consistent, or the confirmation of
/// a duty without figures.
pub fn check_submittable(revision: &Revision, indicators: &[Indicator]) -> Vec<Violation> {
    let mut errors = check_complete(&revision.values, indicators);
    if indicators.is_empty() && revision.confirmation.is_none() {
        errors.push(Violation::new(
            "/confirmation",
            "is required: this duty has no figures, so say how it was met (e.g. the conference \
             attended and when)",
        ));
    }
    errors
}
