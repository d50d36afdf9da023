//! The authenticated caller, extracted from `Authorization: Bearer <JWT>`.

use std::future::{Ready, ready};

use actix_web::http::header::{self, HeaderMap};
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};

use actix_web::HttpMessage;

use futures_util::future::{Either, LocalBoxFuture};

use super::jwt::{Claims, Refusal, Verifier};
use crate::domain::actor::{Actor, RequestId, Role};
use crate::domain::traeger::Ags;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scopes {
    pub read: bool,
    pub write: bool,
}

impl Scopes {
    /// `scope` is space separated (RFC 8693); scopes this service does not know are ignored.
    pub fn parse(scope: &str) -> Self {
        let mut s = Scopes::default();
        for word in scope.split_ascii_whitespace() {
            match word {
                "read" => s.read = true,
                "write" => s.write = true,
                _ => {}
            }
        }
        s
    }
}

#[derive(Debug, Clone)]
pub struct Principal {
    pub sub: String,
    pub role: Role,
    pub traeger: Option<Ags>,
    pub jobcenter: Option<String>,
    pub scopes: Scopes,
    pub request_id: String,
}

/// Why a request is not authenticated; the text is shown to the caller.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Unauthenticated(pub String);

impl Principal {
    /// A token of a Träger or its Jobcenter is bound to exactly one Träger; without it the
    /// token cannot be scoped and is refused.
    pub fn from_claims(claims: Claims, request_id: String) -> Result<Self, Unauthenticated> {
        let bad = |m: String| Unauthenticated(m);
        if claims.sub.trim().is_empty() {
            return Err(bad("the token's `sub` is empty".into()));
        }
        // `sub` is recorded in the ledger: it must be text either database stores.
        if claims.sub.chars().any(char::is_control) || claims.sub.len() > 255 {
            return Err(bad(
                "the token's `sub` is not a name of at most 255 printable characters".into(),
            ));
        }
        let role: Role = claims.role.parse().map_err(bad)?;
        let traeger = claims
            .traeger
            .as_deref()
            .map(Ags::parse)
            .transpose()
            .map_err(|e| bad(format!("the token's `traeger`: {e}")))?;
        let jobcenter = claims.jobcenter.filter(|j| !j.is_empty());
        match role {
            Role::Traeger | Role::Jobcenter if traeger.is_none() => {
                return Err(bad(format!("a {role} token needs the claim `traeger`")));
            }
            Role::Jobcenter if jobcenter.is_none() => {
                return Err(bad("a jobcenter token needs the claim `jobcenter`".into()));
            }
            _ => {}
        }
        Ok(Principal {
            sub: claims.sub,
            role,
            traeger,
            jobcenter,
            scopes: Scopes::parse(&claims.scope),
            request_id,
        })
    }

    /// The author of a write, as the ledger records it.
    pub fn actor(&self) -> Actor {
        Actor {
            sub: self.sub.clone(),
            role: self.role,
            traeger: self.traeger.clone(),
            request_id: self.request_id.clone(),
        }
    }
}

/// The bearer token of a request, unverified; the limits count it as sent, valid or not.
pub fn bearer(headers: &HeaderMap) -> Result<&str, Unauthenticated> {
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| Unauthenticated("this operation needs a bearer token".into()))?;
    let value = value
        .to_str()
        .map_err(|_| Unauthenticated("the Authorization header is not ASCII".into()))?;
    value
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Unauthenticated("the Authorization header must be `Bearer <token>`".into()))
}

fn request_id(req: &HttpRequest) -> String {
    req.extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default()
}

type Authenticated = Result<Principal, Unauthenticated>;

impl FromRequest for Principal {
    type Error = Unauthenticated;
    /// Ready at once, unless the token names a key the set in force lacks: then it waits for
    /// the refresher's look at the identity provider.
    type Future = Either<Ready<Authenticated>, LocalBoxFuture<'static, Authenticated>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(verifier) = req.app_data::<web::Data<Verifier>>() else {
            return Either::Left(ready(Err(Unauthenticated("no key is configured".into()))));
        };
        let token = match bearer(req.headers()) {
            Ok(token) => token,
            Err(e) => return Either::Left(ready(Err(e))),
        };
        match verifier.verify(token) {
            Ok(claims) => Either::Left(ready(Principal::from_claims(claims, request_id(req)))),
            Err(Refusal::UnknownKey(_)) if verifier.keys().is_some() => {
                let (verifier, token, id) = (verifier.clone(), token.to_owned(), request_id(req));
                Either::Right(Box::pin(async move {
                    let claims = verifier
                        .verify_after_refresh(&token)
                        .await
                        .map_err(Unauthenticated)?;
                    Principal::from_claims(claims, id)
                }))
            }
            Err(refusal) => Either::Left(ready(Err(Unauthenticated(refusal.message())))),
        }
    }
}
