//! Everything whose SQL differs between SQLite and PostgreSQL: opening and
//! tuning connections, migrations, how a write transaction starts, identity
//! sequences, and the text of the few statements Diesel's DSL cannot say
//! portably. Query modules ask here instead of matching on the backend.

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::r2d2::{CustomizeConnection, ManageConnection, R2D2Connection};
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::{Conn, Dialect};

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Held while migrations run, so replicas that start together migrate one
/// at a time and the later ones find nothing left to do.
const MIGRATION_LOCK: i64 = 0x6d61_7374_6865_6164; // "masthead"
/// Held by every write transaction: writers across all replicas take turns,
/// as SQLite's single writer makes them, so a read-check-write (If-Match, a
/// free slug, dense link positions) cannot interleave with another.
const WRITE_LOCK: i64 = 0x6d61_7374_7772_6974; // "mastwrit"

/// `postgres://` and `postgresql://` URLs select PostgreSQL; anything else
/// is a SQLite file path (optionally `sqlite://`).
pub fn dialect_of(database_url: &str) -> Dialect {
    if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
        Dialect::Postgres
    } else {
        Dialect::Sqlite
    }
}

/// The WAL size, in pages, at which the writing connection checkpoints by
/// itself while a background checkpoint thread runs (`checkpoint`) (SQLite's default is 1,000). It only matters should the
/// thread fall behind or stop: the WAL stays bounded either way.
pub const WRITER_CHECKPOINT_PAGES: u32 = 50_000;

/// Opens connections of the backend the URL names. Diesel's own manager
/// tries each backend in turn, which would turn an unreachable PostgreSQL
/// URL into a new SQLite file of that name.
#[derive(Debug, Clone)]
pub struct Manager {
    url: String,
    dialect: Dialect,
}

impl Manager {
    pub fn new(database_url: &str) -> Manager {
        let dialect = dialect_of(database_url);
        let url = match dialect {
            Dialect::Sqlite => database_url
                .strip_prefix("sqlite://")
                .unwrap_or(database_url)
                .to_owned(),
            Dialect::Postgres => database_url.to_owned(),
        };
        Manager { url, dialect }
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    pub fn establish(&self) -> ConnectionResult<Conn> {
        match self.dialect {
            Dialect::Sqlite => SqliteConnection::establish(&self.url).map(Conn::Sqlite),
            Dialect::Postgres => PgConnection::establish(&self.url).map(Conn::Postgres),
        }
    }
}

impl ManageConnection for Manager {
    type Connection = Conn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Conn, Self::Error> {
        self.establish()
            .map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        conn.is_broken()
    }
}

/// Settings each pooled connection gets when it is opened.
#[derive(Debug)]
pub struct SessionSettings;

impl CustomizeConnection<Conn, diesel::r2d2::Error> for SessionSettings {
    fn on_acquire(&self, conn: &mut Conn) -> Result<(), diesel::r2d2::Error> {
        let sql = match conn {
            // The busy timeout comes first so that everything after it, and
            // every writer, queues instead of failing on a lock.
            // synchronous=FULL makes every committed write survive a power
            // cut, because nothing an editor saves may be lost. WAL (which
            // lets readers proceed during a write) is a property of the file,
            // set once in `prepare`.
            Conn::Sqlite(_) => {
                "PRAGMA busy_timeout = 5000;
                 PRAGMA synchronous = FULL;
                 PRAGMA foreign_keys = ON;"
            }
            // The same bounded waits as SQLite's busy timeout; timestamps are
            // stored without a zone and always mean UTC.
            Conn::Postgres(_) => {
                "SET lock_timeout = '5s';
                 SET TIME ZONE 'UTC';"
            }
        };
        conn.batch_execute(sql)
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// What has to happen once before the pool opens its connections.
pub fn prepare(manager: &Manager) -> Result<(), String> {
    match manager.dialect {
        // Switching a new file to WAL takes a lock that connections opened
        // at the same moment would otherwise collide with.
        Dialect::Sqlite => {
            let mut first = manager.establish().map_err(|e| e.to_string())?;
            first
                .batch_execute("PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL;")
                .map_err(|e| e.to_string())
        }
        Dialect::Postgres => Ok(()),
    }
}

/// Page cache, in KiB, of the connection an import writes through. A bulk
/// load touches every index and the whole full-text index over and over;
/// with the default 2 MiB cache SQLite evicts and re-reads (and, mid
/// transaction, spills to the WAL) the same pages again and again. The import
/// is a short-lived process of its own, so it may spend memory on it.
const BULK_CACHE_KIB: i64 = 262_144;

/// Tunes the connection an import writes through (see `BULK_CACHE_KIB`).
/// With `background_checkpoints` (a `checkpoint::BackgroundCheckpoints`
/// runs), its commits leave checkpoints to that thread.
///
/// `temp_store` stays a file on purpose. Statements that keep a statement
/// journal (multi-row inserts into tables with triggers that can abort
/// them) would keep it in memory as a list of small chunks that SQLite walks
/// from its head on every release: with `temp_store=MEMORY` that walk was
/// 28% of a 100,000-article import, before import stopped firing the article
/// triggers row by row (`bulk::defer_article_triggers`).
pub fn tune_for_bulk_load(conn: &mut Conn, background_checkpoints: bool) -> QueryResult<()> {
    let Conn::Sqlite(c) = conn else {
        return Ok(());
    };
    c.batch_execute(&format!("PRAGMA cache_size = -{BULK_CACHE_KIB};"))?;
    if background_checkpoints {
        c.batch_execute(&format!(
            "PRAGMA wal_autocheckpoint = {};",
            WRITER_CHECKPOINT_PAGES
        ))?;
    }
    Ok(())
}

/// Applies pending migrations; returns how many ran.
pub fn migrate(conn: &mut Conn) -> Result<usize, String> {
    let failed = |e: &dyn std::fmt::Display| format!("migrations failed: {e}");
    match conn {
        Conn::Sqlite(c) => c
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map(|applied| applied.len())
            .map_err(|e| failed(&e)),
        Conn::Postgres(c) => {
            c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))
                .map_err(|e| failed(&e))?;
            let applied = c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|applied| applied.len())
                .map_err(|e| failed(&e));
            let unlocked = c
                .batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))
                .map_err(|e| failed(&e));
            let applied = applied?;
            unlocked?;
            Ok(applied)
        }
    }
}

