use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::schema::{article_tags, tags};
use super::visibility::{Visibility, with_visible};
use super::{Backend, Conn, Slice, Window};
use crate::domain::Key;
use diesel::sql_types::BigInt;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tags)]
pub struct TagRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub name_key: String,
    pub description: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Where the tag stands among a homepage's sections; `None` after them.
    pub section_position: Option<i32>,
}

#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = tags, treat_none_as_null = true)]
pub struct TagValues {
    pub slug: String,
    pub name: String,
    pub name_key: String,
    pub description: Option<String>,
    pub updated_at: NaiveDateTime,
    pub section_position: Option<i32>,
}

/// Names are unique case-insensitively; this is the form that is compared.
pub fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

pub fn find(conn: &mut Conn, key: &Key) -> QueryResult<Option<TagRow>> {
    let query = tags::table.select(TagRow::as_select()).into_boxed();
    let query = match key {
        Key::Id(id) => query.filter(tags::id.eq(*id)),
        Key::Slug(slug) => query.filter(tags::slug.eq(slug)),
    };
    query.first(conn).optional()
}

/// A tag named in an article body: by slug first, else by name ignoring case.
pub fn find_by_slug_or_name(conn: &mut Conn, text: &str) -> QueryResult<Option<TagRow>> {
    let by_slug = tags::table
        .filter(tags::slug.eq(text))
        .select(TagRow::as_select())
        .first(conn)
        .optional()?;
    if by_slug.is_some() {
        return Ok(by_slug);
    }
    tags::table
        .filter(tags::name_key.eq(name_key(text)))
        .select(TagRow::as_select())
        .first(conn)
        .optional()
}

pub fn slug_taken(conn: &mut Conn, slug: &str, except: Option<i64>) -> QueryResult<bool> {
    // Ids start at 1, so 0 excludes nothing.
    let except = except.unwrap_or(0);
    diesel::select(diesel::dsl::exists(
        tags::table
            .filter(tags::slug.eq(slug))
            .filter(tags::id.ne(except)),
    ))
    .get_result(conn)
}

pub fn name_taken(conn: &mut Conn, name: &str, except: Option<i64>) -> QueryResult<bool> {
    let except = except.unwrap_or(0);
    diesel::select(diesel::dsl::exists(
        tags::table
            .filter(tags::name_key.eq(name_key(name)))
            .filter(tags::id.ne(except)),
    ))
    .get_result(conn)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagOrder {
    Name,
    MostArticles,
}

/// Where a tag sits in a sorted list: its name or its count, then its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagPosition {
    Name(String, i64),
    Count(i64, i64),
}

/// A slice of the tags with their visible article counts, in a fixed number
/// of queries; the total when paging by page number.
pub fn page(
    conn: &mut Conn,
    order: TagOrder,
    visibility: Visibility,
    window: &Window<TagPosition>,
) -> QueryResult<Slice<(TagRow, i64)>> {
    let total = match window.counts_total() {
        true => Some(tags::table.count().get_result(conn)?),
        false => None,
    };
    let counted = || -> Box<dyn BoxableExpression<tags::table, Backend, SqlType = BigInt>> {
        with_visible!(visibility, |visible| Box::new(
            article_tags::table
                .filter(article_tags::tag_id.eq(tags::id))
                .filter(
                    article_tags::article_id
                        .eq_any(articles::table.filter(visible).select(articles::id))
                )
                .select(count_star())
                .single_value()
                .assume_not_null()
        ))
    };
    let mut query = tags::table.select(TagRow::as_select()).into_boxed();
    query = match (order, window) {
        (
            TagOrder::Name,
            Window::After {
                after: Some(TagPosition::Name(name, id)),
                ..
            },
        ) => query.filter(
            tags::name_key
                .gt(name.clone())
                .or(tags::name_key.eq(name.clone()).and(tags::id.gt(*id))),
        ),
        (
            TagOrder::MostArticles,
            Window::After {
                after: Some(TagPosition::Count(n, id)),
                ..
            },
        ) => query.filter(counted().lt(*n).or(counted().eq(*n).and(tags::id.lt(*id)))),
        _ => query,
    };
    let query = match order {
        TagOrder::Name => query.order((tags::name_key.asc(), tags::id.asc())),
        TagOrder::MostArticles => query.order((counted().desc(), tags::id.desc())),
    };
    let rows: Vec<TagRow> = query
        .limit(window.limit())
        .offset(window.offset())
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|t| t.id).collect();
    let counts = article_counts(conn, &ids, visibility)?;
    let with_counts = rows
        .into_iter()
        .map(|t| {
            let n = counts.get(&t.id).copied().unwrap_or(0);
            (t, n)
        })
        .collect();
    Ok(Slice {
        rows: with_counts,
        total,
    })
}

pub fn article_counts(
    conn: &mut Conn,
    tag_ids: &[i64],
    visibility: Visibility,
) -> QueryResult<HashMap<i64, i64>> {
    let rows: Vec<(i64, i64)> = with_visible!(visibility, |visible| article_tags::table
        .filter(article_tags::tag_id.eq_any(tag_ids))
        .filter(
            article_tags::article_id.eq_any(articles::table.filter(visible).select(articles::id))
        )
        .group_by(article_tags::tag_id)
        .select((article_tags::tag_id, count_star()))
        .load(conn)?);
    Ok(rows.into_iter().collect())
}

pub fn insert(conn: &mut Conn, values: &TagValues) -> QueryResult<TagRow> {
    diesel::insert_into(tags::table)
        .values((values, tags::created_at.eq(values.updated_at)))
        .returning(tags::all_columns)
        .get_result(conn)
}

pub fn update(conn: &mut Conn, id: i64, values: &TagValues) -> QueryResult<TagRow> {
    diesel::update(tags::table.find(id))
        .set(values)
        .returning(tags::all_columns)
        .get_result(conn)
}

/// Deleting a tag unlinks it from its articles (ON DELETE CASCADE).
pub fn delete(conn: &mut Conn, id: i64) -> QueryResult<usize> {
    diesel::delete(tags::table.find(id)).execute(conn)
}
