//! The generated contract: served at `/api-docs/openapi.json`, shown by Swagger UI at
//! `/swagger-ui/`, committed as `openapi/openapi.json`.

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Ref, RefOr, Required};
use utoipa::{Modify, OpenApi};

use super::formats::CsvDialect;
use super::v1::exports::ExportFormat;
use super::v1::transmissions::DataFormat;
use crate::domain::fact::FactState;
use crate::domain::transmission::BaMarker;

use super::problem::{
    BadRequest, ConflictResponse, FieldError, ForbiddenResponse, NotFound, PayloadTooLargeResponse,
    PreconditionFailedResponse, PreconditionRequiredResponse, Problem, Unauthorized, Unavailable,
    Unprocessable, UnsupportedMediaTypeResponse,
};

pub const SPEC_PATH: &str = "/api-docs/openapi.json";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "zv-monitor",
        description = "Target agreements (Zielvereinbarungen) between the Hessian ministry HMSI and the 26 \
kommunale Träger under § 48b SGB II and § 8a OFFENSIV-Gesetz, and the figures they oblige everyone to deliver.\n\n\
Authenticate with `Authorization: Bearer <JWT>` (button *Authorize*). Roles: `hmsi` sees everything; \
`traeger` and `jobcenter` see only their own Träger. Scopes: `read`, `write`.\n\n\
Every response carries `X-Request-Id` (sent by you or made by the service); every error is \
`application/problem+json` whose `instance` is that id.",
        license(name = "EUPL-1.2")
    ),
    modifiers(&BearerAuth),
    components(
        // Enums that only query parameters name: parameters do not register their schemas.
        schemas(Problem, FieldError, FactState, BaMarker, ExportFormat, CsvDialect, DataFormat),
        responses(BadRequest, Unauthorized, ForbiddenResponse, NotFound, ConflictResponse,
            PreconditionFailedResponse, PreconditionRequiredResponse, PayloadTooLargeResponse,
            UnsupportedMediaTypeResponse, Unprocessable, Unavailable)
    ),
    tags(
        (name = "traeger", description = "The registry of the kommunale Träger and their Jobcenter"),
        (name = "indicators", description = "The catalogue of figures (Kennzahlen), versioned by year of validity"),
        (name = "agreements", description = "The Zielvereinbarungen: obligations, signatures, rollover"),
        (name = "obligations", description = "Who delivers what to whom by when, and where it stands"),
        (name = "submissions", description = "The Träger's figures: drafts, submission, review, corrections, receipts"),
        (name = "transmissions", description = "BA statistics: requested and received by HMSI, forwarded to each Träger"),
        (name = "audit", description = "The append-only, hash-chained ledger of every write"),
        (name = "changes", description = "The ledger as an ordered change feed for incremental loads"),
        (name = "exports", description = "Every value in long format, streamed, for the HMSI data warehouse"),
        (name = "operations", description = "Health and metrics for operators"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        openapi
            .components
            .get_or_insert_default()
            .add_security_scheme(
                "bearer",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .bearer_format("JWT")
                        .description(Some(
                            "A token from your identity provider, or in development from \
                         `zv-monitor token --role hmsi`",
                        ))
                        .build(),
                ),
            );
    }
}

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
