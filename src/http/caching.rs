//! HTTP caching and conditional requests: strong ETags computed from the
//! bytes sent, `Last-Modified`, 304s, `Cache-Control`, `Vary`, and `If-Match`
//! for safe concurrent edits.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header::{self, HttpDate};
use actix_web::{FromRequest, HttpRequest, HttpResponse, HttpResponseBuilder};
use chrono::NaiveDateTime;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::compression;
use crate::config::CacheSettings;
use crate::error::ApiError;

/// Every public read depends on who asks and, once large enough to be
/// compressed, on what encodings they accept.
pub const VARY: &str = "Authorization, Accept-Encoding";

/// A strong validator: equal bytes, equal tag, across replicas and restarts.
pub fn etag_of(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

pub fn to_bytes<T: Serialize>(body: &T) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(body).map_err(ApiError::internal)
}

fn http_date(t: NaiveDateTime) -> HttpDate {
    let system: std::time::SystemTime = t.and_utc().into();
    HttpDate::from(system)
}

/// Whether `If-None-Match` names `etag` (weakly, as RFC 9110 compares for
/// GET); `None` when it was not sent.
pub fn if_none_match(conditions: &header::HeaderMap, etag: &str) -> Option<bool> {
    let value = conditions.get(header::IF_NONE_MATCH)?;
    let Ok(value) = value.to_str() else {
        return Some(false);
    };
    let etag = compression::identity_tag(etag);
    Some(value.split(',').map(str::trim).any(|tag| {
        tag == "*" || compression::identity_tag(tag.strip_prefix("W/").unwrap_or(tag)) == etag
    }))
}

/// Whether `If-None-Match` or, without it, `If-Modified-Since` says the
/// client's copy is current. Tags compare without a content-coding suffix
/// (see `compression`): a client's tag from any encoding names the content.
pub(crate) fn still_current(
    conditions: &header::HeaderMap,
    etag: &str,
    last_modified: NaiveDateTime,
) -> bool {
    if let Some(matches) = if_none_match(conditions, etag) {
        return matches;
    }
    let since = conditions
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<HttpDate>().ok());
    match since {
        Some(since) => {
            let since: std::time::SystemTime = since.into();
            let modified: std::time::SystemTime = http_date(last_modified).into();
            modified <= since
        }
        None => false,
    }
}

/// A public read: 200 with validators and caching headers. Whether the
/// client's copy is current (304) is decided by `read_cache`, once the
/// response's encoding, and so its ETag, is known. A request with a token is
/// never shared-cached.
pub fn cached_json<T: Serialize>(
    req: &HttpRequest,
    settings: &CacheSettings,
    last_modified: NaiveDateTime,
    body: &T,
    link: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let bytes = to_bytes(body)?;
    let etag = etag_of(&bytes);
    let cache_control = if req.headers().contains_key(header::AUTHORIZATION) {
        "private, no-store".to_owned()
    } else {
        format!(
            "public, max-age={}, stale-while-revalidate={}",
            settings.max_age, settings.stale_while_revalidate
        )
    };
    let mut response = HttpResponse::Ok();
    response
        .insert_header((header::ETAG, etag))
        .insert_header((header::LAST_MODIFIED, http_date(last_modified)))
        .insert_header((header::CACHE_CONTROL, cache_control))
        .insert_header((header::VARY, VARY));
    if let Some(link) = link {
        response.insert_header((header::LINK, link));
    }
    Ok(response.content_type("application/json").body(bytes))
}

/// A write's answer, carrying the new ETag.
pub fn written_json<T: Serialize>(
    mut response: HttpResponseBuilder,
    body: &T,
) -> Result<HttpResponse, ApiError> {
    let bytes = to_bytes(body)?;
    Ok(response
        .insert_header((header::ETAG, etag_of(&bytes)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .content_type("application/json")
        .body(bytes))
}

/// The `If-Match` header of a write, if any.
#[derive(Debug, Clone, Default)]
pub struct IfMatch(Option<String>);

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let value = req.headers().get(header::IF_MATCH).map(|v| {
            v.to_str()
                .map(str::to_owned)
                .map_err(|_| ApiError::BadRequest("the If-Match header is not valid text".into()))
        });
        ready(value.transpose().map(IfMatch))
    }
}

impl IfMatch {
    /// Whether the request sent `If-Match` at all.
    pub fn is_set(&self) -> bool {
        self.0.is_some()
    }

    /// 412 unless the current representation (as the caller sees it) has a
    /// listed tag. Strong comparison: weak tags never match.
    pub fn check<T: Serialize>(
        &self,
        current: impl FnOnce() -> Result<T, ApiError>,
    ) -> Result<(), ApiError> {
        let Some(expected) = &self.0 else {
            return Ok(());
        };
        let tags: Vec<&str> = expected.split(',').map(str::trim).collect();
        if tags.contains(&"*") {
            return Ok(());
        }
        let etag = etag_of(&to_bytes(&current()?)?);
        // A tag taken from a compressed read names the same content.
        if tags
            .iter()
            .any(|tag| compression::identity_tag(tag) == etag.as_str())
        {
            Ok(())
        } else {
            Err(ApiError::PreconditionFailed(format!(
                "If-Match {expected} does not match the current ETag {etag}; fetch it again and retry"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_bytes_give_equal_strong_tags() {
        assert_eq!(etag_of(b"{}"), etag_of(b"{}"));
        assert_ne!(etag_of(b"{}"), etag_of(b"[]"));
        assert!(etag_of(b"x").starts_with('"') && !etag_of(b"x").starts_with("W/"));
    }

    #[test]
    fn if_match_star_matches_and_a_stale_tag_is_412() {
        assert!(IfMatch(Some("*".into())).check(|| Ok(1)).is_ok());
        let stale = IfMatch(Some("\"abc\"".into())).check(|| Ok(1));
        assert!(matches!(stale, Err(ApiError::PreconditionFailed(_))));
        let current = IfMatch(Some(format!("\"x\", {}", etag_of(b"1")))).check(|| Ok(1));
        assert!(current.is_ok());
    }
}
