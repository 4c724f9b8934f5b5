//! The `masthead` command: serve (the default), migrate, token, openapi,
//! export, import.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, IsTerminal};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use masthead::auth;
use masthead::config::{JwtKey, LogFormat, Overrides, Settings, Sources};
use masthead::domain::Role;
use masthead::originals::Originals;
use masthead::startup::{Application, open_database};
use masthead::transfer::{self, Counts, Progress, TransferError};

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
    /// Write every author, tag, article and related link to stdout as NDJSON.
    Export,
    /// Read an NDJSON dump (as `export` writes it) into the database. Ids are
    /// kept; a record whose id or slug exists already stops the import.
    Import {
        /// The dump file, or `-` for stdin.
        path: PathBuf,
        /// Records per transaction: a bad line stops the import with the
        /// batches before its own committed.
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
        batch_size: u32,
    },
}

fn main() -> ExitCode {
    masthead::malloc_arenas::cap_per_cpu();
    masthead::malloc_arenas::return_large_blocks();
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
            tracing::info!(database = %settings.database_for_logs(), "migrations are up to date");
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
        Command::Export => export(&settings),
        Command::Import { path, batch_size } => import(&settings, &path, batch_size as usize),
        Command::Openapi => unreachable!("handled before logging starts"),
    }
}

fn summary(counts: Counts) -> String {
    format!(
        "{} media, {} authors, {} tags, {} articles, {} links",
        counts.media, counts.authors, counts.tags, counts.articles, counts.links
    )
}

/// Where this deployment keeps originals (`MEDIA_DIR` or the database):
/// export reads them from there, import stores them there.
fn originals(settings: &Settings) -> Result<Originals, String> {
    Originals::new(settings.media.originals_dir.as_deref()).map_err(|e| format!("MEDIA_DIR: {e}"))
}

fn export(settings: &Settings) -> Result<(), String> {
    let originals = originals(settings)?;
    let db = open_database(settings).map_err(|e| e.to_string())?;
    let counts = actix_web::rt::System::new()
        .block_on(db.run(move |conn| {
            let mut out = BufWriter::new(std::io::stdout().lock());
            transfer::export(conn, &originals, &mut out)
        }))
        .map_err(|e| format!("export: {e}"))?;
    tracing::info!("exported {}", summary(counts));
    Ok(())
}

fn import(settings: &Settings, path: &Path, batch_size: usize) -> Result<(), String> {
    let (reader, size): (Box<dyn BufRead + Send>, Option<u64>) = if path == Path::new("-") {
        (Box::new(BufReader::new(std::io::stdin())), None)
    } else {
        let file = File::open(path).map_err(|e| format!("import: {}: {e}", path.display()))?;
        let size = file.metadata().ok().map(|m| m.len());
        (Box::new(BufReader::new(file)), size)
    };
    let originals = originals(settings)?;
    let db = open_database(settings).map_err(|e| e.to_string())?;
    let bar = std::io::stderr().is_terminal().then(|| progress_bar(size));
    let shown = bar.clone();
    let checkpoints = db.checkpoint_in_background();
    let background_checkpoints = checkpoints.is_some();
    let outcome = actix_web::rt::System::new().block_on(db.run(move |conn| {
        // This process exits after the import, so its connection may keep
        // the bulk-load settings; a server's pooled connections never get them.
        masthead::db::dialect::tune_for_bulk_load(conn, background_checkpoints)
            .map_err(TransferError::Database)?;
        transfer::import(conn, &originals, reader, batch_size, |at: Progress| {
            if let Some(bar) = &shown {
                bar.set_position(at.bytes);
                if at.lines.is_multiple_of(256) {
                    bar.set_message(format!("{} lines", at.lines));
                }
            }
        })
    }));
    // Its last checkpoint copies what the import wrote last.
    drop(checkpoints);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    match outcome {
        Ok(counts) => {
            tracing::info!("imported {}", summary(counts));
            Ok(())
        }
        Err(TransferError::Line {
            line,
            message,
            committed,
        }) => {
            let kept = match committed {
                0 => "nothing was imported".to_owned(),
                n => format!("lines 1 to {n} were imported, nothing after"),
            };
            Err(format!(
                "import: {}: line {line}: {message} ({kept})",
                path.display()
            ))
        }
        Err(e) => Err(format!("import: {}: {e}", path.display())),
    }
}

/// Bytes read against the file's size, with rate and ETA; a spinner with the
/// rate when the size is unknown (stdin).
fn progress_bar(size: Option<u64>) -> indicatif::ProgressBar {
    let (bar, template) = match size {
        Some(size) => (
            indicatif::ProgressBar::new(size),
            "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {msg} ({bytes_per_sec}, ETA {eta})",
        ),
        None => (
            indicatif::ProgressBar::new_spinner(),
            "{spinner} [{elapsed_precise}] {bytes} {msg} ({bytes_per_sec})",
        ),
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
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
        tracing::info!(address = %settings.bind, database = %settings.database_for_logs(), "masthead is serving");
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
