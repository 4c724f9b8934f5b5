//! `spawn_app()`: the real server on a random loopback port, over a fresh
//! database, with a client that speaks HTTP. The database is a SQLite file
//! in a temporary directory, or a new PostgreSQL database of its own when
//! the test binary's `BACKEND` says so (tests/api_postgres).

use std::collections::HashMap;
use std::net::TcpListener;

use awc::http::Method;
use masthead::auth;
use masthead::config::{Settings, Sources};
use masthead::domain::Role;
use masthead::startup::Application;
use serde_json::{Value, json};

pub const SECRET: &str = "integration-test-secret-of-enough-bytes";

/// The database a test binary runs its tests on: each binary that includes
/// this file declares `const BACKEND: helpers::Backend` at its root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(dead_code)]
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

/// A PostgreSQL database that exists for one test.
pub struct PgDatabase {
    pub url: String,
    name: String,
}

impl PgDatabase {
    /// Creates a fresh, empty database. Without a server: a clear SKIPPED
    /// line and an early exit of the whole binary, since no test in it can
    /// run, unless MASTHEAD_REQUIRE_POSTGRES=1 (as in CI), which fails.
    pub fn create() -> PgDatabase {
        use diesel::connection::SimpleConnection;
        use diesel::{Connection, PgConnection};
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let admin_url = postgres_admin_url();
        let mut admin = match PgConnection::establish(&admin_url) {
            Ok(conn) => conn,
            Err(e) if std::env::var("MASTHEAD_REQUIRE_POSTGRES").as_deref() == Ok("1") => {
                panic!(
                    "PostgreSQL is required (MASTHEAD_REQUIRE_POSTGRES=1) but {admin_url} is unreachable: {e}"
                )
            }
            Err(e) => {
                println!(
                    "SKIPPED: the PostgreSQL suite: no server at {admin_url} ({e}); \
                     set MASTHEAD_TEST_POSTGRES_URL, or MASTHEAD_REQUIRE_POSTGRES=1 to fail instead"
                );
                eprintln!("SKIPPED: the PostgreSQL suite: no server at {admin_url}");
                std::process::exit(0);
            }
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
        PgDatabase {
            url: url.to_string(),
            name,
        }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        use diesel::connection::SimpleConnection;
        use diesel::{Connection, PgConnection};
        if let Ok(mut admin) = PgConnection::establish(&postgres_admin_url()) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

pub struct TestApp {
    pub address: String,
    /// Read by the query-plan test binary, which opens the file itself.
    #[allow(dead_code)]
    pub db_path: std::path::PathBuf,
    /// The DATABASE_URL the server was started with.
    #[allow(dead_code)]
    pub database_url: String,
    client: awc::Client,
    _dir: tempfile::TempDir,
    _postgres: Option<PgDatabase>,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: awc::http::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }

    /// Asserts a problem+json error with this status and returns its body.
    #[track_caller]
    pub fn problem(&self, status: u16) -> Value {
        assert_eq!(
            self.status,
            status,
            "body: {}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("application/problem+json"),
            "status {status}"
        );
        let body = self.json();
        assert_eq!(body["status"], status);
        assert!(
            body["title"].is_string() && body["detail"].is_string() && body["type"].is_string()
        );
        body
    }

    /// Asserts a success status and returns the JSON body.
    #[track_caller]
    pub fn ok(&self, status: u16) -> Value {
        assert_eq!(
            self.status,
            status,
            "body: {}",
            String::from_utf8_lossy(&self.body)
        );
        if self.body.is_empty() {
            Value::Null
        } else {
            self.json()
        }
    }
}

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

/// A fresh database for this binary's backend: its URL, and what keeps a
/// PostgreSQL one alive (dropped with it). SQLite files go in `dir`.
#[allow(dead_code)]
pub fn fresh_database(dir: &std::path::Path, file: &str) -> (String, Option<PgDatabase>) {
    match crate::BACKEND {
        Backend::Sqlite => (dir.join(file).to_str().unwrap().to_owned(), None),
        Backend::Postgres => {
            let db = PgDatabase::create();
            (db.url.clone(), Some(db))
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("test.db");
    let (database_url, postgres) = fresh_database(dir.path(), "test.db");
    let settings = settings_for(&database_url, extra);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let app = Application::build(&settings, listener).expect("the app starts");
    actix_web::rt::spawn(app.server);
    TestApp {
        address: format!("http://127.0.0.1:{}", app.port),
        db_path,
        database_url,
        client: awc::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .disable_redirects()
            .finish(),
        _dir: dir,
        _postgres: postgres,
    }
}

pub fn token(role: Role, author: Option<&str>) -> String {
    auth::mint(SECRET.as_bytes(), "tester", role, author, 3600, None, None).unwrap()
}

impl TestApp {
    pub fn editor(&self) -> String {
        token(Role::Editor, None)
    }

    pub fn admin(&self) -> String {
        token(Role::Admin, None)
    }

    pub fn contributor(&self, author: &str) -> String {
        token(Role::Contributor, Some(author))
    }

    /// Any request; `body` is sent as-is with `content_type` when given.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<(&str, Vec<u8>)>,
    ) -> Reply {
        let mut req = self
            .client
            .request(method, format!("{}{}", self.address, path));
        if let Some(token) = token {
            req = req.insert_header(("Authorization", format!("Bearer {token}")));
        }
        for (name, value) in headers {
            req = req.insert_header((*name, *value));
        }
        let mut response = match body {
            Some((content_type, bytes)) => req
                .insert_header(("Content-Type", content_type))
                .send_body(bytes)
                .await
                .unwrap(),
            None => req.send().await.unwrap(),
        };
        let body = response
            .body()
            .limit(16 * 1024 * 1024)
            .await
            .unwrap()
            .to_vec();
        Reply {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.request(Method::GET, path, None, &[], None).await
    }

    pub async fn get_as(&self, path: &str, token: &str) -> Reply {
        self.request(Method::GET, path, Some(token), &[], None)
            .await
    }

    pub async fn send_json(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> Reply {
        let bytes = serde_json::to_vec(body).unwrap();
        self.request(method, path, token, &[], Some(("application/json", bytes)))
            .await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.send_json(Method::POST, path, Some(token), &body).await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> Reply {
        self.send_json(Method::PUT, path, Some(token), &body).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Reply {
        self.send_json(Method::PATCH, path, Some(token), &body)
            .await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Reply {
        self.request(Method::DELETE, path, Some(token), &[], None)
            .await
    }

    pub async fn create_author(&self, name: &str) -> Value {
        self.post("/v1/authors", &self.editor(), json!({ "name": name }))
            .await
            .ok(201)
    }

    pub async fn create_tag(&self, name: &str) -> Value {
        self.post("/v1/tags", &self.editor(), json!({ "name": name }))
            .await
            .ok(201)
    }

    /// Creates an article as an editor; `body` is merged over a valid draft.
    pub async fn create_article(&self, body: Value) -> Value {
        let mut draft = json!({ "title": "Untitled", "body": "Some text." });
        for (k, v) in body.as_object().expect("an object") {
            draft[k] = v.clone();
        }
        self.post("/v1/articles", &self.editor(), draft)
            .await
            .ok(201)
    }

    /// A published article credited to a new or existing author `author`.
    pub async fn publish(&self, title: &str, author: &str, tags: &[&str]) -> Value {
        if self.get(&format!("/v1/authors/{author}")).await.status == 404 {
            let created = self
                .post(
                    "/v1/authors",
                    &self.editor(),
                    json!({ "name": author, "slug": author }),
                )
                .await;
            created.ok(201);
        }
        self.create_article(json!({
            "title": title,
            "status": "published",
            "authors": [author],
            "tags": tags,
        }))
        .await
    }
}
