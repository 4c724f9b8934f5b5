//! `/v1/sections`: a homepage in one request. The sections are the tags
//! that are some public article's primary tag, in the order editors give
//! them (`section_position`), each with its newest public articles; the
//! newest articles of all (`latest`) may come first, and `dedupe=true`
//! keeps every article to one block.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::articles::{ArticleListItem, LIST_INCLUDES, list_items, parse_include};
use crate::db::articles::{self as article_db, ArticleFilter, Sort};
use crate::db::sections as section_db;
use crate::db::visibility::Visibility;
use crate::db::{Conn, Window};
use crate::domain;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::auth::MaybeCaller;
use crate::http::caching::cached_json;
use crate::http::query::QueryParams;
use crate::http::responses::{ListProblems, NotModified};

const MAX_PER_SECTION: i64 = 20;
const DEFAULT_PER_SECTION: i64 = 4;
const MAX_LATEST: i64 = 50;
const MAX_SECTIONS: i64 = 100;
const DEFAULT_SECTIONS: i64 = 20;

/// A homepage: the latest articles, then one block per section.
#[derive(Debug, Serialize, ToSchema)]
pub struct SectionList {
    /// Only with `latest`: the newest public articles of all sections.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest: Option<Vec<ArticleListItem>>,
    /// The sections, ordered by `section_position`, the others by name.
    pub data: Vec<Section>,
}

/// A tag used as some public article's primary tag, with its newest articles.
#[derive(Debug, Serialize, ToSchema)]
pub struct Section {
    pub id: i64,
    #[schema(example = "climate")]
    pub slug: String,
    #[schema(example = "Climate")]
    pub name: String,
    pub description: Option<String>,
    pub section_position: Option<i32>,
    /// The newest public articles whose primary tag this is (`articles`).
    pub articles: Vec<ArticleListItem>,
}

/// The query string as the OpenAPI document describes it. Never built: the
/// handler reads the query with `QueryParams`, which refuses unknown names.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct SectionParams {
    /// How many sections, 1 to 100 (default 20): the first in the editors' order.
    #[param(minimum = 1, maximum = 100)]
    sections: Option<i64>,
    /// Articles per section, 0 to 20 (default 4).
    #[param(minimum = 0, maximum = 20)]
    articles: Option<i64>,
    /// The newest public articles of all sections to put first, 0 to 50
    /// (default 0: no `latest`).
    #[param(minimum = 0, maximum = 50)]
    latest: Option<i64>,
    /// `true`: an article in `latest` is left out of its section's block.
    #[param(pattern = "^(true|false)$")]
    dedupe: Option<String>,
    /// `authors.full`: each author's bio, website and social links.
    include: Option<String>,
}

/// A homepage in one request: the latest articles and every section with
/// its newest articles, as the public sees them.
#[utoipa::path(get, path = "/v1/sections", tag = "sections", params(SectionParams),
    responses((status = 200, description = "Success", body = SectionList), ListProblems, NotModified))]
pub async fn list_sections(
    state: web::Data<AppState>,
    req: HttpRequest,
    _caller: MaybeCaller,
) -> Result<HttpResponse, ApiError> {
    let params = QueryParams::parse(
        &req,
        &["sections", "articles", "latest", "dedupe", "include"],
    )?;
    let section_count = params
        .int_in("sections", 1, MAX_SECTIONS)?
        .unwrap_or(DEFAULT_SECTIONS);
    let per_section = params
        .int_in("articles", 0, MAX_PER_SECTION)?
        .unwrap_or(DEFAULT_PER_SECTION);
    let latest = params.int_in("latest", 0, MAX_LATEST)?.unwrap_or(0);
    let dedupe = match params.single("dedupe")? {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            return Err(ApiError::BadRequest(
                "query parameter 'dedupe' must be true or false".into(),
            ));
        }
    };
    let full_authors = parse_include(params.single("include")?, LIST_INCLUDES, 0, 0)?.authors_full;
    let (list, last_modified) = state
        .read(&req, move |conn| {
            let shape = Homepage {
                sections: section_count,
                per_section,
                latest,
                dedupe,
                full_authors,
            };
            homepage(conn, shape).map_err(ApiError::from)
        })
        .await?;
    cached_json(&req, &state.cache, last_modified, &list, None)
}

/// What a homepage request asks for.
#[derive(Debug, Clone, Copy)]
struct Homepage {
    sections: i64,
    per_section: i64,
    latest: i64,
    dedupe: bool,
    full_authors: bool,
}

/// The homepage in a fixed number of statements: latest, sections, their
/// ranked articles, the rows and their embeds.
fn homepage(conn: &mut Conn, shape: Homepage) -> crate::db::QueryResult<SectionList> {
    let Homepage {
        sections: section_count,
        per_section,
        latest,
        dedupe,
        full_authors,
    } = shape;
    let now = domain::now();
    let public = Visibility::Public { now };
    let latest_ids: Vec<i64> = match latest {
        0 => Vec::new(),
        limit => {
            let window = Window::After { limit, after: None };
            let filter = ArticleFilter::default();
            article_db::page(conn, &filter, public, Sort::default(), &window, false)?
                .rows
                .into_iter()
                .map(|(row, _)| row.id)
                .collect()
        }
    };
    let sections = section_db::sections(conn, now, section_count)?;
    let tag_ids: Vec<i64> = sections.iter().map(|t| t.id).collect();
    let exclude = if dedupe { latest_ids.as_slice() } else { &[] };
    let ranked = section_db::newest_per_section(conn, &tag_ids, per_section, exclude, now)?;

    let mut wanted: Vec<i64> = latest_ids.clone();
    wanted.extend(ranked.iter().map(|(_, article)| *article));
    wanted.sort_unstable();
    wanted.dedup();
    let rows = article_db::visible_by_ids(conn, &wanted, public)?;
    let mut items: HashMap<i64, ArticleListItem> = list_items(conn, rows, full_authors)?
        .into_iter()
        .map(|item| (item.id, item))
        .collect();
    let mut take = |id: i64, shared: bool| match shared {
        true => items.get(&id).cloned(),
        false => items.remove(&id),
    };
    // Without dedupe an article may stand in `latest` and in its section.
    let latest_items = (latest > 0).then(|| {
        latest_ids
            .iter()
            .filter_map(|id| take(*id, !dedupe))
            .collect::<Vec<_>>()
    });
    let mut by_section: HashMap<i64, Vec<ArticleListItem>> = HashMap::new();
    for (tag, article) in ranked {
        if let Some(item) = take(article, false) {
            by_section.entry(tag).or_default().push(item);
        }
    }
    Ok(SectionList {
        latest: latest_items,
        data: sections
            .into_iter()
            .map(|tag| Section {
                articles: by_section.remove(&tag.id).unwrap_or_default(),
                id: tag.id,
                slug: tag.slug,
                name: tag.name,
                description: tag.description,
                section_position: tag.section_position,
            })
            .collect(),
    })
}
