//! Wire types of `/api/v1/indicators`: what requests carry and responses show.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::{IntoParams, PartialSchema, ToSchema};

use crate::api::problem::ApiError;
use crate::domain::Violation;
use crate::domain::indicator::{
    Indicator, IndicatorCode, IndicatorDefinition, IndicatorInput, Measure, Reference,
    ReferenceInput, Source, Unit, parse_year,
};

/// A reference date (`stock`) or period (`flow`), resolved for the year asked for, or
/// `monthly` for a figure per Bezugsmonat (the Kennzahlen of § 48a SGB II).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"kind": "stock", "date": "2023-12-31"}))]
pub struct ReferenceResponse {
    /// `stock`, `flow` or `monthly`.
    #[schema(example = "stock")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
}

impl ReferenceResponse {
    pub fn of(r: Reference, year: i32) -> Self {
        match r {
            Reference::Stock { date } => Self {
                kind: "stock".into(),
                date: Some(date.in_year(year)),
                from: None,
                to: None,
            },
            Reference::Flow { from, to } => Self {
                kind: "flow".into(),
                date: None,
                from: Some(from.in_year(year)),
                to: Some(to.in_year(year)),
            },
            Reference::Monthly => Self {
                kind: "monthly".into(),
                date: None,
                from: None,
                to: None,
            },
        }
    }
}

/// One version of an indicator.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "code": "debt_counselling_stock_sgb2", "valid_from": 2023, "year": 2023, "section": "§ 2 (3)",
    "name_de": "davon aus SGB II-Bedarfsgemeinschaften (Bestand)", "description_de": null,
    "unit": "count", "measure": "stock", "source": "traeger",
    "reference": {"kind": "stock", "date": "2023-12-31"},
    "part_of": "debt_counselling_stock", "breakdown_by_reporting_body": true, "discontinued": false,
    "version": 1, "created_at": "2026-11-25T08:00:00Z", "updated_at": "2026-11-25T08:00:00Z"
}))]
pub struct IndicatorResponse {
    pub code: String,
    /// First year this version applies to; it applies until the next version of the code.
    pub valid_from: i32,
    /// The year the reference date or period is given for.
    pub year: i32,
    pub section: String,
    pub name_de: String,
    pub description_de: Option<String>,
    pub unit: Unit,
    pub measure: Measure,
    pub source: Source,
    pub reference: ReferenceResponse,
    /// The total this "davon" figure is part of.
    pub part_of: Option<String>,
    /// Whether values are broken down by reporting body (Jugendamt, Schuldnerberatungsstelle …).
    pub breakdown_by_reporting_body: bool,
    /// From `valid_from` on, the code is no longer asked for.
    pub discontinued: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl IndicatorResponse {
    /// The version as it reads for `year` (its own first year when none is asked for).
    pub fn of(i: Indicator, year: Option<i32>) -> Self {
        let d = i.definition;
        let year = year.unwrap_or(i.valid_from);
        IndicatorResponse {
            code: i.code.to_string(),
            valid_from: i.valid_from,
            year,
            section: d.section,
            name_de: d.name_de,
            description_de: d.description_de,
            unit: d.unit,
            measure: d.measure,
            source: d.source,
            reference: ReferenceResponse::of(d.reference, year),
            part_of: d.part_of.map(String::from),
            breakdown_by_reporting_body: d.breakdown_by_reporting_body,
            discontinued: d.discontinued,
            version: i.version,
            created_at: i.created_at.and_utc(),
            updated_at: i.updated_at.and_utc(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorPage {
    pub items: Vec<IndicatorResponse>,
    /// Pass as `after` to get the next page; null on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferenceRequest {
    /// `stock` (a date), `flow` (a period) or `monthly` (one figure per Bezugsmonat, for a
    /// `quotient`).
    #[schema(value_type = String, required = true, example = "stock")]
    pub kind: Option<String>,
    /// For `stock`: the reference date, in the year of validity.
    #[schema(value_type = Option<String>, example = "2024-12-31")]
    pub date: Option<String>,
    /// For `flow`: first day of the period, in the year of validity.
    #[schema(value_type = Option<String>)]
    pub from: Option<String>,
    /// For `flow`: last day of the period, in the year of validity.
    #[schema(value_type = Option<String>)]
    pub to: Option<String>,
}

/// The definition of an indicator version.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "section": "§ 2 (3)", "name_de": "Personen in Schuldnerberatung, Bestand zum Stichtag 31.12.",
    "unit": "count", "measure": "stock", "source": "traeger",
    "reference": {"kind": "stock", "date": "2024-12-31"}, "breakdown_by_reporting_body": true
}))]
pub struct IndicatorDefinitionRequest {
    #[schema(value_type = String, required = true, example = "§ 2 (3)")]
    pub section: Option<String>,
    #[schema(value_type = String, required = true)]
    pub name_de: Option<String>,
    pub description_de: Option<String>,
    #[schema(value_type = Unit, required = true)]
    pub unit: Option<String>,
    #[schema(value_type = Measure, required = true)]
    pub measure: Option<String>,
    #[schema(value_type = Source, required = true)]
    pub source: Option<String>,
    #[schema(required = true)]
    pub reference: Option<ReferenceRequest>,
    /// Code of the total this is a "davon" part of.
    pub part_of: Option<String>,
    #[serde(default)]
    pub breakdown_by_reporting_body: Option<bool>,
    #[serde(default)]
    pub discontinued: Option<bool>,
}

impl IndicatorDefinitionRequest {
    pub(super) fn validate(self, year: Option<i32>) -> Result<IndicatorDefinition, Vec<Violation>> {
        IndicatorInput {
            section: self.section,
            name_de: self.name_de,
            description_de: self.description_de,
            unit: self.unit,
            measure: self.measure,
            source: self.source,
            reference: self.reference.map(|r| ReferenceInput {
                kind: r.kind,
                date: r.date,
                from: r.from,
                to: r.to,
            }),
            part_of: self.part_of,
            breakdown_by_reporting_body: self.breakdown_by_reporting_body,
            discontinued: self.discontinued,
        }
        .validate(year)
    }
}

/// A new indicator, or a new version of one from a year on: the definition, with `code` and
/// `valid_from` beside its fields.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateIndicatorRequest {
    pub code: Option<String>,
    pub valid_from: Option<i64>,
    #[serde(flatten)]
    pub definition: IndicatorDefinitionRequest,
}

