//! `Idempotency-Key`: the same key with the same request returns the first response; with a
//! different request it is refused. Keys are per actor and live in the database, so a retry may
//! reach any replica.

use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use super::{AppError, Services, now};
use crate::domain::actor::Actor;
use crate::store::{DbConnection, idempotency, pool::write_transaction};

/// A created object, and whether it is the replay of an earlier response.
#[derive(Debug)]
pub struct Outcome<T> {
    pub value: T,
    pub replayed: bool,
}

/// What identifies "the same request": the operation and its parsed body.
pub fn fingerprint(operation: &str, body: &impl Serialize) -> String {
    let mut h = Sha256::new();
    h.update(operation.as_bytes());
    h.update(b"\n");
    h.update(serde_json::to_vec(body).unwrap_or_default());
    hex::encode(h.finalize())
}

fn replay<T: DeserializeOwned>(
    stored: idempotency::StoredResponse,
    fingerprint: &str,
) -> Result<Outcome<T>, AppError> {
    if stored.request_fingerprint != fingerprint {
        return Err(AppError::IdempotencyKeyReused);
    }
    let value = serde_json::from_str(&stored.response_body).map_err(|e| {
        AppError::Database(diesel::result::Error::DeserializationError(Box::new(e)))
    })?;
    Ok(Outcome {
        value,
        replayed: true,
    })
}

/// Runs the write `f` in one transaction, at most once per key.
pub async fn write_once<T, F>(
    services: &Services,
    actor: &Actor,
    key: Option<String>,
    fingerprint: String,
    f: F,
) -> Result<Outcome<T>, AppError>
where
    T: Serialize + DeserializeOwned + Send + 'static,
    F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
{
    let db = services.db();
    let Some(key) = key else {
        let value = db.run(move |conn| write_transaction(conn, f)).await?;
        return Ok(Outcome {
            value,
            replayed: false,
        });
    };
    let sub = actor.sub.clone();
    let (k, fp, s) = (key.clone(), fingerprint.clone(), sub.clone());
    let first = db
        .run(move |conn| {
            write_transaction(conn, |conn| {
                if let Some(stored) = idempotency::find(conn, &s, &k)? {
                    return replay(stored, &fp);
                }
                let value = f(conn)?;
                let body = serde_json::to_string(&value).map_err(|e| {
                    AppError::Database(diesel::result::Error::SerializationError(Box::new(e)))
                })?;
                idempotency::insert(conn, &s, &k, &fp, &body, now())?;
                Ok(Outcome {
                    value,
                    replayed: false,
                })
            })
        })
        .await;
    match first {
        // Two requests with one key at once: the loser meets the winner's work, as a conflict
        // on insert or, when the winner committed while the loser ran, as a rule its object now
        // breaks (a name taken, say). Whatever it met, once the winner's response is stored
        // it is the answer; without one the loser's own error is.
        Err(e) if !matches!(e, AppError::Unavailable(_)) => {
            let stored = db
                .run(move |conn| idempotency::find(conn, &sub, &key).map_err(AppError::from))
                .await?;
            match stored {
                Some(stored) => replay(stored, &fingerprint),
                None => Err(e),
            }
        }
        other => other,
    }
}
