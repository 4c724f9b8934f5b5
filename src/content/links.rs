//! Managing an article's related links one by one: add, change, remove.
//! Positions are 1-based and dense; the list is renumbered after every
//! change. Inline `related` in an article write goes through
//! `articles::resolve_links` instead and replaces the whole list.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::content::{find_visible, visibility_for};
use crate::db::Conn;
use crate::db::articles::{self as article_db, ArticleRow};
use crate::db::links::{self as link_db, LinkSpec};
use crate::domain::{Key, KeyRef, LinkKind, Patch, WriteBody};
use crate::error::{ApiError, FieldError};

pub const MAX_LABEL: usize = 120;

/// A new link.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"article": "the-dry-summer", "kind": "read_next", "position": 1}))]
pub struct NewRelatedLink {
    /// The linked article's slug or id.
    #[schema(required = true, value_type = KeyRef)]
    pub article: Option<KeyRef>,
    #[schema(required = true, value_type = LinkKind)]
    pub kind: Option<LinkKind>,
    /// Defaults per kind: "Also read", "Read next", "You might also be interested".
    pub label: Option<String>,
    /// 1 to n+1; the others move down. Default: at the end.
    #[serde(default, deserialize_with = "crate::domain::optional_whole_number")]
    #[schema(minimum = 1)]
    pub position: Option<i64>,
}

impl WriteBody for NewRelatedLink {
    const FIELDS: &'static [&'static str] = &["article", "kind", "label", "position"];
    const READ_ONLY: &'static [&'static str] = &[];
}

/// A change to a link: any subset; `label: null` restores the kind's default.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelatedLinkChange {
    #[serde(default)]
    #[schema(value_type = LinkKind)]
    pub kind: Patch<LinkKind>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub label: Patch<String>,
    /// 1 to n; the others move to make room.
    #[serde(default, deserialize_with = "crate::domain::patch_whole_number")]
    #[schema(value_type = i64, minimum = 1)]
    pub position: Patch<i64>,
}

impl WriteBody for RelatedLinkChange {
    const FIELDS: &'static [&'static str] = &["kind", "label", "position"];
    const READ_ONLY: &'static [&'static str] = &["article"];
}

/// A link's label: given (1..120 characters), else the kind's default.
pub fn label_for(kind: LinkKind, label: Option<String>) -> Result<String, String> {
    match label.map(|l| l.trim().to_owned()) {
        None => Ok(kind.default_label().to_owned()),
        Some(l) if l.is_empty() => Ok(kind.default_label().to_owned()),
        Some(l) if l.chars().count() > MAX_LABEL || l.contains('\0') => {
            Err(format!("must be at most {MAX_LABEL} characters"))
        }
        Some(l) => Ok(l),
    }
}

/// The article whose links an editor manages: 404 when the caller may not
/// see it, 403 when they may see it but are not an editor.
pub fn managed_article(
    conn: &mut Conn,
    caller: &Caller,
    key: &Key,
) -> Result<ArticleRow, ApiError> {
    let visibility = visibility_for(conn, Some(caller))?;
    let article = find_visible(conn, key, visibility)?;
    if !caller.is_editor() {
        return Err(ApiError::Forbidden(
            "managing related links needs the editor or admin role".into(),
        ));
    }
    Ok(article)
}

fn position_in(field: &str, position: i64, max: usize) -> Result<usize, ApiError> {
    if position < 1 || position as usize > max {
        return Err(ApiError::Validation(vec![FieldError::new(
            field,
            format!("must be between 1 and {max}"),
        )]));
    }
    Ok(position as usize)
}

/// The index of the link to `target` among the article's links, or 404.
fn link_index(conn: &mut Conn, links: &[LinkSpec], target: &Key) -> Result<usize, ApiError> {
    let not_linked = || ApiError::NotFound(format!("no link to '{target}'"));
    let target = article_db::find_any(conn, target)?.ok_or_else(not_linked)?;
    links
        .iter()
        .position(|l| l.target_id == target.id)
        .ok_or_else(not_linked)
}

