//! Transmissions with the indicators they serve, their data versions, rows and acknowledgements.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{
    transmission_acknowledgements as acks, transmission_indicators as served,
    transmission_rows as rows, transmission_versions as versions, transmissions,
};
use super::{DbConnection, corrupt};
use crate::domain::actor::Visibility;
use crate::domain::figure::Figure;
use crate::domain::ids::TransmissionId;
use crate::domain::indicator::IndicatorCode;
use crate::domain::traeger::Ags;
use crate::domain::transmission::{
    Acknowledgement, DataRow, DataVersion, Served, Transmission, TransmissionEvent,
};

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = transmissions)]
struct TransmissionRow {
    id: String,
    year: i32,
    ba_reference: String,
    requested_on: NaiveDate,
    note: Option<String>,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = served)]
struct ServedRow {
    transmission_id: String,
    position: i32,
    indicator_code: String,
    section: String,
    unit: String,
    forwardable: bool,
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = versions)]
struct VersionRow {
    transmission_id: String,
    version_no: i32,
    reason: Option<String>,
    received_by: String,
    received_at: NaiveDateTime,
    forwarded_by: Option<String>,
    forwarded_at: Option<NaiveDateTime>,
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = rows)]
struct DataRowRow {
    transmission_id: String,
    version_no: i32,
    position: i32,
    traeger: String,
    indicator_code: String,
    unit: String,
    value_int: Option<i64>,
    marker: Option<String>,
    provisional: bool,
    revised: bool,
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = acks)]
struct AckRow {
    transmission_id: String,
    version_no: i32,
    traeger: String,
    acknowledged_by: String,
    acknowledged_at: NaiveDateTime,
}

fn data_row(r: DataRowRow) -> QueryResult<DataRow> {
    let value = match (r.unit.as_str(), r.value_int) {
        (_, None) => None,
        ("count", Some(n)) => Some(Figure::Count(n)),
        ("eur", Some(c)) => Some(Figure::Eur(c)),
        (unit, Some(_)) => return Err(corrupt(format!("unit {unit} in {}", r.transmission_id))),
    };
    Ok(DataRow {
        traeger: Ags::parse(&r.traeger).map_err(corrupt)?,
        indicator: IndicatorCode::parse(&r.indicator_code).map_err(corrupt)?,
        value,
        marker: r.marker.map(|m| m.parse()).transpose().map_err(corrupt)?,
        provisional: r.provisional,
        revised: r.revised,
    })
}

type Key = (String, i32);