/// Opens a write transaction that holds the database's write turn from its
/// first statement. SQLite takes its write lock up front (`BEGIN IMMEDIATE`)
/// so that two writers queue on the busy timeout instead of one failing when
/// it upgrades a read lock; PostgreSQL takes `WRITE_LOCK` for the same turn
/// across every replica.
pub fn begin_write(conn: &mut Conn) -> QueryResult<()> {
    match conn {
        Conn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE"),
        Conn::Postgres(c) => {
            AnsiTransactionManager::begin_transaction(c)?;
            let locked = c.batch_execute(&format!("SELECT pg_advisory_xact_lock({WRITE_LOCK})"));
            if let Err(e) = locked {
                let _ = AnsiTransactionManager::rollback_transaction(c);
                return Err(e);
            }
            Ok(())
        }
    }
}

/// After rows were inserted with explicit ids (an import): PostgreSQL's
/// identity sequences do not move by themselves, so the next id the API
/// hands out would collide. SQLite takes the next id from the table.
pub fn advance_ids(conn: &mut Conn) -> QueryResult<()> {
    match conn {
        Conn::Sqlite(_) => Ok(()),
        Conn::Postgres(c) => c.batch_execute(
            "SELECT setval(pg_get_serial_sequence('authors', 'id'),
                           COALESCE((SELECT max(id) FROM authors), 0) + 1, false);
             SELECT setval(pg_get_serial_sequence('tags', 'id'),
                           COALESCE((SELECT max(id) FROM tags), 0) + 1, false);
             SELECT setval(pg_get_serial_sequence('articles', 'id'),
                           COALESCE((SELECT max(id) FROM articles), 0) + 1, false);
             SELECT setval(pg_get_serial_sequence('media', 'id'),
                           COALESCE((SELECT max(id) FROM media), 0) + 1, false);",
        ),
    }
}

/// Readiness: a new connection can be opened and read. For SQLite the file
/// is opened afresh, since pooled connections keep a file open even after
/// it is moved or its disk goes away.
pub fn ping_fresh(manager: &Manager) -> Result<(), String> {
    let mut conn = match manager.dialect {
        Dialect::Sqlite => {
            let uri = format!(
                "file:{}?mode=rw",
                manager
                    .url
                    .replace('%', "%25")
                    .replace('?', "%3f")
                    .replace('#', "%23")
            );
            Conn::Sqlite(SqliteConnection::establish(&uri).map_err(|e| e.to_string())?)
        }
        Dialect::Postgres => manager.establish().map_err(|e| e.to_string())?,
    };
    conn.batch_execute("SELECT count(*) FROM change_log")
        .map_err(|e| e.to_string())
}

/// The ORDER BY of a nullable timestamp column, with NULLs placed as SQLite
/// places them (first ascending, last descending) on both backends, so that
/// the keyset conditions of `articles::after_position` hold on either.
pub fn nullable_time_order(dialect: Dialect, column: &str, descending: bool) -> String {
    match (dialect, descending) {
        (Dialect::Sqlite, true) => format!("{column} DESC, articles.id DESC"),
        (Dialect::Sqlite, false) => format!("{column} ASC, articles.id ASC"),
        (Dialect::Postgres, true) => format!("{column} DESC NULLS LAST, articles.id DESC"),
        (Dialect::Postgres, false) => format!("{column} ASC NULLS FIRST, articles.id ASC"),
    }
}
