//! The facts export: every value in long format, read batch by batch so that memory does not
//! grow with the history.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::AppError;
use super::indicators::catalogue;
use crate::domain::actor::Visibility;
use crate::domain::fact::Fact;
use crate::domain::indicator::{Catalogue, IndicatorCode, Reference};
use crate::domain::submission::{Revision, RevisionStatus, Submission};
use crate::domain::traeger::Ags;
use crate::domain::transmission::{DataVersion, Transmission};
use crate::store::submissions::{self as submissions, SubmissionFilter};
use crate::store::{Db, DbConnection, traeger, transmissions};

/// Submissions read per batch. A submission holds from a handful to a few thousand values
/// (with breakdowns), so a small batch keeps memory flat; the round trips cost little.
const SUBMISSION_BATCH: i64 = 16;

#[derive(Debug, Clone, Default)]
pub struct FactFilter {
    pub year: Option<i32>,
    pub traeger: Option<Ags>,
    pub indicator: Option<IndicatorCode>,
    pub section: Option<String>,
    /// `traeger` or `ba`; both without it.
    pub source: Option<&'static str>,
    /// The values as they were valid at this instant (UTC): accepted revisions and the
    /// transmission versions received (a Träger: forwarded) by then.
    pub as_of: Option<NaiveDateTime>,
}

enum Phase {
    Submissions { after: Option<String> },
    Transmissions { ids: Vec<String> },
    Done,
}

/// An export under way: each call of [`Export::next_batch`] reads one batch.
pub struct Export {
    db: Db,
    visibility: Visibility,
    filter: FactFilter,
    phase: Phase,
    names: HashMap<Ags, String>,
}

fn reference_text(r: Reference, year: i32) -> String {
    match r {
        Reference::Stock { date } => date.in_year(year).to_string(),
        Reference::Flow { from, to } => format!("{}/{}", from.in_year(year), to.in_year(year)),
    }
}

struct Context<'a> {
    names: &'a HashMap<Ags, String>,
    catalogues: HashMap<i32, Catalogue>,
    filter: &'a FactFilter,
}

impl Context<'_> {
    fn catalogue(&mut self, conn: &mut DbConnection, year: i32) -> Result<&Catalogue, AppError> {
        if let std::collections::hash_map::Entry::Vacant(slot) = self.catalogues.entry(year) {
            slot.insert(catalogue(conn, year)?);
        }
        Ok(&self.catalogues[&year])
    }

    fn wanted(&self, code: &IndicatorCode, section: &str) -> bool {
        self.filter.indicator.as_ref().is_none_or(|i| i == code)
            && self.filter.section.as_deref().is_none_or(|s| s == section)
    }
}

/// The revision valid at `as_of`: the one accepted last before it. A superseded revision was
/// accepted once, so it counts for the time until its successor was accepted.
fn accepted_at(s: &Submission, as_of: NaiveDateTime) -> Option<&Revision> {
    s.revisions
        .iter()
        .filter(|r| {
            matches!(
                r.status,
                RevisionStatus::Accepted | RevisionStatus::Superseded
            )
        })
        .filter(|r| r.reviewed_at.is_some_and(|t| t <= as_of))
        .max_by_key(|r| r.reviewed_at)
}

/// The valid revision of a submission: the accepted one, else a submitted one under review;
/// as of an instant, the one accepted by then.
fn facts_of_submission(
    conn: &mut DbConnection,
    ctx: &mut Context,
    s: &Submission,
) -> Result<Vec<Fact>, AppError> {
    let revision = match (ctx.filter.as_of, s.accepted()) {
        (Some(t), _) => match accepted_at(s, t) {
            Some(r) => r,
            None => return Ok(Vec::new()),
        },
        (None, Some(r)) => r,
        (None, None) if s.current().status == RevisionStatus::Submitted => s.current(),
        (None, None) => return Ok(Vec::new()),
    };
    let state = if revision.status == RevisionStatus::Submitted {
        "submitted"
    } else {
        "accepted"
    };
    let changed_at = revision
        .reviewed_at
        .or(revision.submitted_at)
        .unwrap_or(s.updated_at);
    let name = ctx.names.get(&s.traeger).cloned().unwrap_or_default();
    let mut out = Vec::new();
    let year = s.year;
    let catalogue = ctx.catalogue(conn, year)?.clone();
    for e in &revision.values {
        let Some(ind) = catalogue.get(&e.indicator) else {
            continue;
        };
        if !ctx.wanted(&e.indicator, &ind.definition.section) {
            continue;
        }
        let base = Fact {
            year,
            traeger: s.traeger.to_string(),
            traeger_name: name.clone(),
            section: ind.definition.section.clone(),
            indicator: e.indicator.to_string(),
            unit: ind.definition.unit.as_str().to_owned(),
            reference: reference_text(ind.definition.reference, year),
            reporting_body: None,
            value: Some(e.value.clone()),
            marker: None,
            provisional: false,
            source: "traeger",
            origin: s.id.clone(),
            revision: revision.number,
            state,
            late: revision.days_late.is_some(),
            changed_at,
        };
        let parts: Vec<Fact> = e
            .breakdown
            .iter()
            .map(|b| Fact {
                reporting_body: Some(b.reporting_body.clone()),
                value: Some(b.value.clone()),
                ..base.clone()
            })
            .collect();
        out.push(base);
        out.extend(parts);
    }
    Ok(out)
}

