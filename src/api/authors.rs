//! Authors: the people articles are credited to.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::articles::{ArticleList, ArticleListParams, Within, article_list};
use super::body::{JsonBody, Patch, WriteBody, WriteMode};
use super::caching::{IfMatch, cached_json};
use super::query::{Cursor, NoQuery, PageMeta, Paging, QueryParams};
use super::validate::{Checks, settle_slug};
use super::{AppState, json_created, json_ok, visibility_for};
use crate::auth::{Caller, MaybeCaller, RequireCaller};
use crate::db::authors::{self as author_db, AuthorRow, AuthorValues};
use crate::db::{Conn, Slice};
use crate::domain::{self, Key, format_timestamp};
use crate::error::ApiError;
use crate::openapi::{
    CreateProblems, DeleteProblems, ListProblems, NestedArticleListProblems, NotModified,
    ReadProblems, UpdateProblems,
};

const MAX_NAME: usize = 120;
const MAX_BIO: usize = 5_000;
const MAX_SOCIAL: usize = 16;
const MAX_HANDLE: usize = 300;

/// An author with the number of articles the caller may see.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "slug": "ada-okafor", "name": "Ada Okafor",
    "bio": "Science desk.", "avatar_url": "https://cdn.example.com/ada.jpg",
    "website": "https://ada.example.com", "social": {"mastodon": "@ada@example.social"},
    "article_count": 7, "created_at": "2026-01-05T09:00:00Z", "updated_at": "2026-01-05T09:00:00Z"}))]
pub struct Author {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub website: Option<String>,
    /// Network name -> handle or URL.
    pub social: BTreeMap<String, String>,
    pub article_count: i64,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// Present only in responses to editors and admins.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Email)]
    pub email: Option<Option<String>>,
}

/// An author as credited on articles.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuthorSummary {
    pub id: i64,
    #[schema(example = "ada-okafor")]
    pub slug: String,
    #[schema(example = "Ada Okafor")]
    pub name: String,
    pub avatar_url: Option<String>,
}

impl From<&AuthorRow> for AuthorSummary {
    fn from(row: &AuthorRow) -> Self {
        AuthorSummary {
            id: row.id,
            slug: row.slug.clone(),
            name: row.name.clone(),
            avatar_url: row.avatar_url.clone(),
        }
    }
}

fn to_author(row: AuthorRow, article_count: i64, caller: Option<&Caller>) -> Author {
    let show_email = caller.is_some_and(Caller::is_editor);
    Author {
        id: row.id,
        slug: row.slug,
        name: row.name,
        bio: row.bio,
        avatar_url: row.avatar_url,
        website: row.website,
        social: serde_json::from_str(&row.social).unwrap_or_default(),
        article_count,
        created_at: format_timestamp(row.created_at),
        updated_at: format_timestamp(row.updated_at),
        email: show_email.then_some(row.email),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuthorList {
    pub data: Vec<Author>,
    pub meta: PageMeta,
}

/// An author write. `name` is required for POST and PUT; PATCH takes any subset.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Ada Okafor", "bio": "Science desk.",
    "email": "ada@example.com", "social": {"mastodon": "@ada@example.social"}}))]
pub struct AuthorInput {
    /// 1 to 120 characters.
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1, max_length = 120)]
    pub name: Patch<String>,
    /// Derived from the name when left out on create; kept by PUT when left out.
    #[serde(default)]
    #[schema(value_type = String, pattern = "^(?:[a-z0-9]+-)*[a-z0-9]*[a-z][a-z0-9]*(?:-[a-z0-9]+)*$", max_length = 120)]
    pub slug: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub bio: Patch<String>,
    /// An absolute http(s) URL.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub avatar_url: Patch<String>,
    /// An absolute http(s) URL.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub website: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Email)]
    pub email: Patch<String>,
    /// At most 16 entries; keys match `^[a-z0-9_]{1,32}$`. PATCH merges it
    /// network by network, and a `null` network removes it.
    #[serde(default)]
    #[schema(value_type = Option<BTreeMap<String, String>>)]
    pub social: Patch<BTreeMap<String, Option<String>>>,
}

