//! Transmissions: HMSI requests BA statistics, records what BA delivered, forwards each Träger
//! its own rows; the Träger acknowledge.

use std::collections::HashSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::idempotency::{Outcome, fingerprint, write_once};
use super::indicators::catalogue;
use super::{AppError, Clock, now};
use crate::domain::actor::{Actor, Visibility};
use crate::domain::agreement::Recipient;
use crate::domain::audit::Change;
use crate::domain::indicator::{IndicatorCode, Source};
use crate::domain::traeger::Ags;
use crate::domain::transmission::{
    Acknowledgement, DataVersion, ImportSummary, RawRow, Served, Transmission, TransmissionStatus,
    summarize, validate_rows,
};
use crate::domain::{Violation, Violations, parse_text};
use crate::store::pool::{snapshot_transaction, write_transaction};
use crate::store::transmissions::{self as store, Written};
use crate::store::{Db, DbConnection, agreements, ledger, traeger};

const ENTITY: &str = "transmission";

fn invalid(pointer: &str, message: impl Into<String>) -> AppError {
    AppError::Invalid(vec![Violation::new(pointer, message)])
}

/// What a Träger may see of a transmission: only once forwarded, only the forwarded versions,
/// only its own rows of the indicators it receives, only its own acknowledgements. Everything
/// a Träger-scoped caller gets passes through here.
pub(crate) fn redact(mut t: Transmission, own: &Ags) -> Option<Transmission> {
    t.forwarded()?;
    let forwardable: HashSet<IndicatorCode> = t
        .indicators
        .iter()
        .filter(|i| i.forwardable)
        .map(|i| i.code.clone())
        .collect();
    t.indicators.retain(|i| i.forwardable);
    t.versions.retain(|v| v.forwarded_at.is_some());
    for v in &mut t.versions {
        v.rows
            .retain(|r| &r.traeger == own && forwardable.contains(&r.indicator));
        v.acknowledgements.retain(|a| &a.traeger == own);
    }
    Some(t)
}

fn visible(
    conn: &mut DbConnection,
    visibility: &Visibility,
    id: &str,
) -> Result<Transmission, AppError> {
    let t = store::find(conn, id)?.ok_or(AppError::NotFound)?;
    match visibility.only() {
        None => Ok(t),
        // Not yet forwarded, or another Träger's business: absent, never forbidden.
        Some(own) => redact(t, own).ok_or(AppError::NotFound),
    }
}

pub async fn find(db: &Db, visibility: Visibility, id: String) -> Result<Transmission, AppError> {
    db.run(move |conn| visible(conn, &visibility, &id)).await
}

#[derive(Debug, Clone, Default)]
pub struct Listing {
    pub year: Option<i32>,
    pub status: Option<TransmissionStatus>,
    pub section: Option<String>,
}

/// The transmissions the caller may see, in id order (tens a year: filtered in memory).
pub async fn list(
    db: &Db,
    visibility: Visibility,
    listing: Listing,
) -> Result<Vec<Transmission>, AppError> {
    db.run(move |conn| {
        let all = store::list(conn, listing.year, false)?;
        Ok(all
            .into_iter()
            .filter_map(|t| match visibility.only() {
                None => Some(t),
                Some(own) => redact(t, own),
            })
            .filter(|t| listing.status.is_none_or(|s| t.status() == s))
            .filter(|t| {
                listing
                    .section
                    .as_ref()
                    .is_none_or(|s| t.indicators.iter().any(|i| &i.section == s))
            })
            .collect())
    })
    .await
}

/// A request to BA statistics, as HMSI records it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RequestInput {
    pub year: Option<i64>,
    pub indicators: Option<Vec<String>>,
    pub ba_reference: Option<String>,
    pub requested_on: Option<String>,
    pub note: Option<String>,
}

/// Whether a Träger receives an indicator: some obligation of the year that asks for it (in an
/// agreement or the year's template) names the Träger as recipient.
fn forwardable(conn: &mut DbConnection, year: i32) -> Result<HashSet<IndicatorCode>, AppError> {
    let mut out = HashSet::new();
    let filter = crate::store::agreements::AgreementFilter {
        year: Some(year),
        ..Default::default()
    };
    for a in agreements::list(conn, &filter, None, i64::MAX)? {
        for o in a
            .obligations
            .iter()
            .filter(|o| o.content.recipients.contains(&Recipient::Traeger))
        {
            out.extend(o.content.indicators.iter().cloned());
        }
    }
    if let Some(text) = agreements::template(conn, year)? {
        let template: super::agreements::Template = serde_json::from_str(&text).map_err(|e| {
            AppError::Database(diesel::result::Error::DeserializationError(Box::new(e)))
        })?;
        for o in template
            .obligations
            .iter()
            .filter(|o| o.recipients.iter().any(|r| r == "traeger"))
        {
            out.extend(
                o.indicators
                    .iter()
                    .filter_map(|c| IndicatorCode::parse(c).ok()),
            );
        }
    }
    Ok(out)
}

