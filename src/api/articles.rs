//! Articles: reads, the list query, and the write rules (roles, drafts and
//! publishing, slugs, credits, tags and inline related links).

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::authors::AuthorSummary;
use super::body::{JsonBody, Patch, WriteBody, WriteMode};
use super::caching::{IfMatch, cached_json};
use super::query::{Cursor, NoQuery, PageMeta, Paging, QueryParams};
use super::tags::TagSummary;
use super::validate::Checks;
use super::{AppState, json_created, json_ok, own_author_id, visibility_for};
use crate::auth::{Caller, MaybeCaller, RequireCaller};
use crate::db::articles::{
    self as article_db, ArticleFilter, ArticleRow, ArticleValues, Position, Sort, SortField,
    SortKey,
};
use crate::db::links::{self as link_db, LinkSpec};
use crate::db::visibility::Visibility;
use crate::db::{self, Conn, Slice, authors as author_db, search, slugs, tags as tag_db};
use crate::domain::{self, Key, LinkKind, Role, Slug, Status, format_timestamp, parse_timestamp};
use crate::error::{ApiError, FieldError};
use crate::markdown;
use crate::openapi::{
    ArticleListProblems, CreateProblems, DeleteProblems, NotModified, ReadProblems, UpdateProblems,
};

const MAX_TITLE: usize = 300;
const MAX_SUBTITLE: usize = 300;
const MAX_EXCERPT: usize = 1_000;
const MAX_IMAGE_TEXT: usize = 1_000;
pub const MAX_LABEL: usize = 120;
/// Each tag filter is a subquery; a list needs few, an attacker many.
const MAX_TAG_FILTERS: usize = 10;

/// An article's lead image.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeatureImage {
    #[schema(example = "https://cdn.example.com/flood.jpg")]
    pub url: String,
    #[schema(example = "A flooded street in the old town")]
    pub alt: Option<String>,
    pub caption: Option<String>,
    #[schema(example = "Photo: J. Doe")]
    pub credit: Option<String>,
}

/// A whole article, as returned by the detail route and by writes.
#[derive(Debug, Serialize, ToSchema)]
pub struct Article {
    pub id: i64,
    #[schema(example = "rivers-rising")]
    pub slug: String,
    #[schema(example = "Rivers rising")]
    pub title: String,
    pub subtitle: Option<String>,
    /// Markdown.
    pub body: String,
    /// The body rendered and sanitized: no scripts, event handlers, `javascript:` or `data:` URLs.
    pub body_html: String,
    /// Given by the editor, else the start of the body's text cut at a word, ending in "…" when cut.
    pub excerpt: String,
    /// Words / 230, rounded up, at least 1.
    #[schema(example = 4)]
    pub reading_time_minutes: i32,
    pub feature_image: Option<FeatureImage>,
    pub status: Status,
    #[schema(format = DateTime, example = "2026-03-01T08:00:00Z")]
    pub published_at: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// In credit order; the first is the primary author.
    pub authors: Vec<AuthorSummary>,
    /// In order; the first is the primary tag (the article's section).
    pub tags: Vec<TagSummary>,
    pub primary_tag: Option<TagSummary>,
    /// The curated links the caller may see, by position.
    pub related: Vec<RelatedLink>,
}

/// An article in a list: everything but `body`, `body_html` and `related`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleListItem {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub excerpt: String,
    pub reading_time_minutes: i32,
    pub feature_image: Option<FeatureImage>,
    pub status: Status,
    #[schema(format = DateTime)]
    pub published_at: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    pub authors: Vec<AuthorSummary>,
    pub tags: Vec<TagSummary>,
    pub primary_tag: Option<TagSummary>,
    /// Only when `fields` asks for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Only when `fields` asks for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_html: Option<String>,
    /// Only when `fields` asks for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related: Option<Vec<RelatedLink>>,
}

/// A related link's kind: a curated kind, or `suggested` for the
/// suggestions `?suggest=N` appends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RelatedKind {
    AlsoRead,
    ReadNext,
    Recommended,
    Suggested,
}

impl From<LinkKind> for RelatedKind {
    fn from(kind: LinkKind) -> Self {
        match kind {
            LinkKind::AlsoRead => RelatedKind::AlsoRead,
            LinkKind::ReadNext => RelatedKind::ReadNext,
            LinkKind::Recommended => RelatedKind::Recommended,
        }
    }
}

/// A reference to another resource in a write body: its id or its slug.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum KeyRef {
    Id(#[serde(deserialize_with = "super::body::whole_number")] i64),
    Slug(String),
}

impl From<&KeyRef> for Key {
    fn from(reference: &KeyRef) -> Key {
        match reference {
            KeyRef::Id(id) => Key::Id(*id),
            KeyRef::Slug(slug) => Key::parse(slug),
        }
    }
}

/// A short form of an article, as the target of a related link.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleSummary {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub excerpt: String,
    pub feature_image: Option<FeatureImage>,
    #[schema(format = DateTime)]
    pub published_at: Option<String>,
    pub primary_tag: Option<TagSummary>,
}

/// A curated link to another article.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RelatedLink {
    pub kind: RelatedKind,
    #[schema(example = "Read next")]
    pub label: String,
    /// 1-based and dense among all of the article's links.
    #[schema(example = 1)]
    pub position: Option<i32>,
    pub article: ArticleSummary,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleList {
    pub data: Vec<ArticleListItem>,
    pub meta: PageMeta,
}

fn feature_image(row: &ArticleRow) -> Option<FeatureImage> {
    row.feature_image_url.as_ref().map(|url| FeatureImage {
        url: url.clone(),
        alt: row.feature_image_alt.clone(),
        caption: row.feature_image_caption.clone(),
        credit: row.feature_image_credit.clone(),
    })
}

fn status_of(row: &ArticleRow) -> Status {
    Status::parse(&row.status).unwrap_or(Status::Draft)
}

/// Authors and tags of many articles, in two queries whatever their number.
struct Embeds {
    authors: HashMap<i64, Vec<AuthorSummary>>,
    tags: HashMap<i64, Vec<TagSummary>>,
}

