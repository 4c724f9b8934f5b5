//! Scale-out on PostgreSQL: two `masthead` processes started at the same
//! moment on one fresh database migrate it once between them, a write
//! through either is read through the other (their read caches included:
//! at once where a replica rechecks on every read, within CACHE_RECHECK_MS
//! where it does not),
//! and concurrent edits through both honour If-Match: one wins, the other
//! gets 412, and nothing is half-applied.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_types::BigInt;
use serde_json::{Value, json};

use crate::support::{PgDatabase, Reply, SECRET, free_port, send, token};
use crate::turn;
use masthead::domain::Role;

/// A `masthead serve` child process; killed when dropped.
struct Replica {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Replica {
    fn spawn(dir: &Path, name: &str, database_url: &str, recheck_ms: &str) -> Replica {
        let port = free_port();
        let log = dir.join(format!("{name}.log"));
        let out = File::create(&log).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_masthead"))
            .arg("serve")
            .current_dir(dir)
            .env_clear()
            .env("DATABASE_URL", database_url)
            .env("MASTHEAD_BIND", format!("127.0.0.1:{port}"))
            .env("JWT_SECRET", SECRET)
            .env("RUST_LOG", "warn")
            .env("CACHE_RECHECK_MS", recheck_ms)
            .stdin(Stdio::null())
            .stdout(Stdio::from(out.try_clone().unwrap()))
            .stderr(Stdio::from(out))
            .spawn()
            .expect("the masthead binary starts");
        Replica { child, port, log }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    async fn wait_ready(&mut self, client: &awc::Client) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(response) = client.get(self.url("/readyz")).send().await
                && response.status() == 200
            {
                return;
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("a replica exited with {status}:\n{}", self.log_text());
            }
            assert!(
                Instant::now() < deadline,
                "a replica was not ready within 30 s:\n{}",
                self.log_text()
            );
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A request a replica must answer.
async fn ask(
    client: &awc::Client,
    method: awc::http::Method,
    url: String,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> Reply {
    send(client, method, &url, headers, body.as_ref())
        .await
        .expect("the replica answers")
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[actix_web::test]
async fn two_replicas_share_one_postgresql_database() {
    let _turn = turn();
    let Some(database) = PgDatabase::create() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(20))
        .finish();

    // Started together on an empty database: both migrate at once. B asks
    // the database for its freshness on every read; A trusts it for the
    // default 250 ms unless it wrote itself.
    let mut a = Replica::spawn(dir.path(), "a", &database.url, "250");
    let mut b = Replica::spawn(dir.path(), "b", &database.url, "0");
    a.wait_ready(&client).await;
    b.wait_ready(&client).await;
    let mut conn = diesel::PgConnection::establish(&database.url).unwrap();
    let applied: Count = diesel::sql_query("SELECT count(*) AS n FROM __diesel_schema_migrations")
        .get_result(&mut conn)
        .unwrap();
    let shipped = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres"))
        .unwrap()
        .filter(|entry| entry.as_ref().unwrap().path().is_dir())
        .count();
    assert_eq!(
        applied.n as usize, shipped,
        "every migration ran exactly once"
    );
    assert!(shipped >= 1);

    let editor = format!("Bearer {}", token(Role::Editor, None));
    let auth = [("Authorization", editor.as_str())];
    use awc::http::Method;

    // B caches an anonymous read; a write through A must still show in it.
    let empty = ask(&client, Method::GET, b.url("/v1/tags"), &[], None).await;
    assert_eq!(empty.status, 200);
    assert_eq!(empty.json()["data"], json!([]));
    let author = ask(
        &client,
        Method::POST,
        a.url("/v1/authors"),
        &auth,
        Some(json!({"name": "Ada Okafor"})),
    )
    .await;
    assert_eq!(author.status, 201, "{}", author.text());
    let created = ask(
        &client,
        Method::POST,
        a.url("/v1/articles"),
        &auth,
        Some(json!({
            "title": "Written through A",
            "body": "Read through B.",
            "status": "published",
            "authors": ["ada-okafor"],
            "tags": ["Replicas"],
        })),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let tags = ask(&client, Method::GET, b.url("/v1/tags"), &[], None).await;
    assert_eq!(
        tags.json()["data"][0]["name"],
        "Replicas",
        "B's cache saw A's write"
    );
    let read = ask(
        &client,
        Method::GET,
        b.url("/v1/articles/written-through-a"),
        &[],
        None,
    )
    .await;
    assert_eq!(read.status, 200);
    assert_eq!(read.json()["authors"][0]["slug"], "ada-okafor");
    let found = ask(
        &client,
        Method::GET,
        b.url("/v1/articles?q=through"),
        &[],
        None,
    )
    .await;
    assert_eq!(
        found.json()["data"][0]["slug"],
        "written-through-a",
        "search on B"
    );

    // A cached the tag list before B's write below; A shows the write once
    // its freshness is rechecked, within the configured 250 ms.
    let before = ask(&client, Method::GET, a.url("/v1/tags"), &[], None).await;
    assert_eq!(before.json()["data"].as_array().unwrap().len(), 1);
    let written = ask(
        &client,
        Method::POST,
        b.url("/v1/tags"),
        &auth,
        Some(json!({"name": "Through B"})),
    )
    .await;
    assert_eq!(written.status, 201);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let tags = ask(&client, Method::GET, a.url("/v1/tags"), &[], None).await;
        if tags.json()["data"].as_array().unwrap().len() == 2 {
            break;
        }
        assert!(Instant::now() < deadline, "A never saw B's write");
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }

    // Concurrent edits with the same If-Match, one through each replica:
    // exactly one wins each round, and the stored title is the winner's.
    let path = "/v1/articles/written-through-a";
    for round in 0..10 {
        let current = ask(&client, Method::GET, a.url(path), &auth, None).await;
        let etag = current.header("etag").expect("a detail has an ETag");
        let edit = |url: String, title: String| {
            let client = client.clone();
            let (editor, etag) = (editor.clone(), etag.clone());
            actix_web::rt::spawn(async move {
                let headers = [
                    ("Authorization", editor.as_str()),
                    ("If-Match", etag.as_str()),
                ];
                let body = json!({ "title": title });
                ask(&client, Method::PATCH, url, &headers, Some(body)).await
            })
        };
        // Both are in flight before either is awaited.
        let via_a = edit(a.url(path), format!("A wins round {round}"));
        let via_b = edit(b.url(path), format!("B wins round {round}"));
        let (via_a, via_b) = (via_a.await.unwrap(), via_b.await.unwrap());
        let mut statuses = [via_a.status, via_b.status];
        statuses.sort();
        assert_eq!(statuses, [200, 412], "round {round}: one edit wins");
        let winner = if via_a.status == 200 { via_a } else { via_b };
        let stored = ask(&client, Method::GET, b.url(path), &auth, None).await;
        assert_eq!(
            stored.json()["title"],
            winner.json()["title"],
            "round {round}"
        );
        assert_eq!(
            stored.header("etag"),
            winner.header("etag"),
            "round {round}: the winner's ETag"
        );
    }

    // Ids handed out by either replica never collide.
    let mut ids = Vec::new();
    for i in 0..6 {
        let replica = if i % 2 == 0 { &a } else { &b };
        let tag = ask(
            &client,
            Method::POST,
            replica.url("/v1/tags"),
            &auth,
            Some(json!({"name": format!("Tag {i}")})),
        )
        .await;
        assert_eq!(tag.status, 201, "{}", tag.text());
        ids.push(tag.json()["id"].as_i64().unwrap());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 6);
}
