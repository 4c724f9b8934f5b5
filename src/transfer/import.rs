//! `masthead import`: each line checked on a thread of its own, then
//! written in batches, one transaction each, refusing to overwrite anything.

use std::collections::HashSet;
use std::io::{self, BufRead};

use chrono::NaiveDateTime;
use serde_json::Value;

use super::records::{ArticleRecord, AuthorRecord, LinkRecord, MediaRecord, TagRecord};
use super::{Counts, DEFAULT_BATCH_SIZE, Progress, TransferError};
use crate::content::articles::Derived;
use crate::db::articles::{self as article_db, ArticleValues};
use crate::db::authors::{self as author_db, AuthorValues};
use crate::db::links::LinkRow;
use crate::db::media::{self as media_db, NewMedia};
use crate::db::tags::{self as tag_db, TagValues, name_key};
use crate::db::{self, Conn, DatabaseError, bulk, dump};
use crate::domain::{LinkKind, Slug, Status, parse_timestamp};
use crate::originals::{Originals, content_hash};

const MAX_SOCIAL: usize = 16;

/// A line checked on its own and turned into the rows it stores, derived
/// columns computed; what needs the database is checked when it is written.
#[derive(Debug, Clone)]
pub enum Item {
    Media {
        id: i64,
        values: Box<NewMedia>,
        /// The original's bytes, decoded and checked against `values.hash`.
        data: Vec<u8>,
    },
    Author {
        id: i64,
        values: AuthorValues,
        created_at: NaiveDateTime,
    },
    Tag {
        id: i64,
        values: TagValues,
        created_at: NaiveDateTime,
    },
    Article {
        id: i64,
        values: Box<ArticleValues>,
        created_at: NaiveDateTime,
        author_ids: Vec<i64>,
        tag_ids: Vec<i64>,
    },
    Link(LinkRow),
}

/// Checks one line without the database: `Ok(None)` for a blank line.
pub fn parse_line(text: &str) -> Result<Option<Item>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let value: Value = serde_json::from_str(text).map_err(|e| format!("is not valid JSON: {e}"))?;
    let Value::Object(mut object) = value else {
        return Err("is not a JSON object".into());
    };
    let kind = match object.remove("type") {
        Some(Value::String(kind)) => kind,
        Some(_) => return Err("\"type\" must be a string".into()),
        None => return Err("has no \"type\" (media, author, tag, article or link)".into()),
    };
    let object = Value::Object(object);
    let item = match kind.as_str() {
        "media" => media_item(fields(object, "media")?)?,
        "author" => author_item(fields(object, "author")?)?,
        "tag" => tag_item(fields(object, "tag")?)?,
        "article" => article_item(fields(object, "article")?)?,
        "link" => link_item(fields(object, "link")?)?,
        other => {
            return Err(format!(
                "unknown type '{other}' (expected media, author, tag, article or link)"
            ));
        }
    };
    Ok(Some(item))
}

fn fields<T: serde::de::DeserializeOwned>(object: Value, kind: &str) -> Result<T, String> {
    serde_path_to_error::deserialize(object).map_err(|e| {
        let path = e.path().to_string();
        match path.as_str() {
            "." => format!("{kind}: {}", e.inner()),
            _ => format!("{kind}: {path}: {}", e.inner()),
        }
    })
}

fn timestamp(field: &str, text: &str) -> Result<NaiveDateTime, String> {
    parse_timestamp(text).map_err(|e| format!("{field} {e}"))
}

fn check_id(field: &str, id: i64) -> Result<(), String> {
    match id >= 1 {
        true => Ok(()),
        false => Err(format!("{field} must be a positive integer")),
    }
}

fn check_slug(slug: &str) -> Result<(), String> {
    Slug::parse(slug)
        .map(|_| ())
        .map_err(|e| format!("slug {e}"))
}

fn check_length(field: &str, text: &str, max: usize) -> Result<(), String> {
    match (1..=max).contains(&text.chars().count()) {
        true => Ok(()),
        false => Err(format!("{field} must be 1 to {max} characters")),
    }
}

fn check_unique(field: &str, ids: &[i64]) -> Result<(), String> {
    let mut seen = HashSet::new();
    for &id in ids {
        check_id(field, id)?;
        if !seen.insert(id) {
            return Err(format!("{field} lists {id} twice"));
        }
    }
    Ok(())
}

/// The types an upload accepts, so the renditions can be made from it.
const MEDIA_TYPES: [&str; 4] = ["image/jpeg", "image/png", "image/webp", "image/gif"];

