//! The rows of an agreement: its header, obligations with their indicators, and signatures,
//! and how an agreement is assembled from them and its obligations written.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use crate::domain::agreement::{Agreement, Obligation, ObligationContent, Recipient, Signature};
use crate::domain::ids::{AgreementId, ObligationId};
use crate::domain::indicator::IndicatorCode;
use crate::domain::traeger::Ags;
use crate::store::schema::{agreements, obligation_indicators, obligations, signatures};
use crate::store::{DbConnection, corrupt};

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = agreements)]
pub(super) struct AgreementRow {
    pub(super) id: String,
    pub(super) traeger: String,
    pub(super) year: i32,
    pub(super) kind: String,
    pub(super) legal_basis: String,
    pub(super) benefits: String,
    pub(super) sections: String,
    pub(super) targets: String,
    pub(super) status: String,
    pub(super) supersedes: Option<String>,
    pub(super) version: i64,
    pub(super) created_at: NaiveDateTime,
    pub(super) updated_at: NaiveDateTime,
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
    text_de: Option<String>,
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
pub(super) struct SignatureRow {
    pub(super) agreement_id: String,
    pub(super) party: String,
    pub(super) signatories: String,
    pub(super) place: String,
    pub(super) signed_on: NaiveDate,
    pub(super) recorded_by: String,
    pub(super) recorded_at: NaiveDateTime,
}

pub(super) fn to_json<T: serde::Serialize>(v: &T) -> QueryResult<String> {
    serde_json::to_string(v).map_err(|e| DieselError::SerializationError(Box::new(e)))
}

fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> QueryResult<T> {
    serde_json::from_str(s).map_err(corrupt)
}

fn position(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}

fn obligations_by_agreement(
    conn: &mut DbConnection,
    ids: &[String],
) -> QueryResult<HashMap<String, Vec<Obligation>>> {
    let obligation_rows: Vec<ObligationRow> = obligations::table
        .filter(obligations::agreement_id.eq_any(ids))
        .select(ObligationRow::as_select())
        .order((obligations::agreement_id, obligations::position))
        .load(conn)?;
    let obligation_ids: Vec<&str> = obligation_rows.iter().map(|o| o.id.as_str()).collect();
    let mut codes = indicators_by_obligation(conn, &obligation_ids)?;
    let mut by_agreement: HashMap<String, Vec<Obligation>> = HashMap::new();
    for r in obligation_rows {
        let recipients = recipients(&r.recipients)?;
        let obligation = Obligation {
            content: ObligationContent {
                section: r.section,
                title_de: r.title_de,
                text_de: r.text_de,
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
    Ok(by_agreement)
}

/// An obligation's recipients as stored: their names, separated by spaces.
pub(super) fn recipients(stored: &str) -> QueryResult<Vec<Recipient>> {
    stored
        .split_whitespace()
        .map(|s| s.parse::<Recipient>().map_err(corrupt))
        .collect()
}

fn indicators_by_obligation(
    conn: &mut DbConnection,
    obligation_ids: &[&str],
) -> QueryResult<HashMap<String, Vec<IndicatorCode>>> {
    let indicator_rows: Vec<ObligationIndicatorRow> = obligation_indicators::table
        .filter(obligation_indicators::obligation_id.eq_any(obligation_ids))
        .select(ObligationIndicatorRow::as_select())
        .order((
            obligation_indicators::obligation_id,
            obligation_indicators::position,
        ))
        .load(conn)?;
    let mut codes: HashMap<String, Vec<IndicatorCode>> = HashMap::new();
    for r in indicator_rows {
        codes
            .entry(r.obligation_id)
            .or_default()
            .push(IndicatorCode::parse(&r.indicator_code).map_err(corrupt)?);
    }
    Ok(codes)
}

fn signatures_by_agreement(
    conn: &mut DbConnection,
    ids: &[String],
) -> QueryResult<HashMap<String, Vec<Signature>>> {
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
    Ok(signed)
}

/// Whole agreements from their header rows.
pub(super) fn assemble(
    conn: &mut DbConnection,
    rows: Vec<AgreementRow>,
) -> QueryResult<Vec<Agreement>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut obligations = obligations_by_agreement(conn, &ids)?;
    let mut signatures = signatures_by_agreement(conn, &ids)?;
    rows.into_iter()
        .map(|r| {
            Ok(Agreement {
                obligations: obligations.remove(&r.id).unwrap_or_default(),
                signatures: signatures.remove(&r.id).unwrap_or_default(),
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

pub(super) fn header_row(a: &Agreement) -> QueryResult<AgreementRow> {
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

pub(super) fn insert_obligations(conn: &mut DbConnection, a: &Agreement) -> QueryResult<()> {
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
                text_de: c.text_de.clone(),
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
