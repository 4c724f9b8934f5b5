//! Storage: the connection pool, per-connection settings, embedded migrations
//! and one query module per table. Nothing here knows of HTTP.
//!
//! Everything that depends on the SQL dialect lives in this file, so a second
//! backend slots in beside SQLite here rather than in every query module.

pub mod articles;
pub mod authors;
pub mod links;
pub mod schema;
pub mod search;
pub mod slugs;
pub mod tags;
pub mod visibility;

use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::QueryResult;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

/// The backend the queries are written for.
pub type Backend = diesel::sqlite::Sqlite;
pub type Conn = SqliteConnection;
pub type DbPool = Pool<ConnectionManager<Conn>>;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// Which slice of a sorted list to load.
#[derive(Debug, Clone)]
pub enum Window<P> {
    /// Page-number paging; the total is counted.
    Offset { limit: i64, offset: i64 },
    /// Keyset paging: the rows after a position (from the start when
    /// `None`), as fast deep in the list as at its head. No total.
    After { limit: i64, after: Option<P> },
}

impl<P> Window<P> {
    pub fn limit(&self) -> i64 {
        match self {
            Window::Offset { limit, .. } | Window::After { limit, .. } => *limit,
        }
    }

    pub fn offset(&self) -> i64 {
        match self {
            Window::Offset { offset, .. } => *offset,
            Window::After { .. } => 0,
        }
    }

    pub fn counts_total(&self) -> bool {
        matches!(self, Window::Offset { .. })
    }
}

/// A loaded slice of a list and, when paging by page number, the list's
/// total length.
#[derive(Debug)]
pub struct Slice<T> {
    pub rows: Vec<T>,
    pub total: Option<i64>,
}

/// The database could not be reached or the blocking pool is gone.
#[derive(Debug, thiserror::Error)]
#[error("the database is unavailable: {0}")]
pub struct Unavailable(pub String);

/// Settings that SQLite keeps per connection, applied to each pooled one.
#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<Conn, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut Conn) -> Result<(), diesel::r2d2::Error> {
        // The busy timeout comes first so that everything after it, and every
        // writer, queues instead of failing on a lock. synchronous=FULL makes
        // every committed write survive a power cut, because nothing an editor
        // saves may be lost. WAL (which lets readers proceed during a write)
        // is a property of the file, set once in `Db::connect`.
        conn.batch_execute(
            "PRAGMA busy_timeout = 5000;
             PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;",
        )
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// The pool plus the one way handlers reach it: blocking work runs on the
/// blocking thread pool and takes its connection inside the closure, so no
/// connection is ever held across an `.await`.
#[derive(Clone)]
pub struct Db {
    pool: DbPool,
    path: String,
}

impl Db {
    pub fn connect(database_url: &str, pool_size: u32) -> Result<Db, Unavailable> {
        let path = database_url
            .strip_prefix("sqlite://")
            .unwrap_or(database_url);
        // Before the pool opens its connections at once: switching a new file
        // to WAL takes a lock the others would otherwise collide with.
        let mut first = Conn::establish(path).map_err(|e| Unavailable(e.to_string()))?;
        first
            .batch_execute("PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL;")
            .map_err(|e| Unavailable(e.to_string()))?;
        drop(first);
        let manager = ConnectionManager::<Conn>::new(path);
        let pool = Pool::builder()
            .max_size(pool_size)
            .connection_timeout(Duration::from_secs(5))
            // An embedded file does not drop connections; checking each one
            // on the way out of the pool would cost every request a statement.
            .test_on_check_out(false)
            .connection_customizer(Box::new(SqlitePragmas))
            .build(manager)
            .map_err(|e| Unavailable(e.to_string()))?;
        Ok(Db {
            pool,
            path: path.to_owned(),
        })
    }

    /// Applies pending migrations; returns how many ran.
    pub fn migrate(&self) -> Result<usize, Unavailable> {
        let mut conn = self.pool.get().map_err(|e| Unavailable(e.to_string()))?;
        let applied = conn
            .run_pending_migrations(MIGRATIONS)
            .map_err(|e| Unavailable(format!("migrations failed: {e}")))?;
        Ok(applied.len())
    }

    pub async fn run<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut Conn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<Unavailable> + Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::rt::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(|e| Unavailable(e.to_string()))?;
            work(&mut conn)
        })
        .await
        .map_err(|e| Unavailable(format!("blocking task failed: {e}")))?
    }

    /// How many pooled connections exist and how many are idle.
    pub fn pool_state(&self) -> diesel::r2d2::State {
        self.pool.state()
    }

    /// Readiness: the database file can be opened afresh and read. Pooled
    /// connections keep a file open even after it is moved or its disk goes
    /// away, so asking one of them would say "ready" when nothing new can be.
    pub async fn ping(&self) -> Result<(), Unavailable> {
        let uri = format!(
            "file:{}?mode=rw",
            self.path
                .replace('%', "%25")
                .replace('?', "%3f")
                .replace('#', "%23")
        );
        actix_web::rt::task::spawn_blocking(move || {
            let mut conn = Conn::establish(&uri).map_err(|e| Unavailable(e.to_string()))?;
            conn.batch_execute("SELECT count(*) FROM sqlite_master")
                .map_err(|e| Unavailable(e.to_string()))
        })
        .await
        .map_err(|e| Unavailable(format!("blocking task failed: {e}")))?
    }
}

/// Runs `work` as one write transaction and records when it happened (the
/// `Last-Modified` of every read). SQLite takes the write lock up front
/// (`BEGIN IMMEDIATE`) so that two writers queue on the busy timeout instead
/// of one failing when it upgrades a read lock.
pub fn write_transaction<T, E, F>(conn: &mut Conn, work: F) -> Result<T, E>
where
    F: FnOnce(&mut Conn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    // SQLite lets one writer in at a time and makes the others poll with
    // growing sleeps; queueing them here instead wakes the next one the
    // moment the previous one commits. The busy timeout still guards against
    // writers in other processes.
    let _turn = WRITERS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    conn.immediate_transaction(|conn| {
        let value = work(conn)?;
        diesel::update(schema::change_log::table)
            .set((
                schema::change_log::changed_at.eq(crate::domain::now()),
                schema::change_log::version.eq(schema::change_log::version + 1),
            ))
            .execute(conn)?;
        Ok(value)
    })
}

/// How current the stored content is: what changes whenever any read may.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Freshness {
    /// Bumped by every write transaction, in any process.
    pub version: i64,
    /// The last write, or a scheduled article falling due since, whichever
    /// is later: the `Last-Modified` of every read.
    pub last_modified: NaiveDateTime,
}

pub fn freshness(conn: &mut Conn, now: NaiveDateTime) -> QueryResult<Freshness> {
    let (written, version): (NaiveDateTime, i64) = schema::change_log::table
        .select((schema::change_log::changed_at, schema::change_log::version))
        .first(conn)?;
    let due: Option<NaiveDateTime> = schema::articles::table
        .filter(schema::articles::published_at.le(now))
        .select(diesel::dsl::max(schema::articles::published_at))
        .first(conn)?;
    Ok(Freshness {
        version,
        last_modified: due.map_or(written, |due| due.max(written)),
    })
}

/// The queue of this process's writers (see `write_transaction`).
static WRITERS: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// `LIKE` patterns escape their wildcards with this character.
pub const LIKE_ESCAPE: char = '\\';

/// A `%text%` pattern that matches `text` literally.
pub fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push(LIKE_ESCAPE);
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}
