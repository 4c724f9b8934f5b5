use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::authors::AuthorRow;
use super::schema::{article_authors, article_tags, articles, authors, tags};
use super::tags::TagRow;
use super::visibility::{ArticleCondition, Visibility};
use super::{Backend, Conn, Dialect, Slice, Window, dialect, search};
use crate::domain::Key;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = articles)]
pub struct ArticleRow {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub body: String,
    pub body_html: String,
    pub custom_excerpt: Option<String>,
    pub excerpt: String,
    pub reading_time_minutes: i32,
    pub feature_image_url: Option<String>,
    pub feature_image_alt: Option<String>,
    pub feature_image_caption: Option<String>,
    pub feature_image_credit: Option<String>,
    pub status: String,
    pub published_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub og_title: Option<String>,
    pub og_description: Option<String>,
    pub og_image: Option<String>,
    pub canonical_url: Option<String>,
    /// The media item the feature image shows, when it is one of ours.
    pub feature_media_id: Option<i64>,
}

/// Every writable column, derived ones included; inserts and updates both use it.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = articles, treat_none_as_null = true)]
pub struct ArticleValues {
    pub slug: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub body: String,
    pub body_html: String,
    pub custom_excerpt: Option<String>,
    pub excerpt: String,
    pub reading_time_minutes: i32,
    pub feature_image_url: Option<String>,
    pub feature_image_alt: Option<String>,
    pub feature_image_caption: Option<String>,
    pub feature_image_credit: Option<String>,
    pub status: String,
    pub published_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub og_title: Option<String>,
    pub og_description: Option<String>,
    pub og_image: Option<String>,
    pub canonical_url: Option<String>,
    /// The media item the feature image shows, when it is one of ours.
    pub feature_media_id: Option<i64>,
}

fn by_key(key: &Key) -> ArticleCondition {
    match key {
        Key::Id(id) => Box::new(articles::id.eq(*id)),
        Key::Slug(slug) => Box::new(articles::slug.eq(slug.clone())),
    }
}

/// An article the viewer may see, by id or slug.
pub fn find(conn: &mut Conn, key: &Key, visibility: Visibility) -> QueryResult<Option<ArticleRow>> {
    articles::table
        .filter(by_key(key))
        .filter(visibility.condition())
        .select(ArticleRow::as_select())
        .first(conn)
        .optional()
}

/// An article whatever its visibility: write paths decide between 404 and 403.
pub fn find_any(conn: &mut Conn, key: &Key) -> QueryResult<Option<ArticleRow>> {
    find(conn, key, Visibility::Everything)
}

pub fn slug_taken(conn: &mut Conn, slug: &str, except: Option<i64>) -> QueryResult<bool> {
    // Ids start at 1, so 0 excludes nothing.
    let except = except.unwrap_or(0);
    diesel::select(diesel::dsl::exists(
        articles::table
            .filter(articles::slug.eq(slug))
            .filter(articles::id.ne(except)),
    ))
    .get_result(conn)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortField {
    PublishedAt,
    UpdatedAt,
    Title,
    /// Full-text relevance; only with a search.
    Relevance,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub field: SortField,
    pub descending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Sort {
            field: SortField::PublishedAt,
            descending: true,
        }
    }
}

/// What a list asks for, already validated.
#[derive(Debug, Clone, Default)]
pub struct ArticleFilter {
    /// Every one of these tag slugs must be on the article.
    pub tags: Vec<String>,
    pub author: Option<String>,
    pub published_after: Option<NaiveDateTime>,
    pub published_before: Option<NaiveDateTime>,
    /// Stored statuses to keep; empty keeps all the viewer may see.
    pub statuses: Vec<&'static str>,
    /// Set for a contributor's `status=draft`: only their own unpublished
    /// ones, as of the moment given.
    pub own_unpublished_of: Option<(i64, NaiveDateTime)>,
    /// The words of a full-text search, from `search::fts_query`.
    pub search: Option<search::Terms>,
    /// The section: the article's first tag has this slug.
    pub primary_tag: Option<String>,
    /// Articles left out, by id.
    pub exclude_ids: Vec<i64>,
    /// Articles left out, by slug.
    pub exclude_slugs: Vec<String>,
}

/// The value an article sorts by.
#[derive(Debug, Clone, PartialEq)]
pub enum SortKey {
    Time(Option<NaiveDateTime>),
    Text(String),
    Score(i64),
}

