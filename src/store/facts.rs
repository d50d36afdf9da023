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
use crate::domain::fact::{RevisionHead, SubmissionHead};
use crate::domain::figure::Figure;
use crate::domain::submission::SubmissionFilter;

/// One stored value of a chosen revision; `reporting_body` is None for the figure itself.
#[derive(Debug)]
pub struct StoredValue {
    pub submission_id: String,
    pub revision: i32,
    pub indicator_code: String,
    pub reporting_body: Option<String>,
    pub figure: Figure,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = submissions)]
struct HeadRow {
    id: String,
    traeger: String,
    year: i32,
    updated_at: NaiveDateTime,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = submission_revisions)]
struct RevisionHeadRow {
    submission_id: String,
    revision: i32,
    status: String,
    submitted_at: Option<NaiveDateTime>,
    reviewed_at: Option<NaiveDateTime>,
    days_late: Option<i32>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = submission_values)]
struct PickedValueRow {
    submission_id: String,
    revision: i32,
    indicator_code: String,
    reporting_body: String,
    unit: String,
    value_int: Option<i64>,
    value_text: Option<String>,
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
    let heads: Vec<HeadRow> = filtered(seen_by, f, after)
        .select(HeadRow::as_select())
        .limit(limit)
        .load(conn)?;
    let ids: Vec<&str> = heads.iter().map(|h| h.id.as_str()).collect();
    let revisions: Vec<RevisionHeadRow> = submission_revisions::table
        .filter(submission_revisions::submission_id.eq_any(&ids))
        .select(RevisionHeadRow::as_select())
        .order((
            submission_revisions::submission_id,
            submission_revisions::revision,
        ))
        .load(conn)?;
    let mut by_id: HashMap<String, Vec<RevisionHead>> = HashMap::new();
    for r in revisions {
        by_id
            .entry(r.submission_id)
            .or_default()
            .push(RevisionHead {
                number: r.revision,
                status: r.status.parse().map_err(corrupt)?,
                submitted_at: r.submitted_at,
                reviewed_at: r.reviewed_at,
                late: r.days_late.is_some(),
            });
    }
    Ok(heads
        .into_iter()
        .map(|h| SubmissionHead {
            revisions: by_id.remove(&h.id).unwrap_or_default(),
            id: h.id,
            traeger: h.traeger,
            year: h.year,
            updated_at: h.updated_at,
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
        .select(PickedValueRow::as_select())
        .order((
            submission_values::submission_id,
            submission_values::revision,
            submission_values::position,
        ))
        .into_boxed();
    if let Some(code) = indicator {
        q = q.filter(submission_values::indicator_code.eq(code));
    }
    let rows: Vec<PickedValueRow> = q.load(conn)?;
    let wanted: rustc_hash::FxHashMap<&str, i32> = picks.iter().copied().collect();
    rows.into_iter()
        .filter(|r| wanted.get(r.submission_id.as_str()) == Some(&r.revision))
        .map(|r| {
            let figure = figure_from(&r.unit, r.value_int, r.value_text).ok_or_else(|| {
                corrupt(format!(
                    "value of {} in {}",
                    r.indicator_code, r.submission_id
                ))
            })?;
            Ok(StoredValue {
                submission_id: r.submission_id,
                revision: r.revision,
                indicator_code: r.indicator_code,
                reporting_body: (!r.reporting_body.is_empty()).then_some(r.reporting_body),
                figure,
            })
        })
        .collect()
}
