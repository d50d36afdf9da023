//! `DELETE /api/v1/submissions/{id}`: the Träger throws its draft away.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, web};

use super::{SubmissionResponse, TAG};
use crate::api::headers::{IfMatch, versioned};
use crate::api::params;
use crate::api::problem::{ApiError, CommonProblems, ConflictResponse, IfMatchProblems, NotFound};
use crate::app::Services;
use crate::app::submissions::{self as app, Step};
use crate::auth::Principal;
use crate::auth::policy::{Permission, authorize};

/// Discard the draft
///
/// A Träger token with scope `write`, `If-Match` required. A first draft never went out: it is
/// removed with the submission (204), and the obligation is open again. A later draft (after a
/// return, or a correction) is thrown away and the submission is as it was before it (200). The
/// ledger keeps what was discarded. A submitted, accepted or returned revision is never
/// discarded: 409.
#[utoipa::path(tag = TAG, params(("id" = String, Path, example = "sub-zv-2023-06633-1.3"),
    ("If-Match" = String, Header, description = "The ETag you read")), responses(
    (status = 204, description = "The submission is gone: it held only the draft"),
    (status = 200, description = "The submission as it was before the draft", body = SubmissionResponse,
        headers(("ETag" = String, description = "The new version"))),
    CommonProblems,
    (status = 404, response = NotFound),
    (status = 409, response = ConflictResponse),
    IfMatchProblems,
), security(("bearer" = [])))]
#[delete("/submissions/{id}")]
pub async fn discard_submission(
    principal: Principal,
    id: web::Path<String>,
    if_match: IfMatch,
    services: web::Data<Services>,
) -> Result<HttpResponse, ApiError> {
    let visibility = authorize(&principal, Permission::DeliverFigures)?;
    let step = Step {
        actor: principal.actor(),
        visibility,
        id: params::id(&id)?,
        expected_version: if_match.0,
        mode: crate::app::Mode::Write,
    };
    Ok(match app::discard(&services, step).await? {
        None => HttpResponse::NoContent().finish(),
        Some(s) => versioned(StatusCode::OK, s.version, SubmissionResponse::from(s)),
    })
}