impl WriteBody for AuthorInput {
    const FIELDS: &'static [&'static str] = &[
        "name",
        "slug",
        "bio",
        "avatar_url",
        "website",
        "email",
        "social",
    ];
    const READ_ONLY: &'static [&'static str] = &["id", "article_count", "created_at", "updated_at"];
}

/// The query string as the OpenAPI document describes it. Never built: the
/// handler reads the query with `QueryParams`, which refuses unknown names.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct AuthorListParams {
    /// Only authors whose name contains this text, ignoring case.
    q: Option<String>,
    /// 1-based page number.
    #[param(minimum = 1, maximum = 1000000000)]
    page: Option<i64>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<i64>,
}

/// Authors by name.
#[utoipa::path(get, path = "/v1/authors", tag = "authors", params(AuthorListParams),
    responses(
        (status = 200, description = "Success", body = AuthorList, headers(("Link" = String, description = "rel=\"next\" when there is a next page"))),
        ListProblems, NotModified,
    ))]
pub async fn list_authors(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: MaybeCaller,
) -> Result<HttpResponse, ApiError> {
    let params = QueryParams::parse(&req, &["q", "page", "per_page", "cursor"])?;
    let paging = Paging::from_params(&params)?;
    let q = params.single("q")?.map(str::to_owned);
    let after = paging
        .cursor()
        .map(|cursor| match cursor.for_sort("name")? {
            (serde_json::Value::String(name), id) => Ok((name.clone(), id)),
            _ => Err(ApiError::BadRequest(
                "query parameter 'cursor' is damaged".into(),
            )),
        })
        .transpose()?;
    let window = paging.window(after);
    let ((mut authors, total), last_modified) = state
        .read(&req, move |conn| {
            let Slice { rows, total } = author_db::page(conn, q.as_deref(), &window)?;
            let visibility = visibility_for(conn, caller.0.as_ref())?;
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            let counts = author_db::article_counts(conn, &ids, visibility)?;
            let authors = rows
                .into_iter()
                .map(|row| {
                    let n = counts.get(&row.id).copied().unwrap_or(0);
                    to_author(row, n, caller.0.as_ref())
                })
                .collect::<Vec<_>>();
            Ok((authors, total))
        })
        .await?;
    let (meta, link) = paging.complete(&req, &mut authors, total, |author| Cursor {
        sort: "name".into(),
        key: crate::db::tags::name_key(&author.name).into(),
        id: author.id,
    });
    let list = AuthorList {
        data: authors,
        meta,
    };
    cached_json(&req, &state.cache, last_modified, &list, link)
}

fn not_found(key: &Key) -> ApiError {
    ApiError::NotFound(format!("no author '{key}'"))
}

fn counted(conn: &mut Conn, row: AuthorRow, caller: Option<&Caller>) -> Result<Author, ApiError> {
    let visibility = visibility_for(conn, caller)?;
    let count = author_db::article_counts(conn, &[row.id], visibility)?
        .get(&row.id)
        .copied()
        .unwrap_or(0);
    Ok(to_author(row, count, caller))
}

/// One author by id or slug. `email` is shown to editors and admins only.
#[utoipa::path(get, path = "/v1/authors/{key}", tag = "authors",
    params(("key" = String, Path, description = "The author's id (all digits) or slug")),
    responses((status = 200, description = "Success", body = Author), ReadProblems, NotModified))]
pub async fn find_author(
    state: web::Data<AppState>,
    req: HttpRequest,
    key: web::Path<String>,
    caller: MaybeCaller,
) -> Result<HttpResponse, ApiError> {
    QueryParams::parse(&req, &[])?;
    let key = Key::parse(&key);
    let (author, last_modified) = state
        .read(&req, move |conn| {
            let row = author_db::find(conn, &key)?.ok_or_else(|| not_found(&key))?;
            counted(conn, row, caller.0.as_ref())
        })
        .await?;
    cached_json(&req, &state.cache, last_modified, &author, None)
}

/// The articles credited to an author, with the article list's query language.
#[utoipa::path(get, path = "/v1/authors/{key}/articles", tag = "authors",
    params(("key" = String, Path, description = "The author's id or slug"), ArticleListParams),
    responses(
        (status = 200, description = "Success", body = ArticleList, headers(("Link" = String, description = "rel=\"next\" when there is a next page"))),
        NestedArticleListProblems, NotModified,
    ))]