/// Where an article sits in a sorted list: its sort value, then its id.
#[derive(Debug, Clone, PartialEq)]
pub struct Position {
    pub key: SortKey,
    pub id: i64,
}

impl ArticleFilter {
    /// Whether the filter keeps every article the viewer may see.
    fn is_everything(&self) -> bool {
        self.tags.is_empty()
            && self.author.is_none()
            && self.published_after.is_none()
            && self.published_before.is_none()
            && self.statuses.is_empty()
            && self.own_unpublished_of.is_none()
            && self.search.is_none()
            && self.primary_tag.is_none()
            && self.exclude_ids.is_empty()
            && self.exclude_slugs.is_empty()
    }
}

/// How many articles the public sees, without counting them one by one:
/// the published ones from the counts the triggers keep, plus the scheduled
/// ones already due from their own partial index. (The literal lets both
/// backends match that index's WHERE clause at prepare time.)
fn public_total(conn: &mut Conn, now: NaiveDateTime) -> QueryResult<i64> {
    use super::schema::article_status_counts as counts;
    use diesel::dsl::sql;
    use diesel::sql_types::Bool;
    let published: i64 = counts::table
        .filter(counts::status.eq("published"))
        .select(counts::n)
        .first(conn)
        .optional()?
        .unwrap_or(0);
    let due: i64 = articles::table
        .filter(sql::<Bool>("articles.status = 'scheduled'"))
        .filter(articles::published_at.le(now))
        .count()
        .get_result(conn)?;
    Ok(published + due)
}

type BoxedArticles<'a> = articles::BoxedQuery<'a, Backend>;

fn filtered<'a>(
    dialect: Dialect,
    filter: &'a ArticleFilter,
    visibility: Visibility,
) -> BoxedArticles<'a> {
    let mut query = articles::table.filter(visibility.condition()).into_boxed();
    for tag in &filter.tags {
        query = query.filter(
            articles::id.eq_any(
                article_tags::table
                    .inner_join(tags::table)
                    .filter(tags::slug.eq(tag))
                    .select(article_tags::article_id),
            ),
        );
    }
    if let Some(author) = &filter.author {
        query = query.filter(
            articles::id.eq_any(
                article_authors::table
                    .inner_join(authors::table)
                    .filter(authors::slug.eq(author))
                    .select(article_authors::article_id),
            ),
        );
    }
    if let Some(after) = filter.published_after {
        query = query.filter(articles::published_at.ge(after));
    }
    if let Some(before) = filter.published_before {
        query = query.filter(articles::published_at.lt(before));
    }
    if !filter.statuses.is_empty() {
        query = query.filter(articles::status.eq_any(filter.statuses.clone()));
    }
    if let Some((author_id, now)) = filter.own_unpublished_of {
        query = query.filter(Visibility::own_unpublished(author_id, now));
    }
    if let Some(search) = &filter.search {
        query = query.filter(search::matches(dialect, search));
    }
    if let Some(section) = &filter.primary_tag {
        query = query.filter(
            articles::id.eq_any(
                article_tags::table
                    .inner_join(tags::table)
                    .filter(tags::slug.eq(section))
                    .filter(article_tags::position.eq(PRIMARY))
                    .select(article_tags::article_id),
            ),
        );
    }
    if !filter.exclude_ids.is_empty() {
        query = query.filter(articles::id.ne_all(filter.exclude_ids.clone()));
    }
    if !filter.exclude_slugs.is_empty() {
        query = query.filter(articles::slug.ne_all(filter.exclude_slugs.clone()));
    }
    query
}

/// The position of an article's primary tag (its section) and of its
/// primary author: positions count from 1.
pub const PRIMARY: i32 = 1;

