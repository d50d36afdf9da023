//! Agreements with their obligations, the indicators each obligation asks for, and signatures.

mod rows;

use diesel::prelude::*;

use super::schema::{
    agreement_templates, agreements, obligation_indicators, obligations, signatures, submissions,
};
use super::{DbConnection, corrupt};
use crate::domain::actor::Visibility;
use crate::domain::agreement::{Agreement, AgreementFilter, AgreementStatus, Party, Recipient};
use crate::domain::ids::{AgreementId, ObligationId};
use crate::domain::indicator::IndicatorCode;
use crate::domain::traeger::Ags;
use rows::{
    AgreementRow, SignatureRow, assemble, header_row, insert_obligations, recipients, to_json,
};

/// The agreement `id`, if `seen_by` may see it.
pub fn find(
    conn: &mut DbConnection,
    seen_by: &Visibility,
    id: &AgreementId,
) -> QueryResult<Option<Agreement>> {
    let mut q = agreements::table
        .filter(agreements::id.eq(id.as_str()))
        .select(AgreementRow::as_select())
        .into_boxed();
    if let Some(own) = seen_by.only() {
        q = q.filter(agreements::traeger.eq(own.as_str()));
    }
    let rows = q.load(conn)?;
    Ok(assemble(conn, rows)?.pop())
}

