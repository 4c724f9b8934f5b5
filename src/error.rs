//! One error type for every layer: the write rules, the queries and the
//! handlers return `Result<_, ApiError>`. Its variants are the contract's
//! outcomes (not found, conflict, invalid fields...); how each is rendered
//! as `application/problem+json` is the HTTP layer's business
//! (`http::problem`), so nothing here knows about HTTP.

use serde::Serialize;
use utoipa::ToSchema;

/// One invalid field of a request body.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name; nested fields use dots and indexes (`related[0].kind`).
    #[schema(example = "title")]
    pub field: String,
    #[schema(example = "must be between 1 and 300 characters")]
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    /// A token was sent and is not valid.
    #[error("{0}")]
    Unauthorized(String),
    /// No token was sent where one is needed (RFC 6750 3.1: the challenge
    /// then carries no error code).
    #[error("{0}")]
    TokenRequired(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PreconditionFailed(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("the request body has invalid fields")]
    Validation(Vec<FieldError>),
    #[error("{0}")]
    TooManyRequests(String),
    #[error("{0}")]
    Unavailable(String),
    /// Logged with its cause; the client only learns that something failed.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(field, message)])
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        ApiError::Internal(cause.to_string())
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => ApiError::NotFound("not found".into()),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                ApiError::Conflict(unique_violation_detail(info.message()))
            }
            Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
                ApiError::Conflict("the change conflicts with related records".into())
            }
            other => ApiError::internal(other),
        }
    }
}

/// Names the field behind a unique index so a race that slips past the
/// application's own checks still answers with a useful 409.
fn unique_violation_detail(message: &str) -> String {
    if message.contains("slug") {
        "the slug is already taken".into()
    } else if message.contains("name_key") {
        "the name is already taken".into()
    } else if message.contains("target_id") {
        "the article is already linked".into()
    } else {
        "the resource already exists".into()
    }
}

impl From<crate::db::Unavailable> for ApiError {
    fn from(e: crate::db::Unavailable) -> Self {
        ApiError::Unavailable(e.to_string())
    }
}