/// Loads the children of some transmissions; rows only when asked for (lists do without).
fn assemble(
    conn: &mut DbConnection,
    heads: Vec<TransmissionRow>,
    with_rows: bool,
) -> QueryResult<Vec<Transmission>> {
    let ids: Vec<&str> = heads.iter().map(|h| h.id.as_str()).collect();
    let mut served_by: HashMap<String, Vec<Served>> = HashMap::new();
    let served_rows: Vec<ServedRow> = served::table
        .filter(served::transmission_id.eq_any(&ids))
        .select(ServedRow::as_select())
        .order((served::transmission_id, served::position))
        .load(conn)?;
    for s in served_rows {
        served_by
            .entry(s.transmission_id)
            .or_default()
            .push(Served {
                code: IndicatorCode::parse(&s.indicator_code).map_err(corrupt)?,
                section: s.section,
                unit: s.unit.parse().map_err(corrupt)?,
                forwardable: s.forwardable,
            });
    }
    let mut rows_by: HashMap<Key, Vec<DataRow>> = HashMap::new();
    if with_rows {
        let data: Vec<DataRowRow> = rows::table
            .filter(rows::transmission_id.eq_any(&ids))
            .select(DataRowRow::as_select())
            .order((rows::transmission_id, rows::version_no, rows::position))
            .load(conn)?;
        for r in data {
            let key = (r.transmission_id.clone(), r.version_no);
            rows_by.entry(key).or_default().push(data_row(r)?);
        }
    }
    let mut acks_by: HashMap<Key, Vec<Acknowledgement>> = HashMap::new();
    let ack_rows: Vec<AckRow> = acks::table
        .filter(acks::transmission_id.eq_any(&ids))
        .select(AckRow::as_select())
        .order(acks::acknowledged_at)
        .load(conn)?;
    for a in ack_rows {
        acks_by
            .entry((a.transmission_id.clone(), a.version_no))
            .or_default()
            .push(Acknowledgement {
                traeger: Ags::parse(&a.traeger).map_err(corrupt)?,
                acknowledged_by: a.acknowledged_by,
                acknowledged_at: a.acknowledged_at,
            });
    }
    let version_rows: Vec<VersionRow> = versions::table
        .filter(versions::transmission_id.eq_any(&ids))
        .select(VersionRow::as_select())
        .order((versions::transmission_id, versions::version_no))
        .load(conn)?;
    let mut versions_by: HashMap<String, Vec<DataVersion>> = HashMap::new();
    for v in version_rows {
        let key = (v.transmission_id.clone(), v.version_no);
        versions_by
            .entry(v.transmission_id)
            .or_default()
            .push(DataVersion {
                number: v.version_no,
                reason: v.reason,
                received_by: v.received_by,
                received_at: v.received_at,
                forwarded_by: v.forwarded_by,
                forwarded_at: v.forwarded_at,
                rows: rows_by.remove(&key).unwrap_or_default(),
                acknowledgements: acks_by.remove(&key).unwrap_or_default(),
            });
    }
    heads
        .into_iter()
        .map(|h| {
            Ok(Transmission {
                indicators: served_by.remove(&h.id).unwrap_or_default(),
                versions: versions_by.remove(&h.id).unwrap_or_default(),
                year: h.year,
                ba_reference: h.ba_reference,
                requested_on: h.requested_on,
                note: h.note,
                version: h.version,
                created_at: h.created_at,
                updated_at: h.updated_at,
                id: TransmissionId::parse(&h.id).map_err(corrupt)?,
            })
        })
        .collect()
}

/// The transmission `id` as `seen_by` may see it (see [`Transmission::seen_by`]).
pub fn find(
    conn: &mut DbConnection,
    seen_by: &Visibility,
    id: &TransmissionId,
) -> QueryResult<Option<Transmission>> {
    let heads = transmissions::table
        .filter(transmissions::id.eq(id.as_str()))
        .select(TransmissionRow::as_select())
        .load(conn)?;
    Ok(assemble(conn, heads, true)?
        .pop()
        .and_then(|t| t.seen_by(seen_by)))
}

/// The whole transmission `id`, every Träger's rows, for a change: if `seen_by` may see it
/// at all. A change applies to the whole; the caller is shown only its part afterwards.
pub fn find_whole(
    conn: &mut DbConnection,
    seen_by: &Visibility,
    id: &TransmissionId,
) -> QueryResult<Option<Transmission>> {
    Ok(find(conn, &Visibility::All, id)?.filter(|t| t.visible_to(seen_by)))
}

/// Every transmission of a year (or all) as `seen_by` may see it, with their rows only when
/// asked for; there are tens a year.
pub fn list(
    conn: &mut DbConnection,
    seen_by: &Visibility,
    year: Option<i32>,
    with_rows: bool,
) -> QueryResult<Vec<Transmission>> {
    let mut q = transmissions::table
        .select(TransmissionRow::as_select())
        .into_boxed();
    if let Some(y) = year {
        q = q.filter(transmissions::year.eq(y));
    }
    let heads = q.order(transmissions::id.asc()).load(conn)?;
    Ok(assemble(conn, heads, with_rows)?
        .into_iter()
        .filter_map(|t| t.seen_by(seen_by))
        .collect())
}

pub fn count_for(conn: &mut DbConnection, year: i32) -> QueryResult<i64> {
    transmissions::table
        .filter(transmissions::year.eq(year))
        .count()
        .get_result(conn)
}

pub fn insert(conn: &mut DbConnection, t: &Transmission) -> QueryResult<()> {
    diesel::insert_into(transmissions::table)
        .values(TransmissionRow {
            id: t.id.to_string(),
            year: t.year,
            ba_reference: t.ba_reference.clone(),
            requested_on: t.requested_on,
            note: t.note.clone(),
            version: t.version,
            created_at: t.created_at,
            updated_at: t.updated_at,
        })
        .execute(conn)?;
    for (i, s) in t.indicators.iter().enumerate() {
        diesel::insert_into(served::table)
            .values(ServedRow {
                transmission_id: t.id.to_string(),
                position: i32::try_from(i).unwrap_or(i32::MAX),
                indicator_code: s.code.to_string(),
                section: s.section.clone(),
                unit: s.unit.as_str().to_owned(),
                forwardable: s.forwardable,
            })
            .execute(conn)?;
    }
    Ok(())
}