fn new_request(
    conn: &mut DbConnection,
    input: &RequestInput,
    today: NaiveDate,
) -> Result<Transmission, AppError> {
    let mut v = Violations::default();
    let year = v
        .required("/year", &input.year)
        .and_then(|y| v.check("/year", crate::domain::indicator::parse_year(*y)));
    let reference = v
        .required("/ba_reference", &input.ba_reference)
        .and_then(|r| v.check("/ba_reference", parse_text(r, 200)));
    let requested_on = v
        .required("/requested_on", &input.requested_on)
        .and_then(|d| {
            let parsed = NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| "must be a date YYYY-MM-DD".to_owned());
            v.check(
                "/requested_on",
                parsed.and_then(|d| {
                    if d > today {
                        Err(format!("{d} lies in the future"))
                    } else {
                        Ok(d)
                    }
                }),
            )
        });
    let note = match &input.note {
        None => Some(None),
        Some(n) => v.check("/note", parse_text(n, 2000)).map(Some),
    };
    let mut served: Vec<Served> = Vec::new();
    match (&input.indicators, year) {
        (None, _) => v.push("/indicators", "is required"),
        (Some(list), _) if list.is_empty() => v.push("/indicators", "needs at least one indicator"),
        (Some(list), Some(year)) => {
            let catalogue = catalogue(conn, year)?;
            let to_traeger = forwardable(conn, year)?;
            for (i, raw) in list.iter().enumerate() {
                let at = format!("/indicators/{i}");
                let Some(code) = v.check(&at, IndicatorCode::parse(raw)) else {
                    continue;
                };
                match catalogue.get(&code) {
                    None => v.push(at, format!("no indicator `{code}` is valid in {year}")),
                    Some(ind) if ind.definition.source != Source::Ba => v.push(
                        at,
                        format!("`{code}` is reported by the Träger, not by BA statistics"),
                    ),
                    Some(_) if served.iter().any(|s| s.code == code) => {
                        v.push(at, "is listed twice")
                    }
                    Some(ind) => served.push(Served {
                        forwardable: to_traeger.contains(&code),
                        section: ind.definition.section.clone(),
                        unit: ind.definition.unit,
                        code,
                    }),
                }
            }
        }
        (Some(_), None) => {}
    }
    let (year, ba_reference, requested_on, note) = v
        .into_result(|| Some((year?, reference?, requested_on?, note?)))
        .map_err(AppError::Invalid)?;
    let at = now();
    Ok(Transmission {
        id: Transmission::make_id(year, store::count_for(conn, year)? + 1),
        year,
        ba_reference,
        requested_on,
        note,
        indicators: served,
        versions: Vec::new(),
        version: 1,
        created_at: at,
        updated_at: at,
    })
}

pub async fn create(
    db: &Db,
    actor: Actor,
    input: RequestInput,
    clock: Clock,
    idempotency_key: Option<String>,
) -> Result<Outcome<Transmission>, AppError> {
    let fp = fingerprint("transmission.create", &input);
    let who = actor.clone();
    write_once(db, &who, idempotency_key, fp, move |conn| {
        let t = new_request(conn, &input, clock.today())?;
        store::insert(conn, &t)?;
        ledger::append(
            conn,
            &actor,
            t.created_at,
            Change::of("create", ENTITY, &t.id, None, Some(&t)),
        )?;
        Ok(t)
    })
    .await
}

/// The transmission after an import, and what the import did.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Import {
    pub transmission: Transmission,
    pub summary: ImportSummary,
    pub dry_run: bool,
}

