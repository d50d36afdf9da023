//! The rows of a submission: the header, its revisions, their values and receipts, and how
//! a submission is assembled from them and written back.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::domain::figure::Figure;
use crate::domain::ids::{AgreementId, ObligationId, SubmissionId};
use crate::domain::indicator::{IndicatorCode, Unit};
use crate::domain::submission::{BreakdownItem, Receipt, Revision, Submission, ValueEntry};
use crate::domain::traeger::Ags;
use crate::store::schema::{
    submission_receipts, submission_revisions, submission_values, submissions,
};
use crate::store::{DbConnection, corrupt};

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = submissions)]
pub(super) struct SubmissionRow {
    pub(super) id: String,
    pub(super) obligation_id: String,
    pub(super) agreement_id: String,
    pub(super) traeger: String,
    pub(super) year: i32,
    pub(super) section: String,
    pub(super) due: Option<chrono::NaiveDate>,
    pub(super) recipients: String,
    pub(super) status: String,
    pub(super) current_revision: i32,
    pub(super) accepted_revision: Option<i32>,
    pub(super) version: i64,
    pub(super) created_at: NaiveDateTime,
    pub(super) updated_at: NaiveDateTime,
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = submission_revisions)]
struct RevisionRow {
    submission_id: String,
    revision: i32,
    status: String,
    created_by: String,
    created_at: NaiveDateTime,
    submitted_by: Option<String>,
    submitted_at: Option<NaiveDateTime>,
    days_late: Option<i32>,
    reviewed_by: Option<String>,
    reviewed_at: Option<NaiveDateTime>,
    return_reason: Option<String>,
    confirmation: Option<String>,
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = submission_values)]
pub(super) struct ValueRow {
    pub(super) submission_id: String,
    pub(super) revision: i32,
    pub(super) position: i32,
    pub(super) indicator_code: String,
    pub(super) reporting_body: String,
    pub(super) unit: String,
    pub(super) value_int: Option<i64>,
    pub(super) value_text: Option<String>,
    pub(super) note: Option<String>,
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = submission_receipts)]
struct ReceiptRow {
    submission_id: String,
    revision: i32,
    recipient: String,
    confirmed_by: String,
    confirmed_at: NaiveDateTime,
}

/// The figure itself has reporting body '' in storage; a breakdown row names its body.
pub(super) const TOTAL: &str = "";

fn figure_columns(f: &Figure) -> (&'static str, Option<i64>, Option<String>) {
    match f {
        Figure::Text(t) => ("text", None, Some(t.clone())),
        number => (number.unit().as_str(), number.scaled(), None),
    }
}

/// A stored value in the unit it was stored with; None when the columns do not fit the unit.
pub(crate) fn figure_from(
    unit: &str,
    value_int: Option<i64>,
    value_text: Option<String>,
) -> Option<Figure> {
    match (unit.parse::<Unit>().ok()?, value_int, value_text) {
        (Unit::Text, _, Some(t)) => Some(Figure::Text(t)),
        (unit, Some(n), _) => Figure::from_scaled(unit, n),
        _ => None,
    }
}

pub(super) fn figure_of(r: &ValueRow) -> QueryResult<Figure> {
    figure_from(&r.unit, r.value_int, r.value_text.clone()).ok_or_else(|| {
        corrupt(format!(
            "value of {} in {}",
            r.indicator_code, r.submission_id
        ))
    })
}

fn values_of(rows: &[ValueRow]) -> QueryResult<Vec<ValueEntry>> {
    let mut entries: Vec<ValueEntry> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for r in rows.iter().filter(|r| r.reporting_body == TOTAL) {
        index.insert(&r.indicator_code, entries.len());
        entries.push(ValueEntry {
            indicator: IndicatorCode::parse(&r.indicator_code).map_err(corrupt)?,
            value: figure_of(r)?,
            breakdown: Vec::new(),
            note: r.note.clone(),
        });
    }
    for r in rows.iter().filter(|r| r.reporting_body != TOTAL) {
        let entry = index
            .get(r.indicator_code.as_str())
            .map(|&i| &mut entries[i])
            .ok_or_else(|| corrupt(format!("breakdown without figure in {}", r.submission_id)))?;
        entry.breakdown.push(BreakdownItem {
            reporting_body: r.reporting_body.clone(),
            value: figure_of(r)?,
        });
    }
    Ok(entries)
}