/// Writes one data version whole, replacing what was stored under its number.
fn write_version(
    conn: &mut DbConnection,
    id: &TransmissionId,
    v: &DataVersion,
    with_rows: bool,
) -> QueryResult<()> {
    let n = v.number;
    diesel::delete(
        acks::table
            .filter(acks::transmission_id.eq(id.as_str()))
            .filter(acks::version_no.eq(n)),
    )
    .execute(conn)?;
    if with_rows {
        diesel::delete(
            rows::table
                .filter(rows::transmission_id.eq(id.as_str()))
                .filter(rows::version_no.eq(n)),
        )
        .execute(conn)?;
    }
    // Updated in place: its rows refer to it.
    let updated = diesel::update(
        versions::table
            .filter(versions::transmission_id.eq(id.as_str()))
            .filter(versions::version_no.eq(n)),
    )
    .set((
        versions::reason.eq(&v.reason),
        versions::received_by.eq(&v.received_by),
        versions::received_at.eq(v.received_at),
        versions::forwarded_by.eq(&v.forwarded_by),
        versions::forwarded_at.eq(v.forwarded_at),
    ))
    .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(versions::table)
            .values(VersionRow {
                transmission_id: id.to_string(),
                version_no: n,
                reason: v.reason.clone(),
                received_by: v.received_by.clone(),
                received_at: v.received_at,
                forwarded_by: v.forwarded_by.clone(),
                forwarded_at: v.forwarded_at,
            })
            .execute(conn)?;
    }
    if with_rows {
        for (i, r) in v.rows.iter().enumerate() {
            let unit = match &r.value {
                Some(Figure::Eur(_)) => "eur",
                _ => "count",
            };
            diesel::insert_into(rows::table)
                .values(DataRowRow {
                    transmission_id: id.to_string(),
                    version_no: n,
                    position: i32::try_from(i).unwrap_or(i32::MAX),
                    traeger: r.traeger.to_string(),
                    indicator_code: r.indicator.to_string(),
                    unit: unit.to_owned(),
                    value_int: r.value.as_ref().and_then(Figure::magnitude),
                    marker: r.marker.map(|m| m.as_str().to_owned()),
                    provisional: r.provisional,
                    revised: r.revised,
                })
                .execute(conn)?;
        }
    }
    for a in &v.acknowledgements {
        diesel::insert_into(acks::table)
            .values(AckRow {
                transmission_id: id.to_string(),
                version_no: n,
                traeger: a.traeger.to_string(),
                acknowledged_by: a.acknowledged_by.clone(),
                acknowledged_at: a.acknowledged_at,
            })
            .execute(conn)?;
    }
    Ok(())
}

/// Saves the header and what `event` wrote (a version whole, or only when it went out and who
/// confirmed it), if the stored version is still `expected_version`.
pub fn save(
    conn: &mut DbConnection,
    t: &Transmission,
    expected_version: i64,
    event: &TransmissionEvent,
) -> QueryResult<bool> {
    let n = diesel::update(
        transmissions::table
            .filter(transmissions::id.eq(t.id.as_str()))
            .filter(transmissions::version.eq(expected_version)),
    )
    .set((
        transmissions::version.eq(t.version),
        transmissions::updated_at.eq(t.updated_at),
    ))
    .execute(conn)?;
    if n != 1 {
        return Ok(false);
    }
    if let Some((number, with_rows)) = event.written()
        && let Some(v) = t.versions.iter().find(|v| v.number == number)
    {
        write_version(conn, &t.id, v, with_rows)?;
    }
    Ok(true)
}

pub fn lock(conn: &mut DbConnection, id: &TransmissionId) -> QueryResult<()> {
    super::pool::lock_row(conn, "transmissions", "id", id.as_str())
}
