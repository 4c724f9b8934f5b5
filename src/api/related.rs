//! Related links as their own sub-resource: `/v1/articles/{key}/related`.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::articles::{
    KeyRef, RelatedKind, RelatedLink, find_visible, label_for, summaries, visible_links,
};
use super::body::{JsonBody, Patch, WriteBody};
use super::caching::cached_json;
use super::query::{NoQuery, QueryParams};
use super::{AppState, json_created, json_ok, visibility_for};
use crate::auth::{MaybeCaller, RequireCaller};
use crate::db::Conn;
use crate::db::articles::{self as article_db, ArticleRow};
use crate::db::links::{self as link_db, LinkSpec};
use crate::db::schema::{article_links, article_tags, articles};
use crate::db::visibility::Visibility;
use crate::domain::{self, Key, LinkKind};
use crate::error::{ApiError, FieldError};
use crate::openapi::{CreateProblems, DeleteProblems, NotModified, ReadProblems, UpdateProblems};

const MAX_SUGGEST: i64 = 20;

#[derive(Debug, Serialize, ToSchema)]
pub struct RelatedList {
    /// Curated links by position, then any suggestions (`position: null`).
    pub data: Vec<RelatedLink>,
}

/// A new link.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"article": "the-dry-summer", "kind": "read_next", "position": 1}))]
pub struct NewRelatedLink {
    /// The linked article's slug or id.
    #[schema(required = true)]
    pub article: Option<KeyRef>,
    #[schema(required = true, value_type = LinkKind)]
    pub kind: Option<LinkKind>,
    /// Defaults per kind: "Also read", "Read next", "You might also be interested".
    pub label: Option<String>,
    /// 1 to n+1; the others move down. Default: at the end.
    #[serde(default, deserialize_with = "super::body::optional_whole_number")]
    #[schema(minimum = 1)]
    pub position: Option<i64>,
}

impl WriteBody for NewRelatedLink {
    const FIELDS: &'static [&'static str] = &["article", "kind", "label", "position"];
    const READ_ONLY: &'static [&'static str] = &[];
}

/// A change to a link: any subset; `label: null` restores the kind's default.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelatedLinkChange {
    #[serde(default)]
    #[schema(value_type = LinkKind)]
    pub kind: Patch<LinkKind>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub label: Patch<String>,
    /// 1 to n; the others move to make room.
    #[serde(default, deserialize_with = "super::body::patch_whole_number")]
    #[schema(value_type = i64, minimum = 1)]
    pub position: Patch<i64>,
}

impl WriteBody for RelatedLinkChange {
    const FIELDS: &'static [&'static str] = &["kind", "label", "position"];
    const READ_ONLY: &'static [&'static str] = &["article"];
}

/// Up to `limit` visible articles sharing the most tags with `article_id`,
/// newest first among ties, never the article itself or one already linked.
fn suggestions(
    conn: &mut Conn,
    article_id: i64,
    visibility: Visibility,
    limit: i64,
) -> QueryResult<Vec<RelatedLink>> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    let own = diesel::alias!(article_tags as own_tags);
    let own_tags = own
        .filter(own.field(article_tags::article_id).eq(article_id))
        .select(own.field(article_tags::tag_id));
    let linked = article_links::table
        .filter(article_links::article_id.eq(article_id))
        .select(article_links::target_id);
    // Candidates the viewer may not see are dropped by `summaries` below.
    let shared: Vec<(i64, i64)> = article_tags::table
        .filter(article_tags::tag_id.eq_any(own_tags))
        .filter(article_tags::article_id.ne(article_id))
        .filter(article_tags::article_id.ne_all(linked))
        .group_by(article_tags::article_id)
        .select((article_tags::article_id, diesel::dsl::count_star()))
        .load(conn)?;
    let shared: HashMap<i64, i64> = shared.into_iter().collect();
    let ids: Vec<i64> = shared.keys().copied().collect();
    let mut candidates: Vec<_> = summaries(conn, &ids, visibility)?.into_values().collect();
    // RFC 3339 UTC strings of one format sort like the moments they name.
    candidates.sort_by(|a, b| {
        shared[&b.id]
            .cmp(&shared[&a.id])
            .then_with(|| b.published_at.cmp(&a.published_at))
            .then_with(|| b.id.cmp(&a.id))
    });
    Ok(candidates
        .into_iter()
        .take(limit as usize)
        .map(|article| RelatedLink {
            kind: RelatedKind::Suggested,
            label: "Suggested".into(),
            position: None,
            article,
        })
        .collect())
}

