//! Where the keys come from: a JWKS file (re-read when it changes), a JWKS URL, or the URL the
//! issuer's OpenID Connect discovery document names (`jwks_uri`).
//!
//! A URL must be `https`, or `http` on a loopback address: keys fetched in the clear could be
//! anyone's, and whoever supplies the keys decides who may call.

use std::path::PathBuf;
use std::time::Duration;

use reqwest::header::{CACHE_CONTROL, ETAG, IF_NONE_MATCH};
use sha2::{Digest, Sha256};
use url::Url;

use super::{KeyError, KeySet};

/// How long one request to the provider may take, connection included; a look by discovery
/// makes two.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// A JWK set, or a discovery document, larger than this is no such thing.
const MAX_DOCUMENT_BYTES: usize = 1 << 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    File(PathBuf),
    Url(Url),
    /// OpenID Connect Discovery 1.0 from this issuer.
    Discovery {
        issuer: String,
    },
}

/// A URL keys may be fetched from, or why not; `setting` names it in the message.
pub fn key_url(setting: &str, raw: &str) -> Result<Url, KeyError> {
    let url = Url::parse(raw).map_err(|e| KeyError::Setting(format!("{setting}: `{raw}`: {e}")))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        _ => Err(KeyError::Setting(format!(
            "{setting}: `{raw}` must be an https URL (http only on a loopback address)"
        ))),
    }
}

/// What one look at the source found.
pub struct Fetch {
    /// The new set; `None` when it is unchanged since the last look.
    pub keys: Option<KeySet>,
    /// How long the provider lets the answer be cached (`Cache-Control: max-age`).
    pub max_age: Option<Duration>,
}

/// Reads the source; only the refresher uses it, so what it remembers between looks (the
/// file's stamp, the set's ETag, the discovered `jwks_uri`) needs no lock.
pub struct Fetcher {
    source: KeySource,
    client: reqwest::Client,
    /// The digest of the file's content as last read.
    stamp: Option<[u8; 32]>,
    etag: Option<String>,
    jwks_uri: Option<Url>,
}

/// `max-age` of a Cache-Control header; `no-cache` and `no-store` allow no caching at all.
fn max_age(value: &str) -> Option<Duration> {
    value.split(',').map(str::trim).find_map(|d| {
        let d = d.to_ascii_lowercase();
        if d == "no-cache" || d == "no-store" {
            return Some(Duration::ZERO);
        }
        d.strip_prefix("max-age=")
            .and_then(|s| s.trim_matches('"').parse().ok())
            .map(Duration::from_secs)
    })
}

