//! Tags: the sections and topics articles are filed under.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::articles::{ArticleList, ArticleListParams, Within, article_list};
use super::resource::{self, Action, Editable, Findable, ResourceKey, write_handlers};
use crate::auth::Caller;
use crate::content::tags::{self as rules, TagInput};
use crate::content::{not_found, visibility_for};
use crate::db::Conn;
use crate::db::tags::{self as tag_db, TagOrder, TagPosition, TagRow};
use crate::domain::{Key, WriteMode, echo, format_timestamp};
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::auth::MaybeCaller;
use crate::http::caching::cached_json;
use crate::http::query::{Cursor, PageMeta, PageParams, Paging, QueryParams};
use crate::http::responses::{ListProblems, NestedArticleListProblems, NotModified, ReadProblems};

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
    /// Where the tag stands among a homepage's sections; null after them.
    pub section_position: Option<i32>,
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
        section_position: row.section_position,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TagList {
    pub data: Vec<Tag>,
    pub meta: PageMeta,
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
}

/// Tags by name, or by how many visible articles they have.
#[utoipa::path(get, path = "/v1/tags", tag = "tags", params(TagListParams, PageParams),
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
                "query parameter 'sort' must be 'name' or '-article_count', not '{}'",
                echo(other)
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

fn counted(conn: &mut Conn, row: TagRow, caller: Option<&Caller>) -> Result<Tag, ApiError> {
    let visibility = visibility_for(conn, caller)?;
    let count = tag_db::article_counts(conn, &[row.id], visibility)?
        .get(&row.id)
        .copied()
        .unwrap_or(0);
    Ok(to_tag(row, count))
}

/// One tag by id or slug.
#[utoipa::path(get, path = "/v1/tags/{key}", tag = "tags",
    params(ResourceKey),
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
    resource::find::<Tags>(state, req, key, caller).await
}

/// The articles filed under a tag, with the article list's query language.
#[utoipa::path(get, path = "/v1/tags/{key}/articles", tag = "tags",
    params(ResourceKey, ArticleListParams, PageParams),
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

/// Tags as an [`Editable`] resource: editors and admins.
pub struct Tags;

impl Findable for Tags {
    type Shown = Tag;

    fn find(conn: &mut Conn, caller: Option<&Caller>, key: &Key) -> Result<Tag, ApiError> {
        let row = tag_db::find(conn, key)?.ok_or_else(|| not_found("tag", key))?;
        counted(conn, row, caller)
    }
}

impl Editable for Tags {
    type Input = TagInput;
    type Stored = TagRow;
    type Shown = Tag;
    type Actor = Caller;

    fn actor(_: &mut Conn, caller: &Caller, _: Action) -> Result<Caller, ApiError> {
        caller.require_editor().cloned()
    }

    fn current(conn: &mut Conn, _: &Caller, key: &Key, _: Action) -> Result<TagRow, ApiError> {
        tag_db::find(conn, key)?.ok_or_else(|| not_found("tag", key))
    }

    fn show(conn: &mut Conn, caller: &Caller, row: TagRow) -> Result<Tag, ApiError> {
        counted(conn, row, Some(caller))
    }

    fn save(
        conn: &mut Conn,
        _: &Caller,
        input: TagInput,
        mode: WriteMode,
        current: Option<&TagRow>,
    ) -> Result<TagRow, ApiError> {
        rules::save(conn, input, mode, current)
    }

    fn remove(conn: &mut Conn, _: &Caller, row: &TagRow) -> Result<(), ApiError> {
        rules::delete(conn, row)
    }

    fn location(tag: &Tag) -> String {
        format!("/v1/tags/{}", tag.slug)
    }
}

write_handlers! {
    resource: Tags, input: TagInput, shown: Tag, tag: "tags",
    collection: "/v1/tags", item: "/v1/tags/{key}",
    create_tag: "Creates a tag. Editors and admins.",
    replace_tag: "Replaces a tag: a left-out description becomes null, a left-out slug is kept.",
    update_tag: "Changes some fields of a tag (JSON merge patch: `null` clears).",
    delete_tag: "Deletes a tag and unlinks it from its articles. Editors and admins.",
}
