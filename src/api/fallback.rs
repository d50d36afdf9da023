//! Answers for requests no handler takes, and for input actix refuses before a handler runs,
//! all as problem+json.

use actix_web::dev::ResourceDef;
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};

use super::problem::ApiError;

/// The paths of the contract and their methods, to tell 405 from 404.
pub struct RouteTable(Vec<(ResourceDef, Vec<String>)>);

impl RouteTable {
    pub fn from_spec(spec: &utoipa::openapi::OpenApi) -> Self {
        let routes = spec
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    ("GET", item.get.is_some()),
                    ("PUT", item.put.is_some()),
                    ("POST", item.post.is_some()),
                    ("DELETE", item.delete.is_some()),
                    ("PATCH", item.patch.is_some()),
                ]
                .into_iter()
                .filter(|(_, present)| *present)
                .map(|(m, _)| m.to_owned())
                .collect();
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        Self(routes)
    }

    fn allowed(&self, path: &str) -> Option<&[String]> {
        self.0
            .iter()
            .find(|(def, _)| def.is_match(path))
            .map(|(_, m)| m.as_slice())
    }
}

/// The default service: 405 with `Allow` for a known path, 404 otherwise.
pub async fn no_route(req: HttpRequest, routes: web::Data<RouteTable>) -> HttpResponse {
    let err = match routes.allowed(req.path()) {
        Some(methods) => ApiError::MethodNotAllowed(methods.to_vec()),
        None => ApiError::RouteNotFound(format!("There is no resource at {}.", req.path())),
    };
    err.error_response()
}

pub fn json_error(err: JsonPayloadError, _: &HttpRequest) -> actix_web::Error {
    let api = match &err {
        JsonPayloadError::ContentType => {
            ApiError::UnsupportedMediaType("The request body must be application/json.".into())
        }
        JsonPayloadError::Overflow { limit }
        | JsonPayloadError::OverflowKnownLength { limit, .. } => {
            ApiError::PayloadTooLarge(format!("The request body is larger than {limit} bytes."))
        }
        JsonPayloadError::Deserialize(e) => ApiError::BadRequest(format!(
            "The request body is not valid JSON for this operation: {e}"
        )),
        other => ApiError::BadRequest(format!("The request body could not be read: {other}")),
    };
    api.into()
}

pub fn query_error(err: QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    ApiError::BadRequest(format!("A query parameter is invalid: {err}")).into()
}

pub fn path_error(err: PathError, _: &HttpRequest) -> actix_web::Error {
    ApiError::BadRequest(format!("A path parameter is invalid: {err}")).into()
}
