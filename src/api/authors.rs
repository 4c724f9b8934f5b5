//! Authors: the people articles are credited to.

use std::collections::{BTreeMap, HashMap};

use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::articles::{ArticleList, ArticleListParams, Within, article_list};
use super::resource::{self, Action, Editable, Findable, ResourceKey, write_handlers};
use crate::api::media::{Picture, pictures};
use crate::api::summaries::avatar_url;
use crate::auth::Caller;
use crate::content::authors::{self as rules, AuthorInput};
use crate::content::{not_found, visibility_for};
use crate::db::authors::{self as author_db, AuthorRow};
use crate::db::{Conn, Slice};
use crate::domain::{Key, WriteMode, format_timestamp};
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::auth::MaybeCaller;
use crate::http::caching::cached_json;
use crate::http::query::{Cursor, PageMeta, PageParams, Paging, QueryParams};
use crate::http::responses::{ListProblems, NestedArticleListProblems, NotModified, ReadProblems};

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
    /// Present when the avatar is a media item: its size, placeholder and
    /// renditions (`avatar_url` is then its URL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar: Option<Picture>,
}

fn to_author(
    row: AuthorRow,
    article_count: i64,
    caller: Option<&Caller>,
    avatars: &HashMap<i64, Picture>,
) -> Author {
    let show_email = caller.is_some_and(Caller::is_editor);
    Author {
        avatar: row.avatar_media_id.and_then(|id| avatars.get(&id).cloned()),
        avatar_url: avatar_url(&row, avatars),
        id: row.id,
        slug: row.slug,
        name: row.name,
        bio: row.bio,
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

/// The query string as the OpenAPI document describes it. Never built: the
/// handler reads the query with `QueryParams`, which refuses unknown names.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct AuthorListParams {
    /// Only authors whose name contains this text, ignoring case.
    q: Option<String>,
}

/// Authors by name.
#[utoipa::path(get, path = "/v1/authors", tag = "authors", params(AuthorListParams, PageParams),
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
            let avatars = pictures(conn, rows.iter().filter_map(|r| r.avatar_media_id))?;
            let authors = rows
                .into_iter()
                .map(|row| {
                    let n = counts.get(&row.id).copied().unwrap_or(0);
                    to_author(row, n, caller.0.as_ref(), &avatars)
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

fn counted(conn: &mut Conn, row: AuthorRow, caller: Option<&Caller>) -> Result<Author, ApiError> {
    let visibility = visibility_for(conn, caller)?;
    let count = author_db::article_counts(conn, &[row.id], visibility)?
        .get(&row.id)
        .copied()
        .unwrap_or(0);
    let avatars = pictures(conn, row.avatar_media_id)?;
    Ok(to_author(row, count, caller, &avatars))
}

/// One author by id or slug. `email` is shown to editors and admins only.
#[utoipa::path(get, path = "/v1/authors/{key}", tag = "authors",
    params(ResourceKey),
    responses((status = 200, description = "Success", body = Author), ReadProblems, NotModified))]
pub async fn find_author(
    state: web::Data<AppState>,
    req: HttpRequest,
    key: web::Path<String>,
    caller: MaybeCaller,
) -> Result<HttpResponse, ApiError> {
    resource::find::<Authors>(state, req, key, caller).await
}

/// The articles credited to an author, with the article list's query language.
#[utoipa::path(get, path = "/v1/authors/{key}/articles", tag = "authors",
    params(ResourceKey, ArticleListParams, PageParams),
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

/// Authors as an [`Editable`] resource: editors and admins write them,
/// only admins delete them.
pub struct Authors;

impl Findable for Authors {
    type Shown = Author;

    fn find(conn: &mut Conn, caller: Option<&Caller>, key: &Key) -> Result<Author, ApiError> {
        let row = author_db::find(conn, key)?.ok_or_else(|| not_found("author", key))?;
        counted(conn, row, caller)
    }
}

impl Editable for Authors {
    type Input = AuthorInput;
    type Stored = AuthorRow;
    type Shown = Author;
    type Actor = Caller;

    fn actor(_: &mut Conn, caller: &Caller, action: Action) -> Result<Caller, ApiError> {
        match action {
            Action::Save => caller.require_editor().cloned(),
            Action::Delete => caller.require_admin().cloned(),
        }
    }

    fn current(conn: &mut Conn, _: &Caller, key: &Key, _: Action) -> Result<AuthorRow, ApiError> {
        author_db::find(conn, key)?.ok_or_else(|| not_found("author", key))
    }

    fn show(conn: &mut Conn, caller: &Caller, row: AuthorRow) -> Result<Author, ApiError> {
        counted(conn, row, Some(caller))
    }

    fn save(
        conn: &mut Conn,
        _: &Caller,
        input: AuthorInput,
        mode: WriteMode,
        current: Option<&AuthorRow>,
    ) -> Result<AuthorRow, ApiError> {
        rules::save(conn, input, mode, current)
    }

    fn remove(conn: &mut Conn, caller: &Caller, row: &AuthorRow) -> Result<(), ApiError> {
        rules::delete(conn, caller, row)
    }

    fn location(author: &Author) -> String {
        format!("/v1/authors/{}", author.slug)
    }
}

write_handlers! {
    resource: Authors, input: AuthorInput, shown: Author, tag: "authors",
    collection: "/v1/authors", item: "/v1/authors/{key}",
    create_author: "Creates an author. Editors and admins.",
    replace_author: "Replaces an author: left-out fields become null or empty, a left-out slug is kept.",
    update_author: "Changes some fields of an author (JSON merge patch: `null` clears).",
    delete_author: "Deletes an author who has no articles. Admins only.",
}
