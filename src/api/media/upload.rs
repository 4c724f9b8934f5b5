//! `POST /v1/media`: a multipart form with a `file` part, or the image as
//! the whole body. The bytes decide what the file is; neither its name nor
//! any declared type is trusted.

use std::sync::Arc;
use std::time::Duration;

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use utoipa::ToSchema;

use super::{MediaServices, to_item};
use crate::content::media::{self as rules, Upload};
use crate::domain::echo;
use crate::error::ApiError;
use crate::http::auth::RequireCaller;
use crate::http::body::content_type_essence;
use crate::http::json_created;
use crate::http::query::NoQuery;
use crate::http::{AppState, responses::UploadProblems};
use crate::imaging::{self, ImageError, Limits};
use crate::originals::content_hash;

/// Decoding an upload that takes longer than this is refused (422); the
/// pixel limit already bounds it, this bounds what the limit cannot (a
/// pathological but small file).
const DECODE_TIME_LIMIT: Duration = Duration::from_secs(10);
/// A text part (alt, caption, credit, focal_x, focal_y) is short.
const MAX_TEXT_PART: usize = 16 * 1024;

/// The multipart form, as the OpenAPI document describes it.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// A JPEG, PNG, WebP or GIF (its first frame) image.
    #[schema(value_type = String, format = Binary, content_media_type = "application/octet-stream")]
    file: Vec<u8>,
    #[schema(max_length = 1000)]
    alt: Option<String>,
    #[schema(max_length = 1000)]
    caption: Option<String>,
    #[schema(max_length = 1000)]
    credit: Option<String>,
    /// Where the subject is, from the left edge (0) to the right (1); default 0.5.
    #[schema(minimum = 0, maximum = 1)]
    focal_x: Option<f64>,
    /// From the top edge (0) to the bottom (1); default 0.5.
    #[schema(minimum = 0, maximum = 1)]
    focal_y: Option<f64>,
}

#[derive(Default)]
struct Received {
    file: Option<Vec<u8>>,
    alt: Option<String>,
    caption: Option<String>,
    credit: Option<String>,
    focal_x: Option<f64>,
    focal_y: Option<f64>,
}

/// Uploads an image. Any role; a contributor's item is theirs to change.
/// The same bytes uploaded again make a new item with its own words, and
/// are stored once.
#[utoipa::path(post, path = "/v1/media", tag = "media",
    request_body(content(
        (UploadForm = "multipart/form-data"),
        (super::ImageBytes = "image/*"),
    ), description = "A multipart form with a `file` part, or the image itself as the body"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = super::MediaItem,
            headers(("Location" = String, description = "The new item's URL"))),
        UploadProblems,
    ))]
pub async fn upload_media(
    state: web::Data<AppState>,
    media: web::Data<MediaServices>,
    req: HttpRequest,
    caller: RequireCaller,
    _no_query: NoQuery,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let max_bytes = state.media.max_upload_bytes;
    if let Some(length) = declared_length(&req)
        && length > max_bytes as u64
    {
        return Err(too_large(max_bytes));
    }
    let essence = content_type_essence(&req);
    let received = if essence == "multipart/form-data" {
        read_form(Multipart::new(req.headers(), payload), max_bytes).await?
    } else if essence.starts_with("image/") {
        Received {
            file: Some(read_body(payload, max_bytes).await?),
            ..Received::default()
        }
    } else {
        return Err(ApiError::UnsupportedMediaType(if essence.is_empty() {
            "send the image as multipart/form-data (a `file` part) or as the body with an image/* Content-Type".into()
        } else {
            format!(
                "Content-Type '{}' is not accepted; send multipart/form-data (a `file` part) or the image with an image/* Content-Type",
                echo(&essence)
            )
        }));
    };
    let bytes = received
        .file
        .filter(|bytes| !bytes.is_empty())
        .ok_or_else(|| ApiError::invalid("file", "is required: the image's bytes"))?;
    let limits = Limits {
        max_pixels: state.media.max_pixels,
        max_bytes,
    };
    let bytes = Arc::new(bytes);
    let (original, hash) = inspect(&media, bytes.clone(), limits).await?;
    let upload = Upload {
        hash,
        bytes,
        original,
        alt: received.alt,
        caption: received.caption,
        credit: received.credit,
        focal_x: received.focal_x,
        focal_y: received.focal_y,
    };
    let caller = caller.0;
    let originals = media.originals.clone();
    let row = state
        .db
        .write(move |conn| rules::create(conn, &originals, &caller, upload.clone()))
        .await?;
    json_created(format!("/v1/media/{}", row.id), &to_item(&state.media, row))
}

