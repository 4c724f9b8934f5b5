//! Anonymous reads answered from memory: the bytes, validators and headers
//! of each public GET under `/v1`, kept until the database's freshness
//! changes. A hit costs no serialization or hashing, and usually no database
//! statement at all: the freshness itself is remembered until this process
//! writes, a scheduled article falls due, or `CACHE_RECHECK_MS` passes (the
//! bound on how long a write through another process takes to show).
//! Requests with a token are never cached: what they see depends on who
//! they are.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{Error, HttpMessage, HttpResponse, web};

use super::AppState;
use super::caching::not_modified;
use crate::db::{self, Freshness};
use crate::domain;
use crate::error::ApiError;
use crate::metrics::MatchedRoute;

/// Enough for every hot page of a large site; past either bound the cache
/// starts over, which keeps its memory predictable.
const MAX_ENTRIES: usize = 4_096;
const MAX_BYTES: usize = 16 * 1024 * 1024;

struct Entry {
    freshness: Freshness,
    route: Option<String>,
    headers: HeaderMap,
    body: Bytes,
}

pub struct ReadCache {
    entries: Mutex<Entries>,
    recheck: Duration,
    memo: Mutex<Option<Memo>>,
}

/// The last freshness read from the database, and what would outdate it.
#[derive(Clone, Copy)]
struct Memo {
    freshness: Freshness,
    /// When the statement that read it started.
    asked: Instant,
    /// `db::writes_committed()` before it was read.
    writes: u64,
    /// When the next scheduled `published_at` falls due, if any.
    next_due: Option<NaiveDateTime>,
}

#[derive(Default)]
struct Entries {
    by_uri: HashMap<String, Entry>,
    bytes: usize,
}

impl ReadCache {
    pub fn new(recheck: Duration) -> ReadCache {
        ReadCache {
            entries: Mutex::default(),
            recheck,
            memo: Mutex::new(None),
        }
    }

    /// How current the stored content is: remembered while nothing can have
    /// changed it, else asked of the database.
    async fn freshness(&self, state: &AppState) -> Result<Freshness, ApiError> {
        let now = domain::now();
        if self.recheck.is_zero() {
            return state
                .db
                .run(move |conn| Ok(db::freshness(conn, now)?))
                .await;
        }
        let writes = db::writes_committed();
        let memo = *self.memo.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(memo) = memo
            && memo.writes == writes
            && memo.asked.elapsed() < self.recheck
            && memo.next_due.is_none_or(|due| now < due)
        {
            return Ok(memo.freshness);
        }
        let asked = Instant::now();
        let (freshness, next_due) = state
            .db
            .run(move |conn| {
                Ok::<_, ApiError>((db::freshness(conn, now)?, db::next_due(conn, now)?))
            })
            .await?;
        *self.memo.lock().unwrap_or_else(|p| p.into_inner()) = Some(Memo {
            freshness,
            asked,
            writes,
            next_due,
        });
        Ok(freshness)
    }

    fn get(&self, uri: &str, freshness: Freshness) -> Option<(HeaderMap, Bytes, Option<String>)> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let entry = entries.by_uri.get(uri)?;
        (entry.freshness == freshness).then(|| {
            (
                entry.headers.clone(),
                entry.body.clone(),
                entry.route.clone(),
            )
        })
    }

    fn put(&self, uri: String, entry: Entry) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.by_uri.len() >= MAX_ENTRIES || entries.bytes + entry.body.len() > MAX_BYTES {
            entries.by_uri.clear();
            entries.bytes = 0;
        }
        entries.bytes += entry.body.len();
        if let Some(old) = entries.by_uri.insert(uri, entry) {
            entries.bytes -= old.body.len();
        }
    }
}

fn cacheable(req: &ServiceRequest) -> bool {
    *req.method() == Method::GET
        && req.path().starts_with("/v1/")
        && !req.headers().contains_key(header::AUTHORIZATION)
}

pub async fn read_cache(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let cache = req.app_data::<web::Data<ReadCache>>().cloned();
    let (Some(state), Some(cache)) = (state, cache) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    if !cacheable(&req) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let Ok(freshness) = cache.freshness(&state).await else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let uri = req.uri().to_string();
    if let Some((headers, body, route)) = cache.get(&uri, freshness) {
        if let Some(route) = route {
            req.extensions_mut().insert(MatchedRoute(route));
        }
        let etag = headers
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let fresh = not_modified(req.request(), &etag, freshness.last_modified);
        let mut response = if fresh {
            HttpResponse::NotModified().finish()
        } else {
            HttpResponse::Ok().body(body)
        };
        for (name, value) in &headers {
            if !(fresh && name == header::CONTENT_TYPE) {
                response.headers_mut().insert(name.clone(), value.clone());
            }
        }
        return Ok(req.into_response(response));
    }
    // The handler's Last-Modified must be the freshness this entry is kept
    // under, and asking again would cost it two statements.
    req.extensions_mut().insert(freshness);
    let response = next.call(req).await?;
    if response.status() != StatusCode::OK || !response.headers().contains_key(header::ETAG) {
        return Ok(response.map_into_boxed_body());
    }
    let route = response.request().match_pattern();
    let (request, response) = response.into_parts();
    let headers = response.headers().clone();
    let (response, body) = response.into_parts();
    let body = match actix_web::body::to_bytes(body).await {
        Ok(body) => body,
        Err(_) => return Err(ApiError::internal("a response body could not be read").into()),
    };
    cache.put(
        uri,
        Entry {
            freshness,
            route,
            headers,
            body: body.clone(),
        },
    );
    let response = response.set_body(BoxBody::new(body));
    Ok(ServiceResponse::new(request, response))
}
