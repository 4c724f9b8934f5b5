//! Media items (uploaded images) and the originals' bytes when the database
//! keeps them (the default; with `MEDIA_DIR` they live in files instead).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Binary, Text};

use super::schema::{articles, authors, media, media_originals};
use super::{Conn, LIKE_ESCAPE, Slice, Window, contains_pattern};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = media)]
pub struct MediaRow {
    pub id: i64,
    pub hash: String,
    pub mime: String,
    pub width: i32,
    pub height: i32,
    pub bytes: i64,
    pub alt: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub search_key: String,
    pub focal_x: f64,
    pub focal_y: f64,
    pub blurhash: String,
    pub color: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A new item: what the upload found in the bytes and what its sender wrote.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = media)]
pub struct NewMedia {
    pub hash: String,
    pub mime: String,
    pub width: i32,
    pub height: i32,
    pub bytes: i64,
    pub alt: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub search_key: String,
    pub focal_x: f64,
    pub focal_y: f64,
    pub blurhash: String,
    pub color: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// What an edit may change: the words around the picture and its focal point.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = media, treat_none_as_null = true)]
pub struct MediaChange {
    pub alt: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub search_key: String,
    pub focal_x: f64,
    pub focal_y: f64,
    pub updated_at: NaiveDateTime,
}

/// The folded text `q` is matched against.
pub fn search_key(alt: Option<&str>, caption: Option<&str>, credit: Option<&str>) -> String {
    [alt, caption, credit]
        .into_iter()
        .flatten()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn find(conn: &mut Conn, id: i64) -> QueryResult<Option<MediaRow>> {
    media::table
        .find(id)
        .select(MediaRow::as_select())
        .first(conn)
        .optional()
}

/// The given items, in no particular order: what article and author reads
/// embed, in one statement.
pub fn by_ids(conn: &mut Conn, ids: &[i64]) -> QueryResult<Vec<MediaRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    media::table
        .filter(media::id.eq_any(ids))
        .select(MediaRow::as_select())
        .load(conn)
}

#[derive(Debug, Clone, Default)]
pub struct MediaFilter {
    /// Contained in the alt text, caption or credit, ignoring case.
    pub q: Option<String>,
    pub mime: Option<String>,
}

/// A slice of the library, newest first; the total when paging by page number.
pub fn page(
    conn: &mut Conn,
    filter: &MediaFilter,
    window: &Window<i64>,
) -> QueryResult<Slice<MediaRow>> {
    let filtered = || {
        let mut query = media::table.into_boxed();
        if let Some(q) = &filter.q {
            query = query.filter(
                media::search_key
                    .like(contains_pattern(&q.to_lowercase()))
                    .escape(LIKE_ESCAPE),
            );
        }
        if let Some(mime) = &filter.mime {
            query = query.filter(media::mime.eq(mime.clone()));
        }
        query
    };
    let total = match window.counts_total() {
        true => Some(filtered().count().get_result(conn)?),
        false => None,
    };
    let mut query = filtered();
    if let Window::After {
        after: Some(id), ..
    } = window
    {
        query = query.filter(media::id.lt(*id));
    }
    let rows = query
        .select(MediaRow::as_select())
        .order(media::id.desc())
        .limit(window.limit())
        .offset(window.offset())
        .load(conn)?;
    Ok(Slice { rows, total })
}

pub fn insert(conn: &mut Conn, values: &NewMedia) -> QueryResult<MediaRow> {
    diesel::insert_into(media::table)
        .values(values)
        .returning(media::all_columns)
        .get_result(conn)
}

pub fn update(conn: &mut Conn, id: i64, change: &MediaChange) -> QueryResult<MediaRow> {
    diesel::update(media::table.find(id))
        .set(change)
        .returning(media::all_columns)
        .get_result(conn)
}

pub fn delete(conn: &mut Conn, id: i64) -> QueryResult<usize> {
    diesel::delete(media::table.find(id)).execute(conn)
}

/// An article's or author's id and slug.
pub type UserRef = (i64, String);

/// The articles and authors that show an item (up to 20 of each): what
/// keeps it from being deleted.
pub fn users(conn: &mut Conn, id: i64) -> QueryResult<(Vec<UserRef>, Vec<UserRef>)> {
    let in_articles = articles::table
        .filter(articles::feature_media_id.eq(id))
        .select((articles::id, articles::slug))
        .order(articles::id.asc())
        .limit(20)
        .load(conn)?;
    let in_authors = authors::table
        .filter(authors::avatar_media_id.eq(id))
        .select((authors::id, authors::slug))
        .order(authors::id.asc())
        .limit(20)
        .load(conn)?;
    Ok((in_articles, in_authors))
}

/// Whether any item still names these bytes.
pub fn hash_in_use(conn: &mut Conn, hash: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        media::table.filter(media::hash.eq(hash)),
    ))
    .get_result(conn)
}

/// Keeps an original's bytes, once however often they are uploaded. Two
/// replicas storing the same bytes at once both succeed.
pub fn store_original(conn: &mut Conn, hash: &str, bytes: &[u8]) -> QueryResult<()> {
    let statement = match conn {
        Conn::Sqlite(_) => {
            "INSERT INTO media_originals (hash, bytes) VALUES (?, ?) ON CONFLICT (hash) DO NOTHING"
        }
        Conn::Postgres(_) => {
            "INSERT INTO media_originals (hash, bytes) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING"
        }
    };
    let query = diesel::sql_query(statement)
        .bind::<Text, _>(hash)
        .bind::<Binary, _>(bytes);
    match conn {
        Conn::Sqlite(c) => query.execute(c),
        Conn::Postgres(c) => query.execute(c),
    }
    .map(drop)
}

pub fn load_original(conn: &mut Conn, hash: &str) -> QueryResult<Option<Vec<u8>>> {
    media_originals::table
        .find(hash)
        .select(media_originals::bytes)
        .first(conn)
        .optional()
}

pub fn delete_original(conn: &mut Conn, hash: &str) -> QueryResult<usize> {
    diesel::delete(media_originals::table.find(hash)).execute(conn)
}

/// The library in id order after `after`, for export.
pub fn dump_after(conn: &mut Conn, after: i64, limit: i64) -> QueryResult<Vec<MediaRow>> {
    media::table
        .filter(media::id.gt(after))
        .select(MediaRow::as_select())
        .order(media::id.asc())
        .limit(limit)
        .load(conn)
}

/// Inserts an exported item with its id, for import.
pub fn insert_exported(conn: &mut Conn, id: i64, values: &NewMedia) -> QueryResult<()> {
    diesel::insert_into(media::table)
        .values((media::id.eq(id), values))
        .execute(conn)
        .map(drop)
}