fn media_item(record: MediaRecord) -> Result<Item, String> {
    use base64::Engine;
    check_id("id", record.id)?;
    if !MEDIA_TYPES.contains(&record.mime.as_str()) {
        return Err(format!(
            "mime '{}' is not one of {}",
            record.mime,
            MEDIA_TYPES.join(", ")
        ));
    }
    if record.width < 1 || record.height < 1 {
        return Err("width and height must be 1 or more".into());
    }
    for (field, value) in [("focal.x", record.focal.x), ("focal.y", record.focal.y)] {
        if !(0.0..=1.0).contains(&value) {
            return Err(format!("{field} must be between 0 and 1"));
        }
    }
    let created_at = timestamp("created_at", &record.created_at)?;
    let updated_at = timestamp("updated_at", &record.updated_at)?;
    let data = base64::engine::general_purpose::STANDARD
        .decode(&record.data)
        .map_err(|e| format!("data is not standard base64: {e}"))?;
    if data.is_empty() {
        return Err("data is empty".into());
    }
    // The hash names the original wherever it is kept: a wrong one would
    // file the bytes under another image's name.
    let hash = content_hash(&data);
    if hash != record.hash {
        return Err(format!(
            "hash '{}' is not the SHA-256 of data ({hash})",
            record.hash
        ));
    }
    let values = NewMedia {
        search_key: media_db::search_key(
            record.alt.as_deref(),
            record.caption.as_deref(),
            record.credit.as_deref(),
        ),
        hash,
        mime: record.mime,
        width: record.width,
        height: record.height,
        bytes: data.len() as i64,
        alt: record.alt,
        caption: record.caption,
        credit: record.credit,
        focal_x: record.focal.x,
        focal_y: record.focal.y,
        blurhash: record.blurhash,
        color: record.color,
        created_by: record.created_by,
        created_at,
        updated_at,
    };
    Ok(Item::Media {
        id: record.id,
        values: Box::new(values),
        data,
    })
}

fn author_item(record: AuthorRecord) -> Result<Item, String> {
    check_id("id", record.id)?;
    check_slug(&record.slug)?;
    check_length("name", &record.name, 120)?;
    if let Some(media) = record.avatar_media_id {
        check_id("avatar_media_id", media)?;
    }
    if record.social.len() > MAX_SOCIAL {
        return Err(format!("social may have at most {MAX_SOCIAL} networks"));
    }
    for (network, handle) in &record.social {
        let valid_name = (1..=32).contains(&network.len())
            && network
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !valid_name {
            return Err(format!(
                "social: network name '{network}' does not match ^[a-z0-9_]{{1,32}}$"
            ));
        }
        if !handle.is_string() {
            return Err(format!("social.{network} must be a string"));
        }
    }
    let created_at = timestamp("created_at", &record.created_at)?;
    let updated_at = timestamp("updated_at", &record.updated_at)?;
    let social = serde_json::to_string(&record.social).map_err(|e| e.to_string())?;
    Ok(Item::Author {
        id: record.id,
        values: AuthorValues {
            name_key: name_key(&record.name),
            slug: record.slug,
            name: record.name,
            bio: record.bio,
            avatar_url: record.avatar_url,
            website: record.website,
            email: record.email,
            social,
            updated_at,
            avatar_media_id: record.avatar_media_id,
        },
        created_at,
    })
}

fn tag_item(record: TagRecord) -> Result<Item, String> {
    check_id("id", record.id)?;
    check_slug(&record.slug)?;
    check_length("name", &record.name, 100)?;
    let created_at = timestamp("created_at", &record.created_at)?;
    let updated_at = timestamp("updated_at", &record.updated_at)?;
    Ok(Item::Tag {
        id: record.id,
        values: TagValues {
            name_key: name_key(&record.name),
            slug: record.slug,
            name: record.name,
            description: record.description,
            updated_at,
            section_position: record.section_position,
        },
        created_at,
    })
}

