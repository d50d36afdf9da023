//! The facts export: every value in long format, read batch by batch so that memory does not
//! grow with the history.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;

use chrono::NaiveDateTime;

use super::indicators::catalogue;
use super::{AppError, Services};
use crate::domain::actor::Visibility;
use crate::domain::fact::{Fact, FactIndicator, FactOrigin, FactState, FactTraeger};
use crate::domain::ids::TransmissionId;
use crate::domain::indicator::{IndicatorCode, Source};
use crate::domain::submission::{RevisionStatus, SubmissionFilter};
use crate::domain::traeger::{Ags, TraegerFilter};
use crate::domain::transmission::{BaMarker, DataVersion, Transmission};
use crate::store::facts::{self, RevisionHead, SubmissionHead};
use crate::store::pool::{begin_snapshot, end_snapshot};
use crate::store::{DbConnection, HeldConnection, traeger, transmissions};

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

/// What facts share, made once per export: the Träger, and per year the indicators the
/// filter asks for (a code the filter excludes is absent, so its values are skipped).
#[derive(Default)]
struct Labels {
    traeger: HashMap<String, Arc<FactTraeger>>,
    indicators: HashMap<i32, HashMap<String, Arc<FactIndicator>>>,
}

impl Labels {
    fn traeger(&mut self, ags: &str) -> Arc<FactTraeger> {
        self.traeger
            .entry(ags.to_owned())
            .or_insert_with(|| {
                Arc::new(FactTraeger {
                    ags: ags.to_owned(),
                    name: String::new(),
                })
            })
            .clone()
    }

    fn indicator(
        &mut self,
        conn: &mut DbConnection,
        filter: &FactFilter,
        year: i32,
        code: &str,
    ) -> Result<Option<Arc<FactIndicator>>, AppError> {
        if let Entry::Vacant(slot) = self.indicators.entry(year) {
            let wanted = catalogue(conn, year)?
                .into_values()
                .filter(|i| filter.indicator.as_ref().is_none_or(|c| c == &i.code))
                .filter(|i| {
                    let section = &i.definition.section;
                    filter.section.as_ref().is_none_or(|s| s == section)
                })
                .map(|i| (i.code.to_string(), Arc::new(FactIndicator::of(&i, year))))
                .collect();
            slot.insert(wanted);
        }
        Ok(self.indicators[&year].get(code).cloned())
    }
}

/// An export under way: each call of [`Export::next_batch`] reads one batch. All batches read
/// one snapshot of the database, taken when the export starts, so an export that runs for
/// minutes is still consistent: a change committed meanwhile is either wholly in it or not
/// at all (it is in the change feed either way). The export holds one connection until done.
pub struct Export {
    conn: HeldConnection,
    /// The snapshot is still open.
    open: bool,
    visibility: Visibility,
    filter: FactFilter,
    phase: Phase,
    labels: Labels,
    /// Submissions per batch, adapted to the values they hold (see [`BATCH_ROWS`]).
    submissions_per_batch: i64,
}

/// The valid revision of a submission: the accepted one, else a submitted one under review;
/// as of an instant, the one accepted last before it. A superseded revision was accepted
/// once, so it counts for the time until its successor was accepted.
fn valid_revision(s: &SubmissionHead, as_of: Option<NaiveDateTime>) -> Option<&RevisionHead> {
    match as_of {
        Some(t) => s
            .revisions
            .iter()
            .filter(|r| {
                matches!(
                    r.status,
                    RevisionStatus::Accepted | RevisionStatus::Superseded
                )
            })
            .filter(|r| r.reviewed_at.is_some_and(|at| at <= t))
            .max_by_key(|r| r.reviewed_at),
        None => s
            .revisions
            .iter()
            .rev()
            .find(|r| r.status == RevisionStatus::Accepted)
            .or_else(|| {
                s.revisions
                    .last()
                    .filter(|r| r.status == RevisionStatus::Submitted)
            }),
    }
}

fn origin_of(s: &SubmissionHead, r: &RevisionHead) -> FactOrigin {
    let state = if r.status == RevisionStatus::Submitted {
        FactState::Submitted
    } else {
        FactState::Accepted
    };
    let changed_at = r.reviewed_at.or(r.submitted_at).unwrap_or(s.updated_at);
    FactOrigin::new(
        s.year,
        Source::Traeger,
        s.id.clone(),
        r.number,
        state,
        r.late,
        changed_at,
    )
}

