//! Bulk export and import on SQLite, through the library and the CLI: a
//! newsroom survives export, import into an empty database and export again
//! byte for byte, and the API serves it the same; a bad line stops the
//! import with only the batches before it committed; the indexes, triggers
//! and full-text index an import rebuilds come out as the migrations made
//! them. The round trip on both backends is in tests/api/transfer.rs.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use masthead::db::Db;
use masthead::originals::Originals;
use masthead::startup::{Application, open_database};
use masthead::transfer::{self, Counts, TransferError};
use serde_json::{Value, json};

use crate::support::{SECRET, settings_for, spawn_sqlite_app, token};
use crate::turn;

fn database(path: &Path) -> Db {
    open_database(&settings_for(path.to_str().unwrap(), &[])).unwrap()
}

async fn export(db: &Db) -> String {
    let bytes = db
        .run(|conn| {
            let mut out = Vec::new();
            transfer::export(conn, &Originals::Database, &mut out).map(|_| out)
        })
        .await
        .unwrap();
    String::from_utf8(bytes).unwrap()
}

async fn import(db: &Db, dump: &str, batch_size: usize) -> Result<Counts, TransferError> {
    let dump = dump.to_owned();
    db.run(move |conn| {
        transfer::import(
            conn,
            &Originals::Database,
            dump.as_bytes(),
            batch_size,
            |_| {},
        )
    })
    .await
}

async fn count(db: &Db) -> Counts {
    let dump = export(db).await;
    let mut counts = Counts::default();
    for line in dump.lines() {
        let record: Value = serde_json::from_str(line).unwrap();
        match record["type"].as_str().unwrap() {
            "media" => counts.media += 1,
            "author" => counts.authors += 1,
            "tag" => counts.tags += 1,
            "article" => counts.articles += 1,
            "link" => counts.links += 1,
            other => panic!("unexpected type {other}"),
        }
    }
    counts
}

/// The SQLite connection under `conn`: these tests run on SQLite only.
fn sqlite(conn: &mut masthead::db::Conn) -> &mut diesel::SqliteConnection {
    match conn {
        masthead::db::Conn::Sqlite(c) => c,
        _ => panic!("these tests run on SQLite"),
    }
}

/// The schema's objects of the given SQLite `type`s (`'trigger'`,
/// `'index', 'table'`), by name, as SQLite stores their SQL; indexes SQLite
/// makes for keys itself have none and are left out.
async fn schema_objects(db: &Db, types: &'static str) -> Vec<(String, String)> {
    #[derive(diesel::QueryableByName)]
    struct Object {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        sql: String,
    }
    db.run(move |conn| {
        let c = sqlite(conn);
        diesel::RunQueryDsl::load::<Object>(
            diesel::sql_query(format!(
                "SELECT name, sql FROM sqlite_schema
                 WHERE type IN ({types}) AND sql IS NOT NULL ORDER BY name"
            )),
            c,
        )
        .map_err(TransferError::Database)
    })
    .await
    .unwrap()
    .into_iter()
    .map(|object| (object.name, object.sql))
    .collect()
}

/// Import drops and recreates the article insert triggers inside each
/// batch, so they must come out exactly as the migrations made them.
async fn triggers(db: &Db) -> Vec<(String, String)> {
    schema_objects(db, "'trigger'").await
}

/// Import into an empty database drops the non-unique indexes and builds
/// them again at the end, keeping their definitions in a table meanwhile.
async fn indexes_and_tables(db: &Db) -> Vec<(String, String)> {
    schema_objects(db, "'index', 'table'").await
}

/// FTS5's own check, with the articles table as the content it must match:
/// `Err` names what is wrong (a missing or extra article).
async fn check_search_index(db: &Db) -> Result<(), String> {
    db.run(|conn| {
        let c = sqlite(conn);
        Ok::<_, TransferError>(
            diesel::connection::SimpleConnection::batch_execute(
                c,
                "INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)",
            )
            .map_err(|e| e.to_string()),
        )
    })
    .await
    .unwrap()
}

