//! The wording of a year's agreement as shipped, from which HMSI drafts each Träger's.

use serde::{Deserialize, Serialize};

use super::{AgreementInput, ObligationInput, Recipient, SectionInput};
use crate::domain::indicator::IndicatorCode;
use crate::domain::traeger::TraegerContent;

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
    #[serde(default)]
    pub text_de: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TemplateObligation {
    pub section: String,
    pub title_de: String,
    #[serde(default)]
    pub text_de: Option<String>,
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

    /// The template as the input of `traeger`'s `reporting` agreement: its wording names the
    /// Träger where the template says `{Traeger}`, `{traeger}` or `{traeger_dative}`.
    pub fn input_for(&self, traeger: &TraegerContent) -> AgreementInput {
        let nominative = traeger.with_article(false);
        let capitalized = capitalize(&nominative);
        let dative = traeger.with_article(true);
        let words = |text: &Option<String>| {
            text.as_ref().map(|t| {
                t.replace("{Traeger}", &capitalized)
                    .replace("{traeger_dative}", &dative)
                    .replace("{traeger}", &nominative)
            })
        };
        AgreementInput {
            kind: Some("reporting".into()),
            legal_basis: Some(self.legal_basis.clone()),
            benefits: Some(self.benefits.clone()),
            sections: Some(
                self.sections
                    .iter()
                    .map(|s| SectionInput {
                        section: Some(s.section.clone()),
                        title_de: Some(s.title_de.clone()),
                        text_de: words(&s.text_de),
                    })
                    .collect(),
            ),
            obligations: Some(
                self.obligations
                    .iter()
                    .map(|o| ObligationInput {
                        section: Some(o.section.clone()),
                        title_de: Some(o.title_de.clone()),
                        text_de: words(&o.text_de),
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

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