impl Embeds {
    fn load(conn: &mut Conn, ids: &[i64]) -> diesel::QueryResult<Embeds> {
        let mut authors: HashMap<i64, Vec<AuthorSummary>> = HashMap::new();
        for (article_id, row) in article_db::authors_of(conn, ids)? {
            authors
                .entry(article_id)
                .or_default()
                .push(AuthorSummary::from(&row));
        }
        Ok(Embeds {
            authors,
            tags: Self::tags(conn, ids)?,
        })
    }

    fn tags(conn: &mut Conn, ids: &[i64]) -> diesel::QueryResult<HashMap<i64, Vec<TagSummary>>> {
        let mut tags: HashMap<i64, Vec<TagSummary>> = HashMap::new();
        for (article_id, row) in article_db::tags_of(conn, ids)? {
            tags.entry(article_id)
                .or_default()
                .push(TagSummary::from(&row));
        }
        Ok(tags)
    }

    fn authors_of(&mut self, id: i64) -> Vec<AuthorSummary> {
        self.authors.remove(&id).unwrap_or_default()
    }

    fn tags_of(&mut self, id: i64) -> Vec<TagSummary> {
        self.tags.remove(&id).unwrap_or_default()
    }
}

fn list_item(
    row: ArticleRow,
    embeds: &mut Embeds,
    extras: &ListExtras,
    related: &mut HashMap<i64, Vec<RelatedLink>>,
) -> ArticleListItem {
    let tags = embeds.tags_of(row.id);
    ArticleListItem {
        related: extras
            .related
            .then(|| related.remove(&row.id).unwrap_or_default()),
        body_html: extras.body_html.then(|| row.body_html.clone()),
        body: extras.body.then(|| row.body.clone()),
        id: row.id,
        feature_image: feature_image(&row),
        status: status_of(&row),
        slug: row.slug,
        title: row.title,
        subtitle: row.subtitle,
        excerpt: row.excerpt,
        reading_time_minutes: row.reading_time_minutes,
        published_at: row.published_at.map(format_timestamp),
        created_at: format_timestamp(row.created_at),
        updated_at: format_timestamp(row.updated_at),
        authors: embeds.authors_of(row.id),
        primary_tag: tags.first().cloned(),
        tags,
    }
}

/// Summaries of the given articles that the viewer may see, by id.
pub fn summaries(
    conn: &mut Conn,
    ids: &[i64],
    visibility: Visibility,
) -> diesel::QueryResult<HashMap<i64, ArticleSummary>> {
    use crate::db::schema::articles;
    use diesel::prelude::*;
    let rows: Vec<ArticleRow> = articles::table
        .filter(articles::id.eq_any(ids))
        .filter(visibility.condition())
        .select(ArticleRow::as_select())
        .load(conn)?;
    let visible: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut tags = Embeds::tags(conn, &visible)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let summary = ArticleSummary {
                id: row.id,
                feature_image: feature_image(&row),
                primary_tag: tags.remove(&row.id).and_then(|t| t.into_iter().next()),
                slug: row.slug,
                title: row.title,
                excerpt: row.excerpt,
                published_at: row.published_at.map(format_timestamp),
            };
            (summary.id, summary)
        })
        .collect())
}

/// The curated links of many articles that the viewer may see, by article,
/// in three queries; hidden ones are left out and the others keep their
/// stored positions.
pub fn related_of(
    conn: &mut Conn,
    article_ids: &[i64],
    visibility: Visibility,
) -> diesel::QueryResult<HashMap<i64, Vec<RelatedLink>>> {
    let links = link_db::links_of_many(conn, article_ids)?;
    let target_ids: Vec<i64> = links.iter().map(|l| l.target_id).collect();
    let targets = summaries(conn, &target_ids, visibility)?;
    let mut related: HashMap<i64, Vec<RelatedLink>> = HashMap::new();
    for link in links {
        if let Some(article) = targets.get(&link.target_id) {
            related
                .entry(link.article_id)
                .or_default()
                .push(RelatedLink {
                    kind: LinkKind::parse(&link.kind)
                        .unwrap_or(LinkKind::AlsoRead)
                        .into(),
                    label: link.label,
                    position: Some(link.position),
                    article: article.clone(),
                });
        }
    }
    Ok(related)
}

/// One article's visible curated links.
pub fn visible_links(
    conn: &mut Conn,
    article_id: i64,
    visibility: Visibility,
) -> diesel::QueryResult<Vec<RelatedLink>> {
    Ok(related_of(conn, &[article_id], visibility)?
        .remove(&article_id)
        .unwrap_or_default())
}

/// The whole article as the viewer may see it, in a fixed number of queries.
pub fn full_article(
    conn: &mut Conn,
    row: ArticleRow,
    visibility: Visibility,
) -> diesel::QueryResult<Article> {
    let mut embeds = Embeds::load(conn, &[row.id])?;
    let related = visible_links(conn, row.id, visibility)?;
    let tags = embeds.tags_of(row.id);
    Ok(Article {
        id: row.id,
        feature_image: feature_image(&row),
        status: status_of(&row),
        slug: row.slug,
        title: row.title,
        subtitle: row.subtitle,
        body: row.body,
        body_html: row.body_html,
        excerpt: row.excerpt,
        reading_time_minutes: row.reading_time_minutes,
        published_at: row.published_at.map(format_timestamp),
        created_at: format_timestamp(row.created_at),
        updated_at: format_timestamp(row.updated_at),
        authors: embeds.authors_of(row.id),
        primary_tag: tags.first().cloned(),
        tags,
        related,
    })
}

fn not_found(key: &Key) -> ApiError {
    ApiError::NotFound(format!("no article '{key}'"))
}

/// An article the viewer may see, or 404 whether it is missing or hidden.
pub fn find_visible(
    conn: &mut Conn,
    key: &Key,
    visibility: Visibility,
) -> Result<ArticleRow, ApiError> {
    article_db::find(conn, key, visibility)?.ok_or_else(|| not_found(key))
}