/// One slice of a sorted article list, each row with its position (for
/// cursors), and the total when paging by page number. A fixed number of
/// queries whatever the page size.
pub fn page(
    conn: &mut Conn,
    filter: &ArticleFilter,
    visibility: Visibility,
    sort: Sort,
    window: &Window<Position>,
    with_bodies: bool,
) -> QueryResult<Slice<(ArticleRow, Position)>> {
    let dialect = conn.dialect();
    let total = match (window, visibility) {
        (Window::Offset { .. }, Visibility::Public { now }) if filter.is_everything() => {
            Some(public_total(conn, now)?)
        }
        (Window::Offset { .. }, _) => Some(
            filtered(dialect, filter, visibility)
                .count()
                .get_result(conn)?,
        ),
        (Window::After { .. }, _) => None,
    };
    let score = || match &filter.search {
        Some(q) if sort.field == SortField::Relevance => search::relevance(dialect, q),
        _ => search::no_score(),
    };
    let mut query = filtered(dialect, filter, visibility);
    if let Window::After {
        after: Some(after), ..
    } = window
    {
        // Drafts (no published_at) can be in a list only for those who may
        // see them; leaving them out of the condition otherwise keeps it a
        // plain index range.
        let with_drafts = !matches!(visibility, Visibility::Public { .. });
        query = query.filter(after_position(sort, after, &score, with_drafts));
    }
    // Two steps: the sort picks ids (and scores) without carrying whole rows,
    // bodies and all, through the sorter; then the page's rows are loaded.
    let query = query.select((articles::id, score()));
    // Ties are broken by id in the sort's direction so pages never overlap.
    let query = match (sort.field, sort.descending) {
        (SortField::PublishedAt, descending) => query.order(diesel::dsl::sql::<
            diesel::sql_types::Nullable<diesel::sql_types::Timestamp>,
        >(
            &dialect::nullable_time_order(dialect, "articles.published_at", descending),
        )),
        (SortField::UpdatedAt, true) => {
            query.order((articles::updated_at.desc(), articles::id.desc()))
        }
        (SortField::UpdatedAt, false) => {
            query.order((articles::updated_at.asc(), articles::id.asc()))
        }
        (SortField::Title, true) => query.order((articles::title.desc(), articles::id.desc())),
        (SortField::Title, false) => query.order((articles::title.asc(), articles::id.asc())),
        (SortField::Relevance, _) => query.order((score().desc(), articles::id.desc())),
    };
    let query = match window {
        Window::Offset { limit, offset } => query.limit(*limit).offset(*offset),
        Window::After { limit, .. } => query.limit(*limit),
    };
    let picked: Vec<(i64, i64)> = query.load(conn)?;
    let ids: Vec<i64> = picked.iter().map(|(id, _)| *id).collect();
    let loaded: Vec<ArticleRow> = if with_bodies {
        articles::table
            .filter(articles::id.eq_any(&ids))
            .select(ArticleRow::as_select())
            .load(conn)?
    } else {
        without_bodies(
            conn,
            articles::table
                .filter(articles::id.eq_any(&ids))
                .into_boxed(),
        )?
    };
    let mut loaded: std::collections::HashMap<i64, ArticleRow> =
        loaded.into_iter().map(|row| (row.id, row)).collect();
    let rows: Vec<(ArticleRow, i64)> = picked
        .into_iter()
        .filter_map(|(id, score)| loaded.remove(&id).map(|row| (row, score)))
        .collect();
    Ok(Slice {
        rows: rows
            .into_iter()
            .map(|(row, score)| {
                let key = match sort.field {
                    SortField::PublishedAt => SortKey::Time(row.published_at),
                    SortField::UpdatedAt => SortKey::Time(Some(row.updated_at)),
                    SortField::Title => SortKey::Text(row.title.clone()),
                    SortField::Relevance => SortKey::Score(score),
                };
                let position = Position { key, id: row.id };
                (row, position)
            })
            .collect(),
        total,
    })
}

