//! Health, readiness and the OpenAPI document.

use actix_web::http::header::{self, ContentType};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::http::AppState;
use crate::http::problem::Problem;
use crate::http::query::QueryParams;
use crate::http::responses::ListProblems;

#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "system",
    responses((status = 200, description = "Success", body = Health), ListProblems))]
pub async fn healthz(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    QueryParams::parse(&req, &[])?;
    Ok(HttpResponse::Ok().json(Health { status: "ok" }))
}

/// Readiness: the database answers.
#[utoipa::path(get, path = "/readyz", tag = "system",
    responses(
        (status = 200, description = "Success", body = Health),
        (status = 503, description = "The database is unreachable", body = Problem, content_type = "application/problem+json"),
        ListProblems,
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
        ListProblems))]
pub async fn openapi_json(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    QueryParams::parse(&req, &[])?;
    Ok(HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(state.openapi_json.clone()))
}

/// The interactive documentation (Swagger UI, served from this binary: it
/// loads nothing from the network) lives at `/docs/`; this redirects there.
#[utoipa::path(get, path = "/docs", tag = "system",
    responses(
        (status = 308, description = "The interactive documentation page is at `/docs/`",
            headers(("Location" = String, description = "`/docs/`"))),
        ListProblems,
    ))]
pub async fn docs(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    QueryParams::parse(&req, &[])?;
    Ok(HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/docs/"))
        .finish())
}
