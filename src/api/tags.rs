//! Tags: the sections and topics articles are filed under.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::articles::{ArticleList, ArticleListParams, Within, article_list};
use super::body::{JsonBody, Patch, WriteBody, WriteMode};
use super::caching::{IfMatch, cached_json};
use super::query::{Cursor, NoQuery, PageMeta, Paging, QueryParams};
use super::validate::{Checks, settle_slug};
use super::{AppState, json_created, json_ok, visibility_for};
use crate::auth::{MaybeCaller, RequireCaller};
use crate::db::Conn;
use crate::db::tags::{self as tag_db, TagOrder, TagPosition, TagRow, TagValues};
use crate::domain::{self, Key, format_timestamp};
use crate::error::ApiError;
use crate::openapi::{
    CreateProblems, DeleteProblems, ListProblems, NestedArticleListProblems, NotModified,
    ReadProblems, UpdateProblems,
};

const MAX_NAME: usize = 100;
const MAX_DESCRIPTION: usize = 5_000;

/// A tag with the number of articles the caller may see under it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 3, "slug": "climate", "name": "Climate",
    "description": "Coverage of the climate crisis", "article_count": 12,
    "created_at": "2026-01-05T09:00:00Z", "updated_at": "2026-02-01T10:30:00Z"}))]
pub struct Tag {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    pub article_count: i64,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

/// A tag as embedded in articles.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TagSummary {
    pub id: i64,
    #[schema(example = "climate")]
    pub slug: String,
    #[schema(example = "Climate")]
    pub name: String,
}

impl From<&TagRow> for TagSummary {
    fn from(row: &TagRow) -> Self {
        TagSummary {
            id: row.id,
            slug: row.slug.clone(),
            name: row.name.clone(),
        }
    }
}

fn to_tag(row: TagRow, article_count: i64) -> Tag {
    Tag {
        id: row.id,
        slug: row.slug,
        name: row.name,
        description: row.description,
        article_count,
        created_at: format_timestamp(row.created_at),
        updated_at: format_timestamp(row.updated_at),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TagList {
    pub data: Vec<Tag>,
    pub meta: PageMeta,
}

/// A tag write. `name` is required for POST and PUT; PATCH takes any subset.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Climate", "description": "Coverage of the climate crisis"}))]
pub struct TagInput {
    /// 1 to 100 characters, unique ignoring case.
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1, max_length = 100)]
    pub name: Patch<String>,
    /// Derived from the name when left out on create; kept by PUT when left out.
    #[serde(default)]
    #[schema(value_type = String, pattern = "^(?:[a-z0-9]+-)*[a-z0-9]*[a-z][a-z0-9]*(?:-[a-z0-9]+)*$", max_length = 120)]
    pub slug: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub description: Patch<String>,
}

impl WriteBody for TagInput {
    const FIELDS: &'static [&'static str] = &["name", "slug", "description"];
    const READ_ONLY: &'static [&'static str] = &["id", "article_count", "created_at", "updated_at"];
}

/// The query string as the OpenAPI document describes it. Never built: the
/// handler reads the query with `QueryParams`, which refuses unknown names.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct TagListParams {
    /// `name` (default) or `-article_count` (most articles first).
    #[param(pattern = "^(name|-article_count)$")]
    sort: Option<String>,
    /// 1-based page number.
    #[param(minimum = 1, maximum = 1000000000)]
    page: Option<i64>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<i64>,
}

/// Tags by name, or by how many visible articles they have.
#[utoipa::path(get, path = "/v1/tags", tag = "tags", params(TagListParams),
    responses(
        (status = 200, description = "Success", body = TagList, headers(("Link" = String, description = "rel=\"next\" when there is a next page"))),
        ListProblems, NotModified,
    ))]
pub async fn list_tags(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: MaybeCaller,
) -> Result<HttpResponse, ApiError> {
    let params = QueryParams::parse(&req, &["sort", "page", "per_page", "cursor"])?;
    let paging = Paging::from_params(&params)?;
    let (order, sort_name) = match params.single("sort")? {
        None | Some("name") => (TagOrder::Name, "name"),
        Some("-article_count") => (TagOrder::MostArticles, "-article_count"),
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "query parameter 'sort' must be 'name' or '-article_count', not '{other}'"
            )));
        }
    };
    let after = paging
        .cursor()
        .map(|cursor| {
            let (key, id) = cursor.for_sort(sort_name)?;
            match (order, key) {
                (TagOrder::Name, Value::String(name)) => Ok(TagPosition::Name(name.clone(), id)),
                (TagOrder::MostArticles, Value::Number(n)) if n.is_i64() => {
                    Ok(TagPosition::Count(n.as_i64().unwrap_or_default(), id))
                }
                _ => Err(ApiError::BadRequest(
                    "query parameter 'cursor' is damaged".into(),
                )),
            }
        })
        .transpose()?;
    let window = paging.window(after);
    let ((mut rows, total), last_modified) = state
        .read(&req, move |conn| {
            let visibility = visibility_for(conn, caller.0.as_ref())?;
            let slice = tag_db::page(conn, order, visibility, &window)?;
            Ok((slice.rows, slice.total))
        })
        .await?;
    let (meta, link) = paging.complete(&req, &mut rows, total, |(row, count)| Cursor {
        sort: sort_name.to_owned(),
        key: match order {
            TagOrder::Name => Value::from(row.name_key.clone()),
            TagOrder::MostArticles => Value::from(*count),
        },
        id: row.id,
    });
    let list = TagList {
        data: rows.into_iter().map(|(row, n)| to_tag(row, n)).collect(),
        meta,
    };
    cached_json(&req, &state.cache, last_modified, &list, link)
}

