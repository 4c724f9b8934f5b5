//! The only place that reads the environment. Settings come from command-line
//! flags, else the process environment, else `.env`, else defaults that work on
//! a fresh machine. Secrets are redacted from `Debug`.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use jsonwebtoken::Algorithm;

use crate::db::Dialect;

/// A bad setting: the message names it, so the start can stop with one line.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// Values given on the command line, which win over everything else.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub database_url: Option<String>,
    pub bind: Option<String>,
}

/// Where each setting is looked up, in order of precedence.
pub struct Sources {
    overrides: Overrides,
    env: HashMap<String, String>,
    dotenv: HashMap<String, String>,
}

impl Sources {
    /// Reads the process environment and `.env` in the working directory
    /// (when present) without modifying the environment.
    pub fn from_process(overrides: Overrides) -> Result<Self, ConfigError> {
        let dotenv = match dotenvy::from_path_iter(".env") {
            Ok(iter) => iter
                .collect::<Result<HashMap<_, _>, _>>()
                .map_err(|e| ConfigError(format!(".env: {e}")))?,
            Err(e) if e.not_found() => HashMap::new(),
            Err(e) => return Err(ConfigError(format!(".env: {e}"))),
        };
        Ok(Self {
            overrides,
            env: std::env::vars().collect(),
            dotenv,
        })
    }

    /// Settings from explicit values only: what tests use.
    pub fn from_map(values: HashMap<String, String>) -> Self {
        Self {
            overrides: Overrides::default(),
            env: values,
            dotenv: HashMap::new(),
        }
    }

    /// How log lines are written: `LOG_FORMAT=json` for JSON lines, else text.
    pub fn log_format(&self) -> Result<LogFormat, ConfigError> {
        match self.get("LOG_FORMAT").as_deref() {
            None | Some("text") => Ok(LogFormat::Text),
            Some("json") => Ok(LogFormat::Json),
            Some(other) => Err(ConfigError(format!(
                "LOG_FORMAT: '{other}' is not 'text' or 'json'"
            ))),
        }
    }

    /// The log filter (`RUST_LOG`, tracing's EnvFilter syntax), default `info`.
    pub fn log_filter(&self) -> String {
        self.get("RUST_LOG").unwrap_or_else(|| "info".into())
    }

