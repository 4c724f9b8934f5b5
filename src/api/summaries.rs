//! The short forms of authors and tags that articles embed.

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::authors::AuthorRow;
use crate::db::tags::TagRow;

/// An author as credited on articles.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuthorSummary {
    pub id: i64,
    #[schema(example = "ada-okafor")]
    pub slug: String,
    #[schema(example = "Ada Okafor")]
    pub name: String,
    pub avatar_url: Option<String>,
}

impl From<&AuthorRow> for AuthorSummary {
    fn from(row: &AuthorRow) -> Self {
        AuthorSummary {
            id: row.id,
            slug: row.slug.clone(),
            name: row.name.clone(),
            avatar_url: row.avatar_url.clone(),
        }
    }
}

/// A tag as embedded in articles.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TagSummary {
    pub id: i64,
    #[schema(example = "climate")]
    pub slug: String,
    #[schema(example = "Climate")]
    pub name: String,
}

impl From<&TagRow> for TagSummary {
    fn from(row: &TagRow) -> Self {
        TagSummary {
            id: row.id,
            slug: row.slug.clone(),
            name: row.name.clone(),
        }
    }
}
