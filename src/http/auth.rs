//! The caller of a request, as extractors: `MaybeCaller` for public routes
//! (a token that is sent must still be valid) and `RequireCaller` for writes.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};

use crate::auth::{Caller, Verifier};
use crate::error::ApiError;

fn caller_from(req: &HttpRequest) -> Result<Option<Caller>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::Unauthorized("the Authorization header must be 'Bearer <token>'".into())
        })?;
    let verifier = req
        .app_data::<web::Data<Verifier>>()
        .ok_or_else(|| ApiError::internal("no token verifier configured"))?;
    verifier.verify(token).map(Some)
}

/// The caller of a public route: anonymous, or holding a valid token. A
/// token that is sent must be valid even where none is needed.
#[derive(Debug, Clone)]
pub struct MaybeCaller(pub Option<Caller>);

impl FromRequest for MaybeCaller {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(caller_from(req).map(MaybeCaller))
    }
}

/// The caller of a write route: a valid token is required.
#[derive(Debug, Clone)]
pub struct RequireCaller(pub Caller);

impl FromRequest for RequireCaller {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(caller_from(req).and_then(|caller| {
            caller.map(RequireCaller).ok_or_else(|| {
                ApiError::TokenRequired("this operation needs a bearer token".into())
            })
        }))
    }
}
