//! Health, readiness and the OpenAPI document.

use actix_web::http::header::ContentType;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use super::query::QueryParams;
use crate::error::ApiError;

#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "system",
    responses((status = 200, description = "Success", body = Health), crate::openapi::ListProblems))]
pub async fn healthz(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    QueryParams::parse(&req, &[])?;
    Ok(HttpResponse::Ok().json(Health { status: "ok" }))
}

/// Readiness: the database answers.
#[utoipa::path(get, path = "/readyz", tag = "system",
    responses(
        (status = 200, description = "Success", body = Health),
        (status = 503, description = "The database is unreachable", body = crate::error::Problem, content_type = "application/problem+json"),
        crate::openapi::ListProblems,
    ))]
pub async fn readyz(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    QueryParams::parse(&req, &[])?;
    state
        .db
        .ping()
        .await
        .map_err(|e| ApiError::Unavailable(e.to_string()))?;
    Ok(HttpResponse::Ok().json(Health { status: "ready" }))
}

/// This document.
#[utoipa::path(get, path = "/openapi.json", tag = "system",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json"),
        crate::openapi::ListProblems))]
pub async fn openapi_json(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    QueryParams::parse(&req, &[])?;
    Ok(HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(state.openapi_json.clone()))
}
