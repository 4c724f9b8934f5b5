//! Anonymous reads answered from memory: the bytes, validators and headers
//! of each public GET under `/v1`, kept until the database's freshness
//! changes. A hit costs no serialization or hashing, and usually no database
//! statement at all: the freshness itself is remembered until this process
//! writes, a scheduled article falls due, or `CACHE_RECHECK_MS` passes (the
//! bound on how long a write through another process takes to show).
//! Requests with a token are never cached: what they see depends on who
//! they are.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
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
use super::caching::still_current;
use super::compression::{self, Coding};
use super::metrics::MatchedRoute;
use crate::db::{self, Freshness};
use crate::domain;
use crate::error::ApiError;

/// Enough for every hot page of a large site; past either bound the cache
/// starts over, which keeps its memory predictable.
const MAX_ENTRIES: usize = 4_096;
const MAX_BYTES: usize = 16 * 1024 * 1024;

struct Entry {
    freshness: Freshness,
    route: Option<String>,
    headers: HeaderMap,
    body: Bytes,
    /// The body in each coding asked for so far, compressed once.
    encoded: Vec<(Coding, Bytes)>,
}

pub struct ReadCache {
    entries: Mutex<Entries>,
    recheck: Duration,
    memo: Mutex<Option<Memo>>,
    /// Representations being assembled right now, by URI: a request that
    /// misses while another assembles the same one waits for it instead of
    /// doing the same work (after a write, every reader misses at once).
    flights: Mutex<HashMap<String, Arc<Flight>>>,
}

struct Flight {
    freshness: Freshness,
    done: tokio::sync::Notify,
}

/// The request assembling a representation; others wait on its flight.
/// Dropped however the request ends (answered, failed or abandoned), it
/// lets them go: they find the entry, or one of them assembles it.
struct Leading<'a> {
    cache: &'a ReadCache,
    uri: String,
    flight: Arc<Flight>,
}

impl Drop for Leading<'_> {
    fn drop(&mut self) {
        let mut flights = self.cache.flights.lock().unwrap_or_else(|p| p.into_inner());
        if flights
            .get(&self.uri)
            .is_some_and(|f| Arc::ptr_eq(f, &self.flight))
        {
            flights.remove(&self.uri);
        }
        drop(flights);
        self.flight.done.notify_waiters();
    }
}

enum Turn<'a> {
    Lead(Leading<'a>),
    Wait(Arc<Flight>),
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
    /// The newest freshness an entry was stored under: older entries can
    /// never be served again, so they are dropped as soon as it moves.
    newest: Option<Freshness>,
}

impl ReadCache {
    pub fn new(recheck: Duration) -> ReadCache {
        ReadCache {
            entries: Mutex::default(),
            recheck,
            memo: Mutex::new(None),
            flights: Mutex::default(),
        }
    }

