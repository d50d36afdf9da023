//! Agreements with their obligations, the indicators each obligation asks for, and signatures.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::schema::{
    agreement_templates, agreements, obligation_indicators, obligations, signatures,
};
use super::{DbConnection, corrupt};
use crate::domain::actor::Visibility;
use crate::domain::agreement::{
    Agreement, AgreementFilter, AgreementStatus, Obligation, ObligationContent, Recipient,
    Signature,
};
use crate::domain::ids::{AgreementId, ObligationId};
use crate::domain::indicator::IndicatorCode;
use crate::domain::traeger::Ags;

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = agreements)]
struct AgreementRow {
    id: String,
    traeger: String,
    year: i32,
    kind: String,
    legal_basis: String,
    benefits: String,
    sections: String,
    targets: String,
    status: String,
    supersedes: Option<String>,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = obligations)]
struct ObligationRow {
    id: String,
    agreement_id: String,
    position: i32,
    section: String,
    title_de: String,
    delivered_by: String,
    recipients: String,
    due: Option<NaiveDate>,
    note: Option<String>,
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = obligation_indicators)]
struct ObligationIndicatorRow {
    obligation_id: String,
    position: i32,
    indicator_code: String,
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = signatures)]
struct SignatureRow {
    agreement_id: String,
    party: String,
    signatories: String,
    place: String,
    signed_on: NaiveDate,
    recorded_by: String,
    recorded_at: NaiveDateTime,
}

fn to_json<T: serde::Serialize>(v: &T) -> QueryResult<String> {
    serde_json::to_string(v).map_err(|e| DieselError::SerializationError(Box::new(e)))
}

fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> QueryResult<T> {
    serde_json::from_str(s).map_err(corrupt)
}

fn position(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}

/// The children of some agreements, grouped by agreement id.
struct Children {
    obligations: HashMap<String, Vec<Obligation>>,
    signatures: HashMap<String, Vec<Signature>>,
}

fn load_children(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Children> {
    let obligation_rows: Vec<ObligationRow> = obligations::table
        .filter(obligations::agreement_id.eq_any(ids))
        .select(ObligationRow::as_select())
        .order((obligations::agreement_id, obligations::position))
        .load(conn)?;
    let obligation_ids: Vec<&str> = obligation_rows.iter().map(|o| o.id.as_str()).collect();
    let mut codes: HashMap<String, Vec<IndicatorCode>> = HashMap::new();
    let indicator_rows: Vec<ObligationIndicatorRow> = obligation_indicators::table
        .filter(obligation_indicators::obligation_id.eq_any(&obligation_ids))
        .select(ObligationIndicatorRow::as_select())
        .order((
            obligation_indicators::obligation_id,
            obligation_indicators::position,
        ))
        .load(conn)?;
    for r in indicator_rows {
        codes
            .entry(r.obligation_id)
            .or_default()
            .push(IndicatorCode::parse(&r.indicator_code).map_err(corrupt)?);
    }
    let mut by_agreement: HashMap<String, Vec<Obligation>> = HashMap::new();
    for r in obligation_rows {
        let recipients = r
            .recipients
            .split_whitespace()
            .map(|s| s.parse::<Recipient>().map_err(corrupt))
            .collect::<QueryResult<Vec<_>>>()?;
        let obligation = Obligation {
            content: ObligationContent {
                section: r.section,
                title_de: r.title_de,
                delivered_by: r.delivered_by.parse().map_err(corrupt)?,
                recipients,
                indicators: codes.remove(&r.id).unwrap_or_default(),
                due: r.due,
                note: r.note,
            },
            id: ObligationId::parse(&r.id).map_err(corrupt)?,
        };
        by_agreement
            .entry(r.agreement_id)
            .or_default()
            .push(obligation);
    }
    let signature_rows: Vec<SignatureRow> = signatures::table
        .filter(signatures::agreement_id.eq_any(ids))
        .select(SignatureRow::as_select())
        .order((signatures::agreement_id, signatures::recorded_at))
        .load(conn)?;
    let mut signed: HashMap<String, Vec<Signature>> = HashMap::new();
    for r in signature_rows {
        signed.entry(r.agreement_id).or_default().push(Signature {
            party: r.party.parse().map_err(corrupt)?,
            signatories: from_json(&r.signatories)?,
            place: r.place,
            signed_on: r.signed_on,
            recorded_by: r.recorded_by,
            recorded_at: r.recorded_at,
        });
    }
    Ok(Children {
        obligations: by_agreement,
        signatures: signed,
    })
}

fn assemble(conn: &mut DbConnection, rows: Vec<AgreementRow>) -> QueryResult<Vec<Agreement>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut children = load_children(conn, &ids)?;
    rows.into_iter()
        .map(|r| {
            Ok(Agreement {
                obligations: children.obligations.remove(&r.id).unwrap_or_default(),
                signatures: children.signatures.remove(&r.id).unwrap_or_default(),
                traeger: Ags::parse(&r.traeger).map_err(corrupt)?,
                year: r.year,
                status: r.status.parse().map_err(corrupt)?,
                supersedes: r
                    .supersedes
                    .map(|s| AgreementId::parse(&s))
                    .transpose()
                    .map_err(corrupt)?,
                kind: r.kind.parse().map_err(corrupt)?,
                legal_basis: r.legal_basis,
                benefits: r.benefits,
                sections: from_json(&r.sections)?,
                targets: from_json(&r.targets)?,
                version: r.version,
                created_at: r.created_at,
                updated_at: r.updated_at,
                id: AgreementId::parse(&r.id).map_err(corrupt)?,
            })
        })
        .collect()
}

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

