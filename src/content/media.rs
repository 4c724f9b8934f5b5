//! Saving and deleting media items: who may, what the words around a picture
//! may say, and that an item in use stays.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::content::checks::Checks;
use crate::db::Conn;
use crate::db::media::{self as media_db, MediaChange, MediaRow, NewMedia};
use crate::domain::{self, Patch, WriteBody, WriteMode};
use crate::error::ApiError;
use crate::imaging::Original;
use crate::originals::Originals;

/// Alt text, caption and credit: as long as a feature image's.
pub const MAX_TEXT: usize = super::articles::MAX_IMAGE_TEXT;

/// Where the picture's subject is, as fractions of its width and height
/// from the top left: crops (`fit=cover`) keep it in view.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, serde::Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Focal {
    #[schema(minimum = 0, maximum = 1)]
    pub x: f64,
    #[schema(minimum = 0, maximum = 1)]
    pub y: f64,
}

impl Default for Focal {
    fn default() -> Self {
        Focal { x: 0.5, y: 0.5 }
    }
}

/// A change to a media item's metadata. The picture itself never changes:
/// upload a new item for new bytes.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"alt": "Flooded streets in the old town", "focal": {"x": 0.4, "y": 0.35}}))]
pub struct MediaPatch {
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub alt: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub caption: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub credit: Patch<String>,
    /// null puts it back in the centre.
    #[serde(default)]
    #[schema(value_type = Option<Focal>)]
    pub focal: Patch<Focal>,
}

impl WriteBody for MediaPatch {
    const FIELDS: &'static [&'static str] = &["alt", "caption", "credit", "focal"];
    const READ_ONLY: &'static [&'static str] = &[
        "id",
        "url",
        "hash",
        "width",
        "height",
        "bytes",
        "mime",
        "placeholder",
        "renditions",
        "created_by",
        "created_at",
        "updated_at",
    ];
}

/// An upload whose bytes have been read and inspected.
#[derive(Debug, Clone)]
pub struct Upload {
    pub hash: String,
    pub bytes: std::sync::Arc<Vec<u8>>,
    pub original: Original,
    pub alt: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
    /// Each coordinate as sent, checked here with the other fields.
    pub focal_x: Option<f64>,
    pub focal_y: Option<f64>,
}

/// A contributor changes and deletes only what they uploaded.
pub fn check_may_change(caller: &Caller, row: &MediaRow) -> Result<(), ApiError> {
    if caller.is_editor() || caller.subject == row.created_by {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "a contributor may change or delete only the media they uploaded".into(),
        ))
    }
}

fn focal_coordinate(checks: &mut Checks, field: &str, value: Option<f64>) -> f64 {
    match value {
        None => 0.5,
        Some(v) if (0.0..=1.0).contains(&v) => v,
        Some(_) => {
            checks.fail(field, "must be between 0 and 1");
            0.5
        }
    }
}

/// Stores a new item (and its bytes, unless the same bytes are stored already).
pub fn create(
    conn: &mut Conn,
    originals: &Originals,
    caller: &Caller,
    upload: Upload,
) -> Result<MediaRow, ApiError> {
    let mut checks = Checks::default();
    let alt = checks.optional_text("alt", upload.alt, MAX_TEXT);
    let caption = checks.optional_text("caption", upload.caption, MAX_TEXT);
    let credit = checks.optional_text("credit", upload.credit, MAX_TEXT);
    let focal_x = focal_coordinate(&mut checks, "focal_x", upload.focal_x);
    let focal_y = focal_coordinate(&mut checks, "focal_y", upload.focal_y);
    checks.finish()?;
    originals.store(conn, &upload.hash, &upload.bytes)?;
    let now = domain::now();
    let original = &upload.original;
    let values = NewMedia {
        search_key: media_db::search_key(alt.as_deref(), caption.as_deref(), credit.as_deref()),
        hash: upload.hash,
        mime: original.format.mime().to_owned(),
        width: dimension(original.width)?,
        height: dimension(original.height)?,
        bytes: i64::try_from(upload.bytes.len()).map_err(ApiError::internal)?,
        alt,
        caption,
        credit,
        focal_x,
        focal_y,
        blurhash: original.blurhash.clone(),
        color: original.color.clone(),
        created_by: caller.subject.clone(),
        created_at: now,
        updated_at: now,
    };
    Ok(media_db::insert(conn, &values)?)
}

fn dimension(pixels: u32) -> Result<i32, ApiError> {
    i32::try_from(pixels).map_err(ApiError::internal)
}

/// Changes the words and the focal point of an item (PATCH).
pub fn save(
    conn: &mut Conn,
    input: MediaPatch,
    mode: WriteMode,
    current: &MediaRow,
) -> Result<MediaRow, ApiError> {
    let mut checks = Checks::default();
    let alt = checks.optional_text("alt", mode.apply(input.alt, current.alt.clone()), MAX_TEXT);
    let caption = checks.optional_text(
        "caption",
        mode.apply(input.caption, current.caption.clone()),
        MAX_TEXT,
    );
    let credit = checks.optional_text(
        "credit",
        mode.apply(input.credit, current.credit.clone()),
        MAX_TEXT,
    );
    let focal = mode
        .apply(
            input.focal,
            Some(Focal {
                x: current.focal_x,
                y: current.focal_y,
            }),
        )
        .unwrap_or_default();
    let focal_x = focal_coordinate(&mut checks, "focal.x", Some(focal.x));
    let focal_y = focal_coordinate(&mut checks, "focal.y", Some(focal.y));
    checks.finish()?;
    let change = MediaChange {
        search_key: media_db::search_key(alt.as_deref(), caption.as_deref(), credit.as_deref()),
        alt,
        caption,
        credit,
        focal_x,
        focal_y,
        updated_at: domain::now(),
    };
    Ok(media_db::update(conn, current.id, &change)?)
}

/// Deletes an item no article or author shows (409 naming them otherwise),
/// and its bytes when no other item names them. Returns the hash of a file
/// to remove once the transaction has committed (see [`Originals::forget`]).
pub fn delete(
    conn: &mut Conn,
    originals: &Originals,
    current: &MediaRow,
) -> Result<Option<String>, ApiError> {
    let (articles, authors) = media_db::users(conn, current.id)?;
    if !articles.is_empty() || !authors.is_empty() {
        let mut users: Vec<String> = articles
            .iter()
            .map(|(id, slug)| format!("article '{slug}' (id {id})"))
            .collect();
        users.extend(
            authors
                .iter()
                .map(|(id, slug)| format!("author '{slug}' (id {id})")),
        );
        return Err(ApiError::Conflict(format!(
            "media item {} is still used by {}; change those first",
            current.id,
            users.join(", ")
        )));
    }
    media_db::delete(conn, current.id)?;
    originals.forget(conn, &current.hash)
}
