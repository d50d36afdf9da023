//! Transmissions with the indicators they serve, their data versions, rows and acknowledgements.

mod rows;

use diesel::prelude::*;

use super::DbConnection;
use super::schema::{transmission_indicators as served, transmissions};
use crate::domain::actor::Visibility;
use crate::domain::ids::TransmissionId;
use crate::domain::transmission::{Transmission, TransmissionEvent};
pub use rows::Rows;
use rows::{ServedRow, TransmissionRow, assemble, write_version};

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
    Ok(assemble(conn, heads, Rows::All)?
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
    with: Rows,
) -> QueryResult<Vec<Transmission>> {
    let mut q = transmissions::table
        .select(TransmissionRow::as_select())
        .into_boxed();
    if let Some(y) = year {
        q = q.filter(transmissions::year.eq(y));
    }
    let heads = q.order(transmissions::id.asc()).load(conn)?;
    Ok(assemble(conn, heads, with)?
        .into_iter()
        .filter_map(|t| t.seen_by(seen_by))
        .collect())
}

/// The number of the next request of `year`: one above any the year ever had, a cancelled
/// one's included.
pub fn next_number(conn: &mut DbConnection, year: i32) -> QueryResult<i64> {
    super::id_counters::next(conn, "transmission", &TransmissionId::prefix(year))
}

/// Removes a request BA never answered: it has no versions, rows or acknowledgements.
pub fn delete(conn: &mut DbConnection, id: &TransmissionId) -> QueryResult<()> {
    diesel::delete(served::table.filter(served::transmission_id.eq(id.as_str()))).execute(conn)?;
    diesel::delete(transmissions::table.find(id.as_str())).execute(conn)?;
    Ok(())
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