pub async fn list_author_articles(
    state: web::Data<AppState>,
    req: HttpRequest,
    key: web::Path<String>,
    caller: MaybeCaller,
) -> Result<HttpResponse, ApiError> {
    article_list(state, req, caller, Within::Author(Key::parse(&key))).await
}

fn author_values(
    conn: &mut Conn,
    input: AuthorInput,
    mode: WriteMode,
    current: Option<&AuthorRow>,
) -> Result<AuthorValues, ApiError> {
    let mut checks = Checks::default();
    let name = checks.required_text(
        "name",
        mode.apply(input.name, current.map(|c| c.name.clone())),
        MAX_NAME,
    );
    let bio = checks.optional_text(
        "bio",
        mode.apply(input.bio, current.and_then(|c| c.bio.clone())),
        MAX_BIO,
    );
    let avatar_url = checks.url(
        "avatar_url",
        mode.apply(input.avatar_url, current.and_then(|c| c.avatar_url.clone())),
    );
    let website = checks.url(
        "website",
        mode.apply(input.website, current.and_then(|c| c.website.clone())),
    );
    let blank_email = matches!(&input.email, Patch::Value(e) if e.trim().is_empty());
    let email = checks.optional_text(
        "email",
        mode.apply(input.email, current.and_then(|c| c.email.clone())),
        254,
    );
    if blank_email {
        checks.fail("email", "must be an email address, or null to leave it out");
    }
    if let Some(email) = &email {
        let looks_like_email = email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !email.contains(char::is_whitespace)
        });
        if !looks_like_email {
            checks.fail("email", "must be an email address like name@example.com");
        }
    }
    let current_social: BTreeMap<String, String> = current
        .map(|c| serde_json::from_str(&c.social).unwrap_or_default())
        .unwrap_or_default();
    let social = merge_social(mode, input.social, current_social);
    check_social(&mut checks, &social);
    let slug = checks.slug_input(input.slug);
    checks.finish()?;
    let except = current.map(|c| c.id);
    let slug = settle_slug(
        slug,
        current.map(|c| c.slug.as_str()),
        &name,
        "author",
        |s| author_db::slug_taken(conn, s, except),
    )?;
    Ok(AuthorValues {
        slug,
        name_key: crate::db::tags::name_key(&name),
        name,
        bio,
        avatar_url,
        website,
        email,
        social: serde_json::to_string(&social).map_err(ApiError::internal)?,
        updated_at: domain::now(),
    })
}

/// RFC 7396 for the one nested object: PATCH merges networks one by one
/// and `null` removes one; POST and PUT take the object as sent.
fn merge_social(
    mode: WriteMode,
    input: Patch<BTreeMap<String, Option<String>>>,
    current: BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut social = match mode {
        WriteMode::Merge => current,
        WriteMode::Create | WriteMode::Replace => BTreeMap::new(),
    };
    match input {
        Patch::Absent => {}
        Patch::Null => social.clear(),
        Patch::Value(changes) => {
            for (network, handle) in changes {
                match handle {
                    Some(handle) => social.insert(network, handle),
                    None => social.remove(&network),
                };
            }
        }
    }
    social
}

/// Creates an author outside any request (the demo newsroom).
pub fn insert_author(conn: &mut Conn, input: AuthorInput) -> Result<AuthorRow, ApiError> {
    let values = author_values(conn, input, WriteMode::Create, None)?;
    Ok(author_db::insert(conn, &values)?)
}

fn check_social(checks: &mut Checks, social: &BTreeMap<String, String>) {
    if social.len() > MAX_SOCIAL {
        checks.fail("social", format!("may have at most {MAX_SOCIAL} networks"));
    }
    for (network, handle) in social {
        let valid_name = (1..=32).contains(&network.len())
            && network
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !valid_name {
            checks.fail(
                format!("social.{network}"),
                "network names match ^[a-z0-9_]{1,32}$",
            );
        }
        if handle.trim().is_empty() || handle.chars().count() > MAX_HANDLE || handle.contains('\0')
        {
            checks.fail(
                format!("social.{network}"),
                format!("must be a handle or URL of 1 to {MAX_HANDLE} characters"),
            );
        }
    }
}

