//! Reading an export's batches: the facts of submissions and of transmissions, and the labels
//! they share.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::FactFilter;
use crate::app::AppError;
use crate::app::indicators::catalogue;
use crate::domain::actor::Visibility;
use crate::domain::fact::{Fact, FactIndicator, FactOrigin, FactTraeger};
use crate::domain::submission::SubmissionFilter;
use crate::domain::transmission::Transmission;
use crate::store::DbConnection;
use crate::store::facts::{self, StoredValue};

/// What facts share, made once per export: the Träger, and per year the indicators the
/// filter asks for (a code the filter excludes is absent, so its values are skipped).
#[derive(Default)]
pub(super) struct Labels {
    pub traeger: HashMap<String, Arc<FactTraeger>>,
    /// Asked once per value: a fast hash for short keys of our own.
    pub indicators: FxHashMap<i32, FxHashMap<String, Arc<FactIndicator>>>,
}

impl Labels {
    pub fn traeger(&mut self, ags: &str) -> Arc<FactTraeger> {
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

    pub fn indicator(
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

/// A batch of submissions' facts.
pub(super) struct SubmissionBatch {
    pub facts: Vec<Fact>,
    /// Values read, including those the filter then left out: what the batch cost.
    pub values_read: usize,
    /// The last submission read, when more may follow.
    pub last: Option<String>,
}

/// A batch's submissions: which revision of each counts, and what its facts share.
pub(super) struct Heads {
    origins: FxHashMap<String, (Arc<FactOrigin>, Arc<FactTraeger>)>,
    /// (submission, revision) of the values to read, in submission order.
    pub picks: Vec<(String, i32)>,
    /// The last submission read, when more may follow.
    last: Option<String>,
}

/// The heads of up to `limit` submissions after `after`, and the revision of each that counts.
pub(super) fn submission_heads(
    conn: &mut DbConnection,
    labels: &mut Labels,
    visibility: &Visibility,
    filter: &FactFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Heads, AppError> {
    let scope = SubmissionFilter {
        year: filter.year,
        traeger: filter.traeger.clone(),
        section: filter.section.clone(),
        status: None,
    };
    let heads = facts::submission_heads(conn, visibility, &scope, after, limit)?;
    let mut origins = FxHashMap::default();
    let mut picks = Vec::new();
    for h in &heads {
        if let Some(r) = h.valid_revision(filter.as_of) {
            let origin = Arc::new(h.origin(r));
            if filter.state.is_some_and(|s| s != origin.state) {
                continue;
            }
            origins.insert(h.id.clone(), (origin, labels.traeger(&h.traeger)));
            picks.push((h.id.clone(), r.number));
        }
    }
    let more = heads.len() as i64 == limit;
    Ok(Heads {
        origins,
        picks,
        last: heads.last().filter(|_| more).map(|h| h.id.clone()),
    })
}

/// The stored values of `picks` (see `facts::values`), of the filter's indicator only if it
/// names one.
pub(super) fn values_of(
    conn: &mut DbConnection,
    filter: &FactFilter,
    picks: &[(String, i32)],
) -> Result<Vec<StoredValue>, AppError> {
    let picks: Vec<(&str, i32)> = picks.iter().map(|(id, r)| (id.as_str(), *r)).collect();
    let code = filter.indicator.as_ref().map(|c| c.as_str());
    Ok(facts::values(conn, &picks, code)?)
}

/// The batch of `heads` from the values read of them, in their order.
pub(super) fn submission_facts(
    conn: &mut DbConnection,
    labels: &mut Labels,
    filter: &FactFilter,
    heads: Heads,
    values: Vec<StoredValue>,
) -> Result<SubmissionBatch, AppError> {
    let read = values.len();
    let mut out = Vec::with_capacity(read);
    for v in values {
        let Some((origin, traeger)) = heads.origins.get(v.submission_id.as_str()) else {
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
            month: None,
        });
    }
    Ok(SubmissionBatch {
        facts: out,
        values_read: read,
        last: heads.last,
    })
}

/// The facts of a transmission's version that counts (see [`Transmission::fact_version`]).
pub(super) fn facts_of_transmission(
    conn: &mut DbConnection,
    labels: &mut Labels,
    filter: &FactFilter,
    t: &Transmission,
    traeger_view: bool,
) -> Result<Vec<Fact>, AppError> {
    let Some((version, state)) = t.fact_version(filter.as_of, traeger_view) else {
        return Ok(Vec::new());
    };
    if filter.state.is_some_and(|s| s != state) {
        return Ok(Vec::new());
    }
    let origin = Arc::new(t.origin(version, state));
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
            month: r.month,
        });
    }
    Ok(out)
}