/// The query string as the OpenAPI document describes it. Never built: the
/// handler reads the query with `QueryParams`, which refuses unknown names.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ArticleListParams {
    /// A tag slug; repeat it to require several tags (all must match).
    tag: Option<Vec<String>>,
    /// An author slug.
    author: Option<String>,
    /// Full-text search over title, subtitle and body: every word must appear
    /// (as a prefix). Any text is safe; punctuation is ignored.
    #[param(max_length = 500)]
    q: Option<String>,
    /// Inclusive lower bound on `published_at`: RFC 3339, or `YYYY-MM-DD` for midnight UTC.
    published_after: Option<String>,
    /// Exclusive upper bound on `published_at`: RFC 3339, or `YYYY-MM-DD` for midnight UTC.
    published_before: Option<String>,
    /// `published` (the default, for everyone: what the public sees), or with a token
    /// `draft`, `scheduled` or `any`. A contributor may ask only `draft`: their own unpublished articles.
    #[param(pattern = "^(draft|scheduled|published|any)$")]
    status: Option<String>,
    /// `-published_at` (default; `relevance` when `q` is given), `published_at`,
    /// `-updated_at`, `updated_at`, `title`, `-title`, `relevance` (needs `q`: title
    /// matches first, then subtitle, then body). Ties are broken by id in the sort's direction.
    #[param(pattern = "^(-?(published_at|updated_at|title)|relevance)$")]
    sort: Option<String>,
    /// Comma-separated top-level fields to return (`id` is always included). List items
    /// leave out `body`, `body_html` and `related` unless asked.
    #[param(example = "slug,title,excerpt")]
    fields: Option<String>,
    /// 1-based page number; a page past the end is empty. Not with `cursor`.
    #[param(minimum = 1, maximum = 1000000000)]
    page: Option<i64>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<i64>,
    /// Keyset paging: `meta.next_cursor` of the previous page. Not with `page`.
    cursor: Option<String>,
}

const LIST_PARAMS: &[&str] = &[
    "tag",
    "author",
    "q",
    "published_after",
    "published_before",
    "status",
    "sort",
    "fields",
    "page",
    "per_page",
    "cursor",
];

/// Every top-level field of an article.
pub const ARTICLE_FIELDS: &[&str] = &[
    "id",
    "slug",
    "title",
    "subtitle",
    "body",
    "body_html",
    "excerpt",
    "reading_time_minutes",
    "feature_image",
    "status",
    "published_at",
    "created_at",
    "updated_at",
    "authors",
    "tags",
    "primary_tag",
    "related",
];

/// Which articles a list is drawn from.
pub enum Within {
    All,
    Tag(Key),
    Author(Key),
}

fn parse_sort(text: Option<&str>, searching: bool) -> Result<Sort, ApiError> {
    let Some(text) = text else {
        return Ok(match searching {
            true => Sort {
                field: SortField::Relevance,
                descending: true,
            },
            false => Sort::default(),
        });
    };
    let (descending, name) = match text.strip_prefix('-') {
        Some(name) => (true, name),
        None => (false, text),
    };
    let field = match name {
        "published_at" => SortField::PublishedAt,
        "updated_at" => SortField::UpdatedAt,
        "title" => SortField::Title,
        "relevance" if !descending && searching => SortField::Relevance,
        "relevance" if !descending => {
            return Err(ApiError::BadRequest(
                "query parameter 'sort' can be 'relevance' only with 'q'".into(),
            ));
        }
        _ => {
            return Err(ApiError::BadRequest(format!(
                "query parameter 'sort' must be one of -published_at, published_at, -updated_at, updated_at, title, -title, relevance; not '{text}'"
            )));
        }
    };
    Ok(Sort {
        field,
        descending: descending || field == SortField::Relevance,
    })
}

fn sort_name(sort: Sort) -> &'static str {
    match (sort.field, sort.descending) {
        (SortField::PublishedAt, true) => "-published_at",
        (SortField::PublishedAt, false) => "published_at",
        (SortField::UpdatedAt, true) => "-updated_at",
        (SortField::UpdatedAt, false) => "updated_at",
        (SortField::Title, true) => "-title",
        (SortField::Title, false) => "title",
        (SortField::Relevance, _) => "relevance",
    }
}

fn position_from_cursor(cursor: &Cursor, sort: Sort) -> Result<Position, ApiError> {
    let (key, id) = cursor.for_sort(sort_name(sort))?;
    let damaged = || ApiError::BadRequest("query parameter 'cursor' is damaged".into());
    let key = match (sort.field, key) {
        (SortField::PublishedAt | SortField::UpdatedAt, Value::Null) => SortKey::Time(None),
        (SortField::PublishedAt | SortField::UpdatedAt, Value::String(t)) => {
            SortKey::Time(Some(parse_timestamp(t).map_err(|_| damaged())?))
        }
        (SortField::Title, Value::String(t)) => SortKey::Text(t.clone()),
        (SortField::Relevance, Value::Number(n)) => SortKey::Score(n.as_i64().ok_or_else(damaged)?),
        _ => return Err(damaged()),
    };
    Ok(Position { key, id })
}

fn cursor_at(sort: Sort, position: &Position) -> Cursor {
    let key = match &position.key {
        SortKey::Time(t) => t.map(format_timestamp).map_or(Value::Null, Value::from),
        SortKey::Text(t) => Value::from(t.clone()),
        SortKey::Score(n) => Value::from(*n),
    };
    Cursor {
        sort: sort_name(sort).to_owned(),
        key,
        id: position.id,
    }
}

/// The `fields` parameter: which top-level fields to keep, `id` always
/// among them. `None` keeps the default set.
fn parse_fields(text: Option<&str>, allowed: &[&str]) -> Result<Option<Vec<String>>, ApiError> {
    let Some(text) = text else {
        return Ok(None);
    };
    let mut fields = vec!["id".to_owned()];
    for name in text.split(',').map(str::trim) {
        if !allowed.contains(&name) {
            return Err(ApiError::BadRequest(format!(
                "query parameter 'fields' names unknown field '{name}'; known: {}",
                allowed.join(", ")
            )));
        }
        if !fields.iter().any(|f| f == name) {
            fields.push(name.to_owned());
        }
    }
    Ok(Some(fields))
}