    fn get(&self, name: &str) -> Option<String> {
        let flag = match name {
            "DATABASE_URL" => self.overrides.database_url.clone(),
            "MASTHEAD_BIND" => self.overrides.bind.clone(),
            _ => None,
        };
        flag.or_else(|| self.env.get(name).cloned())
            .or_else(|| self.dotenv.get(name).cloned())
            .filter(|v| !v.trim().is_empty())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// How tokens are verified: the algorithm is fixed here, never taken from a token.
#[derive(Clone)]
pub enum JwtKey {
    /// HS256 with a shared secret; `generated` when masthead made it itself.
    Secret {
        bytes: Vec<u8>,
        generated: Option<PathBuf>,
    },
    /// RS256, ES256 or EdDSA with the identity provider's public key (PEM).
    PublicKey { algorithm: Algorithm, pem: Vec<u8> },
}

impl fmt::Debug for JwtKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JwtKey::Secret { generated, .. } => f
                .debug_struct("Secret")
                .field("bytes", &"<redacted>")
                .field("generated", generated)
                .finish(),
            JwtKey::PublicKey { algorithm, .. } => f
                .debug_struct("PublicKey")
                .field("algorithm", algorithm)
                .finish(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct JwtSettings {
    pub key: JwtKey,
    pub issuer: Option<String>,
    pub audience: Option<String>,
}

#[derive(Debug, Clone)]
pub struct CacheSettings {
    pub max_age: u32,
    pub stale_while_revalidate: u32,
    /// How long the read cache trusts the database's freshness when this
    /// process has written nothing since it last asked: the longest a write
    /// through another process (a replica, `masthead import`) takes to show.
    pub recheck: std::time::Duration,
}

/// Uploads, where originals are kept, and the renditions made from them.
#[derive(Debug, Clone)]
pub struct MediaSettings {
    /// `MEDIA_DIR`: originals in this directory; unset, in the database.
    pub originals_dir: Option<PathBuf>,
    /// `MEDIA_CACHE_DIR`: where renditions are kept once made.
    pub cache_dir: PathBuf,
    /// `MEDIA_CACHE_MAX_BYTES`: the rendition directory's bound (LRU).
    pub cache_max_bytes: u64,
    /// `MEDIA_MAX_BYTES`: the largest upload (413 past it).
    pub max_upload_bytes: usize,
    /// `MEDIA_MAX_PIXELS`: the most pixels an image may have (422 past it),
    /// read from its header before anything is decoded.
    pub max_pixels: u64,
    /// `MEDIA_WIDTHS`: the widths a rendition may have (400 otherwise), so
    /// that the cache stays bounded; also the `srcset` the API hands out.
    pub widths: Vec<u32>,
    /// `MEDIA_BASE_URL`: prefixed to media URLs (a CDN, or this service's
    /// public origin); unset, URLs are root-relative paths.
    pub base_url: String,
    /// `MEDIA_RENDER_CONCURRENCY`: cold renditions made at once.
    pub render_concurrency: usize,
}

pub const DEFAULT_MEDIA_WIDTHS: &[u32] = &[320, 480, 640, 800, 1024, 1280, 1600, 2048];

impl Default for MediaSettings {
    fn default() -> Self {
        MediaSettings::load(&Sources::from_map(HashMap::new()))
            .expect("the default media settings are valid")
    }
}

impl MediaSettings {
    fn load(sources: &Sources) -> Result<Self, ConfigError> {
        let widths = match sources.get("MEDIA_WIDTHS") {
            None => DEFAULT_MEDIA_WIDTHS.to_vec(),
            Some(text) => {
                let mut widths = text
                    .split(',')
                    .map(|w| match w.trim().parse::<u32>() {
                        Ok(n @ 16..=8192) => Ok(n),
                        _ => Err(ConfigError(format!(
                            "MEDIA_WIDTHS: '{}' is not a width from 16 to 8192 pixels",
                            w.trim()
                        ))),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                widths.sort_unstable();
                widths.dedup();
                widths
            }
        };
        let bytes = |name: &str, default: u64| -> Result<u64, ConfigError> {
            match sources.get(name) {
                None => Ok(default),
                Some(v) => match v.trim().parse::<u64>() {
                    Ok(n) if n >= 1024 => Ok(n),
                    _ => Err(ConfigError(format!(
                        "{name}: '{v}' is not a number of bytes (at least 1024)"
                    ))),
                },
            }
        };
        let max_pixels = match sources.get("MEDIA_MAX_PIXELS") {
            None => 50_000_000,
            Some(v) => match v.trim().parse::<u64>() {
                Ok(n) if n >= 1 => n,
                _ => {
                    return Err(ConfigError(format!(
                        "MEDIA_MAX_PIXELS: '{v}' is not a whole number of pixels"
                    )));
                }
            },
        };
        let render_concurrency = match sources.get("MEDIA_RENDER_CONCURRENCY") {
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
            Some(v) => match v.trim().parse::<usize>() {
                Ok(n @ 1..=64) => n,
                _ => {
                    return Err(ConfigError(format!(
                        "MEDIA_RENDER_CONCURRENCY: '{v}' is not a whole number from 1 to 64"
                    )));
                }
            },
        };
        let base_url = sources.get("MEDIA_BASE_URL").unwrap_or_default();
        if !base_url.is_empty() && url::Url::parse(&base_url).is_err() {
            return Err(ConfigError(format!(
                "MEDIA_BASE_URL: '{base_url}' is not an absolute URL"
            )));
        }
        Ok(MediaSettings {
            originals_dir: sources.get("MEDIA_DIR").map(PathBuf::from),
            cache_dir: sources
                .get("MEDIA_CACHE_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| std::env::temp_dir().join("masthead-renditions")),
            cache_max_bytes: bytes("MEDIA_CACHE_MAX_BYTES", 1024 * 1024 * 1024)?,
            max_upload_bytes: usize::try_from(bytes("MEDIA_MAX_BYTES", 20 * 1024 * 1024)?)
                .unwrap_or(usize::MAX),
            max_pixels,
            widths,
            base_url: base_url.trim_end_matches('/').to_owned(),
            render_concurrency,
        })
    }
}

#[derive(Debug, Clone)]
pub struct RateLimits {
    pub reads_per_minute: Option<u32>,
    pub writes_per_minute: Option<u32>,
}

#[derive(Clone)]
pub struct Settings {
    pub database_url: String,
    pub bind: SocketAddr,
    pub jwt: JwtSettings,
    pub cache: CacheSettings,
    pub rate_limits: RateLimits,
    pub body_limit_bytes: usize,
    pub pool_size: u32,
    pub media: MediaSettings,
}

impl Settings {
    /// `database_url` fit for a log line: a PostgreSQL URL's password is
    /// replaced (a SQLite path has none).
    pub fn database_for_logs(&self) -> String {
        redact_password(&self.database_url)
    }
}

fn redact_password(database_url: &str) -> String {
    match url::Url::parse(database_url) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("redacted"));
            url.to_string()
        }
        _ => database_url.to_owned(),
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("database_url", &self.database_for_logs())
            .field("bind", &self.bind)
            .field("jwt", &self.jwt)
            .field("cache", &self.cache)
            .field("rate_limits", &self.rate_limits)
            .field("body_limit_bytes", &self.body_limit_bytes)
            .field("pool_size", &self.pool_size)
            .field("media", &self.media)
            .finish()
    }
}

pub const DEFAULT_DATABASE_URL: &str = "masthead.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_POOL_SIZE: u32 = 8;
const MIN_SECRET_BYTES: usize = 32;

impl Settings {
    /// Everything but the JWT key, which may need the database path first.
    pub fn load(sources: &Sources) -> Result<Self, ConfigError> {
        let database_url = sources
            .get("DATABASE_URL")
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        let on_postgres = crate::db::dialect::dialect_of(&database_url) == Dialect::Postgres;
        let bind_text = sources
            .get("MASTHEAD_BIND")
            .unwrap_or_else(|| DEFAULT_BIND.to_owned());
        let bind = bind_text.parse().map_err(|_| {
            ConfigError(format!(
                "MASTHEAD_BIND: '{bind_text}' is not an address like 127.0.0.1:8080"
            ))
        })?;
        let jwt = JwtSettings {
            key: jwt_key(sources, &database_url, on_postgres)?,
            issuer: sources.get("JWT_ISSUER"),
            audience: sources.get("JWT_AUDIENCE"),
        };
        Ok(Self {
            database_url,
            bind,
            jwt,
            cache: CacheSettings {
                max_age: number(sources, "CACHE_MAX_AGE")?.unwrap_or(60),
                stale_while_revalidate: number(sources, "CACHE_STALE_WHILE_REVALIDATE")?
                    .unwrap_or(600),
                recheck: std::time::Duration::from_millis(u64::from(
                    milliseconds(sources, "CACHE_RECHECK_MS")?.unwrap_or(250),
                )),
            },
            rate_limits: RateLimits {
                reads_per_minute: positive(sources, "RATE_LIMIT_READS_PER_MINUTE")?,
                writes_per_minute: positive(sources, "RATE_LIMIT_WRITES_PER_MINUTE")?,
            },
            body_limit_bytes: 1024 * 1024,
            pool_size: pool_size(sources)?,
            media: MediaSettings::load(sources)?,
        })
    }
}

fn number(sources: &Sources, name: &str) -> Result<Option<u32>, ConfigError> {
    sources
        .get(name)
        .map(|v| {
            v.trim()
                .parse::<u32>()
                .map_err(|_| ConfigError(format!("{name}: '{v}' is not a whole number of seconds")))
        })
        .transpose()
}

fn milliseconds(sources: &Sources, name: &str) -> Result<Option<u32>, ConfigError> {
    sources
        .get(name)
        .map(|v| match v.trim().parse::<u32>() {
            Ok(ms @ 0..=60_000) => Ok(ms),
            _ => Err(ConfigError(format!(
                "{name}: '{v}' is not a whole number of milliseconds from 0 to 60000"
            ))),
        })
        .transpose()
}

fn positive(sources: &Sources, name: &str) -> Result<Option<u32>, ConfigError> {
    match number(sources, name)? {
        Some(0) => Err(ConfigError(format!(
            "{name}: must be at least 1 (unset it to turn the limit off)"
        ))),
        other => Ok(other),
    }
}

/// Connections per process: enough for the blocking pool to keep the
/// database busy, few enough that N replicas stay under a server's
/// `max_connections`.
fn pool_size(sources: &Sources) -> Result<u32, ConfigError> {
    const NAME: &str = "DATABASE_POOL_SIZE";
    match sources.get(NAME) {
        None => Ok(DEFAULT_POOL_SIZE),
        Some(v) => match v.trim().parse::<u32>() {
            Ok(n @ 1..=256) => Ok(n),
            _ => Err(ConfigError(format!(
                "{NAME}: '{v}' is not a whole number from 1 to 256"
            ))),
        },
    }
}

fn jwt_key(
    sources: &Sources,
    database_url: &str,
    on_postgres: bool,
) -> Result<JwtKey, ConfigError> {
    let algorithm = sources
        .get("JWT_ALGORITHM")
        .unwrap_or_else(|| "HS256".into());
    match algorithm.as_str() {
        "HS256" => {
            if sources.get("JWT_PUBLIC_KEY").is_some() {
                return Err(ConfigError(
                    "JWT_PUBLIC_KEY: set JWT_ALGORITHM to RS256, ES256 or EdDSA to use a public key"
                        .into(),
                ));
            }
            match sources.get("JWT_SECRET") {
                Some(secret) if secret.len() < MIN_SECRET_BYTES => Err(ConfigError(format!(
                    "JWT_SECRET: must be at least {MIN_SECRET_BYTES} bytes long"
                ))),
                Some(secret) => Ok(JwtKey::Secret {
                    bytes: secret.into_bytes(),
                    generated: None,
                }),
                // Replicas on a shared database keep nothing on local disk,
                // and each would otherwise sign with a secret of its own.
                None if on_postgres => Err(ConfigError(
                    "JWT_SECRET: required with a PostgreSQL DATABASE_URL, so that every \
                     replica verifies the same tokens"
                        .into(),
                )),
                None => {
                    let path = secret_path_beside(database_url);
                    let bytes = load_or_create_secret(&path)?;
                    Ok(JwtKey::Secret {
                        bytes,
                        generated: Some(path),
                    })
                }
            }
        }
        "RS256" | "ES256" | "EdDSA" => {
            let algorithm = algorithm.parse::<Algorithm>().map_err(|_| {
                ConfigError(format!("JWT_ALGORITHM: '{algorithm}' is not supported"))
            })?;
            let path = sources.get("JWT_PUBLIC_KEY").ok_or_else(|| {
                ConfigError(format!(
                    "JWT_PUBLIC_KEY: required with JWT_ALGORITHM={algorithm:?} (a path to a PEM file)"
                ))
            })?;
            let pem = std::fs::read(&path)
                .map_err(|e| ConfigError(format!("JWT_PUBLIC_KEY: cannot read '{path}': {e}")))?;
            Ok(JwtKey::PublicKey { algorithm, pem })
        }
        other => Err(ConfigError(format!(
            "JWT_ALGORITHM: '{other}' is not one of HS256, RS256, ES256, EdDSA"
        ))),
    }
}

/// `masthead.db` keeps its generated secret in `masthead.jwt-secret` beside it.
fn secret_path_beside(database_url: &str) -> PathBuf {
    let db = Path::new(
        database_url
            .strip_prefix("sqlite://")
            .unwrap_or(database_url),
    );
    let stem = db
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "masthead".into());
    db.with_file_name(format!("{stem}.jwt-secret"))
}

fn load_or_create_secret(path: &Path) -> Result<Vec<u8>, ConfigError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;

    if let Ok(existing) = std::fs::read_to_string(path) {
        let secret = existing.trim();
        if secret.len() < MIN_SECRET_BYTES {
            return Err(ConfigError(format!(
                "JWT_SECRET: the generated secret in '{}' is damaged; delete it or set JWT_SECRET",
                path.display()
            )));
        }
        return Ok(secret.as_bytes().to_vec());
    }
    let mut raw = [0u8; 32];
    getrandom::fill(&mut raw)
        .map_err(|e| ConfigError(format!("JWT_SECRET: no randomness to generate one: {e}")))?;
    let secret: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| {
            ConfigError(format!(
                "JWT_SECRET: unset, and cannot store a generated one at '{}': {e}",
                path.display()
            ))
        })?;
    writeln!(file, "{secret}").map_err(|e| {
        ConfigError(format!(
            "JWT_SECRET: cannot write '{}': {e}",
            path.display()
        ))
    })?;
    Ok(secret.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(pairs: &[(&str, &str)]) -> Sources {
        Sources::from_map(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn a_short_secret_is_refused_naming_the_setting() {
        let err = Settings::load(&sources(&[("JWT_SECRET", "short")])).unwrap_err();
        assert!(err.0.starts_with("JWT_SECRET"), "{}", err.0);
    }

    #[test]
    fn a_bad_bind_address_names_the_setting() {
        let err = Settings::load(&sources(&[
            ("JWT_SECRET", "0123456789abcdef0123456789abcdef"),
            ("MASTHEAD_BIND", "nowhere"),
        ]))
        .unwrap_err();
        assert!(err.0.starts_with("MASTHEAD_BIND"), "{}", err.0);
    }

    #[test]
    fn a_generated_secret_is_kept_owner_only_and_reused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("news.db");
        let db = db.to_str().unwrap();
        let first = Settings::load(&sources(&[("DATABASE_URL", db)])).unwrap();
        let second = Settings::load(&sources(&[("DATABASE_URL", db)])).unwrap();
        let (
            JwtKey::Secret {
                bytes: a,
                generated: Some(path),
            },
            JwtKey::Secret { bytes: b, .. },
        ) = (first.jwt.key, second.jwt.key)
        else {
            panic!("expected generated secrets");
        };
        assert_eq!(a, b);
        assert_eq!(path, dir.path().join("news.jwt-secret"));
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn debug_output_never_shows_the_secret() {
        let settings = Settings::load(&sources(&[(
            "JWT_SECRET",
            "this-is-a-very-secret-value-of-40-bytes!",
        )]))
        .unwrap();
        assert!(!format!("{settings:?}").contains("very-secret"));
    }

    #[test]
    fn a_database_password_is_never_shown() {
        let settings = Settings::load(&sources(&[
            (
                "DATABASE_URL",
                "postgres://news:hunter2-secret@db:5432/news?sslmode=require",
            ),
            ("JWT_SECRET", "this-is-a-very-secret-value-of-40-bytes!"),
        ]))
        .unwrap();
        assert!(!format!("{settings:?}").contains("hunter2"));
        assert_eq!(
            settings.database_for_logs(),
            "postgres://news:redacted@db:5432/news?sslmode=require"
        );
        assert_eq!(
            settings.database_url,
            "postgres://news:hunter2-secret@db:5432/news?sslmode=require"
        );
    }

    #[test]
    fn postgresql_needs_an_explicit_jwt_secret_and_a_sane_pool() {
        let error =
            Settings::load(&sources(&[("DATABASE_URL", "postgresql://db/news")])).unwrap_err();
        assert!(
            error.to_string().starts_with("JWT_SECRET: required"),
            "{error}"
        );
        for bad in ["0", "257", "eight"] {
            let error = Settings::load(&sources(&[
                ("DATABASE_POOL_SIZE", bad),
                ("JWT_SECRET", "this-is-a-very-secret-value-of-40-bytes!"),
            ]))
            .unwrap_err();
            assert!(
                error.to_string().starts_with("DATABASE_POOL_SIZE:"),
                "{error}"
            );
        }
    }
}
