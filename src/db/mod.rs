//! Storage: the connection pool, per-connection settings, embedded migrations
//! and one query module per table. Nothing here knows of HTTP.
//!
//! The queries are written once, against both backends (see `connection`);
//! what differs between SQLite and PostgreSQL lives in `dialect`.

pub mod articles;
pub mod authors;
pub mod bulk;
pub mod checkpoint;
mod connection;
pub mod dialect;
pub mod dump;
pub mod links;
pub mod media;
pub mod schema;
pub mod search;
pub mod sections;
pub mod slugs;
pub mod tags;
pub mod visibility;
mod writer;

use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::connection::TransactionManager;
use diesel::prelude::*;
use diesel::r2d2::Pool;

pub use connection::{Conn, Dialect, MultiBackend as Backend};
/// The database's own errors and results, for the layers above that pass
/// them on without building queries of their own.
pub use diesel::QueryResult;
pub use diesel::result::Error as DatabaseError;
pub type DbPool = Pool<dialect::Manager>;

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

/// The pool plus the one way handlers reach it: blocking work runs on the
/// blocking thread pool and takes its connection inside the closure, so no
/// connection is ever held across an `.await`.
#[derive(Clone)]
pub struct Db {
    pool: DbPool,
    manager: dialect::Manager,
    /// SQLite's writes, committed in groups (see `writer`); PostgreSQL
    /// commits each on a pooled connection.
    writer: Option<std::sync::Arc<writer::GroupWriter>>,
    /// Blocking work waits here, not on a thread of its own: a burst of
    /// requests would otherwise start a thread per request, each only to
    /// wait for one of the pool's connections (or the writer's turn), and
    /// every thread costs memory that stays with the process.
    readers: std::sync::Arc<tokio::sync::Semaphore>,
    writers: std::sync::Arc<tokio::sync::Semaphore>,
}

/// SQLite writes in flight at once: as many as one group commit takes
/// (they use the writer's own connection, not the pool's), so that 64
/// editors saving at once share one COMMIT and its sync. With 16, at 64
/// connections, creates needed a fifth more CPU each (four commits for what
/// is now one). Each costs a waiting thread; what those threads cost in
/// memory is kept down by the binary's malloc arena cap (src/malloc_arenas.rs).
const CONCURRENT_SQLITE_WRITES: usize = writer::MAX_BATCH;

impl Db {
    pub fn connect(database_url: &str, pool_size: u32) -> Result<Db, Unavailable> {
        let manager = dialect::Manager::new(database_url);
        dialect::prepare(&manager).map_err(Unavailable)?;
        let pool = Pool::builder()
            .max_size(pool_size)
            .connection_timeout(Duration::from_secs(5))
            // An embedded file does not drop connections, and checking each
            // one on the way out of the pool would cost every request a
            // statement; a server's connections can drop, so those are
            // checked.
            .test_on_check_out(manager.dialect() == Dialect::Postgres)
            .connection_customizer(Box::new(dialect::SessionSettings))
            .build(manager.clone())
            .map_err(|e| Unavailable(e.to_string()))?;
        let dialect = manager.dialect();
        let writer = (dialect == Dialect::Sqlite).then(|| {
            let manager = manager.clone();
            std::sync::Arc::new(writer::GroupWriter::new(move || {
                use diesel::r2d2::CustomizeConnection;
                let mut conn = manager
                    .establish()
                    .map_err(|e| Unavailable(e.to_string()))?;
                dialect::SessionSettings
                    .on_acquire(&mut conn)
                    .map_err(|e| Unavailable(e.to_string()))?;
                Ok(conn)
            }))
        });
        Ok(Db {
            pool,
            manager,
            writer,
            readers: std::sync::Arc::new(tokio::sync::Semaphore::new(pool_size as usize)),
            // A PostgreSQL writer holds a pooled connection while it waits
            // for the write turn; half the pool always stays for readers.
            writers: std::sync::Arc::new(tokio::sync::Semaphore::new(match dialect {
                Dialect::Sqlite => CONCURRENT_SQLITE_WRITES,
                Dialect::Postgres => (pool_size as usize / 2).max(1),
            })),
        })
    }