/// Stores the article's new list of links. Links change what an article
/// shows, so they change its `updated_at`.
fn store(conn: &mut Conn, article_id: i64, links: &[LinkSpec]) -> Result<(), ApiError> {
    link_db::replace_links(conn, article_id, links)?;
    article_db::touch(conn, article_id)?;
    Ok(())
}

/// Adds a link at its position (default: at the end); returns the target's id.
pub fn add(conn: &mut Conn, article: &ArticleRow, input: NewRelatedLink) -> Result<i64, ApiError> {
    let mut errors = Vec::new();
    if input.article.is_none() {
        errors.push(FieldError::new("article", "is required"));
    }
    if input.kind.is_none() {
        errors.push(FieldError::new("kind", "is required"));
    }
    let (Some(target), Some(kind)) = (input.article, input.kind) else {
        return Err(ApiError::Validation(errors));
    };
    let target_key = Key::from(&target);
    let target = article_db::find_any(conn, &target_key)?
        .ok_or_else(|| ApiError::invalid("article", format!("no article '{target_key}'")))?;
    if target.id == article.id {
        return Err(ApiError::invalid(
            "article",
            "an article cannot link to itself",
        ));
    }
    let label = label_for(kind, input.label).map_err(|m| ApiError::invalid("label", m))?;
    let mut links: Vec<LinkSpec> = link_db::specs_of(conn, article.id)?;
    if links.iter().any(|l| l.target_id == target.id) {
        return Err(ApiError::Conflict(format!(
            "'{}' already links to '{}'",
            article.slug, target.slug
        )));
    }
    let position = match input.position {
        Some(p) => position_in("position", p, links.len() + 1)?,
        None => links.len() + 1,
    };
    links.insert(
        position - 1,
        LinkSpec {
            target_id: target.id,
            kind: kind.as_str().to_owned(),
            label,
        },
    );
    store(conn, article.id, &links)?;
    Ok(target.id)
}

/// Changes a link's kind, label or position (the others move); returns the
/// target's id.
pub fn change(
    conn: &mut Conn,
    article: &ArticleRow,
    target: &Key,
    change: RelatedLinkChange,
) -> Result<i64, ApiError> {
    let mut links: Vec<LinkSpec> = link_db::specs_of(conn, article.id)?;
    let index = link_index(conn, &links, target)?;
    let mut link = links.remove(index);
    let old_kind = LinkKind::parse(&link.kind).unwrap_or(LinkKind::AlsoRead);
    let kind = match change.kind {
        Patch::Value(kind) => kind,
        Patch::Absent => old_kind,
        Patch::Null => return Err(ApiError::invalid("kind", "cannot be null")),
    };
    link.label = match change.label {
        Patch::Value(label) => {
            label_for(kind, Some(label)).map_err(|m| ApiError::invalid("label", m))?
        }
        Patch::Null => kind.default_label().to_owned(),
        // A label that was the old kind's default follows the kind.
        Patch::Absent if link.label == old_kind.default_label() => kind.default_label().to_owned(),
        Patch::Absent => link.label,
    };
    link.kind = kind.as_str().to_owned();
    let position = match change.position {
        Patch::Value(p) => position_in("position", p, links.len() + 1)?,
        Patch::Absent => index + 1,
        Patch::Null => return Err(ApiError::invalid("position", "cannot be null")),
    };
    let target_id = link.target_id;
    links.insert(position - 1, link);
    store(conn, article.id, &links)?;
    Ok(target_id)
}

/// Removes a link; the positions after it close up.
pub fn remove(conn: &mut Conn, article: &ArticleRow, target: &Key) -> Result<(), ApiError> {
    let mut links: Vec<LinkSpec> = link_db::specs_of(conn, article.id)?;
    let index = link_index(conn, &links, target)?;
    links.remove(index);
    store(conn, article.id, &links)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_default_per_kind() {
        assert_eq!(label_for(LinkKind::AlsoRead, None).unwrap(), "Also read");
        assert_eq!(
            label_for(LinkKind::ReadNext, Some("  ".into())).unwrap(),
            "Read next"
        );
        assert!(label_for(LinkKind::ReadNext, Some("x".repeat(121))).is_err());
    }
}