/// One batch of submissions: their heads, then the values of each one's valid revision.
/// Returns the facts, the number of values read and the last submission if more may follow.
fn submission_batch(
    conn: &mut DbConnection,
    labels: &mut Labels,
    visibility: &Visibility,
    filter: &FactFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<(Vec<Fact>, usize, Option<String>), AppError> {
    let scope = SubmissionFilter {
        year: filter.year,
        traeger: filter.traeger.clone(),
        section: filter.section.clone(),
        status: None,
    };
    let heads = facts::submission_heads(conn, visibility, &scope, after, limit)?;
    let mut origins = HashMap::new();
    let mut pairs = Vec::new();
    for h in &heads {
        if let Some(r) = valid_revision(h, filter.as_of) {
            let origin = Arc::new(origin_of(h, r));
            if filter.state.is_some_and(|s| s != origin.state) {
                continue;
            }
            origins.insert(h.id.as_str(), (origin, labels.traeger(&h.traeger)));
            pairs.push((h.id.as_str(), r.number));
        }
    }
    let code = filter.indicator.as_ref().map(|c| c.as_str());
    let values = facts::values(conn, &pairs, code)?;
    let read = values.len();
    let mut out = Vec::with_capacity(read);
    for v in values {
        let Some((origin, traeger)) = origins.get(v.submission_id.as_str()) else {
            continue;
        };
        let Some(indicator) = labels.indicator(conn, filter, origin.year, &v.indicator_code)?
        else {
            continue;
        };
        out.push(Fact {
            origin: origin.clone(),
            traeger: traeger.clone(),
            indicator,
            reporting_body: v.reporting_body,
            value: Some(v.figure),
            marker: None,
            provisional: false,
        });
    }
    let more = heads.len() as i64 == limit;
    let last = heads.last().filter(|_| more).map(|h| h.id.clone());
    Ok((out, read, last))
}

/// The newest version; as of an instant, the newest one received by then (for a Träger, whose
/// versions are the forwarded ones, forwarded by then).
fn facts_of_transmission(
    conn: &mut DbConnection,
    labels: &mut Labels,
    filter: &FactFilter,
    t: &Transmission,
    traeger_view: bool,
) -> Result<Vec<Fact>, AppError> {
    let known_by = |v: &DataVersion| {
        if traeger_view {
            v.forwarded_at
        } else {
            Some(v.received_at)
        }
    };
    let version = match filter.as_of {
        None => t.versions.last(),
        Some(at) => t
            .versions
            .iter()
            .rev()
            .find(|v| known_by(v).is_some_and(|k| k <= at)),
    };
    let Some(version) = version else {
        return Ok(Vec::new());
    };
    let forwarded = version
        .forwarded_at
        .is_some_and(|f| filter.as_of.is_none_or(|at| f <= at));
    let state = if forwarded {
        FactState::Forwarded
    } else {
        FactState::Received
    };
    if filter.state.is_some_and(|s| s != state) {
        return Ok(Vec::new());
    }
    let origin = Arc::new(FactOrigin::new(
        t.year,
        Source::Ba,
        t.id.to_string(),
        version.number,
        state,
        false,
        version.forwarded_at.unwrap_or(version.received_at),
    ));
    let mut out = Vec::new();
    for r in &version.rows {
        if filter.traeger.as_ref().is_some_and(|a| a != &r.traeger)
            || filter.status.is_some_and(|m| r.marker != Some(m))
        {
            continue;
        }
        let Some(indicator) = labels.indicator(conn, filter, t.year, r.indicator.as_str())? else {
            continue;
        };
        out.push(Fact {
            origin: origin.clone(),
            traeger: labels.traeger(r.traeger.as_str()),
            indicator,
            reporting_body: None,
            value: r.value.clone(),
            marker: r.marker,
            provisional: r.provisional,
        });
    }
    Ok(out)
}

impl Export {
    pub async fn start(
        services: &Services,
        visibility: Visibility,
        filter: FactFilter,
    ) -> Result<Self, AppError> {
        let mut conn = services.db().hold().await?;
        let seen_by = visibility.clone();
        let traeger = conn
            .run(move |conn| {
                begin_snapshot(conn)?;
                let everyone = TraegerFilter::default();
                Ok::<_, AppError>(
                    traeger::list(conn, &seen_by, &everyone, None, i64::MAX)?
                        .into_iter()
                        .map(|t| {
                            let ags = t.ags.to_string();
                            let label = FactTraeger {
                                ags: ags.clone(),
                                name: t.content.name,
                            };
                            (ags, Arc::new(label))
                        })
                        .collect(),
                )
            })
            .await?;
        let mut export = Export {
            conn,
            open: true,
            visibility,
            phase: Phase::Submissions { after: None },
            filter,
            labels: Labels {
                traeger,
                indicators: HashMap::new(),
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
                    transmissions::list(conn, &visibility, year, false)?
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
            Phase::Submissions { after } => {
                // The labels travel into the blocking task and back with each batch.
                let mut labels = std::mem::take(&mut self.labels);
                let filter = self.filter.clone();
                let visibility = self.visibility.clone();
                let limit = self.submissions_per_batch;
                let (facts, read, last, labels) = self
                    .conn
                    .run(move |conn| {
                        let (facts, read, last) = submission_batch(
                            conn,
                            &mut labels,
                            &visibility,
                            &filter,
                            after.as_deref(),
                            limit,
                        )?;
                        Ok::<_, AppError>((facts, read, last, labels))
                    })
                    .await?;
                self.labels = labels;
                // Aim at BATCH_ROWS values; grow at most twofold, so one batch of large
                // submissions after many small ones stays bounded.
                let aimed = match read {
                    0 => limit * 2,
                    n => (limit * BATCH_ROWS as i64 / n as i64).min(limit * 2),
                };
                self.submissions_per_batch = aimed.clamp(1, MAX_SUBMISSIONS);
                self.phase = match last {
                    Some(after) => Phase::Submissions { after: Some(after) },
                    None => self.transmission_phase().await?,
                };
                Ok(Some(facts))
            }
            Phase::Transmissions { mut ids } => {
                let Some(id) = ids.pop() else {
                    return self.finish().await;
                };
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
                        let facts =
                            facts_of_transmission(conn, &mut labels, &filter, &t, traeger_view)?;
                        Ok::<_, AppError>((facts, labels))
                    })
                    .await?;
                self.labels = labels;
                self.phase = Phase::Transmissions { ids };
                Ok(Some(facts))
            }
        }
    }
}