/// Stores what BA delivered. Before forwarding, new data replaces the current version; after
/// forwarding it is a new version, which needs a reason and is forwarded again.
pub async fn receive(
    db: &Db,
    actor: Actor,
    id: String,
    raw: Vec<RawRow>,
    broken: Vec<Violation>,
    reason: Option<String>,
    dry_run: bool,
) -> Result<Import, AppError> {
    db.run(move |conn| {
        let work = |conn: &mut DbConnection| {
            if !dry_run {
                store::lock(conn, &id)?;
            }
            let before = store::find(conn, &id)?.ok_or(AppError::NotFound)?;
            let known: HashSet<Ags> = traeger::list(conn, &Default::default(), None, i64::MAX)?
                .into_iter()
                .map(|t| t.ags)
                .collect();
            // Lines that were no rows at all come first, then every row's errors.
            let rows = match validate_rows(&raw, &before.indicators, &known) {
                Ok(rows) if broken.is_empty() => rows,
                Ok(_) => return Err(AppError::Invalid(broken)),
                Err(errors) => {
                    return Err(AppError::Invalid(
                        broken.into_iter().chain(errors).collect(),
                    ));
                }
            };
            let previous = before
                .current()
                .map(|v| v.rows.as_slice())
                .unwrap_or_default();
            let summary = summarize(previous, &rows);
            let mut after = before.clone();
            let at = now();
            let fresh = |number: i32, reason: Option<String>| DataVersion {
                number,
                reason,
                received_by: actor.sub.clone(),
                received_at: at,
                forwarded_by: None,
                forwarded_at: None,
                rows: rows.clone(),
                acknowledgements: Vec::new(),
            };
            let reason = reason
                .map(|r| r.trim().to_owned())
                .filter(|r| !r.is_empty());
            let number = match before.current() {
                None => {
                    after.versions.push(fresh(1, reason));
                    1
                }
                Some(current) if current.forwarded_at.is_none() => {
                    let n = current.number;
                    *after.versions.last_mut().expect("a current version") =
                        fresh(n, reason.or(current.reason.clone()));
                    n
                }
                Some(current) => {
                    // BA corrected forwarded figures: the Träger must learn why.
                    let reason = reason.ok_or_else(|| {
                        invalid(
                            "/reason",
                            "is required: the data was forwarded, so this is a correction by BA",
                        )
                    })?;
                    after.versions.push(fresh(current.number + 1, Some(reason)));
                    current.number + 1
                }
            };
            after.version += 1;
            after.updated_at = at;
            if !dry_run {
                if !store::save(conn, &after, before.version, &[Written::Whole(number)])? {
                    return Err(AppError::PreconditionFailed);
                }
                ledger::append(
                    conn,
                    &actor,
                    at,
                    Change::of("receive", ENTITY, &id, Some(&before), Some(&after)),
                )?;
            }
            Ok(Import {
                transmission: after,
                summary,
                dry_run,
            })
        };
        if dry_run {
            snapshot_transaction(conn, work)
        } else {
            write_transaction(conn, work)
        }
    })
    .await
}

/// Changes a transmission under its row lock and records the change.
async fn change<F>(
    db: &Db,
    actor: Actor,
    visibility: Visibility,
    id: String,
    action: &'static str,
    f: F,
) -> Result<Transmission, AppError>
where
    F: FnOnce(&mut Transmission, &Actor) -> Result<Written, AppError> + Send + 'static,
{
    db.run(move |conn| {
        write_transaction(conn, |conn| {
            store::lock(conn, &id)?;
            let before = visible(conn, &Visibility::All, &id)?;
            if let Some(own) = visibility.only() {
                redact(before.clone(), own).ok_or(AppError::NotFound)?;
            }
            let mut after = before.clone();
            let written = f(&mut after, &actor)?;
            after.version += 1;
            after.updated_at = now();
            if !store::save(conn, &after, before.version, &[written])? {
                return Err(AppError::PreconditionFailed);
            }
            ledger::append(
                conn,
                &actor,
                after.updated_at,
                Change::of(action, ENTITY, &id, Some(&before), Some(&after)),
            )?;
            Ok(match visibility.only() {
                Some(own) => redact(after, own).ok_or(AppError::NotFound)?,
                None => after,
            })
        })
    })
    .await
}

/// Forwards the current version: from now on each Träger sees its own rows of it.
pub async fn forward(db: &Db, actor: Actor, id: String) -> Result<Transmission, AppError> {
    change(db, actor, Visibility::All, id, "forward", |t, actor| {
        let v = t
            .versions
            .last_mut()
            .ok_or_else(|| AppError::Conflict(format!("{} has no data from BA yet", t.id)))?;
        if v.forwarded_at.is_some() {
            return Err(AppError::Conflict(format!(
                "version {} of {} is forwarded already",
                v.number, t.id
            )));
        }
        v.forwarded_by = Some(actor.sub.clone());
        v.forwarded_at = Some(now());
        Ok(Written::Header(v.number))
    })
    .await
}

/// A Träger confirms it received the newest forwarded version.
pub async fn acknowledge(
    db: &Db,
    actor: Actor,
    visibility: Visibility,
    id: String,
) -> Result<Transmission, AppError> {
    let own = visibility.only().cloned();
    change(db, actor, visibility, id, "acknowledge", move |t, actor| {
        let own = own.ok_or_else(|| AppError::Conflict("only a Träger acknowledges".into()))?;
        let id = t.id.clone();
        let v = t
            .versions
            .iter_mut()
            .rev()
            .find(|v| v.forwarded_at.is_some())
            .ok_or(AppError::NotFound)?;
        if v.acknowledgements.iter().any(|a| a.traeger == own) {
            return Err(AppError::Conflict(format!(
                "Träger {own} acknowledged version {} of {id} already",
                v.number
            )));
        }
        v.acknowledgements.push(Acknowledgement {
            traeger: own,
            acknowledged_by: actor.sub.clone(),
            acknowledged_at: now(),
        });
        Ok(Written::Header(v.number))
    })
    .await
}
