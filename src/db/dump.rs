//! What `masthead export` reads and what `masthead import` checks before it
//! stores a record on its own: whole tables in keyset order, a chunk at a
//! time, and whether an id, a link or a link's place is already taken.
//! Multi-row inserts are in `bulk`.

use diesel::dsl::exists;
use diesel::prelude::*;

use super::Conn;
use super::articles::ArticleRow;
use super::authors::AuthorRow;
use super::links::LinkRow;
use super::schema::{article_authors, article_links, article_tags, articles, authors, media, tags};
use super::tags::TagRow;

/// Up to `limit` authors after the id `after`, by id.
pub fn authors_after(
    conn: &mut Conn,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<AuthorRow>> {
    authors::table
        .filter(authors::id.gt(after.unwrap_or(i64::MIN)))
        .order(authors::id)
        .limit(limit)
        .select(AuthorRow::as_select())
        .load(conn)
}

/// Up to `limit` tags after the id `after`, by id.
pub fn tags_after(conn: &mut Conn, after: Option<i64>, limit: i64) -> QueryResult<Vec<TagRow>> {
    tags::table
        .filter(tags::id.gt(after.unwrap_or(i64::MIN)))
        .order(tags::id)
        .limit(limit)
        .select(TagRow::as_select())
        .load(conn)
}

/// Up to `limit` articles after the id `after`, by id.
pub fn articles_after(
    conn: &mut Conn,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<ArticleRow>> {
    articles::table
        .filter(articles::id.gt(after.unwrap_or(i64::MIN)))
        .order(articles::id)
        .limit(limit)
        .select(ArticleRow::as_select())
        .load(conn)
}

/// `(article id, author id)` of the given articles, by article and credit order.
pub fn credit_pairs(conn: &mut Conn, article_ids: &[i64]) -> QueryResult<Vec<(i64, i64)>> {
    article_authors::table
        .filter(article_authors::article_id.eq_any(article_ids))
        .order((article_authors::article_id, article_authors::position))
        .select((article_authors::article_id, article_authors::author_id))
        .load(conn)
}

/// `(article id, tag id)` of the given articles, by article and tag order.
pub fn tag_pairs(conn: &mut Conn, article_ids: &[i64]) -> QueryResult<Vec<(i64, i64)>> {
    article_tags::table
        .filter(article_tags::article_id.eq_any(article_ids))
        .order((article_tags::article_id, article_tags::position))
        .select((article_tags::article_id, article_tags::tag_id))
        .load(conn)
}

/// Up to `limit` links after `(article id, position)`, by article and position.
pub fn links_after(
    conn: &mut Conn,
    after: Option<(i64, i32)>,
    limit: i64,
) -> QueryResult<Vec<LinkRow>> {
    let mut query = article_links::table
        .select(LinkRow::as_select())
        .order((article_links::article_id, article_links::position))
        .limit(limit)
        .into_boxed();
    if let Some((article, position)) = after {
        query = query.filter(
            article_links::article_id
                .gt(article)
                .or(article_links::article_id
                    .eq(article)
                    .and(article_links::position.gt(position))),
        );
    }
    query.load(conn)
}

pub fn media_exists(conn: &mut Conn, id: i64) -> QueryResult<bool> {
    diesel::select(exists(media::table.find(id))).get_result(conn)
}

pub fn author_exists(conn: &mut Conn, id: i64) -> QueryResult<bool> {
    diesel::select(exists(authors::table.find(id))).get_result(conn)
}

pub fn tag_exists(conn: &mut Conn, id: i64) -> QueryResult<bool> {
    diesel::select(exists(tags::table.find(id))).get_result(conn)
}

pub fn article_exists(conn: &mut Conn, id: i64) -> QueryResult<bool> {
    diesel::select(exists(articles::table.find(id))).get_result(conn)
}

/// Whether `article_id` already links to `target_id`.
pub fn link_exists(conn: &mut Conn, article_id: i64, target_id: i64) -> QueryResult<bool> {
    let pair = article_links::table
        .filter(article_links::article_id.eq(article_id))
        .filter(article_links::target_id.eq(target_id));
    diesel::select(exists(pair)).get_result(conn)
}

/// Whether `article_id` already has a link at `position`.
pub fn link_position_taken(conn: &mut Conn, article_id: i64, position: i32) -> QueryResult<bool> {
    let place = article_links::table
        .filter(article_links::article_id.eq(article_id))
        .filter(article_links::position.eq(position));
    diesel::select(exists(place)).get_result(conn)
}
