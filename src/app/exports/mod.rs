//! The facts export: every value in long format, read batch by batch so that memory does not
//! grow with the history.

mod reading;

use std::sync::Arc;

use chrono::NaiveDateTime;

use super::{AppError, Services};
use crate::domain::actor::Visibility;
use crate::domain::fact::{Fact, FactState, FactTraeger};
use crate::domain::ids::TransmissionId;
use crate::domain::indicator::{IndicatorCode, Source};
use crate::domain::traeger::{Ags, TraegerFilter};
use crate::domain::transmission::BaMarker;
use crate::store::pool::{begin_snapshot, end_snapshot, export_snapshot, join_snapshot};
use crate::store::{HeldConnection, traeger, transmissions};
use reading::{
    Labels, SubmissionBatch, facts_of_transmission, submission_facts, submission_heads, values_of,
};

/// Values per batch the export aims at: enough that the two queries of a batch cost little
/// beside its rows, few enough that a batch takes well under a MiB.
const BATCH_ROWS: usize = 4096;
/// Submissions per batch at most; the number adapts to how many values they hold.
const MAX_SUBMISSIONS: i64 = 1024;

#[derive(Debug, Clone, Default)]
pub struct FactFilter {
    pub year: Option<i32>,
    pub traeger: Option<Ags>,
    pub indicator: Option<IndicatorCode>,
    pub section: Option<String>,
    /// Only the Träger's or only BA's figures; both without it.
    pub source: Option<Source>,
    /// Only values in this state.
    pub state: Option<FactState>,
    /// Only the cells BA marked so (a Träger's own figures carry no mark).
    pub status: Option<BaMarker>,
    /// The values as they were valid at this instant (UTC): accepted revisions and the
    /// transmission versions received (a Träger: forwarded) by then.
    pub as_of: Option<NaiveDateTime>,
}

enum Phase {
    Submissions { after: Option<String> },
    Transmissions { ids: Vec<TransmissionId> },
    Done,
}

/// An export under way: each call of [`Export::next_batch`] reads one batch. All batches read
/// one snapshot of the database, taken when the export starts, so an export that runs for
/// minutes is still consistent: a change committed meanwhile is either wholly in it or not
/// at all (it is in the change feed either way). The export holds one connection until done,
/// and on PostgreSQL a helper on the same snapshot when the pool had one to spare.
pub struct Export {
    conn: HeldConnection,
    /// A second connection on the same snapshot, when the pool had one free at the start
    /// (PostgreSQL only): it reads half of each batch's values (`read_batch`).
    helper: Option<HeldConnection>,
    /// The snapshot is still open.
    open: bool,
    visibility: Visibility,
    filter: FactFilter,
    phase: Phase,
    labels: Labels,
    /// Submissions per batch, adapted to the values they hold (see [`BATCH_ROWS`]).
    submissions_per_batch: i64,
}

impl Export {
    pub async fn start(
        services: &Services,
        visibility: Visibility,
        filter: FactFilter,
    ) -> Result<Self, AppError> {
        let mut conn = services.db().hold().await?;
        let seen_by = visibility.clone();
        let (traeger, snapshot) = conn
            .run(move |conn| {
                begin_snapshot(conn)?;
                let everyone = TraegerFilter::default();
                let traeger = traeger::list(conn, &seen_by, &everyone, None, i64::MAX)?
                    .into_iter()
                    .map(|t| {
                        let ags = t.ags.to_string();
                        let label = FactTraeger {
                            ags: ags.clone(),
                            name: t.content.name,
                        };
                        (ags, Arc::new(label))
                    })
                    .collect();
                Ok::<_, AppError>((traeger, export_snapshot(conn)?))
            })
            .await?;
        let helper = match snapshot {
            Some(id) => helper_on(services, id).await,
            None => None,
        };
        let mut export = Export {
            conn,
            helper,
            open: true,
            visibility,
            phase: Phase::Submissions { after: None },
            filter,
            labels: Labels {
                traeger,
                indicators: Default::default(),
            },
            // One at first: a large submission must not make the first batch the largest.
            submissions_per_batch: 1,
        };
        if export.filter.source == Some(Source::Ba) || export.filter.status.is_some() {
            export.phase = export.transmission_phase().await?;
        }
        Ok(export)
    }

    async fn transmission_phase(&mut self) -> Result<Phase, AppError> {
        if self.filter.source == Some(Source::Traeger) {
            return Ok(Phase::Done);
        }
        let year = self.filter.year;
        let visibility = self.visibility.clone();
        let mut ids: Vec<TransmissionId> = self
            .conn
            .run(move |conn| {
                Ok::<_, AppError>(
                    transmissions::list(conn, &visibility, year, transmissions::Rows::None)?
                        .into_iter()
                        .map(|t| t.id)
                        .collect(),
                )
            })
            .await?;
        ids.reverse();
        Ok(Phase::Transmissions { ids })
    }

