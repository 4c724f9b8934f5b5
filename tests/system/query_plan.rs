//! What the article list costs the database: a fixed number of statements
//! whatever the page size, and index-driven plans.
//!
//! The statements are counted with Diesel's default instrumentation, which
//! is process-wide: every connection any test of this binary opens after
//! it is set gets a recorder. A recorder keeps the statements only of a
//! connection to this test's database file (`RECORDED`), so the tests
//! running beside this one do not change its counts, and it needs no
//! binary of its own.

use std::sync::{Mutex, OnceLock};

use diesel::connection::{Instrumentation, InstrumentationEvent, set_default_instrumentation};
use diesel::prelude::*;
use diesel::sql_types::Text;
use serde_json::json;

use crate::support::{TestApp, spawn_sqlite_app};
use crate::turn;

/// Every statement text the app runs on the recorded database, binds left
/// out.
static STATEMENTS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// The path of the database whose statements are recorded, set once its
/// app has started.
static RECORDED: OnceLock<String> = OnceLock::new();

/// A recorder for one connection: it learns the connection's URL when it
/// is opened, and records its statements if that URL is the recorded
/// database's (a pool opens its connections before `RECORDED` is set).
fn record() -> Option<Box<dyn Instrumentation>> {
    let mut database_url = String::new();
    Some(Box::new(
        move |event: InstrumentationEvent<'_>| match event {
            InstrumentationEvent::StartEstablishConnection { url, .. } => {
                database_url = url.to_owned();
            }
            InstrumentationEvent::StartQuery { query, .. }
                if RECORDED
                    .get()
                    .is_some_and(|path| database_url.contains(path.as_str())) =>
            {
                let text = query.to_string();
                let sql = text
                    .split(" -- binds:")
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                STATEMENTS.lock().unwrap().push(sql);
            }
            _ => {}
        },
    ))
}

/// The statements one request issues.
async fn statements_of(app: &TestApp, path: &str) -> Vec<String> {
    STATEMENTS.lock().unwrap().clear();
    app.get(path).await.ok(200);
    STATEMENTS.lock().unwrap().clone()
}

#[derive(QueryableByName)]
struct PlanStep {
    #[diesel(sql_type = Text)]
    detail: String,
}

