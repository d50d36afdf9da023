//! Verifying bearer tokens, and signing development tokens.
//!
//! Two kinds of keys: an HS256 shared secret for development, and the identity provider's JWK
//! set of public keys (RS256/ES256/EdDSA …) for production, each pinned to the one algorithm
//! its JWK names and selected by the token's `kid` (see `keys`). The algorithm is never taken
//! from the token alone, and `none` is never accepted.

use std::sync::Arc;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::claims::{ClaimPointers, typ_accepted};
use super::keys::LiveKeys;

/// Tolerated clock skew between the token issuer and this service.
const LEEWAY_SECONDS: u64 = 30;

/// The claims of API.md.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traeger: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jobcenter: Option<String>,
    #[serde(default)]
    pub scope: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
    pub exp: i64,
    pub iat: i64,
}

/// Why a token is refused; the text is safe to show the caller: it names what is wrong,
/// never a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The token names a key the set in force does not hold; a refresh may bring it.
    UnknownKey(String),
    Invalid(String),
}

impl Refusal {
    pub fn message(self) -> String {
        match self {
            Refusal::UnknownKey(kid) => format!("the token's key `{kid}` is unknown"),
            Refusal::Invalid(message) => message,
        }
    }
}

#[derive(Clone)]
pub struct Verifier {
    secret: Option<DecodingKey>,
    keys: Option<Arc<LiveKeys>>,
    issuer: Option<String>,
    audience: Option<String>,
    pointers: ClaimPointers,
    /// The one `typ` a token must name, when pinned.
    typ: Option<String>,
}

impl Verifier {
    pub fn new(secret: Option<&[u8]>, issuer: Option<String>, audience: Option<String>) -> Self {
        Self {
            secret: secret.map(DecodingKey::from_secret),
            keys: None,
            issuer,
            audience,
            pointers: ClaimPointers::default(),
            typ: None,
        }
    }

    /// Reads role, Träger and scope where the identity provider puts them, and takes only
    /// tokens of type `typ` when it is pinned.
    pub fn with_claims(mut self, pointers: ClaimPointers, typ: Option<String>) -> Self {
        self.pointers = pointers;
        self.typ = typ;
        self
    }

    /// Takes public keys from the identity provider's JWK set, kept fresh by its refresher.
    pub fn with_keys(mut self, keys: Arc<LiveKeys>) -> Self {
        self.keys = Some(keys);
        self
    }

    /// The JWK set in force, when one is configured.
    pub fn keys(&self) -> Option<&Arc<LiveKeys>> {
        self.keys.as_ref()
    }

    /// What a token of `alg` must meet: its signature, `exp` and `nbf` with the leeway, and
    /// the issuer and audience when they are configured.
    fn validation(&self, alg: Algorithm) -> Validation {
        let mut validation = Validation::new(alg);
        validation.leeway = LEEWAY_SECONDS;
        // A token is valid from `nbf` on; one presented before is refused like an expired one.
        validation.validate_nbf = true;
        let mut required = vec!["exp", "sub"];
        match &self.issuer {
            Some(iss) => {
                validation.set_issuer(&[iss]);
                required.push("iss");
            }
            None => validation.iss = None,
        }
        match &self.audience {
            Some(aud) => {
                validation.set_audience(&[aud]);
                required.push("aud");
            }
            None => validation.validate_aud = false,
        }
        validation.set_required_spec_claims(&required);
        validation
    }

