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

use crate::api::media::Picture;
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
    /// The media item, when the image is one of ours; then `alt`, `caption`
    /// and `credit` fall back to the item's, and the fields below are set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media: Option<i64>,
    /// In pixels: give them to `<img>` so the page does not shift.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// The type `url` serves.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mime: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub focal: Option<crate::content::media::Focal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<crate::api::media::Placeholder>,
    /// Smaller sizes for `srcset`, narrowest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renditions: Option<Vec<crate::api::media::RenditionLink>>,
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
    /// The curated links the caller may see, by position; with
    /// `include=related.suggested`, suggestions follow (`position: null`).
    pub related: Vec<RelatedLink>,
    /// Only with `include=related.groups`: `related` grouped by kind, in the
    /// order each kind first appears, each group with its heading.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related_groups: Option<Vec<RelatedGroup>>,
    /// Only with `include=more_in_section`: the newest other public articles
    /// whose primary tag is this article's (`more`, default 4).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub more_in_section: Option<Vec<ArticleSummary>>,
    /// The `<title>` an editor set; null: `seo.meta_title` falls back to `title`.
    pub meta_title: Option<String>,
    /// The meta description an editor set; null: falls back to `excerpt`.
    pub meta_description: Option<String>,
    /// The social card title an editor set; null: falls back to `meta_title`, then `title`.
    pub og_title: Option<String>,
    /// The social card text an editor set; null: falls back to `meta_description`, then `excerpt`.
    pub og_description: Option<String>,
    /// The social card image an editor set; null: falls back to the feature image.
    pub og_image: Option<String>,
    /// Where the article canonically lives, when an editor set it.
    pub canonical_url: Option<String>,
    /// What a page's `<head>` shows, every fallback applied.
    pub seo: Seo,
}

/// A page's `<head>`: what the editor set, else the fallbacks.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Seo {
    /// `meta_title`, else `title`.
    pub meta_title: String,
    /// `meta_description`, else `excerpt`.
    pub meta_description: String,
    /// `og_title`, else `meta_title`, else `title`.
    pub og_title: String,
    /// `og_description`, else `meta_description`, else `excerpt`.
    pub og_description: String,
    /// `og_image`, else the feature image's URL.
    pub og_image: Option<String>,
    /// `canonical_url` when set.
    pub canonical_url: Option<String>,
}

impl Seo {
    fn of(row: &ArticleRow) -> Seo {
        let meta_title = row.meta_title.clone().unwrap_or_else(|| row.title.clone());
        let meta_description = row
            .meta_description
            .clone()
            .unwrap_or_else(|| row.excerpt.clone());
        Seo {
            og_title: row.og_title.clone().unwrap_or_else(|| meta_title.clone()),
            og_description: row
                .og_description
                .clone()
                .unwrap_or_else(|| meta_description.clone()),
            og_image: row
                .og_image
                .clone()
                .or_else(|| row.feature_image_url.clone()),
            canonical_url: row.canonical_url.clone(),
            meta_title,
            meta_description,
        }
    }
}

/// The related links of one kind, under the heading a page shows for it.
/// A link's own `label` still wins where an editor set one.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RelatedGroup {
    pub kind: RelatedKind,
    #[schema(example = "Read next")]
    pub heading: String,
    pub links: Vec<RelatedLink>,
}

/// An article in a list: everything but `body`, `body_html` and `related`.
#[derive(Debug, Clone, Serialize, ToSchema)]
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
    /// Only when `fields` asks for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub meta_title: Option<Option<String>>,
    /// Only when `fields` asks for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub meta_description: Option<Option<String>>,
    /// Only when `fields` asks for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub og_title: Option<Option<String>>,
    /// Only when `fields` asks for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub og_description: Option<Option<String>>,
    /// Only when `fields` asks for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub og_image: Option<Option<String>>,
    /// Only when `fields` asks for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub canonical_url: Option<Option<String>>,
    /// Only when `fields` asks for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seo: Option<Seo>,
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

impl RelatedKind {
    /// The heading a page shows over the links of this kind.
    pub fn heading(self) -> &'static str {
        match self {
            RelatedKind::AlsoRead => LinkKind::AlsoRead.default_label(),
            RelatedKind::ReadNext => LinkKind::ReadNext.default_label(),
            RelatedKind::Recommended => LinkKind::Recommended.default_label(),
            RelatedKind::Suggested => "Suggested",
        }
    }
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