/// Keeps only the named top-level fields of a serialized resource.
fn trim_fields<T: Serialize>(value: &T, fields: Option<&[String]>) -> Result<Value, ApiError> {
    let mut value = serde_json::to_value(value).map_err(ApiError::internal)?;
    if let (Some(fields), Value::Object(map)) = (fields, &mut value) {
        map.retain(|name, _| fields.iter().any(|f| f == name));
    }
    Ok(value)
}

/// What a list loads beyond the default item fields.
#[derive(Debug, Clone, Copy, Default)]
struct ListExtras {
    body: bool,
    body_html: bool,
    related: bool,
}

impl ListExtras {
    fn from_fields(fields: Option<&[String]>) -> ListExtras {
        let asks = |name: &str| fields.is_some_and(|f| f.iter().any(|x| x == name));
        ListExtras {
            body: asks("body"),
            body_html: asks("body_html"),
            related: asks("related"),
        }
    }
}

fn parse_date_param(params: &QueryParams, name: &str) -> Result<Option<NaiveDateTime>, ApiError> {
    params
        .single(name)?
        .map(|text| {
            domain::parse_timestamp_or_date(text).map_err(|message| {
                ApiError::BadRequest(format!("query parameter '{name}' {message}"))
            })
        })
        .transpose()
}

/// What the `status` parameter asks for, once the caller's role allows it.
enum StatusFilter {
    Public,
    Stored(Status),
    Any,
}

fn parse_status(text: Option<&str>, caller: Option<&Caller>) -> Result<StatusFilter, ApiError> {
    let wanted = match text {
        None | Some("published") => return Ok(StatusFilter::Public),
        Some("draft") => StatusFilter::Stored(Status::Draft),
        Some("scheduled") => StatusFilter::Stored(Status::Scheduled),
        Some("any") => StatusFilter::Any,
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "query parameter 'status' must be draft, scheduled, published or any; not '{other}'"
            )));
        }
    };
    let Some(caller) = caller else {
        return Err(ApiError::Unauthorized(
            "listing unpublished articles needs a bearer token".into(),
        ));
    };
    if caller.role == Role::Contributor && !matches!(wanted, StatusFilter::Stored(Status::Draft)) {
        return Err(ApiError::Forbidden(
            "contributors may list only status=draft: their own unpublished articles".into(),
        ));
    }
    Ok(wanted)
}

/// The article list query, shared by `/articles`, `/authors/{key}/articles`
/// and `/tags/{key}/articles`.
pub async fn article_list(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: MaybeCaller,
    within: Within,
) -> Result<HttpResponse, ApiError> {
    let params = QueryParams::parse(&req, LIST_PARAMS)?;
    let paging = Paging::from_params(&params)?;
    let q = params.single("q")?;
    if q.is_some_and(|q| q.chars().count() > 500) {
        return Err(ApiError::BadRequest(
            "query parameter 'q' must be at most 500 characters".into(),
        ));
    }
    let search = q.map(search::fts_query);
    let sort = parse_sort(params.single("sort")?, search.is_some())?;
    let after = paging
        .cursor()
        .map(|c| position_from_cursor(c, sort))
        .transpose()?;
    let window = paging.window(after);
    let status = parse_status(params.single("status")?, caller.0.as_ref())?;
    let fields = parse_fields(params.single("fields")?, ARTICLE_FIELDS)?;
    let extras = ListExtras::from_fields(fields.as_deref());
    let tags = params.all("tag");
    if tags.len() > MAX_TAG_FILTERS {
        return Err(ApiError::BadRequest(format!(
            "query parameter 'tag' may be given at most {MAX_TAG_FILTERS} times"
        )));
    }
    let mut filter = ArticleFilter {
        tags: tags.into_iter().map(str::to_owned).collect(),
        author: params.single("author")?.map(str::to_owned),
        published_after: parse_date_param(&params, "published_after")?,
        published_before: parse_date_param(&params, "published_before")?,
        search: search.clone().flatten(),
        ..ArticleFilter::default()
    };
    // Text with no word in it matches nothing.
    let matches_nothing = matches!(search, Some(None));
    let ((mut rows, total), last_modified) = state
        .read(move |conn| {
            match &within {
                Within::All => {}
                Within::Tag(key) => {
                    let tag = tag_db::find(conn, key)?
                        .ok_or_else(|| ApiError::NotFound(format!("no tag '{key}'")))?;
                    filter.tags.push(tag.slug);
                }
                Within::Author(key) => {
                    let author = author_db::find(conn, key)?
                        .ok_or_else(|| ApiError::NotFound(format!("no author '{key}'")))?;
                    if filter.author.as_ref().is_some_and(|a| *a != author.slug) {
                        return Ok((Vec::new(), Some(0)));
                    }
                    filter.author = Some(author.slug);
                }
            }
            if matches_nothing {
                return Ok((Vec::new(), Some(0)));
            }
            let caller_visibility = visibility_for(conn, caller.0.as_ref())?;
            let visibility = match status {
                StatusFilter::Public => Visibility::Public { now: domain::now() },
                StatusFilter::Any => caller_visibility,
                StatusFilter::Stored(stored) => {
                    match caller.0.as_ref().filter(|c| !c.is_editor()) {
                        Some(contributor) => {
                            // A contributor's drafts list: their own unpublished work.
                            let own = own_author_id(conn, contributor)?.unwrap_or(-1);
                            filter.own_unpublished_of = Some(own);
                        }
                        None => filter.statuses = vec![stored.as_str()],
                    }
                    caller_visibility
                }
            };
            let Slice { rows, total } = article_db::page(conn, &filter, visibility, sort, &window)?;
            let ids: Vec<i64> = rows.iter().map(|(row, _)| row.id).collect();
            let mut embeds = Embeds::load(conn, &ids)?;
            let mut related = match extras.related {
                true => related_of(conn, &ids, visibility)?,
                false => HashMap::new(),
            };
            let items = rows
                .into_iter()
                .map(|(row, position)| {
                    (list_item(row, &mut embeds, &extras, &mut related), position)
                })
                .collect::<Vec<_>>();
            Ok((items, total))
        })
        .await?;
    let (meta, link) = paging.complete(&req, &mut rows, total, |(_, position)| {
        cursor_at(sort, position)
    });
    let data = rows
        .iter()
        .map(|(item, _)| trim_fields(item, fields.as_deref()))
        .collect::<Result<Vec<_>, _>>()?;
    let list = serde_json::json!({ "data": data, "meta": meta });
    cached_json(&req, &state.cache, last_modified, &list, link)
}

