//! `GET /media/{id}/{hash}.{ext}`: a media item's picture at a size and in
//! a format, made once and kept (`rendition_cache`). The original's content
//! hash is in the path, so an answer never changes for its URL and is
//! cached for a year, with one exception: a crop that depends on the focal
//! point, which an edit may move, unless the URL pins it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::IntoParams;

use super::{MediaServices, served_format, url_hash};
use crate::config::MediaSettings;
use crate::db::media::MediaRow;
use crate::db::{self, Db};
use crate::domain::echo;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::caching::if_none_match;
use crate::http::query::QueryParams;
use crate::imaging::{self, Fit, Format, Limits, Rendition};
use crate::rendition_cache::MakeError;

/// Heights other than the allowed widths: these aspect ratios of an allowed
/// width (`w=800&h=450` is 16:9), so the number of renditions stays bounded.
const RATIOS: &[(u32, u32)] = &[
    (1, 1),
    (4, 3),
    (3, 4),
    (3, 2),
    (2, 3),
    (16, 9),
    (9, 16),
    (2, 1),
    (4, 5),
    (5, 4),
    (21, 9),
];

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The rendition query, as the OpenAPI document describes it.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct RenditionParams {
    /// Width in pixels, one of `MEDIA_WIDTHS` (default 320, 480, 640, 800,
    /// 1024, 1280, 1600, 2048); never upscaled past the picture's own.
    /// Left out: the picture's width.
    #[param(minimum = 1)]
    w: Option<u32>,
    /// Height in pixels: an allowed width, or `w` times a common aspect
    /// ratio (1:1, 4:3, 3:4, 3:2, 2:3, 16:9, 9:16, 2:1, 4:5, 5:4, 21:9), rounded.
    #[param(minimum = 1, maximum = 100000)]
    h: Option<u32>,
    /// With both `w` and `h`: `cover` (default) fills the box, cropping
    /// around the focal point; `contain` fits inside and pads; `inside`
    /// fits inside without padding.
    #[param(pattern = "^(cover|contain|inside)$")]
    fit: Option<String>,
    /// `auto` picks AVIF, then WebP, from `Accept` (and answers `Vary:
    /// Accept`); default: the path's extension.
    #[param(pattern = "^(auto|webp|avif|jpeg|jpg|png)$")]
    format: Option<String>,
    /// Quality, 1 to 100 (default 80; AVIF 60); PNG ignores it.
    #[param(minimum = 1, maximum = 100)]
    q: Option<u8>,
}

/// What the rendition route needs of an item, remembered per id until a
/// write could have changed it: a hit costs no database statement. The
/// same bound as the read cache: this process's writes at once, another
/// process's within `CACHE_RECHECK_MS`.
pub(super) struct ItemIndex {
    known: Mutex<HashMap<i64, Known>>,
    recheck: Duration,
}

#[derive(Clone)]
struct Known {
    item: Option<Item>,
    writes: u64,
    asked: Instant,
}

#[derive(Clone)]
struct Item {
    hash: String,
    mime: String,
    width: u32,
    height: u32,
    focal: (f32, f32),
}

const MAX_KNOWN: usize = 50_000;

impl ItemIndex {
    pub(super) fn new(recheck: Duration) -> ItemIndex {
        ItemIndex {
            known: Mutex::default(),
            recheck,
        }
    }

    async fn get(&self, db: &Db, id: i64) -> Result<Option<Item>, ApiError> {
        let writes = db::writes_committed();
        if let Some(known) = self
            .known
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
            && known.writes == writes
            && known.asked.elapsed() < self.recheck
        {
            return Ok(known.item.clone());
        }
        let asked = Instant::now();
        let row = db
            .run(move |conn| Ok::<_, ApiError>(crate::db::media::find(conn, id)?))
            .await?;
        let item = row.as_ref().map(item_of);
        let mut known = self.known.lock().unwrap_or_else(|p| p.into_inner());
        if known.len() >= MAX_KNOWN {
            known.clear();
        }
        known.insert(
            id,
            Known {
                item: item.clone(),
                writes,
                asked,
            },
        );
        Ok(item)
    }
}

fn item_of(row: &MediaRow) -> Item {
    Item {
        hash: row.hash.clone(),
        mime: row.mime.clone(),
        width: u32::try_from(row.width).unwrap_or(1),
        height: u32::try_from(row.height).unwrap_or(1),
        focal: (row.focal_x as f32, row.focal_y as f32),
    }
}