fn article_item(record: ArticleRecord) -> Result<Item, String> {
    check_id("id", record.id)?;
    check_slug(&record.slug)?;
    check_length("title", &record.title, 300)?;
    let status = Status::parse(&record.status).ok_or_else(|| {
        format!(
            "status '{}' is not one of {}",
            record.status,
            Status::ALL.join(", ")
        )
    })?;
    let published_at = record
        .published_at
        .as_deref()
        .map(|t| timestamp("published_at", t))
        .transpose()?;
    if status != Status::Draft && published_at.is_none() {
        return Err(format!("a {} article needs published_at", status.as_str()));
    }
    let created_at = timestamp("created_at", &record.created_at)?;
    let updated_at = timestamp("updated_at", &record.updated_at)?;
    check_unique("author_ids", &record.author_ids)?;
    check_unique("tag_ids", &record.tag_ids)?;
    let (image_url, image_alt, image_caption, image_credit, feature_media_id) =
        match record.feature_image {
            Some(image) => (
                Some(image.url),
                image.alt,
                image.caption,
                image.credit,
                image.media,
            ),
            None => (None, None, None, None, None),
        };
    if let Some(media) = feature_media_id {
        check_id("feature_image.media", media)?;
    }
    // The same derivations as an editor's save.
    let derived = Derived::of(&record.body, record.custom_excerpt.as_deref());
    let values = ArticleValues {
        slug: record.slug,
        title: record.title,
        subtitle: record.subtitle,
        body_html: derived.body_html,
        excerpt: derived.excerpt,
        reading_time_minutes: derived.reading_time_minutes,
        body: record.body,
        custom_excerpt: record.custom_excerpt,
        feature_image_url: image_url,
        feature_image_alt: image_alt,
        feature_image_caption: image_caption,
        feature_image_credit: image_credit,
        feature_media_id,
        status: status.as_str().to_owned(),
        published_at,
        updated_at,
        meta_title: record.meta_title,
        meta_description: record.meta_description,
        og_title: record.og_title,
        og_description: record.og_description,
        og_image: record.og_image,
        canonical_url: record.canonical_url,
    };
    Ok(Item::Article {
        id: record.id,
        values: Box::new(values),
        created_at,
        author_ids: record.author_ids,
        tag_ids: record.tag_ids,
    })
}

fn link_item(record: LinkRecord) -> Result<Item, String> {
    check_id("article_id", record.article_id)?;
    check_id("target_id", record.target_id)?;
    if record.article_id == record.target_id {
        return Err("an article cannot link to itself".into());
    }
    let kind = LinkKind::parse(&record.kind).ok_or_else(|| {
        format!(
            "kind '{}' is not one of {}",
            record.kind,
            LinkKind::ALL.join(", ")
        )
    })?;
    check_length("label", &record.label, 120)?;
    if record.position < 1 {
        return Err("position must be 1 or more".into());
    }
    Ok(Item::Link(LinkRow {
        article_id: record.article_id,
        target_id: record.target_id,
        kind: kind.as_str().to_owned(),
        label: record.label,
        position: record.position,
    }))
}

/// A line that clashes with the database, or a constraint the database
/// enforces that the line broke.
enum Refused {
    Line(String),
    Database(DatabaseError),
    /// An original could not be kept: neither the line's fault nor the
    /// database's.
    Original(String),
}

impl From<DatabaseError> for Refused {
    fn from(e: DatabaseError) -> Self {
        Refused::Database(e)
    }
}

fn refuse<T>(message: String) -> Result<T, Refused> {
    Err(Refused::Line(message))
}

const NOT_FOUND: &str = "neither earlier in the file nor in the database";

/// Keeps an item's original where the configured originals are kept; its
/// row is the caller's to insert.
fn keep_original(
    conn: &mut Conn,
    originals: &Originals,
    id: i64,
    values: &NewMedia,
    data: &[u8],
) -> Result<(), String> {
    originals
        .store(conn, &values.hash, data)
        .map_err(|e| format!("media {id}: {e}"))
}

