//! Related links as their own sub-resource: `/v1/articles/{key}/related`.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::articles::{MAX_SUGGEST, RelatedLink, suggestions, visible_links};
use super::resource::ResourceKey;
use crate::content::find_visible;
use crate::content::links::{self as rules, NewRelatedLink, RelatedLinkChange};
use crate::content::visibility_for;
use crate::db::Conn;
use crate::db::visibility::Visibility;
use crate::domain::Key;
use crate::error::ApiError;
use crate::http::auth::{MaybeCaller, RequireCaller};
use crate::http::body::JsonBody;
use crate::http::caching::cached_json;
use crate::http::problem::Problem;
use crate::http::query::{NoQuery, QueryParams};
use crate::http::responses::{
    CreateProblems, DeleteProblems, NotModified, ReadProblems, UpdateProblems,
};
use crate::http::{AppState, json_created, json_ok};

#[derive(Debug, Serialize, ToSchema)]
pub struct RelatedList {
    /// Curated links by position, then any suggestions (`position: null`).
    pub data: Vec<RelatedLink>,
}

/// An article's curated links the caller may see, optionally followed by suggestions.
#[utoipa::path(get, path = "/v1/articles/{key}/related", tag = "related",
    params(
        ResourceKey,
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

/// Adds a link at a position (default: at the end). Editors and admins.
#[utoipa::path(post, path = "/v1/articles/{key}/related", tag = "related", request_body = NewRelatedLink,
    params(ResourceKey),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = RelatedLink, headers(("Location" = String, description = "The link's URL"))),
        CreateProblems,
        (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
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
            let article = rules::managed_article(conn, &caller.0, &key)?;
            let target_id = rules::add(conn, &article, input.clone())?;
            Ok::<_, ApiError>((article.id, link_response(conn, article.id, target_id)?))
        })
        .await?;
    let location = format!("/v1/articles/{article_id}/related/{}", link.article.id);
    json_created(location, &link)
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
            let article = rules::managed_article(conn, &caller.0, &key)?;
            let target_id = rules::change(conn, &article, &target, change.clone())?;
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
            let article = rules::managed_article(conn, &caller.0, &key)?;
            rules::remove(conn, &article, &target)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
