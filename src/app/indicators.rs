//! The indicator catalogue: read by everyone, versioned by HMSI.

use std::sync::Arc;

use super::idempotency::{Outcome, fingerprint, write_once};
use super::kept::{self, Kept, Rendered};
use super::{AppError, Services, now};
use crate::domain::Violation;
use crate::domain::actor::Actor;
use crate::domain::audit::Change;
use crate::domain::indicator::{
    Catalogue, Indicator, IndicatorCode, IndicatorDefinition, Source, catalogue_for, check_part_of,
};
use crate::store::heard::Heard;
use crate::store::pool::{in_transaction, write_transaction};
use crate::store::revisions::Subject;
use crate::store::{DbConnection, indicators as store, ledger};

pub struct Listing {
    /// The catalogue valid in this year; without it, every version.
    pub year: Option<i32>,
    pub section: Option<String>,
    pub source: Option<Source>,
}

/// The catalogue of a year (or every version) from its versions, filtered, in code order.
fn listed(versions: Vec<Indicator>, listing: &Listing) -> Vec<Indicator> {
    let mut items: Vec<Indicator> = match listing.year {
        Some(year) => catalogue_for(year, versions).into_values().collect(),
        None => versions,
    };
    items.retain(|i| {
        listing
            .section
            .as_ref()
            .is_none_or(|s| &i.definition.section == s)
            && listing.source.is_none_or(|s| i.definition.source == s)
    });
    items.sort_by(|a, b| (&a.code, a.valid_from).cmp(&(&b.code, b.valid_from)));
    items
}

/// A listing as `render` answers it, kept while the catalogue's revision stands: a poller
/// that asks again costs one short read of the revision instead of the catalogue. `key` names
/// the listing with every parameter `render` depends on.
pub async fn list_rendered<F>(
    services: &Services,
    listing: Listing,
    key: String,
    render: F,
) -> Result<Arc<Rendered>, AppError>
where
    F: FnOnce(Vec<Indicator>) -> Rendered + Send + 'static,
{
    kept::read(
        services.db(),
        &[Subject::Indicators],
        &services.catalogue_pages,
        key,
        move |conn| {
            let versions = store::versions(conn, listing.year)?;
            Ok(render(listed(versions, &listing)))
        },
    )
    .await
}

/// The catalogue of each year as kept by this replica, for the reads that check against it;
/// cheap to clone, to be used inside `Db::run`.
#[derive(Clone)]
pub struct Catalogues {
    pub(super) heard: Heard,
    pub(super) by_year: Kept<Catalogue>,
}

impl Catalogues {
    /// The catalogue valid in `year`, kept while the catalogue's revision stands (as the
    /// listings are, see `list_rendered`). Inside a transaction it is read and not kept: the
    /// transaction may have written the catalogue itself and still roll back, and its revision
    /// would then name rows that never were.
    pub fn of_year(&self, conn: &mut DbConnection, year: i32) -> Result<Arc<Catalogue>, AppError> {
        if in_transaction(conn) {
            return Ok(Arc::new(catalogue(conn, year)?));
        }
        let key = year.to_string();
        kept::at_revision(
            conn,
            &self.heard,
            &[Subject::Indicators],
            &self.by_year,
            key,
            |conn| catalogue(conn, year),
        )
    }
}

/// The catalogue valid in `year`, for validating agreements.
pub fn catalogue(conn: &mut DbConnection, year: i32) -> Result<Catalogue, AppError> {
    Ok(catalogue_for(year, store::versions(conn, Some(year))?))
}

/// The version valid in `year`, or the newest version without a year.
pub async fn find(
    services: &Services,
    code: IndicatorCode,
    year: Option<i32>,
) -> Result<Indicator, AppError> {
    let versions = services
        .db()
        .run(move |conn| store::versions_of(conn, &code).map_err(AppError::from))
        .await?;
    versions
        .into_iter()
        .rev()
        .find(|v| year.is_none_or(|y| v.valid_from <= y))
        .filter(|v| year.is_none() || !v.definition.discontinued)
        .ok_or(AppError::NotFound)
}

