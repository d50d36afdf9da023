//! The reporting bodies of each Träger.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::schema::reporting_bodies::{self, dsl};
use super::{DbConnection, corrupt};
use crate::domain::reporting_body::{ReportingBody, ReportingBodyId};
use crate::domain::traeger::Ags;

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = reporting_bodies)]
struct Row {
    id: String,
    traeger: String,
    name: String,
    kind: String,
    active: bool,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl TryFrom<Row> for ReportingBody {
    type Error = DieselError;
    fn try_from(r: Row) -> Result<Self, DieselError> {
        Ok(ReportingBody {
            id: r.id.parse().map_err(corrupt)?,
            traeger: Ags::parse(&r.traeger).map_err(corrupt)?,
            name: r.name,
            kind: r.kind.parse().map_err(corrupt)?,
            active: r.active,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

fn row(b: &ReportingBody) -> Row {
    Row {
        id: b.id.to_string(),
        traeger: b.traeger.to_string(),
        name: b.name.clone(),
        kind: b.kind.as_str().to_owned(),
        active: b.active,
        version: b.version,
        created_at: b.created_at,
        updated_at: b.updated_at,
    }
}

/// The Träger's bodies, by name (as Rust orders text, the same on both databases, whatever
/// PostgreSQL's collation). The caller has checked that it may see the Träger.
pub fn of(conn: &mut DbConnection, traeger: &Ags) -> QueryResult<Vec<ReportingBody>> {
    let mut bodies = dsl::reporting_bodies
        .filter(dsl::traeger.eq(traeger.as_str()))
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(ReportingBody::try_from)
        .collect::<QueryResult<Vec<_>>>()?;
    bodies.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(bodies)
}

pub fn find(conn: &mut DbConnection, id: &ReportingBodyId) -> QueryResult<Option<ReportingBody>> {
    dsl::reporting_bodies
        .find(id.as_str())
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .map(ReportingBody::try_from)
        .transpose()
}

/// Whether another body of the Träger than `except` has `name`.
pub fn name_taken(
    conn: &mut DbConnection,
    traeger: &Ags,
    name: &str,
    except: Option<&ReportingBodyId>,
) -> QueryResult<bool> {
    let mut q = dsl::reporting_bodies
        .filter(dsl::traeger.eq(traeger.as_str()))
        .filter(dsl::name.eq(name.trim()))
        .into_boxed();
    if let Some(id) = except {
        q = q.filter(dsl::id.ne(id.as_str()));
    }
    let n: i64 = q.count().get_result(conn)?;
    Ok(n > 0)
}

/// The number of the Träger's next body: one above any it ever had.
pub fn next_number(conn: &mut DbConnection, traeger: &Ags) -> QueryResult<i64> {
    super::id_counters::next(conn, "reporting_body", &ReportingBodyId::prefix(traeger))
}

pub fn insert(conn: &mut DbConnection, b: &ReportingBody) -> QueryResult<()> {
    diesel::insert_into(dsl::reporting_bodies)
        .values(row(b))
        .execute(conn)
        .map(drop)
}

/// Saves `b` if the stored version is still `expected_version`.
pub fn update(
    conn: &mut DbConnection,
    b: &ReportingBody,
    expected_version: i64,
) -> QueryResult<bool> {
    let n = diesel::update(
        dsl::reporting_bodies
            .find(b.id.as_str())
            .filter(dsl::version.eq(expected_version)),
    )
    .set((
        dsl::name.eq(&b.name),
        dsl::kind.eq(b.kind.as_str()),
        dsl::active.eq(b.active),
        dsl::version.eq(b.version),
        dsl::updated_at.eq(b.updated_at),
    ))
    .execute(conn)?;
    Ok(n == 1)
}