/// Articles, newest first, with filters and paging.
#[utoipa::path(get, path = "/v1/articles", tag = "articles", params(ArticleListParams),
    responses(
        (status = 200, description = "Success", body = ArticleList, headers(("Link" = String, description = "rel=\"next\" when there is a next page"))),
        ArticleListProblems, NotModified,
    ))]
pub async fn list_articles(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: MaybeCaller,
) -> Result<HttpResponse, ApiError> {
    article_list(state, req, caller, Within::All).await
}

/// One article by id or slug. Unpublished articles are 404 to those who may not see them.
#[utoipa::path(get, path = "/v1/articles/{key}", tag = "articles",
    params(
        ("key" = String, Path, description = "The article's id (all digits) or slug"),
        ("fields" = Option<String>, Query, description = "Comma-separated top-level fields to return; `id` is always included"),
    ),
    responses((status = 200, description = "The article; only the asked fields when `fields` is given", body = Article,
        headers(("ETag" = String, description = "Strong validator of this representation"),
                ("Last-Modified" = String, description = "When it may last have changed"))),
        (status = 304, description = "Not modified since the validators sent"),
        ReadProblems, NotModified))]
pub async fn find_article(
    state: web::Data<AppState>,
    req: HttpRequest,
    key: web::Path<String>,
    caller: MaybeCaller,
) -> Result<HttpResponse, ApiError> {
    let params = QueryParams::parse(&req, &["fields"])?;
    let fields = parse_fields(params.single("fields")?, ARTICLE_FIELDS)?;
    let key = Key::parse(&key);
    let (article, last_modified) = state
        .read(move |conn| {
            let visibility = visibility_for(conn, caller.0.as_ref())?;
            let row = find_visible(conn, &key, visibility)?;
            Ok(full_article(conn, row, visibility)?)
        })
        .await?;
    let body = trim_fields(&article, fields.as_deref())?;
    cached_json(&req, &state.cache, last_modified, &body, None)
}

/// The lead image in a write body. A merge patch merges its fields.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeatureImageInput {
    /// Required when the article has no image yet.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub url: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub alt: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub caption: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub credit: Patch<String>,
}

/// A curated link in an article write body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelatedInput {
    /// The linked article's slug or id.
    #[schema(example = "rivers-rising")]
    pub article: KeyRef,
    pub kind: LinkKind,
    /// Defaults per kind: "Also read", "Read next", "You might also be interested".
    pub label: Option<String>,
}

/// An article write. `title` is required for POST and PUT; PATCH takes any
/// subset (the `ArticlePatch` schema).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "Rivers rising", "body": "The water came at night...",
    "status": "published", "authors": ["ada-okafor"], "tags": ["Climate", "europe"],
    "related": [{"article": "the-dry-summer", "kind": "read_next"}]}))]
pub struct ArticleInput {
    /// 1 to 300 characters.
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1, max_length = 300)]
    pub title: Patch<String>,
    /// Derived from the title on create; never changes unless sent. At
    /// least one letter.
    #[serde(default)]
    #[schema(value_type = String, pattern = "^(?:[a-z0-9]+-)*[a-z0-9]*[a-z][a-z0-9]*(?:-[a-z0-9]+)*$", max_length = 120)]
    pub slug: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub subtitle: Patch<String>,
    /// Markdown.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub body: Patch<String>,
    /// `""` or null means derive it from the body.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub excerpt: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<FeatureImageInput>)]
    pub feature_image: Patch<FeatureImageInput>,
    /// Defaults to `draft`; PUT keeps it when left out.
    #[serde(default)]
    #[schema(value_type = Status)]
    pub status: Patch<Status>,
    /// RFC 3339 with any offset. Required for `scheduled`; defaults to now when first published.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub published_at: Patch<String>,
    /// Author slugs or ids, primary first.
    #[serde(default)]
    #[schema(value_type = Option<Vec<KeyRef>>)]
    pub authors: Patch<Vec<KeyRef>>,
    /// Tag slugs or names, primary first; an unknown name creates the tag (editors).
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>)]
    pub tags: Patch<Vec<String>>,
    /// Replaces the article's curated links, positions in list order (editors).
    #[serde(default)]
    #[schema(value_type = Option<Vec<RelatedInput>>)]
    pub related: Patch<Vec<RelatedInput>>,
}

impl WriteBody for ArticleInput {
    const FIELDS: &'static [&'static str] = &[
        "title",
        "slug",
        "subtitle",
        "body",
        "excerpt",
        "feature_image",
        "status",
        "published_at",
        "authors",
        "tags",
        "related",
    ];
    const READ_ONLY: &'static [&'static str] = &[
        "id",
        "body_html",
        "reading_time_minutes",
        "created_at",
        "updated_at",
        "primary_tag",
    ];
}

/// Who is writing, resolved once per request.
struct Writer {
    caller: Caller,
    /// The author a contributor writes as; always set for contributors.
    own_author: Option<i64>,
}

impl Writer {
    fn resolve(conn: &mut Conn, caller: Caller) -> Result<Writer, ApiError> {
        if caller.is_editor() {
            return Ok(Writer {
                caller,
                own_author: None,
            });
        }
        let own = own_author_id(conn, &caller)?.ok_or_else(|| {
            ApiError::Forbidden(
                "a contributor's token must name an existing author (the `author` claim) to write"
                    .into(),
            )
        })?;
        Ok(Writer {
            caller,
            own_author: Some(own),
        })
    }

