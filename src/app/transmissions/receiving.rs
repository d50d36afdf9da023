//! HMSI records what BA delivered.

use serde::{Deserialize, Serialize};

use super::{commit, for_change};
use crate::app::{AppError, Mode, Services};
use crate::domain::Violation;
use crate::domain::actor::{Actor, Visibility};
use crate::domain::ids::TransmissionId;
use crate::domain::traeger::TraegerFilter;
use crate::domain::transmission::{
    DataRow, ImportSummary, Known, RawRow, Served, Transmission, summarize, validate_rows,
};
use crate::store::{DbConnection, traeger};

/// The transmission after an import, and what the import did.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Import {
    pub transmission: Transmission,
    pub summary: ImportSummary,
    pub dry_run: bool,
}

/// The rows checked against the transmission and the registry. `broken` are the lines of the
/// upload that were no rows at all: they come first, then every row's errors.
fn checked_rows(
    conn: &mut DbConnection,
    visibility: &Visibility,
    (served, year): (&[Served], i32),
    raw: &[RawRow],
    broken: Vec<Violation>,
) -> Result<Vec<DataRow>, AppError> {
    let everyone = TraegerFilter::default();
    let mut known = Known::default();
    for t in traeger::list(conn, visibility, &everyone, None, i64::MAX)? {
        known
            .jobcenters
            .insert(t.content.jobcenter.id.clone(), t.ags.clone());
        known.traeger.insert(t.ags);
    }
    match validate_rows(raw, served, &known, year) {
        Ok(rows) if broken.is_empty() => Ok(rows),
        Ok(_) => Err(AppError::Invalid(broken)),
        Err(errors) => Err(AppError::Invalid(
            broken.into_iter().chain(errors).collect(),
        )),
    }
}

/// What an upload of BA's data holds: its rows, the lines that were none, the reason BA gave
/// for delivering again, and the version of the transmission the upload is meant for.
pub struct Upload {
    pub rows: Vec<RawRow>,
    pub broken: Vec<Violation>,
    pub reason: Option<String>,
    pub expected_version: Option<i64>,
}

/// Stores what BA delivered (or, on a dry run, shows what it would do). Before forwarding, new
/// data replaces the current version; after forwarding it is a new version, which needs a
/// reason and is forwarded again.
pub async fn receive(
    services: &Services,
    actor: Actor,
    visibility: Visibility,
    id: TransmissionId,
    upload: Upload,
    mode: Mode,
) -> Result<Import, AppError> {
    let clock = services.clock();
    services
        .db()
        .run(move |conn| {
            mode.transaction(conn, |conn| {
                let before = for_change(conn, &visibility, &id, upload.expected_version, mode)?;
                let rows = checked_rows(
                    conn,
                    &visibility,
                    (&before.indicators, before.year),
                    &upload.rows,
                    upload.broken,
                )?;
                let previous = before
                    .current()
                    .map(|v| v.rows.as_slice())
                    .unwrap_or_default();
                let summary = summarize(previous, &rows);
                let stamp = clock.stamp(&actor);
                let t = before.receive(rows, upload.reason, &stamp)?;
                if mode == Mode::Write {
                    commit(conn, &actor, &before, &t, stamp.at)?;
                }
                Ok(Import {
                    transmission: t.state,
                    summary,
                    dry_run: mode == Mode::DryRun,
                })
            })
        })
        .await
}
