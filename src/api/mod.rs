//! HTTP handlers, one module per resource, and the one place every route is
//! registered ([`routes`]).

pub mod articles;
pub mod authors;
pub mod body;
pub mod caching;
pub mod compression;
pub mod query;
pub mod read_cache;
pub mod related;
pub mod system;
pub mod tags;
pub mod validate;

use actix_web::http::header;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use chrono::NaiveDateTime;
use serde::Serialize;

use crate::auth::Caller;
use crate::config::CacheSettings;
use crate::db::visibility::Visibility;
use crate::db::{self, Conn, Db};
use crate::domain;
use crate::error::ApiError;

/// What every handler shares.
pub struct AppState {
    pub db: Db,
    pub cache: CacheSettings,
    /// Serialized once at start: served byte for byte as generated.
    pub openapi_json: String,
}

/// Every route of the service. The OpenAPI document lists the same
/// operations (`openapi::ApiDoc`); a test checks that each one is routed.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/v1")
            .service(
                web::resource("/articles")
                    .route(web::get().to(articles::list_articles))
                    .route(web::post().to(articles::create_article)),
            )
            .service(
                web::resource("/articles/{key}")
                    .route(web::get().to(articles::find_article))
                    .route(web::put().to(articles::replace_article))
                    .route(web::patch().to(articles::update_article))
                    .route(web::delete().to(articles::delete_article)),
            )
            .service(
                web::resource("/articles/{key}/related")
                    .route(web::get().to(related::list_related))
                    .route(web::post().to(related::create_related)),
            )
            .service(
                web::resource("/articles/{key}/related/{target}")
                    .route(web::patch().to(related::update_related))
                    .route(web::delete().to(related::delete_related)),
            )
            .service(
                web::resource("/authors")
                    .route(web::get().to(authors::list_authors))
                    .route(web::post().to(authors::create_author)),
            )
            .service(
                web::resource("/authors/{key}")
                    .route(web::get().to(authors::find_author))
                    .route(web::put().to(authors::replace_author))
                    .route(web::patch().to(authors::update_author))
                    .route(web::delete().to(authors::delete_author)),
            )
            .service(
                web::resource("/authors/{key}/articles")
                    .route(web::get().to(authors::list_author_articles)),
            )
            .service(
                web::resource("/tags")
                    .route(web::get().to(tags::list_tags))
                    .route(web::post().to(tags::create_tag)),
            )
            .service(
                web::resource("/tags/{key}")
                    .route(web::get().to(tags::find_tag))
                    .route(web::put().to(tags::replace_tag))
                    .route(web::patch().to(tags::update_tag))
                    .route(web::delete().to(tags::delete_tag)),
            )
            .service(
                web::resource("/tags/{key}/articles").route(web::get().to(tags::list_tag_articles)),
            ),
    )
    .service(web::resource("/openapi.json").route(web::get().to(system::openapi_json)))
    .service(web::resource("/healthz").route(web::get().to(system::healthz)))
    .service(web::resource("/readyz").route(web::get().to(system::readyz)));
}

/// Which articles this caller may see. A contributor sees their own
/// unpublished work through the author their token names.
pub fn visibility_for(conn: &mut Conn, caller: Option<&Caller>) -> diesel::QueryResult<Visibility> {
    let now = domain::now();
    let Some(caller) = caller else {
        return Ok(Visibility::Public { now });
    };
    if caller.is_editor() {
        return Ok(Visibility::Everything);
    }
    match own_author_id(conn, caller)? {
        Some(author_id) => Ok(Visibility::PublicAndOwn { now, author_id }),
        None => Ok(Visibility::Public { now }),
    }
}

/// The id of the author a contributor's token credits, when it exists.
pub fn own_author_id(conn: &mut Conn, caller: &Caller) -> diesel::QueryResult<Option<i64>> {
    match &caller.author {
        Some(slug) => Ok(db::authors::find_by_slug(conn, slug)?.map(|a| a.id)),
        None => Ok(None),
    }
}

/// A write's 200 answer with the new ETag.
pub fn json_ok<T: Serialize>(body: &T) -> Result<HttpResponse, ApiError> {
    caching::written_json(HttpResponse::Ok(), body)
}

/// A create's 201 answer with `Location` and the new ETag.
pub fn json_created<T: Serialize>(location: String, body: &T) -> Result<HttpResponse, ApiError> {
    let mut response = HttpResponse::Created();
    response.insert_header((header::LOCATION, location));
    caching::written_json(response, body)
}

impl AppState {
    /// Runs a read and also finds its `Last-Modified`, in one trip to the
    /// blocking pool. The read cache has already asked for it when it let
    /// the request through, so that answer is used when there is one.
    pub async fn read<T, F>(
        &self,
        req: &HttpRequest,
        work: F,
    ) -> Result<(T, NaiveDateTime), ApiError>
    where
        F: FnOnce(&mut Conn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let known = req.extensions().get::<db::Freshness>().copied();
        self.db
            .run(move |conn| {
                let value = work(conn)?;
                let freshness = match known {
                    Some(freshness) => freshness,
                    None => db::freshness(conn, domain::now())?,
                };
                Ok((value, freshness.last_modified))
            })
            .await
    }
}