    /// Checks signature, algorithm, expiry, issuer and audience with the keys in force.
    pub fn verify(&self, token: &str) -> Result<Claims, Refusal> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| Refusal::Invalid("the token is not a JWT".to_owned()))?;
        if !typ_accepted(header.typ.as_deref(), self.typ.as_deref()) {
            return Err(Refusal::Invalid(format!(
                "the token's type `{}` is not accepted",
                header.typ.as_deref().unwrap_or_default()
            )));
        }
        let keys = self.keys.as_ref().map(|k| k.current());
        let (key, alg) = match &header.kid {
            Some(kid) => keys
                .as_deref()
                .and_then(|set| set.get(kid))
                .ok_or_else(|| Refusal::UnknownKey(kid.clone()))?,
            None => (
                self.secret
                    .as_ref()
                    .ok_or_else(|| Refusal::Invalid("the token names no key (`kid`)".to_owned()))?,
                Algorithm::HS256,
            ),
        };
        if header.alg != alg {
            return Err(Refusal::Invalid(format!(
                "the token's algorithm {:?} is not allowed for its key",
                header.alg
            )));
        }
        self.check(token, key, alg).map_err(Refusal::Invalid)
    }

    /// For a token whose key the set in force lacks (`Refusal::UnknownKey`): verifies it once
    /// more after the refresher looked at the provider's set (at most once per `refetch`).
    pub async fn verify_after_refresh(&self, token: &str) -> Result<Claims, String> {
        if let Some(keys) = &self.keys {
            keys.refreshed().await;
        }
        self.verify(token).map_err(Refusal::message)
    }

    fn check(&self, token: &str, key: &DecodingKey, alg: Algorithm) -> Result<Claims, String> {
        let payload = jsonwebtoken::decode::<serde_json::Value>(token, key, &self.validation(alg))
            .map(|data| data.claims)
            .map_err(|e| {
                use jsonwebtoken::errors::ErrorKind as K;
                match e.kind() {
                    K::ExpiredSignature => "the token has expired".to_owned(),
                    K::InvalidSignature => "the token's signature is invalid".to_owned(),
                    K::InvalidIssuer => "the token's issuer (`iss`) is not accepted".to_owned(),
                    K::InvalidAudience => "the token's audience (`aud`) is not accepted".to_owned(),
                    K::MissingRequiredClaim(c) => format!("the token lacks the claim `{c}`"),
                    K::ImmatureSignature => "the token is not valid yet".to_owned(),
                    K::Json(_) => "the token's claims are malformed".to_owned(),
                    _ => "the token is invalid".to_owned(),
                }
            })?;
        let claims = self.pointers.claims(&payload)?;
        // Issued in the future is issued by a clock that cannot be trusted, or forged.
        let now = chrono::Utc::now().timestamp();
        if claims.iat > now.saturating_add(LEEWAY_SECONDS as i64) {
            return Err("the token's `iat` lies in the future".to_owned());
        }
        Ok(claims)
    }
}

/// Signs HS256 development tokens with the shared secret.
pub struct Signer {
    key: EncodingKey,
    issuer: Option<String>,
    audience: Option<String>,
}

impl Signer {
    pub fn new(secret: &[u8], issuer: Option<String>, audience: Option<String>) -> Self {
        Self {
            key: EncodingKey::from_secret(secret),
            issuer,
            audience,
        }
    }

    /// Fills in `iss` and `aud` as the service expects them, then signs.
    pub fn sign(&self, mut claims: Claims) -> Result<String, jsonwebtoken::errors::Error> {
        claims.iss = claims.iss.or_else(|| self.issuer.clone());
        claims.aud = claims.aud.or_else(|| self.audience.clone());
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp_in: i64) -> Claims {
        let now = chrono::Utc::now().timestamp();
        Claims {
            sub: "t".into(),
            role: "hmsi".into(),
            traeger: None,
            jobcenter: None,
            scope: "read".into(),
            iss: None,
            aud: None,
            exp: now + exp_in,
            iat: now,
        }
    }

    // jsonwebtoken panics at the first sign or verify without exactly one crypto backend.
    #[test]
    fn signs_and_verifies_with_the_shared_secret() {
        let signer = Signer::new(b"0123456789abcdef0123456789abcdef", Some("i".into()), None);
        let token = signer.sign(claims(60)).unwrap();
        let verifier = Verifier::new(
            Some(b"0123456789abcdef0123456789abcdef"),
            Some("i".into()),
            None,
        );
        assert_eq!(verifier.verify(&token).unwrap().sub, "t");
        let other = Verifier::new(
            Some(b"another secret, just as long......"),
            Some("i".into()),
            None,
        );
        assert!(
            other
                .verify(&token)
                .unwrap_err()
                .message()
                .contains("signature")
        );
    }

    #[test]
    fn refuses_expired_and_unsigned_tokens() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let verifier = Verifier::new(Some(secret), None, None);
        let expired = Signer::new(secret, None, None).sign(claims(-3600)).unwrap();
        assert!(
            verifier
                .verify(&expired)
                .unwrap_err()
                .message()
                .contains("expired")
        );
        // header {"alg":"none","typ":"JWT"}, no signature
        let unsigned = format!(
            "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.",
            base64::Engine::encode(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                serde_json::to_vec(&claims(60)).unwrap()
            )
        );
        assert!(verifier.verify(&unsigned).is_err());
    }
}