fn load_tag(conn: &mut Conn, key: &Key, caller: &MaybeCaller) -> Result<Tag, ApiError> {
    let row = tag_db::find(conn, key)?.ok_or_else(|| not_found(key))?;
    counted(conn, row, caller)
}

fn counted(conn: &mut Conn, row: TagRow, caller: &MaybeCaller) -> Result<Tag, ApiError> {
    let visibility = visibility_for(conn, caller.0.as_ref())?;
    let count = tag_db::article_counts(conn, &[row.id], visibility)?
        .get(&row.id)
        .copied()
        .unwrap_or(0);
    Ok(to_tag(row, count))
}

fn not_found(key: &Key) -> ApiError {
    ApiError::NotFound(format!("no tag '{key}'"))
}

/// One tag by id or slug.
#[utoipa::path(get, path = "/v1/tags/{key}", tag = "tags",
    params(("key" = String, Path, description = "The tag's id (all digits) or slug")),
    responses(
        (status = 200, description = "Success", body = Tag),
        ReadProblems, NotModified,
    ))]
pub async fn find_tag(
    state: web::Data<AppState>,
    req: HttpRequest,
    key: web::Path<String>,
    caller: MaybeCaller,
) -> Result<HttpResponse, ApiError> {
    QueryParams::parse(&req, &[])?;
    let key = Key::parse(&key);
    let (tag, last_modified) = state
        .read(&req, move |conn| load_tag(conn, &key, &caller))
        .await?;
    cached_json(&req, &state.cache, last_modified, &tag, None)
}

/// The articles filed under a tag, with the article list's query language.
#[utoipa::path(get, path = "/v1/tags/{key}/articles", tag = "tags",
    params(("key" = String, Path, description = "The tag's id or slug"), ArticleListParams),
    responses(
        (status = 200, description = "Success", body = ArticleList, headers(("Link" = String, description = "rel=\"next\" when there is a next page"))),
        NestedArticleListProblems, NotModified,
    ))]
pub async fn list_tag_articles(
    state: web::Data<AppState>,
    req: HttpRequest,
    key: web::Path<String>,
    caller: MaybeCaller,
) -> Result<HttpResponse, ApiError> {
    article_list(state, req, caller, Within::Tag(Key::parse(&key))).await
}

/// Checks a tag write against what is stored (`None` on create) and returns
/// the values to store.
fn tag_values(
    conn: &mut Conn,
    input: TagInput,
    mode: WriteMode,
    current: Option<&TagRow>,
) -> Result<TagValues, ApiError> {
    let mut checks = Checks::default();
    let name = checks.required_text(
        "name",
        mode.apply(input.name, current.map(|c| c.name.clone())),
        MAX_NAME,
    );
    let description = checks.optional_text(
        "description",
        mode.apply(
            input.description,
            current.and_then(|c| c.description.clone()),
        ),
        MAX_DESCRIPTION,
    );
    let slug = checks.slug_input(input.slug);
    checks.finish()?;
    let except = current.map(|c| c.id);
    if tag_db::name_taken(conn, &name, except)? {
        return Err(ApiError::Conflict(format!(
            "a tag named '{name}' already exists"
        )));
    }
    let slug = settle_slug(slug, current.map(|c| c.slug.as_str()), &name, "tag", |s| {
        tag_db::slug_taken(conn, s, except)
    })?;
    Ok(TagValues {
        slug,
        name_key: tag_db::name_key(&name),
        name,
        description,
        updated_at: domain::now(),
    })
}

/// Creates a tag outside any request (the demo newsroom).
pub fn insert_tag(conn: &mut Conn, input: TagInput) -> Result<TagRow, ApiError> {
    let values = tag_values(conn, input, WriteMode::Create, None)?;
    Ok(tag_db::insert(conn, &values)?)
}