/// Values and receipts of some submissions, by (submission, revision).
type ByRevision<T> = HashMap<(String, i32), Vec<T>>;

fn values_by_revision(conn: &mut DbConnection, ids: &[&str]) -> QueryResult<ByRevision<ValueRow>> {
    let values: Vec<ValueRow> = submission_values::table
        .filter(submission_values::submission_id.eq_any(ids))
        .select(ValueRow::as_select())
        .order((
            submission_values::submission_id,
            submission_values::revision,
            submission_values::position,
        ))
        .load(conn)?;
    let mut by: ByRevision<ValueRow> = HashMap::new();
    for v in values {
        by.entry((v.submission_id.clone(), v.revision))
            .or_default()
            .push(v);
    }
    Ok(by)
}

fn receipts_by_revision(conn: &mut DbConnection, ids: &[&str]) -> QueryResult<ByRevision<Receipt>> {
    let receipts: Vec<ReceiptRow> = submission_receipts::table
        .filter(submission_receipts::submission_id.eq_any(ids))
        .select(ReceiptRow::as_select())
        .order(submission_receipts::confirmed_at)
        .load(conn)?;
    let mut by: ByRevision<Receipt> = HashMap::new();
    for r in receipts {
        by.entry((r.submission_id.clone(), r.revision))
            .or_default()
            .push(Receipt {
                recipient: r.recipient.parse().map_err(corrupt)?,
                confirmed_by: r.confirmed_by,
                confirmed_at: r.confirmed_at,
            });
    }
    Ok(by)
}

/// The revisions of some submissions with their values and receipts, by submission.
fn revisions_by_submission(
    conn: &mut DbConnection,
    ids: &[&str],
    parts: Parts,
) -> QueryResult<HashMap<String, Vec<Revision>>> {
    let revisions: Vec<RevisionRow> = submission_revisions::table
        .filter(submission_revisions::submission_id.eq_any(ids))
        .select(RevisionRow::as_select())
        .order((
            submission_revisions::submission_id,
            submission_revisions::revision,
        ))
        .load(conn)?;
    let values = match parts {
        Parts::Whole => values_by_revision(conn, ids)?,
        Parts::Standing => HashMap::new(),
    };
    let mut receipts = receipts_by_revision(conn, ids)?;
    let mut by: HashMap<String, Vec<Revision>> = HashMap::new();
    for r in revisions {
        let key = (r.submission_id.clone(), r.revision);
        by.entry(r.submission_id.clone())
            .or_default()
            .push(Revision {
                number: r.revision,
                status: r.status.parse().map_err(corrupt)?,
                values: values_of(values.get(&key).map(Vec::as_slice).unwrap_or_default())?,
                confirmation: r.confirmation,
                created_by: r.created_by,
                created_at: r.created_at,
                submitted_by: r.submitted_by,
                submitted_at: r.submitted_at,
                days_late: r.days_late.map(i64::from),
                reviewed_by: r.reviewed_by,
                reviewed_at: r.reviewed_at,
                return_reason: r.return_reason,
                receipts: receipts.remove(&key).unwrap_or_default(),
            });
    }
    Ok(by)
}

/// How much of a submission is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Parts {
    Whole,
    /// Every revision with its status, dates and receipts, without its values: what the
    /// standing of an obligation rests on. A year's values of every Träger are hundreds of
    /// thousands of rows; the deadline job reads every standing at each run.
    Standing,
}

/// Whole submissions from their header rows.
pub(super) fn assemble(
    conn: &mut DbConnection,
    rows: Vec<SubmissionRow>,
) -> QueryResult<Vec<Submission>> {
    assemble_parts(conn, rows, Parts::Whole)
}

