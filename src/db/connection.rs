//! The one connection type every query runs on: either backend, chosen by
//! `DATABASE_URL` at start-up. Diesel's `MultiConnection` derive makes the
//! enum a connection of its own, so each query is written once against
//! `MultiBackend` and sent in the dialect of whichever database is behind it.

use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;

#[derive(diesel::MultiConnection)]
pub enum Conn {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

/// Which database a connection talks to, for the few statements whose SQL
/// differs (see `db::dialect`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Conn {
    pub fn dialect(&self) -> Dialect {
        match self {
            Conn::Sqlite(_) => Dialect::Sqlite,
            Conn::Postgres(_) => Dialect::Postgres,
        }
    }
}
