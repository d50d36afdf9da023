//! The generated contract: served at `/api-docs/openapi.json`, shown by Swagger UI at
//! `/swagger-ui/`, committed as `openapi/openapi.json`.

mod conditional_reads;
mod parameters;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

pub use conditional_reads::ConditionalReads;
pub use parameters::SharedParameters;

use super::formats::{CsvDialect, ReportFormat};
use super::v1::exports::ExportFormat;
use super::v1::transmissions::DataFormat;
use crate::domain::fact::FactState;
use crate::domain::transmission::BaMarker;

use super::problem::{
    BadRequest, ConflictResponse, FieldError, ForbiddenResponse, NotFound, PayloadTooLargeResponse,
    PreconditionFailedResponse, PreconditionRequiredResponse, Problem, TooManyRequestsResponse,
    Unauthorized, Unavailable, Unprocessable, UnsupportedMediaTypeResponse,
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
`application/problem+json` whose `instance` is that id. Each token and each client address may \
send a replica a bounded number of requests (`ZV_RATE_LIMIT_PER_TOKEN`, `ZV_RATE_LIMIT_PER_ADDRESS`); \
beyond that the answer is 429 with `Retry-After`.",
        license(name = "EUPL-1.2")
    ),
    modifiers(&BearerAuth),
    components(
        // Enums that only query parameters name: parameters do not register their schemas.
        schemas(Problem, FieldError, FactState, BaMarker, ExportFormat, CsvDialect, DataFormat, ReportFormat),
        responses(BadRequest, Unauthorized, ForbiddenResponse, NotFound, ConflictResponse,
            PreconditionFailedResponse, PreconditionRequiredResponse, PayloadTooLargeResponse,
            UnsupportedMediaTypeResponse, Unprocessable, TooManyRequestsResponse, Unavailable)
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
        (name = "events", description = "What integrators are told: the events of submissions, agreements, transmissions and deadlines, pulled or pushed as signed webhooks"),
        (name = "reports", description = "What HMSI reads across all Träger: completeness of a year's deliveries, one indicator across the years"),
        (name = "webhooks", description = "Subscriptions: events pushed to a receiver, signed by Standard Webhooks, at least once, with the attempts to see and resend"),
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

/// The contract as served: serialised once at start and shared by every worker. Swagger UI
/// holding a copy of the document per worker (and serialising it again for each fetch) was
/// most of the replica's idle memory (benches/share).
#[derive(Clone)]
pub struct ServedSpec(actix_web::web::Bytes);

impl ServedSpec {
    pub fn new(spec: &utoipa::openapi::OpenApi) -> serde_json::Result<Self> {
        Ok(Self(serde_json::to_vec(spec)?.into()))
    }

    /// Registers the document at [`SPEC_PATH`] and Swagger UI, which loads it from there.
    pub fn register(&self, config: &mut actix_web::web::ServiceConfig) {
        let body = self.0.clone();
        config
            .route(
                SPEC_PATH,
                actix_web::web::get().to(move || {
                    let body = body.clone();
                    async move {
                        actix_web::HttpResponse::Ok()
                            .content_type(actix_web::http::header::ContentType::json())
                            .body(body)
                    }
                }),
            )
            .service(
                utoipa_swagger_ui::SwaggerUi::new("/swagger-ui/{_:.*}")
                    .config(utoipa_swagger_ui::Config::new([SPEC_PATH])),
            );
    }
}
