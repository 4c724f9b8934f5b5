//! Export and import against SQLite files: media and their originals move
//! losslessly (from the database or a directory), and a bad media line or a
//! reference to a missing item stops the import with nothing of its batch
//! written. The round trip through the API on both backends is in
//! tests/api/transfer.rs.

use chrono::NaiveDate;

use super::*;
use crate::db::Db;
use crate::db::media::{self as media_db, NewMedia};
use crate::originals::{Originals, content_hash};

/// A 1x1 transparent PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

const AUTHOR: &str = r#"{"type":"author","id":1,"slug":"ada","name":"Ada","bio":null,"avatar_url":null,"website":null,"email":null,"social":{},"created_at":"2026-01-05T09:00:00Z","updated_at":"2026-01-05T09:00:00Z","avatar_media_id":1}"#;
const ARTICLE: &str = r#"{"type":"article","id":1,"slug":"dot","title":"Dot","subtitle":null,"body":"A dot.","custom_excerpt":null,"feature_image":{"url":"/media/1/x.png","alt":"A dot","caption":null,"credit":null,"media":1},"status":"published","published_at":"2026-01-06T10:00:00Z","created_at":"2026-01-05T09:00:00Z","updated_at":"2026-01-06T10:00:00Z","author_ids":[1],"tag_ids":[]}"#;

fn database(dir: &tempfile::TempDir, file: &str) -> Db {
    let db = Db::connect(dir.path().join(file).to_str().unwrap(), 2).unwrap();
    db.migrate().unwrap();
    db
}

/// `work` on a connection of `db`, which is there (a local file).
fn on<T>(db: &Db, work: impl FnOnce(&mut crate::db::Conn) -> T) -> T {
    db.on_this_thread(|conn| Ok::<_, TransferError>(work(conn)))
        .unwrap()
}

fn export_of(db: &Db, originals: &Originals) -> String {
    let bytes = db
        .on_this_thread(|conn| {
            let mut out = Vec::new();
            export(conn, originals, &mut out).map(|_| out)
        })
        .unwrap();
    String::from_utf8(bytes).unwrap()
}

fn import_into(db: &Db, originals: &Originals, dump: &str) -> Result<Counts, TransferError> {
    db.on_this_thread(|conn| import(conn, originals, dump.as_bytes(), DEFAULT_BATCH_SIZE, |_| {}))
}

fn upload(db: &Db, originals: &Originals, bytes: &[u8], alt: &str) -> i64 {
    let at = NaiveDate::from_ymd_opt(2026, 1, 5)
        .unwrap()
        .and_hms_opt(8, 30, 0)
        .unwrap();
    let values = NewMedia {
        hash: content_hash(bytes),
        mime: "image/png".into(),
        width: 1,
        height: 1,
        bytes: bytes.len() as i64,
        alt: Some(alt.into()),
        caption: None,
        credit: Some("Wire".into()),
        search_key: media_db::search_key(Some(alt), None, Some("Wire")),
        // Not a short decimal: the dump must carry every bit of it.
        focal_x: 1.0 / 3.0,
        focal_y: 0.5,
        blurhash: "00Pj0^".into(),
        color: "#000000".into(),
        created_by: "editor".into(),
        created_at: at,
        updated_at: at,
    };
    on(db, |conn| {
        originals.store(conn, &values.hash, bytes).unwrap();
        media_db::insert(conn, &values).unwrap().id
    })
}

fn line_error(outcome: Result<Counts, TransferError>) -> (u64, String, u64) {
    match outcome {
        Err(TransferError::Line {
            line,
            message,
            committed,
        }) => (line, message, committed),
        other => panic!("not a line error: {other:?}"),
    }
}

