//! The shapes every resource's write routes share, written once: create
//! (201 with `Location`), replace and merge-patch with `If-Match`, and
//! delete with `If-Match`. A resource says what differs by implementing
//! [`Editable`]; its handlers are one call each, so that the OpenAPI
//! annotation can sit on a function of its own.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::db::Conn;
use crate::domain::{Key, WriteMode};
use crate::error::ApiError;
use crate::http::auth::{MaybeCaller, RequireCaller};
use crate::http::caching::{IfMatch, cached_json};
use crate::http::query::QueryParams;
use crate::http::{AppState, json_created, json_ok};

/// What a write is about to do, for the role checks that differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Save,
    Delete,
}

/// A resource that editors create, change and delete through the API.
pub trait Editable: 'static {
    /// The write body.
    type Input: Clone + Send + 'static;
    /// The record as the write rules load and store it.
    type Stored: Clone + Send + 'static;
    /// The resource as the API answers with it.
    type Shown: Serialize + Send + 'static;
    /// The caller once their role has been checked for the action.
    type Actor: Send + 'static;

    /// 401/403 unless the caller's role may take this action at all.
    fn actor(conn: &mut Conn, caller: &Caller, action: Action) -> Result<Self::Actor, ApiError>;
    /// The record a change or delete applies to: 404 when it is missing or
    /// hidden from the actor, 403 when they may see but not change it.
    fn current(
        conn: &mut Conn,
        actor: &Self::Actor,
        key: &Key,
        action: Action,
    ) -> Result<Self::Stored, ApiError>;
    /// The record as this actor sees it: what writes answer with and what
    /// `If-Match` is compared with.
    fn show(
        conn: &mut Conn,
        actor: &Self::Actor,
        stored: Self::Stored,
    ) -> Result<Self::Shown, ApiError>;
    /// Creates (`current` is `None`) or changes the record.
    fn save(
        conn: &mut Conn,
        actor: &Self::Actor,
        input: Self::Input,
        mode: WriteMode,
        current: Option<&Self::Stored>,
    ) -> Result<Self::Stored, ApiError>;
    fn remove(conn: &mut Conn, actor: &Self::Actor, stored: &Self::Stored) -> Result<(), ApiError>;
    /// Where a created record lives.
    fn location(shown: &Self::Shown) -> String;
}

/// A resource that anyone reads one at a time by `{key}`.
pub trait Findable: 'static {
    type Shown: Serialize + Send + 'static;

    /// The record as this caller (anonymous, or holding a valid token) may
    /// see it: 404 when it is missing or hidden from them.
    fn find(conn: &mut Conn, caller: Option<&Caller>, key: &Key) -> Result<Self::Shown, ApiError>;
}

/// GET of one record, cacheable: ETag, `Last-Modified`, 304.
pub async fn find<R: Findable>(
    state: web::Data<AppState>,
    req: HttpRequest,
    key: web::Path<String>,
    caller: MaybeCaller,
) -> Result<HttpResponse, ApiError> {
    QueryParams::parse(&req, &[])?;
    let key = Key::parse(&key);
    let (shown, last_modified) = state
        .read(&req, move |conn| R::find(conn, caller.0.as_ref(), &key))
        .await?;
    cached_json(&req, &state.cache, last_modified, &shown, None)
}

/// The `{key}` of a resource's path, as the OpenAPI document describes it.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct ResourceKey {
    /// The id (all digits) or the slug.
    key: String,
}

/// The precondition of every PUT, PATCH and DELETE.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct Precondition {
    /// Only change it if its current ETag is one of these (or `*`); 412 otherwise.
    #[param(rename = "If-Match")]
    if_match: Option<String>,
}

/// POST: 201 with `Location` and the new ETag.
pub async fn create<R: Editable>(
    state: web::Data<AppState>,
    caller: RequireCaller,
    input: R::Input,
) -> Result<HttpResponse, ApiError> {
    let shown = state
        .db
        .write(move |conn| {
            let actor = R::actor(conn, &caller.0, Action::Save)?;
            let stored = R::save(conn, &actor, input.clone(), WriteMode::Create, None)?;
            R::show(conn, &actor, stored)
        })
        .await?;
    json_created(R::location(&shown), &shown)
}

/// PUT (`WriteMode::Replace`) and PATCH (`WriteMode::Merge`): 200 with the
/// new ETag, or 412 with nothing changed when `If-Match` does not match.
/// The body is checked first, so a request that is wrong twice hears about
/// its body (422, 409) before its precondition.
pub async fn save<R: Editable>(
    state: web::Data<AppState>,
    caller: RequireCaller,
    key: web::Path<String>,
    input: R::Input,
    mode: WriteMode,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let key = Key::parse(&key);
    let shown = state
        .db
        .write(move |conn| {
            let actor = R::actor(conn, &caller.0, Action::Save)?;
            let current = R::current(conn, &actor, &key, Action::Save)?;
            let before = if_match
                .is_set()
                .then(|| R::show(conn, &actor, current.clone()));
            let stored = R::save(conn, &actor, input.clone(), mode, Some(&current))?;
            // An invalid body is 422 whatever `If-Match` says; a stale tag
            // is 412 and rolls the write back with the transaction.
            if let Some(before) = before {
                if_match.check(|| before)?;
            }
            R::show(conn, &actor, stored)
        })
        .await?;
    json_ok(&shown)
}