/// Stores one checked line, refusing to overwrite anything.
fn store(conn: &mut Conn, originals: &Originals, item: &Item) -> Result<Counts, Refused> {
    let mut counts = Counts::default();
    match item {
        Item::Media { id, values, data } => {
            if dump::media_exists(conn, *id)? {
                return refuse(format!("media {id} already exists"));
            }
            keep_original(conn, originals, *id, values, data).map_err(Refused::Original)?;
            media_db::insert_exported(conn, *id, values)?;
            counts.media = 1;
        }
        Item::Author {
            id,
            values,
            created_at,
        } => {
            if dump::author_exists(conn, *id)? {
                return refuse(format!("author {id} already exists"));
            }
            if author_db::slug_taken(conn, &values.slug, None)? {
                return refuse(format!(
                    "the author slug '{}' is already taken",
                    values.slug
                ));
            }
            if let Some(media) = values.avatar_media_id
                && !dump::media_exists(conn, media)?
            {
                return refuse(format!("avatar: media {media} is {NOT_FOUND}"));
            }
            bulk::insert_authors(conn, &[(*id, values, *created_at)])?;
            counts.authors = 1;
        }
        Item::Tag {
            id,
            values,
            created_at,
        } => {
            if dump::tag_exists(conn, *id)? {
                return refuse(format!("tag {id} already exists"));
            }
            if tag_db::slug_taken(conn, &values.slug, None)? {
                return refuse(format!("the tag slug '{}' is already taken", values.slug));
            }
            if tag_db::name_taken(conn, &values.name, None)? {
                return refuse(format!(
                    "a tag named '{}' (ignoring case) already exists",
                    values.name
                ));
            }
            bulk::insert_tags(conn, &[(*id, values, *created_at)])?;
            counts.tags = 1;
        }
        Item::Article {
            id,
            values,
            created_at,
            author_ids,
            tag_ids,
        } => {
            if dump::article_exists(conn, *id)? {
                return refuse(format!("article {id} already exists"));
            }
            if article_db::slug_taken(conn, &values.slug, None)? {
                return refuse(format!(
                    "the article slug '{}' is already taken",
                    values.slug
                ));
            }
            if let Some(media) = values.feature_media_id
                && !dump::media_exists(conn, media)?
            {
                return refuse(format!("feature_image: media {media} is {NOT_FOUND}"));
            }
            for &author in author_ids {
                if !dump::author_exists(conn, author)? {
                    return refuse(format!("author {author} is {NOT_FOUND}"));
                }
            }
            for &tag in tag_ids {
                if !dump::tag_exists(conn, tag)? {
                    return refuse(format!("tag {tag} is {NOT_FOUND}"));
                }
            }
            let rows = bulk::ArticleRecordRows {
                id: *id,
                values,
                created_at: *created_at,
                author_ids,
                tag_ids,
            };
            bulk::insert_articles(conn, &[rows])?;
            counts.articles = 1;
        }
        Item::Link(link) => {
            for id in [link.article_id, link.target_id] {
                if !dump::article_exists(conn, id)? {
                    return refuse(format!("article {id} is {NOT_FOUND}"));
                }
            }
            if dump::link_exists(conn, link.article_id, link.target_id)? {
                return refuse(format!(
                    "article {} already links to article {}",
                    link.article_id, link.target_id
                ));
            }
            if dump::link_position_taken(conn, link.article_id, link.position)? {
                return refuse(format!(
                    "article {} already has a link at position {}",
                    link.article_id, link.position
                ));
            }
            bulk::insert_links(conn, &[link])?;
            counts.links = 1;
        }
    }
    Ok(counts)
}

/// Stores a whole batch in a few multi-row statements, one run of records of
/// the same type at a time, in file order, so that a link still needs its
/// articles earlier in the file.
fn store_runs(
    conn: &mut Conn,
    originals: &Originals,
    batch: &[(u64, Item)],
) -> Result<Counts, Attempt> {
    let mut counts = Counts::default();
    for run in
        batch.chunk_by(|(_, a), (_, b)| std::mem::discriminant(a) == std::mem::discriminant(b))
    {
        match &run[0].1 {
            // One at a time: each writes an original of its own, and a
            // library is small next to its articles.
            Item::Media { .. } => {
                for (_, item) in run {
                    if let Item::Media { id, values, data } = item {
                        keep_original(conn, originals, *id, values, data)
                            .map_err(Attempt::Original)?;
                        media_db::insert_exported(conn, *id, values)?;
                        counts.media += 1;
                    }
                }
            }
            Item::Author { .. } => {
                let rows = rows_of(run, |item| match item {
                    Item::Author {
                        id,
                        values,
                        created_at,
                    } => Some((*id, values, *created_at)),
                    _ => None,
                });
                counts.authors += bulk::insert_authors(conn, &rows)? as u64;
            }
            Item::Tag { .. } => {
                let rows = rows_of(run, |item| match item {
                    Item::Tag {
                        id,
                        values,
                        created_at,
                    } => Some((*id, values, *created_at)),
                    _ => None,
                });
                counts.tags += bulk::insert_tags(conn, &rows)? as u64;
            }
            Item::Article { .. } => {
                let rows = rows_of(run, |item| match item {
                    Item::Article {
                        id,
                        values,
                        created_at,
                        author_ids,
                        tag_ids,
                    } => Some(bulk::ArticleRecordRows {
                        id: *id,
                        values,
                        created_at: *created_at,
                        author_ids,
                        tag_ids,
                    }),
                    _ => None,
                });
                counts.articles += bulk::insert_articles(conn, &rows)? as u64;
            }
            Item::Link(_) => {
                let rows = rows_of(run, |item| match item {
                    Item::Link(link) => Some(link),
                    _ => None,
                });
                counts.links += bulk::insert_links(conn, &rows)? as u64;
            }
        }
    }
    Ok(counts)
}

