//! Reads for the facts export: the heads of submissions (their revisions' states and dates,
//! no values) and the values of chosen revisions, so that an export never assembles whole
//! submissions with every revision it does not need.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{submission_revisions, submission_values, submissions};
use super::submissions::{figure_from, filtered};
use super::{DbConnection, corrupt};
use crate::domain::actor::Visibility;
use crate::domain::figure::Figure;
use crate::domain::submission::{RevisionStatus, SubmissionFilter};

#[derive(Debug, Clone)]
pub struct RevisionHead {
    pub number: i32,
    pub status: RevisionStatus,
    pub submitted_at: Option<NaiveDateTime>,
    pub reviewed_at: Option<NaiveDateTime>,
    pub late: bool,
}

#[derive(Debug, Clone)]
pub struct SubmissionHead {
    pub id: String,
    pub traeger: String,
    pub year: i32,
    pub updated_at: NaiveDateTime,
    /// In revision order.
    pub revisions: Vec<RevisionHead>,
}

/// One stored value of a chosen revision; `reporting_body` is None for the figure itself.
#[derive(Debug)]
pub struct StoredValue {
    pub submission_id: String,
    pub revision: i32,
    pub indicator_code: String,
    pub reporting_body: Option<String>,
    pub figure: Figure,
}

/// Up to `limit` submissions `seen_by` may see after `after` in id order, with their
/// revisions.
pub fn submission_heads(
    conn: &mut DbConnection,
    seen_by: &Visibility,
    f: &SubmissionFilter,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<SubmissionHead>> {
    let rows: Vec<(String, String, i32, NaiveDateTime)> = filtered(seen_by, f, after)
        .select((
            submissions::id,
            submissions::traeger,
            submissions::year,
            submissions::updated_at,
        ))
        .limit(limit)
        .load(conn)?;
    let ids: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    type Row = (
        String,
        i32,
        String,
        Option<NaiveDateTime>,
        Option<NaiveDateTime>,
        Option<i32>,
    );
    let revisions: Vec<Row> = submission_revisions::table
        .filter(submission_revisions::submission_id.eq_any(&ids))
        .select((
            submission_revisions::submission_id,
            submission_revisions::revision,
            submission_revisions::status,
            submission_revisions::submitted_at,
            submission_revisions::reviewed_at,
            submission_revisions::days_late,
        ))
        .order((
            submission_revisions::submission_id,
            submission_revisions::revision,
        ))
        .load(conn)?;
    let mut by_id: HashMap<String, Vec<RevisionHead>> = HashMap::new();
    for (id, number, status, submitted_at, reviewed_at, days_late) in revisions {
        by_id.entry(id).or_default().push(RevisionHead {
            number,
            status: status.parse().map_err(corrupt)?,
            submitted_at,
            reviewed_at,
            late: days_late.is_some(),
        });
    }
    Ok(rows
        .into_iter()
        .map(|(id, traeger, year, updated_at)| SubmissionHead {
            revisions: by_id.remove(&id).unwrap_or_default(),
            id,
            traeger,
            year,
            updated_at,
        })
        .collect())
}

/// The values of the given (submission, revision) pairs, in submission and storage order,
/// optionally of one indicator only.
pub fn values(
    conn: &mut DbConnection,
    picks: &[(&str, i32)],
    indicator: Option<&str>,
) -> QueryResult<Vec<StoredValue>> {
    if picks.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<&str> = picks.iter().map(|p| p.0).collect();
    let mut numbers: Vec<i32> = picks.iter().map(|p| p.1).collect();
    numbers.sort_unstable();
    numbers.dedup();
    // Both lists narrow by the primary key's prefix; the exact pairs are checked below, so a
    // revision number that only another submission asked for is read and dropped, never shown.
    let mut q = submission_values::table
        .filter(submission_values::submission_id.eq_any(&ids))
        .filter(submission_values::revision.eq_any(&numbers))
        .select((
            submission_values::submission_id,
            submission_values::revision,
            submission_values::indicator_code,
            submission_values::reporting_body,
            submission_values::unit,
            submission_values::value_int,
            submission_values::value_text,
        ))
        .order((
            submission_values::submission_id,
            submission_values::revision,
            submission_values::position,
        ))
        .into_boxed();
    if let Some(code) = indicator {
        q = q.filter(submission_values::indicator_code.eq(code));
    }
    type Row = (
        String,
        i32,
        String,
        String,
        String,
        Option<i64>,
        Option<String>,
    );
    let rows: Vec<Row> = q.load(conn)?;
    let wanted: HashMap<&str, i32> = picks.iter().copied().collect();
    rows.into_iter()
        .filter(|r| wanted.get(r.0.as_str()) == Some(&r.1))
        .map(|(id, revision, code, body, unit, int, text)| {
            let figure = figure_from(&unit, int, text)
                .ok_or_else(|| corrupt(format!("value of {code} in {id}")))?;
            Ok(StoredValue {
                submission_id: id,
                revision,
                indicator_code: code,
                reporting_body: (!body.is_empty()).then_some(body),
                figure,
            })
        })
        .collect()
}