/// Checks a version against the catalogue it would join: its own `part_of`, and the parts
/// that count on it as their total.
fn check_in_catalogue(
    conn: &mut DbConnection,
    code: &IndicatorCode,
    valid_from: i32,
    def: &IndicatorDefinition,
) -> Result<(), AppError> {
    let mut versions = store::versions(conn, None)?;
    versions.retain(|v| !(v.code == *code && v.valid_from == valid_from));
    let candidate = Indicator {
        code: code.clone(),
        valid_from,
        definition: def.clone(),
        version: 0,
        created_at: now(),
        updated_at: now(),
    };
    versions.push(candidate);
    let catalogue = catalogue_for(valid_from, versions);
    let mut errors = check_part_of(code, def, valid_from, &catalogue);
    for part in catalogue.values() {
        if part.definition.part_of.as_ref() == Some(code) && part.definition.unit != def.unit {
            errors.push(Violation::new(
                "/unit",
                format!(
                    "`{}` is part of this indicator and is measured in {}",
                    part.code,
                    part.definition.unit.as_str()
                ),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}

pub async fn create(
    services: &Services,
    actor: Actor,
    code: IndicatorCode,
    valid_from: i32,
    definition: IndicatorDefinition,
    idempotency_key: Option<String>,
) -> Result<Outcome<Indicator>, AppError> {
    let fp = fingerprint("indicator.create", &(&code, valid_from, &definition));
    let who = actor.clone();
    write_once(services, &who, idempotency_key, fp, move |conn| {
        let versions = store::versions_of(conn, &code)?;
        if versions.iter().any(|v| v.valid_from == valid_from) {
            return Err(AppError::Conflict(format!(
                "indicator `{code}` has a version valid from {valid_from} already; change it with PUT"
            )));
        }
        check_in_catalogue(conn, &code, valid_from, &definition)?;
        let at = now();
        let created = Indicator {
            code,
            valid_from,
            definition,
            version: 1,
            created_at: at,
            updated_at: at,
        };
        store::insert(conn, &created)?;
        ledger::append(conn, &actor, at, Change::recorded("create", None, &created))?;
        Ok(created)
    })
    .await
}

/// Changes a version in place, which is allowed only until a signed agreement asks for it.
pub async fn update(
    services: &Services,
    actor: Actor,
    code: IndicatorCode,
    valid_from: i32,
    expected_version: Option<i64>,
    definition: IndicatorDefinition,
) -> Result<Indicator, AppError> {
    services.db().run(move |conn| {
        write_transaction(conn, |conn| {
            let versions = store::versions_of(conn, &code)?;
            let pos = versions
                .iter()
                .position(|v| v.valid_from == valid_from)
                .ok_or(AppError::NotFound)?;
            let current = versions[pos].clone();
            if expected_version.is_some_and(|v| v != current.version) {
                return Err(AppError::PreconditionFailed);
            }
            if current.definition == definition {
                return Ok(current);
            }
            let until = versions
                .get(pos + 1)
                .map_or(i32::MAX, |next| next.valid_from);
            if store::in_signed_agreement(conn, &code, valid_from..until)?
                || crate::store::submissions::reported(conn, &code, valid_from..until)?
            {
                return Err(AppError::Conflict(format!(
                    "indicator `{code}` valid from {valid_from} is part of a signed agreement, so \
                     it is never changed in place: create a new version with POST for the year \
                     from which the new definition applies"
                )));
            }
            check_in_catalogue(conn, &code, valid_from, &definition)?;
            let updated = Indicator {
                definition,
                version: current.version + 1,
                updated_at: now(),
                ..current.clone()
            };
            if !store::update(conn, &updated, current.version)? {
                return Err(AppError::PreconditionFailed);
            }
            let change = Change::recorded("update", Some(&current), &updated);
            ledger::append(conn, &actor, updated.updated_at, change)?;
            Ok(updated)
        })
    })
    .await
}

/// Adds the shipped versions that are missing; returns how many.
pub fn seed(
    conn: &mut DbConnection,
    actor: &Actor,
    shipped: Vec<Indicator>,
) -> Result<usize, AppError> {
    let mut added = 0;
    for ind in shipped {
        let exists = store::versions_of(conn, &ind.code)?
            .iter()
            .any(|v| v.valid_from == ind.valid_from);
        if !exists {
            store::insert(conn, &ind)?;
            let change = Change::recorded("create", None, &ind);
            ledger::append(conn, actor, ind.created_at, change)?;
            added += 1;
        }
    }
    Ok(added)
}
