//! Reference data shipped with the service: the 26 Träger of Hessen, the 2023 indicator
//! catalogue, the 2023 agreement template, and the agreements signed as the seed documents show.
//! Each is read and checked by the rules the API applies; the service needs nothing outside
//! its binary to run.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Deserialize;

use super::agreement::{Party, Signatory, SignatureInput, Template};
use super::indicator::{Indicator, IndicatorCode, IndicatorInput, ReferenceInput};
use super::traeger::{Ags, TraegerContent, TraegerInput};

const TRAEGER_FILE: &str = include_str!("../../seed/traeger-hessen.json");
const INDICATORS_FILE: &str = include_str!("../../seed/indicators-2023.json");
/// The Kennzahlen of § 48a SGB II as the KennzahlenV defines them (§§ 4–6).
const KENNZAHLEN_FILE: &str = include_str!("../../seed/kennzahlen.json");
const TEMPLATE_FILE: &str = include_str!("../../seed/agreement-template-2023.json");
const AGREEMENTS_FILE: &str = include_str!("../../seed/agreements-2023.json");

#[derive(Deserialize)]
struct RegistryFile {
    traeger: Vec<TraegerEntry>,
}

#[derive(Deserialize)]
struct TraegerEntry {
    ags: String,
    name: String,
    kind: String,
    jobcenter: JobcenterEntry,
}

#[derive(Deserialize)]
struct JobcenterEntry {
    id: String,
    name: String,
    form: String,
}

/// The registry as shipped, validated by the same rules as the API applies.
pub fn traeger_registry() -> Result<Vec<(Ags, TraegerContent)>, String> {
    let file: RegistryFile =
        serde_json::from_str(TRAEGER_FILE).map_err(|e| format!("seed/traeger-hessen.json: {e}"))?;
    file.traeger
        .into_iter()
        .map(|e| {
            let ags = Ags::parse(&e.ags)?;
            let content = TraegerInput {
                name: Some(e.name),
                kind: Some(e.kind),
                jobcenter_id: Some(e.jobcenter.id),
                jobcenter_name: Some(e.jobcenter.name),
                jobcenter_form: Some(e.jobcenter.form),
            }
            .validate()
            .map_err(|v| format!("seed/traeger-hessen.json, Träger {ags}: {v:?}"))?;
            Ok((ags, content))
        })
        .collect()
}

#[derive(Deserialize)]
struct CatalogueFile {
    year: i32,
    indicators: Vec<IndicatorEntry>,
}

#[derive(Deserialize)]
struct IndicatorEntry {
    code: String,
    section: String,
    name_de: String,
    description_de: Option<String>,
    unit: String,
    measure: String,
    source: String,
    reference: ReferenceEntry,
    part_of: Option<String>,
    breakdown: Option<String>,
}