impl Fetcher {
    pub fn new(source: KeySource) -> Result<Self, KeyError> {
        let client = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .connect_timeout(FETCH_TIMEOUT)
            // Each hop is held to the rule the first URL is: a redirect to plain http would let
            // whoever is on the network supply the keys.
            .redirect(reqwest::redirect::Policy::custom(|attempt| {
                if attempt.previous().len() >= 3 {
                    attempt.error("more than 3 redirects")
                } else if key_url("a redirect", attempt.url().as_str()).is_err() {
                    attempt.error("a redirect away from https")
                } else {
                    attempt.follow()
                }
            }))
            .user_agent(concat!("zv-monitor/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| KeyError::Fetch(format!("cannot make an HTTP client: {e}")))?;
        Ok(Fetcher {
            source,
            client,
            stamp: None,
            etag: None,
            jwks_uri: None,
        })
    }

    /// The file or URL, for the log and the metrics.
    pub fn origin(&self) -> String {
        match &self.source {
            KeySource::File(path) => path.display().to_string(),
            KeySource::Url(url) => url.to_string(),
            KeySource::Discovery { issuer } => match &self.jwks_uri {
                Some(uri) => uri.to_string(),
                None => format!("{issuer} (discovery)"),
            },
        }
    }

    pub fn is_file(&self) -> bool {
        matches!(self.source, KeySource::File(_))
    }

    pub async fn fetch(&mut self) -> Result<Fetch, KeyError> {
        match self.source.clone() {
            KeySource::File(path) => self.read_file(path),
            KeySource::Url(url) => self.fetch_set(url).await,
            KeySource::Discovery { issuer } => {
                let url = match self.jwks_uri.clone() {
                    Some(url) => url,
                    None => self.discover(&issuer).await?,
                };
                let fetched = self.fetch_set(url).await;
                if fetched.is_err() {
                    // The provider may have moved its keys: the next look asks it again.
                    self.jwks_uri = None;
                }
                fetched
            }
        }
    }

    /// Parsed again only when its content changed. The content, not the modification time:
    /// a key replaced by one as long within the file system's clock tick changes no stamp.
    fn read_file(&mut self, path: PathBuf) -> Result<Fetch, KeyError> {
        let shown = path.display().to_string();
        let content = std::fs::read(&path).map_err(|source| KeyError::Read {
            path: shown.clone(),
            source,
        })?;
        if content.len() > MAX_DOCUMENT_BYTES {
            return Err(KeyError::Fetch(format!(
                "{shown} is larger than {MAX_DOCUMENT_BYTES} bytes"
            )));
        }
        let stamp: [u8; 32] = Sha256::digest(&content).into();
        if self.stamp == Some(stamp) {
            return Ok(Fetch {
                keys: None,
                max_age: None,
            });
        }
        let keys = KeySet::parse(&shown, &content)?;
        self.stamp = Some(stamp);
        Ok(Fetch {
            keys: Some(keys),
            max_age: None,
        })
    }

    async fn fetch_set(&mut self, url: Url) -> Result<Fetch, KeyError> {
        let mut request = self.client.get(url.clone());
        if let Some(etag) = &self.etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        let response = request.send().await.map_err(|e| fetch_error(&url, e))?;
        let cache = response
            .headers()
            .get(CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .and_then(max_age);
        if response.status() == reqwest::StatusCode::NOT_MODIFIED && self.etag.is_some() {
            return Ok(Fetch {
                keys: None,
                max_age: cache,
            });
        }
        let etag = response
            .headers()
            .get(ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = document(&url, response).await?;
        let keys = KeySet::parse(url.as_str(), &body)?;
        self.etag = etag;
        Ok(Fetch {
            keys: Some(keys),
            max_age: cache,
        })
    }

    /// `jwks_uri` of the issuer's discovery document, which must name the same issuer
    /// (OpenID Connect Discovery 1.0, § 4.3): otherwise another provider's keys could be taken.
    async fn discover(&mut self, issuer: &str) -> Result<Url, KeyError> {
        let at = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        let url = key_url("ZV_JWT_ISSUER", &at)?;
        let response = self
            .client
            .get(url.clone())
            .send()
            .await
            .map_err(|e| fetch_error(&url, e))?;
        let body = document(&url, response).await?;
        #[derive(serde::Deserialize)]
        struct Discovery {
            issuer: String,
            jwks_uri: String,
        }
        let found: Discovery = serde_json::from_slice(&body).map_err(|e| KeyError::Parse {
            origin: url.to_string(),
            reason: format!("not a discovery document: {e}"),
        })?;
        if found.issuer != issuer {
            return Err(KeyError::Fetch(format!(
                "{url} names the issuer `{}`, not `{issuer}`",
                found.issuer
            )));
        }
        let jwks_uri = key_url("jwks_uri", &found.jwks_uri)?;
        self.jwks_uri = Some(jwks_uri.clone());
        Ok(jwks_uri)
    }
}

fn fetch_error(url: &Url, e: reqwest::Error) -> KeyError {
    KeyError::Fetch(format!("GET {url}: {}", e.without_url()))
}

/// The body of a successful answer, at most `MAX_DOCUMENT_BYTES`.
async fn document(url: &Url, mut response: reqwest::Response) -> Result<Vec<u8>, KeyError> {
    if !response.status().is_success() {
        return Err(KeyError::Fetch(format!(
            "GET {url} answered {}",
            response.status()
        )));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| fetch_error(url, e))? {
        if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
            return Err(KeyError::Fetch(format!(
                "GET {url}: the answer is larger than {MAX_DOCUMENT_BYTES} bytes"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_control_gives_the_lifetime() {
        assert_eq!(
            max_age("public, max-age=3600"),
            Some(Duration::from_secs(3600))
        );
        assert_eq!(max_age("no-cache"), Some(Duration::ZERO));
        assert_eq!(max_age("private"), None);
        assert_eq!(max_age("max-age=soon"), None);
    }

    #[test]
    fn keys_come_over_https_or_from_this_machine() {
        assert!(key_url("X", "https://sso.hessen.example/certs").is_ok());
        assert!(key_url("X", "http://127.0.0.1:8081/certs").is_ok());
        assert!(key_url("X", "http://localhost/certs").is_ok());
        let err = key_url("ZV_JWKS_URL", "http://sso.hessen.example/certs")
            .err()
            .unwrap();
        assert!(err.to_string().starts_with("ZV_JWKS_URL"), "{err}");
        assert!(key_url("X", "file:///etc/jwks.json").is_err());
    }
}