#[test]
fn media_and_their_originals_survive_export_import_export_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let source = database(&dir, "source.db");
    let originals = Originals::Database;
    assert_eq!(upload(&source, &originals, PNG, "A dot"), 1);
    // The same bytes twice: two items, one original.
    assert_eq!(upload(&source, &originals, PNG, "Again"), 2);
    import_into(&source, &originals, &format!("{AUTHOR}\n{ARTICLE}\n")).unwrap();
    let dump = export_of(&source, &originals);

    let lines: Vec<&str> = dump.lines().collect();
    assert_eq!(lines.len(), 4, "{dump}");
    let first: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    let keys: Vec<&str> = first.as_object().unwrap().keys().map(|k| &**k).collect();
    assert_eq!(
        keys,
        [
            "type",
            "id",
            "hash",
            "mime",
            "width",
            "height",
            "alt",
            "caption",
            "credit",
            "focal",
            "blurhash",
            "color",
            "created_by",
            "created_at",
            "updated_at",
            "data"
        ],
        "media first, fields in a stable order"
    );
    assert_eq!(
        first["data"],
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGMAAQAABQABDQottAAAAABJRU5ErkJggg=="
    );
    assert!(lines[2].contains(r#""avatar_media_id":1"#), "{}", lines[2]);
    assert!(lines[3].contains(r#""media":1"#), "{}", lines[3]);

    // Into a database that keeps originals in a directory, and out again.
    let target = database(&dir, "target.db");
    let files = Originals::new(Some(&dir.path().join("originals"))).unwrap();
    let counts = import_into(&target, &files, &dump).unwrap();
    assert_eq!((counts.media, counts.authors, counts.articles), (2, 1, 1));
    assert_eq!(export_of(&target, &files), dump, "export, import, export");
    let stored = on(&target, |conn| {
        files.load(conn, &content_hash(PNG)).unwrap()
    });
    assert_eq!(stored.as_deref(), Some(PNG));
    let row = on(&target, |conn| media_db::find(conn, 1).unwrap()).unwrap();
    assert_eq!(
        (row.bytes, row.search_key.as_str()),
        (PNG.len() as i64, "a dot\nwire")
    );
    assert_eq!(row.focal_x, 1.0 / 3.0);

    // The next upload gets an id after the imported ones.
    assert_eq!(upload(&target, &files, b"other bytes", "New"), 3);
}

#[test]
fn an_item_whose_original_is_missing_stops_the_export() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(&dir, "source.db");
    upload(&db, &Originals::Database, PNG, "A dot");
    let elsewhere = Originals::new(Some(&dir.path().join("empty"))).unwrap();
    let error = db
        .on_this_thread(|conn| export(conn, &elsewhere, &mut Vec::new()))
        .unwrap_err();
    assert!(
        error.to_string().contains("media 1: its original"),
        "{error}"
    );
}

#[test]
fn a_bad_media_line_or_a_missing_media_item_stops_the_import_with_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let source = database(&dir, "source.db");
    upload(&source, &Originals::Database, PNG, "A dot");
    let media = export_of(&source, &Originals::Database);
    let media = media.trim_end();
    let mut tampered: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(media).unwrap();
    tampered.insert("id".into(), 2.into());
    tampered.insert("hash".into(), content_hash(b"other").into());
    let tampered = serde_json::to_string(&tampered).unwrap();
    let dangling_author = AUTHOR.replace(r#""avatar_media_id":1"#, r#""avatar_media_id":9"#);
    let dangling_article = ARTICLE.replace(r#""media":1"#, r#""media":9"#);
    let avatarless = AUTHOR.replace(r#","avatar_media_id":1"#, "");

    let cases = [
        (
            format!("{media}\n{tampered}\n"),
            2,
            "is not the SHA-256 of data",
        ),
        (
            format!("{media}\n{dangling_author}\n"),
            2,
            "avatar: media 9 is neither earlier in the file nor in the database",
        ),
        (
            format!("{media}\n{avatarless}\n{dangling_article}\n"),
            3,
            "feature_image: media 9 is neither earlier in the file nor in the database",
        ),
    ];
    for (dump, bad_line, expected) in cases {
        let target = tempfile::tempdir().unwrap();
        let target = database(&target, "target.db");
        let (line, message, committed) =
            line_error(import_into(&target, &Originals::Database, &dump));
        assert_eq!((line, committed), (bad_line, 0), "{expected}: {message}");
        assert!(message.contains(expected), "{expected}: {message}");
        assert_eq!(export_of(&target, &Originals::Database), "", "{expected}");
        let original = on(&target, |conn| {
            media_db::load_original(conn, &content_hash(PNG)).unwrap()
        });
        assert_eq!(original, None, "{expected}: the first item's original");
    }
}

#[test]
fn a_media_item_already_stored_is_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(&dir, "source.db");
    upload(&db, &Originals::Database, PNG, "A dot");
    let dump = export_of(&db, &Originals::Database);
    let (line, message, _) = line_error(import_into(&db, &Originals::Database, &dump));
    assert_eq!(line, 1);
    assert!(message.contains("media 1 already exists"), "{message}");
}