/// The rows of a run of one record type (`pick` answers `None` for no other).
fn rows_of<'a, T>(run: &'a [(u64, Item)], pick: impl Fn(&'a Item) -> Option<T>) -> Vec<T> {
    run.iter().filter_map(|(_, item)| pick(item)).collect()
}

/// Why the multi-row attempt at a batch did not commit.
enum Attempt {
    /// The batch is clean and was only being checked.
    CheckedClean,
    Database(DatabaseError),
    Original(String),
}

impl From<DatabaseError> for Attempt {
    fn from(e: DatabaseError) -> Self {
        Attempt::Database(e)
    }
}

/// Stores a batch in one transaction: committed when `commit`, else rolled
/// back after checking it (to find a bad line before a parse error).
///
/// Every check `store` makes is also a key, a foreign key or a CHECK of the
/// schema, so the batch is first written with multi-row statements: a clean
/// batch (nearly every batch) passes, a bad one fails as a whole. Only then
/// is it written again record by record, whose checks name the first bad
/// line and why.
fn write_batch(
    conn: &mut Conn,
    originals: &Originals,
    batch: &[(u64, Item)],
    commit: bool,
) -> Result<Counts, TransferError> {
    if batch.is_empty() {
        return Ok(Counts::default());
    }
    let article_ids: Vec<i64> = batch
        .iter()
        .filter_map(|(_, item)| match item {
            Item::Article { id, .. } => Some(*id),
            _ => None,
        })
        .collect();
    let attempt = db::write_transaction(conn, |conn| {
        // A batch of other records fires no article trigger: its schema
        // stays untouched, so other connections need not read it again.
        let deferred = match article_ids.is_empty() {
            true => None,
            false => bulk::defer_article_triggers(conn)?,
        };
        let counts = store_runs(conn, originals, batch)?;
        bulk::restore_article_triggers(conn, deferred, &article_ids)?;
        db::dialect::advance_ids(conn)?;
        match commit {
            true => Ok(counts),
            false => Err(Attempt::CheckedClean),
        }
    });
    match attempt {
        Ok(counts) => return Ok(counts),
        Err(Attempt::CheckedClean) => return Ok(Counts::default()),
        Err(Attempt::Database(DatabaseError::DatabaseError(..))) => {}
        Err(Attempt::Database(e)) => return Err(TransferError::Database(e)),
        Err(Attempt::Original(message)) => return Err(TransferError::Original(message)),
    }
    write_batch_by_record(conn, originals, batch, commit)
}

/// `write_batch` one record at a time, each checked before it is written.
fn write_batch_by_record(
    conn: &mut Conn,
    originals: &Originals,
    batch: &[(u64, Item)],
    commit: bool,
) -> Result<Counts, TransferError> {
    let outcome = db::write_transaction(conn, |conn| {
        let mut counts = Counts::default();
        for (line, item) in batch {
            match store(conn, originals, item) {
                Ok(stored) => counts.add(stored),
                Err(Refused::Line(message)) => {
                    return Err(TransferError::Line {
                        line: *line,
                        message,
                        committed: 0,
                    });
                }
                // A constraint the checks above did not foresee still names
                // its line; anything else is the database's own failure.
                Err(Refused::Database(DatabaseError::DatabaseError(_, info))) => {
                    return Err(TransferError::Line {
                        line: *line,
                        message: format!("the database refused it: {}", info.message()),
                        committed: 0,
                    });
                }
                Err(Refused::Database(e)) => return Err(TransferError::Database(e)),
                Err(Refused::Original(message)) => return Err(TransferError::Original(message)),
            }
        }
        db::dialect::advance_ids(conn)?;
        // Line 0 never names a real line: it only carries the rollback out.
        match commit {
            true => Ok(counts),
            false => Err(TransferError::Line {
                line: 0,
                message: String::new(),
                committed: 0,
            }),
        }
    });
    match outcome {
        Err(TransferError::Line { line: 0, .. }) if !commit => Ok(Counts::default()),
        other => other,
    }
}

/// Lines the parsing thread hands over at a time.
const PARSED_CHUNK: usize = 256;

/// Bytes of input after which the parsing thread hands over a chunk, and a
/// batch is written, however few lines they hold: a media line carries a
/// whole original, and a few hundred of them would not fit in memory.
const PARSED_BYTES: u64 = 8 << 20;
const BATCH_BYTES: u64 = 64 << 20;

