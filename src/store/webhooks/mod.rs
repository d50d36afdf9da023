//! Webhook subscriptions, and (in `deliveries`) the queue of what is to be sent to them.

pub mod deliveries;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::schema::subscriptions::{self, dsl};
use super::{DbConnection, corrupt};
use crate::domain::traeger::Ags;
use crate::domain::webhook::{Secrets, Subscription};

#[derive(Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = subscriptions, treat_none_as_null = true)]
struct Row {
    id: String,
    owner: String,
    traeger: Option<String>,
    url: String,
    event_types: String,
    description: String,
    secret: String,
    previous_secret: Option<String>,
    previous_secret_until: Option<NaiveDateTime>,
    active: bool,
    disabled_reason: Option<String>,
    failing_since: Option<NaiveDateTime>,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl TryFrom<Row> for Subscription {
    type Error = DieselError;
    fn try_from(r: Row) -> Result<Self, DieselError> {
        let previous = match (r.previous_secret, r.previous_secret_until) {
            (Some(s), Some(until)) => Some((s, until)),
            _ => None,
        };
        Ok(Subscription {
            id: r.id,
            owner: r.owner,
            traeger: r
                .traeger
                .map(|t| Ags::parse(&t))
                .transpose()
                .map_err(corrupt)?,
            url: r.url,
            event_types: r
                .event_types
                .split_whitespace()
                .map(str::parse)
                .collect::<Result<_, _>>()
                .map_err(corrupt)?,
            description: r.description,
            secrets: Secrets {
                current: r.secret,
                previous,
            },
            active: r.active,
            disabled_reason: r.disabled_reason,
            failing_since: r.failing_since,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

fn row(s: &Subscription) -> Row {
    let types: Vec<&str> = s.event_types.iter().map(|t| t.as_str()).collect();
    Row {
        id: s.id.clone(),
        owner: s.owner.clone(),
        traeger: s.traeger.as_ref().map(|t| t.to_string()),
        url: s.url.clone(),
        event_types: types.join(" "),
        description: s.description.clone(),
        secret: s.secrets.current.clone(),
        previous_secret: s.secrets.previous.as_ref().map(|(p, _)| p.clone()),
        previous_secret_until: s.secrets.previous.as_ref().map(|(_, u)| *u),
        active: s.active,
        disabled_reason: s.disabled_reason.clone(),
        failing_since: s.failing_since,
        version: s.version,
        created_at: s.created_at,
        updated_at: s.updated_at,
    }
}

fn load(rows: Vec<Row>) -> QueryResult<Vec<Subscription>> {
    rows.into_iter().map(Subscription::try_from).collect()
}

pub fn insert(conn: &mut DbConnection, s: &Subscription) -> QueryResult<()> {
    diesel::insert_into(dsl::subscriptions)
        .values(row(s))
        .execute(conn)
        .map(drop)
}

/// Writes `s` if the stored one is still `expected_version`; whether it was.
pub fn update(
    conn: &mut DbConnection,
    s: &Subscription,
    expected_version: i64,
) -> QueryResult<bool> {
    let n = diesel::update(
        dsl::subscriptions
            .filter(dsl::id.eq(&s.id))
            .filter(dsl::version.eq(expected_version)),
    )
    .set(row(s))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn delete(conn: &mut DbConnection, id: &str) -> QueryResult<()> {
    diesel::delete(dsl::subscriptions.find(id))
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Subscription>> {
    dsl::subscriptions
        .find(id)
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .map(Subscription::try_from)
        .transpose()
}

/// Those of `owner` (all when None) after the id `after`, by id, at most `limit`.
pub fn list(
    conn: &mut DbConnection,
    owner: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<Subscription>> {
    let mut q = dsl::subscriptions.into_boxed();
    if let Some(owner) = owner {
        q = q.filter(dsl::owner.eq(owner.to_owned()));
    }
    if let Some(after) = after {
        q = q.filter(dsl::id.gt(after.to_owned()));
    }
    load(
        q.order(dsl::id.asc())
            .limit(limit)
            .select(Row::as_select())
            .load(conn)?,
    )
}

/// The active ones: those events are fanned out to.
pub fn active(conn: &mut DbConnection) -> QueryResult<Vec<Subscription>> {
    load(
        dsl::subscriptions
            .filter(dsl::active.eq(true))
            .select(Row::as_select())
            .load(conn)?,
    )
}

/// Every id ever given out that is still stored, for numbering.
/// The number of the next subscription: one above any there ever was.
pub fn next_number(conn: &mut DbConnection) -> QueryResult<i64> {
    super::id_counters::next(conn, "subscription", "wh-")
}

/// Since when its deliveries fail (None: they succeed); bookkeeping of the service, not a
/// change of the subscription, so its version stays.
pub fn failing_since(
    conn: &mut DbConnection,
    id: &str,
    since: Option<NaiveDateTime>,
) -> QueryResult<()> {
    diesel::update(dsl::subscriptions.find(id))
        .set(dsl::failing_since.eq(since))
        .execute(conn)
        .map(drop)
}
