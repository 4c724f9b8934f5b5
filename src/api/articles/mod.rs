//! Articles: what they look like on the wire and how they are assembled
//! from rows in a fixed number of queries. Reads (the list query, the
//! detail) are in `read`; writes (roles, drafts and publishing, slugs,
//! credits, tags and inline related links) are in `write`.

mod read;
mod write;

pub use read::*;
pub use write::*;

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::api::resource::ResourceKey;
use crate::api::summaries::{AuthorSummary, TagSummary};
use crate::auth::Caller;
use crate::content::articles::status_of;
use crate::content::{find_visible, own_author_id, visibility_for};
use crate::db::articles::{
    self as article_db, ArticleFilter, ArticleRow, Position, Sort, SortField, SortKey,
};
use crate::db::links as link_db;
use crate::db::visibility::Visibility;
use crate::db::{Conn, QueryResult, Slice, authors as author_db, search, tags as tag_db};
use crate::domain::{
    self, Key, LinkKind, Role, Status, WriteMode, echo, format_timestamp, parse_timestamp,
};
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::auth::MaybeCaller;
use crate::http::caching::cached_json;
use crate::http::query::{Cursor, PageMeta, PageParams, Paging, QueryParams};
use crate::http::responses::{ArticleListProblems, NotModified, ReadProblems};

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

/// Authors and tags of many articles, in two queries whatever their number.
struct Embeds {
    authors: HashMap<i64, Vec<AuthorSummary>>,
    tags: HashMap<i64, Vec<TagSummary>>,
}

impl Embeds {
    fn load(conn: &mut Conn, ids: &[i64]) -> QueryResult<Embeds> {
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

    fn tags(conn: &mut Conn, ids: &[i64]) -> QueryResult<HashMap<i64, Vec<TagSummary>>> {
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
) -> QueryResult<HashMap<i64, ArticleSummary>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = article_db::visible_by_ids(conn, ids, visibility)?;
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
) -> QueryResult<HashMap<i64, Vec<RelatedLink>>> {
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
) -> QueryResult<Vec<RelatedLink>> {
    Ok(related_of(conn, &[article_id], visibility)?
        .remove(&article_id)
        .unwrap_or_default())
}

/// The whole article as the viewer may see it, in a fixed number of queries.
pub fn full_article(
    conn: &mut Conn,
    row: ArticleRow,
    visibility: Visibility,
) -> QueryResult<Article> {
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