    fn is_contributor(&self) -> bool {
        !self.caller.is_editor()
    }

    fn visibility(&self) -> Visibility {
        match self.own_author {
            Some(author_id) => Visibility::PublicAndOwn {
                now: domain::now(),
                author_id,
            },
            None => Visibility::Everything,
        }
    }
}

/// The lead image after a write, merged field by field under PATCH.
fn merge_feature_image(
    checks: &mut Checks,
    mode: WriteMode,
    input: Patch<FeatureImageInput>,
    current: Option<&ArticleRow>,
) -> [Option<String>; 4] {
    let current_fields = current.filter(|c| c.feature_image_url.is_some()).map(|c| {
        [
            c.feature_image_url.clone(),
            c.feature_image_alt.clone(),
            c.feature_image_caption.clone(),
            c.feature_image_credit.clone(),
        ]
    });
    let image = match (input, mode) {
        (Patch::Absent, WriteMode::Merge) => return current_fields.unwrap_or_default(),
        (Patch::Absent | Patch::Null, _) => return Default::default(),
        (Patch::Value(image), _) => image,
    };
    let [url, alt, caption, credit] = match mode {
        WriteMode::Merge => current_fields.unwrap_or_default(),
        _ => Default::default(),
    };
    let url = image.url.merge(url);
    let alt = image.alt.merge(alt);
    let caption = image.caption.merge(caption);
    let credit = image.credit.merge(credit);
    if url.is_none() {
        checks.fail("feature_image.url", "is required");
    }
    [
        checks.url("feature_image.url", url),
        checks.optional_text("feature_image.alt", alt, MAX_IMAGE_TEXT),
        checks.optional_text("feature_image.caption", caption, MAX_IMAGE_TEXT),
        checks.optional_text("feature_image.credit", credit, MAX_IMAGE_TEXT),
    ]
}

