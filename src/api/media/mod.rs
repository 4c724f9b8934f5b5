//! Media: uploaded images (`/v1/media`), their library, and the public
//! renditions made from them (`/media/{id}/{hash}.{ext}`, see `renditions`).

pub mod renditions;
pub mod upload;

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub use renditions::{RenditionParams, serve_rendition};
pub use upload::{UploadForm, upload_media};

use crate::auth::Caller;
use crate::config::MediaSettings;
use crate::content::media::{self as rules, Focal, MediaPatch};
use crate::db::Conn;
use crate::db::media::{self as media_db, MediaFilter, MediaRow};
use crate::domain::{WriteMode, echo, format_timestamp};
use crate::error::ApiError;
use crate::http::auth::RequireCaller;
use crate::http::body::JsonBody;
use crate::http::caching::{IfMatch, cached_json};
use crate::http::query::{Cursor, NoQuery, PageMeta, PageParams, Paging, QueryParams};
use crate::http::responses::{DeleteProblems, NotModified, UpdateProblems};
use crate::http::{AppState, json_ok};
use crate::imaging::Format;
use crate::originals::Originals;
use crate::rendition_cache::RenditionCache;

/// What the media routes share beyond `AppState`: where originals are,
/// the renditions made so far, and the bound on decoding work.
pub struct MediaServices {
    pub originals: Originals,
    pub renditions: RenditionCache,
    /// Uploads being decoded at once; the renditions have their own bound.
    pub inspections: Arc<tokio::sync::Semaphore>,
    items: renditions::ItemIndex,
}

impl MediaServices {
    pub fn new(
        settings: &MediaSettings,
        recheck: std::time::Duration,
    ) -> std::io::Result<MediaServices> {
        let renditions = RenditionCache::open(crate::rendition_cache::CacheSettings {
            max_disk_bytes: settings.cache_max_bytes,
            // The hottest renditions only (a page's srcset is a few hundred
            // KiB); the disk keeps the rest. At 32 MiB, 64 connections asking
            // for cold renditions took peak RSS to 168 MiB.
            max_memory_bytes: 16 * 1024 * 1024,
            concurrent_renders: settings.render_concurrency,
            ..crate::rendition_cache::CacheSettings::new(settings.cache_dir.clone())
        })?;
        Ok(MediaServices {
            originals: Originals::new(settings.originals_dir.as_deref())?,
            renditions,
            inspections: Arc::new(tokio::sync::Semaphore::new(settings.render_concurrency)),
            items: renditions::ItemIndex::new(recheck),
        })
    }
}

/// How media URLs are written (`MEDIA_BASE_URL`, `MEDIA_WIDTHS`), for the
/// article and author reads that embed pictures deep inside shared
/// rendering code (lists, summaries, a write's answer). It is a setting of
/// the process: `startup` sets it before serving, and every server in one
/// process shares it.
static LINKS: std::sync::RwLock<Option<Arc<MediaSettings>>> = std::sync::RwLock::new(None);

pub fn configure_links(settings: &MediaSettings) {
    *LINKS.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(settings.clone()));
}

fn links() -> Arc<MediaSettings> {
    LINKS
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
        .unwrap_or_else(|| Arc::new(MediaSettings::default()))
}

/// An image's bytes, as a request or response body.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
pub struct ImageBytes(Vec<u8>);

/// What a placeholder shows while the picture loads.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Placeholder {
    /// A BlurHash (4x3 components) of the picture.
    #[schema(example = "LEHV6nWB2yk8pyo0adR*.7kCMdnj")]
    pub blurhash: String,
    /// Its average colour, `#rrggbb`.
    #[schema(example = "#6b7f8c", pattern = "^#[0-9a-f]{6}$")]
    pub color: String,
}

/// One size of a picture, for `srcset`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RenditionLink {
    pub width: u32,
    pub height: u32,
    /// In the original's format; add `&format=webp`, `avif` or `auto` for another.
    #[schema(example = "/media/12/3f2a9c0d1e2b4a5c.jpg?w=640")]
    pub url: String,
}

/// An uploaded image.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MediaItem {
    pub id: i64,
    /// The picture at full size, EXIF orientation applied and every
    /// metadata block (EXIF, GPS, XMP) removed.
    #[schema(example = "/media/12/3f2a9c0d1e2b4a5c.jpg")]
    pub url: String,
    /// SHA-256 of the uploaded bytes: the same bytes have the same hash,
    /// and are stored once.
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub hash: String,
    /// In pixels, as served (after EXIF orientation).
    pub width: u32,
    pub height: u32,
    /// The size of the upload.
    pub bytes: i64,
    /// The type the bytes turned out to be (never the declared one).
    #[schema(example = "image/jpeg")]
    pub mime: String,
    pub alt: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub focal: Focal,
    pub placeholder: Placeholder,
    /// The allowed widths smaller than the picture, narrowest first.
    pub renditions: Vec<RenditionLink>,
    /// The `sub` of the token that uploaded it.
    pub created_by: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

