use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::schema::indicators::{self, dsl};
use super::schema::{agreements, obligation_indicators, obligations};
use super::{DbConnection, corrupt};
use crate::domain::agreement::AgreementStatus;
use crate::domain::indicator::{Indicator, IndicatorCode, IndicatorDefinition, Reference};

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = indicators)]
struct IndicatorRow {
    code: String,
    valid_from: i32,
    section: String,
    name_de: String,
    description_de: Option<String>,
    unit: String,
    measure: String,
    source: String,
    reference: String,
    part_of: Option<String>,
    breakdown_by_reporting_body: bool,
    discontinued: bool,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl TryFrom<IndicatorRow> for Indicator {
    type Error = DieselError;
    fn try_from(r: IndicatorRow) -> Result<Self, DieselError> {
        Ok(Indicator {
            code: IndicatorCode::parse(&r.code).map_err(corrupt)?,
            valid_from: r.valid_from,
            definition: IndicatorDefinition {
                section: r.section,
                name_de: r.name_de,
                description_de: r.description_de,
                unit: r.unit.parse().map_err(corrupt)?,
                measure: r.measure.parse().map_err(corrupt)?,
                source: r.source.parse().map_err(corrupt)?,
                reference: Reference::from_text(&r.reference)
                    .ok_or_else(|| corrupt(format!("reference `{}`", r.reference)))?,
                part_of: r
                    .part_of
                    .map(|p| IndicatorCode::parse(&p))
                    .transpose()
                    .map_err(corrupt)?,
                breakdown_by_reporting_body: r.breakdown_by_reporting_body,
                discontinued: r.discontinued,
            },
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

impl From<&Indicator> for IndicatorRow {
    fn from(i: &Indicator) -> Self {
        let d = &i.definition;
        IndicatorRow {
            code: i.code.to_string(),
            valid_from: i.valid_from,
            section: d.section.clone(),
            name_de: d.name_de.clone(),
            description_de: d.description_de.clone(),
            unit: d.unit.as_str().to_owned(),
            measure: d.measure.as_str().to_owned(),
            source: d.source.as_str().to_owned(),
            reference: d.reference.to_text(),
            part_of: d.part_of.as_ref().map(ToString::to_string),
            breakdown_by_reporting_body: d.breakdown_by_reporting_body,
            discontinued: d.discontinued,
            version: i.version,
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }
}

fn load(rows: Vec<IndicatorRow>) -> QueryResult<Vec<Indicator>> {
    rows.into_iter().map(Indicator::try_from).collect()
}

/// Every version valid from `up_to` or earlier (all versions without a bound), in code and
/// year order. The catalogue is small: tens of codes, a few versions each.
pub fn versions(conn: &mut DbConnection, up_to: Option<i32>) -> QueryResult<Vec<Indicator>> {
    let mut q = dsl::indicators
        .select(IndicatorRow::as_select())
        .into_boxed();
    if let Some(year) = up_to {
        q = q.filter(dsl::valid_from.le(year));
    }
    load(
        q.order((dsl::code.asc(), dsl::valid_from.asc()))
            .load(conn)?,
    )
}

pub fn versions_of(conn: &mut DbConnection, code: &IndicatorCode) -> QueryResult<Vec<Indicator>> {
    load(
        dsl::indicators
            .filter(dsl::code.eq(code.as_str()))
            .select(IndicatorRow::as_select())
            .order(dsl::valid_from.asc())
            .load(conn)?,
    )
}

pub fn insert(conn: &mut DbConnection, i: &Indicator) -> QueryResult<()> {
    diesel::insert_into(dsl::indicators)
        .values(IndicatorRow::from(i))
        .execute(conn)
        .map(drop)
}

/// Writes `i` only if the stored version is still `expected_version`.
pub fn update(conn: &mut DbConnection, i: &Indicator, expected_version: i64) -> QueryResult<bool> {
    let row = IndicatorRow::from(i);
    let n = diesel::update(
        dsl::indicators
            .filter(dsl::code.eq(&row.code))
            .filter(dsl::valid_from.eq(row.valid_from))
            .filter(dsl::version.eq(expected_version)),
    )
    .set((
        dsl::section.eq(&row.section),
        dsl::name_de.eq(&row.name_de),
        dsl::description_de.eq(&row.description_de),
        dsl::unit.eq(&row.unit),
        dsl::measure.eq(&row.measure),
        dsl::source.eq(&row.source),
        dsl::reference.eq(&row.reference),
        dsl::part_of.eq(&row.part_of),
        dsl::breakdown_by_reporting_body.eq(row.breakdown_by_reporting_body),
        dsl::discontinued.eq(row.discontinued),
        dsl::version.eq(row.version),
        dsl::updated_at.eq(row.updated_at),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Whether a signed agreement of a year in `years` asks for `code`: from then on the
/// definition is part of a contract and values will be reported against it.
pub fn in_signed_agreement(
    conn: &mut DbConnection,
    code: &IndicatorCode,
    years: std::ops::Range<i32>,
) -> QueryResult<bool> {
    let signed = agreements::table
        .filter(agreements::year.ge(years.start))
        .filter(agreements::year.lt(years.end))
        .filter(agreements::status.ne(AgreementStatus::Draft.as_str()))
        .select(agreements::id);
    let in_signed = obligations::table
        .filter(obligations::agreement_id.eq_any(signed))
        .select(obligations::id);
    let n: i64 = obligation_indicators::table
        .filter(obligation_indicators::indicator_code.eq(code.as_str()))
        .filter(obligation_indicators::obligation_id.eq_any(in_signed))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}