/// Creates an author. Editors and admins.
#[utoipa::path(post, path = "/v1/authors", tag = "authors", request_body = AuthorInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Author, headers(("Location" = String, description = "The new author's URL"))),
        CreateProblems,
    ))]
pub async fn create_author(
    state: web::Data<AppState>,
    caller: RequireCaller,
    _no_query: NoQuery,
    body: JsonBody<AuthorInput>,
) -> Result<HttpResponse, ApiError> {
    let caller = caller.require_editor()?.clone();
    let author = state
        .db
        .write(move |conn| {
            let values = author_values(conn, body.0.clone(), WriteMode::Create, None)?;
            let row = author_db::insert(conn, &values)?;
            Ok::<_, ApiError>(to_author(row, 0, Some(&caller)))
        })
        .await?;
    json_created(format!("/v1/authors/{}", author.slug), &author)
}

async fn write_author(
    state: web::Data<AppState>,
    caller: RequireCaller,
    key: String,
    input: AuthorInput,
    mode: WriteMode,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let caller = caller.require_editor()?.clone();
    let key = Key::parse(&key);
    let author = state
        .db
        .write(move |conn| {
            let current = author_db::find(conn, &key)?.ok_or_else(|| not_found(&key))?;
            if_match.check(|| counted(conn, current.clone(), Some(&caller)))?;
            let values = author_values(conn, input.clone(), mode, Some(&current))?;
            let row = author_db::update(conn, current.id, &values)?;
            counted(conn, row, Some(&caller))
        })
        .await?;
    json_ok(&author)
}

/// Replaces an author: left-out fields become null or empty, a left-out slug is kept.
#[utoipa::path(put, path = "/v1/authors/{key}", tag = "authors", request_body = AuthorInput,
    params(("key" = String, Path, description = "The author's id or slug"), ("If-Match" = Option<String>, Header, description = "Only change it if its current ETag is one of these (or `*`); 412 otherwise")),
    security(("bearer" = [])),
    responses((status = 200, description = "Success", body = Author), UpdateProblems))]
pub async fn replace_author(
    state: web::Data<AppState>,
    caller: RequireCaller,
    _no_query: NoQuery,
    key: web::Path<String>,
    body: JsonBody<AuthorInput>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    write_author(
        state,
        caller,
        key.into_inner(),
        body.0,
        WriteMode::Replace,
        if_match,
    )
    .await
}

/// Changes some fields of an author (JSON merge patch: `null` clears).
#[utoipa::path(patch, path = "/v1/authors/{key}", tag = "authors",
    request_body(content((AuthorInput = "application/json"), (AuthorInput = "application/merge-patch+json"))),
    params(("key" = String, Path, description = "The author's id or slug"), ("If-Match" = Option<String>, Header, description = "Only change it if its current ETag is one of these (or `*`); 412 otherwise")),
    security(("bearer" = [])),
    responses((status = 200, description = "Success", body = Author), UpdateProblems))]
pub async fn update_author(
    state: web::Data<AppState>,
    caller: RequireCaller,
    _no_query: NoQuery,
    key: web::Path<String>,
    body: JsonBody<AuthorInput>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    write_author(
        state,
        caller,
        key.into_inner(),
        body.0,
        WriteMode::Merge,
        if_match,
    )
    .await
}

/// Deletes an author who has no articles. Admins only.
#[utoipa::path(delete, path = "/v1/authors/{key}", tag = "authors",
    params(("key" = String, Path, description = "The author's id or slug"), ("If-Match" = Option<String>, Header, description = "Only change it if its current ETag is one of these (or `*`); 412 otherwise")),
    security(("bearer" = [])),
    responses((status = 204, description = "Deleted"), DeleteProblems))]
pub async fn delete_author(
    state: web::Data<AppState>,
    caller: RequireCaller,
    _no_query: NoQuery,
    key: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let caller = caller.require_admin()?.clone();
    let key = Key::parse(&key);
    state
        .db
        .write(move |conn| {
            let current = author_db::find(conn, &key)?.ok_or_else(|| not_found(&key))?;
            if_match.check(|| counted(conn, current.clone(), Some(&caller)))?;
            if author_db::has_articles(conn, current.id)? {
                return Err(ApiError::Conflict(format!(
                    "author '{}' still has articles; reassign or delete them first",
                    current.slug
                )));
            }
            author_db::delete(conn, current.id)?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