/// A media item as an article's feature image or an author's avatar
/// shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Picture {
    /// The media item's id.
    #[serde(rename = "media")]
    pub id: i64,
    pub url: String,
    pub width: u32,
    pub height: u32,
    pub mime: String,
    pub alt: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub focal: Focal,
    pub placeholder: Placeholder,
    pub renditions: Vec<RenditionLink>,
}

/// The format a stored item's `url` serves: its own, except that a GIF's
/// first frame is served as PNG.
fn served_format(mime: &str) -> Format {
    match mime {
        "image/jpeg" => Format::Jpeg,
        "image/webp" => Format::Webp,
        _ => Format::Png,
    }
}

/// The first 16 hex digits of the content hash: what rendition URLs carry.
pub fn url_hash(hash: &str) -> &str {
    &hash[..16.min(hash.len())]
}

pub fn media_url(settings: &MediaSettings, row: &MediaRow) -> String {
    format!(
        "{}/media/{}/{}.{}",
        settings.base_url,
        row.id,
        url_hash(&row.hash),
        served_format(&row.mime).extension()
    )
}

fn dimensions(row: &MediaRow) -> (u32, u32) {
    (
        u32::try_from(row.width).unwrap_or(1),
        u32::try_from(row.height).unwrap_or(1),
    )
}

pub fn rendition_links(settings: &MediaSettings, row: &MediaRow) -> Vec<RenditionLink> {
    let (width, height) = dimensions(row);
    let url = media_url(settings, row);
    settings
        .widths
        .iter()
        .filter(|&&w| w < width)
        .map(|&w| RenditionLink {
            width: w,
            height: scaled_height(width, height, w),
            url: format!("{url}?w={w}"),
        })
        .collect()
}

/// The height of a picture scaled to `to_width`, at least one pixel.
pub fn scaled_height(width: u32, height: u32, to_width: u32) -> u32 {
    let scaled =
        (u64::from(height) * u64::from(to_width) + u64::from(width) / 2) / u64::from(width);
    u32::try_from(scaled.max(1)).unwrap_or(u32::MAX)
}

fn placeholder(row: &MediaRow) -> Placeholder {
    Placeholder {
        blurhash: row.blurhash.clone(),
        color: row.color.clone(),
    }
}

pub fn to_item(settings: &MediaSettings, row: MediaRow) -> MediaItem {
    let picture = to_picture(settings, &row);
    MediaItem {
        id: row.id,
        url: picture.url,
        width: picture.width,
        height: picture.height,
        focal: picture.focal,
        placeholder: picture.placeholder,
        renditions: picture.renditions,
        hash: row.hash,
        bytes: row.bytes,
        mime: row.mime,
        alt: row.alt,
        caption: row.caption,
        credit: row.credit,
        created_by: row.created_by,
        created_at: format_timestamp(row.created_at),
        updated_at: format_timestamp(row.updated_at),
    }
}

pub fn to_picture(settings: &MediaSettings, row: &MediaRow) -> Picture {
    let (width, height) = dimensions(row);
    Picture {
        id: row.id,
        url: media_url(settings, row),
        width,
        height,
        mime: served_format(&row.mime).mime().to_owned(),
        alt: row.alt.clone(),
        caption: row.caption.clone(),
        credit: row.credit.clone(),
        focal: Focal {
            x: row.focal_x,
            y: row.focal_y,
        },
        placeholder: placeholder(row),
        renditions: rendition_links(settings, row),
    }
}

/// The pictures of the given media items, in one statement (none when no
/// id is given): what article and author reads embed.
pub fn pictures(
    conn: &mut Conn,
    ids: impl IntoIterator<Item = i64>,
) -> crate::db::QueryResult<HashMap<i64, Picture>> {
    let mut ids: Vec<i64> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    ids.sort_unstable();
    ids.dedup();
    let settings = links();
    Ok(media_db::by_ids(conn, &ids)?
        .iter()
        .map(|row| (row.id, to_picture(&settings, row)))
        .collect())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MediaList {
    pub data: Vec<MediaItem>,
    pub meta: PageMeta,
}

/// The library's query string, as the OpenAPI document describes it.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct MediaListParams {
    /// Contained in the alt text, caption or credit, ignoring case.
    #[param(max_length = 200)]
    q: Option<String>,
    /// Only items of this type.
    #[param(pattern = "^image/(jpeg|png|webp|gif)$")]
    mime: Option<String>,
}

/// The `{id}` of a media item.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct MediaId {
    /// The item's id.
    #[param(minimum = 1)]
    id: i64,
}

const MIMES: &[&str] = &["image/jpeg", "image/png", "image/webp", "image/gif"];

/// The library, newest first. Any role.
#[utoipa::path(get, path = "/v1/media", tag = "media", params(MediaListParams, PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Success", body = MediaList, headers(("Link" = String, description = "rel=\"next\" when there is a next page"))),
        crate::http::responses::MediaReadProblems, NotModified,
    ))]