    /// Ends the snapshot once everything is read.
    async fn finish(&mut self) -> Result<Option<Vec<Fact>>, AppError> {
        if let Some(mut helper) = self.helper.take() {
            helper
                .run(|conn| end_snapshot(conn).map_err(AppError::from))
                .await?;
        }
        if std::mem::take(&mut self.open) {
            self.conn
                .run(|conn| end_snapshot(conn).map_err(AppError::from))
                .await?;
        }
        Ok(None)
    }

    /// The next batch of facts; None when the export is complete. A batch may be empty.
    pub async fn next_batch(&mut self) -> Result<Option<Vec<Fact>>, AppError> {
        match std::mem::replace(&mut self.phase, Phase::Done) {
            Phase::Done => self.finish().await,
            Phase::Submissions { after } => self.next_submissions(after).await.map(Some),
            Phase::Transmissions { mut ids } => match ids.pop() {
                None => self.finish().await,
                Some(id) => {
                    let facts = self.next_transmission(id).await?;
                    self.phase = Phase::Transmissions { ids };
                    Ok(Some(facts))
                }
            },
        }
    }

    /// The facts of the next submissions after `after`; then the next phase.
    async fn next_submissions(&mut self, after: Option<String>) -> Result<Vec<Fact>, AppError> {
        // The labels travel into the blocking task and back with each batch.
        let labels = std::mem::take(&mut self.labels);
        let limit = self.submissions_per_batch;
        let (batch, labels) = self.read_batch(labels, after, limit).await?;
        self.labels = labels;
        // Aim at BATCH_ROWS values; grow at most twofold, so one batch of large submissions
        // after many small ones stays bounded.
        let aimed = match batch.values_read {
            0 => limit * 2,
            n => (limit * BATCH_ROWS as i64 / n as i64).min(limit * 2),
        };
        self.submissions_per_batch = aimed.clamp(1, MAX_SUBMISSIONS);
        self.phase = match batch.last {
            Some(after) => Phase::Submissions { after: Some(after) },
            None => self.transmission_phase().await?,
        };
        Ok(batch.facts)
    }

    /// The batch of up to `limit` submissions after `after`: their heads, the values of the
    /// revision of each that counts, and the facts of those. With a helper the values are read
    /// in two halves at once, one on each connection of the snapshot: the database reads one
    /// half while the service takes in the rows of the other; one after the other they made
    /// most of a long export's time.
    async fn read_batch(
        &mut self,
        labels: Labels,
        after: Option<String>,
        limit: i64,
    ) -> Result<(SubmissionBatch, Labels), AppError> {
        let (filter, visibility) = (self.filter.clone(), self.visibility.clone());
        let (mut heads, labels) = self
            .conn
            .run(move |conn| {
                let mut labels = labels;
                let after = after.as_deref();
                let heads =
                    submission_heads(conn, &mut labels, &visibility, &filter, after, limit)?;
                Ok::<_, AppError>((heads, labels))
            })
            .await?;
        let mut first = std::mem::take(&mut heads.picks);
        let f1 = self.filter.clone();
        let values = match self.helper.as_mut() {
            None => {
                self.conn
                    .run(move |conn| values_of(conn, &f1, &first))
                    .await?
            }
            Some(helper) => {
                let second = first.split_off(first.len() / 2);
                let f2 = self.filter.clone();
                let (values, rest) = futures_util::future::join(
                    self.conn.run(move |conn| values_of(conn, &f1, &first)),
                    helper.run(move |conn| values_of(conn, &f2, &second)),
                )
                .await;
                let mut values = values?;
                values.extend(rest?);
                values
            }
        };
        let filter = self.filter.clone();
        self.conn
            .run(move |conn| {
                let mut labels = labels;
                let batch = submission_facts(conn, &mut labels, &filter, heads, values)?;
                Ok((batch, labels))
            })
            .await
    }

    /// The facts of one transmission, as the caller may see it.
    async fn next_transmission(&mut self, id: TransmissionId) -> Result<Vec<Fact>, AppError> {
        let mut labels = std::mem::take(&mut self.labels);
        let filter = self.filter.clone();
        let visibility = self.visibility.clone();
        let (facts, labels) = self
            .conn
            .run(move |conn| {
                // A Träger sees forwarded versions only, its own rows of what it receives.
                let Some(t) = transmissions::find(conn, &visibility, &id)? else {
                    return Ok((Vec::new(), labels));
                };
                let traeger_view = visibility.only().is_some();
                let facts = facts_of_transmission(conn, &mut labels, &filter, &t, traeger_view)?;
                Ok::<_, AppError>((facts, labels))
            })
            .await?;
        self.labels = labels;
        Ok(facts)
    }
}

/// A connection on the snapshot `id`, if the pool has one free now: an export never waits for
/// its helper, nor takes the last connection others wait for (it reads alone then).
async fn helper_on(services: &Services, id: String) -> Option<HeldConnection> {
    let mut helper = services.db().try_hold()?;
    let joined = helper
        .run(move |conn| join_snapshot(conn, &id).map_err(AppError::from))
        .await;
    match joined {
        Ok(()) => Some(helper),
        Err(e) => {
            tracing::warn!(error = %e, "an export reads alone: its helper cannot join the snapshot");
            None
        }
    }
}