    /// Either this request assembles `uri` at `freshness`, or it waits
    /// for the one already doing so.
    fn take_turn(&self, uri: &str, freshness: Freshness) -> Turn<'_> {
        let mut flights = self.flights.lock().unwrap_or_else(|p| p.into_inner());
        match flights.get(uri) {
            Some(flight) if flight.freshness == freshness => Turn::Wait(flight.clone()),
            _ => {
                let flight = Arc::new(Flight {
                    freshness,
                    done: tokio::sync::Notify::new(),
                });
                flights.insert(uri.to_owned(), flight.clone());
                Turn::Lead(Leading {
                    cache: self,
                    uri: uri.to_owned(),
                    flight,
                })
            }
        }
    }

    /// Waits until the flight lands. The waiter is registered before the
    /// flight is looked at again, so a landing in between is not missed.
    async fn wait_for(&self, uri: &str, flight: Arc<Flight>) {
        let landed = flight.done.notified();
        let still_flying = self
            .flights
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(uri)
            .is_some_and(|f| Arc::ptr_eq(f, &flight));
        if still_flying {
            landed.await;
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

    /// The entry's headers, route and body in `coding` (the identity body
    /// when that coding is not stored yet), if it is still fresh.
    fn get(&self, uri: &str, freshness: Freshness, coding: Option<Coding>) -> Option<Hit> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let entry = entries.by_uri.get(uri)?;
        (entry.freshness == freshness).then(|| Hit {
            headers: entry.headers.clone(),
            body: entry.body.clone(),
            route: entry.route.clone(),
            encoded: coding.and_then(|c| {
                entry
                    .encoded
                    .iter()
                    .find(|(stored, _)| *stored == c)
                    .map(|(_, bytes)| bytes.clone())
            }),
        })
    }

    /// Keeps the `coding` form of a fresh entry's body.
    fn put_encoded(&self, uri: &str, freshness: Freshness, coding: Coding, bytes: Bytes) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let Entries {
            by_uri,
            bytes: total,
            ..
        } = &mut *entries;
        if let Some(entry) = by_uri.get_mut(uri)
            && entry.freshness == freshness
            && entry.encoded.iter().all(|(stored, _)| *stored != coding)
        {
            *total += bytes.len();
            entry.encoded.push((coding, bytes));
        }
    }

    fn put(&self, uri: String, entry: Entry) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let order = |f: Freshness| (f.version, f.last_modified);
        match entries.newest {
            // Assembled before a change that others have already seen.
            Some(newest) if order(entry.freshness) < order(newest) => return,
            Some(newest) if newest == entry.freshness => {}
            _ => {
                entries.by_uri.clear();
                entries.bytes = 0;
                entries.newest = Some(entry.freshness);
            }
        }
        if entries.by_uri.len() >= MAX_ENTRIES || entries.bytes + entry.body.len() > MAX_BYTES {
            entries.by_uri.clear();
            entries.bytes = 0;
        }
        entries.bytes += entry.body.len();
        if let Some(old) = entries.by_uri.insert(uri, entry) {
            entries.bytes -=
                old.body.len() + old.encoded.iter().map(|(_, b)| b.len()).sum::<usize>();
        }
    }
}

struct Hit {
    headers: HeaderMap,
    body: Bytes,
    route: Option<String>,
    encoded: Option<Bytes>,
}

/// Public reads: GETs under `/v1`. This middleware evaluates their
/// conditional headers and picks their encoding, cached or not.
fn public_read(req: &ServiceRequest) -> bool {
    *req.method() == Method::GET && req.path().starts_with("/v1/")
}

/// Only anonymous reads are shared: what a token sees depends on who it is.
fn cacheable(req: &ServiceRequest) -> bool {
    !req.headers().contains_key(header::AUTHORIZATION)
}

/// Removes the request's conditional headers and returns them, so that the
/// handler always produces the whole representation and the decision
/// between 200 and 304 is taken here, once the encoding (and so the ETag)
/// of the answer is known.
fn take_conditions(req: &mut ServiceRequest) -> HeaderMap {
    let mut conditions = HeaderMap::new();
    for name in [header::IF_NONE_MATCH, header::IF_MODIFIED_SINCE] {
        for value in req.headers().get_all(&name) {
            conditions.append(name.clone(), value.clone());
        }
        req.headers_mut().remove(&name);
    }
    conditions
}

/// The answer to a public read from a whole 200 representation: encoded
/// when the client accepts it and the body is large enough, then 304 when
/// the client's copy is current.
fn answer(
    conditions: &HeaderMap,
    mut headers: HeaderMap,
    body: Bytes,
    encoded: Option<(Coding, Bytes)>,
    last_modified: Option<NaiveDateTime>,
) -> HttpResponse {
    let body = match encoded {
        Some((coding, bytes)) => {
            compression::mark(&mut headers, coding);
            bytes
        }
        None => body,
    };
    let etag = headers
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let last_modified = last_modified.or_else(|| {
        headers
            .get(header::LAST_MODIFIED)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<header::HttpDate>().ok())
            .map(|d| {
                chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::from(d)).naive_utc()
            })
    });
    let fresh =
        !etag.is_empty() && last_modified.is_some_and(|lm| still_current(conditions, &etag, lm));
    let mut response = if fresh {
        HttpResponse::NotModified().finish()
    } else {
        HttpResponse::Ok().body(body)
    };
    for (name, value) in &headers {
        if !(fresh && (name == header::CONTENT_TYPE || name == header::CONTENT_ENCODING)) {
            response.headers_mut().append(name.clone(), value.clone());
        }
    }
    response
}

/// Reads a whole response body; public reads are bounded in size.
async fn whole_body(response: HttpResponse) -> Result<(HttpResponse<()>, Bytes), Error> {
    let (response, body) = response.into_parts();
    match actix_web::body::to_bytes(body).await {
        Ok(body) => Ok((response, body)),
        Err(_) => Err(ApiError::internal("a response body could not be read").into()),
    }
}