pub async fn list_media(
    state: web::Data<AppState>,
    req: HttpRequest,
    _caller: RequireCaller,
) -> Result<HttpResponse, ApiError> {
    let params = QueryParams::parse(&req, &["q", "mime", "page", "per_page", "cursor"])?;
    let paging = Paging::from_params(&params)?;
    let q = params.single("q")?.map(str::trim).filter(|q| !q.is_empty());
    if q.is_some_and(|q| q.chars().count() > 200) {
        return Err(ApiError::BadRequest(
            "query parameter 'q' must be at most 200 characters".into(),
        ));
    }
    let mime = params.single("mime")?;
    if let Some(mime) = mime
        && !MIMES.contains(&mime)
    {
        return Err(ApiError::BadRequest(format!(
            "query parameter 'mime' must be one of {}, not '{}'",
            MIMES.join(", "),
            echo(mime)
        )));
    }
    let filter = MediaFilter {
        q: q.map(str::to_owned),
        mime: mime.map(str::to_owned),
    };
    let after = paging
        .cursor()
        .map(|cursor| cursor.for_sort("-id").map(|(_, id)| id))
        .transpose()?;
    let window = paging.window(after);
    let (slice, last_modified) = state
        .read(&req, move |conn| {
            Ok(media_db::page(conn, &filter, &window)?)
        })
        .await?;
    let mut rows = slice.rows;
    let (meta, link) = paging.complete(&req, &mut rows, slice.total, |row| Cursor {
        sort: "-id".into(),
        key: serde_json::Value::Null,
        id: row.id,
    });
    let list = MediaList {
        data: rows
            .into_iter()
            .map(|row| to_item(&state.media, row))
            .collect(),
        meta,
    };
    cached_json(&req, &state.cache, last_modified, &list, link)
}

fn media_id(text: &str) -> Result<i64, ApiError> {
    text.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::NotFound(format!("no media item '{}'", echo(text))))
}

fn find_row(conn: &mut Conn, id: i64) -> Result<MediaRow, ApiError> {
    media_db::find(conn, id)?.ok_or_else(|| ApiError::NotFound(format!("no media item {id}")))
}

/// One media item. Any role.
#[utoipa::path(get, path = "/v1/media/{id}", tag = "media", params(MediaId),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Success", body = MediaItem),
        crate::http::responses::MediaReadProblems, NotModified,
    ))]
pub async fn find_media(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    _caller: RequireCaller,
) -> Result<HttpResponse, ApiError> {
    QueryParams::parse(&req, &[])?;
    let id = media_id(&id)?;
    let (row, last_modified) = state.read(&req, move |conn| find_row(conn, id)).await?;
    let item = to_item(&state.media, row);
    cached_json(&req, &state.cache, last_modified, &item, None)
}

/// Changes an item's alt text, caption, credit or focal point (JSON merge
/// patch: `null` clears). Editors and admins; a contributor for what they
/// uploaded.
#[utoipa::path(patch, path = "/v1/media/{id}", tag = "media",
    request_body(content((MediaPatch = "application/json"),
        (MediaPatch = "application/merge-patch+json"))),
    params(MediaId, crate::api::resource::Precondition),
    security(("bearer" = [])),
    responses((status = 200, description = "Success", body = MediaItem), UpdateProblems))]
pub async fn update_media(
    state: web::Data<AppState>,
    caller: RequireCaller,
    _no_query: NoQuery,
    id: web::Path<String>,
    body: JsonBody<MediaPatch>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = media_id(&id)?;
    let caller = caller.0;
    let input = body.0;
    let settings = state.media.clone();
    let row = state
        .db
        .write(move |conn| {
            let current = find_row(conn, id)?;
            rules::check_may_change(&caller, &current)?;
            let before = if_match
                .is_set()
                .then(|| to_item(&settings, current.clone()));
            let saved = rules::save(conn, input.clone(), WriteMode::Merge, &current)?;
            if let Some(before) = before {
                if_match.check(|| Ok(before))?;
            }
            Ok::<_, ApiError>(saved)
        })
        .await?;
    json_ok(&to_item(&state.media, row))
}

/// Deletes an item: 409 naming the articles and authors that still show it.
/// Its bytes go too when no other item has the same ones. Editors and
/// admins; a contributor for what they uploaded.
#[utoipa::path(delete, path = "/v1/media/{id}", tag = "media",
    params(MediaId, crate::api::resource::Precondition),
    security(("bearer" = [])),
    responses((status = 204, description = "Deleted"), DeleteProblems))]
pub async fn delete_media(
    state: web::Data<AppState>,
    media: web::Data<MediaServices>,
    caller: RequireCaller,
    _no_query: NoQuery,
    id: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = media_id(&id)?;
    let caller: Caller = caller.0;
    let settings = state.media.clone();
    let originals = media.originals.clone();
    let unused_file = state
        .db
        .write(move |conn| {
            let current = find_row(conn, id)?;
            rules::check_may_change(&caller, &current)?;
            if_match.check(|| Ok(to_item(&settings, current.clone())))?;
            rules::delete(conn, &originals, &current)
        })
        .await?;
    if let Some(hash) = unused_file {
        media.originals.remove_file(&hash);
    }
    Ok(HttpResponse::NoContent().finish())
}
