//! Query strings: every parameter is allow-listed per route, given at most
//! once unless repeatable, and parsed with a 400 that names it.

use actix_web::HttpRequest;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::Window;
use crate::domain::echo;
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
        for (name, value) in &pairs {
            // No stored text holds a NUL (writes refuse it), so a filter
            // with one could match nothing, and PostgreSQL cannot bind it.
            if value.contains('\0') {
                return Err(ApiError::BadRequest(format!(
                    "query parameter '{}' must not contain a NUL character",
                    echo(name)
                )));
            }
            if !allowed.contains(&name.as_str()) {
                return Err(ApiError::BadRequest(if allowed.is_empty() {
                    format!(
                        "unknown query parameter '{}'; this route takes none",
                        echo(name)
                    )
                } else {
                    format!(
                        "unknown query parameter '{}'; accepted: {}",
                        echo(name),
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

/// For write routes, which take no query parameters: one sent is a typo
/// that must not be silently ignored. An extractor rather than middleware so
/// that it runs after routing, leaving 404 and 405 to their own answers.
pub struct NoQuery;

impl actix_web::FromRequest for NoQuery {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(QueryParams::parse(req, &[]).map(|_| NoQuery))
    }
}

/// The paging parameters every list takes, as the OpenAPI document
/// describes them; [`Paging::from_params`] reads them. Never built.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct PageParams {
    /// 1-based page number; a page past the end is empty. Not with `cursor`.
    #[param(minimum = 1, maximum = 1000000000)]
    page: Option<i64>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<i64>,
    /// Keyset paging: `meta.next_cursor` of the previous page. Not with `page`.
    cursor: Option<String>,
}

/// Page-number or keyset (cursor) paging; they cannot be mixed.
#[derive(Debug, Clone)]
pub enum Paging {
    Pages {
        page: i64,
        per_page: i64,
    },
    Cursor {
        per_page: i64,
        cursor: Option<Cursor>,
    },
}

/// Far enough that any offset it implies stays a valid 64-bit number.
const MAX_PAGE: i64 = 1_000_000_000;

/// A decoded cursor: the sort it was made for, the last item's sort value
/// and its id. Opaque to clients: base64url of compact JSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Cursor {
    #[serde(rename = "s")]
    pub sort: String,
    #[serde(rename = "k")]
    pub key: serde_json::Value,
    #[serde(rename = "i")]
    pub id: i64,
}

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    fn decode(text: &str) -> Result<Cursor, ApiError> {
        URL_SAFE_NO_PAD
            .decode(text)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Cursor>(&bytes).ok())
            // No stored text holds a NUL, and PostgreSQL cannot bind one.
            .filter(|cursor| !cursor.key.as_str().is_some_and(|k| k.contains('\0')))
            .ok_or_else(|| {
                ApiError::BadRequest(
                    "query parameter 'cursor' is not a cursor this API issued".into(),
                )
            })
    }

    /// The cursor's position, when it was made for `sort`.
    pub fn for_sort(&self, sort: &str) -> Result<(&serde_json::Value, i64), ApiError> {
        if self.sort == sort {
            Ok((&self.key, self.id))
        } else {
            Err(ApiError::BadRequest(format!(
                "query parameter 'cursor' was made for sort '{}', not '{sort}'",
                echo(&self.sort)
            )))
        }
    }
}

impl Paging {
    pub fn from_params(params: &QueryParams) -> Result<Paging, ApiError> {
        let per_page = params
            .int_in("per_page", 1, MAX_PER_PAGE)?
            .unwrap_or(DEFAULT_PER_PAGE);
        match params.single("cursor")? {
            Some(_) if params.single("page")?.is_some() => Err(ApiError::BadRequest(
                "query parameters 'page' and 'cursor' cannot be combined".into(),
            )),
            Some(text) => Ok(Paging::Cursor {
                per_page,
                cursor: Some(Cursor::decode(text)?),
            }),
            None => Ok(Paging::Pages {
                page: params.int_in("page", 1, MAX_PAGE)?.unwrap_or(1),
                per_page,
            }),
        }
    }

    pub fn per_page(&self) -> i64 {
        match self {
            Paging::Pages { per_page, .. } | Paging::Cursor { per_page, .. } => *per_page,
        }
    }

    /// How many rows to load: one more than a page in cursor mode, to learn
    /// whether there is a next page without counting.
    fn fetch_limit(&self) -> i64 {
        match self {
            Paging::Pages { per_page, .. } => *per_page,
            Paging::Cursor { per_page, .. } => per_page + 1,
        }
    }

    fn offset(&self) -> i64 {
        match self {
            Paging::Pages { page, per_page } => (page - 1) * per_page,
            Paging::Cursor { .. } => 0,
        }
    }

    pub fn cursor(&self) -> Option<&Cursor> {
        match self {
            Paging::Cursor { cursor, .. } => cursor.as_ref(),
            Paging::Pages { .. } => None,
        }
    }

    /// The slice of rows to load, with the cursor's position decoded by the caller.
    pub fn window<P>(&self, after: Option<P>) -> Window<P> {
        match self {
            Paging::Pages { .. } => Window::Offset {
                limit: self.fetch_limit(),
                offset: self.offset(),
            },
            Paging::Cursor { .. } => Window::After {
                limit: self.fetch_limit(),
                after,
            },
        }
    }

    /// Finishes a loaded slice: trims cursor mode's extra row, and gives the
    /// `meta` and the `Link` header, with a cursor after the last row when
    /// more follow.
    pub fn complete<T>(
        &self,
        req: &HttpRequest,
        rows: &mut Vec<T>,
        total: Option<i64>,
        cursor_of: impl Fn(&T) -> Cursor,
    ) -> (PageMeta, Option<String>) {
        let more = self.finish(rows, total);
        let next_cursor = rows
            .last()
            .filter(|_| more)
            .map(|last| cursor_of(last).encode());
        let link = self.next_link(req, more, next_cursor.as_deref());
        (self.meta(total, next_cursor), link)
    }

    /// Trims the extra row of cursor mode and tells whether more follow.
    fn finish<T>(&self, rows: &mut Vec<T>, total: Option<i64>) -> bool {
        match self {
            Paging::Pages { page, per_page } => page * per_page < total.unwrap_or(0),
            Paging::Cursor { per_page, .. } => {
                let more = rows.len() as i64 > *per_page;
                rows.truncate(*per_page as usize);
                more
            }
        }
    }

    fn meta(&self, total: Option<i64>, next_cursor: Option<String>) -> PageMeta {
        match self {
            Paging::Pages { page, per_page } => {
                let total = total.unwrap_or(0);
                PageMeta {
                    page: Some(*page),
                    per_page: *per_page,
                    total: Some(total),
                    total_pages: Some((total + per_page - 1) / per_page),
                    next_cursor,
                }
            }
            Paging::Cursor { per_page, .. } => PageMeta {
                page: None,
                per_page: *per_page,
                total: None,
                total_pages: None,
                next_cursor,
            },
        }
    }

    /// `Link: <...>; rel="next"` when there is more: the next page number,
    /// or the next cursor, keeping every other parameter.
    fn next_link(
        &self,
        req: &HttpRequest,
        more: bool,
        next_cursor: Option<&str>,
    ) -> Option<String> {
        if !more {
            return None;
        }
        let mut pairs: Vec<(String, String)> =
            actix_web::web::Query::<Vec<(String, String)>>::from_query(req.query_string())
                .map(|q| q.into_inner())
                .unwrap_or_default();
        pairs.retain(|(name, _)| name != "page" && name != "cursor");
        match self {
            Paging::Pages { page, .. } => pairs.push(("page".into(), (page + 1).to_string())),
            Paging::Cursor { .. } => pairs.push(("cursor".into(), next_cursor?.to_owned())),
        }
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        Some(format!("<{}?{}>; rel=\"next\"", req.path(), query))
    }
}

/// Where a page sits in the whole list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageMeta {
    /// Page-number mode only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 1)]
    pub page: Option<i64>,
    #[schema(example = 20)]
    pub per_page: i64,
    /// Items in the whole list; page-number mode only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 42)]
    pub total: Option<i64>,
    /// Page-number mode only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 3)]
    pub total_pages: Option<i64>,
    /// Pass as `cursor` for the items after this page; null at the end.
    pub next_cursor: Option<String>,
}