pub async fn read_cache(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let cache = req.app_data::<web::Data<ReadCache>>().cloned();
    let (Some(state), Some(cache)) = (state, cache) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    if !public_read(&req) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let conditions = take_conditions(&mut req);
    let coding = compression::negotiate(req.headers());
    if !cacheable(&req) {
        let response = next.call(req).await?;
        if response.status() != StatusCode::OK {
            return Ok(response.map_into_boxed_body());
        }
        let (request, response) = response.into_parts();
        let (response, body) = whole_body(response.map_into_boxed_body()).await?;
        let encoded = coding
            .filter(|_| compression::worth_it(response.headers(), body.len()))
            .map(|c| (c, Bytes::from(compression::encode(c, &body))));
        let answered = answer(&conditions, response.headers().clone(), body, encoded, None);
        return Ok(ServiceResponse::new(request, answered));
    }
    let Ok(freshness) = cache.freshness(&state).await else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let uri = req.uri().to_string();
    let mut hit = cache.get(&uri, freshness, coding);
    let mut leading = None;
    while hit.is_none() {
        match cache.take_turn(&uri, freshness) {
            Turn::Lead(lead) => {
                leading = Some(lead);
                break;
            }
            Turn::Wait(flight) => {
                cache.wait_for(&uri, flight).await;
                hit = cache.get(&uri, freshness, coding);
            }
        }
    }
    let hit = match hit {
        Some(hit) => hit,
        None => {
            // The handler's Last-Modified must be the freshness this entry is
            // kept under, and asking again would cost it two statements.
            req.extensions_mut().insert(freshness);
            let response = next.call(req).await?;
            if response.status() != StatusCode::OK || !response.headers().contains_key(header::ETAG)
            {
                return Ok(response.map_into_boxed_body());
            }
            let route = response.request().match_pattern();
            let (request, response) = response.into_parts();
            let (response, body) = whole_body(response.map_into_boxed_body()).await?;
            let headers = response.headers().clone();
            cache.put(
                uri.clone(),
                Entry {
                    freshness,
                    route: route.clone(),
                    headers: headers.clone(),
                    body: body.clone(),
                    encoded: Vec::new(),
                },
            );
            req = ServiceRequest::from_request(request);
            drop(leading);
            Hit {
                headers,
                body,
                route,
                encoded: None,
            }
        }
    };
    if let Some(route) = &hit.route {
        req.extensions_mut().insert(MatchedRoute(route.clone()));
    }
    let encoded = match coding {
        Some(c) if compression::worth_it(&hit.headers, hit.body.len()) => Some(match hit.encoded {
            Some(bytes) => (c, bytes),
            None => {
                let bytes = Bytes::from(compression::encode(c, &hit.body));
                cache.put_encoded(&uri, freshness, c, bytes.clone());
                (c, bytes)
            }
        }),
        _ => None,
    };
    let response = answer(
        &conditions,
        hit.headers,
        hit.body,
        encoded,
        Some(freshness.last_modified),
    );
    Ok(req.into_response(response))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn freshness(version: i64) -> Freshness {
        Freshness {
            version,
            last_modified: chrono::DateTime::from_timestamp(1_700_000_000, 0)
                .unwrap()
                .naive_utc(),
        }
    }

    fn entry(version: i64) -> Entry {
        Entry {
            freshness: freshness(version),
            route: None,
            headers: HeaderMap::new(),
            body: Bytes::from_static(b"{}"),
            encoded: Vec::new(),
        }
    }

    #[test]
    fn a_newer_freshness_drops_every_older_entry_and_older_ones_are_not_kept() {
        let cache = ReadCache::new(Duration::ZERO);
        cache.put("/v1/a".into(), entry(1));
        cache.put("/v1/b".into(), entry(1));
        assert!(cache.get("/v1/a", freshness(1), None).is_some());
        cache.put("/v1/c".into(), entry(2));
        let entries = cache.entries.lock().unwrap();
        assert_eq!(
            entries.by_uri.len(),
            1,
            "version 1 can never be served again"
        );
        assert_eq!(entries.bytes, 2);
        drop(entries);
        // A representation assembled before version 2 arrived comes too late.
        cache.put("/v1/a".into(), entry(1));
        assert!(cache.get("/v1/a", freshness(1), None).is_none());
        assert!(cache.get("/v1/c", freshness(2), None).is_some());
    }
}
