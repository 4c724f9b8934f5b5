use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::schema::{article_authors, authors};
use super::visibility::{Visibility, with_visible};
use super::{Conn, LIKE_ESCAPE, Slice, Window, contains_pattern};
use crate::domain::Key;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = authors)]
pub struct AuthorRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub name_key: String,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub website: Option<String>,
    pub email: Option<String>,
    pub social: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The media item the avatar shows, when it is one of ours.
    pub avatar_media_id: Option<i64>,
}

/// Every writable column; inserts and full updates both use it.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = authors, treat_none_as_null = true)]
pub struct AuthorValues {
    pub slug: String,
    pub name: String,
    pub name_key: String,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub website: Option<String>,
    pub email: Option<String>,
    pub social: String,
    pub updated_at: NaiveDateTime,
    pub avatar_media_id: Option<i64>,
}

pub fn find(conn: &mut Conn, key: &Key) -> QueryResult<Option<AuthorRow>> {
    let query = authors::table.select(AuthorRow::as_select()).into_boxed();
    let query = match key {
        Key::Id(id) => query.filter(authors::id.eq(*id)),
        Key::Slug(slug) => query.filter(authors::slug.eq(slug)),
    };
    query.first(conn).optional()
}

pub fn find_by_slug(conn: &mut Conn, slug: &str) -> QueryResult<Option<AuthorRow>> {
    find(conn, &Key::Slug(slug.to_owned()))
}

pub fn slug_taken(conn: &mut Conn, slug: &str, except: Option<i64>) -> QueryResult<bool> {
    // Ids start at 1, so 0 excludes nothing.
    let except = except.unwrap_or(0);
    diesel::select(diesel::dsl::exists(
        authors::table
            .filter(authors::slug.eq(slug))
            .filter(authors::id.ne(except)),
    ))
    .get_result(conn)
}

/// A slice of the authors by name ignoring case (then id), optionally only those whose
/// name contains `q`; the total when paging by page number.
pub fn page(
    conn: &mut Conn,
    q: Option<&str>,
    window: &Window<(String, i64)>,
) -> QueryResult<Slice<AuthorRow>> {
    let filtered = || {
        let mut query = authors::table.into_boxed();
        if let Some(q) = q {
            // Against the folded name, so that the match ignores case on
            // both backends (PostgreSQL's LIKE does not) and beyond ASCII.
            let folded = q.to_lowercase();
            query = query.filter(
                authors::name_key
                    .like(contains_pattern(&folded))
                    .escape(LIKE_ESCAPE),
            );
        }
        query
    };
    let total = match window.counts_total() {
        true => Some(filtered().count().get_result(conn)?),
        false => None,
    };
    let mut query = filtered();
    if let Window::After {
        after: Some((name, id)),
        ..
    } = window
    {
        query = query.filter(
            authors::name_key
                .gt(name.clone())
                .or(authors::name_key.eq(name.clone()).and(authors::id.gt(*id))),
        );
    }
    let rows = query
        .select(AuthorRow::as_select())
        .order((authors::name_key.asc(), authors::id.asc()))
        .limit(window.limit())
        .offset(window.offset())
        .load(conn)?;
    Ok(Slice { rows, total })
}

/// How many articles the viewer may see per author, in one query.
pub fn article_counts(
    conn: &mut Conn,
    author_ids: &[i64],
    visibility: Visibility,
) -> QueryResult<HashMap<i64, i64>> {
    let rows: Vec<(i64, i64)> = with_visible!(visibility, |visible| article_authors::table
        .filter(article_authors::author_id.eq_any(author_ids))
        .filter(
            article_authors::article_id
                .eq_any(articles::table.filter(visible).select(articles::id))
        )
        .group_by(article_authors::author_id)
        .select((article_authors::author_id, count_star()))
        .load(conn)?);
    Ok(rows.into_iter().collect())
}

pub fn insert(conn: &mut Conn, values: &AuthorValues) -> QueryResult<AuthorRow> {
    diesel::insert_into(authors::table)
        .values((values, authors::created_at.eq(values.updated_at)))
        .returning(authors::all_columns)
        .get_result(conn)
}

pub fn update(conn: &mut Conn, id: i64, values: &AuthorValues) -> QueryResult<AuthorRow> {
    diesel::update(authors::table.find(id))
        .set(values)
        .returning(authors::all_columns)
        .get_result(conn)
}

pub fn has_articles(conn: &mut Conn, id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        article_authors::table.filter(article_authors::author_id.eq(id)),
    ))
    .get_result(conn)
}

pub fn delete(conn: &mut Conn, id: i64) -> QueryResult<usize> {
    diesel::delete(authors::table.find(id)).execute(conn)
}
