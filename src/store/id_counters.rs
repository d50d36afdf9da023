//! The last number handed out under each prefix of an id: a number is never handed out twice,
//! a discarded draft's or a cancelled request's included, so a printed reference (`ba-2023-4`
//! in a letter to BA, `zv-2023-06633-2` on a signed agreement) never names another object.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::DbConnection;

#[derive(QueryableByName)]
struct Counter {
    #[diesel(sql_type = BigInt)]
    last: i64,
}

/// The number of the next `kind` under `prefix`, taken in the caller's transaction.
///
/// The upsert locks the prefix's row until the transaction ends, so concurrent creators under
/// one prefix wait for each other and none is handed a number twice; a creator that rolls back
/// gives its number back, as no one ever saw it. Written as SQL because Diesel's
/// multi-backend connection has no `ON CONFLICT`; both dialects read it alike (SQLite takes
/// `$1` for the first parameter too).
pub fn next(conn: &mut DbConnection, kind: &str, prefix: &str) -> QueryResult<i64> {
    diesel::sql_query(
        "INSERT INTO id_counters (kind, prefix, last) VALUES ($1, $2, 1) \
         ON CONFLICT (kind, prefix) DO UPDATE SET last = id_counters.last + 1 \
         RETURNING last",
    )
    .bind::<Text, _>(kind)
    .bind::<Text, _>(prefix)
    .get_result::<Counter>(conn)
    .map(|c| c.last)
}
