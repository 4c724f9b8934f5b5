//! Fresh databases: a SQLite file in a temporary directory, or a new
//! PostgreSQL database of its own on the server named by
//! MASTHEAD_TEST_POSTGRES_URL.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Once, OnceLock};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use masthead::config::{Settings, Sources};

use super::SECRET;

/// The database a test runs on. The API suite runs every test once on each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The server (and an existing database on it) where test databases are
/// created; each test gets a database of its own, dropped when it ends.
///
/// The default asks for no TLS on loopback. CI once saw the PostgreSQL
/// binary die of SIGSEGV at exit after every test had passed, and never
/// again in 66 reruns; the likely cause: a test's server stops its workers
/// when the test ends and their pools close their connections on those
/// threads, which for the last test can overlap the binary's exit, where
/// OpenSSL's exit handler frees what closing a TLS connection still uses.
pub fn postgres_admin_url() -> String {
    std::env::var("MASTHEAD_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test?sslmode=disable".to_owned())
}

/// Why the server could not be reached, once a test has found out: the
/// tests after it skip at once instead of each waiting for a connection
/// that will not come (a remote host that does not answer takes minutes).
static UNREACHABLE: OnceLock<String> = OnceLock::new();

/// A PostgreSQL database that exists for one test.
pub struct PgDatabase {
    pub url: String,
    name: String,
}

impl PgDatabase {
    /// Creates a fresh, empty database. Without a server: `None`, after a
    /// SKIPPED line, and the test returns, passing; unless
    /// MASTHEAD_REQUIRE_POSTGRES=1 (as in CI), which fails the test.
    ///
    /// Not an exit of the whole process, as when PostgreSQL had a binary of
    /// its own: the SQLite tests run in the same binary.
    pub fn create() -> Option<PgDatabase> {
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let admin_url = postgres_admin_url();
        if let Some(reason) = UNREACHABLE.get() {
            return skip(&admin_url, reason);
        }
        let mut admin = match PgConnection::establish(&admin_url) {
            Ok(conn) => conn,
            Err(e) => return skip(&admin_url, UNREACHABLE.get_or_init(|| e.to_string())),
        };
        let name = format!(
            "masthead_test_{}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos()
        );
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("the test database is created");
        let mut url = url::Url::parse(&admin_url).expect("MASTHEAD_TEST_POSTGRES_URL is a URL");
        url.set_path(&name);
        Some(PgDatabase {
            url: url.to_string(),
            name,
        })
    }
}

/// No server: a failure when MASTHEAD_REQUIRE_POSTGRES=1, else a skip.
fn skip(admin_url: &str, reason: &str) -> Option<PgDatabase> {
    if std::env::var("MASTHEAD_REQUIRE_POSTGRES").as_deref() == Ok("1") {
        panic!(
            "PostgreSQL is required (MASTHEAD_REQUIRE_POSTGRES=1) but {admin_url} is unreachable: {reason}"
        );
    }
    println!(
        "SKIPPED: this PostgreSQL test: no server at {admin_url} ({reason}); \
         set MASTHEAD_TEST_POSTGRES_URL, or MASTHEAD_REQUIRE_POSTGRES=1 to fail instead"
    );
    // Once per binary, and straight to the process's stderr, past the test
    // harness's capture (a passing test's output is not shown), so the skip
    // is seen.
    static SAID: Once = Once::new();
    SAID.call_once(|| {
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: the PostgreSQL tests: no server at {admin_url}"
        );
    });
    None
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = PgConnection::establish(&postgres_admin_url()) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// The settings a test server starts with: `database_url`, the test
/// secret, and `extra` over the defaults.
pub fn settings_for(database_url: &str, extra: &[(&str, &str)]) -> Settings {
    let mut values: HashMap<String, String> = HashMap::from([
        ("DATABASE_URL".to_owned(), database_url.to_owned()),
        ("JWT_SECRET".to_owned(), SECRET.to_owned()),
    ]);
    for (k, v) in extra {
        values.insert((*k).to_owned(), (*v).to_owned());
    }
    Settings::load(&Sources::from_map(values)).expect("test settings are valid")
}

/// A fresh database on `backend`: its URL, and what keeps a PostgreSQL one
/// alive (dropped with it). SQLite files go in `dir`. `None`: PostgreSQL
/// has no server and the test is skipped (see `PgDatabase::create`).
pub fn fresh_database_on(
    backend: Backend,
    dir: &std::path::Path,
    file: &str,
) -> Option<(String, Option<PgDatabase>)> {
    match backend {
        Backend::Sqlite => Some((dir.join(file).to_str().unwrap().to_owned(), None)),
        Backend::Postgres => {
            let db = PgDatabase::create()?;
            Some((db.url.clone(), Some(db)))
        }
    }
}