/// An article's curated links the caller may see, optionally followed by suggestions.
#[utoipa::path(get, path = "/v1/articles/{key}/related", tag = "related",
    params(
        ("key" = String, Path, description = "The article's id or slug"),
        ("suggest" = Option<i64>, Query, minimum = 0, maximum = 20,
            description = "Append up to this many visible articles sharing the most tags, as `kind: \"suggested\"`, `position: null`"),
    ),
    responses((status = 200, description = "Success", body = RelatedList), ReadProblems, NotModified))]
pub async fn list_related(
    state: web::Data<AppState>,
    req: HttpRequest,
    key: web::Path<String>,
    caller: MaybeCaller,
) -> Result<HttpResponse, ApiError> {
    let params = QueryParams::parse(&req, &["suggest"])?;
    let suggest = params.int_in("suggest", 0, MAX_SUGGEST)?.unwrap_or(0);
    let key = Key::parse(&key);
    let (list, last_modified) = state
        .read(&req, move |conn| {
            let visibility = visibility_for(conn, caller.0.as_ref())?;
            let article = find_visible(conn, &key, visibility)?;
            let mut data = visible_links(conn, article.id, visibility)?;
            data.extend(suggestions(conn, article.id, visibility, suggest)?);
            Ok(RelatedList { data })
        })
        .await?;
    cached_json(&req, &state.cache, last_modified, &list, None)
}

/// The article whose links an editor manages: 404 when the caller may not
/// see it, 403 when they may see it but are not an editor.
fn managed_article(
    conn: &mut Conn,
    caller: &crate::auth::Caller,
    key: &Key,
) -> Result<ArticleRow, ApiError> {
    let visibility = visibility_for(conn, Some(caller))?;
    let article = find_visible(conn, key, visibility)?;
    if !caller.is_editor() {
        return Err(ApiError::Forbidden(
            "managing related links needs the editor or admin role".into(),
        ));
    }
    Ok(article)
}

fn link_response(
    conn: &mut Conn,
    article_id: i64,
    target_id: i64,
) -> Result<RelatedLink, ApiError> {
    visible_links(conn, article_id, Visibility::Everything)?
        .into_iter()
        .find(|l| l.article.id == target_id)
        .ok_or_else(|| ApiError::internal("a link just written is missing"))
}

fn position_in(field: &str, position: i64, max: usize) -> Result<usize, ApiError> {
    if position < 1 || position as usize > max {
        return Err(ApiError::Validation(vec![FieldError::new(
            field,
            format!("must be between 1 and {max}"),
        )]));
    }
    Ok(position as usize)
}

/// Adds a link at a position (default: at the end). Editors and admins.
#[utoipa::path(post, path = "/v1/articles/{key}/related", tag = "related", request_body = NewRelatedLink,
    params(("key" = String, Path, description = "The article's id or slug")),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = RelatedLink, headers(("Location" = String, description = "The link's URL"))),
        CreateProblems,
        (status = 404, description = "No such article", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_related(
    state: web::Data<AppState>,
    caller: RequireCaller,
    _no_query: NoQuery,
    key: web::Path<String>,
    body: JsonBody<NewRelatedLink>,
) -> Result<HttpResponse, ApiError> {
    let key = Key::parse(&key);
    let input = body.0;
    let (article_id, link) = state
        .db
        .write(move |conn| {
            let article = managed_article(conn, &caller.0, &key)?;
            let mut errors = Vec::new();
            if input.article.is_none() {
                errors.push(FieldError::new("article", "is required"));
            }
            if input.kind.is_none() {
                errors.push(FieldError::new("kind", "is required"));
            }
            let (Some(target), Some(kind)) = (input.article.clone(), input.kind) else {
                return Err(ApiError::Validation(errors));
            };
            let target_key = Key::from(&target);
            let target = article_db::find_any(conn, &target_key)?.ok_or_else(|| {
                ApiError::invalid("article", format!("no article '{target_key}'"))
            })?;
            if target.id == article.id {
                return Err(ApiError::invalid(
                    "article",
                    "an article cannot link to itself",
                ));
            }
            let label =
                label_for(kind, input.label.clone()).map_err(|m| ApiError::invalid("label", m))?;
            let mut links: Vec<LinkSpec> = link_db::specs_of(conn, article.id)?;
            if links.iter().any(|l| l.target_id == target.id) {
                return Err(ApiError::Conflict(format!(
                    "'{}' already links to '{}'",
                    article.slug, target.slug
                )));
            }
            let position = match input.position {
                Some(p) => position_in("position", p, links.len() + 1)?,
                None => links.len() + 1,
            };
            links.insert(
                position - 1,
                LinkSpec {
                    target_id: target.id,
                    kind: kind.as_str().to_owned(),
                    label,
                },
            );
            link_db::replace_links(conn, article.id, &links)?;
            touch(conn, article.id)?;
            Ok((article.id, link_response(conn, article.id, target.id)?))
        })
        .await?;
    let location = format!("/v1/articles/{article_id}/related/{}", link.article.id);
    json_created(location, &link)
}

/// Links change what an article shows, so they change its `updated_at`.
fn touch(conn: &mut Conn, article_id: i64) -> QueryResult<usize> {
    diesel::update(articles::table.find(article_id))
        .set(articles::updated_at.eq(domain::now()))
        .execute(conn)
}

/// The index of the link to `target` among the article's links, or 404.
fn link_index(conn: &mut Conn, links: &[LinkSpec], target: &Key) -> Result<usize, ApiError> {
    let not_linked = || ApiError::NotFound(format!("no link to '{target}'"));
    let target = article_db::find_any(conn, target)?.ok_or_else(not_linked)?;
    links
        .iter()
        .position(|l| l.target_id == target.id)
        .ok_or_else(not_linked)
}

/// Changes a link's kind, label or position (the others move). Editors and admins.
#[utoipa::path(patch, path = "/v1/articles/{key}/related/{target}", tag = "related",
    request_body(content((RelatedLinkChange = "application/json"), (RelatedLinkChange = "application/merge-patch+json"))),
    params(
        ("key" = String, Path, description = "The article's id or slug"),
        ("target" = String, Path, description = "The linked article's id or slug"),
    ),
    security(("bearer" = [])),
    responses((status = 200, description = "Success", body = RelatedLink), UpdateProblems))]