#[actix_web::test]
async fn a_list_costs_the_same_statements_for_one_item_and_for_a_hundred_and_uses_indexes() {
    let _turn = turn();
    set_default_instrumentation(record).unwrap();
    // Every request asks for its freshness, so that statement counts compare
    // like with like rather than depending on what the previous one learned.
    let app = spawn_sqlite_app(&[("CACHE_RECHECK_MS", "0")]).await;
    RECORDED
        .set(app.db_path.to_str().unwrap().to_owned())
        .expect("one test records statements");
    let linked = app.publish("Linked", "ada", &["News", "World"]).await;
    // Every story leads with an uploaded picture, and its author has one as
    // an avatar: the pictures a page embeds are one statement too.
    let mut png = std::io::Cursor::new(Vec::new());
    image::RgbImage::new(40, 30)
        .write_to(&mut png, image::ImageFormat::Png)
        .unwrap();
    let picture = app
        .request(
            awc::http::Method::POST,
            "/v1/media",
            Some(&app.editor()),
            &[],
            Some(("image/png", png.into_inner())),
        )
        .await
        .ok(201);
    app.patch(
        "/v1/authors/ada",
        &app.editor(),
        json!({"avatar": {"media": picture["id"]}}),
    )
    .await
    .ok(200);
    for i in 0..100 {
        app.create_article(json!({
            "title": format!("Story {i}"), "status": "published", "authors": ["ada"],
            "tags": ["News", "World"],
            "related": [{"article": linked["id"], "kind": "also_read"}],
            "feature_image": {"media": picture["id"]},
        }))
        .await;
    }
    for query in [
        "",
        "?tag=news",
        "?fields=slug,body,related",
        "?q=story",
        "?sort=title",
    ] {
        let one = statements_of(
            &app,
            &format!("/v1/articles?per_page=1&{}", &query.trim_start_matches('?')),
        )
        .await;
        let hundred = statements_of(
            &app,
            &format!(
                "/v1/articles?per_page=100&{}",
                &query.trim_start_matches('?')
            ),
        )
        .await;
        assert_eq!(
            one.len(),
            hundred.len(),
            "{query}: {one:#?} vs {hundred:#?}"
        );
        assert!(one.len() <= 12, "{query}: {one:#?}");
        let cursor_one = statements_of(
            &app,
            &format!(
                "/v1/articles?per_page=1&cursor={}",
                first_cursor(&app).await
            ),
        )
        .await;
        assert!(
            cursor_one.len() <= one.len(),
            "cursor paging skips the count"
        );
    }

    // The default list's page query, planned by SQLite: it walks an index in
    // order rather than scanning and sorting the whole table.
    // A public read asked for again costs only the freshness check.
    statements_of(&app, &format!("/v1/articles/{}", linked["id"])).await;
    let cached = statements_of(&app, &format!("/v1/articles/{}", linked["id"])).await;
    assert!(cached.len() <= 2, "{cached:#?}");

    let mut conn = SqliteConnection::establish(app.db_path.to_str().unwrap()).unwrap();
    let plan = plan_of(&app, &mut conn, "/v1/articles").await;
    assert!(
        plan.contains("USING COVERING INDEX articles_published"),
        "{plan}"
    );
    assert!(!plan.contains("USE TEMP B-TREE FOR ORDER BY"), "{plan}");
    assert!(
        !plan.lines().any(|step| step.trim() == "SCAN articles"),
        "a full scan of articles: {plan}"
    );
    // A deep page by cursor starts inside the index instead of walking to
    // its place: as fast on page 5,000 as on page 1.
    let deep = plan_of(
        &app,
        &mut conn,
        &format!("/v1/articles?cursor={}", first_cursor(&app).await),
    )
    .await;
    assert!(
        deep.contains("SEARCH articles USING COVERING INDEX articles_published"),
        "{deep}"
    );
    // The public total counts only the scheduled articles that are due, from
    // their own partial index; the published ones are counted by triggers.
    let count_plan = count_plan_of(&app, &mut conn, "/v1/articles?page=1").await;
    assert!(
        count_plan.contains("COVERING INDEX articles_scheduled"),
        "{count_plan}"
    );
    // A filtered list's count reads only an index, never the rows.
    let count_plan = count_plan_of(&app, &mut conn, "/v1/articles?page=1&tag=news").await;
    assert!(count_plan.contains("COVERING INDEX"), "{count_plan}");

    // Readers that miss the same representation at once (as all do after a
    // write) wait for the first one to assemble it: one page query, not 16.
    let app = std::rc::Rc::new(app);
    STATEMENTS.lock().unwrap().clear();
    let readers: Vec<_> = (0..16)
        .map(|_| {
            let app = app.clone();
            actix_web::rt::spawn(async move {
                let reply = app.get("/v1/articles?per_page=7&tag=world").await;
                assert_eq!(reply.status, 200);
                reply.header("etag").unwrap()
            })
        })
        .collect();
    let mut tags = Vec::new();
    for reader in readers {
        tags.push(reader.await.unwrap());
    }
    tags.dedup();
    assert_eq!(tags.len(), 1, "every reader got the same representation");
    let page_queries = STATEMENTS
        .lock()
        .unwrap()
        .iter()
        .filter(|sql| sql.contains("ORDER BY") && sql.contains("FROM `articles`"))
        .count();
    assert_eq!(page_queries, 1, "assembled once");
}

/// The plan SQLite makes for the count of one list request.
async fn count_plan_of(app: &TestApp, conn: &mut SqliteConnection, path: &str) -> String {
    let count = statements_of(app, path)
        .await
        .into_iter()
        .find(|sql| sql.starts_with("SELECT COUNT(*)"))
        .expect("the count ran");
    explain(conn, &count)
}

/// The plan SQLite makes for the page query of one list request.
async fn plan_of(app: &TestApp, conn: &mut SqliteConnection, path: &str) -> String {
    let statements = statements_of(app, path).await;
    let page_query = statements
        .iter()
        .find(|sql| sql.contains("ORDER BY") && sql.contains("FROM `articles`"))
        .expect("the page query ran");
    explain(conn, page_query)
}

fn explain(conn: &mut SqliteConnection, sql: &str) -> String {
    diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}"))
        .load::<PlanStep>(conn)
        .unwrap()
        .into_iter()
        .map(|step| step.detail)
        .collect::<Vec<_>>()
        .join("\n")
}

async fn first_cursor(app: &TestApp) -> String {
    app.get("/v1/articles?per_page=1").await.ok(200)["meta"]["next_cursor"]
        .as_str()
        .unwrap()
        .to_owned()
}
