//! Schemas of the contract that no Rust type gives by itself.

use std::borrow::Cow;

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::{PartialSchema, ToSchema};

/// A figure as the wire carries it: a count as a whole number, a euro amount as a decimal
/// string with two decimals (`"1250.50"`, exact where a binary float is not; a request may
/// also send a number), a text as a string.
pub struct FigureValue;

impl PartialSchema for FigureValue {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::Number, Type::String]))
            .description(Some(
                "A count as a whole number; a euro amount as a decimal string with two \
                 decimals, e.g. \"1250.50\" (a request may send a number); a text as a string.",
            ))
            .examples([serde_json::json!(412), serde_json::json!("1250.50")])
            .into()
    }
}

impl ToSchema for FigureValue {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("FigureValue")
    }
}

/// A document in the media type of its response (a PDF), as bytes.
pub struct Document;

impl PartialSchema for Document {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::String))
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Binary,
            )))
            .description(Some("The document's bytes"))
            .into()
    }
}

impl ToSchema for Document {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Document")
    }
}
