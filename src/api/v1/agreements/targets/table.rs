//! Targets as a table, one row per target: the month it is judged on, the actual value and the
//! standing, and the figure and Datenstand it rests on. The target and the actual value are
//! decimals of the same scale (the value, or its change in percent), so they compare at a
//! glance.

use crate::api::tables::Table;
use crate::app::agreements::targets::AgreementTargets;
use crate::domain::calendar::period;
use crate::sheets::{Cell, Column, Number};

const COLUMNS: [Column; 17] = [
    Column::new("agreement_id", "Vereinbarung", 18.0),
    Column::new("traeger", "AGS", 8.0),
    Column::new("traeger_name", "Träger", 28.0),
    Column::new("indicator", "Kennzahl", 10.0),
    Column::new("name_de", "Bezeichnung", 40.0),
    Column::new("comparison", "Vergleich", 22.0),
    Column::new("operator", "Operator", 10.0),
    Column::new("target", "Ziel", 8.0),
    Column::new("judged_on", "gemessen im", 10.0),
    Column::new("month", "Monat", 8.0),
    Column::new("actual", "Ist", 8.0),
    Column::new("status", "Stand", 10.0),
    Column::new("status_de", "Stand (deutsch)", 14.0),
    Column::new("value", "Wert", 10.0),
    Column::new("data_as_of", "Datenstand", 11.0),
    Column::new("origin", "Herkunft", 12.0),
    Column::new("version", "Version", 8.0),
];

/// The agreements' targets, one row each; the file named `file`.
pub fn table(agreements: &[AgreementTargets], file: String) -> Table<'_> {
    let mut rows = Vec::new();
    for a in agreements {
        for j in &a.judged {
            let (t, judged) = (&j.judgement.target, j.judgement.judged.as_ref());
            rows.push(vec![
                Cell::Id(a.agreement.id.as_str()),
                Cell::Id(a.agreement.traeger.as_str()),
                Cell::Text(&a.traeger_name),
                Cell::Id(t.indicator.as_str()),
                j.indicator
                    .as_ref()
                    .map_or(Cell::Empty, |i| Cell::Text(&i.definition.name_de)),
                Cell::Text(t.comparison.as_str()),
                Cell::Text(t.operator.as_str()),
                Cell::Decimal(t.value.as_str().into()),
                t.judged_on.map_or(Cell::Empty, |m| Cell::Owned(m.into())),
                judged.map_or(Cell::Empty, |m| Cell::Owned(period(m.year, m.month))),
                j.judgement
                    .actual
                    .as_ref()
                    .map_or(Cell::Empty, |f| Cell::Decimal(f.to_string().into())),
                Cell::Text(j.judgement.status.as_str()),
                Cell::Text(j.judgement.status.german()),
                judged.map_or(Cell::Empty, |m| Cell::figure(m.value.as_ref(), m.marker)),
                judged
                    .and_then(|m| m.data_as_of)
                    .map_or(Cell::Empty, Cell::Date),
                judged.map_or(Cell::Empty, |m| Cell::Id(&m.origin)),
                judged.map_or(Cell::Empty, |m| {
                    Cell::Number(f64::from(m.version), Number::Integer)
                }),
            ]);
        }
    }
    Table {
        sheet: ("targets", "Ziele"),
        file,
        columns: &COLUMNS,
        rows,
    }
}