#[derive(Deserialize)]
struct ReferenceEntry {
    kind: String,
    date: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// The shipped catalogue, validated by the API's rules, as versions created `at`: the
/// figures of the 2023 agreements and the Kennzahlen of § 48a SGB II.
pub fn indicator_catalogue(at: NaiveDateTime) -> Result<Vec<Indicator>, String> {
    let mut all = catalogue_file("seed/indicators-2023.json", INDICATORS_FILE, at)?;
    all.extend(catalogue_file("seed/kennzahlen.json", KENNZAHLEN_FILE, at)?);
    Ok(all)
}

fn catalogue_file(name: &str, text: &str, at: NaiveDateTime) -> Result<Vec<Indicator>, String> {
    let file: CatalogueFile = serde_json::from_str(text).map_err(|e| format!("{name}: {e}"))?;
    file.indicators
        .into_iter()
        .map(|e| {
            let code = IndicatorCode::parse(&e.code)?;
            let definition = IndicatorInput {
                section: Some(e.section),
                name_de: Some(e.name_de),
                description_de: e.description_de,
                unit: Some(e.unit),
                measure: Some(e.measure),
                source: Some(e.source),
                reference: Some(ReferenceInput {
                    kind: Some(e.reference.kind),
                    date: e.reference.date,
                    from: e.reference.from,
                    to: e.reference.to,
                }),
                part_of: e.part_of,
                breakdown_by_reporting_body: Some(e.breakdown.as_deref() == Some("reporting_body")),
                discontinued: Some(false),
            }
            .validate(Some(file.year))
            .map_err(|v| format!("{name}, `{code}`: {v:?}"))?;
            Ok(Indicator {
                code,
                valid_from: file.year,
                definition,
                version: 1,
                created_at: at,
                updated_at: at,
            })
        })
        .collect()
}

#[derive(Deserialize)]
struct TemplateFile {
    year: i32,
    #[serde(flatten)]
    template: Template,
}

pub fn agreement_template() -> Result<(i32, Template), String> {
    let file: TemplateFile = serde_json::from_str(TEMPLATE_FILE)
        .map_err(|e| format!("seed/agreement-template-2023.json: {e}"))?;
    Ok((file.year, file.template))
}

#[derive(Deserialize)]
struct AgreementsFile {
    agreements: Vec<SignedEntry>,
}

#[derive(Deserialize)]
struct SignedEntry {
    traeger: String,
    year: i32,
    signatures: Vec<SignatureEntry>,
}

#[derive(Deserialize)]
struct SignatureEntry {
    party: String,
    signatories: Vec<Signatory>,
    place: String,
    signed_on: NaiveDate,
}

pub fn signed_agreements() -> Result<Vec<(Ags, i32, SignatureInput)>, String> {
    let file: AgreementsFile = serde_json::from_str(AGREEMENTS_FILE)
        .map_err(|e| format!("seed/agreements-2023.json: {e}"))?;
    let mut out = Vec::new();
    for a in file.agreements {
        let ags = Ags::parse(&a.traeger)?;
        for s in a.signatures {
            // The seed records HMSI's signature; a Träger signs through the API.
            if s.party.parse::<Party>()? != Party::Hmsi {
                return Err(format!(
                    "seed/agreements-2023.json: only HMSI signatures are seeded, not {}",
                    s.party
                ));
            }
            out.push((
                ags.clone(),
                a.year,
                SignatureInput {
                    signatories: s.signatories,
                    place: s.place,
                    signed_on: s.signed_on,
                },
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::indicator::{Unit, catalogue_for};
    use crate::domain::traeger::JobcenterForm;

    #[test]
    fn the_shipped_registry_holds_the_26_hessian_traeger() {
        let registry = traeger_registry().unwrap();
        assert_eq!(registry.len(), 26);
        let zkt = registry
            .iter()
            .filter(|(_, c)| c.jobcenter.form == JobcenterForm::Zkt)
            .count();
        // § 6a SGB II: 16 Optionskommunen in Hessen; the other 10 run a gE with the BA.
        assert_eq!((zkt, registry.len() - zkt), (16, 10));
    }

    #[test]
    fn the_shipped_catalogue_and_template_are_consistent() {
        let catalogue = catalogue_for(2023, indicator_catalogue(NaiveDateTime::default()).unwrap());
        // The 20 figures of §§ 2–4 and the 15 Kennzahlen of § 48a (K1–K3, 4 Ergänzungsgrößen each).
        assert_eq!(catalogue.len(), 35);
        let kennzahlen: Vec<&str> = catalogue
            .values()
            .filter(|i| i.definition.measure == crate::domain::indicator::Measure::Quotient)
            .map(|i| i.code.as_str())
            .collect();
        assert_eq!(kennzahlen.len(), 15);
        assert!(
            ["k1", "k2", "k3", "k3e2"]
                .iter()
                .all(|k| kennzahlen.contains(k))
        );
        for (code, ind) in &catalogue {
            let errors =
                crate::domain::indicator::check_part_of(code, &ind.definition, 2023, &catalogue);
            assert!(errors.is_empty(), "{code}: {errors:?}");
        }
        let eur = catalogue
            .values()
            .filter(|i| i.definition.unit == Unit::Eur)
            .count();
        assert_eq!(eur, 3, "§ 4: three kinds of Erstausstattung");
        let (year, template) = agreement_template().unwrap();
        let (ags, kassel) = traeger_registry()
            .unwrap()
            .into_iter()
            .find(|(ags, _)| ags.as_str() == "06633")
            .unwrap();
        assert_eq!(ags.as_str(), "06633");
        let content = template
            .input_for(&kassel)
            .validate(&catalogue, year, kassel.jobcenter.form)
            .unwrap();
        assert_eq!(content.obligations.len(), 9);
        // The agreement reads whole, worded for its Träger: every paragraph, no placeholder left.
        let surveys = content
            .obligations
            .iter()
            .find(|o| o.section == "§ 5 (1)")
            .unwrap();
        assert!(
            surveys
                .text_de
                .as_deref()
                .unwrap()
                .starts_with("(1) Der Landkreis Kassel beteiligt sich"),
            "{surveys:?}"
        );
        let wording: Vec<&str> = content
            .sections
            .iter()
            .filter_map(|s| s.text_de.as_deref())
            .chain(
                content
                    .obligations
                    .iter()
                    .filter_map(|o| o.text_de.as_deref()),
            )
            .collect();
        assert_eq!(wording.len(), 4 + 9);
        assert!(wording.iter().all(|w| !w.contains('{')), "{wording:?}");
        assert_eq!(content.sections[0].section, "Präambel");
        assert_eq!(signed_agreements().unwrap().len(), 1);
    }
}
