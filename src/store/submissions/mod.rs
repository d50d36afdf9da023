//! Submissions with their revisions, values and receipts.

mod rows;

use std::collections::HashMap;

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use super::schema::{submission_receipts, submission_revisions, submission_values, submissions};
use super::{DbConnection, SqlBackend, corrupt};
use crate::domain::actor::Visibility;
use crate::domain::agreement::Recipient;
use crate::domain::figure::Figure;
use crate::domain::ids::{AgreementId, ObligationId, SubmissionId};
use crate::domain::indicator::IndicatorCode;
use crate::domain::submission::{RevisionStatus, Submission, SubmissionFilter};
use crate::domain::traeger::Ags;

pub(super) use rows::figure_from;
use rows::{
    Parts, SubmissionRow, TOTAL, ValueRow, assemble, assemble_parts, figure_of, header,
    write_revision,
};

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
    match (seen_by.as_recipient(), f.status) {
        (None, Some(status)) => q = q.filter(submissions::status.eq(status.as_str())),
        (None, None) => {}
        (Some(recipient), status) => q = as_recipient(q, recipient, status),
    }
    if let Some(section) = &f.section {
        q = q.filter(submissions::section.eq(section));
    }
    if let Some(after) = after {
        q = q.filter(submissions::id.gt(after));
    }
    q.order(submissions::id.asc())
}

/// What a recipient reading as such may see (`Submission::seen_by` in SQL): the submissions
/// addressed to it with a revision that went out, and with `status`, those whose newest such
/// revision has it. A draft is only ever the newest revision and every revision before it went
/// out, so a submission went out unless all it has is a first draft, and when its newest
/// revision is a draft, the one before is the newest that went out.
fn as_recipient<'a>(
    q: submissions::BoxedQuery<'a, SqlBackend>,
    recipient: Recipient,
    status: Option<RevisionStatus>,
) -> submissions::BoxedQuery<'a, SqlBackend> {
    let q = q
        .filter(submissions::recipients.like(format!("%{}%", recipient.as_str())))
        .filter(
            submissions::status
                .ne(RevisionStatus::Draft.as_str())
                .or(submissions::current_revision.gt(1)),
        );
    match status {
        None => q,
        Some(RevisionStatus::Draft) => q.filter(submissions::id.ne(submissions::id)),
        Some(status) => q.filter(
            submissions::status
                .eq(status.as_str())
                .or(submissions::status.eq(RevisionStatus::Draft.as_str()).and(
                    sql::<Bool>(
                        "EXISTS (SELECT 1 FROM submission_revisions r \
                         WHERE r.submission_id = submissions.id \
                         AND r.revision = submissions.current_revision - 1 AND r.status = ",
                    )
                    .bind::<Text, _>(status.as_str())
                    .sql(")"),
                )),
        ),
    }
}

/// The submissions of the given agreements that `seen_by` may see, for their standing: each
/// revision's status, dates and receipts, never its values (see `rows::Parts::Standing`).
pub fn standing_of_agreements(
    conn: &mut DbConnection,
    seen_by: &Visibility,
    ids: &[AgreementId],
) -> QueryResult<Vec<Submission>> {
    let ids: Vec<&str> = ids.iter().map(AgreementId::as_str).collect();
    let rows = filtered(seen_by, &SubmissionFilter::default(), None)
        .filter(submissions::agreement_id.eq_any(ids))
        .select(SubmissionRow::as_select())
        .load(conn)?;
    assemble_parts(conn, rows, Parts::Standing)
}

/// The submissions for the given obligations, for their standing as the Träger sees it: each
/// revision's status, dates and receipts, never its values.
pub fn standing_of_obligations(
    conn: &mut DbConnection,
    ids: &[ObligationId],
) -> QueryResult<Vec<Submission>> {
    let ids: Vec<&str> = ids.iter().map(ObligationId::as_str).collect();
    let rows = submissions::table
        .filter(submissions::obligation_id.eq_any(ids))
        .select(SubmissionRow::as_select())
        .load(conn)?;
    assemble_parts(conn, rows, Parts::Standing)
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

/// Removes the rows of revision `n`: its values, receipts and the revision itself.
fn delete_revision(conn: &mut DbConnection, id: &SubmissionId, n: i32) -> QueryResult<()> {
    diesel::delete(
        submission_values::table
            .filter(submission_values::submission_id.eq(id.as_str()))
            .filter(submission_values::revision.eq(n)),
    )
    .execute(conn)?;
    diesel::delete(
        submission_receipts::table
            .filter(submission_receipts::submission_id.eq(id.as_str()))
            .filter(submission_receipts::revision.eq(n)),
    )
    .execute(conn)?;
    diesel::delete(
        submission_revisions::table
            .filter(submission_revisions::submission_id.eq(id.as_str()))
            .filter(submission_revisions::revision.eq(n)),
    )
    .execute(conn)?;
    Ok(())
}

/// Saves `s` after its draft revision `discarded` was thrown away, if the stored version is
/// still `expected_version`.
pub fn discard_revision(
    conn: &mut DbConnection,
    s: &Submission,
    expected_version: i64,
    discarded: i32,
) -> QueryResult<bool> {
    if !save(conn, s, expected_version, &[])? {
        return Ok(false);
    }
    delete_revision(conn, &s.id, discarded)?;
    Ok(true)
}

/// Removes a submission that never went out: its one draft revision and the header.
pub fn delete(conn: &mut DbConnection, s: &Submission) -> QueryResult<()> {
    for r in &s.revisions {
        delete_revision(conn, &s.id, r.number)?;
    }
    diesel::delete(submissions::table.find(s.id.as_str())).execute(conn)?;
    Ok(())
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
