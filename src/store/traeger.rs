use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::schema::traeger::{self, dsl};
use super::{DbConnection, corrupt};
use crate::domain::actor::Visibility;
use crate::domain::traeger::{Ags, Jobcenter, Traeger, TraegerContent, TraegerFilter};

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = traeger)]
struct TraegerRow {
    ags: String,
    name: String,
    kind: String,
    jobcenter_id: String,
    jobcenter_name: String,
    jobcenter_form: String,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl TryFrom<TraegerRow> for Traeger {
    type Error = DieselError;
    fn try_from(r: TraegerRow) -> Result<Self, DieselError> {
        Ok(Traeger {
            ags: Ags::parse(&r.ags).map_err(corrupt)?,
            content: TraegerContent {
                name: r.name,
                kind: r.kind.parse().map_err(corrupt)?,
                jobcenter: Jobcenter {
                    id: r.jobcenter_id,
                    name: r.jobcenter_name,
                    form: r.jobcenter_form.parse().map_err(corrupt)?,
                },
            },
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

impl From<&Traeger> for TraegerRow {
    fn from(t: &Traeger) -> Self {
        TraegerRow {
            ags: t.ags.to_string(),
            name: t.content.name.clone(),
            kind: t.content.kind.as_str().to_owned(),
            jobcenter_id: t.content.jobcenter.id.clone(),
            jobcenter_name: t.content.jobcenter.name.clone(),
            jobcenter_form: t.content.jobcenter.form.as_str().to_owned(),
            version: t.version,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// Holds the row until the transaction ends, so a read-compare-write cannot interleave with
/// another writer. SQLite needs nothing: a write transaction holds the whole database.
pub fn lock(conn: &mut DbConnection, ags: &Ags) -> QueryResult<()> {
    super::pool::lock_row(conn, "traeger", "ags", ags.as_str())
}

/// The Träger `ags`, if `seen_by` may see it.
pub fn find(
    conn: &mut DbConnection,
    seen_by: &Visibility,
    ags: &Ags,
) -> QueryResult<Option<Traeger>> {
    if !seen_by.sees(ags) {
        return Ok(None);
    }
    dsl::traeger
        .find(ags.as_str())
        .select(TraegerRow::as_select())
        .first(conn)
        .optional()?
        .map(Traeger::try_from)
        .transpose()
}

/// One page of what `seen_by` may see in AGS order, starting after `after`; fetches `limit`
/// rows.
pub fn list(
    conn: &mut DbConnection,
    seen_by: &Visibility,
    filter: &TraegerFilter,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<Traeger>> {
    let mut q = dsl::traeger.select(TraegerRow::as_select()).into_boxed();
    if let Some(form) = &filter.form {
        q = q.filter(dsl::jobcenter_form.eq(form.as_str()));
    }
    if let Some(kind) = &filter.kind {
        q = q.filter(dsl::kind.eq(kind.as_str()));
    }
    if let Some(own) = seen_by.only() {
        q = q.filter(dsl::ags.eq(own.as_str()));
    }
    if let Some(after) = after {
        q = q.filter(dsl::ags.gt(after));
    }
    q.order(dsl::ags.asc())
        .limit(limit)
        .load(conn)?
        .into_iter()
        .map(Traeger::try_from)
        .collect()
}

pub fn insert(conn: &mut DbConnection, t: &Traeger) -> QueryResult<()> {
    diesel::insert_into(dsl::traeger)
        .values(TraegerRow::from(t))
        .execute(conn)
        .map(drop)
}

/// Writes `t` only if the stored version is still `expected_version`; returns whether it did.
pub fn update(conn: &mut DbConnection, t: &Traeger, expected_version: i64) -> QueryResult<bool> {
    let row = TraegerRow::from(t);
    let n = diesel::update(
        dsl::traeger
            .filter(dsl::ags.eq(&row.ags))
            .filter(dsl::version.eq(expected_version)),
    )
    .set((
        dsl::name.eq(&row.name),
        dsl::kind.eq(&row.kind),
        dsl::jobcenter_id.eq(&row.jobcenter_id),
        dsl::jobcenter_name.eq(&row.jobcenter_name),
        dsl::jobcenter_form.eq(&row.jobcenter_form),
        dsl::version.eq(row.version),
        dsl::updated_at.eq(row.updated_at),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// The Träger, other than `except`, whose Jobcenter has this id.
pub fn jobcenter_owner(
    conn: &mut DbConnection,
    jobcenter_id: &str,
    except: &Ags,
) -> QueryResult<Option<String>> {
    dsl::traeger
        .filter(dsl::jobcenter_id.eq(jobcenter_id))
        .filter(dsl::ags.ne(except.as_str()))
        .select(dsl::ags)
        .first(conn)
        .optional()
}
