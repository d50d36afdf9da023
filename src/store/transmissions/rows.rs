//! The rows of a transmission: its header, the indicators it serves, its data versions with
//! their rows and acknowledgements, and how a transmission is assembled from them.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::domain::figure::Figure;
use crate::domain::ids::TransmissionId;
use crate::domain::indicator::{IndicatorCode, Unit};
use crate::domain::traeger::Ags;
use crate::domain::transmission::{Acknowledgement, DataRow, DataVersion, Served, Transmission};
use crate::store::schema::{
    transmission_acknowledgements as acks, transmission_indicators as served,
    transmission_rows as rows, transmission_versions as versions, transmissions,
};
use crate::store::{DbConnection, corrupt};

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = transmissions)]
pub(super) struct TransmissionRow {
    pub(super) id: String,
    pub(super) year: i32,
    pub(super) ba_reference: String,
    pub(super) requested_on: NaiveDate,
    pub(super) note: Option<String>,
    pub(super) version: i64,
    pub(super) created_at: NaiveDateTime,
    pub(super) updated_at: NaiveDateTime,
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = served)]
pub(super) struct ServedRow {
    pub(super) transmission_id: String,
    pub(super) position: i32,
    pub(super) indicator_code: String,
    pub(super) section: String,
    pub(super) unit: String,
    pub(super) forwardable: bool,
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
    /// 0 for a figure of the whole year.
    month: i32,
    data_as_of: Option<NaiveDate>,
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
    let unit = r.unit.parse::<Unit>().ok();
    let value = match (unit, r.value_int) {
        (_, None) => None,
        (Some(unit), Some(n)) if unit != Unit::Text => Figure::from_scaled(unit, n),
        (_, Some(_)) => {
            return Err(corrupt(format!("unit {} in {}", r.unit, r.transmission_id)));
        }
    };
    Ok(DataRow {
        traeger: Ags::parse(&r.traeger).map_err(corrupt)?,
        indicator: IndicatorCode::parse(&r.indicator_code).map_err(corrupt)?,
        month: u32::try_from(r.month).ok().filter(|m| *m > 0),
        data_as_of: r.data_as_of,
        value,
        marker: r.marker.map(|m| m.parse()).transpose().map_err(corrupt)?,
        provisional: r.provisional,
        revised: r.revised,
    })
}

/// Children of some transmissions by (transmission, version).
type ByVersion<T> = HashMap<(String, i32), Vec<T>>;

fn served_by_transmission(
    conn: &mut DbConnection,
    ids: &[&str],
) -> QueryResult<HashMap<String, Vec<Served>>> {
    let served_rows: Vec<ServedRow> = served::table
        .filter(served::transmission_id.eq_any(ids))
        .select(ServedRow::as_select())
        .order((served::transmission_id, served::position))
        .load(conn)?;
    let mut by: HashMap<String, Vec<Served>> = HashMap::new();
    for s in served_rows {
        by.entry(s.transmission_id).or_default().push(Served {
            code: IndicatorCode::parse(&s.indicator_code).map_err(corrupt)?,
            section: s.section,
            unit: s.unit.parse().map_err(corrupt)?,
            forwardable: s.forwardable,
        });
    }
    Ok(by)
}

/// Which data rows a read brings along with the versions.
#[derive(Debug, Clone, Copy)]
pub enum Rows<'a> {
    None,
    All,
    /// Only the rows of these Träger (AGS).
    Of(&'a [&'a str]),
}

fn rows_by_version(
    conn: &mut DbConnection,
    ids: &[&str],
    of: Option<&[&str]>,
) -> QueryResult<ByVersion<DataRow>> {
    let mut q = rows::table
        .filter(rows::transmission_id.eq_any(ids))
        .into_boxed();
    if let Some(traeger) = of {
        q = q.filter(rows::traeger.eq_any(traeger));
    }
    let data: Vec<DataRowRow> = q
        .select(DataRowRow::as_select())
        .order((rows::transmission_id, rows::version_no, rows::position))
        .load(conn)?;
    let mut by: ByVersion<DataRow> = HashMap::new();
    for r in data {
        let key = (r.transmission_id.clone(), r.version_no);
        by.entry(key).or_default().push(data_row(r)?);
    }
    Ok(by)
}