fn feature_image(row: &ArticleRow, pictures: &HashMap<i64, Picture>) -> Option<FeatureImage> {
    let picture = row.feature_media_id.and_then(|id| pictures.get(&id));
    if let Some(picture) = picture {
        return Some(FeatureImage {
            url: picture.url.clone(),
            alt: row
                .feature_image_alt
                .clone()
                .or_else(|| picture.alt.clone()),
            caption: row
                .feature_image_caption
                .clone()
                .or_else(|| picture.caption.clone()),
            credit: row
                .feature_image_credit
                .clone()
                .or_else(|| picture.credit.clone()),
            media: Some(picture.id),
            width: Some(picture.width),
            height: Some(picture.height),
            mime: Some(picture.mime.clone()),
            focal: Some(picture.focal),
            placeholder: Some(picture.placeholder.clone()),
            renditions: Some(picture.renditions.clone()),
        });
    }
    row.feature_image_url.as_ref().map(|url| FeatureImage {
        url: url.clone(),
        alt: row.feature_image_alt.clone(),
        caption: row.feature_image_caption.clone(),
        credit: row.feature_image_credit.clone(),
        media: None,
        width: None,
        height: None,
        mime: None,
        focal: None,
        placeholder: None,
        renditions: None,
    })
}

/// The media items these articles' feature images name, in one statement
/// (none when no image is a media item).
fn feature_pictures(conn: &mut Conn, rows: &[ArticleRow]) -> QueryResult<HashMap<i64, Picture>> {
    crate::api::media::pictures(conn, rows.iter().filter_map(|row| row.feature_media_id))
}

/// Authors and tags of many articles, in two queries whatever their number.
struct Embeds {
    authors: HashMap<i64, Vec<AuthorSummary>>,
    tags: HashMap<i64, Vec<TagSummary>>,
    /// The feature images and avatars that are media items, by media id.
    pictures: HashMap<i64, Picture>,
}