/// A line as the parsing thread hands it over: where it ends and what it holds.
struct Parsed {
    at: Progress,
    item: Result<Option<Item>, String>,
}

/// Reads and checks lines on a thread of its own (JSON, Markdown rendering and
/// sanitizing are most of an import's work) while the caller's thread writes,
/// so both cores are busy. It stops after the first bad line or read error.
fn parse_lines(
    mut reader: impl BufRead,
    out: std::sync::mpsc::SyncSender<Result<Vec<Parsed>, io::Error>>,
) {
    let mut at = Progress { lines: 0, bytes: 0 };
    let mut buffer = Vec::new();
    let mut chunk = Vec::with_capacity(PARSED_CHUNK);
    let mut chunk_starts = 0;
    loop {
        buffer.clear();
        let read = match reader.read_until(b'\n', &mut buffer) {
            Ok(read) => read,
            Err(e) => {
                let _ = out.send(Ok(chunk));
                let _ = out.send(Err(e));
                return;
            }
        };
        if read == 0 {
            break;
        }
        at.lines += 1;
        at.bytes += read as u64;
        let item = std::str::from_utf8(&buffer)
            .map_err(|_| "is not UTF-8 text".to_owned())
            .and_then(parse_line);
        let bad = item.is_err();
        chunk.push(Parsed { at, item });
        if bad || chunk.len() == PARSED_CHUNK || at.bytes - chunk_starts >= PARSED_BYTES {
            chunk_starts = at.bytes;
            let full = std::mem::replace(&mut chunk, Vec::with_capacity(PARSED_CHUNK));
            // The writer hung up: it stopped at an error of its own.
            if out.send(Ok(full)).is_err() || bad {
                return;
            }
        }
    }
    let _ = out.send(Ok(chunk));
}

