//! Bulk export and import through the library, on both backends: a
//! newsroom moves to an empty database unchanged, and the ids the API hands
//! out afterwards follow the imported ones (PostgreSQL's identity sequences
//! do not move by themselves when ids are given). The CLI, big imports and
//! SQLite's indexes and triggers are in tests/system/transfer.rs.

use masthead::db::Db;
use masthead::startup::open_database;
use masthead::transfer;
use serde_json::json;

use super::helpers::{settings_for, spawn_app};

async fn export(db: &Db) -> String {
    db.run(|conn| {
        let mut out = Vec::new();
        transfer::export(conn, &mut out).map(|_| out)
    })
    .await
    .map(|bytes| String::from_utf8(bytes).unwrap())
    .unwrap()
}

#[actix_web::test]
async fn an_export_imports_unchanged_and_new_ids_follow_the_imported_ones() {
    let Some(source) = spawn_app().await else {
        return;
    };
    source
        .publish("First light", "ada", &["News", "Science"])
        .await;
    source
        .create_article(json!({
            "title": "Second look",
            "related": [{"article": "first-light", "kind": "read_next"}],
        }))
        .await;
    let source_db = open_database(&settings_for(&source.database_url, &[])).unwrap();
    let dump = export(&source_db).await;
    assert_eq!(dump.lines().count(), 6, "{dump}");

    let Some(target) = spawn_app().await else {

        return;

    };
    let target_db = open_database(&settings_for(&target.database_url, &[])).unwrap();
    let body = dump.clone();
    let counts = target_db
        .run(move |conn| transfer::import(conn, body.as_bytes(), 2, |_| {}))
        .await
        .unwrap();
    assert_eq!((counts.authors, counts.tags, counts.articles), (1, 2, 2));
    assert_eq!(export(&target_db).await, dump, "export, import, export");

    target.get("/v1/articles/second-look").await.problem(404);
    let editor = target.editor();
    let draft = target
        .get_as("/v1/articles/second-look", &editor)
        .await
        .ok(200);
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["related"][0]["article"]["slug"], "first-light");
    let public = target.get("/v1/articles/first-light").await.ok(200);
    assert_eq!(public["tags"][1]["name"], "Science");

    let author = target.create_author("Grace Hopper").await;
    assert_eq!(author["id"], 2, "after the imported author");
    let tag = target.create_tag("Culture").await;
    assert_eq!(tag["id"], 3, "after the imported tags");
    let article = target.create_article(json!({"title": "Third"})).await;
    assert_eq!(article["id"], 3, "after the imported articles");
}
