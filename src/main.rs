//! The `masthead` command: serve (the default), migrate, token, openapi.

use std::net::TcpListener;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use masthead::auth;
use masthead::config::{JwtKey, LogFormat, Overrides, Settings, Sources};
use masthead::domain::Role;
use masthead::startup::{Application, open_database};

#[derive(Parser)]
#[command(name = "masthead", version, about = "A headless content API")]
struct Cli {
    /// The database: a SQLite file path (default masthead.db). Overrides DATABASE_URL.
    #[arg(long, global = true)]
    database_url: Option<String>,
    /// The address to listen on (default 127.0.0.1:8080). Overrides MASTHEAD_BIND.
    #[arg(long, global = true)]
    bind: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Apply migrations and serve the API (the default).
    Serve {
        /// Load the demo newsroom first (idempotent).
        #[arg(long)]
        demo: bool,
    },
    /// Load the demo newsroom into the database (idempotent) and exit.
    Demo,
    /// Apply pending migrations and exit.
    Migrate,
    /// Print a signed token (HS256 only).
    Token {
        /// The token's subject: who is calling.
        #[arg(long)]
        sub: String,
        /// contributor, editor or admin.
        #[arg(long)]
        role: String,
        /// The author slug a contributor writes as.
        #[arg(long)]
        author: Option<String>,
        /// How long the token lives: 30s, 15m, 1h, 7d.
        #[arg(long, default_value = "1h")]
        ttl: String,
    },
    /// Print the OpenAPI document, byte for byte what is served.
    Openapi,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if matches!(cli.command, Some(Command::Openapi)) {
        print!("{}", masthead::openapi::document());
        return ExitCode::SUCCESS;
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("masthead: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    let overrides = Overrides {
        database_url: cli.database_url,
        bind: cli.bind,
    };
    let sources = Sources::from_process(overrides).map_err(|e| e.to_string())?;
    init_logging(&sources)?;
    let settings = Settings::load(&sources).map_err(|e| e.to_string())?;
    match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Serve { demo } => {
            if demo {
                load_demo(&settings)?;
            }
            serve(&settings)
        }
        Command::Demo => load_demo(&settings),
        Command::Migrate => {
            open_database(&settings).map_err(|e| e.to_string())?;
            tracing::info!(database = %settings.database_url, "migrations are up to date");
            Ok(())
        }
        Command::Token {
            sub,
            role,
            author,
            ttl,
        } => {
            let role = Role::parse(&role).ok_or_else(|| {
                format!("--role: '{role}' is not one of contributor, editor, admin")
            })?;
            let ttl = parse_duration(&ttl).ok_or_else(|| {
                format!("--ttl: '{ttl}' is not a duration like 30s, 15m, 1h or 7d")
            })?;
            let JwtKey::Secret { bytes, .. } = &settings.jwt.key else {
                return Err("JWT_ALGORITHM: tokens can be minted only with HS256; your identity provider issues the others".into());
            };
            let token = auth::mint(
                bytes,
                &sub,
                role,
                author.as_deref(),
                ttl,
                settings.jwt.issuer.as_deref(),
                settings.jwt.audience.as_deref(),
            )?;
            println!("{token}");
            Ok(())
        }
        Command::Openapi => unreachable!("handled before logging starts"),
    }
}

fn load_demo(settings: &Settings) -> Result<(), String> {
    let db = open_database(settings).map_err(|e| e.to_string())?;
    let loaded = actix_web::rt::System::new()
        .block_on(db.run(masthead::demo::load))
        .map_err(|e| format!("demo: {e}"))?;
    tracing::info!(
        authors = loaded.authors,
        tags = loaded.tags,
        articles = loaded.articles,
        links = loaded.links,
        "demo newsroom loaded (what already existed was left alone)"
    );
    Ok(())
}

/// Text lines for people by default, JSON lines with `LOG_FORMAT=json`; each
/// request's lines carry its request id either way.
fn init_logging(sources: &Sources) -> Result<(), String> {
    let filter = tracing_subscriber::EnvFilter::try_new(sources.log_filter())
        .map_err(|e| format!("RUST_LOG: {e}"))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match sources.log_format().map_err(|e| e.to_string())? {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().with_current_span(true).init(),
    }
    Ok(())
}

fn serve(settings: &Settings) -> Result<(), String> {
    let listener = TcpListener::bind(settings.bind)
        .map_err(|e| format!("MASTHEAD_BIND: cannot listen on {}: {e}", settings.bind))?;
    let system = actix_web::rt::System::new();
    system.block_on(async {
        let app = Application::build(settings, listener).map_err(|e| e.to_string())?;
        tracing::info!(address = %settings.bind, database = %settings.database_url, "masthead is serving");
        app.server.await.map_err(|e| e.to_string())
    })
}

/// `30s`, `15m`, `1h`, `7d`, or plain seconds.
fn parse_duration(text: &str) -> Option<u64> {
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let n: u64 = number.parse().ok()?;
    let factor = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => return None,
    };
    n.checked_mul(factor).filter(|&s| s > 0)
}
