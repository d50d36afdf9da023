//! BA's data in the demonstration: the 2023 figures of § 2 (2), (4), (5) and the Kennzahlen of
//! § 48a SGB II month by month, for every Träger, forwarded.

use super::YEAR;
use crate::app::{AppError, Mode, Services, transmissions};
use crate::domain::actor::{Actor, Visibility};
use crate::domain::traeger::Traeger;
use crate::domain::transmission::{RawRow, RequestInput};

/// Requests `request` of BA, receives `rows` and forwards them.
async fn transmit(
    services: &Services,
    hmsi: &Actor,
    request: RequestInput,
    rows: Vec<RawRow>,
) -> Result<(), AppError> {
    let all = Visibility::All;
    let t = transmissions::create(services, hmsi.clone(), all.clone(), request, None)
        .await?
        .value;
    let upload = transmissions::Upload {
        rows,
        broken: Vec::new(),
        reason: None,
        expected_version: None,
    };
    transmissions::receive(
        services,
        hmsi.clone(),
        all.clone(),
        t.id.clone(),
        upload,
        Mode::Write,
    )
    .await?;
    transmissions::forward(services, hmsi.clone(), all, t.id, None).await?;
    Ok(())
}

fn row(at: usize, traeger: &Traeger, code: &str, value: String) -> RawRow {
    RawRow {
        at: format!("/rows/{at}"),
        traeger: Some(traeger.ags.to_string()),
        indicator: Some(code.to_owned()),
        value: Some(value),
        month: None,
        data_as_of: None,
        provisional: false,
        revised: false,
        cells: Vec::new(),
    }
}

/// BA's data of § 2 (2), (4), (5) for every Träger; small numbers suppressed as BA does. The
/// number of transmissions made.
pub async fn data(
    services: &Services,
    hmsi: &Actor,
    registry: &[Traeger],
) -> Result<usize, AppError> {
    let codes = [
        "care_of_relatives",
        "psychosocial_care",
        "addiction_counselling",
    ];
    let request = RequestInput {
        year: Some(YEAR.into()),
        indicators: Some(codes.iter().map(|c| (*c).to_owned()).collect()),
        ba_reference: Some("DEMO Auftrag 2024-0117, Tabellen 2.2, 2.4 und 2.5".into()),
        requested_on: Some("2024-01-17".into()),
        note: Some("[Demo] Beispieldaten (zv-monitor seed --demo)".into()),
    };
    let mut rows = Vec::new();
    for (i, traeger) in registry.iter().enumerate() {
        for (j, code) in codes.iter().enumerate() {
            let n = ((i * 31 + j * 17) % 90) as i64;
            let value = if n < 3 { "*".to_owned() } else { n.to_string() };
            rows.push(row(rows.len(), traeger, code, value));
        }
    }
    transmit(services, hmsi, request, rows).await?;
    Ok(1)
}

/// The Kennzahlen K2 (Integrationsquote, percent) and K3 (change of the Langzeitleistungs-
/// beziehenden, a ratio to the month a year before) of every Träger for January to October of
/// the year, on BA's Datenstand of January; one small Jobcenter's K3 of July suppressed.
pub async fn kennzahlen(
    services: &Services,
    hmsi: &Actor,
    registry: &[Traeger],
) -> Result<usize, AppError> {
    let request = RequestInput {
        year: Some(YEAR.into()),
        indicators: Some(vec!["k2".to_owned(), "k3".to_owned()]),
        ba_reference: Some("DEMO Kennzahlen nach § 48a SGB II, Datenstand Januar 2024".into()),
        requested_on: Some("2024-01-20".into()),
        note: Some("[Demo] Beispieldaten (zv-monitor seed --demo)".into()),
    };
    let mut rows = Vec::new();
    for (i, traeger) in registry.iter().enumerate() {
        for month in 1..=10_usize {
            let k2 = format!("{}.{}", 19 + (i * 7 + month) % 12, (i + month) % 10);
            let k3 = if i == 3 && month == 7 {
                "*".to_owned()
            } else {
                format!("0.{}", 9500 + (i * 37 + month * 11) % 800)
            };
            for (code, value) in [("k2", k2), ("k3", k3)] {
                let mut r = row(rows.len(), traeger, code, value);
                r.month = Some(format!("{YEAR}-{month:02}"));
                r.data_as_of = Some("2024-01-31".to_owned());
                rows.push(r);
            }
        }
    }
    transmit(services, hmsi, request, rows).await?;
    Ok(1)
}
