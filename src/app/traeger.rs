//! The Träger registry: read by everyone within their visibility, maintained by HMSI.

use super::idempotency::{Outcome, fingerprint, write_once};
use super::kept;
use super::{AppError, Services, now};
use crate::domain::actor::{Actor, Visibility};
use crate::domain::audit::Change;
use crate::domain::traeger::{Ags, Traeger, TraegerContent, TraegerFilter};
use crate::store::pool::write_transaction;
use crate::store::revisions::Subject;
use crate::store::traeger as store;
use crate::store::{DbConnection, ledger};

/// One page, and whether more follow.
pub async fn list(
    services: &Services,
    visibility: Visibility,
    filter: TraegerFilter,
    after: Option<String>,
    limit: i64,
) -> Result<(Vec<Traeger>, bool), AppError> {
    services
        .page(limit, move |conn, n| {
            store::list(conn, &visibility, &filter, after.as_deref(), n)
        })
        .await
}

/// The Träger, if the caller may see it: another Träger's entry is absent, never forbidden.
/// The registry is kept while its revision stands (`kept`): the Jobcenter systems that look
/// up their own Träger before every delivery cost no statement while nothing changed.
pub async fn find(
    services: &Services,
    visibility: Visibility,
    ags: Ags,
) -> Result<Traeger, AppError> {
    if !visibility.sees(&ags) {
        return Err(AppError::NotFound);
    }
    let key = ags.as_str().to_owned();
    let entry = kept::read(
        services.db(),
        &[Subject::Traeger],
        &services.registry,
        key,
        move |conn| Ok(store::find(conn, &Visibility::All, &ags)?),
    )
    .await?;
    entry.as_ref().clone().ok_or(AppError::NotFound)
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
    // Whether the AGS is taken is a question about every Träger, whoever asks.
    if store::find(conn, &Visibility::All, &ags)?.is_some() {
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
    ledger::append(conn, actor, at, Change::recorded("create", None, &created))?;
    Ok(created)
}

pub async fn create(
    services: &Services,
    actor: Actor,
    ags: Ags,
    content: TraegerContent,
    idempotency_key: Option<String>,
) -> Result<Outcome<Traeger>, AppError> {
    let fp = fingerprint("traeger.create", &(&ags, &content));
    let who = actor.clone();
    write_once(services, &who, idempotency_key, fp, move |conn| {
        insert_new(conn, &actor, ags, content)
    })
    .await
}

/// Replaces the content of a Träger if `expected_version` is still current. An unchanged body
/// is not a change: no new version, no ledger event.
pub async fn update(
    services: &Services,
    actor: Actor,
    visibility: Visibility,
    ags: Ags,
    expected_version: Option<i64>,
    content: TraegerContent,
) -> Result<Traeger, AppError> {
    services
        .db()
        .run(move |conn| {
            write_transaction(conn, |conn| {
                store::lock(conn, &ags)?;
                let current = store::find(conn, &visibility, &ags)?.ok_or(AppError::NotFound)?;
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
                    Change::recorded("update", Some(&current), &updated),
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
        // The service itself loads the registry: it sees every Träger.
        if store::find(conn, &Visibility::All, &ags)?.is_none() {
            insert_new(conn, actor, ags, content)?;
            added += 1;
        }
    }
    Ok(added)
}
