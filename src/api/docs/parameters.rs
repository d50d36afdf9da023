//! The parameters many operations share mean the same wherever they appear: a year is a year
//! the service keeps, an AGS a Hessian Kreisschlüssel, a cursor one it gave out. Their bounds are
//! declared here once, from the constants the parsers check, so a generated client refuses what
//! the service would refuse before it sends it.

use utoipa::Modify;
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, SchemaFormat, SchemaType, Type};
use utoipa::openapi::{KnownFormat, RefOr, Schema};

use crate::api::pagination::{CURSOR_PATTERN, MAX_CURSOR_CHARS};
use crate::domain::indicator::{MAX_YEAR, MIN_YEAR};
use crate::domain::traeger::AGS_PATTERN;

pub struct SharedParameters;

/// The schema of a shared parameter, by where it is, what it is called and what it is (the
/// change feed's `after` is a number, not a cursor).
fn schema_of(place: &ParameterIn, name: &str, current: Option<&RefOr<Schema>>) -> Option<Schema> {
    let text = || ObjectBuilder::new().schema_type(Type::String);
    let built = match (place, name) {
        (ParameterIn::Query, "year") => ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
            .minimum(Some(MIN_YEAR))
            .maximum(Some(MAX_YEAR)),
        // The number of a revision or version: they count from 1.
        (ParameterIn::Path, "n") => ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
            .minimum(Some(1)),
        (ParameterIn::Query, "traeger") | (ParameterIn::Path, "ags") => {
            text().pattern(Some(AGS_PATTERN))
        }
        (ParameterIn::Query, "after") if is_text(current) => text()
            .min_length(Some(1))
            .max_length(Some(MAX_CURSOR_CHARS))
            .pattern(Some(CURSOR_PATTERN)),
        (ParameterIn::Query, "as_of") => {
            text().format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
        }
        _ => return None,
    };
    Some(Schema::Object(built.build()))
}

fn is_text(schema: Option<&RefOr<Schema>>) -> bool {
    matches!(schema, Some(RefOr::T(Schema::Object(o))) if o.schema_type == SchemaType::Type(Type::String))
}

impl Modify for SharedParameters {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let operations = openapi.paths.paths.values_mut().flat_map(|item| {
            [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
        });
        for op in operations {
            for p in op.parameters.iter_mut().flatten() {
                let RefOr::T(Parameter {
                    name,
                    parameter_in,
                    schema,
                    ..
                }) = p
                else {
                    continue;
                };
                if let Some(s) = schema_of(parameter_in, name, schema.as_ref()) {
                    *schema = Some(RefOr::T(s));
                }
            }
        }
    }
}