/// Reads NDJSON from `reader` into the database, `batch_size` records per
/// transaction (fewer when their lines are long), keeping originals in
/// `originals`, calling `progress` after every line. Stops at the first bad
/// line with [`TransferError::Line`]; the batches before it stay committed.
pub fn import(
    conn: &mut Conn,
    originals: &Originals,
    reader: impl BufRead + Send,
    batch_size: usize,
    mut progress: impl FnMut(Progress),
) -> Result<Counts, TransferError> {
    let batch_size = batch_size.max(1);
    let mut imported = Counts::default();
    let mut committed = 0;
    let mut batch_starts = 0;
    let mut batch: Vec<(u64, Item)> = Vec::with_capacity(batch_size.min(DEFAULT_BATCH_SIZE));
    let stopped = |e: TransferError, committed: u64| match e {
        TransferError::Line { line, message, .. } => TransferError::Line {
            line,
            message,
            committed,
        },
        other => other,
    };
    let deferred = bulk::defer_secondary_indexes(conn)?;
    // A few chunks in flight keep the parser ahead without holding the file.
    let (sender, parsed) = std::sync::mpsc::sync_channel(4);
    let outcome = std::thread::scope(|scope| {
        scope.spawn(move || parse_lines(reader, sender));
        for chunk in parsed {
            for Parsed { at, item } in chunk.map_err(TransferError::Read)? {
                match item {
                    Ok(None) => {}
                    Ok(Some(item)) => batch.push((at.lines, item)),
                    Err(message) => {
                        // An earlier line of this batch may be the first bad one.
                        write_batch(conn, originals, &batch, false)
                            .map_err(|e| stopped(e, committed))?;
                        return Err(TransferError::Line {
                            line: at.lines,
                            message,
                            committed,
                        });
                    }
                }
                if batch.len() >= batch_size || at.bytes - batch_starts >= BATCH_BYTES {
                    imported.add(
                        write_batch(conn, originals, &batch, true)
                            .map_err(|e| stopped(e, committed))?,
                    );
                    committed = at.lines;
                    batch_starts = at.bytes;
                    batch.clear();
                }
                progress(at);
            }
        }
        imported
            .add(write_batch(conn, originals, &batch, true).map_err(|e| stopped(e, committed))?);
        Ok(imported)
    });
    // A stopped import builds them too: the batches it committed are served.
    // Should building fail, the next start of any command builds them.
    let built = match deferred {
        true => bulk::build_deferred_indexes(conn).map(|_| ()),
        false => Ok(()),
    };
    match built {
        Ok(()) => outcome,
        Err(e) => outcome.and(Err(TransferError::Database(e))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transfer::Record;
    use serde_json::Map;

    const AUTHOR: &str = r#"{"type":"author","id":1,"slug":"ada-okafor","name":"Ada Okafor","bio":null,"avatar_url":null,"website":null,"email":"ada@example.com","social":{"mastodon":"@ada@example.social"},"created_at":"2026-01-05T09:00:00Z","updated_at":"2026-01-05T09:00:00Z"}"#;
    const ARTICLE: &str = r#"{"type":"article","id":3,"slug":"rivers-rising","title":"Rivers rising","subtitle":null,"body":"The water came *at night*.","custom_excerpt":null,"feature_image":{"url":"https://cdn.example.com/r.jpg","alt":"A river","caption":null,"credit":null},"status":"published","published_at":"2026-01-06T10:00:00Z","created_at":"2026-01-05T09:00:00Z","updated_at":"2026-01-06T10:00:00Z","author_ids":[1],"tag_ids":[2,1]}"#;
    const LINK: &str = r#"{"type":"link","article_id":3,"target_id":4,"kind":"read_next","label":"Read next","position":1}"#;
    /// `data` is "masthead" in base64, `hash` its SHA-256.
    const MEDIA: &str = r##"{"type":"media","id":5,"hash":"5012b3daf5375d413f61cfdfd782238bf7d6497c3a8428ca8c15a963ca3dab23","mime":"image/png","width":1,"height":1,"alt":"A Dot","caption":null,"credit":"Wire","focal":{"x":0.25,"y":1.0},"blurhash":"00Pj0^","color":"#000000","created_by":"editor","created_at":"2026-01-05T09:00:00Z","updated_at":"2026-01-05T09:00:00Z","data":"bWFzdGhlYWQ="}"##;

    fn error_of(line: &str) -> String {
        match parse_line(line) {
            Err(message) => message,
            Ok(item) => panic!("{line} was accepted: {item:?}"),
        }
    }

    fn with(line: &str, field: &str, value: Value) -> String {
        let mut object: Map<String, Value> = serde_json::from_str(line).unwrap();
        object.insert(field.to_owned(), value);
        serde_json::to_string(&object).unwrap()
    }

    fn without(line: &str, field: &str) -> String {
        let mut object: Map<String, Value> = serde_json::from_str(line).unwrap();
        object.remove(field);
        serde_json::to_string(&object).unwrap()
    }

    #[test]
    fn a_valid_author_line_computes_its_name_key() {
        let Some(Item::Author { id, values, .. }) = parse_line(AUTHOR).unwrap() else {
            panic!("not an author");
        };
        assert_eq!(id, 1);
        assert_eq!(values.name_key, "ada okafor");
        assert_eq!(values.social, r#"{"mastodon":"@ada@example.social"}"#);
    }

    #[test]
    fn a_valid_article_line_derives_html_excerpt_and_reading_time() {
        let Some(Item::Article {
            values,
            author_ids,
            tag_ids,
            ..
        }) = parse_line(ARTICLE).unwrap()
        else {
            panic!("not an article");
        };
        assert_eq!(
            values.body_html,
            "<p>The water came <em>at night</em>.</p>\n"
        );
        assert_eq!(values.excerpt, "The water came at night.");
        assert_eq!(values.reading_time_minutes, 1);
        assert_eq!(values.feature_image_alt.as_deref(), Some("A river"));
        assert_eq!((author_ids, tag_ids), (vec![1], vec![2, 1]));
    }

    #[test]
    fn a_custom_excerpt_is_kept_as_written() {
        let line = with(ARTICLE, "custom_excerpt", "Given.".into());
        let Some(Item::Article { values, .. }) = parse_line(&line).unwrap() else {
            panic!("not an article");
        };
        assert_eq!(values.excerpt, "Given.");
        assert_eq!(values.custom_excerpt.as_deref(), Some("Given."));
    }

    #[test]
    fn a_valid_media_line_decodes_its_original_and_derives_the_rest() {
        let Some(Item::Media { id, values, data }) = parse_line(MEDIA).unwrap() else {
            panic!("not a media item");
        };
        assert_eq!((id, data.as_slice()), (5, b"masthead".as_slice()));
        assert_eq!(values.bytes, 8);
        assert_eq!(values.search_key, "a dot\nwire");
        assert_eq!((values.focal_x, values.focal_y), (0.25, 1.0));
    }

    #[test]
    fn media_lines_are_refused_with_a_reason() {
        let line = MEDIA;
        let focal = |x: f64| serde_json::json!({"x": x, "y": 0.5});
        let cases: Vec<(String, &str)> = vec![
            (
                with(line, "hash", content_hash(b"other").into()),
                "is not the SHA-256 of data",
            ),
            (
                with(line, "data", "bWFzdGhlYWQ".into()),
                "data is not standard base64",
            ),
            (
                with(line, "data", "bWFz_GhlYWQ=".into()),
                "data is not standard base64",
            ),
            (with(line, "data", "".into()), "data is empty"),
            (
                with(line, "mime", "image/svg+xml".into()),
                "mime 'image/svg+xml' is not one of",
            ),
            (with(line, "width", 0.into()), "width and height"),
            (with(line, "focal", focal(1.5)), "focal.x must be between"),
            (with(line, "focal", focal(-0.1)), "focal.x must be between"),
            (
                with(line, "focal", serde_json::json!({"x": 0.5})),
                "media: focal: missing field `y`",
            ),
            (with(line, "bytes", 8.into()), "unknown field `bytes`"),
            (
                with(line, "updated_at", "2026-01-05".into()),
                "updated_at must be an RFC 3339",
            ),
            (with(line, "id", 0.into()), "id must be a positive integer"),
            (
                with(AUTHOR, "avatar_media_id", 0.into()),
                "avatar_media_id must be a positive",
            ),
            (
                with(
                    ARTICLE,
                    "feature_image",
                    serde_json::json!({"url": "u", "alt": null, "caption": null,
                                       "credit": null, "media": -1}),
                ),
                "feature_image.media must be a positive",
            ),
        ];
        for (line, expected) in cases {
            let message = error_of(&line);
            assert!(
                message.contains(expected),
                "{line}: expected '{expected}' in '{message}'"
            );
        }
    }

    #[test]
    fn blank_lines_are_skipped() {
        assert!(parse_line("  \r\n").unwrap().is_none());
    }

    #[test]
    fn invalid_lines_are_refused_with_a_reason() {
        let cases: Vec<(String, &str)> = vec![
            ("{\"type\":".into(), "not valid JSON"),
            ("[1,2]".into(), "not a JSON object"),
            (without(AUTHOR, "type"), "no \"type\""),
            (
                with(AUTHOR, "type", "editor".into()),
                "unknown type 'editor'",
            ),
            (with(AUTHOR, "type", 3.into()), "\"type\" must be a string"),
            (without(AUTHOR, "slug"), "missing field `slug`"),
            (
                with(AUTHOR, "nickname", "x".into()),
                "unknown field `nickname`",
            ),
            (with(AUTHOR, "id", "1".into()), "id"),
            (
                with(AUTHOR, "id", 0.into()),
                "id must be a positive integer",
            ),
            (with(AUTHOR, "slug", "Ada Okafor".into()), "slug must be"),
            (with(AUTHOR, "name", "".into()), "name must be 1 to 120"),
            (
                with(AUTHOR, "created_at", "2026-01-05".into()),
                "created_at must be an RFC 3339",
            ),
            (
                with(AUTHOR, "social", serde_json::json!({"mastodon": 3})),
                "social.mastodon must be a string",
            ),
            (
                with(AUTHOR, "social", serde_json::json!({"Mastodon": "x"})),
                "network name 'Mastodon'",
            ),
            (
                with(ARTICLE, "status", "live".into()),
                "status 'live' is not one of",
            ),
            (
                with(ARTICLE, "published_at", Value::Null),
                "a published article needs published_at",
            ),
            (
                with(ARTICLE, "updated_at", "yesterday".into()),
                "updated_at must be",
            ),
            (
                with(ARTICLE, "author_ids", serde_json::json!([1, 1])),
                "author_ids lists 1 twice",
            ),
            (
                with(ARTICLE, "tag_ids", serde_json::json!([-2])),
                "tag_ids must be a positive",
            ),
            (
                with(ARTICLE, "feature_image", serde_json::json!({"alt": "x"})),
                "feature_image: missing field `url`",
            ),
            (
                with(LINK, "kind", "suggested".into()),
                "kind 'suggested' is not one of",
            ),
            (with(LINK, "target_id", 3.into()), "cannot link to itself"),
            (
                with(LINK, "position", 0.into()),
                "position must be 1 or more",
            ),
            (with(LINK, "label", "".into()), "label must be 1 to 120"),
        ];
        for (line, expected) in cases {
            let message = error_of(&line);
            assert!(
                message.contains(expected),
                "{line}: expected '{expected}' in '{message}'"
            );
        }
    }

    #[test]
    fn records_serialize_with_their_type_first() {
        let record = Record::Link(LinkRecord {
            article_id: 3,
            target_id: 4,
            kind: "read_next".into(),
            label: "Read next".into(),
            position: 1,
        });
        assert_eq!(serde_json::to_string(&record).unwrap(), LINK);
    }
}
