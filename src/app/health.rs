//! What operators ask of a replica: is its database there and current, how busy is its pool.

use super::{AppError, Services};
use crate::store::{Unavailable, pool::migrations_current};

/// Whether the database answers and every migration is applied.
pub async fn ready(services: &Services) -> Result<bool, AppError> {
    services
        .db()
        .run(|conn| {
            migrations_current(conn).map_err(|e| AppError::Unavailable(Unavailable(e.to_string())))
        })
        .await
}

/// Connections of this replica's pool: lent out, and idle.
pub fn pool_use(services: &Services) -> (u32, u32) {
    let state = services.db().pool().state();
    (
        state.connections - state.idle_connections,
        state.idle_connections,
    )
}
