//! The seed's 2023 agreement of Landkreis Kassel with its dates, built by the transitions
//! themselves, for the transitions' tests.

use chrono::NaiveDate;

use super::actor::Stamp;
use super::agreement::AgreementInput;
use super::agreement::{Agreement, Obligation, Party, Signatory, SignatureInput};
use super::indicator::{
    Catalogue, Indicator, IndicatorCode, IndicatorDefinition, Measure, MonthDay, Reference, Source,
    Unit, catalogue_for,
};
use super::reference::{agreement_template, indicator_catalogue, traeger_registry};
use super::traeger::{Ags, TraegerContent};

pub fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// `by` acting at noon (UTC) of `on`, which is the business date too.
pub fn stamp(by: &str, on: &str) -> Stamp {
    let today = day(on);
    Stamp {
        by: by.to_owned(),
        at: today.and_hms_opt(12, 0, 0).unwrap(),
        today,
    }
}

pub fn kassel() -> Ags {
    Ags::parse("06633").unwrap()
}

/// Landkreis Kassel as the registry describes it.
pub fn kassel_content() -> TraegerContent {
    traeger_registry()
        .unwrap()
        .into_iter()
        .find(|(ags, _)| ags == &kassel())
        .unwrap()
        .1
}

/// The 2023 template worded for Landkreis Kassel.
pub fn kassel_template_input() -> AgreementInput {
    agreement_template().unwrap().1.input_for(&kassel_content())
}

pub fn catalogue() -> Catalogue {
    catalogue_for(2023, indicator_catalogue(Default::default()).unwrap())
}

/// HMSI's draft from the 2023 template, made on 10 January 2023.
pub fn kassel_draft() -> Agreement {
    let content = kassel_template_input()
        .validate(
            &catalogue(),
            2023,
            crate::domain::traeger::JobcenterForm::Ge,
        )
        .unwrap();
    let hmsi = stamp("referat-iii-2", "2023-01-10");
    Agreement::draft(&kassel(), 2023, 1, content, None, &hmsi).state
}

pub fn signature(name: &str, function: &str, place: &str, on: &str) -> SignatureInput {
    SignatureInput {
        signatories: vec![Signatory {
            name: name.into(),
            function: function.into(),
        }],
        place: place.into(),
        signed_on: day(on),
    }
}

/// As the seed has it: signed by HMSI in Wiesbaden on 24 January 2023.
pub fn kassel_signed_by_hmsi() -> Agreement {
    let hmsi = signature(
        "Barbara Tiemann",
        "Abteilungsleiterin III",
        "Wiesbaden",
        "2023-01-24",
    );
    kassel_draft()
        .sign(Party::Hmsi, hmsi, &stamp("referat-iii-2", "2023-01-24"))
        .unwrap()
        .state
}

/// And signed by the Landrat in Kassel on 10 February 2023: in force.
pub fn kassel_in_force() -> Agreement {
    let landrat = signature("Andreas Siebert", "Landrat", "Kassel", "2023-02-10");
    kassel_signed_by_hmsi()
        .sign(
            Party::Traeger,
            landrat,
            &stamp("landkreis-kassel", "2023-02-10"),
        )
        .unwrap()
        .state
}

/// The obligation of `section` (`§ 2 (3)`: Schuldnerberatung).
pub fn obligation<'a>(a: &'a Agreement, section: &str) -> &'a Obligation {
    a.obligations
        .iter()
        .find(|o| o.content.section == section)
        .unwrap()
}

pub fn indicators(o: &Obligation) -> Vec<Indicator> {
    let catalogue = catalogue();
    o.content
        .indicators
        .iter()
        .map(|c| catalogue[c].clone())
        .collect()
}

/// A count at 31 December, reported by the Träger, valid from `valid_from`, as a "davon" of
/// `part_of` if given.
pub fn count_indicator(code: &str, valid_from: i32, part_of: Option<&str>) -> Indicator {
    Indicator {
        code: IndicatorCode::parse(code).unwrap(),
        valid_from,
        definition: IndicatorDefinition {
            section: "§ 2 (3)".into(),
            name_de: code.into(),
            description_de: None,
            unit: Unit::Count,
            measure: Measure::Stock,
            source: Source::Traeger,
            reference: Reference::Stock {
                date: MonthDay { month: 12, day: 31 },
            },
            part_of: part_of.map(|p| IndicatorCode::parse(p).unwrap()),
            breakdown_by_reporting_body: false,
            discontinued: false,
        },
        version: 1,
        created_at: Default::default(),
        updated_at: Default::default(),
    }
}
