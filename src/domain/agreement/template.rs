//! The wording of a year's agreement as shipped, from which HMSI drafts each Träger's.

use serde::{Deserialize, Serialize};

use super::{AgreementInput, ObligationInput, Recipient};
use crate::domain::indicator::IndicatorCode;

/// A year's template, as stored in `agreement_templates`: unchecked text, checked like any
/// request when a draft is made from it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Template {
    pub legal_basis: String,
    pub benefits: String,
    pub sections: Vec<TemplateSection>,
    pub obligations: Vec<TemplateObligation>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TemplateSection {
    pub section: String,
    pub title_de: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TemplateObligation {
    pub section: String,
    pub title_de: String,
    pub delivered_by: String,
    pub recipients: Vec<String>,
    pub indicators: Vec<String>,
    pub due: Option<String>,
    pub note: Option<String>,
}

impl Template {
    /// The indicators the Träger would receive under an agreement drafted from it (codes that
    /// are no codes are left to the draft's own check).
    pub fn received_by_traeger(&self) -> impl Iterator<Item = IndicatorCode> + '_ {
        self.obligations
            .iter()
            .filter(|o| {
                o.recipients
                    .iter()
                    .any(|r| r.parse() == Ok(Recipient::Traeger))
            })
            .flat_map(|o| &o.indicators)
            .filter_map(|c| IndicatorCode::parse(c).ok())
    }

    /// The template as the input of a `reporting` agreement.
    pub fn input(&self) -> AgreementInput {
        AgreementInput {
            kind: Some("reporting".into()),
            legal_basis: Some(self.legal_basis.clone()),
            benefits: Some(self.benefits.clone()),
            sections: Some(
                self.sections
                    .iter()
                    .map(|s| (Some(s.section.clone()), Some(s.title_de.clone())))
                    .collect(),
            ),
            obligations: Some(
                self.obligations
                    .iter()
                    .map(|o| ObligationInput {
                        section: Some(o.section.clone()),
                        title_de: Some(o.title_de.clone()),
                        delivered_by: Some(o.delivered_by.clone()),
                        recipients: Some(o.recipients.clone()),
                        indicators: Some(o.indicators.clone()),
                        due: o.due.clone(),
                        note: o.note.clone(),
                    })
                    .collect(),
            ),
            targets: None,
        }
    }
}
