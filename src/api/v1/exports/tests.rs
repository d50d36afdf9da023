//! A batch goes out in pieces: together they must be the export one block would have been.

use std::sync::Arc;

use super::*;
use crate::domain::fact::{FactIndicator, FactOrigin, FactTraeger};
use crate::domain::figure::Figure;

fn facts(n: usize) -> Vec<Fact> {
    let changed = chrono::NaiveDate::from_ymd_opt(2024, 3, 5)
        .and_then(|d| d.and_hms_opt(10, 0, 0))
        .unwrap();
    let id = "sub-2023-06633-1".to_owned();
    let origin = FactOrigin::new(
        2023,
        Source::Traeger,
        id,
        1,
        FactState::Accepted,
        false,
        changed,
    );
    let traeger = FactTraeger {
        ags: "06633".into(),
        name: "Landkreis Kassel".into(),
    };
    let indicator = FactIndicator {
        code: "psychosocial_care".into(),
        section: "§ 2 (4)".into(),
        unit: "count",
        unit_measure: "COUNT".into(),
        reference: "2023-01-01/2023-12-31".into(),
    };
    let (origin, traeger, indicator) = (Arc::new(origin), Arc::new(traeger), Arc::new(indicator));
    (0..n)
        .map(|i| Fact {
            origin: origin.clone(),
            traeger: traeger.clone(),
            indicator: indicator.clone(),
            // Quotes and commas, so a row's end inside a piece would show.
            reporting_body: Some(format!("Träger \"{i}\", Nord")),
            value: Some(Figure::Count(i as i64)),
            marker: None,
            provisional: false,
            month: None,
        })
        .collect()
}

/// The whole body for batches of these sizes.
fn body(format: ExportFormat, batches: &[usize]) -> Vec<u8> {
    let mut r = Renderer::new(format, false);
    let mut out = r.head();
    for &n in batches {
        for piece in r.batch(&facts(n)) {
            out.extend_from_slice(&piece);
        }
    }
    out.extend(r.tail());
    out
}

#[test]
fn json_in_pieces_is_one_document_with_every_fact() {
    let doc: serde_json::Value =
        serde_json::from_slice(&body(ExportFormat::Json, &[0, 600, 1, 300])).unwrap();
    let items = doc["items"].as_array().unwrap();
    assert_eq!(items.len(), 901);
    assert_eq!(items[599]["value"], 599);
    assert_eq!(items[600]["value"], 0);
    assert_eq!(items[900]["reporting_body"], "Träger \"299\", Nord");
}

#[test]
fn ndjson_and_csv_in_pieces_hold_a_whole_row_per_fact() {
    let ndjson = body(ExportFormat::Ndjson, &[600, 5]);
    let lines: Vec<serde_json::Value> = ndjson
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 605);
    assert_eq!(lines[257]["value"], 257);
    let csv = body(ExportFormat::Csv, &[600, 5]);
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(csv.as_slice())
        .records()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), 605);
    assert!(rows.iter().all(|r| r.len() == CSV_COLUMNS.len()));
    assert_eq!(&rows[300][7], "Träger \"300\", Nord");
}

#[test]
fn a_batch_goes_out_in_pieces_well_below_a_batch() {
    let mut r = Renderer::new(ExportFormat::Ndjson, false);
    let pieces = r.batch(&facts(4096));
    assert_eq!(pieces.len(), 4096 / PIECE_FACTS);
    let whole: usize = pieces.iter().map(Bytes::len).sum();
    assert!(pieces.iter().all(|p| p.len() * 8 < whole), "{whole} bytes");
    assert!(r.batch(&[]).is_empty(), "an empty batch sends nothing");
}