/// Rows strictly after `after` in the sort's order. `published_at` may be
/// NULL (drafts), which sorts first ascending and last descending on both
/// backends (see `dialect::nullable_time_order`).
fn after_position(
    sort: Sort,
    after: &Position,
    score: &dyn Fn() -> search::Score,
    with_drafts: bool,
) -> ArticleCondition {
    use articles::{id, published_at};
    use diesel::dsl::sql;
    use diesel::sql_types::{BigInt, Bool, Text, Timestamp};
    let after_id = after.id;
    let row_value =
        |column: &str, op: &str| sql::<Bool>(&format!("(articles.{column}, articles.id) {op} ("));
    let time = |column: &str, op: &str, t: chrono::NaiveDateTime| -> ArticleCondition {
        Box::new(
            row_value(column, op)
                .bind::<Timestamp, _>(t)
                .sql(", ")
                .bind::<BigInt, _>(after_id)
                .sql(")"),
        )
    };
    let text = |op: &str, t: String| -> ArticleCondition {
        Box::new(
            row_value("title", op)
                .bind::<Text, _>(t)
                .sql(", ")
                .bind::<BigInt, _>(after_id)
                .sql(")"),
        )
    };
    match (sort.field, sort.descending, after.key.clone()) {
        (SortField::PublishedAt, true, SortKey::Time(Some(t))) if with_drafts => {
            Box::new(time("published_at", "<", t).or(published_at.is_null()))
        }
        (SortField::PublishedAt, true, SortKey::Time(Some(t))) => time("published_at", "<", t),
        (SortField::PublishedAt, true, SortKey::Time(None)) => {
            Box::new(published_at.is_null().and(id.lt(after_id)))
        }
        (SortField::PublishedAt, false, SortKey::Time(Some(t))) => time("published_at", ">", t),
        (SortField::PublishedAt, false, SortKey::Time(None)) => Box::new(
            published_at
                .is_null()
                .and(id.gt(after_id))
                .or(published_at.is_not_null()),
        ),
        (SortField::UpdatedAt, true, SortKey::Time(Some(t))) => time("updated_at", "<", t),
        (SortField::UpdatedAt, false, SortKey::Time(Some(t))) => time("updated_at", ">", t),
        (SortField::Title, true, SortKey::Text(t)) => text("<", t),
        (SortField::Title, false, SortKey::Text(t)) => text(">", t),
        (SortField::Relevance, _, SortKey::Score(s)) => {
            Box::new(score().lt(s).or(score().eq(s).and(id.lt(after_id))))
        }
        // A cursor whose key does not fit the sort is refused before here.
        _ => Box::new(id.ne(id)),
    }
}

/// The credited authors of many articles at once, in credit order.
///
/// One article (every write's answer and every detail read) is asked for
/// with `=`: SQLite compiles an `IN (...)` list afresh every time, because
/// its length varies, while an `=` statement stays prepared.
pub fn authors_of(conn: &mut Conn, article_ids: &[i64]) -> QueryResult<Vec<(i64, AuthorRow)>> {
    let query = article_authors::table
        .inner_join(authors::table)
        .order((article_authors::article_id, article_authors::position))
        .select((article_authors::article_id, AuthorRow::as_select()));
    match article_ids {
        [] => Ok(Vec::new()),
        [id] => query.filter(article_authors::article_id.eq(*id)).load(conn),
        ids => query
            .filter(article_authors::article_id.eq_any(ids))
            .load(conn),
    }
}

/// The tags of many articles at once, primary tag first (one article by `=`,
/// as in `authors_of`).
pub fn tags_of(conn: &mut Conn, article_ids: &[i64]) -> QueryResult<Vec<(i64, TagRow)>> {
    let query = article_tags::table
        .inner_join(tags::table)
        .order((article_tags::article_id, article_tags::position))
        .select((article_tags::article_id, TagRow::as_select()));
    match article_ids {
        [] => Ok(Vec::new()),
        [id] => query.filter(article_tags::article_id.eq(*id)).load(conn),
        ids => query
            .filter(article_tags::article_id.eq_any(ids))
            .load(conn),
    }
}

pub fn insert(conn: &mut Conn, values: &ArticleValues) -> QueryResult<ArticleRow> {
    diesel::insert_into(articles::table)
        .values((values, articles::created_at.eq(values.updated_at)))
        .returning(articles::all_columns)
        .get_result(conn)
}

pub fn update(conn: &mut Conn, id: i64, values: &ArticleValues) -> QueryResult<ArticleRow> {
    diesel::update(articles::table.find(id))
        .set(values)
        .returning(articles::all_columns)
        .get_result(conn)
}

/// Replaces the credits; the first author is primary.
pub fn replace_authors(conn: &mut Conn, article_id: i64, author_ids: &[i64]) -> QueryResult<()> {
    diesel::delete(article_authors::table.filter(article_authors::article_id.eq(article_id)))
        .execute(conn)?;
    add_authors(conn, article_id, author_ids)
}

