//! The identity provider's public keys: a JWK set read from a file or fetched from the provider,
//! kept fresh while the service runs (`live`), from where it is configured (`source`).
//!
//! Each key is pinned to the one algorithm its JWK names and selected by the token's `kid`; the
//! algorithm is never taken from the token alone. A key the service cannot verify signatures
//! with (an encryption key, one without `kid` or `alg`, a shared secret) is left out and named
//! in the log, so one odd key in a provider's set does not lock every caller out; a set without
//! a single usable key is refused.

pub mod live;
pub mod source;

use std::collections::HashMap;
use std::str::FromStr;

use jsonwebtoken::jwk::{Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;

pub use live::{LiveKeys, RefreshPolicy};
pub use source::KeySource;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read JWKS file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{origin} is not a JWK set: {reason}")]
    Parse { origin: String, reason: String },
    #[error("{origin} holds no key to verify tokens with: {}", skipped.join("; "))]
    NoUsableKey {
        origin: String,
        skipped: Vec<String>,
    },
    #[error("{0}")]
    Fetch(String),
    #[error("{0}")]
    Setting(String),
}

/// The keys of one JWK set, by `kid`.
#[derive(Clone, Default)]
pub struct KeySet {
    keys: HashMap<String, (DecodingKey, Algorithm)>,
}

/// A JWK set as the wire holds it: each key read on its own, so that a key of a type this
/// service does not know spoils only itself.
#[derive(Deserialize)]
struct RawSet {
    keys: Vec<serde_json::Value>,
}

/// Public algorithms a JWKS key may be pinned to; shared-secret ones belong in ZV_JWT_SECRET.
fn public_algorithm(alg: Algorithm) -> bool {
    !matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512)
}

/// A key to verify with, or why it is left out.
fn usable(
    index: usize,
    raw: serde_json::Value,
) -> Result<(String, DecodingKey, Algorithm), String> {
    let jwk: Jwk = serde_json::from_value(raw).map_err(|e| format!("key {index}: {e}"))?;
    let kid = jwk
        .common
        .key_id
        .clone()
        .ok_or_else(|| format!("key {index} has no `kid`"))?;
    if matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption)) {
        return Err(format!("`{kid}` is an encryption key (`use: enc`)"));
    }
    let alg = jwk
        .common
        .key_algorithm
        .ok_or_else(|| format!("`{kid}` has no `alg`: each key is pinned to one"))?;
    let alg = Algorithm::from_str(&alg.to_string())
        .ok()
        .filter(|a| public_algorithm(*a))
        .ok_or_else(|| format!("`{kid}`: `{alg}` is not a signature algorithm for public keys"))?;
    let key = DecodingKey::from_jwk(&jwk).map_err(|e| format!("`{kid}`: {e}"))?;
    Ok((kid, key, alg))
}

impl KeySet {
    /// The usable keys of a JWK set document; `origin` names the file or URL in messages.
    pub fn parse(origin: &str, json: &[u8]) -> Result<Self, KeyError> {
        let raw: RawSet = serde_json::from_slice(json).map_err(|e| KeyError::Parse {
            origin: origin.to_owned(),
            reason: e.to_string(),
        })?;
        let mut keys = HashMap::new();
        let mut skipped = Vec::new();
        for (index, key) in raw.keys.into_iter().enumerate() {
            match usable(index, key) {
                Ok((kid, key, alg)) => {
                    keys.insert(kid, (key, alg));
                }
                Err(reason) => skipped.push(reason),
            }
        }
        if keys.is_empty() {
            return Err(KeyError::NoUsableKey {
                origin: origin.to_owned(),
                skipped,
            });
        }
        for reason in &skipped {
            tracing::warn!(jwks = origin, reason = %reason, "a key of the JWK set is left out");
        }
        Ok(KeySet { keys })
    }

    pub fn get(&self, kid: &str) -> Option<(&DecodingKey, Algorithm)> {
        self.keys.get(kid).map(|(k, a)| (k, *a))
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The key ids, sorted, for the log.
    pub fn kids(&self) -> Vec<&str> {
        let mut kids: Vec<&str> = self.keys.keys().map(String::as_str).collect();
        kids.sort_unstable();
        kids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED: &str = r#"{"kty":"OKP","crv":"Ed25519","kid":"a","alg":"EdDSA","x":"7tS1QcZBz0sJLGpZvjDvy6gVZsSKlsQLJZM0ewAiOko"}"#;

    #[test]
    fn odd_keys_are_left_out_and_a_set_without_a_usable_one_is_refused() {
        let set = format!(
            r#"{{"keys":[{ED},{{"kty":"RSA","kid":"enc","use":"enc","alg":"RSA-OAEP","n":"AQAB","e":"AQAB"}},
               {{"kty":"weird","kid":"w"}},{{"kty":"oct","kid":"h","alg":"HS256","k":"c2VjcmV0"}}]}}"#
        );
        let keys = KeySet::parse("test", set.as_bytes()).unwrap();
        assert_eq!(keys.kids(), ["a"]);
        assert_eq!(keys.get("a").unwrap().1, Algorithm::EdDSA);

        let none = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k","x":"7tS1QcZBz0sJLGpZvjDvy6gVZsSKlsQLJZM0ewAiOko"}]}"#;
        let err = KeySet::parse("test", none.as_bytes()).err().unwrap();
        assert!(err.to_string().contains("no `alg`"), "{err}");
        assert!(KeySet::parse("test", b"{\"keys\": 3}").is_err());
    }
}