/// Creates a tag for the caller's role, for article writes that name a new one.
pub fn create_by_name(conn: &mut Conn, name: &str) -> Result<TagRow, ApiError> {
    let input = TagInput {
        name: Patch::Value(name.to_owned()),
        slug: Patch::Absent,
        description: Patch::Absent,
    };
    let values = tag_values(conn, input, WriteMode::Create, None).map_err(|e| match e {
        ApiError::Validation(errors) => ApiError::Validation(
            errors
                .into_iter()
                .map(|mut err| {
                    err.field = format!("tags ({name})");
                    err
                })
                .collect(),
        ),
        other => other,
    })?;
    Ok(tag_db::insert(conn, &values)?)
}

/// Creates a tag. Editors and admins.
#[utoipa::path(post, path = "/v1/tags", tag = "tags", request_body = TagInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Tag, headers(("Location" = String, description = "The new tag's URL"))),
        CreateProblems,
    ))]
pub async fn create_tag(
    state: web::Data<AppState>,
    caller: RequireCaller,
    _no_query: NoQuery,
    body: JsonBody<TagInput>,
) -> Result<HttpResponse, ApiError> {
    caller.require_editor()?;
    let tag = state
        .db
        .write(move |conn| {
            let values = tag_values(conn, body.0.clone(), WriteMode::Create, None)?;
            let row = tag_db::insert(conn, &values)?;
            Ok::<_, ApiError>(to_tag(row, 0))
        })
        .await?;
    json_created(format!("/v1/tags/{}", tag.slug), &tag)
}

async fn write_tag(
    state: web::Data<AppState>,
    caller: RequireCaller,
    key: String,
    input: TagInput,
    mode: WriteMode,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    caller.require_editor()?;
    let key = Key::parse(&key);
    let viewer = MaybeCaller(Some(caller.0.clone()));
    let tag = state
        .db
        .write(move |conn| {
            let current = tag_db::find(conn, &key)?.ok_or_else(|| not_found(&key))?;
            if_match.check(|| counted(conn, current.clone(), &viewer))?;
            let values = tag_values(conn, input.clone(), mode, Some(&current))?;
            let row = tag_db::update(conn, current.id, &values)?;
            counted(conn, row, &viewer)
        })
        .await?;
    json_ok(&tag)
}

/// Replaces a tag: a left-out description becomes null, a left-out slug is kept.
#[utoipa::path(put, path = "/v1/tags/{key}", tag = "tags", request_body = TagInput,
    params(("key" = String, Path, description = "The tag's id or slug"), ("If-Match" = Option<String>, Header, description = "Only change it if its current ETag is one of these (or `*`); 412 otherwise")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Success", body = Tag),
        UpdateProblems,
    ))]
pub async fn replace_tag(
    state: web::Data<AppState>,
    caller: RequireCaller,
    _no_query: NoQuery,
    key: web::Path<String>,
    body: JsonBody<TagInput>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    write_tag(
        state,
        caller,
        key.into_inner(),
        body.0,
        WriteMode::Replace,
        if_match,
    )
    .await
}

/// Changes some fields of a tag (JSON merge patch: `null` clears).
#[utoipa::path(patch, path = "/v1/tags/{key}", tag = "tags",
    request_body(content((TagInput = "application/json"), (TagInput = "application/merge-patch+json"))),
    params(("key" = String, Path, description = "The tag's id or slug"), ("If-Match" = Option<String>, Header, description = "Only change it if its current ETag is one of these (or `*`); 412 otherwise")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Success", body = Tag),
        UpdateProblems,
    ))]
pub async fn update_tag(
    state: web::Data<AppState>,
    caller: RequireCaller,
    _no_query: NoQuery,
    key: web::Path<String>,
    body: JsonBody<TagInput>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    write_tag(
        state,
        caller,
        key.into_inner(),
        body.0,
        WriteMode::Merge,
        if_match,
    )
    .await
}

/// Deletes a tag and unlinks it from its articles. Editors and admins.
#[utoipa::path(delete, path = "/v1/tags/{key}", tag = "tags",
    params(("key" = String, Path, description = "The tag's id or slug"), ("If-Match" = Option<String>, Header, description = "Only change it if its current ETag is one of these (or `*`); 412 otherwise")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        DeleteProblems,
    ))]
pub async fn delete_tag(
    state: web::Data<AppState>,
    caller: RequireCaller,
    _no_query: NoQuery,
    key: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    caller.require_editor()?;
    let key = Key::parse(&key);
    let viewer = MaybeCaller(Some(caller.0.clone()));
    state
        .db
        .write(move |conn| {
            let current = tag_db::find(conn, &key)?.ok_or_else(|| not_found(&key))?;
            if_match.check(|| counted(conn, current.clone(), &viewer))?;
            tag_db::delete(conn, current.id)?;
            Ok::<_, ApiError>(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