impl Embeds {
    /// `full_authors` embeds each author's profile (`include=authors.full`),
    /// from the same rows: it costs no statement more.
    fn load<'a>(
        conn: &mut Conn,
        rows: impl Iterator<Item = &'a ArticleRow> + Clone,
        full_authors: bool,
    ) -> QueryResult<Embeds> {
        let ids: Vec<i64> = rows.clone().map(|row| row.id).collect();
        let credited = article_db::authors_of(conn, &ids)?;
        // Feature images and avatars in one statement: both are media items.
        let pictures = crate::api::media::pictures(
            conn,
            rows.filter_map(|row| row.feature_media_id)
                .chain(credited.iter().filter_map(|(_, row)| row.avatar_media_id)),
        )?;
        let mut authors: HashMap<i64, Vec<AuthorSummary>> = HashMap::new();
        for (article_id, row) in credited {
            authors
                .entry(article_id)
                .or_default()
                .push(AuthorSummary::of(&row, full_authors, &pictures));
        }
        Ok(Embeds {
            authors,
            tags: Self::tags(conn, &ids)?,
            pictures,
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
    let page = extras.page;
    ArticleListItem {
        seo: page.then(|| Seo::of(&row)),
        meta_title: page.then(|| row.meta_title.clone()),
        meta_description: page.then(|| row.meta_description.clone()),
        og_title: page.then(|| row.og_title.clone()),
        og_description: page.then(|| row.og_description.clone()),
        og_image: page.then(|| row.og_image.clone()),
        canonical_url: page.then(|| row.canonical_url.clone()),
        related: extras
            .related
            .then(|| related.remove(&row.id).unwrap_or_default()),
        body_html: extras.body_html.then(|| row.body_html.clone()),
        body: extras.body.then(|| row.body.clone()),
        id: row.id,
        feature_image: feature_image(&row, &embeds.pictures),
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

/// List items of these rows, in their order, with the default fields (and
/// each author's profile when `full_authors`): two statements.
pub fn list_items(
    conn: &mut Conn,
    rows: Vec<ArticleRow>,
    full_authors: bool,
) -> QueryResult<Vec<ArticleListItem>> {
    let mut embeds = Embeds::load(conn, rows.iter(), full_authors)?;
    let extras = ListExtras::default();
    let mut no_links = HashMap::new();
    Ok(rows
        .into_iter()
        .map(|row| list_item(row, &mut embeds, &extras, &mut no_links))
        .collect())
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
    Ok(summaries_of(conn, rows)?
        .into_iter()
        .map(|summary| (summary.id, summary))
        .collect())
}

/// Summaries of these rows, in their order, with one query for their tags.
fn summaries_of(conn: &mut Conn, rows: Vec<ArticleRow>) -> QueryResult<Vec<ArticleSummary>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut tags = Embeds::tags(conn, &ids)?;
    let pictures = feature_pictures(conn, &rows)?;
    Ok(rows
        .into_iter()
        .map(|row| ArticleSummary {
            id: row.id,
            feature_image: feature_image(&row, &pictures),
            primary_tag: tags.remove(&row.id).and_then(|t| t.into_iter().next()),
            slug: row.slug,
            title: row.title,
            excerpt: row.excerpt,
            published_at: row.published_at.map(format_timestamp),
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

/// What `include=` asks a read to embed beyond the default shape.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Includes {
    pub authors_full: bool,
    /// How many suggestions follow the curated links (`related.suggested`).
    pub suggested: Option<i64>,
    pub related_groups: bool,
    /// How many articles of the same section (`more_in_section`).
    pub more_in_section: Option<i64>,
}

impl Includes {
    /// The top-level fields these includes add, kept by `fields` too.
    pub fn fields(&self) -> Vec<&'static str> {
        let mut fields = Vec::new();
        if self.authors_full {
            fields.push("authors");
        }
        if self.suggested.is_some() {
            fields.push("related");
        }
        if self.related_groups {
            fields.push("related_groups");
        }
        if self.more_in_section.is_some() {
            fields.push("more_in_section");
        }
        fields
    }
}

/// The whole article as the viewer may see it, in a fixed number of queries.
pub fn full_article(
    conn: &mut Conn,
    row: ArticleRow,
    visibility: Visibility,
) -> QueryResult<Article> {
    full_article_with(conn, row, visibility, Includes::default())
}

/// The whole article with what `include=` asks for; still a fixed number
/// of queries, a few more per include.
pub fn full_article_with(
    conn: &mut Conn,
    row: ArticleRow,
    visibility: Visibility,
    includes: Includes,
) -> QueryResult<Article> {
    let mut embeds = Embeds::load(conn, std::iter::once(&row), includes.authors_full)?;
    let mut related = visible_links(conn, row.id, visibility)?;
    if let Some(limit) = includes.suggested {
        related.extend(suggestions(conn, row.id, visibility, limit)?);
    }
    let tags = embeds.tags_of(row.id);
    let primary_tag = tags.first().cloned();
    let more_in_section = match (includes.more_in_section, &primary_tag) {
        (None, _) => None,
        (Some(_), None) => Some(Vec::new()),
        (Some(limit), Some(section)) => {
            Some(newest_in_section(conn, &section.slug, row.id, limit)?)
        }
    };
    Ok(Article {
        seo: Seo::of(&row),
        id: row.id,
        feature_image: feature_image(&row, &embeds.pictures),
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
        primary_tag,
        tags,
        related_groups: includes.related_groups.then(|| groups(&related)),
        related,
        more_in_section,
        meta_title: row.meta_title,
        meta_description: row.meta_description,
        og_title: row.og_title,
        og_description: row.og_description,
        og_image: row.og_image,
        canonical_url: row.canonical_url,
    })
}

/// Links grouped by kind, in the order each kind first appears.
fn groups(links: &[RelatedLink]) -> Vec<RelatedGroup> {
    let mut groups: Vec<RelatedGroup> = Vec::new();
    for link in links {
        match groups.iter_mut().find(|g| g.kind == link.kind) {
            Some(group) => group.links.push(link.clone()),
            None => groups.push(RelatedGroup {
                kind: link.kind,
                heading: link.kind.heading().to_owned(),
                links: vec![link.clone()],
            }),
        }
    }
    groups
}

/// The newest public articles of a section other than `except`.
fn newest_in_section(
    conn: &mut Conn,
    section: &str,
    except: i64,
    limit: i64,
) -> QueryResult<Vec<ArticleSummary>> {
    let filter = ArticleFilter {
        primary_tag: Some(section.to_owned()),
        exclude_ids: vec![except],
        ..ArticleFilter::default()
    };
    let window = crate::db::Window::After { limit, after: None };
    let public = Visibility::Public { now: domain::now() };
    let slice = article_db::page(conn, &filter, public, Sort::default(), &window, false)?;
    let rows = slice.rows.into_iter().map(|(row, _)| row).collect();
    summaries_of(conn, rows)
}

/// Up to `limit` visible articles sharing the most tags with `article_id`,
/// newest first among ties, never the article itself or one already linked.
pub fn suggestions(
    conn: &mut Conn,
    article_id: i64,
    visibility: Visibility,
    limit: i64,
) -> QueryResult<Vec<RelatedLink>> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    // Candidates are ranked on their ids and dates alone, and only the
    // winners are read whole: a popular tag shares thousands of articles,
    // and reading every candidate's body cost megabytes a request.
    let shared: HashMap<i64, i64> = link_db::tag_neighbours(conn, article_id)?
        .into_iter()
        .collect();
    let ids: Vec<i64> = shared.keys().copied().collect();
    let mut ranked = article_db::visible_publication_times(conn, &ids, visibility)?;
    ranked.sort_by(|a, b| {
        shared[&b.0]
            .cmp(&shared[&a.0])
            .then_with(|| b.1.cmp(&a.1))
            .then_with(|| b.0.cmp(&a.0))
    });
    ranked.truncate(limit as usize);
    let winners: Vec<i64> = ranked.iter().map(|(id, _)| *id).collect();
    let mut found = summaries(conn, &winners, visibility)?;
    Ok(winners
        .iter()
        .filter_map(|id| found.remove(id))
        .map(|article| RelatedLink {
            kind: RelatedKind::Suggested,
            label: RelatedKind::Suggested.heading().into(),
            position: None,
            article,
        })
        .collect())
}
