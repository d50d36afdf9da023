//! Submissions with their revisions, values and receipts.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{submission_receipts, submission_revisions, submission_values, submissions};
use super::{DbConnection, SqlBackend, corrupt};
use crate::domain::actor::Visibility;
use crate::domain::figure::Figure;
use crate::domain::ids::{AgreementId, ObligationId, SubmissionId};
use crate::domain::indicator::IndicatorCode;
use crate::domain::submission::{
    BreakdownItem, Receipt, Revision, Submission, SubmissionFilter, ValueEntry,
};
use crate::domain::traeger::Ags;

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = submissions)]
struct SubmissionRow {
    id: String,
    obligation_id: String,
    agreement_id: String,
    traeger: String,
    year: i32,
    section: String,
    due: Option<chrono::NaiveDate>,
    recipients: String,
    status: String,
    current_revision: i32,
    accepted_revision: Option<i32>,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
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
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = submission_values)]
struct ValueRow {
    submission_id: String,
    revision: i32,
    position: i32,
    indicator_code: String,
    reporting_body: String,
    unit: String,
    value_int: Option<i64>,
    value_text: Option<String>,
    note: Option<String>,
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
const TOTAL: &str = "";

fn figure_columns(f: &Figure) -> (&'static str, Option<i64>, Option<String>) {
    match f {
        Figure::Count(n) => ("count", Some(*n), None),
        Figure::Eur(c) => ("eur", Some(*c), None),
        Figure::Text(t) => ("text", None, Some(t.clone())),
    }
}

/// A stored value in the unit it was stored with; None when the columns do not fit the unit.
pub(super) fn figure_from(
    unit: &str,
    value_int: Option<i64>,
    value_text: Option<String>,
) -> Option<Figure> {
    match (unit, value_int, value_text) {
        ("count", Some(n), _) => Some(Figure::Count(n)),
        ("eur", Some(c), _) => Some(Figure::Eur(c)),
        ("text", _, Some(t)) => Some(Figure::Text(t)),
        _ => None,
    }
}

fn figure_of(r: &ValueRow) -> QueryResult<Figure> {
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

fn assemble(conn: &mut DbConnection, rows: Vec<SubmissionRow>) -> QueryResult<Vec<Submission>> {
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let revisions: Vec<RevisionRow> = submission_revisions::table
        .filter(submission_revisions::submission_id.eq_any(&ids))
        .select(RevisionRow::as_select())
        .order((
            submission_revisions::submission_id,
            submission_revisions::revision,
        ))
        .load(conn)?;
    let values: Vec<ValueRow> = submission_values::table
        .filter(submission_values::submission_id.eq_any(&ids))
        .select(ValueRow::as_select())
        .order((
            submission_values::submission_id,
            submission_values::revision,
            submission_values::position,
        ))
        .load(conn)?;
    let receipts: Vec<ReceiptRow> = submission_receipts::table
        .filter(submission_receipts::submission_id.eq_any(&ids))
        .select(ReceiptRow::as_select())
        .order(submission_receipts::confirmed_at)
        .load(conn)?;
    let mut values_by: HashMap<(String, i32), Vec<ValueRow>> = HashMap::new();
    for v in values {
        values_by
            .entry((v.submission_id.clone(), v.revision))
            .or_default()
            .push(v);
    }
    let mut receipts_by: HashMap<(String, i32), Vec<Receipt>> = HashMap::new();
    for r in receipts {
        receipts_by
            .entry((r.submission_id.clone(), r.revision))
            .or_default()
            .push(Receipt {
                recipient: r.recipient.parse().map_err(corrupt)?,
                confirmed_by: r.confirmed_by,
                confirmed_at: r.confirmed_at,
            });
    }
    let mut revisions_by: HashMap<String, Vec<Revision>> = HashMap::new();
    for r in revisions {
        let key = (r.submission_id.clone(), r.revision);
        revisions_by
            .entry(r.submission_id.clone())
            .or_default()
            .push(Revision {
                number: r.revision,
                status: r.status.parse().map_err(corrupt)?,
                values: values_of(values_by.get(&key).map(Vec::as_slice).unwrap_or_default())?,
                created_by: r.created_by,
                created_at: r.created_at,
                submitted_by: r.submitted_by,
                submitted_at: r.submitted_at,
                days_late: r.days_late.map(i64::from),
                reviewed_by: r.reviewed_by,
                reviewed_at: r.reviewed_at,
                return_reason: r.return_reason,
                receipts: receipts_by.remove(&key).unwrap_or_default(),
            });
    }
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

/// The submission `id`, if `seen_by` may see it.
pub fn find(
    conn: &mut DbConnection,
    seen_by: &Visibility,
    id: &SubmissionId,
) -> QueryResult<Option<Submission>> {
    let rows = filtered(seen_by, &SubmissionFilter::default(), None)
        .filter(submissions::id.eq(id.as_str()))
        .select(SubmissionRow::as_select())
        .load(conn)?;
    Ok(assemble(conn, rows)?.pop())
}

/// Whether the obligation has a submission, whoever may see it: there is one per obligation.
pub fn exists(conn: &mut DbConnection, id: &SubmissionId) -> QueryResult<bool> {
    let n: i64 = submissions::table
        .filter(submissions::id.eq(id.as_str()))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// What `seen_by` may see of the submissions `f` asks for, after `after` in id order.
pub(super) fn filtered<'a>(
    seen_by: &'a Visibility,
    f: &'a SubmissionFilter,
    after: Option<&'a str>,
) -> submissions::BoxedQuery<'a, SqlBackend> {
    let mut q = submissions::table.into_boxed();
    if let Some(year) = f.year {
        q = q.filter(submissions::year.eq(year));
    }
    for ags in [f.traeger.as_ref(), seen_by.only()].into_iter().flatten() {
        q = q.filter(submissions::traeger.eq(ags.as_str()));
    }
    if let Some(status) = f.status {
        q = q.filter(submissions::status.eq(status.as_str()));
    }
    if let Some(section) = &f.section {
        q = q.filter(submissions::section.eq(section));
    }
    if let Some(after) = after {
        q = q.filter(submissions::id.gt(after));
    }
    q.order(submissions::id.asc())
}

/// The submissions of the given agreements that `seen_by` may see.
pub fn of_agreements(
    conn: &mut DbConnection,
    seen_by: &Visibility,
    ids: &[AgreementId],
) -> QueryResult<Vec<Submission>> {
    let ids: Vec<&str> = ids.iter().map(AgreementId::as_str).collect();
    let rows = filtered(seen_by, &SubmissionFilter::default(), None)
        .filter(submissions::agreement_id.eq_any(ids))
        .select(SubmissionRow::as_select())
        .load(conn)?;
    assemble(conn, rows)
}

/// One page in id order after `after`.
pub fn list(
    conn: &mut DbConnection,
    seen_by: &Visibility,
    f: &SubmissionFilter,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<Submission>> {
    let rows = filtered(seen_by, f, after)
        .select(SubmissionRow::as_select())
        .limit(limit)
        .load(conn)?;
    assemble(conn, rows)
}

fn header(s: &Submission) -> SubmissionRow {
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
fn write_revision(conn: &mut DbConnection, id: &SubmissionId, r: &Revision) -> QueryResult<()> {
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
        })
        .execute(conn)?;
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

pub fn insert(conn: &mut DbConnection, s: &Submission) -> QueryResult<()> {
    diesel::insert_into(submissions::table)
        .values(header(s))
        .execute(conn)?;
    for r in &s.revisions {
        write_revision(conn, &s.id, r)?;
    }
    Ok(())
}

/// Saves the header and the revisions numbered in `changed`, if the stored version is still
/// `expected_version`. Other revisions are never written again: they do not change.
pub fn save(
    conn: &mut DbConnection,
    s: &Submission,
    expected_version: i64,
    changed: &[i32],
) -> QueryResult<bool> {
    let row = header(s);
    let n = diesel::update(
        submissions::table
            .filter(submissions::id.eq(s.id.as_str()))
            .filter(submissions::version.eq(expected_version)),
    )
    .set((
        submissions::status.eq(&row.status),
        submissions::current_revision.eq(row.current_revision),
        submissions::accepted_revision.eq(row.accepted_revision),
        submissions::version.eq(row.version),
        submissions::updated_at.eq(row.updated_at),
    ))
    .execute(conn)?;
    if n != 1 {
        return Ok(false);
    }
    for r in s.revisions.iter().filter(|r| changed.contains(&r.number)) {
        write_revision(conn, &s.id, r)?;
    }
    Ok(true)
}

/// Holds the submission's row until the transaction ends (PostgreSQL; SQLite's write
/// transaction holds the whole database).
pub fn lock(conn: &mut DbConnection, id: &SubmissionId) -> QueryResult<()> {
    super::pool::lock_row(conn, "submissions", "id", id.as_str())
}

/// The accepted figures (not their breakdowns) a Träger delivered for `year`.
pub fn accepted_figures(
    conn: &mut DbConnection,
    traeger: &Ags,
    year: i32,
) -> QueryResult<HashMap<IndicatorCode, Figure>> {
    let accepted: Vec<(String, Option<i32>)> = submissions::table
        .filter(submissions::traeger.eq(traeger.as_str()))
        .filter(submissions::year.eq(year))
        .filter(submissions::accepted_revision.is_not_null())
        .select((submissions::id, submissions::accepted_revision))
        .load(conn)?;
    let mut out = HashMap::new();
    for (id, revision) in accepted {
        let rows: Vec<ValueRow> = submission_values::table
            .filter(submission_values::submission_id.eq(&id))
            .filter(submission_values::revision.eq(revision.unwrap_or_default()))
            .filter(submission_values::reporting_body.eq(TOTAL))
            .select(ValueRow::as_select())
            .load(conn)?;
        for r in &rows {
            out.insert(
                IndicatorCode::parse(&r.indicator_code).map_err(corrupt)?,
                figure_of(r)?,
            );
        }
    }
    Ok(out)
}

/// Whether any value was ever reported for `code` in a year of `years`.
pub fn reported(
    conn: &mut DbConnection,
    code: &IndicatorCode,
    years: std::ops::Range<i32>,
) -> QueryResult<bool> {
    let in_years = submissions::table
        .filter(submissions::year.ge(years.start))
        .filter(submissions::year.lt(years.end))
        .select(submissions::id);
    let n: i64 = submission_values::table
        .filter(submission_values::indicator_code.eq(code.as_str()))
        .filter(submission_values::submission_id.eq_any(in_years))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}