/// What was asked for, checked and made canonical: equal requests give
/// equal keys.
struct Asked {
    width: Option<u32>,
    height: Option<u32>,
    fit: Fit,
    /// `None`: the path's extension decides.
    format: Option<FormatChoice>,
    quality: Option<u8>,
}

#[derive(Clone, Copy)]
enum FormatChoice {
    Fixed(Format),
    Auto,
}

fn not_found(id: &str, file: &str) -> ApiError {
    ApiError::NotFound(format!("no media rendition '{}/{}'", echo(id), echo(file)))
}

fn parse_asked(req: &HttpRequest, settings: &MediaSettings) -> Result<Asked, ApiError> {
    let params = QueryParams::parse(req, &["w", "h", "fit", "format", "q"])?;
    let width = params.int_in("w", 1, 100_000)?.map(|w| w as u32);
    let height = params.int_in("h", 1, 100_000)?.map(|h| h as u32);
    let allowed = |list: &[u32]| {
        list.iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(w) = width
        && !settings.widths.contains(&w)
    {
        return Err(ApiError::BadRequest(format!(
            "query parameter 'w' must be one of {} (MEDIA_WIDTHS)",
            allowed(&settings.widths)
        )));
    }
    if let Some(h) = height {
        let by_ratio = width.is_some_and(|w| {
            RATIOS
                .iter()
                .any(|&(across, down)| (w * down + across / 2) / across == h)
        });
        if !settings.widths.contains(&h) && !by_ratio {
            let ratios: Vec<String> = RATIOS.iter().map(|(a, d)| format!("{a}:{d}")).collect();
            return Err(ApiError::BadRequest(format!(
                "query parameter 'h' must be one of {} or 'w' times an aspect ratio ({})",
                allowed(&settings.widths),
                ratios.join(", ")
            )));
        }
    }
    let fit = match params.single("fit")? {
        None | Some("cover") => Fit::Cover,
        Some("contain") => Fit::Contain,
        Some("inside") => Fit::Inside,
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "query parameter 'fit' must be 'cover', 'contain' or 'inside', not '{}'",
                echo(other)
            )));
        }
    };
    let format = match params.single("format")? {
        None => None,
        Some("auto") => Some(FormatChoice::Auto),
        // Lower case only, as the OpenAPI pattern says (`from_extension`
        // would take any case).
        Some("jpeg" | "jpg") => Some(FormatChoice::Fixed(Format::Jpeg)),
        Some("png") => Some(FormatChoice::Fixed(Format::Png)),
        Some("webp") => Some(FormatChoice::Fixed(Format::Webp)),
        Some("avif") => Some(FormatChoice::Fixed(Format::Avif)),
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "query parameter 'format' must be 'auto', 'webp', 'avif', 'jpeg' or 'png', not '{}'",
                echo(other)
            )));
        }
    };
    let quality = params.int_in("q", 1, 100)?.map(|q| q as u8);
    Ok(Asked {
        width,
        height,
        // Only a box has a fit: one side alone keeps the aspect.
        fit: if width.is_some() && height.is_some() {
            fit
        } else {
            Fit::Inside
        },
        format,
        quality,
    })
}

/// The best format the client accepts, from `Accept`.
fn negotiate(req: &HttpRequest, fallback: Format) -> Format {
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let accepts = |mime: &str| {
        accept.split(',').any(|part| {
            let mut pieces = part.split(';').map(str::trim);
            pieces.next().is_some_and(|m| m.eq_ignore_ascii_case(mime))
                && !pieces.any(|p| p.replace(' ', "") == "q=0" || p.replace(' ', "") == "q=0.0")
        })
    };
    if accepts("image/avif") {
        Format::Avif
    } else if accepts("image/webp") {
        Format::Webp
    } else {
        fallback
    }
}

