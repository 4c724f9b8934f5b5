//! Bulk export and import through the library, on both backends: a
//! newsroom moves to an empty database unchanged, media and their originals
//! included, and the ids the API hands out afterwards follow the imported
//! ones (PostgreSQL's identity sequences do not move by themselves when ids
//! are given). The CLI, big imports and
//! SQLite's indexes and triggers are in tests/system/transfer.rs.

use masthead::db::Db;
use masthead::db::media::{self as media_db, NewMedia};
use masthead::error::ApiError;
use masthead::originals::{Originals, content_hash};
use masthead::startup::open_database;
use masthead::transfer;
use serde_json::json;

use super::helpers::{settings_for, spawn_app};

async fn export(db: &Db) -> String {
    db.run(|conn| {
        let mut out = Vec::new();
        transfer::export(conn, &Originals::Database, &mut out).map(|_| out)
    })
    .await
    .map(|bytes| String::from_utf8(bytes).unwrap())
    .unwrap()
}

/// A 1x1 transparent PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

/// A media item and its original, stored as an upload stores them: the
/// upload route needs the image decoder, which these tests do not.
async fn add_media(db: &Db, alt: &str) -> i64 {
    let at = chrono::DateTime::parse_from_rfc3339("2026-01-05T08:30:00Z")
        .unwrap()
        .naive_utc();
    let values = NewMedia {
        hash: content_hash(PNG),
        mime: "image/png".into(),
        width: 1,
        height: 1,
        bytes: PNG.len() as i64,
        alt: Some(alt.into()),
        caption: None,
        credit: None,
        search_key: media_db::search_key(Some(alt), None, None),
        focal_x: 0.25,
        focal_y: 0.75,
        blurhash: "00Pj0^".into(),
        color: "#000000".into(),
        created_by: "editor".into(),
        created_at: at,
        updated_at: at,
    };
    db.run(move |conn| {
        Originals::Database.store(conn, &values.hash, PNG)?;
        Ok::<_, ApiError>(media_db::insert(conn, &values)?.id)
    })
    .await
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
    let source_db = open_database(&settings_for(&source.database_url, &[])).unwrap();
    let media = add_media(&source_db, "A dot").await;
    source
        .create_article(json!({
            "title": "Second look",
            "feature_image": {"media": media, "alt": "A dot"},
            "related": [{"article": "first-light", "kind": "read_next"}],
        }))
        .await;
    let dump = export(&source_db).await;
    assert_eq!(dump.lines().count(), 7, "{dump}");
    assert!(dump.starts_with(r#"{"type":"media","id":1,"#), "{dump}");

    let Some(target) = spawn_app().await else {
        return;
    };
    let target_db = open_database(&settings_for(&target.database_url, &[])).unwrap();
    let body = dump.clone();
    let counts = target_db
        .run(move |conn| transfer::import(conn, &Originals::Database, body.as_bytes(), 2, |_| {}))
        .await
        .unwrap();
    assert_eq!(
        (counts.media, counts.authors, counts.tags, counts.articles),
        (1, 1, 2, 2)
    );
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
    assert_eq!(
        add_media(&target_db, "Another").await,
        2,
        "after the imported media"
    );
}