fn acks_by_version(
    conn: &mut DbConnection,
    ids: &[&str],
) -> QueryResult<ByVersion<Acknowledgement>> {
    let ack_rows: Vec<AckRow> = acks::table
        .filter(acks::transmission_id.eq_any(ids))
        .select(AckRow::as_select())
        .order(acks::acknowledged_at)
        .load(conn)?;
    let mut by: ByVersion<Acknowledgement> = HashMap::new();
    for a in ack_rows {
        by.entry((a.transmission_id.clone(), a.version_no))
            .or_default()
            .push(Acknowledgement {
                traeger: Ags::parse(&a.traeger).map_err(corrupt)?,
                acknowledged_by: a.acknowledged_by,
                acknowledged_at: a.acknowledged_at,
            });
    }
    Ok(by)
}

/// The versions of some transmissions with their acknowledgements, and their rows only when
/// asked for (lists do without), by transmission.
fn versions_by_transmission(
    conn: &mut DbConnection,
    ids: &[&str],
    with: Rows,
) -> QueryResult<HashMap<String, Vec<DataVersion>>> {
    let mut rows_by = match with {
        Rows::None => HashMap::new(),
        Rows::All => rows_by_version(conn, ids, None)?,
        Rows::Of(traeger) => rows_by_version(conn, ids, Some(traeger))?,
    };
    let mut acks_by = acks_by_version(conn, ids)?;
    let version_rows: Vec<VersionRow> = versions::table
        .filter(versions::transmission_id.eq_any(ids))
        .select(VersionRow::as_select())
        .order((versions::transmission_id, versions::version_no))
        .load(conn)?;
    let mut by: HashMap<String, Vec<DataVersion>> = HashMap::new();
    for v in version_rows {
        let key = (v.transmission_id.clone(), v.version_no);
        by.entry(v.transmission_id).or_default().push(DataVersion {
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
    Ok(by)
}

/// Whole transmissions from their header rows.
pub(super) fn assemble(
    conn: &mut DbConnection,
    heads: Vec<TransmissionRow>,
    with: Rows,
) -> QueryResult<Vec<Transmission>> {
    let ids: Vec<&str> = heads.iter().map(|h| h.id.as_str()).collect();
    let mut served_by = served_by_transmission(conn, &ids)?;
    let mut versions_by = versions_by_transmission(conn, &ids, with)?;
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

/// Writes one data version whole, replacing what was stored under its number: its header and
/// acknowledgements, and its rows when `with_rows`.
pub(super) fn write_version(
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
    write_version_header(conn, id, v)?;
    if with_rows {
        write_rows(conn, id, v)?;
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

/// The version's own row, updated in place: its data rows refer to it.
fn write_version_header(
    conn: &mut DbConnection,
    id: &TransmissionId,
    v: &DataVersion,
) -> QueryResult<()> {
    let updated = diesel::update(
        versions::table
            .filter(versions::transmission_id.eq(id.as_str()))
            .filter(versions::version_no.eq(v.number)),
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
                version_no: v.number,
                reason: v.reason.clone(),
                received_by: v.received_by.clone(),
                received_at: v.received_at,
                forwarded_by: v.forwarded_by.clone(),
                forwarded_at: v.forwarded_at,
            })
            .execute(conn)?;
    }
    Ok(())
}

/// The version's data rows, replacing those stored.
fn write_rows(conn: &mut DbConnection, id: &TransmissionId, v: &DataVersion) -> QueryResult<()> {
    diesel::delete(
        rows::table
            .filter(rows::transmission_id.eq(id.as_str()))
            .filter(rows::version_no.eq(v.number)),
    )
    .execute(conn)?;
    for (i, r) in v.rows.iter().enumerate() {
        // A row BA marked (`*`, `-`, `x`) has no value; its unit is then immaterial.
        let unit = r.value.as_ref().map_or(Unit::Count, Figure::unit).as_str();
        diesel::insert_into(rows::table)
            .values(DataRowRow {
                transmission_id: id.to_string(),
                version_no: v.number,
                position: i32::try_from(i).unwrap_or(i32::MAX),
                traeger: r.traeger.to_string(),
                indicator_code: r.indicator.to_string(),
                unit: unit.to_owned(),
                value_int: r.value.as_ref().and_then(Figure::scaled),
                marker: r.marker.map(|m| m.as_str().to_owned()),
                provisional: r.provisional,
                revised: r.revised,
                month: r.month.and_then(|m| i32::try_from(m).ok()).unwrap_or(0),
                data_as_of: r.data_as_of,
            })
            .execute(conn)?;
    }
    Ok(())
}