/// DELETE: 204, or 412 with nothing changed when `If-Match` does not match.
pub async fn delete<R: Editable>(
    state: web::Data<AppState>,
    caller: RequireCaller,
    key: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let key = Key::parse(&key);
    state
        .db
        .write(move |conn| {
            let actor = R::actor(conn, &caller.0, Action::Delete)?;
            let current = R::current(conn, &actor, &key, Action::Delete)?;
            if_match.check(|| R::show(conn, &actor, current.clone()))?;
            R::remove(conn, &actor, &current)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Declares the four write handlers of an [`Editable`] resource (POST on
/// the collection; PUT, PATCH and DELETE on an item) with their OpenAPI
/// annotations, so that each resource names only what differs: its types,
/// paths, tag and the sentence each operation documents.
macro_rules! write_handlers {
    (
        resource: $resource:ident, input: $input:ident, shown: $shown:ident, tag: $tag:literal,
        collection: $collection:literal, item: $item:literal,
        $create:ident: $create_doc:literal,
        $replace:ident: $replace_doc:literal,
        $update:ident: $update_doc:literal,
        $delete:ident: $delete_doc:literal $(,)?
    ) => {
        #[doc = $create_doc]
        #[utoipa::path(post, path = $collection, tag = $tag, request_body = $input,
                    security(("bearer" = [])),
                    responses(
                        (status = 201, description = "Created", body = $shown,
                            headers(("Location" = String, description = "The new resource's URL"))),
                        $crate::http::responses::CreateProblems,
                    ))]
        pub async fn $create(
            state: actix_web::web::Data<$crate::http::AppState>,
            caller: $crate::http::auth::RequireCaller,
            _no_query: $crate::http::query::NoQuery,
            body: $crate::http::body::JsonBody<$input>,
        ) -> Result<actix_web::HttpResponse, $crate::error::ApiError> {
            $crate::api::resource::create::<$resource>(state, caller, body.0).await
        }

        #[doc = $replace_doc]
        #[utoipa::path(put, path = $item, tag = $tag, request_body = $input,
                    params($crate::api::resource::ResourceKey, $crate::api::resource::Precondition),
                    security(("bearer" = [])),
                    responses((status = 200, description = "Success", body = $shown),
                        $crate::http::responses::UpdateProblems))]
        pub async fn $replace(
            state: actix_web::web::Data<$crate::http::AppState>,
            caller: $crate::http::auth::RequireCaller,
            _no_query: $crate::http::query::NoQuery,
            key: actix_web::web::Path<String>,
            body: $crate::http::body::JsonBody<$input>,
            if_match: $crate::http::caching::IfMatch,
        ) -> Result<actix_web::HttpResponse, $crate::error::ApiError> {
            let mode = $crate::domain::WriteMode::Replace;
            $crate::api::resource::save::<$resource>(state, caller, key, body.0, mode, if_match)
                .await
        }

        #[doc = $update_doc]
        #[utoipa::path(patch, path = $item, tag = $tag,
                    request_body(content(($input = "application/json"),
                        ($input = "application/merge-patch+json"))),
                    params($crate::api::resource::ResourceKey, $crate::api::resource::Precondition),
                    security(("bearer" = [])),
                    responses((status = 200, description = "Success", body = $shown),
                        $crate::http::responses::UpdateProblems))]
        pub async fn $update(
            state: actix_web::web::Data<$crate::http::AppState>,
            caller: $crate::http::auth::RequireCaller,
            _no_query: $crate::http::query::NoQuery,
            key: actix_web::web::Path<String>,
            body: $crate::http::body::JsonBody<$input>,
            if_match: $crate::http::caching::IfMatch,
        ) -> Result<actix_web::HttpResponse, $crate::error::ApiError> {
            let mode = $crate::domain::WriteMode::Merge;
            $crate::api::resource::save::<$resource>(state, caller, key, body.0, mode, if_match)
                .await
        }

        #[doc = $delete_doc]
        #[utoipa::path(delete, path = $item, tag = $tag,
                    params($crate::api::resource::ResourceKey, $crate::api::resource::Precondition),
                    security(("bearer" = [])),
                    responses((status = 204, description = "Deleted"),
                        $crate::http::responses::DeleteProblems))]
        pub async fn $delete(
            state: actix_web::web::Data<$crate::http::AppState>,
            caller: $crate::http::auth::RequireCaller,
            _no_query: $crate::http::query::NoQuery,
            key: actix_web::web::Path<String>,
            if_match: $crate::http::caching::IfMatch,
        ) -> Result<actix_web::HttpResponse, $crate::error::ApiError> {
            $crate::api::resource::delete::<$resource>(state, caller, key, if_match).await
        }
    };
}

pub(crate) use write_handlers;
