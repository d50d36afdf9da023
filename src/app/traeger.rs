//! The Träger registry: read by everyone within their visibility, maintained by HMSI.

use super::idempotency::{Outcome, fingerprint, write_once};
use super::{AppError, now};
use crate::domain::actor::{Actor, Visibility};
use crate::domain::audit::Change;
use crate::domain::traeger::{Ags, JobcenterForm, Traeger, TraegerContent, TraegerKind};
use crate::store::pool::write_transaction;
use crate::store::traeger::{self as store, TraegerFilter};
use crate::store::{Db, DbConnection, ledger};

const ENTITY: &str = "traeger";

pub struct Listing {
    pub form: Option<JobcenterForm>,
    pub kind: Option<TraegerKind>,
    pub after: Option<String>,
    pub limit: i64,
}

/// One page, and whether more follow.
pub async fn list(
    db: &Db,
    visibility: Visibility,
    listing: Listing,
) -> Result<(Vec<Traeger>, bool), AppError> {
    let filter = TraegerFilter {
        form: listing.form,
        kind: listing.kind,
        only: visibility.only().cloned(),
    };
    let limit = listing.limit;
    let rows = db
        .run(move |conn| {
            store::list(conn, &filter, listing.after.as_deref(), limit + 1).map_err(AppError::from)
        })
        .await?;
    Ok(super::split_page(rows, limit))
}

pub async fn find(db: &Db, visibility: Visibility, ags: Ags) -> Result<Traeger, AppError> {
    // Another Träger's entry is reported as absent, never as forbidden.
    if !visibility.sees(&ags) {
        return Err(AppError::NotFound);
    }
    db.run(move |conn| store::find(conn, &ags)?.ok_or(AppError::NotFound))
        .await
}

fn ensure_jobcenter_free(
    conn: &mut DbConnection,
    ags: &Ags,
    content: &TraegerContent,
) -> Result<(), AppError> {
    match store::jobcenter_owner(conn, &content.jobcenter.id, ags)? {
        Some(owner) => Err(AppError::Conflict(format!(
            "Jobcenter `{}` already belongs to Träger {owner}",
            content.jobcenter.id
        ))),
        None => Ok(()),
    }
}

fn insert_new(
    conn: &mut DbConnection,
    actor: &Actor,
    ags: Ags,
    content: TraegerContent,
) -> Result<Traeger, AppError> {
    if store::find(conn, &ags)?.is_some() {
        return Err(AppError::Conflict(format!("Träger {ags} exists already")));
    }
    ensure_jobcenter_free(conn, &ags, &content)?;
    let at = now();
    let created = Traeger {
        ags,
        content,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    store::insert(conn, &created)?;
    ledger::append(
        conn,
        actor,
        at,
        Change::of("create", ENTITY, created.ags.as_str(), None, Some(&created)),
    )?;
    Ok(created)
}

pub async fn create(
    db: &Db,
    actor: Actor,
    ags: Ags,
    content: TraegerContent,
    idempotency_key: Option<String>,
) -> Result<Outcome<Traeger>, AppError> {
    let fp = fingerprint("traeger.create", &(&ags, &content));
    let who = actor.clone();
    write_once(db, &who, idempotency_key, fp, move |conn| {
        insert_new(conn, &actor, ags, content)
    })
    .await
}

/// Replaces the content of a Träger if `expected_version` is still current. An unchanged body
/// is not a change: no new version, no ledger event.
pub async fn update(
    db: &Db,
    actor: Actor,
    ags: Ags,
    expected_version: Option<i64>,
    content: TraegerContent,
) -> Result<Traeger, AppError> {
    db.run(move |conn| {
        write_transaction(conn, |conn| {
            store::lock(conn, &ags)?;
            let current = store::find(conn, &ags)?.ok_or(AppError::NotFound)?;
            if expected_version.is_some_and(|v| v != current.version) {
                return Err(AppError::PreconditionFailed);
            }
            if current.content == content {
                return Ok(current);
            }
            ensure_jobcenter_free(conn, &ags, &content)?;
            let updated = Traeger {
                content,
                version: current.version + 1,
                updated_at: now(),
                ..current.clone()
            };
            if !store::update(conn, &updated, current.version)? {
                return Err(AppError::PreconditionFailed);
            }
            ledger::append(
                conn,
                &actor,
                updated.updated_at,
                Change::of(
                    "update",
                    ENTITY,
                    ags.as_str(),
                    Some(&current),
                    Some(&updated),
                ),
            )?;
            Ok(updated)
        })
    })
    .await
}

/// Adds the shipped Träger that are missing and leaves the others as HMSI maintains them.
pub fn seed(
    conn: &mut DbConnection,
    actor: &Actor,
    entries: Vec<(Ags, TraegerContent)>,
) -> Result<usize, AppError> {
    let mut added = 0;
    for (ags, content) in entries {
        if store::find(conn, &ags)?.is_none() {
            insert_new(conn, actor, ags, content)?;
            added += 1;
        }
    }
    Ok(added)
}