    /// Runs `work` as one write transaction (see `write_transaction`) and
    /// answers once it is committed. On SQLite, writes that arrive while
    /// another runs share its COMMIT (`writer`), and `work` runs again
    /// should another write of its batch fail after changing rows: it must
    /// only read and write the database, not change what it captured.
    pub async fn write<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnMut(&mut Conn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<Unavailable> + From<diesel::result::Error> + Send + 'static,
    {
        let _permit = self
            .writers
            .acquire()
            .await
            .map_err(|e| Unavailable(e.to_string()))?;
        match &self.writer {
            Some(writer) => {
                let writer = writer.clone();
                actix_web::rt::task::spawn_blocking(move || writer.write(work))
                    .await
                    .map_err(|e| Unavailable(format!("blocking task failed: {e}")))?
            }
            None => {
                self.run_blocking(move |conn| write_transaction(conn, work))
                    .await
            }
        }
    }

    /// WAL checkpoints on a thread of their own until the value is dropped
    /// (see `checkpoint`); `None` on PostgreSQL.
    pub fn checkpoint_in_background(&self) -> Option<checkpoint::BackgroundCheckpoints> {
        checkpoint::BackgroundCheckpoints::start(&self.manager)
    }

    /// Applies pending migrations; returns how many ran.
    pub fn migrate(&self) -> Result<usize, Unavailable> {
        let mut conn = self.pool.get().map_err(|e| Unavailable(e.to_string()))?;
        let applied = dialect::migrate(&mut conn).map_err(Unavailable)?;
        let built = bulk::build_deferred_indexes(&mut conn)
            .map_err(|e| Unavailable(format!("building the indexes an import left: {e}")))?;
        if built > 0 {
            tracing::warn!(
                built,
                "an import was cut off before building its indexes; built them"
            );
        }
        Ok(applied)
    }

    pub async fn run<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut Conn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<Unavailable> + Send + 'static,
    {
        let _permit = self
            .readers
            .acquire()
            .await
            .map_err(|e| Unavailable(e.to_string()))?;
        self.run_blocking(work).await
    }

    /// `run`, for a caller that already holds a permit.
    async fn run_blocking<T, E, F>(&self, work: F) -> Result<T, E>
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

    /// For work that already runs on a blocking thread (a rendition being
    /// made): a pooled connection, waited for on this thread.
    pub fn on_this_thread<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut Conn) -> Result<T, E>,
        E: From<Unavailable>,
    {
        let mut conn = self.pool.get().map_err(|e| Unavailable(e.to_string()))?;
        work(&mut conn)
    }

    /// How many pooled connections exist and how many are idle.
    pub fn pool_state(&self) -> diesel::r2d2::State {
        self.pool.state()
    }

    /// Readiness: a new connection can be opened and read (see
    /// `dialect::ping_fresh`).
    pub async fn ping(&self) -> Result<(), Unavailable> {
        let manager = self.manager.clone();
        actix_web::rt::task::spawn_blocking(move || {
            dialect::ping_fresh(&manager).map_err(Unavailable)
        })
        .await
        .map_err(|e| Unavailable(format!("blocking task failed: {e}")))?
    }
}

/// Runs `work` in one read transaction: everything it reads is one
/// consistent snapshot, whatever is written meanwhile.
pub fn read_transaction<T, E, F>(conn: &mut Conn, work: F) -> Result<T, E>
where
    F: FnOnce(&mut Conn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    conn.transaction(work)
}

/// Runs `work` as one write transaction and records when it happened (the
/// `Last-Modified` of every read). The transaction holds the database's
/// write turn from its start (see `dialect::begin_write`).
pub fn write_transaction<T, E, F>(conn: &mut Conn, work: F) -> Result<T, E>
where
    F: FnOnce(&mut Conn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    // SQLite lets one writer in at a time and makes the others poll with
    // growing sleeps; queueing them here instead wakes the next one the
    // moment the previous one commits. The busy timeout still guards against
    // writers in other processes.
    let _turn = match conn.dialect() {
        Dialect::Sqlite => Some(
            WRITERS
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        ),
        Dialect::Postgres => None,
    };
    dialect::begin_write(conn)?;
    let outcome = work(conn).and_then(|value| {
        bump_change_log(conn)?;
        Ok(value)
    });
    type Manager = <Conn as Connection>::TransactionManager;
    match outcome {
        Ok(value) => match Manager::commit_transaction(conn) {
            Ok(()) => {
                record_write();
                Ok(value)
            }
            Err(e) => {
                // A failed COMMIT can leave the transaction open; it must
                // not stay open on a connection that goes back to the pool.
                let _ = Manager::rollback_transaction(conn);
                Err(e.into())
            }
        },
        Err(e) => {
            Manager::rollback_transaction(conn)?;
            Err(e)
        }
    }
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

/// How many write transactions this process has committed: a read cache
/// that saw the same count before asking the database knows that nothing it
/// was told has since been changed from here.
static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Records when anything was written and bumps the version every reader's
/// cache is checked against; part of every write transaction.
fn bump_change_log(conn: &mut Conn) -> QueryResult<usize> {
    diesel::update(schema::change_log::table)
        .set((
            schema::change_log::changed_at.eq(crate::domain::now()),
            schema::change_log::version.eq(schema::change_log::version + 1),
        ))
        .execute(conn)
}

/// Called after a write transaction committed.
fn record_write() {
    WRITES.fetch_add(1, std::sync::atomic::Ordering::Release);
}

pub fn writes_committed() -> u64 {
    WRITES.load(std::sync::atomic::Ordering::Acquire)
}

/// The first moment after `now` at which an article's `published_at` falls
/// due, which changes what readers see (and `Last-Modified`) with no write.
pub fn next_due(conn: &mut Conn, now: NaiveDateTime) -> QueryResult<Option<NaiveDateTime>> {
    schema::articles::table
        .filter(schema::articles::published_at.gt(now))
        .select(diesel::dsl::min(schema::articles::published_at))
        .first(conn)
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
