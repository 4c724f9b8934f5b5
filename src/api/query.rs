//! Query strings: every parameter is allow-listed per route, given at most
//! once unless repeatable, and parsed with a 400 that names it.

use actix_web::HttpRequest;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;

pub const DEFAULT_PER_PAGE: i64 = 20;
pub const MAX_PER_PAGE: i64 = 100;

pub struct QueryParams {
    pairs: Vec<(String, String)>,
}

impl QueryParams {
    pub fn parse(req: &HttpRequest, allowed: &[&str]) -> Result<QueryParams, ApiError> {
        let pairs = actix_web::web::Query::<Vec<(String, String)>>::from_query(req.query_string())
            .map_err(|e| ApiError::BadRequest(format!("the query string is malformed: {e}")))?
            .into_inner();
        for (name, _) in &pairs {
            if !allowed.contains(&name.as_str()) {
                return Err(ApiError::BadRequest(if allowed.is_empty() {
                    format!("unknown query parameter '{name}'; this route takes none")
                } else {
                    format!(
                        "unknown query parameter '{name}'; accepted: {}",
                        allowed.join(", ")
                    )
                }));
            }
        }
        Ok(QueryParams { pairs })
    }

    /// A parameter that may be given once.
    pub fn single(&self, name: &str) -> Result<Option<&str>, ApiError> {
        let mut values = self.all(name).into_iter();
        let first = values.next();
        if values.next().is_some() {
            return Err(ApiError::BadRequest(format!(
                "query parameter '{name}' may be given only once"
            )));
        }
        Ok(first)
    }

    /// Every value of a repeatable parameter, in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn int_in(&self, name: &str, min: i64, max: i64) -> Result<Option<i64>, ApiError> {
        let Some(text) = self.single(name)? else {
            return Ok(None);
        };
        match text.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
            _ => Err(ApiError::BadRequest(format!(
                "query parameter '{name}' must be a whole number from {min} to {max}"
            ))),
        }
    }
}

/// Page-number paging.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub page: i64,
    pub per_page: i64,
}

/// Far enough that any offset it implies stays a valid 64-bit number.
const MAX_PAGE: i64 = 1_000_000_000;

impl Paging {
    pub const PARAMS: [&'static str; 2] = ["page", "per_page"];

    pub fn from_params(params: &QueryParams) -> Result<Paging, ApiError> {
        Ok(Paging {
            page: params.int_in("page", 1, MAX_PAGE)?.unwrap_or(1),
            per_page: params
                .int_in("per_page", 1, MAX_PER_PAGE)?
                .unwrap_or(DEFAULT_PER_PAGE),
        })
    }

    pub fn limit(&self) -> i64 {
        self.per_page
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }

    pub fn meta(&self, total: i64) -> PageMeta {
        PageMeta {
            page: self.page,
            per_page: self.per_page,
            total,
            total_pages: (total + self.per_page - 1) / self.per_page,
            next_cursor: None,
        }
    }

    /// `Link: <...>; rel="next"` when a later page has items.
    pub fn next_link(&self, req: &HttpRequest, total: i64) -> Option<String> {
        if self.page * self.per_page >= total {
            return None;
        }
        let mut pairs: Vec<(String, String)> =
            actix_web::web::Query::<Vec<(String, String)>>::from_query(req.query_string())
                .map(|q| q.into_inner())
                .unwrap_or_default();
        pairs.retain(|(name, _)| name != "page");
        pairs.push(("page".into(), (self.page + 1).to_string()));
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        Some(format!("<{}?{}>; rel=\"next\"", req.path(), query))
    }
}

/// Where a page sits in the whole list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageMeta {
    #[schema(example = 1)]
    pub page: i64,
    #[schema(example = 20)]
    pub per_page: i64,
    /// Items in the whole list.
    #[schema(example = 42)]
    pub total: i64,
    #[schema(example = 3)]
    pub total_pages: i64,
    /// Reserved for keyset paging; null in page-number mode.
    pub next_cursor: Option<String>,
}
