//! The dump's lines: one record type per table, and how each is read off
//! a stored row.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::db::articles::ArticleRow;
use crate::db::authors::AuthorRow;
use crate::db::links::LinkRow;
use crate::db::media::MediaRow;
use crate::db::tags::TagRow;
use crate::domain::format_timestamp;

/// One line of the format.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record {
    Media(Box<MediaRecord>),
    Author(AuthorRecord),
    Tag(TagRecord),
    Article(Box<ArticleRecord>),
    Link(LinkRecord),
}

/// An uploaded image with its original. `bytes` is not written: it is the
/// length of `data`, and `search_key` is derived from the words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaRecord {
    pub id: i64,
    /// Hex SHA-256 of the original: import recomputes it from `data`.
    pub hash: String,
    pub mime: String,
    pub width: i32,
    pub height: i32,
    pub alt: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub focal: FocalRecord,
    pub blurhash: String,
    pub color: String,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    /// The original's bytes, standard base64 with padding. Last, so that
    /// the fields above stay readable at the start of a long line.
    pub data: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FocalRecord {
    pub x: f64,
    pub y: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthorRecord {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub website: Option<String>,
    pub email: Option<String>,
    /// Network name -> handle or URL.
    pub social: Map<String, Value>,
    pub created_at: String,
    pub updated_at: String,
    /// The media item the avatar shows; left out when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_media_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagRecord {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Left out of dumps made before sections had an order.
    #[serde(default)]
    pub section_position: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeatureImageRecord {
    pub url: String,
    pub alt: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
    /// The media item it shows; left out for an image hosted elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleRecord {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub subtitle: Option<String>,
    /// Markdown.
    pub body: String,
    /// The editor's excerpt; null when it is derived from the body.
    pub custom_excerpt: Option<String>,
    pub feature_image: Option<FeatureImageRecord>,
    pub status: String,
    pub published_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Credit order: the first is the primary author.
    pub author_ids: Vec<i64>,
    /// The first is the primary tag.
    pub tag_ids: Vec<i64>,
    /// The page's `<head>` fields; left out of dumps made before them.
    #[serde(default)]
    pub meta_title: Option<String>,
    #[serde(default)]
    pub meta_description: Option<String>,
    #[serde(default)]
    pub og_title: Option<String>,
    #[serde(default)]
    pub og_description: Option<String>,
    #[serde(default)]
    pub og_image: Option<String>,
    #[serde(default)]
    pub canonical_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkRecord {
    pub article_id: i64,
    pub target_id: i64,
    pub kind: String,
    pub label: String,
    pub position: i32,
}

/// `original` is the item's bytes, read through the configured originals.
pub(super) fn media_record(row: MediaRow, original: &[u8]) -> MediaRecord {
    use base64::Engine;
    MediaRecord {
        id: row.id,
        hash: row.hash,
        mime: row.mime,
        width: row.width,
        height: row.height,
        alt: row.alt,
        caption: row.caption,
        credit: row.credit,
        focal: FocalRecord {
            x: row.focal_x,
            y: row.focal_y,
        },
        blurhash: row.blurhash,
        color: row.color,
        created_by: row.created_by,
        created_at: format_timestamp(row.created_at),
        updated_at: format_timestamp(row.updated_at),
        data: base64::engine::general_purpose::STANDARD.encode(original),
    }
}

impl From<AuthorRow> for AuthorRecord {
    fn from(row: AuthorRow) -> Self {
        // The API stores a JSON object; anything else exports as empty rather
        // than producing a dump that cannot be imported.
        let social = match serde_json::from_str(&row.social) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        AuthorRecord {
            id: row.id,
            slug: row.slug,
            name: row.name,
            bio: row.bio,
            avatar_url: row.avatar_url,
            website: row.website,
            email: row.email,
            social,
            created_at: format_timestamp(row.created_at),
            updated_at: format_timestamp(row.updated_at),
            avatar_media_id: row.avatar_media_id,
        }
    }
}

impl From<TagRow> for TagRecord {
    fn from(row: TagRow) -> Self {
        TagRecord {
            id: row.id,
            slug: row.slug,
            name: row.name,
            description: row.description,
            created_at: format_timestamp(row.created_at),
            updated_at: format_timestamp(row.updated_at),
            section_position: row.section_position,
        }
    }
}

pub(super) fn article_record(
    row: ArticleRow,
    author_ids: Vec<i64>,
    tag_ids: Vec<i64>,
) -> ArticleRecord {
    let feature_image = row.feature_image_url.map(|url| FeatureImageRecord {
        url,
        alt: row.feature_image_alt,
        caption: row.feature_image_caption,
        credit: row.feature_image_credit,
        media: row.feature_media_id,
    });
    ArticleRecord {
        id: row.id,
        slug: row.slug,
        title: row.title,
        subtitle: row.subtitle,
        body: row.body,
        custom_excerpt: row.custom_excerpt,
        feature_image,
        status: row.status,
        published_at: row.published_at.map(format_timestamp),
        created_at: format_timestamp(row.created_at),
        updated_at: format_timestamp(row.updated_at),
        author_ids,
        tag_ids,
        meta_title: row.meta_title,
        meta_description: row.meta_description,
        og_title: row.og_title,
        og_description: row.og_description,
        og_image: row.og_image,
        canonical_url: row.canonical_url,
    }
}

impl From<LinkRow> for LinkRecord {
    fn from(row: LinkRow) -> Self {
        LinkRecord {
            article_id: row.article_id,
            target_id: row.target_id,
            kind: row.kind,
            label: row.label,
            position: row.position,
        }
    }
}