fn header_row(a: &Agreement) -> QueryResult<AgreementRow> {
    Ok(AgreementRow {
        id: a.id.to_string(),
        traeger: a.traeger.to_string(),
        year: a.year,
        kind: a.kind.as_str().to_owned(),
        legal_basis: a.legal_basis.clone(),
        benefits: a.benefits.clone(),
        sections: to_json(&a.sections)?,
        targets: to_json(&a.targets)?,
        status: a.status.as_str().to_owned(),
        supersedes: a.supersedes.as_ref().map(ToString::to_string),
        version: a.version,
        created_at: a.created_at,
        updated_at: a.updated_at,
    })
}

fn insert_obligations(conn: &mut DbConnection, a: &Agreement) -> QueryResult<()> {
    for (i, o) in a.obligations.iter().enumerate() {
        let c = &o.content;
        diesel::insert_into(obligations::table)
            .values(ObligationRow {
                id: o.id.to_string(),
                agreement_id: a.id.to_string(),
                position: position(i),
                section: c.section.clone(),
                title_de: c.title_de.clone(),
                delivered_by: c.delivered_by.as_str().to_owned(),
                recipients: c
                    .recipients
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                due: c.due,
                note: c.note.clone(),
            })
            .execute(conn)?;
        // One row at a time: the multi-backend connection has no batch insert.
        for (j, code) in c.indicators.iter().enumerate() {
            diesel::insert_into(obligation_indicators::table)
                .values(ObligationIndicatorRow {
                    obligation_id: o.id.to_string(),
                    position: position(j),
                    indicator_code: code.to_string(),
                })
                .execute(conn)?;
        }
    }
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

pub fn insert_template(conn: &mut DbConnection, year: i32, content: &str) -> QueryResult<()> {
    diesel::insert_into(agreement_templates::table)
        .values((
            agreement_templates::year.eq(year),
            agreement_templates::content.eq(content),
        ))
        .execute(conn)
        .map(drop)
}

/// Holds the agreement's row until the transaction ends, so two signatures or edits cannot
/// interleave. SQLite needs nothing: a write transaction holds the whole database.
pub fn lock(conn: &mut DbConnection, id: &AgreementId) -> QueryResult<()> {
    super::pool::lock_row(conn, "agreements", "id", id.as_str())
}