/// How many articles the full-text index finds for `word`.
async fn search_hits(db: &Db, word: &'static str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Hits {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    db.run(move |conn| {
        let c = sqlite(conn);
        diesel::RunQueryDsl::get_result::<Hits>(
            diesel::sql_query("SELECT count(*) AS n FROM articles_fts WHERE articles_fts MATCH ?")
                .bind::<diesel::sql_types::Text, _>(word),
            c,
        )
        .map_err(TransferError::Database)
    })
    .await
    .unwrap()
    .n
}

/// The one number `sql` selects as `n` on SQLite, if it finds a row.
async fn sqlite_number(db: &Db, sql: &'static str) -> Option<i64> {
    use diesel::OptionalExtension;
    #[derive(diesel::QueryableByName)]
    struct Number {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    db.run(move |conn| {
        diesel::RunQueryDsl::get_result::<Number>(diesel::sql_query(sql), sqlite(conn))
            .optional()
            .map_err(TransferError::Database)
    })
    .await
    .unwrap()
    .map(|number| number.n)
}

/// The full-text index's `automerge` setting, if one was ever written (FTS5
/// merges 4 segments at a time without one; a migration sets 16).
async fn fts_automerge(db: &Db) -> Option<i64> {
    sqlite_number(
        db,
        "SELECT v AS n FROM articles_fts_config WHERE k = 'automerge'",
    )
    .await
}

/// How many segments the full-text index is in (FTS5 keeps a row per
/// segment and leaf in its `_idx` table).
async fn fts_segments(db: &Db) -> i64 {
    sqlite_number(
        db,
        "SELECT count(DISTINCT segid) AS n FROM articles_fts_idx",
    )
    .await
    .unwrap()
}

/// What an import does before its first batch.
async fn defer_secondary_indexes(db: &Db) -> bool {
    db.run(|conn| {
        masthead::db::bulk::defer_secondary_indexes(conn).map_err(TransferError::Database)
    })
    .await
    .unwrap()
}

/// GETs a JSON body as an editor (so drafts are included).
async fn get_json(base: &str, path: &str) -> Value {
    let mut response = awc::Client::default()
        .get(format!("{base}{path}"))
        .insert_header((
            "Authorization",
            format!("Bearer {}", token(masthead::domain::Role::Editor, None)),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{base}{path}");
    let body = response.body().limit(1 << 22).await.unwrap();
    serde_json::from_slice(&body).unwrap()
}

#[actix_web::test]
async fn export_import_export_is_byte_identical_and_the_api_serves_the_same() {
    let _turn = turn();
    let source = spawn_sqlite_app(&[]).await;
    let source_db = database(&source.db_path);
    source_db.run(masthead::demo::load).await.unwrap();

    // A few edits through the API, so the dump holds what editors produce:
    // non-ASCII names, custom excerpts, feature images, several authors and
    // tags, links, a scheduled article and a gap in the ids.
    let editor = source.editor();
    source
        .post(
            "/v1/authors",
            &editor,
            json!({"name": "Zoë Ångström", "bio": "Night desk.",
                   "social": {"mastodon": "@zoe@example.social", "web": "https://zoe.example"}}),
        )
        .await
        .ok(201);
    source
        .patch(
            "/v1/articles/the-sea-wall-will-not-hold-forever",
            &editor,
            json!({"excerpt": "A custom excerpt.",
                   "feature_image": {"url": "https://cdn.example.com/wall.jpg", "alt": "The wall",
                                     "caption": "At high tide", "credit": "Harbour Ledger"}}),
        )
        .await
        .ok(200);
    source
        .delete("/v1/articles/inside-the-budget-a-first-look", &editor)
        .await
        .ok(204);
    source
        .create_article(json!({
            "title": "Ünïcode on the night desk",
            "body": "# Heading\n\nSome *Markdown* with a [link](https://example.com).\n",
            "status": "scheduled",
            "published_at": "2099-01-01T08:00:00+02:00",
            "authors": ["zoe-angstrom", "mara-okonjo"],
            "tags": ["Night Désk", "harbour"],
            "related": [
                {"article": "why-the-estuary-glows-at-night", "kind": "read_next"},
                {"article": "the-sea-wall-will-not-hold-forever", "kind": "recommended",
                 "label": "More on the wall"}
            ]
        }))
        .await;

    // A bare draft: no authors, no tags, no links.
    source
        .create_article(json!({"title": "A bare draft", "body": ""}))
        .await;

    let first = export(&source_db).await;
    let exported = count(&source_db).await;
    assert!(
        exported.authors == 4 && exported.tags >= 5 && exported.articles == 13,
        "{exported:?}"
    );
    assert!(exported.links >= 2, "{exported:?}");

    let dir = tempfile::tempdir().unwrap();
    let target_path = dir.path().join("imported.db");
    let target_db = database(&target_path);
    let imported = import(&target_db, &first, 5).await.unwrap();
    assert_eq!(imported, exported);
    let second = export(&target_db).await;
    assert!(
        first == second,
        "the second export differs:\n{first}\n---\n{second}"
    );

    let expected_triggers = triggers(&source_db).await;
    assert!(expected_triggers.len() >= 6, "{expected_triggers:?}");
    assert_eq!(triggers(&target_db).await, expected_triggers);

    // Importing the same dump again would overwrite: refused at line 1.
    match import(&target_db, &first, 5).await {
        Err(TransferError::Line {
            line: 1,
            message,
            committed: 0,
        }) => assert!(message.contains("author 1 already exists"), "{message}"),
        other => panic!("a second import was not refused: {other:?}"),
    }

    // The API reads both databases the same, derived fields included.
    let target_settings = settings_for(target_path.to_str().unwrap(), &[]);
    let target_app =
        Application::build(&target_settings, TcpListener::bind("127.0.0.1:0").unwrap()).unwrap();
    let target = format!("http://127.0.0.1:{}", target_app.port);
    actix_web::rt::spawn(target_app.server);
    let mut paths = vec![
        "/v1/authors?per_page=100".to_owned(),
        "/v1/tags?per_page=100".to_owned(),
        "/v1/articles?status=any&per_page=100&fields=body,body_html,related,status,excerpt"
            .to_owned(),
        // Import indexes a batch's articles for search and counts them by
        // status in one statement each, not row by row as the API's writes do.
        "/v1/articles?page=1&per_page=5".to_owned(),
        "/v1/articles?status=any&page=1&per_page=5".to_owned(),
        "/v1/articles?status=draft&page=1&per_page=5".to_owned(),
        "/v1/articles?q=harbour&per_page=100".to_owned(),
        "/v1/articles?q=night&status=any&per_page=100".to_owned(),
        "/v1/articles?q=unicode%20desk&status=any".to_owned(),
    ];
    for line in first.lines() {
        let record: Value = serde_json::from_str(line).unwrap();
        match record["type"].as_str().unwrap() {
            "article" => {
                paths.push(format!("/v1/articles/{}", record["id"]));
                paths.push(format!("/v1/articles/{}/related?suggest=5", record["id"]));
            }
            "author" => paths.push(format!("/v1/authors/{}", record["id"])),
            "tag" => paths.push(format!("/v1/tags/{}/articles", record["id"])),
            _ => {}
        }
    }
    for path in &paths {
        let before = get_json(&source.address, path).await;
        let after = get_json(&target, path).await;
        assert_eq!(before, after, "{path}");
    }
    // Those comparisons prove something only if the source finds articles.
    for path in [
        "/v1/articles?q=harbour&per_page=100",
        "/v1/articles?q=unicode%20desk&status=any",
    ] {
        let found = get_json(&target, path).await;
        assert!(
            !found["data"].as_array().unwrap().is_empty(),
            "{path}: {found}"
        );
    }
}

#[actix_web::test]
async fn a_bad_line_stops_the_import_keeping_only_the_batches_before_it() {
    let _turn = turn();
    let dir = tempfile::tempdir().unwrap();
    let source = database(&dir.path().join("source.db"));
    source.run(masthead::demo::load).await.unwrap();
    let dump = export(&source).await;
    let lines: Vec<&str> = dump.lines().collect();
    // The demo has three authors, then tags: line 4 is the first tag.
    assert!(lines[3].contains("\"type\":\"tag\""), "{}", lines[3]);

    let missing_author = r#"{"type":"article","id":500,"slug":"orphan","title":"Orphan","body":"","status":"draft","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","author_ids":[99],"tag_ids":[]}"#;
    let cases: Vec<(usize, String, u64, &str)> = vec![
        (4, r#"{"type":"gizmo"}"#.into(), 5, "unknown type 'gizmo'"),
        (
            4,
            r#"{"type":"tag","id":1}"#.into(),
            5,
            "missing field `slug`",
        ),
        (4, "{not json".into(), 5, "is not valid JSON"),
        // Found only in the database: line 4 was written in the batch's
        // transaction, then rolled back with it.
        (4, lines[3].into(), 5, "already exists"),
        (4, missing_author.into(), 5, "author 99 is neither earlier"),
        // The first bad line wins even when a later one fails to parse.
        (3, missing_author.into(), 4, "author 99"),
    ];
    for (case, (index, bad, line, expected)) in cases.into_iter().enumerate() {
        let mut file: Vec<&str> = lines.clone();
        file.insert(index, &bad);
        let file = file.join("\n");
        let file = match index {
            // Line 5 is also broken here; line 4 is reported.
            3 => file.replacen(lines[3], "{broken", 1),
            _ => file,
        };
        let target = database(&dir.path().join(format!("target-{case}.db")));
        let error = import(&target, &file, 3).await.unwrap_err();
        assert!(
            error.to_string().starts_with(&format!("line {line}: ")),
            "{bad}: {error}"
        );
        let TransferError::Line {
            message, committed, ..
        } = error
        else {
            panic!("{bad}: not a line error");
        };
        assert!(message.contains(expected), "{bad}: {message}");
        assert_eq!(committed, 3, "{bad}");
        let stored = count(&target).await;
        assert_eq!(
            stored,
            Counts {
                authors: 3,
                ..Counts::default()
            },
            "{bad}: only the first batch (the three authors) is kept"
        );
    }
}

fn masthead(dir: &Path, database: &str, args: &[&str], stdin: Option<&Path>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_masthead"));
    command
        .args(args)
        .current_dir(dir)
        .env("DATABASE_URL", dir.join(database))
        .env("JWT_SECRET", SECRET)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    match stdin {
        Some(path) => command.stdin(std::fs::File::open(path).unwrap()),
        None => command.stdin(Stdio::null()),
    };
    command.output().unwrap()
}

#[track_caller]
fn succeeded(output: &Output) -> String {
    assert!(
        output.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn the_cli_round_trips_through_export_and_import_files() {
    let _turn = turn();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    succeeded(&masthead(dir, "source.db", &["demo"], None));
    let dump = succeeded(&masthead(dir, "source.db", &["export"], None));
    assert_eq!(dump.lines().count(), 3 + 4 + 12 + 10);
    std::fs::write(dir.join("dump.ndjson"), &dump).unwrap();

    succeeded(&masthead(
        dir,
        "copy.db",
        &["import", "dump.ndjson", "--batch-size", "7"],
        None,
    ));
    assert_eq!(
        succeeded(&masthead(dir, "copy.db", &["export"], None)),
        dump
    );

    // `-` reads stdin.
    succeeded(&masthead(
        dir,
        "piped.db",
        &["import", "-"],
        Some(&dir.join("dump.ndjson")),
    ));
    assert_eq!(
        succeeded(&masthead(dir, "piped.db", &["export"], None)),
        dump
    );

    // A bad line: a non-zero exit and one line naming it.
    let broken = dump.replacen("\"type\":\"tag\"", "\"type\":\"tagg\"", 1);
    std::fs::write(dir.join("broken.ndjson"), broken).unwrap();
    let output = masthead(dir, "broken.db", &["import", "broken.ndjson"], None);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("line 4: unknown type 'tagg'"),
        "stderr: {stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "stderr: {stderr}");

    let output = masthead(dir, "missing.db", &["import", "no-such-file.ndjson"], None);
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("no-such-file.ndjson"),
        "{output:?}"
    );
}

/// A batch is first written with multi-row statements and, only when that
/// fails, again record by record: a clash found only by the database (within
/// one batch) still names its own line, and "earlier in the file" still
/// holds inside a batch.
#[actix_web::test]
async fn a_clash_inside_one_large_batch_names_its_line_and_keeps_nothing() {
    let _turn = turn();
    let dir = tempfile::tempdir().unwrap();
    let source = database(&dir.path().join("source.db"));
    source.run(masthead::demo::load).await.unwrap();
    let dump = export(&source).await;
    let lines: Vec<&str> = dump.lines().collect();
    let first_article = lines
        .iter()
        .position(|l| l.contains("\"type\":\"article\""))
        .unwrap();
    let first_link = lines
        .iter()
        .position(|l| l.contains("\"type\":\"link\""))
        .unwrap();
    let article: Value = serde_json::from_str(lines[first_article]).unwrap();
    let mut twin = article.clone();
    twin["id"] = json!(900);
    let twin = twin.to_string();
    let early_link = json!({"type": "link", "article_id": article["id"], "target_id": 901,
                           "kind": "read_next", "label": "Later", "position": 9})
    .to_string();
    let mut later = article.clone();
    later["id"] = json!(901);
    later["slug"] = json!("written-after-its-link");
    let later = later.to_string();

    // Lines to insert (at an index of the dump), the line reported, the reason.
    type Case<'a> = (Vec<(usize, &'a str)>, u64, String);
    let cases: Vec<Case> = vec![
        // The same slug twice: the second one is the bad line.
        (
            vec![(first_article + 1, twin.as_str())],
            first_article as u64 + 2,
            format!(
                "the article slug '{}' is already taken",
                article["slug"].as_str().unwrap()
            ),
        ),
        // A link to an article that comes after it, in the same batch.
        (
            vec![
                (first_link, early_link.as_str()),
                (first_link + 1, later.as_str()),
            ],
            first_link as u64 + 1,
            "article 901 is neither earlier".to_owned(),
        ),
    ];
    for (case, (inserts, line, expected)) in cases.into_iter().enumerate() {
        let mut file: Vec<&str> = lines.clone();
        for (index, text) in inserts {
            file.insert(index, text);
        }
        let target = database(&dir.path().join(format!("target-{case}.db")));
        let error = import(&target, &file.join("\n"), 10_000).await.unwrap_err();
        let TransferError::Line {
            line: reported,
            message,
            committed,
        } = error
        else {
            panic!("case {case}: not a line error");
        };
        assert_eq!(reported, line, "case {case}: {message}");
        assert!(message.contains(&expected), "case {case}: {message}");
        assert_eq!(committed, 0, "case {case}");
        assert_eq!(count(&target).await, Counts::default(), "case {case}");
    }

    // The same file without the clashes goes in whole, in one batch.
    let target = database(&dir.path().join("clean.db"));
    import(&target, &dump, 10_000).await.unwrap();
    assert_eq!(export(&target).await, dump);
    // Rolled-back batches, the clean one and the record-by-record retries
    // all leave the triggers as the migrations made them.
    assert_eq!(triggers(&target).await, triggers(&source).await);
    let target_0 = database(&dir.path().join("target-0.db"));
    assert_eq!(triggers(&target_0).await, triggers(&source).await);
}

/// Full-sized articles (2 KB bodies, as in the benchmark) in batches of the
/// default size give each multi-row statement a statement journal far larger
/// than the small demo records do (a build of SQLite with a raised in-memory
/// journal threshold failed on a file built this way). The CLI import must
/// take them all, and export them again byte for byte.
#[test]
fn the_cli_imports_full_sized_articles_in_default_batches() {
    let _turn = turn();
    const ARTICLES: i64 = 2_000;
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    succeeded(&masthead(dir, "source.db", &["demo"], None));
    let demo = succeeded(&masthead(dir, "source.db", &["export"], None));
    let lines: Vec<&str> = demo.lines().collect();
    let is = |kind: &str, line: &str| line.contains(&format!("\"type\":\"{kind}\""));
    let demo_articles: Vec<Value> = lines
        .iter()
        .filter(|line| is("article", line))
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let model = demo_articles[0].clone();
    let last_id = demo_articles
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .max()
        .unwrap();
    let paragraph = "The council met by the river to plan the new bridge and the market. ";
    let mut articles = Vec::new();
    let mut links = Vec::new();
    for n in 1..=ARTICLES {
        let id = last_id + n;
        let mut article = model.clone();
        article["id"] = json!(id);
        article["slug"] = json!(format!("full-sized-{n}"));
        article["title"] = json!(format!("Full-sized article {n}"));
        article["body"] = json!(format!("## Part {n}\n\n{}", paragraph.repeat(30)));
        articles.push(article.to_string());
        if n > 1 {
            links.push(
                json!({"type": "link", "article_id": id, "target_id": id - 1,
                       "kind": "read_next", "label": "Read next", "position": 1})
                .to_string(),
            );
        }
    }
    let before_links = lines.iter().position(|line| is("link", line)).unwrap();
    let mut dump: Vec<&str> = lines[..before_links].to_vec();
    dump.extend(articles.iter().map(String::as_str));
    dump.extend(&lines[before_links..]);
    dump.extend(links.iter().map(String::as_str));
    let dump = dump.join("\n") + "\n";
    std::fs::write(dir.join("full.ndjson"), &dump).unwrap();

    succeeded(&masthead(dir, "full.db", &["import", "full.ndjson"], None));
    assert_eq!(
        succeeded(&masthead(dir, "full.db", &["export"], None)),
        dump
    );
}

#[actix_web::test]
async fn an_import_into_an_empty_database_ends_with_every_index_built_even_when_it_stops() {
    let _turn = turn();
    let dir = tempfile::tempdir().unwrap();
    let expected = indexes_and_tables(&database(&dir.path().join("fresh.db"))).await;
    assert!(
        expected
            .iter()
            .any(|(name, _)| name == "articles_published"),
        "{expected:?}"
    );
    let source = database(&dir.path().join("source.db"));
    source.run(masthead::demo::load).await.unwrap();
    let dump = export(&source).await;

    let whole = database(&dir.path().join("whole.db"));
    import(&whole, &dump, 2).await.unwrap();
    assert_eq!(indexes_and_tables(&whole).await, expected);
    assert_eq!(
        fts_automerge(&whole).await,
        Some(16),
        "the migration's, kept"
    );
    // Batches of two make a segment each; they are merged into one at the
    // end, so the server's first write does not merge them all itself.
    assert_eq!(fts_segments(&whole).await, 1);
    check_search_index(&whole).await.unwrap();
    let harbour = search_hits(&source, "harbour").await;
    assert!(harbour > 0);
    assert_eq!(search_hits(&whole, "harbour").await, harbour);

    // Stopped after committing batches of articles: those are served, with
    // their indexes, and no definition is left waiting.
    let mut lines: Vec<&str> = dump.lines().collect();
    let last_article = lines
        .iter()
        .rposition(|line| line.contains("\"type\":\"article\""))
        .unwrap();
    lines.insert(last_article, "{broken");
    let stopped = database(&dir.path().join("stopped.db"));
    let error = import(&stopped, &lines.join("\n"), 2).await.unwrap_err();
    assert!(matches!(error, TransferError::Line { committed, .. } if committed > 0));
    assert!(count(&stopped).await.articles > 0);
    assert_eq!(indexes_and_tables(&stopped).await, expected);
    assert_eq!(fts_automerge(&stopped).await, Some(16));
    assert_eq!(fts_segments(&stopped).await, 1);
    check_search_index(&stopped).await.unwrap();
    assert!(search_hits(&stopped, "harbour").await > 0);
}

#[actix_web::test]
async fn indexes_an_import_was_cut_off_before_building_are_built_at_the_next_start() {
    let _turn = turn();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut-off.db");
    let db = database(&path);
    let expected = indexes_and_tables(&db).await;
    // What an import into an empty database does first, then the process
    // dies before its last step.
    let deferred = defer_secondary_indexes(&db).await;
    assert!(deferred);
    let left = indexes_and_tables(&db).await;
    assert!(
        !left.iter().any(|(name, _)| name == "articles_published"),
        "{left:?}"
    );
    assert!(
        left.iter()
            .any(|(name, _)| name == "masthead_deferred_indexes")
    );
    drop(db);

    let reopened = database(&path);
    assert_eq!(indexes_and_tables(&reopened).await, expected);
}

#[actix_web::test]
async fn an_import_into_a_database_with_articles_keeps_its_indexes() {
    let _turn = turn();
    let dir = tempfile::tempdir().unwrap();
    let db = database(&dir.path().join("stocked.db"));
    db.run(masthead::demo::load).await.unwrap();
    let before = indexes_and_tables(&db).await;
    let deferred = defer_secondary_indexes(&db).await;
    assert!(
        !deferred,
        "rebuilding every index would cost more than it saves"
    );
    assert_eq!(indexes_and_tables(&db).await, before);
}