fn resolve_authors(conn: &mut Conn, refs: &[KeyRef]) -> Result<Vec<i64>, ApiError> {
    let mut errors = Vec::new();
    let mut ids = Vec::with_capacity(refs.len());
    for (i, reference) in refs.iter().enumerate() {
        let field = format!("authors[{i}]");
        let key = Key::from(reference);
        match author_db::find(conn, &key)? {
            None => errors.push(FieldError::new(field, format!("no author '{key}'"))),
            Some(author) if ids.contains(&author.id) => errors.push(FieldError::new(
                field,
                format!("author '{}' is listed twice", author.slug),
            )),
            Some(author) => ids.push(author.id),
        }
    }
    if errors.is_empty() {
        Ok(ids)
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Tags by slug, else by name ignoring case, else created by name (editors
/// only: a contributor naming an unknown tag is refused with 403).
fn resolve_tags(conn: &mut Conn, names: &[String], may_create: bool) -> Result<Vec<i64>, ApiError> {
    let mut ids: Vec<i64> = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let name = name.trim();
        if name.is_empty() {
            return Err(ApiError::invalid(format!("tags[{i}]"), "must not be empty"));
        }
        let tag = match tag_db::find_by_slug_or_name(conn, name)? {
            Some(tag) => tag,
            None if may_create => super::tags::create_by_name(conn, name)?,
            None => {
                return Err(ApiError::Forbidden(format!(
                    "there is no tag '{name}', and contributors may only use existing tags"
                )));
            }
        };
        if !ids.contains(&tag.id) {
            ids.push(tag.id);
        }
    }
    Ok(ids)
}

/// Resolves inline related links. A missing target or the article itself is
/// 422; the same target twice is 409.
pub fn resolve_links(
    conn: &mut Conn,
    article_id: Option<i64>,
    inputs: Vec<RelatedInput>,
) -> Result<Vec<LinkSpec>, ApiError> {
    let mut errors = Vec::new();
    let mut links: Vec<LinkSpec> = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.into_iter().enumerate() {
        let field = format!("related[{i}]");
        let key = Key::from(&input.article);
        let Some(target) = article_db::find_any(conn, &key)? else {
            errors.push(FieldError::new(
                format!("{field}.article"),
                format!("no article '{key}'"),
            ));
            continue;
        };
        if Some(target.id) == article_id {
            errors.push(FieldError::new(
                format!("{field}.article"),
                "an article cannot link to itself",
            ));
            continue;
        }
        if links.iter().any(|l| l.target_id == target.id) {
            return Err(ApiError::Conflict(format!(
                "article '{}' is linked twice",
                target.slug
            )));
        }
        let label = match label_for(input.kind, input.label) {
            Ok(label) => label,
            Err(message) => {
                errors.push(FieldError::new(format!("{field}.label"), message));
                continue;
            }
        };
        links.push(LinkSpec {
            target_id: target.id,
            kind: input.kind.as_str().to_owned(),
            label,
        });
    }
    if errors.is_empty() {
        Ok(links)
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// A link's label: given (1..120 characters), else the kind's default.
pub fn label_for(kind: LinkKind, label: Option<String>) -> Result<String, String> {
    match label.map(|l| l.trim().to_owned()) {
        None => Ok(kind.default_label().to_owned()),
        Some(l) if l.is_empty() => Ok(kind.default_label().to_owned()),
        Some(l) if l.chars().count() > MAX_LABEL || l.contains('\0') => {
            Err(format!("must be at most {MAX_LABEL} characters"))
        }
        Some(l) => Ok(l),
    }
}

/// Applies a write to what is stored (`None` on create), enforcing the
/// contract's role and publishing rules, and stores the result. Runs inside
/// the caller's transaction, so a failure at any step writes nothing.
fn save_article(
    conn: &mut Conn,
    writer: &Writer,
    input: ArticleInput,
    mode: WriteMode,
    current: Option<&ArticleRow>,
) -> Result<ArticleRow, ApiError> {
    let contributor = writer.is_contributor();
    if contributor && !input.related.is_absent() {
        return Err(ApiError::Forbidden(
            "contributors may not manage related links".into(),
        ));
    }
    let mut checks = Checks::default();

    let status = match mode.apply_kept(input.status, current.map(status_of)) {
        Some(status) => status,
        None if mode == WriteMode::Create || current.is_none() => Status::Draft,
        None => {
            checks.fail("status", "cannot be null");
            Status::Draft
        }
    };
    if contributor && status != Status::Draft {
        return Err(ApiError::Forbidden(
            "contributors may only save drafts; an editor publishes".into(),
        ));
    }

    let title = checks.required_text(
        "title",
        mode.apply(input.title, current.map(|c| c.title.clone())),
        MAX_TITLE,
    );
    let subtitle = checks.optional_text(
        "subtitle",
        mode.apply(input.subtitle, current.and_then(|c| c.subtitle.clone())),
        MAX_SUBTITLE,
    );
    let body = mode
        .apply(input.body, current.map(|c| c.body.clone()))
        .unwrap_or_default();
    if body.contains('\0') {
        checks.fail("body", "must not contain NUL characters");
    }
    let custom_excerpt = checks.optional_text(
        "excerpt",
        mode.apply(
            input.excerpt,
            current.and_then(|c| c.custom_excerpt.clone()),
        ),
        MAX_EXCERPT,
    );
    let [image_url, image_alt, image_caption, image_credit] =
        merge_feature_image(&mut checks, mode, input.feature_image, current);

    let published_at = match input.published_at {
        Patch::Value(text) => match parse_timestamp(&text) {
            Ok(t) => Some(t),
            Err(message) => {
                checks.fail("published_at", message);
                None
            }
        },
        Patch::Null => None,
        Patch::Absent => current.and_then(|c| c.published_at),
    };
    let published_at = match status {
        Status::Draft => published_at,
        Status::Published => Some(published_at.unwrap_or_else(domain::now)),
        Status::Scheduled => {
            if published_at.is_none() && checks.is_clean() {
                checks.fail("published_at", "is required to schedule an article");
            }
            published_at
        }
    };

    let slug_input = checks.slug_input(input.slug);

    // Credits: left out, a contributor is credited as themselves.
    let authors = match input.authors {
        Patch::Absent if mode == WriteMode::Merge => None,
        Patch::Value(refs) => Some(refs),
        _ => Some(match writer.own_author {
            Some(own) => vec![KeyRef::Id(own)],
            None => Vec::new(),
        }),
    };
    checks.finish()?;

    let current_id = current.map(|c| c.id);
    let author_ids = authors
        .map(|refs| resolve_authors(conn, &refs))
        .transpose()?;
    if let (Some(own), Some(ids)) = (writer.own_author, &author_ids)
        && ids.as_slice() != [own]
    {
        return Err(ApiError::Forbidden(
            "contributors may credit only their own author".into(),
        ));
    }
    let tag_ids = match input.tags {
        Patch::Absent if mode == WriteMode::Merge => None,
        Patch::Value(names) => Some(resolve_tags(conn, &names, !contributor)?),
        _ => Some(Vec::new()),
    };
    let links = match input.related {
        Patch::Absent if mode == WriteMode::Merge || contributor => None,
        Patch::Value(inputs) => Some(resolve_links(conn, current_id, inputs)?),
        _ => Some(Vec::new()),
    };

    if status != Status::Draft {
        let mut checks = Checks::default();
        if body.trim().is_empty() {
            checks.fail("body", "must not be empty to publish or schedule");
        }
        let credited = match (&author_ids, current_id) {
            (Some(ids), _) => !ids.is_empty(),
            (None, Some(id)) => !article_db::author_ids_of(conn, id)?.is_empty(),
            (None, None) => false,
        };
        if !credited {
            checks.fail(
                "authors",
                "at least one author is needed to publish or schedule",
            );
        }
        checks.finish()?;
    }

    let slug = match (slug_input, current) {
        (Some(slug), _) => {
            if article_db::slug_taken(conn, slug.as_str(), current_id)? {
                return Err(ApiError::Conflict(format!(
                    "the slug '{slug}' is already taken"
                )));
            }
            slug.into_string()
        }
        (None, Some(current)) => current.slug.clone(),
        (None, None) => slugs::first_free(&Slug::derive(&title, "article"), |s| {
            article_db::slug_taken(conn, s, None)
        })?
        .into_string(),
    };

    let plain = markdown::plain_text(&body);
    let values = ArticleValues {
        slug,
        title,
        subtitle,
        body_html: markdown::render_html(&body),
        excerpt: custom_excerpt
            .clone()
            .unwrap_or_else(|| markdown::derive_excerpt(&plain)),
        reading_time_minutes: markdown::reading_time_minutes(&plain),
        body,
        custom_excerpt,
        feature_image_url: image_url,
        feature_image_alt: image_alt,
        feature_image_caption: image_caption,
        feature_image_credit: image_credit,
        status: status.as_str().to_owned(),
        published_at,
        updated_at: domain::now(),
    };
    let row = match current_id {
        Some(id) => article_db::update(conn, id, &values)?,
        None => article_db::insert(conn, &values)?,
    };
    if let Some(ids) = author_ids {
        article_db::replace_authors(conn, row.id, &ids)?;
    }
    if let Some(ids) = tag_ids {
        article_db::replace_tags(conn, row.id, &ids)?;
    }
    if let Some(links) = links {
        link_db::replace_links(conn, row.id, &links)?;
    }
    Ok(row)
}

/// Creates an article with an editor's rights, outside any request: what
/// the demo newsroom loads through, so that it obeys every write rule.
pub fn insert_article(conn: &mut Conn, input: ArticleInput) -> Result<ArticleRow, ApiError> {
    let writer = Writer {
        caller: Caller {
            subject: "masthead".into(),
            role: Role::Admin,
            author: None,
        },
        own_author: None,
    };
    save_article(conn, &writer, input, WriteMode::Create, None)
}

/// The article a writer may change: 404 when they may not see it, 403 when
/// they may see it but not change it (a contributor and a non-draft).
fn editable(conn: &mut Conn, writer: &Writer, key: &Key) -> Result<ArticleRow, ApiError> {
    let row = find_visible(conn, key, writer.visibility())?;
    if writer.is_contributor() {
        let own = writer.own_author.is_some_and(|own| {
            article_db::author_ids_of(conn, row.id).is_ok_and(|ids| ids.contains(&own))
        });
        if !own || status_of(&row) != Status::Draft {
            return Err(ApiError::Forbidden(
                "contributors may edit only their own drafts".into(),
            ));
        }
    }
    Ok(row)
}

/// Creates an article. Contributors create drafts credited to themselves.
#[utoipa::path(post, path = "/v1/articles", tag = "articles", request_body = ArticleInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Article, headers(("Location" = String, description = "The new article's URL"))),
        CreateProblems,
    ))]
pub async fn create_article(
    state: web::Data<AppState>,
    caller: RequireCaller,
    _no_query: NoQuery,
    body: JsonBody<ArticleInput>,
) -> Result<HttpResponse, ApiError> {
    let article = state
        .db
        .run(move |conn| {
            db::write_transaction(conn, |conn| {
                let writer = Writer::resolve(conn, caller.0)?;
                let row = save_article(conn, &writer, body.0, WriteMode::Create, None)?;
                Ok::<_, ApiError>(full_article(conn, row, writer.visibility())?)
            })
        })
        .await?;
    json_created(format!("/v1/articles/{}", article.id), &article)
}

async fn write_article(
    state: web::Data<AppState>,
    caller: RequireCaller,
    key: String,
    input: ArticleInput,
    mode: WriteMode,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let key = Key::parse(&key);
    let article = state
        .db
        .run(move |conn| {
            db::write_transaction(conn, |conn| {
                let writer = Writer::resolve(conn, caller.0)?;
                let current = editable(conn, &writer, &key)?;
                if_match.check(|| Ok(full_article(conn, current.clone(), writer.visibility())?))?;
                let row = save_article(conn, &writer, input, mode, Some(&current))?;
                Ok::<_, ApiError>(full_article(conn, row, writer.visibility())?)
            })
        })
        .await?;
    json_ok(&article)
}

/// Replaces an article: left-out optional fields become null or empty, except
/// `slug`, `status` and `published_at`, which are kept.
#[utoipa::path(put, path = "/v1/articles/{key}", tag = "articles", request_body = ArticleInput,
    params(("key" = String, Path, description = "The article's id or slug"), ("If-Match" = Option<String>, Header, description = "Only change it if its current ETag is one of these (or `*`); 412 otherwise")),
    security(("bearer" = [])),
    responses((status = 200, description = "Success", body = Article), UpdateProblems))]
