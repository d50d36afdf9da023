//! Settings from the environment (or the same names as flags), checked at start-up so that a
//! bad value stops the service with a message instead of surprising it later.

mod identity;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

use crate::api::limits::{LimitSettings, RateLimit, TrustedProxies};
use crate::store::Backend;
use identity::MIN_SECRET_BYTES;
pub use identity::Secret;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Json,
    Pretty,
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

    /// HS256 shared secret (development). Without it and without the identity provider's keys,
    /// a SQLite service makes a random one and keeps it in a file beside the database.
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

    /// JWK set of public keys (production): RS256, ES256, EdDSA …, selected by `kid`; looked
    /// at again every ZV_JWKS_REFETCH_INTERVAL and re-read when it changed.
    #[arg(long, env = "ZV_JWKS_FILE", value_name = "ZV_JWKS_FILE", global = true)]
    pub jwks_file: Option<PathBuf>,

    /// The identity provider's JWK set, fetched at start and kept fresh (https, or http on a
    /// loopback address), e.g. Keycloak's …/realms/hmsi/protocol/openid-connect/certs.
    #[arg(long, env = "ZV_JWKS_URL", value_name = "ZV_JWKS_URL", global = true)]
    pub jwks_url: Option<String>,

    /// Find the JWK set by OpenID Connect discovery: ZV_JWT_ISSUER's
    /// /.well-known/openid-configuration names it (`jwks_uri`).
    #[arg(long, env = "ZV_JWT_DISCOVERY", value_name = "ZV_JWT_DISCOVERY", default_value_t = false,
          action = clap::ArgAction::Set, global = true)]
    pub jwt_discovery: bool,

    /// The shortest time fetched keys are kept, whatever the provider's Cache-Control says.
    #[arg(long, env = "ZV_JWKS_CACHE_MIN", value_name = "ZV_JWKS_CACHE_MIN", default_value = "5min", value_parser = humantime::parse_duration, global = true)]
    pub jwks_cache_min: Duration,

    /// The longest time fetched keys are kept before they are fetched again.
    #[arg(long, env = "ZV_JWKS_CACHE_MAX", value_name = "ZV_JWKS_CACHE_MAX", default_value = "24h", value_parser = humantime::parse_duration, global = true)]
    pub jwks_cache_max: Duration,

    /// The least time between two looks at the keys (a token with an unknown `kid` asks for
    /// one); the retry after a failed fetch; how often a JWKS file is looked at.
    #[arg(long, env = "ZV_JWKS_REFETCH_INTERVAL", value_name = "ZV_JWKS_REFETCH_INTERVAL", default_value = "30s", value_parser = refetch_interval, global = true)]
    pub jwks_refetch_interval: Duration,

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

    /// Apply pending migrations and load missing reference data at start; false where a
    /// migration job (`zv-monitor migrate`) does it once before the replicas start.
    #[arg(long, env = "ZV_MIGRATE_ON_START", value_name = "ZV_MIGRATE_ON_START", default_value_t = true,
          action = clap::ArgAction::Set, global = true)]
    pub migrate_on_start: bool,

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

    /// Requests one token may send this replica: a count per s, min or h, or off.
    #[arg(long, env = "ZV_RATE_LIMIT_PER_TOKEN", value_name = "ZV_RATE_LIMIT_PER_TOKEN", default_value = "6000/min",
          value_parser = RateLimit::parse, global = true)]
    pub rate_limit_per_token: RateLimit,

    /// Requests one client address may send this replica (an IPv6 client by its /64).
    #[arg(long, env = "ZV_RATE_LIMIT_PER_ADDRESS", value_name = "ZV_RATE_LIMIT_PER_ADDRESS", default_value = "12000/min",
          value_parser = RateLimit::parse, global = true)]
    pub rate_limit_per_address: RateLimit,

    /// Facts exports one token may run at once on this replica; 0 for no bound.
    #[arg(long, env = "ZV_EXPORTS_PER_TOKEN", value_name = "ZV_EXPORTS_PER_TOKEN", default_value_t = 2,
          value_parser = clap::value_parser!(u32).range(0..=1000), global = true)]
    pub exports_per_token: u32,

    /// Reverse proxies whose X-Forwarded-For names the client: addresses or networks,
    /// comma-separated (e.g. 10.0.0.0/8); empty: the peer is the client.
    #[arg(long, env = "ZV_TRUSTED_PROXIES", value_name = "ZV_TRUSTED_PROXIES", default_value = "",
          value_parser = TrustedProxies::parse, global = true)]
    pub trusted_proxies: TrustedProxies,

    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "ZV_WORKERS", value_name = "ZV_WORKERS", global = true)]
    pub workers: Option<usize>,
}

/// At least 100 ms: the interval is all that stands between a flood of made-up key ids and
/// the identity provider.
fn refetch_interval(raw: &str) -> Result<Duration, String> {
    let every = humantime::parse_duration(raw).map_err(|e| e.to_string())?;
    if every < Duration::from_millis(100) {
        return Err("must be at least 100ms".into());
    }
    Ok(every)
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
        "no signing key: set ZV_JWT_SECRET (at least {MIN_SECRET_BYTES} bytes), or the identity \
         provider's keys (ZV_JWKS_URL, ZV_JWT_DISCOVERY or ZV_JWKS_FILE); a random development \
         secret is only made for SQLite"
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
    #[error("{0}")]
    Jwks(#[from] crate::auth::keys::KeyError),
    #[error("ZV_JWKS_FILE, ZV_JWKS_URL and ZV_JWT_DISCOVERY each name where the keys are: set one")]
    KeySources,
    #[error("ZV_JWT_DISCOVERY finds the keys from ZV_JWT_ISSUER, which is not set")]
    DiscoveryWithoutIssuer,
    #[error(
        "`token` signs HS256 development tokens and needs ZV_JWT_SECRET (the identity provider's keys are public ones only)"
    )]
    CannotSign,
}

impl Settings {
    pub fn backend(&self) -> Backend {
        Backend::from_url(&self.database_url)
    }

    pub fn limits(&self) -> LimitSettings {
        LimitSettings {
            per_token: self.rate_limit_per_token,
            per_address: self.rate_limit_per_address,
            exports_per_token: self.exports_per_token,
            proxies: self.trusted_proxies.clone(),
        }
    }
}