/// Submissions from their header rows, with the `parts` asked for.
pub(super) fn assemble_parts(
    conn: &mut DbConnection,
    rows: Vec<SubmissionRow>,
    parts: Parts,
) -> QueryResult<Vec<Submission>> {
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let mut revisions_by = revisions_by_submission(conn, &ids, parts)?;
    rows.into_iter()
        .map(|r| {
            let revisions = revisions_by.remove(&r.id).unwrap_or_default();
            if revisions.is_empty() {
                return Err(corrupt(format!("submission {} has no revision", r.id)));
            }
            Ok(Submission {
                obligation_id: ObligationId::parse(&r.obligation_id).map_err(corrupt)?,
                agreement_id: AgreementId::parse(&r.agreement_id).map_err(corrupt)?,
                traeger: Ags::parse(&r.traeger).map_err(corrupt)?,
                year: r.year,
                section: r.section,
                due: r.due,
                recipients: r
                    .recipients
                    .split_whitespace()
                    .map(|x| x.parse().map_err(corrupt))
                    .collect::<QueryResult<_>>()?,
                revisions,
                version: r.version,
                created_at: r.created_at,
                updated_at: r.updated_at,
                id: SubmissionId::parse(&r.id).map_err(corrupt)?,
            })
        })
        .collect()
}

pub(super) fn header(s: &Submission) -> SubmissionRow {
    SubmissionRow {
        id: s.id.to_string(),
        obligation_id: s.obligation_id.to_string(),
        agreement_id: s.agreement_id.to_string(),
        traeger: s.traeger.to_string(),
        year: s.year,
        section: s.section.clone(),
        due: s.due,
        recipients: s
            .recipients
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        status: s.current().status.as_str().to_owned(),
        current_revision: s.current().number,
        accepted_revision: s.accepted().map(|r| r.number),
        version: s.version,
        created_at: s.created_at,
        updated_at: s.updated_at,
    }
}

fn to_i32(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Writes one revision whole, replacing what was stored under its number.
pub(super) fn write_revision(
    conn: &mut DbConnection,
    id: &SubmissionId,
    r: &Revision,
) -> QueryResult<()> {
    diesel::delete(
        submission_values::table
            .filter(submission_values::submission_id.eq(id.as_str()))
            .filter(submission_values::revision.eq(r.number)),
    )
    .execute(conn)?;
    diesel::delete(
        submission_receipts::table
            .filter(submission_receipts::submission_id.eq(id.as_str()))
            .filter(submission_receipts::revision.eq(r.number)),
    )
    .execute(conn)?;
    diesel::delete(
        submission_revisions::table
            .filter(submission_revisions::submission_id.eq(id.as_str()))
            .filter(submission_revisions::revision.eq(r.number)),
    )
    .execute(conn)?;
    diesel::insert_into(submission_revisions::table)
        .values(RevisionRow {
            submission_id: id.to_string(),
            revision: r.number,
            status: r.status.as_str().to_owned(),
            created_by: r.created_by.clone(),
            created_at: r.created_at,
            submitted_by: r.submitted_by.clone(),
            submitted_at: r.submitted_at,
            days_late: r.days_late.map(to_i32),
            reviewed_by: r.reviewed_by.clone(),
            reviewed_at: r.reviewed_at,
            return_reason: r.return_reason.clone(),
            confirmation: r.confirmation.clone(),
        })
        .execute(conn)?;
    write_values(conn, id, r)?;
    for rc in &r.receipts {
        diesel::insert_into(submission_receipts::table)
            .values(ReceiptRow {
                submission_id: id.to_string(),
                revision: r.number,
                recipient: rc.recipient.as_str().to_owned(),
                confirmed_by: rc.confirmed_by.clone(),
                confirmed_at: rc.confirmed_at,
            })
            .execute(conn)?;
    }
    Ok(())
}

/// A revision's values: each figure, then its breakdown, one row each in their order.
fn write_values(conn: &mut DbConnection, id: &SubmissionId, r: &Revision) -> QueryResult<()> {
    let mut position = 0;
    for e in &r.values {
        let rows = std::iter::once((TOTAL, &e.value, e.note.clone())).chain(
            e.breakdown
                .iter()
                .map(|b| (b.reporting_body.as_str(), &b.value, None)),
        );
        for (body, figure, note) in rows {
            let (unit, value_int, value_text) = figure_columns(figure);
            diesel::insert_into(submission_values::table)
                .values(ValueRow {
                    submission_id: id.to_string(),
                    revision: r.number,
                    position,
                    indicator_code: e.indicator.to_string(),
                    reporting_body: body.to_owned(),
                    unit: unit.to_owned(),
                    value_int,
                    value_text,
                    note,
                })
                .execute(conn)?;
            position += 1;
        }
    }
    Ok(())
}
