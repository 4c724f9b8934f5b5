//! HTTP plumbing shared by every resource: the application state, request
//! extractors (caller, JSON bodies, query strings), conditional requests and
//! the anonymous read cache, compression, middleware, metrics, the
//! problem+json rendering of errors and the OpenAPI response sets. It knows
//! nothing of any one resource; `api/` builds the routes on top of it.

pub mod auth;
pub mod body;
pub mod caching;
pub mod compression;
pub mod metrics;
pub mod middleware;
pub mod problem;
pub mod query;
pub mod read_cache;
pub mod responses;

use actix_web::http::header;
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use serde::Serialize;

use crate::config::CacheSettings;
use crate::db::{self, Conn, Db};
use crate::domain;
use crate::error::ApiError;

/// What every handler shares.
pub struct AppState {
    pub db: Db,
    pub cache: CacheSettings,
    /// Serialized once at start: served byte for byte as generated.
    pub openapi_json: String,
    /// Media URLs and limits, for the media routes and the reads that
    /// embed pictures.
    pub media: std::sync::Arc<crate::config::MediaSettings>,
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