/// One page of what `seen_by` may see, in id order (year, then AGS), after `after`.
pub fn list(
    conn: &mut DbConnection,
    seen_by: &Visibility,
    f: &AgreementFilter,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<Agreement>> {
    let mut q = agreements::table
        .select(AgreementRow::as_select())
        .into_boxed();
    if let Some(year) = f.year {
        q = q.filter(agreements::year.eq(year));
    }
    for ags in [f.traeger.as_ref(), seen_by.only()].into_iter().flatten() {
        q = q.filter(agreements::traeger.eq(ags.as_str()));
    }
    if let Some(status) = f.status {
        q = q.filter(agreements::status.eq(status.as_str()));
    }
    if let Some(after) = after {
        q = q.filter(agreements::id.gt(after));
    }
    let rows = q.order(agreements::id.asc()).limit(limit).load(conn)?;
    assemble(conn, rows)
}

/// An obligation a Träger delivers under an agreement in force, with its due date.
#[derive(Debug, Clone)]
pub struct Deadline {
    pub obligation: ObligationId,
    pub traeger: Ags,
    pub due: chrono::NaiveDate,
}

/// The obligations Träger deliver under agreements in force that fall due by `until` and no
/// accepted submission fulfils, past years included: all the deadline job can tell of, without
/// the indicators each asks for. Fulfilled ones stay in the database: on 22 years of history
/// (benches/export) the job's first run read 6 037 obligations and their submissions and took
/// the replica from 30 to 39 MiB; now it reads what is outstanding.
pub fn deadlines(conn: &mut DbConnection, until: chrono::NaiveDate) -> QueryResult<Vec<Deadline>> {
    let fulfilled = submissions::table
        .filter(submissions::obligation_id.eq(obligations::id))
        .filter(submissions::accepted_revision.is_not_null());
    let rows: Vec<(String, String, Option<chrono::NaiveDate>)> = obligations::table
        .inner_join(agreements::table)
        .filter(agreements::status.eq(AgreementStatus::InForce.as_str()))
        .filter(obligations::delivered_by.eq(Party::Traeger.as_str()))
        .filter(obligations::due.le(until))
        .filter(diesel::dsl::not(diesel::dsl::exists(fulfilled)))
        .select((obligations::id, agreements::traeger, obligations::due))
        .order(obligations::id.asc())
        .load(conn)?;
    rows.into_iter()
        .filter_map(|(id, traeger, due)| due.map(|due| (id, traeger, due)))
        .map(|(id, traeger, due)| {
            Ok(Deadline {
                obligation: ObligationId::parse(&id).map_err(corrupt)?,
                traeger: Ags::parse(&traeger).map_err(corrupt)?,
                due,
            })
        })
        .collect()
}

/// Each indicator an obligation in the agreements of `year` that `seen_by` may see asks for,
/// with that obligation's recipients: in one query, for who needs only who receives what.
pub fn indicator_recipients(
    conn: &mut DbConnection,
    seen_by: &Visibility,
    year: i32,
) -> QueryResult<Vec<(Vec<Recipient>, IndicatorCode)>> {
    let mut q = obligation_indicators::table
        .inner_join(obligations::table.inner_join(agreements::table))
        .filter(agreements::year.eq(year))
        .select((
            obligations::recipients,
            obligation_indicators::indicator_code,
        ))
        .distinct()
        .into_boxed();
    if let Some(own) = seen_by.only() {
        q = q.filter(agreements::traeger.eq(own.as_str()));
    }
    let pairs: Vec<(String, String)> = q.load(conn)?;
    pairs
        .into_iter()
        .map(|(to, code)| {
            Ok((
                recipients(&to)?,
                IndicatorCode::parse(&code).map_err(corrupt)?,
            ))
        })
        .collect()
}

/// The agreements of a Träger for a year that are not superseded.
pub fn current(
    conn: &mut DbConnection,
    seen_by: &Visibility,
    traeger: &Ags,
    year: i32,
) -> QueryResult<Vec<Agreement>> {
    if !seen_by.sees(traeger) {
        return Ok(Vec::new());
    }
    let rows = agreements::table
        .filter(agreements::traeger.eq(traeger.as_str()))
        .filter(agreements::year.eq(year))
        .filter(agreements::status.ne(AgreementStatus::Superseded.as_str()))
        .select(AgreementRow::as_select())
        .order(agreements::id.asc())
        .load(conn)?;
    assemble(conn, rows)
}

/// How many agreements a Träger has had for a year, superseded ones included.
pub fn count_for(conn: &mut DbConnection, traeger: &Ags, year: i32) -> QueryResult<i64> {
    agreements::table
        .filter(agreements::traeger.eq(traeger.as_str()))
        .filter(agreements::year.eq(year))
        .count()
        .get_result(conn)
}

/// The number of the next agreement of a Träger and year: one above any it ever had, a
/// discarded draft's included.
pub fn next_number(conn: &mut DbConnection, traeger: &Ags, year: i32) -> QueryResult<i64> {
    super::id_counters::next(conn, "agreement", &AgreementId::prefix(year, traeger))
}

/// Removes a draft with its obligations; nothing else refers to a draft.
pub fn delete(conn: &mut DbConnection, id: &AgreementId) -> QueryResult<()> {
    let obligation_ids = obligations::table
        .filter(obligations::agreement_id.eq(id.as_str()))
        .select(obligations::id);
    diesel::delete(
        obligation_indicators::table
            .filter(obligation_indicators::obligation_id.eq_any(obligation_ids)),
    )
    .execute(conn)?;
    diesel::delete(obligations::table.filter(obligations::agreement_id.eq(id.as_str())))
        .execute(conn)?;
    diesel::delete(signatures::table.filter(signatures::agreement_id.eq(id.as_str())))
        .execute(conn)?;
    diesel::delete(agreements::table.find(id.as_str())).execute(conn)?;
    Ok(())
}

/// Inserts a new agreement with its obligations (signatures come separately).
pub fn insert(conn: &mut DbConnection, a: &Agreement) -> QueryResult<()> {
    diesel::insert_into(agreements::table)
        .values(header_row(a)?)
        .execute(conn)?;
    insert_obligations(conn, a)
}

/// Replaces header and obligations if the stored version is still `expected_version`.
pub fn replace(conn: &mut DbConnection, a: &Agreement, expected_version: i64) -> QueryResult<bool> {
    let row = header_row(a)?;
    let n = diesel::update(
        agreements::table
            .filter(agreements::id.eq(a.id.as_str()))
            .filter(agreements::version.eq(expected_version)),
    )
    .set((
        agreements::kind.eq(&row.kind),
        agreements::legal_basis.eq(&row.legal_basis),
        agreements::benefits.eq(&row.benefits),
        agreements::sections.eq(&row.sections),
        agreements::targets.eq(&row.targets),
        agreements::status.eq(&row.status),
        agreements::version.eq(row.version),
        agreements::updated_at.eq(row.updated_at),
    ))
    .execute(conn)?;
    if n != 1 {
        return Ok(false);
    }
    let old = obligations::table
        .filter(obligations::agreement_id.eq(a.id.as_str()))
        .select(obligations::id);
    diesel::delete(
        obligation_indicators::table.filter(obligation_indicators::obligation_id.eq_any(old)),
    )
    .execute(conn)?;
    diesel::delete(obligations::table.filter(obligations::agreement_id.eq(a.id.as_str())))
        .execute(conn)?;
    insert_obligations(conn, a)?;
    Ok(true)
}

/// Writes a signed agreement: its new signature (the last one), status and version.
pub fn save_signed(conn: &mut DbConnection, a: &Agreement) -> QueryResult<()> {
    if let Some(s) = a.signatures.last() {
        diesel::insert_into(signatures::table)
            .values(SignatureRow {
                agreement_id: a.id.to_string(),
                party: s.party.as_str().to_owned(),
                signatories: to_json(&s.signatories)?,
                place: s.place.clone(),
                signed_on: s.signed_on,
                recorded_by: s.recorded_by.clone(),
                recorded_at: s.recorded_at,
            })
            .execute(conn)?;
    }
    set_status(conn, a)
}

/// Writes an agreement's status and version.
pub fn set_status(conn: &mut DbConnection, a: &Agreement) -> QueryResult<()> {
    diesel::update(agreements::table.filter(agreements::id.eq(a.id.as_str())))
        .set((
            agreements::status.eq(a.status.as_str()),
            agreements::version.eq(a.version),
            agreements::updated_at.eq(a.updated_at),
        ))
        .execute(conn)
        .map(drop)
}

pub fn template(conn: &mut DbConnection, year: i32) -> QueryResult<Option<String>> {
    agreement_templates::table
        .find(year)
        .select(agreement_templates::content)
        .first(conn)
        .optional()
}

/// Stores the wording of `year`, replacing what was stored.
pub fn put_template(conn: &mut DbConnection, year: i32, content: &str) -> QueryResult<()> {
    let updated = diesel::update(agreement_templates::table.find(year))
        .set(agreement_templates::content.eq(content))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(agreement_templates::table)
            .values((
                agreement_templates::year.eq(year),
                agreement_templates::content.eq(content),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Holds the agreement's row until the transaction ends, so two signatures or edits cannot
/// interleave. SQLite needs nothing: a write transaction holds the whole database.
pub fn lock(conn: &mut DbConnection, id: &AgreementId) -> QueryResult<()> {
    super::pool::lock_row(conn, "agreements", "id", id.as_str())
}
