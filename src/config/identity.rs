//! Who may call: the development secret, and where the identity provider's keys are.

use std::fmt;
use std::path::{Path, PathBuf};

use super::{ConfigError, Settings};
use crate::auth::claims::ClaimPointers;
use crate::auth::jwt::{Signer, Verifier};
use crate::auth::keys::source::key_url;
use crate::auth::keys::{KeySource, RefreshPolicy};
use crate::store::Backend;

pub(super) const MIN_SECRET_BYTES: usize = 32;

/// A value that must never reach a log line.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(raw: &str) -> Result<Self, String> {
        parse_secret(raw)
    }

    /// Takes the value as given; it is checked where it is used, so that an error message
    /// never has to repeat it (clap's own messages would).
    pub(super) fn unchecked(raw: &str) -> Result<Self, std::convert::Infallible> {
        Ok(Secret(raw.to_owned()))
    }

    pub fn expose(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

fn parse_secret(raw: &str) -> Result<Secret, String> {
    if raw.len() < MIN_SECRET_BYTES {
        Err(format!("must be at least {MIN_SECRET_BYTES} bytes long"))
    } else {
        Ok(Secret(raw.to_owned()))
    }
}

impl Settings {
    /// Where the generated development secret lives: beside the SQLite database.
    pub fn secret_file(&self) -> Option<PathBuf> {
        (self.backend() == Backend::Sqlite).then(|| {
            let db = self
                .database_url
                .strip_prefix("sqlite://")
                .unwrap_or(&self.database_url);
            PathBuf::from(format!("{db}.jwt-secret"))
        })
    }

    /// The HS256 secret: configured, or the generated one (made on first use).
    pub fn hs256_secret(&self) -> Result<Option<Secret>, ConfigError> {
        if let Some(s) = &self.jwt_secret {
            return parse_secret(&s.0)
                .map(Some)
                .map_err(|_| ConfigError::ShortSecret);
        }
        if self.key_source()?.is_some() {
            return Ok(None);
        }
        let path = self.secret_file().ok_or(ConfigError::NoKey)?;
        load_or_create_secret(&path).map(Some)
    }

    /// Where the identity provider's public keys are, if anywhere.
    pub fn key_source(&self) -> Result<Option<KeySource>, ConfigError> {
        let url = self.jwks_url.as_deref().filter(|u| !u.is_empty());
        let named = [self.jwks_file.is_some(), url.is_some(), self.jwt_discovery];
        if named.iter().filter(|n| **n).count() > 1 {
            return Err(ConfigError::KeySources);
        }
        if let Some(path) = &self.jwks_file {
            return Ok(Some(KeySource::File(path.clone())));
        }
        if let Some(url) = url {
            return Ok(Some(KeySource::Url(key_url("ZV_JWKS_URL", url)?)));
        }
        if self.jwt_discovery {
            let issuer = self
                .jwt_issuer
                .clone()
                .ok_or(ConfigError::DiscoveryWithoutIssuer)?;
            key_url("ZV_JWT_ISSUER", &issuer)?;
            return Ok(Some(KeySource::Discovery { issuer }));
        }
        Ok(None)
    }

    pub fn refresh_policy(&self) -> RefreshPolicy {
        RefreshPolicy {
            min_ttl: self.jwks_cache_min,
            max_ttl: self.jwks_cache_max,
            refetch: self.jwks_refetch_interval,
        }
    }

    /// The verifier with the shared secret and the claims' places; the public keys are added
    /// where they are loaded (`auth::keys::live::start`).
    pub fn verifier(&self) -> Result<Verifier, ConfigError> {
        let secret = self.hs256_secret()?;
        let pointers = ClaimPointers::new(
            &self.jwt_role_claim,
            &self.jwt_traeger_claim,
            &self.jwt_scope_claim,
        )
        .map_err(ConfigError::Claims)?;
        Ok(Verifier::new(
            secret.as_ref().map(Secret::expose),
            self.jwt_issuer.clone(),
            self.jwt_audience.clone(),
        )
        .with_claims(pointers, self.jwt_typ.clone()))
    }

    pub fn signer(&self) -> Result<Signer, ConfigError> {
        let secret = self.hs256_secret()?.ok_or(ConfigError::CannotSign)?;
        Ok(Signer::new(
            secret.expose(),
            self.jwt_issuer.clone(),
            self.jwt_audience.clone(),
        ))
    }
}

fn load_or_create_secret(path: &Path) -> Result<Secret, ConfigError> {
    let shown = path.display().to_string();
    let io = |source| ConfigError::SecretFile {
        path: shown.clone(),
        source,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => {
            parse_secret(text.trim()).map_err(|_| ConfigError::ShortSecretFile(shown.clone()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let secret = hex::encode(rand::random::<[u8; 32]>());
            match write_private(path, &secret) {
                Ok(()) => Ok(Secret(secret)),
                // Another process (a `token` beside `serve`) made it first: use theirs.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    load_or_create_secret(path)
                }
                Err(e) => Err(io(e)),
            }
        }
        Err(e) => Err(io(e)),
    }
}

/// Creates the file, readable by its owner only, complete or not at all: written beside it
/// first, then linked into place, which fails if another process made it meanwhile.
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension(format!("tmp-{}", uuid::Uuid::new_v4().simple()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options
        .open(&tmp)
        .and_then(|mut f| f.write_all(contents.as_bytes()));
    let linked = written.and_then(|()| std::fs::hard_link(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    linked
}
