//! `ApiError` rendered as `application/problem+json` (RFC 9457), and the
//! error handler that turns actix's own plain-text errors (404, 405, 413,
//! extractor failures) into the same shape.

use actix_web::body::MessageBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, FieldError};

pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "about:blank", "title": "Unprocessable Content", "status": 422,
    "detail": "the request body has invalid fields",
    "errors": [{"field": "title", "message": "must be between 1 and 300 characters"}]
}))]
pub struct Problem {
    #[serde(rename = "type")]
    #[schema(example = "about:blank")]
    pub kind: String,
    #[schema(example = "Not Found")]
    pub title: String,
    /// The HTTP status code of the response.
    #[schema(example = 404)]
    pub status: u16,
    #[schema(example = "no article 'hello-world'")]
    pub detail: String,
    /// Present on validation failures (422).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) | ApiError::TokenRequired(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let detail = match self {
            ApiError::Internal(cause) => {
                tracing::error!(%cause, "request failed");
                "the server could not complete the request".to_owned()
            }
            other => other.to_string(),
        };
        let errors = match self {
            ApiError::Validation(errors) => Some(errors.clone()),
            _ => None,
        };
        let mut response = problem_response(status, detail, errors);
        let challenge = match self {
            ApiError::Unauthorized(_) => Some(r#"Bearer realm="masthead", error="invalid_token""#),
            ApiError::TokenRequired(_) => Some(r#"Bearer realm="masthead""#),
            _ => None,
        };
        if let Some(challenge) = challenge {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            );
        }
        response
    }
}

pub fn problem_response(
    status: StatusCode,
    detail: String,
    errors: Option<Vec<FieldError>>,
) -> HttpResponse {
    let problem = Problem {
        kind: "about:blank".to_owned(),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail,
        errors,
    };
    HttpResponse::build(status)
        .content_type(PROBLEM_JSON)
        .body(serde_json::to_string(&problem).unwrap_or_default())
}

/// Rewrites every error response that is not already a problem document
/// (actix's own 404/405/413, extractor failures) into one, keeping its status.
pub fn problem_for_plain_errors<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if is_problem {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let detail = match status {
        StatusCode::NOT_FOUND => format!("no resource at {}", res.request().path()),
        StatusCode::METHOD_NOT_ALLOWED => format!(
            "{} is not allowed on {}",
            res.request().method(),
            res.request().path()
        ),
        StatusCode::PAYLOAD_TOO_LARGE => "the request body is over the size limit".into(),
        other => other
            .canonical_reason()
            .unwrap_or("the request failed")
            .to_owned(),
    };
    let (req, old) = res.into_parts();
    let mut new = problem_response(status, detail, None);
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            new.headers_mut().insert(name.clone(), value.clone());
        }
    }
    let res = ServiceResponse::new(req, new.map_into_boxed_body()).map_into_right_body();
    Ok(ErrorHandlerResponse::Response(res))
}