/// The newest version; as of an instant, the newest one received by then (for a Träger, whose
/// versions are the forwarded ones, forwarded by then).
fn facts_of_transmission(
    conn: &mut DbConnection,
    ctx: &mut Context,
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
    let version = match ctx.filter.as_of {
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
        .is_some_and(|f| ctx.filter.as_of.is_none_or(|at| f <= at));
    let state = if forwarded { "forwarded" } else { "received" };
    let catalogue = ctx.catalogue(conn, t.year)?.clone();
    let mut out = Vec::new();
    for r in &version.rows {
        let Some(ind) = catalogue.get(&r.indicator) else {
            continue;
        };
        if !ctx.wanted(&r.indicator, &ind.definition.section)
            || ctx.filter.traeger.as_ref().is_some_and(|a| a != &r.traeger)
        {
            continue;
        }
        out.push(Fact {
            year: t.year,
            traeger: r.traeger.to_string(),
            traeger_name: ctx.names.get(&r.traeger).cloned().unwrap_or_default(),
            section: ind.definition.section.clone(),
            indicator: r.indicator.to_string(),
            unit: ind.definition.unit.as_str().to_owned(),
            reference: reference_text(ind.definition.reference, t.year),
            reporting_body: None,
            value: r.value.clone(),
            marker: r.marker,
            provisional: r.provisional,
            source: "ba",
            origin: t.id.clone(),
            revision: version.number,
            state,
            late: false,
            changed_at: version.forwarded_at.unwrap_or(version.received_at),
        });
    }
    Ok(out)
}

impl Export {
    pub async fn start(
        db: &Db,
        visibility: Visibility,
        filter: FactFilter,
    ) -> Result<Self, AppError> {
        let names = db
            .run(|conn| {
                Ok::<_, AppError>(
                    traeger::list(conn, &Default::default(), None, i64::MAX)?
                        .into_iter()
                        .map(|t| (t.ags, t.content.name))
                        .collect(),
                )
            })
            .await?;
        let phase = match filter.source {
            Some("ba") => Phase::Transmissions { ids: Vec::new() },
            _ => Phase::Submissions { after: None },
        };
        let mut export = Export {
            db: db.clone(),
            visibility,
            filter,
            phase,
            names,
        };
        if let Phase::Transmissions { .. } = export.phase {
            export.phase = export.transmission_phase().await?;
        }
        Ok(export)
    }

    async fn transmission_phase(&self) -> Result<Phase, AppError> {
        if self.filter.source == Some("traeger") {
            return Ok(Phase::Done);
        }
        let year = self.filter.year;
        let mut ids: Vec<String> = self
            .db
            .run(move |conn| {
                Ok::<_, AppError>(
                    transmissions::list(conn, year, false)?
                        .into_iter()
                        .map(|t| t.id)
                        .collect(),
                )
            })
            .await?;
        ids.reverse();
        Ok(Phase::Transmissions { ids })
    }

    /// The next batch of facts; None when the export is complete. A batch may be empty.
    pub async fn next_batch(&mut self) -> Result<Option<Vec<Fact>>, AppError> {
        match std::mem::replace(&mut self.phase, Phase::Done) {
            Phase::Done => Ok(None),
            Phase::Submissions { after } => {
                let filter = SubmissionFilter {
                    year: self.filter.year,
                    traeger: self.filter.traeger.clone(),
                    only: self.visibility.only().cloned(),
                    section: self.filter.section.clone(),
                    ..SubmissionFilter::default()
                };
                let names = self.names.clone();
                let export_filter = self.filter.clone();
                let (facts, last) = self
                    .db
                    .run(move |conn| {
                        let page =
                            submissions::list(conn, &filter, after.as_deref(), SUBMISSION_BATCH)?;
                        let mut ctx = Context {
                            names: &names,
                            catalogues: HashMap::new(),
                            filter: &export_filter,
                        };
                        let mut facts = Vec::new();
                        for s in &page {
                            facts.extend(facts_of_submission(conn, &mut ctx, s)?);
                        }
                        let last = (page.len() as i64 == SUBMISSION_BATCH)
                            .then(|| page.last().map(|s| s.id.clone()))
                            .flatten();
                        Ok::<_, AppError>((facts, last))
                    })
                    .await?;
                self.phase = match last {
                    Some(after) => Phase::Submissions { after: Some(after) },
                    None => self.transmission_phase().await?,
                };
                Ok(Some(facts))
            }
            Phase::Transmissions { mut ids } => {
                let Some(id) = ids.pop() else { return Ok(None) };
                let visibility = self.visibility.clone();
                let names = self.names.clone();
                let export_filter = self.filter.clone();
                let facts = self
                    .db
                    .run(move |conn| {
                        let Some(t) = transmissions::find(conn, &id)? else {
                            return Ok(Vec::new());
                        };
                        // A Träger sees forwarded versions only, its own rows of what it receives.
                        let t = match visibility.only() {
                            None => t,
                            Some(own) => match super::transmissions::redact(t, own) {
                                Some(t) => t,
                                None => return Ok(Vec::new()),
                            },
                        };
                        let mut ctx = Context {
                            names: &names,
                            catalogues: HashMap::new(),
                            filter: &export_filter,
                        };
                        facts_of_transmission(conn, &mut ctx, &t, visibility.only().is_some())
                    })
                    .await?;
                self.phase = Phase::Transmissions { ids };
                Ok(Some(facts))
            }
        }
    }
}