pub async fn replace_article(
    state: web::Data<AppState>,
    caller: RequireCaller,
    _no_query: NoQuery,
    key: web::Path<String>,
    body: JsonBody<ArticleInput>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    write_article(
        state,
        caller,
        key.into_inner(),
        body.0,
        WriteMode::Replace,
        if_match,
    )
    .await
}

/// Changes some fields of an article (JSON merge patch: `null` clears).
#[utoipa::path(patch, path = "/v1/articles/{key}", tag = "articles",
    request_body(content((ArticleInput = "application/json"), (ArticleInput = "application/merge-patch+json"))),
    params(("key" = String, Path, description = "The article's id or slug"), ("If-Match" = Option<String>, Header, description = "Only change it if its current ETag is one of these (or `*`); 412 otherwise")),
    security(("bearer" = [])),
    responses((status = 200, description = "Success", body = Article), UpdateProblems))]
pub async fn update_article(
    state: web::Data<AppState>,
    caller: RequireCaller,
    _no_query: NoQuery,
    key: web::Path<String>,
    body: JsonBody<ArticleInput>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    write_article(
        state,
        caller,
        key.into_inner(),
        body.0,
        WriteMode::Merge,
        if_match,
    )
    .await
}

/// Deletes an article and every link to or from it. Editors and admins.
#[utoipa::path(delete, path = "/v1/articles/{key}", tag = "articles",
    params(("key" = String, Path, description = "The article's id or slug"), ("If-Match" = Option<String>, Header, description = "Only change it if its current ETag is one of these (or `*`); 412 otherwise")),
    security(("bearer" = [])),
    responses((status = 204, description = "Deleted"), DeleteProblems))]
pub async fn delete_article(
    state: web::Data<AppState>,
    caller: RequireCaller,
    _no_query: NoQuery,
    key: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let key = Key::parse(&key);
    state
        .db
        .run(move |conn| {
            db::write_transaction(conn, |conn| {
                let writer = Writer::resolve(conn, caller.0)?;
                let row = find_visible(conn, &key, writer.visibility())?;
                if writer.is_contributor() {
                    return Err(ApiError::Forbidden(
                        "deleting articles needs the editor or admin role".into(),
                    ));
                }
                if_match.check(|| Ok(full_article(conn, row.clone(), writer.visibility())?))?;
                link_db::unlink_target(conn, row.id)?;
                article_db::delete(conn, row.id)?;
                Ok(())
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_parse_with_direction() {
        assert_eq!(parse_sort(None, false).unwrap(), Sort::default());
        assert_eq!(parse_sort(None, true).unwrap().field, SortField::Relevance);
        let s = parse_sort(Some("title"), false).unwrap();
        assert_eq!((s.field, s.descending), (SortField::Title, false));
        assert!(parse_sort(Some("id"), false).is_err());
        assert!(parse_sort(Some("relevance"), false).is_err());
    }

    #[test]
    fn labels_default_per_kind() {
        assert_eq!(label_for(LinkKind::AlsoRead, None).unwrap(), "Also read");
        assert_eq!(
            label_for(LinkKind::ReadNext, Some("  ".into())).unwrap(),
            "Read next"
        );
        assert!(label_for(LinkKind::ReadNext, Some("x".repeat(121))).is_err());
    }
}