fn declared_length(req: &HttpRequest) -> Option<u64> {
    req.headers()
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

fn too_large(max_bytes: usize) -> ApiError {
    ApiError::PayloadTooLarge(format!(
        "the upload is over the limit of {max_bytes} bytes (MEDIA_MAX_BYTES)"
    ))
}

async fn read_body(mut payload: web::Payload, max_bytes: usize) -> Result<Vec<u8>, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::BadRequest(format!("the request body could not be read: {e}"))
        })?;
        if bytes.len() + chunk.len() > max_bytes {
            return Err(too_large(max_bytes));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

async fn read_form(mut form: Multipart, max_bytes: usize) -> Result<Received, ApiError> {
    let mut received = Received::default();
    let mut total = 0usize;
    while let Some(field) = form.next().await {
        let mut field = field
            .map_err(|e| ApiError::BadRequest(format!("the multipart body is malformed: {e}")))?;
        let name = field.name().unwrap_or("").to_owned();
        let limit = if name == "file" {
            max_bytes
        } else {
            MAX_TEXT_PART
        };
        let mut value = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| {
                ApiError::BadRequest(format!("the multipart body is malformed: {e}"))
            })?;
            total += chunk.len();
            if total > max_bytes {
                return Err(too_large(max_bytes));
            }
            if value.len() + chunk.len() > limit {
                return Err(ApiError::invalid(
                    name,
                    format!("must be at most {limit} bytes"),
                ));
            }
            value.extend_from_slice(&chunk);
        }
        let already = match name.as_str() {
            "file" => received.file.replace(value).is_some(),
            "alt" => received.alt.replace(text(&name, value)?).is_some(),
            "caption" => received.caption.replace(text(&name, value)?).is_some(),
            "credit" => received.credit.replace(text(&name, value)?).is_some(),
            "focal_x" => received.focal_x.replace(number(&name, value)?).is_some(),
            "focal_y" => received.focal_y.replace(number(&name, value)?).is_some(),
            other => {
                return Err(ApiError::BadRequest(format!(
                    "unknown form part '{}'; accepted: file, alt, caption, credit, focal_x, focal_y",
                    echo(other)
                )));
            }
        };
        if already {
            return Err(ApiError::BadRequest(format!(
                "form part '{name}' may be given only once"
            )));
        }
    }
    Ok(received)
}

fn text(name: &str, value: Vec<u8>) -> Result<String, ApiError> {
    String::from_utf8(value).map_err(|_| ApiError::invalid(name, "must be UTF-8 text"))
}

fn number(name: &str, value: Vec<u8>) -> Result<f64, ApiError> {
    let text = text(name, value)?;
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .ok_or_else(|| ApiError::invalid(name, "must be a number between 0 and 1"))
}

/// Reads the image on the blocking pool, a bounded number at a time, within
/// a time limit; a decode that outlives it finishes in the background and
/// still holds its slot, so the bound holds.
async fn inspect(
    media: &MediaServices,
    bytes: Arc<Vec<u8>>,
    limits: Limits,
) -> Result<(imaging::Original, String), ApiError> {
    let permit = media
        .inspections
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| ApiError::Unavailable(e.to_string()))?;
    let work = web::block(move || {
        let _permit = permit;
        let original = imaging::inspect(&bytes, &limits)?;
        Ok::<_, ImageError>((original, content_hash(&bytes)))
    });
    match actix_web::rt::time::timeout(DECODE_TIME_LIMIT, work).await {
        Err(_) => Err(ApiError::invalid(
            "file",
            format!(
                "took longer than {} s to decode",
                DECODE_TIME_LIMIT.as_secs()
            ),
        )),
        Ok(Err(blocking)) => Err(ApiError::internal(blocking)),
        Ok(Ok(Err(error))) => Err(refusal(error)),
        Ok(Ok(Ok(found))) => Ok(found),
    }
}

fn refusal(error: ImageError) -> ApiError {
    match error {
        ImageError::Unsupported => ApiError::UnsupportedMediaType(
            "the file is not a JPEG, PNG, WebP or GIF image (judged by its bytes, not its name or declared type)"
                .into(),
        ),
        ImageError::TooManyPixels { width, height, max } => ApiError::invalid(
            "file",
            format!("is {width}x{height} pixels, over the limit of {max} (MEDIA_MAX_PIXELS)"),
        ),
        ImageError::Damaged(why) => {
            ApiError::invalid("file", format!("could not be decoded: {why}"))
        }
    }
}
