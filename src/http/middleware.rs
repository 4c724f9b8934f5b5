//! What wraps every request: a request id and one log line, per-client rate
//! limits, and CORS for frontends served from other origins.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, web};
use tracing::Instrument;

use super::metrics::{MatchedRoute, Metrics};
use crate::error::ApiError;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The caller's id when it is a sane token, else a fresh random one.
fn request_id(req: &ServiceRequest) -> String {
    let given = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        });
    match given {
        Some(id) => id.to_owned(),
        None => {
            let mut raw = [0u8; 8];
            // Uniqueness, not secrecy, is what matters; a zero id on the
            // (never seen) failure of the OS source is still a valid id.
            let _ = getrandom::fill(&mut raw);
            raw.iter().map(|b| format!("{b:02x}")).collect()
        }
    }
}

/// Gives the request an id (echoed in `X-Request-Id` and carried by every
/// log line it causes) and logs one line when it ends. Time is bounded
/// elsewhere: reading a request by the server's client timeout, database
/// work by the pool's and SQLite's busy timeouts.
pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let id = request_id(&req);
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let span = tracing::info_span!("request", request_id = %id);
    async move {
        let started = Instant::now();
        let method = req.method().clone();
        let path = req.path().to_owned();
        let mut response = next.call(req).await?.map_into_boxed_body();
        if let Some(metrics) = metrics {
            // A cache hit already knows its route; asking actix matches the
            // path against every route's pattern again (a regex each), which
            // was an eighth of a cached answer's CPU.
            let known = response
                .request()
                .extensions()
                .get::<MatchedRoute>()
                .map(|r| r.0.clone());
            let route = known.or_else(|| response.request().match_pattern());
            metrics.record(
                method.as_str(),
                route.as_deref().unwrap_or("unmatched"),
                response.status().as_u16(),
                started.elapsed(),
            );
        }
        if let Ok(value) = HeaderValue::from_str(&id) {
            response.headers_mut().insert(REQUEST_ID, value);
        }
        tracing::info!(
            %method,
            %path,
            status = response.status().as_u16(),
            latency_ms = (started.elapsed().as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0,
            "request"
        );
        Ok(response)
    }
    .instrument(span)
    .await
}

/// Browsers on any origin may read and, with a bearer token, write: the API
/// uses no cookies, so there is no ambient credential for another site to
/// ride on. Preflights are answered here; every other request runs as usual
/// and is marked readable, with the headers a client needs exposed.
pub async fn cors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let from_browser = req.headers().contains_key(header::ORIGIN);
    let is_preflight = from_browser
        && *req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if is_preflight {
        let response = actix_web::HttpResponse::NoContent()
            .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
            .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, PUT, PATCH, DELETE"))
            .insert_header((
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                "Authorization, Content-Type, If-Match, If-None-Match, If-Modified-Since, X-Request-Id",
            ))
            .insert_header((header::ACCESS_CONTROL_MAX_AGE, "86400"))
            .finish();
        return Ok(req.into_response(response));
    }
    let mut response = next.call(req).await?.map_into_boxed_body();
    if from_browser {
        let headers = response.headers_mut();
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(
                "ETag, Last-Modified, Link, Location, Retry-After, X-Request-Id",
            ),
        );
    }
    Ok(response)
}

/// A token bucket per client address: `per_minute` requests, refilled
/// continuously, so a client is never locked out for a whole minute.
pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Past this many tracked clients, full (idle) buckets are forgotten.
const MAX_TRACKED_CLIENTS: usize = 10_000;

impl RateLimiter {
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `client`, or says how long until one is free.
    pub fn take(&self, client: IpAddr) -> Result<(), Duration> {
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let now = Instant::now();
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() >= MAX_TRACKED_CLIENTS {
            buckets.retain(|_, b| {
                b.tokens + now.duration_since(b.updated).as_secs_f64() * per_second < capacity
            });
        }
        let bucket = buckets.entry(client).or_insert(Bucket {
            tokens: capacity,
            updated: now,
        });
        let refill = now.duration_since(bucket.updated).as_secs_f64() * per_second;
        bucket.tokens = (bucket.tokens + refill).min(capacity);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / per_second))
        }
    }
}

/// The configured limits: anonymous reads and all writes, per client address.
#[derive(Default)]
pub struct RateLimits {
    pub reads: Option<RateLimiter>,
    pub writes: Option<RateLimiter>,
}

pub async fn rate_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let limits = req.app_data::<web::Data<RateLimits>>().cloned();
    let is_read = matches!(*req.method(), Method::GET | Method::HEAD);
    let limiter = limits.as_ref().and_then(|l| match is_read {
        // Readers with a token are editors previewing work, not traffic.
        true if !req.headers().contains_key(header::AUTHORIZATION) => l.reads.as_ref(),
        true => None,
        false => l.writes.as_ref(),
    });
    let client = req.peer_addr().map(|a| a.ip());
    if let (Some(limiter), Some(client)) = (limiter, client)
        && let Err(wait) = limiter.take(client)
    {
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let mut response = req.error_response(ApiError::TooManyRequests(format!(
            "too many {} from this address; retry in {seconds} s",
            if is_read { "reads" } else { "writes" }
        )));
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
        return Ok(response);
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_size_then_says_when_to_retry() {
        let limiter = RateLimiter::new(3);
        let client: IpAddr = "127.0.0.1".parse().unwrap();
        for _ in 0..3 {
            assert!(limiter.take(client).is_ok());
        }
        let wait = limiter.take(client).unwrap_err();
        assert!(
            wait <= Duration::from_secs(20) && wait > Duration::from_secs(19),
            "{wait:?}"
        );
        assert!(
            limiter.take("127.0.0.2".parse().unwrap()).is_ok(),
            "clients are counted apart"
        );
    }
}
