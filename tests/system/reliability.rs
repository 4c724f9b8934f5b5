//! Reliability: the real `masthead` binary, run as a child process over a
//! temporary SQLite file, under a crash (SIGKILL), concurrent writers,
//! a graceful shutdown (SIGTERM) and a database that goes away (/readyz).
//!
//! Every test is bounded in time and kills its child process on the way out,
//! failure included (`Server`'s `Drop`).

use std::cell::{Cell, RefCell};
use std::fs::File;
use std::io::Write;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::rc::Rc;
use std::time::{Duration, Instant};

use awc::http::Method;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use masthead::domain::Role;
use serde_json::{Value, json};

use crate::support::{
    Reply, SECRET, free_port, raw_http, read_response, request_head, send, token,
};
use crate::turn;

/// The `masthead` binary as a child process; killed when dropped.
struct Server {
    child: Option<Child>,
    port: u16,
    log: PathBuf,
}

impl Server {
    /// Starts the binary on `db` and waits (bounded) until it answers.
    fn start(dir: &Path, db: &Path) -> Server {
        let port = free_port();
        let log = dir.join(format!("server-{port}.log"));
        let out = File::create(&log).unwrap();
        let err = out.try_clone().unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_masthead"));
        for name in [
            "JWT_ALGORITHM",
            "JWT_PUBLIC_KEY",
            "JWT_ISSUER",
            "JWT_AUDIENCE",
            "CACHE_MAX_AGE",
            "CACHE_STALE_WHILE_REVALIDATE",
            "RATE_LIMIT_READS_PER_MINUTE",
            "RATE_LIMIT_WRITES_PER_MINUTE",
        ] {
            command.env_remove(name);
        }
        let child = command
            .arg("serve")
            .current_dir(dir)
            .env("DATABASE_URL", db)
            .env("MASTHEAD_BIND", format!("127.0.0.1:{port}"))
            .env("JWT_SECRET", SECRET)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .spawn()
            .expect("the masthead binary starts");
        let mut server = Server {
            child: Some(child),
            port,
            log,
        };
        server.wait_ready();
        server
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Ok((200, _, _)) = raw_http(self.port, "GET", "/healthz", &[], None) {
                return;
            }
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!(
                    "masthead exited with {status} before answering:\n{}",
                    self.log_text()
                );
            }
            assert!(
                Instant::now() < deadline,
                "masthead did not answer /healthz within 15 s:\n{}",
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGKILL, then reap.
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Waits (bounded) for the process to exit by itself.
    fn wait_exit(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + within;
        let child = self.child.as_mut()?;
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                self.child = None;
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

fn client() -> awc::Client {
    awc::Client::builder()
        .timeout(Duration::from_secs(10))
        .disable_redirects()
        .finish()
}

/// `support::send`, with `token` as the bearer when there is one.
async fn send_as(
    client: &awc::Client,
    method: Method,
    url: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Result<Reply, String> {
    let bearer = token.map(|token| format!("Bearer {token}"));
    let headers: Vec<(&str, &str)> = bearer
        .iter()
        .map(|bearer| ("Authorization", bearer.as_str()))
        .collect();
    send(client, method, url, &headers, body).await
}

#[derive(QueryableByName)]
struct IntegrityRow {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn integrity_check(db: &Path) -> Vec<String> {
    let mut conn = SqliteConnection::establish(db.to_str().unwrap()).unwrap();
    diesel::sql_query("PRAGMA integrity_check")
        .load::<IntegrityRow>(&mut conn)
        .unwrap()
        .into_iter()
        .map(|r| r.integrity_check)
        .collect()
}

// ---------------------------------------------------------------------------
// 1. Crash safety
// ---------------------------------------------------------------------------

/// What an article should hold: the fields this test wrote.
#[derive(Clone, Debug, PartialEq)]
struct ArticleFields {
    slug: String,
    title: String,
    subtitle: Option<String>,
    body: String,
}

impl ArticleFields {
    fn of(article: &Value) -> ArticleFields {
        ArticleFields {
            slug: article["slug"].as_str().unwrap_or_default().to_owned(),
            title: article["title"].as_str().unwrap_or_default().to_owned(),
            subtitle: article["subtitle"].as_str().map(str::to_owned),
            body: article["body"].as_str().unwrap_or_default().to_owned(),
        }
    }
}

#[derive(Debug)]
enum Acked {
    Author {
        id: i64,
        slug: String,
        name: String,
    },
    Tag {
        id: i64,
        slug: String,
        name: String,
    },
    Article {
        id: i64,
        author: String,
        tag: String,
        /// The last acknowledged state.
        acked: ArticleFields,
        /// A PATCH sent but not answered when the server died: it may or
        /// may not have been committed.
        pending: Option<ArticleFields>,
    },
}

/// One writer: author, tag, article, then PATCHes, until told to stop or
/// the server goes away. Every 2xx lands in `acked`.
async fn crash_writer(
    worker: usize,
    base: String,
    stop: Rc<Cell<bool>>,
    acked: Rc<RefCell<Vec<Acked>>>,
    writes: Rc<Cell<usize>>,
) {
    let client = client();
    let token = token(Role::Editor, None);
    let token = Some(token.as_str());
    for round in 0..10_000 {
        if stop.get() {
            return;
        }
        let name = format!("Crash Author {worker} {round}");
        let Ok(r) = send_as(
            &client,
            Method::POST,
            &format!("{base}/v1/authors"),
            token,
            Some(&json!({ "name": name, "bio": format!("bio {worker}/{round}") })),
        )
        .await
        else {
            return;
        };
        if r.status != 201 {
            return;
        }
        let author = r.json_or_null();
        let author_slug = author["slug"].as_str().unwrap().to_owned();
        acked.borrow_mut().push(Acked::Author {
            id: author["id"].as_i64().unwrap(),
            slug: author_slug.clone(),
            name,
        });
        writes.set(writes.get() + 1);

        let tag_name = format!("Crash Tag {worker} {round}");
        let Ok(r) = send_as(
            &client,
            Method::POST,
            &format!("{base}/v1/tags"),
            token,
            Some(&json!({ "name": tag_name })),
        )
        .await
        else {
            return;
        };
        if r.status != 201 {
            return;
        }
        let tag = r.json_or_null();
        let tag_slug = tag["slug"].as_str().unwrap().to_owned();
        acked.borrow_mut().push(Acked::Tag {
            id: tag["id"].as_i64().unwrap(),
            slug: tag_slug.clone(),
            name: tag_name,
        });
        writes.set(writes.get() + 1);

        let fields = ArticleFields {
            slug: format!("crash-{worker}-{round}"),
            title: format!("Crash article {worker}/{round}"),
            subtitle: Some(format!("created by worker {worker}")),
            body: format!("The body of {worker}/{round}, version 0."),
        };
        let Ok(r) = send_as(
            &client,
            Method::POST,
            &format!("{base}/v1/articles"),
            token,
            Some(&json!({
                "slug": fields.slug,
                "title": fields.title,
                "subtitle": fields.subtitle,
                "body": fields.body,
                "authors": [author_slug],
                "tags": [tag_slug],
            })),
        )
        .await
        else {
            return;
        };
        if r.status != 201 {
            return;
        }
        let article = r.json_or_null();
        let id = article["id"].as_i64().unwrap();
        let index = {
            let mut acked = acked.borrow_mut();
            acked.push(Acked::Article {
                id,
                author: author_slug,
                tag: tag_slug,
                acked: fields.clone(),
                pending: None,
            });
            acked.len() - 1
        };
        writes.set(writes.get() + 1);

        for version in 1..=4 {
            if stop.get() {
                return;
            }
            let next = ArticleFields {
                slug: if version % 2 == 0 {
                    format!("crash-{worker}-{round}-v{version}")
                } else {
                    fields.slug.clone()
                },
                title: format!("Crash article {worker}/{round} v{version}"),
                subtitle: if version == 3 {
                    None
                } else {
                    Some(format!("worker {worker} version {version}"))
                },
                body: format!("The body of {worker}/{round}, version {version}."),
            };
            let mut patch = json!({
                "title": next.title,
                "subtitle": next.subtitle,
                "body": next.body,
            });
            if version % 2 == 0 {
                patch["slug"] = json!(next.slug);
            }
            // The slug kept when not sent is the previous one.
            let next = ArticleFields {
                slug: if version % 2 == 0 {
                    next.slug
                } else {
                    match &acked.borrow()[index] {
                        Acked::Article { acked, .. } => acked.slug.clone(),
                        _ => unreachable!(),
                    }
                },
                ..next
            };
            if let Acked::Article { pending, .. } = &mut acked.borrow_mut()[index] {
                *pending = Some(next.clone());
            }
            let Ok(r) = send_as(
                &client,
                Method::PATCH,
                &format!("{base}/v1/articles/{id}"),
                token,
                Some(&patch),
            )
            .await
            else {
                return;
            };
            if r.status != 200 {
                return;
            }
            if let Acked::Article { acked, pending, .. } = &mut acked.borrow_mut()[index] {
                *acked = next;
                *pending = None;
            }
            writes.set(writes.get() + 1);
        }
    }
}

#[actix_web::test]
async fn acknowledged_writes_survive_sigkill_and_the_database_stays_intact() {
    let _turn = turn();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    let mut server = Server::start(dir.path(), &db);

    let stop = Rc::new(Cell::new(false));
    let acked = Rc::new(RefCell::new(Vec::new()));
    let writes = Rc::new(Cell::new(0usize));
    let workers: Vec<_> = (0..6)
        .map(|worker| {
            actix_web::rt::spawn(crash_writer(
                worker,
                server.url(""),
                stop.clone(),
                acked.clone(),
                writes.clone(),
            ))
        })
        .collect();

    // Let the load run for a while, then pull the plug mid-write.
    let started = Instant::now();
    while (started.elapsed() < Duration::from_millis(1500) || writes.get() < 30)
        && started.elapsed() < Duration::from_secs(8)
    {
        actix_web::rt::time::sleep(Duration::from_millis(25)).await;
    }
    let before_kill = writes.get();
    server.kill();
    stop.set(true);
    for worker in workers {
        let _ = actix_web::rt::time::timeout(Duration::from_secs(15), worker).await;
    }
    assert!(
        before_kill >= 10,
        "only {before_kill} writes were acknowledged before the kill"
    );

    eprintln!(
        "crash test: {before_kill} writes acknowledged before SIGKILL, {} resources to check",
        acked.borrow().len()
    );
    let restarted = Server::start(dir.path(), &db);
    assert_eq!(integrity_check(&db), vec!["ok".to_owned()]);

    let client = client();
    let token = token(Role::Editor, None);
    let mut failures = Vec::new();
    let acked = acked.take();
    for write in acked.iter() {
        match write {
            Acked::Author { id, slug, name } => {
                let r = send_as(
                    &client,
                    Method::GET,
                    &restarted.url(&format!("/v1/authors/{id}")),
                    Some(&token),
                    None,
                )
                .await
                .unwrap();
                let got = r.json_or_null();
                if r.status != 200 || got["slug"] != *slug || got["name"] != *name {
                    failures.push(format!("author {id} ({slug}): {} {}", r.status, r.text()));
                }
            }
            Acked::Tag { id, slug, name } => {
                let r = send_as(
                    &client,
                    Method::GET,
                    &restarted.url(&format!("/v1/tags/{id}")),
                    Some(&token),
                    None,
                )
                .await
                .unwrap();
                let got = r.json_or_null();
                if r.status != 200 || got["slug"] != *slug || got["name"] != *name {
                    failures.push(format!("tag {id} ({slug}): {} {}", r.status, r.text()));
                }
            }
            Acked::Article {
                id,
                author,
                tag,
                acked,
                pending,
            } => {
                let r = send_as(
                    &client,
                    Method::GET,
                    &restarted.url(&format!("/v1/articles/{id}")),
                    Some(&token),
                    None,
                )
                .await
                .unwrap();
                let got = r.json_or_null();
                let fields = ArticleFields::of(&got);
                let state_ok = fields == *acked || Some(&fields) == pending.as_ref();
                let links_ok = got["authors"][0]["slug"] == *author
                    && got["authors"].as_array().map(Vec::len) == Some(1)
                    && got["tags"][0]["slug"] == *tag
                    && got["tags"].as_array().map(Vec::len) == Some(1);
                if r.status != 200 || !state_ok || !links_ok {
                    failures.push(format!(
                        "article {id}: expected {acked:?} (or in flight {pending:?}), got {} {}",
                        r.status,
                        r.text()
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} acknowledged writes were lost or damaged after SIGKILL:\n{}",
        failures.len(),
        acked.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------
// 2. Concurrency
// ---------------------------------------------------------------------------

const WRITERS: usize = 16;
const ROUNDS: usize = 5;

/// Records a write's answer: 5xx, "database is locked" and statuses outside
/// `allowed` are failures.
fn check(
    failures: &RefCell<Vec<String>>,
    what: &str,
    reply: &Result<Reply, String>,
    allowed: &[u16],
) {
    match reply {
        Err(e) => failures
            .borrow_mut()
            .push(format!("{what}: no answer: {e}")),
        Ok(r) => {
            if r.status >= 500
                || !allowed.contains(&r.status)
                || r.text().to_lowercase().contains("database is locked")
            {
                failures
                    .borrow_mut()
                    .push(format!("{what}: {} {}", r.status, r.text()));
            }
        }
    }
}

async fn concurrent_writer(
    worker: usize,
    base: String,
    ids: Rc<RefCell<Vec<i64>>>,
    failures: Rc<RefCell<Vec<String>>>,
) {
    let client = client();
    let token = token(Role::Editor, None);
    let token = Some(token.as_str());
    for round in 0..ROUNDS {
        // Two links to articles that exist already (others' included).
        let targets: Vec<i64> = {
            let ids = ids.borrow();
            let n = ids.len();
            let a = ids[(worker * 7 + round * 3) % n];
            let b = ids[(worker * 3 + round * 5 + 1) % n];
            if a == b { vec![a] } else { vec![a, b] }
        };
        let related: Vec<Value> = targets
            .iter()
            .map(|t| json!({ "article": t, "kind": "also_read" }))
            .collect();
        // Tags: a shared one that many writers may create at once, and one
        // of their own.
        let created = send_as(
            &client,
            Method::POST,
            &format!("{base}/v1/articles"),
            token,
            Some(&json!({
                "title": format!("Concurrent {worker}/{round}"),
                "body": format!("Written by worker {worker} in round {round}."),
                "authors": ["conc-author"],
                "tags": [format!("Hot {}", round % 3), format!("Own {worker}")],
                "related": related,
            })),
        )
        .await;
        check(&failures, "POST /v1/articles", &created, &[201]);
        let Some(id) = created.ok().and_then(|r| r.json_or_null()["id"].as_i64()) else {
            continue;
        };

        let patched = send_as(
            &client,
            Method::PATCH,
            &format!("{base}/v1/articles/{id}"),
            token,
            Some(&json!({
                "title": format!("Concurrent {worker}/{round}, revised"),
                "status": "published",
            })),
        )
        .await;
        check(&failures, "PATCH /v1/articles/{id}", &patched, &[200]);

        // A link to an article another writer made, maybe just now: 409 when
        // it is linked already.
        let other = {
            let ids = ids.borrow();
            let candidates: Vec<i64> = ids.iter().copied().filter(|&other| other != id).collect();
            candidates[(worker + round * 11) % candidates.len()]
        };
        let linked = send_as(
            &client,
            Method::POST,
            &format!("{base}/v1/articles/{id}/related"),
            token,
            Some(&json!({ "article": other, "kind": "read_next", "position": 1 })),
        )
        .await;
        check(
            &failures,
            "POST /v1/articles/{id}/related",
            &linked,
            &[200, 201, 409],
        );

        // And a link from an older article to this one.
        let linked_back = send_as(
            &client,
            Method::POST,
            &format!("{base}/v1/articles/{other}/related"),
            token,
            Some(&json!({ "article": id, "kind": "recommended" })),
        )
        .await;
        check(
            &failures,
            "POST /v1/articles/{other}/related",
            &linked_back,
            &[200, 201, 409],
        );
        ids.borrow_mut().push(id);
    }
}

async fn public_reader(
    base: String,
    done: Rc<Cell<usize>>,
    reads: Rc<Cell<usize>>,
    failures: Rc<RefCell<Vec<String>>>,
) {
    let client = client();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut n = 0;
    while done.get() < WRITERS && Instant::now() < deadline {
        let path = if n % 2 == 0 {
            "/v1/articles?per_page=50".to_owned()
        } else {
            format!("/v1/articles?per_page=10&tag=hot-{}", n % 3)
        };
        let r = send_as(&client, Method::GET, &format!("{base}{path}"), None, None).await;
        match r {
            Ok(r) if r.status == 200 => reads.set(reads.get() + 1),
            Ok(r) => {
                failures
                    .borrow_mut()
                    .push(format!("public GET {path}: {} {}", r.status, r.text()))
            }
            Err(e) => failures
                .borrow_mut()
                .push(format!("public GET {path}: no answer: {e}")),
        }
        n += 1;
    }
}

#[actix_web::test]
async fn concurrent_writers_never_see_5xx_or_a_locked_database() {
    let _turn = turn();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("concurrent.db");
    let server = Server::start(dir.path(), &db);
    let client = client();
    let token = token(Role::Editor, None);

    let r = send_as(
        &client,
        Method::POST,
        &server.url("/v1/authors"),
        Some(&token),
        Some(&json!({ "name": "Concurrency Author", "slug": "conc-author" })),
    )
    .await
    .unwrap();
    assert_eq!(r.status, 201, "{}", r.text());
    let mut seed = Vec::new();
    for i in 0..4 {
        let r = send_as(
            &client,
            Method::POST,
            &server.url("/v1/articles"),
            Some(&token),
            Some(&json!({
                "title": format!("Seed {i}"),
                "body": "Seed text.",
                "authors": ["conc-author"],
                "status": "published",
            })),
        )
        .await
        .unwrap();
        assert_eq!(r.status, 201, "{}", r.text());
        seed.push(r.json_or_null()["id"].as_i64().unwrap());
    }

    let ids = Rc::new(RefCell::new(seed));
    let failures = Rc::new(RefCell::new(Vec::new()));
    let done = Rc::new(Cell::new(0usize));
    let reads = Rc::new(Cell::new(0usize));
    let readers: Vec<_> = (0..4)
        .map(|_| {
            actix_web::rt::spawn(public_reader(
                server.url(""),
                done.clone(),
                reads.clone(),
                failures.clone(),
            ))
        })
        .collect();
    let writers: Vec<_> = (0..WRITERS)
        .map(|worker| {
            let (ids, failures, done) = (ids.clone(), failures.clone(), done.clone());
            let base = server.url("");
            actix_web::rt::spawn(async move {
                concurrent_writer(worker, base, ids, failures).await;
                done.set(done.get() + 1);
            })
        })
        .collect();
    let started = Instant::now();
    for task in writers.into_iter().chain(readers) {
        let left = Duration::from_secs(25).saturating_sub(started.elapsed());
        assert!(
            actix_web::rt::time::timeout(left, task).await.is_ok(),
            "the concurrent load did not finish within 25 s"
        );
    }

    let failures = failures.take();
    assert!(
        failures.is_empty(),
        "{} failures under {WRITERS} concurrent writers:\n{}\n--- server log ---\n{}",
        failures.len(),
        failures.join("\n"),
        server.log_text()
    );
    assert!(
        reads.get() > 0,
        "no public read completed during the writes"
    );
    assert_eq!(
        ids.borrow().len(),
        4 + WRITERS * ROUNDS,
        "every article was created"
    );
    // The data is whole: every link points at an article that exists.
    let r = send_as(
        &client,
        Method::GET,
        &server.url("/v1/articles?per_page=100&fields=related"),
        Some(&token),
        None,
    )
    .await
    .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.json_or_null()["meta"]["total"],
        json!(4 + WRITERS * ROUNDS)
    );
}

// ---------------------------------------------------------------------------
// 3. Graceful shutdown
// ---------------------------------------------------------------------------

#[actix_web::test]
async fn sigterm_lets_in_flight_requests_finish_and_exits_cleanly() {
    let _turn = turn();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shutdown.db");
    let mut server = Server::start(dir.path(), &db);
    let token = token(Role::Editor, None);

    // Requests the server has accepted and started on: the head and half
    // of the body are sent, the rest follows after SIGTERM.
    let mut in_flight = Vec::new();
    for i in 0..4 {
        let body = serde_json::to_vec(&json!({
            "name": format!("Shutdown Author {i}"),
            "bio": "x".repeat(2000),
        }))
        .unwrap();
        let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let bearer = format!("Bearer {token}");
        let head = request_head(
            server.port,
            "POST",
            "/v1/authors",
            &[("Authorization", &bearer)],
            Some(&body),
        );
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(&body[..body.len() / 2]).unwrap();
        in_flight.push((stream, body));
    }
    std::thread::sleep(Duration::from_millis(300));

    let term = Command::new("kill")
        .args(["-TERM", &server.pid().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let signalled = Instant::now();
    std::thread::sleep(Duration::from_millis(200));

    let mut answers = Vec::new();
    for (mut stream, body) in in_flight {
        let answer = stream
            .write_all(&body[body.len() / 2..])
            .and_then(|()| read_response(&mut stream));
        answers.push(answer);
    }
    let exit = server.wait_exit(Duration::from_secs(5));
    let took = signalled.elapsed();

    for (i, answer) in answers.iter().enumerate() {
        match answer {
            Ok((status, _, body)) => assert_eq!(
                *status,
                201,
                "in-flight request {i} after SIGTERM: {body}\n{}",
                server.log_text()
            ),
            Err(e) => panic!(
                "in-flight request {i} was cut off by SIGTERM: {e}\n{}",
                server.log_text()
            ),
        }
    }
    let status = exit.unwrap_or_else(|| {
        panic!(
            "masthead still running {took:?} after SIGTERM\n{}",
            server.log_text()
        )
    });
    assert!(status.success(), "masthead exited with {status} on SIGTERM");

    // What was acknowledged was stored.
    let mut conn = SqliteConnection::establish(db.to_str().unwrap()).unwrap();
    let stored =
        diesel::sql_query("SELECT count(*) AS n FROM authors WHERE name LIKE 'Shutdown Author %'")
            .get_result::<CountRow>(&mut conn)
            .unwrap();
    assert_eq!(stored.n, 4);
}

// ---------------------------------------------------------------------------
// 4. Readiness
// ---------------------------------------------------------------------------

/// Moves the database (and its WAL files) away and puts a directory in its
/// place: no new connection can open it. `restore` puts it back.
struct Outage {
    db: PathBuf,
    moved: Vec<(PathBuf, PathBuf)>,
}

impl Outage {
    fn begin(db: &Path) -> Outage {
        let mut moved = Vec::new();
        for suffix in ["", "-wal", "-shm"] {
            let from = PathBuf::from(format!("{}{suffix}", db.display()));
            let to = PathBuf::from(format!("{}{suffix}.away", db.display()));
            if from.exists() {
                std::fs::rename(&from, &to).unwrap();
                moved.push((from, to));
            }
        }
        std::fs::create_dir(db).unwrap();
        Outage {
            db: db.to_owned(),
            moved,
        }
    }

    fn restore(&mut self) {
        if self.db.is_dir() {
            std::fs::remove_dir(&self.db).unwrap();
        }
        for (from, to) in self.moved.drain(..) {
            std::fs::rename(&to, &from).unwrap();
        }
    }
}

impl Drop for Outage {
    fn drop(&mut self) {
        self.restore();
    }
}

fn readyz(port: u16) -> (u16, String, String) {
    raw_http(port, "GET", "/readyz", &[], None).expect("/readyz answers")
}

#[actix_web::test]
async fn readyz_is_503_while_the_database_is_unreachable_and_recovers() {
    let _turn = turn();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ready.db");
    let server = Server::start(dir.path(), &db);
    let (status, _, body) = readyz(server.port);
    assert_eq!(status, 200, "{body}");

    let mut outage = Outage::begin(&db);
    // The outage is real: a new connection cannot reach the database.
    let fresh = SqliteConnection::establish(db.to_str().unwrap()).and_then(|mut conn| {
        diesel::sql_query("SELECT count(*) AS n FROM articles")
            .get_result::<CountRow>(&mut conn)
            .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))
    });
    assert!(fresh.is_err(), "the database is still reachable");

    // Bounded: readiness should notice within a couple of seconds.
    let deadline = Instant::now() + Duration::from_secs(3);
    let during = loop {
        let answer = readyz(server.port);
        if answer.0 == 503 || Instant::now() >= deadline {
            break answer;
        }
        std::thread::sleep(Duration::from_millis(100));
    };

    outage.restore();
    let deadline = Instant::now() + Duration::from_secs(5);
    let after = loop {
        let answer = readyz(server.port);
        if answer.0 == 200 || Instant::now() >= deadline {
            break answer;
        }
        std::thread::sleep(Duration::from_millis(100));
    };

    let (status, head, body) = during;
    assert_eq!(status, 503, "/readyz while the database is gone: {body}");
    assert!(
        head.to_lowercase()
            .contains("content-type: application/problem+json"),
        "{head}"
    );
    let problem: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(problem["status"], 503);
    assert!(problem["title"].is_string() && problem["detail"].is_string());
    assert_eq!(
        after.0, 200,
        "/readyz after the database is back: {}",
        after.2
    );
}
