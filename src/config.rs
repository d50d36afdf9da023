//! Settings from the environment (or the same names as flags), checked at start-up so that a
//! bad value stops the service with a message instead of surprising it later.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, ValueEnum};

use crate::auth::claims::ClaimPointers;
use crate::auth::jwt::{Signer, Verifier};
use crate::store::Backend;

const MIN_SECRET_BYTES: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Json,
    Pretty,
}

/// A value that must never reach a log line.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(raw: &str) -> Result<Self, String> {
        parse_secret(raw)
    }

    /// Takes the value as given; it is checked where it is used, so that an error message
    /// never has to repeat it (clap's own messages would).
    fn unchecked(raw: &str) -> Result<Self, std::convert::Infallible> {
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

#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Database: `postgres://…` selects PostgreSQL, anything else is a SQLite file.
    #[arg(
        long,
        env = "DATABASE_URL",
        value_name = "DATABASE_URL",
        default_value = "zv-monitor.sqlite3",
        global = true
    )]
    pub database_url: String,

    /// Address and port to listen on.
    #[arg(
        long,
        env = "ZV_LISTEN",
        value_name = "ZV_LISTEN",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub listen: SocketAddr,

    /// HS256 shared secret (development). Without it and without ZV_JWKS_FILE, a SQLite
    /// service makes a random one and keeps it in a file beside the database.
    #[arg(long, env = "ZV_JWT_SECRET", value_name = "ZV_JWT_SECRET", hide_env_values = true, value_parser = Secret::unchecked, global = true)]
    pub jwt_secret: Option<Secret>,

    /// Required `iss` of every token, if set.
    #[arg(
        long,
        env = "ZV_JWT_ISSUER",
        value_name = "ZV_JWT_ISSUER",
        global = true
    )]
    pub jwt_issuer: Option<String>,

    /// Required `aud` of every token, if set.
    #[arg(
        long,
        env = "ZV_JWT_AUDIENCE",
        value_name = "ZV_JWT_AUDIENCE",
        global = true
    )]
    pub jwt_audience: Option<String>,

    /// JWK set of public keys (production): RS256, ES256, EdDSA …, selected by `kid`.
    #[arg(long, env = "ZV_JWKS_FILE", value_name = "ZV_JWKS_FILE", global = true)]
    pub jwks_file: Option<PathBuf>,

    /// Log format.
    #[arg(
        long,
        env = "ZV_LOG_FORMAT",
        value_name = "ZV_LOG_FORMAT",
        value_enum,
        default_value = "pretty",
        global = true
    )]
    pub log_format: LogFormat,

    /// Largest request body accepted, in bytes.
    #[arg(long, env = "ZV_MAX_BODY_BYTES", value_name = "ZV_MAX_BODY_BYTES", default_value_t = 1_048_576,
          value_parser = clap::value_parser!(u64).range(1024..=1_073_741_824), global = true)]
    pub max_body_bytes: u64,

    /// Largest upload of BA data (`PUT /transmissions/{id}/data`), in bytes.
    #[arg(long, env = "ZV_MAX_UPLOAD_BYTES", value_name = "ZV_MAX_UPLOAD_BYTES", default_value_t = 33_554_432,
          value_parser = clap::value_parser!(u64).range(1024..=1_073_741_824), global = true)]
    pub max_upload_bytes: u64,

    /// Database connections in the pool.
    #[arg(long, env = "ZV_DB_POOL_SIZE", value_name = "ZV_DB_POOL_SIZE", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..=500), global = true)]
    pub db_pool_size: u32,

    /// On SIGTERM or Ctrl-C: how long requests under way (an export, say) may take to finish
    /// after the service stopped accepting new ones; then it exits regardless.
    #[arg(long, env = "ZV_SHUTDOWN_TIMEOUT", value_name = "ZV_SHUTDOWN_TIMEOUT", default_value = "30s", value_parser = humantime::parse_duration, global = true)]
    pub shutdown_timeout: Duration,

    /// Where a token carries the role: a JSON Pointer, e.g. /realm_access/roles (Keycloak); in
    /// a list of roles the first of hmsi, traeger, jobcenter counts.
    #[arg(
        long,
        env = "ZV_JWT_ROLE_CLAIM",
        value_name = "ZV_JWT_ROLE_CLAIM",
        default_value = "/role",
        global = true
    )]
    pub jwt_role_claim: String,

    /// Where a token carries the Träger's AGS: a JSON Pointer, e.g. /ags.
    #[arg(
        long,
        env = "ZV_JWT_TRAEGER_CLAIM",
        value_name = "ZV_JWT_TRAEGER_CLAIM",
        default_value = "/traeger",
        global = true
    )]
    pub jwt_traeger_claim: String,

    /// Where a token carries its scopes: a JSON Pointer, e.g. /scp; a space-separated text or
    /// a list.
    #[arg(
        long,
        env = "ZV_JWT_SCOPE_CLAIM",
        value_name = "ZV_JWT_SCOPE_CLAIM",
        default_value = "/scope",
        global = true
    )]
    pub jwt_scope_claim: String,

    /// The one token type (`typ` header) taken, e.g. at+jwt (RFC 9068); unset: none, JWT or
    /// at+jwt.
    #[arg(long, env = "ZV_JWT_TYP", value_name = "ZV_JWT_TYP", global = true)]
    pub jwt_typ: Option<String>,

    /// How long a request waits for a database connection before it gets 503.
    #[arg(long, env = "ZV_DB_TIMEOUT", value_name = "ZV_DB_TIMEOUT", default_value = "5s", value_parser = humantime::parse_duration, global = true)]
    pub db_timeout: Duration,

    /// The business date for due dates and signatures, e.g. 2024-02-20, for tests and
    /// demonstrations; default: today in Germany (CET/CEST). The ledger always records the real
    /// time, in UTC.
    #[arg(long, env = "ZV_TODAY", value_name = "ZV_TODAY", global = true)]
    pub today: Option<chrono::NaiveDate>,

    /// How often a replica looks for obligations due soon or overdue, to tell of them once.
    #[arg(long, env = "ZV_DEADLINE_INTERVAL", value_name = "ZV_DEADLINE_INTERVAL", default_value = "10min", value_parser = humantime::parse_duration, global = true)]
    pub deadline_interval: Duration,

    /// Webhook workers in this replica; 0 turns its sending off (other replicas send).
    #[arg(long, env = "ZV_WEBHOOK_WORKERS", value_name = "ZV_WEBHOOK_WORKERS", default_value_t = 2,
          value_parser = clap::value_parser!(u16).range(0..=64), global = true)]
    pub webhook_workers: u16,

    /// Allow webhook receivers at loopback, private and link-local addresses, and over plain
    /// http: for tests and receivers inside an on-premise network.
    #[arg(long, env = "ZV_WEBHOOK_ALLOW_PRIVATE", value_name = "ZV_WEBHOOK_ALLOW_PRIVATE", default_value_t = false,
          action = clap::ArgAction::Set, global = true)]
    pub webhook_allow_private: bool,

    /// The waits before each retry of a webhook delivery, comma-separated; after the last the
    /// delivery has failed.
    #[arg(long, env = "ZV_WEBHOOK_RETRY_SCHEDULE", value_name = "ZV_WEBHOOK_RETRY_SCHEDULE",
          default_value = "5s,5m,30m,2h,5h,10h,10h", value_parser = parse_schedule, global = true)]
    pub webhook_schedule: Schedule,

    /// How long a webhook receiver has to answer; an attempt is claimed for twice as long.
    #[arg(long, env = "ZV_WEBHOOK_TIMEOUT", value_name = "ZV_WEBHOOK_TIMEOUT", default_value = "15s", value_parser = humantime::parse_duration, global = true)]
    pub webhook_timeout: Duration,

    /// How often an idle webhook worker looks for due deliveries.
    #[arg(long, env = "ZV_WEBHOOK_POLL_INTERVAL", value_name = "ZV_WEBHOOK_POLL_INTERVAL", default_value = "1s", value_parser = humantime::parse_duration, global = true)]
    pub webhook_poll_interval: Duration,

    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "ZV_WORKERS", value_name = "ZV_WORKERS", global = true)]
    pub workers: Option<usize>,
}

