//! Conditional reads in the contract: `If-None-Match`, `ETag` and 304 on every GET that is not
//! streamed, declared once for all of them.

use utoipa::Modify;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{Ref, RefOr, Required};

/// Every GET under `/api/v1` whose answer is not streamed is a conditional read (see
/// `edge::conditional_reads`): it takes `If-None-Match`, answers 200 with an `ETag` and 304
/// when the tag named is current. Declared here once for all of them; applied to the whole
/// document, once the routes have added their paths.
pub struct ConditionalReads;

/// The GETs whose body is streamed, never held: no ETag, no 304.
const STREAMED: &[&str] = &["export_facts"];

impl Modify for ConditionalReads {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let tag_schema = || ObjectBuilder::new().schema_type(Type::String).build();
        let not_modified = ResponseBuilder::new()
            .description(
                "Not modified: the ETag named in `If-None-Match` is still current; no body.",
            )
            .header(
                "ETag",
                HeaderBuilder::new()
                    .schema(Some(tag_schema()))
                    .description(Some("The current version"))
                    .build(),
            )
            .build();
        openapi
            .components
            .get_or_insert_default()
            .responses
            .insert("NotModified".into(), not_modified.into());
        for (path, item) in openapi.paths.paths.iter_mut() {
            let Some(op) = item.get.as_mut().filter(|_| path.starts_with("/api/v1/")) else {
                continue;
            };
            if op
                .operation_id
                .as_deref()
                .is_some_and(|id| STREAMED.contains(&id))
            {
                continue;
            }
            let if_none_match = ParameterBuilder::new()
                .name("If-None-Match")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some("An ETag you hold: 304 while it is current"))
                .schema(Some(tag_schema()))
                .build();
            op.parameters
                .get_or_insert_default()
                .push(RefOr::T(if_none_match));
            op.responses.responses.insert(
                "304".into(),
                RefOr::Ref(Ref::from_response_name("NotModified")),
            );
            if let Some(RefOr::T(ok)) = op.responses.responses.get_mut("200") {
                ok.headers.entry("ETag".into()).or_insert_with(|| {
                    RefOr::T(
                        HeaderBuilder::new()
                            .schema(Some(tag_schema()))
                            .description(Some("Send as If-None-Match to read it again for little"))
                            .build(),
                    )
                });
            }
        }
    }
}