/// A media item's picture at a size and in a format. Anyone.
#[utoipa::path(get, path = "/media/{id}/{file}", tag = "media",
    params(
        ("id" = i64, Path, description = "The media item's id"),
        ("file" = String, Path, description = "`{hash}.{ext}`: the first 16 hex digits of the original's SHA-256 (as in the item's `url`) and `jpg`, `jpeg`, `png`, `webp` or `avif`, the format when `format` is left out",
            pattern = "^[0-9a-f]{16}\\.(jpg|jpeg|png|webp|avif)$"),
        RenditionParams,
    ),
    responses(
        (status = 200, description = "The picture",
            content(
                (super::ImageBytes = "image/jpeg"), (super::ImageBytes = "image/png"),
                (super::ImageBytes = "image/webp"), (super::ImageBytes = "image/avif"),
            ),
            headers(
                ("ETag" = String, description = "Strong; equal for equal bytes"),
                ("Cache-Control" = String, description = "`public, max-age=31536000, immutable`, except a crop around a focal point (see above)"),
            )),
        (status = 304, description = "Not modified: `If-None-Match` names the current ETag"),
        (status = 400, description = "A size, fit, format or quality outside what is allowed", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such item, or the hash is not its original's", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Too many pictures being made at once; `Retry-After` says when to retry", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn serve_rendition(
    state: web::Data<AppState>,
    media: web::Data<MediaServices>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id_text, file) = path.into_inner();
    let asked = parse_asked(&req, &state.media)?;
    let id = id_text
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| not_found(&id_text, &file))?;
    let (hash_part, extension) = file
        .split_once('.')
        .ok_or_else(|| not_found(&id_text, &file))?;
    let path_format = Format::from_extension(extension)
        .filter(|f| *f != Format::Gif)
        .ok_or_else(|| not_found(&id_text, &file))?;
    let item = media
        .items
        .get(&state.db, id)
        .await?
        .filter(|item| url_hash(&item.hash) == hash_part)
        .ok_or_else(|| not_found(&id_text, &file))?;

    let (format, varies) = match asked.format {
        Some(FormatChoice::Fixed(format)) => (format, false),
        Some(FormatChoice::Auto) => (negotiate(&req, served_format(&item.mime)), true),
        None => (path_format, false),
    };
    let quality = match format {
        Format::Png => 100,
        Format::Avif => asked.quality.unwrap_or(60),
        _ => asked.quality.unwrap_or(80),
    };
    // A box whose shape differs from the picture's is cropped around the
    // focal point; an edit may move that, so such an answer is not forever.
    let crops = asked.fit == Fit::Cover
        && match (asked.width, asked.height) {
            (Some(w), Some(h)) => {
                u64::from(w) * u64::from(item.height) != u64::from(h) * u64::from(item.width)
            }
            _ => false,
        };
    let focal = if crops { item.focal } else { (0.5, 0.5) };
    let key = format!(
        "{}:{}x{}:{:?}:{}:{}:{:.4},{:.4}",
        item.hash,
        asked.width.map_or(0, |w| w),
        asked.height.map_or(0, |h| h),
        asked.fit,
        format.extension(),
        quality,
        focal.0,
        focal.1
    );
    let digest: String = Sha256::digest(key.as_bytes())[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let etag = format!("\"{digest}\"");
    let cache_control = if crops {
        format!(
            "public, max-age={}, stale-while-revalidate={}",
            state.cache.max_age, state.cache.stale_while_revalidate
        )
    } else {
        IMMUTABLE.to_owned()
    };
    let mut response = HttpResponse::Ok();
    response
        .insert_header((header::ETAG, etag.clone()))
        .insert_header((header::CACHE_CONTROL, cache_control))
        // What is served is always the image its type names: no browser
        // should guess otherwise.
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
    if varies {
        response.insert_header((header::VARY, "Accept"));
    }
    if if_none_match(req.headers(), &etag) == Some(true) {
        return Ok(response
            .status(actix_web::http::StatusCode::NOT_MODIFIED)
            .finish());
    }
    let rendition = Rendition {
        width: asked.width,
        height: asked.height,
        fit: asked.fit,
        format,
        quality,
        focal,
    };
    let limits = Limits {
        max_pixels: state.media.max_pixels,
        max_bytes: state.media.max_upload_bytes,
    };
    let db = state.db.clone();
    let originals = media.originals.clone();
    let hash = item.hash.clone();
    let served = media
        .renditions
        .get_or_make(&digest, move || {
            let original = db
                .on_this_thread(|conn| originals.load(conn, &hash))?
                .ok_or_else(|| ApiError::NotFound("the original is gone".into()))?;
            let rendered = imaging::render(&original, &rendition, &limits);
            drop(original);
            crate::malloc_arenas::release_free_memory();
            rendered
                .map(|rendered| rendered.bytes)
                .map_err(|e| ApiError::internal(format!("rendering media: {e}")))
        })
        .await
        .map_err(|e| match e {
            MakeError::Failed(e) => ApiError::internal(e),
            MakeError::Busy => ApiError::Unavailable(
                "too many pictures are being made at once; retry shortly".into(),
            ),
            MakeError::Io(e) => ApiError::internal(e),
        })?;
    response.insert_header((
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.mime()),
    ));
    Ok(response.body(served.bytes))
}
