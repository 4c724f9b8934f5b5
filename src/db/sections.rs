//! A homepage's sections: the tags that are some public article's primary
//! tag, in the order editors give them, and the newest public articles of
//! each, in one statement whatever their number.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamp};

use super::Conn;
use super::articles::PRIMARY;
use super::schema::{article_tags, tags};
use super::tags::TagRow;
use super::visibility::with_visible;

/// The first `limit` sections the public sees: ordered ones by
/// `section_position`, the others after them by name.
pub fn sections(conn: &mut Conn, now: NaiveDateTime, limit: i64) -> QueryResult<Vec<TagRow>> {
    with_visible!(Visibility::Public { now }, |visible| tags::table
        .filter(
            tags::id.eq_any(
                article_tags::table
                    .filter(article_tags::position.eq(PRIMARY))
                    .filter(
                        article_tags::article_id
                            .eq_any(articles::table.filter(visible).select(articles::id))
                    )
                    .select(article_tags::tag_id)
            )
        )
        .order((
            tags::section_position.is_null(),
            tags::section_position,
            tags::name_key,
            tags::id,
        ))
        .limit(limit)
        .select(TagRow::as_select())
        .load(conn))
}

#[derive(QueryableByName)]
struct Ranked {
    #[diesel(sql_type = BigInt)]
    tag_id: i64,
    #[diesel(sql_type = BigInt)]
    article_id: i64,
}

/// `(tag id, article id)`: the newest `per_section` public articles whose
/// primary tag is each of `tag_ids`, newest first within a tag, leaving
/// out `exclude`. One statement: a window function ranks each section's
/// articles, which Diesel's query builder cannot say. The ids are written
/// into the text as numbers; the moment is bound.
pub fn newest_per_section(
    conn: &mut Conn,
    tag_ids: &[i64],
    per_section: i64,
    exclude: &[i64],
    now: NaiveDateTime,
) -> QueryResult<Vec<(i64, i64)>> {
    if tag_ids.is_empty() || per_section < 1 {
        return Ok(Vec::new());
    }
    let list = |ids: &[i64]| {
        ids.iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let excluded = match exclude.is_empty() {
        true => String::new(),
        false => format!("AND a.id NOT IN ({})", list(exclude)),
    };
    let sql = |now_placeholder: &str| {
        format!(
            "SELECT tag_id, article_id FROM (
               SELECT t.tag_id AS tag_id, a.id AS article_id,
                      ROW_NUMBER() OVER (PARTITION BY t.tag_id
                                         ORDER BY a.published_at DESC, a.id DESC) AS n
               FROM article_tags t JOIN articles a ON a.id = t.article_id
               WHERE t.position = {PRIMARY} AND t.tag_id IN ({tags})
                 AND (a.status = 'published'
                      OR (a.status = 'scheduled' AND a.published_at <= {now_placeholder}))
                 {excluded}
             ) ranked
             WHERE n <= {per_section}
             ORDER BY tag_id, n",
            tags = list(tag_ids),
        )
    };
    let rows: Vec<Ranked> = match conn {
        Conn::Sqlite(c) => diesel::sql_query(sql("?"))
            .bind::<Timestamp, _>(now)
            .load(c)?,
        Conn::Postgres(c) => diesel::sql_query(sql("$1"))
            .bind::<Timestamp, _>(now)
            .load(c)?,
    };
    Ok(rows.into_iter().map(|r| (r.tag_id, r.article_id)).collect())
}