/// The waits between webhook attempts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule(pub Vec<Duration>);

fn parse_schedule(raw: &str) -> Result<Schedule, String> {
    let waits = raw
        .split(',')
        .map(|w| humantime::parse_duration(w.trim()).map_err(|e| format!("`{}`: {e}", w.trim())))
        .collect::<Result<Vec<_>, _>>()?;
    if waits.len() > 20 {
        return Err("at most 20 retries".into());
    }
    Ok(Schedule(waits))
}

impl Schedule {
    pub fn parse(raw: &str) -> Result<Self, String> {
        parse_schedule(raw)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0}")]
    Claims(String),
    #[error(
        "no signing key: set ZV_JWT_SECRET (at least {MIN_SECRET_BYTES} bytes) or ZV_JWKS_FILE; \
         a random development secret is only made for SQLite"
    )]
    NoKey,
    #[error("development secret file {path}: {source}")]
    SecretFile {
        path: String,
        source: std::io::Error,
    },
    #[error("the development secret in {0} is shorter than {MIN_SECRET_BYTES} bytes")]
    ShortSecretFile(String),
    #[error("ZV_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes long")]
    ShortSecret,
    #[error("ZV_JWKS_FILE: {0}")]
    Jwks(#[from] crate::auth::jwt::KeyError),
    #[error(
        "`token` signs HS256 development tokens and needs ZV_JWT_SECRET (ZV_JWKS_FILE holds public keys only)"
    )]
    CannotSign,
}

impl Settings {
    pub fn backend(&self) -> Backend {
        Backend::from_url(&self.database_url)
    }

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
        if self.jwks_file.is_some() {
            return Ok(None);
        }
        let path = self.secret_file().ok_or(ConfigError::NoKey)?;
        load_or_create_secret(&path).map(Some)
    }

    pub fn verifier(&self) -> Result<Verifier, ConfigError> {
        let secret = self.hs256_secret()?;
        let pointers = ClaimPointers::new(
            &self.jwt_role_claim,
            &self.jwt_traeger_claim,
            &self.jwt_scope_claim,
        )
        .map_err(ConfigError::Claims)?;
        let verifier = Verifier::new(
            secret.as_ref().map(Secret::expose),
            self.jwt_issuer.clone(),
            self.jwt_audience.clone(),
        )
        .with_claims(pointers, self.jwt_typ.clone());
        match &self.jwks_file {
            Some(path) => {
                let shown = path.display().to_string();
                let json = std::fs::read_to_string(path).map_err(|source| {
                    crate::auth::jwt::KeyError::Read {
                        path: shown.clone(),
                        source,
                    }
                })?;
                Ok(verifier.with_jwks(&shown, &json)?)
            }
            None => Ok(verifier),
        }
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