/// Credits the authors of an article that has none yet.
pub fn add_authors(conn: &mut Conn, article_id: i64, author_ids: &[i64]) -> QueryResult<()> {
    // Row by row: each statement stays prepared, and an article has a
    // handful of credits (import writes many articles' at once, `bulk`).
    for (author_id, position) in author_ids.iter().zip(1..) {
        diesel::insert_into(article_authors::table)
            .values((
                article_authors::article_id.eq(article_id),
                article_authors::author_id.eq(*author_id),
                article_authors::position.eq(position),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Replaces the tags; the first tag is primary.
pub fn replace_tags(conn: &mut Conn, article_id: i64, tag_ids: &[i64]) -> QueryResult<()> {
    diesel::delete(article_tags::table.filter(article_tags::article_id.eq(article_id)))
        .execute(conn)?;
    add_tags(conn, article_id, tag_ids)
}

/// Tags an article that has no tags yet.
pub fn add_tags(conn: &mut Conn, article_id: i64, tag_ids: &[i64]) -> QueryResult<()> {
    for (tag_id, position) in tag_ids.iter().zip(1..) {
        diesel::insert_into(article_tags::table)
            .values((
                article_tags::article_id.eq(article_id),
                article_tags::tag_id.eq(*tag_id),
                article_tags::position.eq(position),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn author_ids_of(conn: &mut Conn, article_id: i64) -> QueryResult<Vec<i64>> {
    article_authors::table
        .filter(article_authors::article_id.eq(article_id))
        .order(article_authors::position)
        .select(article_authors::author_id)
        .load(conn)
}

pub fn delete(conn: &mut Conn, id: i64) -> QueryResult<usize> {
    diesel::delete(articles::table.find(id)).execute(conn)
}

/// Marks an article changed now without changing its fields: its links
/// changed what it shows.
pub fn touch(conn: &mut Conn, id: i64) -> QueryResult<usize> {
    diesel::update(articles::table.find(id))
        .set(articles::updated_at.eq(crate::domain::now()))
        .execute(conn)
}

/// The rows `query` finds, bodies and page fields left empty. Lists and
/// summaries show neither body: leaving them out spares reading the
/// overflow pages they fill (they are the last columns of the first
/// migration for that reason) and copying kilobytes a row. The page fields,
/// added later, stand after them: read only when `fields` asks, with the
/// bodies.
fn without_bodies(conn: &mut Conn, query: BoxedArticles<'_>) -> QueryResult<Vec<ArticleRow>> {
    use diesel::dsl::sql;
    use diesel::sql_types::{Nullable, Text};
    query
        .select((
            articles::id,
            articles::slug,
            articles::title,
            articles::subtitle,
            sql::<Text>("''"),
            sql::<Text>("''"),
            articles::custom_excerpt,
            articles::excerpt,
            articles::reading_time_minutes,
            articles::feature_image_url,
            articles::feature_image_alt,
            articles::feature_image_caption,
            articles::feature_image_credit,
            articles::status,
            articles::published_at,
            articles::created_at,
            articles::updated_at,
            sql::<Nullable<Text>>("NULL"),
            sql::<Nullable<Text>>("NULL"),
            sql::<Nullable<Text>>("NULL"),
            sql::<Nullable<Text>>("NULL"),
            sql::<Nullable<Text>>("NULL"),
            sql::<Nullable<Text>>("NULL"),
            articles::feature_media_id,
        ))
        .load(conn)
}

/// `(id, published_at)` of the given articles that the viewer may see: what
/// ranking needs, without reading their bodies.
pub fn visible_publication_times(
    conn: &mut Conn,
    ids: &[i64],
    visibility: Visibility,
) -> QueryResult<Vec<(i64, Option<NaiveDateTime>)>> {
    // Bound parameters per statement stay under SQLite's limit (32,766)
    // however many articles share a popular tag.
    let mut found = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(10_000) {
        found.extend(
            articles::table
                .filter(articles::id.eq_any(chunk))
                .filter(visibility.condition())
                .select((articles::id, articles::published_at))
                .load::<(i64, Option<NaiveDateTime>)>(conn)?,
        );
    }
    Ok(found)
}

/// The given articles that the viewer may see, in no particular order,
/// without their bodies (summaries and list items show neither).
pub fn visible_by_ids(
    conn: &mut Conn,
    ids: &[i64],
    visibility: Visibility,
) -> QueryResult<Vec<ArticleRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let query = articles::table
        .filter(articles::id.eq_any(ids))
        .filter(visibility.condition())
        .into_boxed();
    without_bodies(conn, query)
}

/// How many articles are stored in each status.
pub fn count_by_status(conn: &mut Conn) -> QueryResult<Vec<(String, i64)>> {
    use super::schema::article_status_counts as counts;
    counts::table
        .filter(counts::n.gt(0))
        .select((counts::status, counts::n))
        .load(conn)
}