/// One closed object: the definition's own with `code` and `valid_from` added. Derived, serde's
/// `flatten` would be an `allOf` of the closed definition and more properties, which no body
/// satisfies.
impl PartialSchema for CreateIndicatorRequest {
    fn schema() -> RefOr<Schema> {
        let mut object = match IndicatorDefinitionRequest::schema() {
            RefOr::T(Schema::Object(object)) => object,
            other => return other,
        };
        let code = ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("^[a-z][a-z0-9_]{1,63}$"))
            .description(Some("The indicator's code, e.g. `debt_counselling_stock`."));
        let valid_from = ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
            .description(Some("The first year the version applies to."));
        object.properties.insert("code".into(), code.into());
        object
            .properties
            .insert("valid_from".into(), valid_from.into());
        object
            .required
            .splice(0..0, ["code".into(), "valid_from".into()]);
        object.description =
            Some("A new indicator, or a new version of one from a year on.".into());
        object.example = Some(serde_json::json!({
            "code": "debt_counselling_stock", "valid_from": 2024, "section": "§ 2 (3)",
            "name_de": "Personen in Schuldnerberatung, Bestand zum Stichtag 31.12.",
            "unit": "count", "measure": "stock", "source": "traeger",
            "reference": {"kind": "stock", "date": "2024-12-31"}, "breakdown_by_reporting_body": true
        }));
        RefOr::T(Schema::Object(object))
    }
}

impl ToSchema for CreateIndicatorRequest {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("CreateIndicatorRequest")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        <IndicatorDefinitionRequest as ToSchema>::schemas(schemas);
    }
}

/// A required field: absent, or present but malformed, is a violation at `pointer`.
pub(super) fn required<T>(
    pointer: &str,
    parsed: Option<Result<T, String>>,
) -> Result<T, Violation> {
    match parsed {
        None => Err(Violation::new(pointer, "is required")),
        Some(r) => r.map_err(|m| Violation::new(pointer, m)),
    }
}

impl CreateIndicatorRequest {
    pub(super) fn validate(self) -> Result<(IndicatorCode, i32, IndicatorDefinition), ApiError> {
        let code = required("/code", self.code.as_deref().map(IndicatorCode::parse));
        let year = required("/valid_from", self.valid_from.map(parse_year));
        let definition = self.definition.validate(year.as_ref().ok().copied());
        match (code, year, definition) {
            (Ok(c), Ok(y), Ok(d)) => Ok((c, y, d)),
            (c, y, d) => Err(ApiError::invalid(
                c.err()
                    .into_iter()
                    .chain(y.err())
                    .chain(d.err().unwrap_or_default())
                    .collect(),
            )),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct IndicatorQuery {
    /// The catalogue valid in this year; without it, every version.
    pub year: Option<i64>,
    /// e.g. `§ 2 (3)`
    pub section: Option<String>,
    pub source: Option<Source>,
    #[param(minimum = 1, maximum = 1000, default = 100)]
    pub limit: Option<i64>,
    /// The `next` of the previous page.
    pub after: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct YearQuery {
    /// The year: for reading, the version valid then; for changing, the version's `valid_from`.
    pub year: Option<i64>,
}