pub async fn update_related(
    state: web::Data<AppState>,
    caller: RequireCaller,
    _no_query: NoQuery,
    path: web::Path<(String, String)>,
    body: JsonBody<RelatedLinkChange>,
) -> Result<HttpResponse, ApiError> {
    let (key, target) = path.into_inner();
    let (key, target) = (Key::parse(&key), Key::parse(&target));
    let change = body.0;
    let link = state
        .db
        .write(move |conn| {
            let article = managed_article(conn, &caller.0, &key)?;
            let mut links: Vec<LinkSpec> = link_db::specs_of(conn, article.id)?;
            let index = link_index(conn, &links, &target)?;
            let mut link = links.remove(index);
            let old_kind = LinkKind::parse(&link.kind).unwrap_or(LinkKind::AlsoRead);
            let kind = match change.kind {
                Patch::Value(kind) => kind,
                Patch::Absent => old_kind,
                Patch::Null => return Err(ApiError::invalid("kind", "cannot be null")),
            };
            link.label = match change.label.clone() {
                Patch::Value(label) => {
                    label_for(kind, Some(label)).map_err(|m| ApiError::invalid("label", m))?
                }
                Patch::Null => kind.default_label().to_owned(),
                // A label that was the old kind's default follows the kind.
                Patch::Absent if link.label == old_kind.default_label() => {
                    kind.default_label().to_owned()
                }
                Patch::Absent => link.label,
            };
            link.kind = kind.as_str().to_owned();
            let position = match change.position {
                Patch::Value(p) => position_in("position", p, links.len() + 1)?,
                Patch::Absent => index + 1,
                Patch::Null => return Err(ApiError::invalid("position", "cannot be null")),
            };
            let target_id = link.target_id;
            links.insert(position - 1, link);
            link_db::replace_links(conn, article.id, &links)?;
            touch(conn, article.id)?;
            link_response(conn, article.id, target_id)
        })
        .await?;
    json_ok(&link)
}

/// Removes a link; the positions after it close up. Editors and admins.
#[utoipa::path(delete, path = "/v1/articles/{key}/related/{target}", tag = "related",
    params(
        ("key" = String, Path, description = "The article's id or slug"),
        ("target" = String, Path, description = "The linked article's id or slug"),
    ),
    security(("bearer" = [])),
    responses((status = 204, description = "Deleted"), DeleteProblems))]
pub async fn delete_related(
    state: web::Data<AppState>,
    caller: RequireCaller,
    _no_query: NoQuery,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (key, target) = path.into_inner();
    let (key, target) = (Key::parse(&key), Key::parse(&target));
    state
        .db
        .write(move |conn| {
            let article = managed_article(conn, &caller.0, &key)?;
            let mut links: Vec<LinkSpec> = link_db::specs_of(conn, article.id)?;
            let index = link_index(conn, &links, &target)?;
            links.remove(index);
            link_db::replace_links(conn, article.id, &links)?;
            touch(conn, article.id)?;
            Ok::<_, ApiError>(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
