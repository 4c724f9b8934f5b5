//! Saving and deleting articles: roles, drafts and publishing, slugs,
//! credits, tags and inline related links, and the values derived from the
//! body. The API, the demo loader and `masthead import` all come through here.

use crate::content::checks::{Checks, settle_slug};
use crate::content::links::label_for;
use crate::content::{Writer, find_visible};
use crate::db::articles::{self as article_db, ArticleRow, ArticleValues};
use crate::db::links::{self as link_db, LinkSpec};
use crate::db::{Conn, QueryResult, authors as author_db, media as media_db, tags as tag_db};
use crate::domain::{
    self, Key, KeyRef, LinkKind, Patch, Status, WriteBody, WriteMode, echo, parse_timestamp,
};
use crate::error::{ApiError, FieldError};
use crate::markdown;
use serde::Deserialize;
use utoipa::ToSchema;

pub const MAX_TITLE: usize = 300;
pub const MAX_SUBTITLE: usize = 300;
pub const MAX_EXCERPT: usize = 1_000;
pub const MAX_IMAGE_TEXT: usize = 1_000;
pub const MAX_META_TITLE: usize = 300;
pub const MAX_META_DESCRIPTION: usize = 1_000;

/// What the server derives from an article's body: the same for a write
/// through the API and a record restored by `masthead import`.
pub struct Derived {
    pub body_html: String,
    pub excerpt: String,
    pub reading_time_minutes: i32,
}

impl Derived {
    pub fn of(body: &str, custom_excerpt: Option<&str>) -> Derived {
        let plain = markdown::plain_text(body);
        Derived {
            body_html: markdown::render_html(body),
            excerpt: custom_excerpt
                .map(str::to_owned)
                .unwrap_or_else(|| markdown::derive_excerpt(&plain)),
            reading_time_minutes: markdown::reading_time_minutes(&plain),
        }
    }
}

/// What an editor set for a page's `<head>`; each null falls back.
struct PageFields {
    meta_title: Option<String>,
    meta_description: Option<String>,
    og_title: Option<String>,
    og_description: Option<String>,
    og_image: Option<String>,
    canonical_url: Option<String>,
}

/// The stored status of a row; rows only ever hold the three valid ones.
pub fn status_of(row: &ArticleRow) -> Status {
    Status::parse(&row.status).unwrap_or(Status::Draft)
}

/// Deleting articles is for editors and admins.
pub fn check_may_delete(writer: &Writer) -> Result<(), ApiError> {
    if writer.is_contributor() {
        return Err(ApiError::Forbidden(
            "deleting articles needs the editor or admin role".into(),
        ));
    }
    Ok(())
}

/// Deletes an article and every link to or from it: editors and admins.
pub fn delete(conn: &mut Conn, writer: &Writer, row: &ArticleRow) -> Result<(), ApiError> {
    check_may_delete(writer)?;
    link_db::unlink_target(conn, row.id)?;
    article_db::delete(conn, row.id)?;
    Ok(())
}

/// The lead image in a write body. A merge patch merges its fields.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeatureImageInput {
    /// An image hosted elsewhere. Required when the article has no image
    /// yet, unless `media` names one of ours; giving it drops `media`.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub url: Patch<String>,
    /// The id of a media item (`/v1/media`); it replaces `url` (which is
    /// ignored when both are sent, as a read's image sent back has). Reads
    /// then embed its size, focal point, placeholder and renditions, and
    /// `alt`, `caption` and `credit` left null fall back to the item's.
    #[serde(default, deserialize_with = "crate::domain::patch_whole_number")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub media: Patch<i64>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub alt: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub caption: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub credit: Patch<String>,
}

/// A curated link in an article write body.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelatedInput {
    /// The linked article's slug or id.
    #[schema(example = "rivers-rising")]
    pub article: KeyRef,
    pub kind: LinkKind,
    /// Defaults per kind: "Also read", "Read next", "You might also be interested".
    pub label: Option<String>,
}

/// An article write. `title` is required for POST and PUT; PATCH takes any
/// subset (the `ArticlePatch` schema).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "Rivers rising", "body": "The water came at night...",
    "status": "published", "authors": ["ada-okafor"], "tags": ["Climate", "europe"],
    "related": [{"article": "the-dry-summer", "kind": "read_next"}]}))]
pub struct ArticleInput {
    /// 1 to 300 characters.
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1, max_length = 300)]
    pub title: Patch<String>,
    /// Derived from the title on create; never changes unless sent. At
    /// least one letter. Slugs are one namespace for all articles: a slug
    /// held by any article, a draft the caller cannot see included, is 409.
    #[serde(default)]
    #[schema(value_type = String, pattern = "^(?:[a-z0-9]+-)*[a-z0-9]*[a-z][a-z0-9]*(?:-[a-z0-9]+)*$", max_length = 120)]
    pub slug: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub subtitle: Patch<String>,
    /// Markdown.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub body: Patch<String>,
    /// `""` or null means derive it from the body.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub excerpt: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<FeatureImageInput>)]
    pub feature_image: Patch<FeatureImageInput>,
    /// Defaults to `draft`; PUT keeps it when left out.
    #[serde(default)]
    #[schema(value_type = Status)]
    pub status: Patch<Status>,
    /// RFC 3339 with any offset, years 1000 to 9999, no leap second. Required
    /// for `scheduled`; defaults to now when first published. Editors only:
    /// a contributor sending a date is 403 (`null` is ignored).
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub published_at: Patch<String>,
    /// Author slugs or ids, primary first. A contributor credits only their
    /// own author on a new article, and on their draft may reorder the
    /// credits but not add or remove an author (403); a contributor's PUT
    /// without `authors` keeps them.
    #[serde(default)]
    #[schema(value_type = Option<Vec<KeyRef>>)]
    pub authors: Patch<Vec<KeyRef>>,
    /// Tag slugs or names, primary first; an unknown name creates the tag (editors).
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>)]
    pub tags: Patch<Vec<String>>,
    /// Replaces the article's curated links, positions in list order (editors).
    #[serde(default)]
    #[schema(value_type = Option<Vec<RelatedInput>>)]
    pub related: Patch<Vec<RelatedInput>>,
    /// The page's `<title>`; null falls back to `title` (see `seo`).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub meta_title: Patch<String>,
    /// The page's meta description; null falls back to `excerpt`.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub meta_description: Patch<String>,
    /// The social card's title; null falls back to `meta_title`, then `title`.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub og_title: Patch<String>,
    /// The social card's text; null falls back to `meta_description`, then `excerpt`.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub og_description: Patch<String>,
    /// The social card's image, an absolute http(s) URL; null falls back to
    /// the feature image.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub og_image: Patch<String>,
    /// Where the article canonically lives, an absolute http(s) URL (for
    /// syndicated copies); null: the page's own URL.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub canonical_url: Patch<String>,
}

impl WriteBody for ArticleInput {
    const FIELDS: &'static [&'static str] = &[
        "title",
        "slug",
        "subtitle",
        "body",
        "excerpt",
        "feature_image",
        "status",
        "published_at",
        "authors",
        "tags",
        "related",
        "meta_title",
        "meta_description",
        "og_title",
        "og_description",
        "og_image",
        "canonical_url",
    ];
    const READ_ONLY: &'static [&'static str] = &[
        "id",
        "body_html",
        "reading_time_minutes",
        "created_at",
        "updated_at",
        "primary_tag",
        "seo",
        "related_groups",
        "more_in_section",
    ];
}

/// The lead image's stored columns: url, alt, caption, credit, and the
/// media item it names.
type ImageColumns = ([Option<String>; 4], Option<i64>);

/// The lead image after a write, merged field by field under PATCH. Naming
/// a media item replaces a URL and the other way round.
fn merge_feature_image(
    conn: &mut Conn,
    checks: &mut Checks,
    mode: WriteMode,
    input: Patch<FeatureImageInput>,
    current: Option<&ArticleRow>,
) -> QueryResult<ImageColumns> {
    let current_fields = current.filter(|c| c.feature_image_url.is_some()).map(|c| {
        (
            [
                c.feature_image_url.clone(),
                c.feature_image_alt.clone(),
                c.feature_image_caption.clone(),
                c.feature_image_credit.clone(),
            ],
            c.feature_media_id,
        )
    });
    let image = match (input, mode) {
        (Patch::Absent, WriteMode::Merge) => return Ok(current_fields.unwrap_or_default()),
        (Patch::Absent | Patch::Null, _) => return Ok(Default::default()),
        (Patch::Value(image), _) => image,
    };
    let ([url, alt, caption, credit], media) = match mode {
        WriteMode::Merge => current_fields.unwrap_or_default(),
        _ => Default::default(),
    };
    let (url, media) = match (image.url, image.media) {
        // A read's image sent back whole names both: the item wins.
        (_, Patch::Value(media)) => (None, Some(media)),
        (Patch::Value(url), _) => (Some(url), None),
        // The stored URL of a media image is only a marker (see below).
        (Patch::Absent, Patch::Null) => (None, None),
        (url_patch, media_patch) => (url_patch.merge(url), media_patch.merge(media)),
    };
    let alt = checks.optional_text("feature_image.alt", image.alt.merge(alt), MAX_IMAGE_TEXT);
    let caption = checks.optional_text(
        "feature_image.caption",
        image.caption.merge(caption),
        MAX_IMAGE_TEXT,
    );
    let credit = checks.optional_text(
        "feature_image.credit",
        image.credit.merge(credit),
        MAX_IMAGE_TEXT,
    );
    let url = match media {
        Some(id) => match media_db::find(conn, id)? {
            // Kept only so that the row says it has an image; reads show
            // the item's own URL, built from the settings of the day.
            Some(item) => Some(format!("/media/{}/{}", item.id, item.hash)),
            None => {
                checks.fail("feature_image.media", format!("no media item {id}"));
                None
            }
        },
        None if url.is_none() => {
            checks.fail(
                "feature_image.url",
                "is required (or name a media item with media)",
            );
            None
        }
        None => checks.url("feature_image.url", url),
    };
    Ok(([url, alt, caption, credit], media))
}

pub fn resolve_authors(conn: &mut Conn, refs: &[KeyRef]) -> Result<Vec<i64>, ApiError> {
    let mut errors = Vec::new();
    let mut ids = Vec::with_capacity(refs.len());
    for (i, reference) in refs.iter().enumerate() {
        let field = format!("authors[{i}]");
        let key = Key::from(reference);
        match author_db::find(conn, &key)? {
            None => errors.push(FieldError::new(field, format!("no author '{key}'"))),
            Some(author) if ids.contains(&author.id) => errors.push(FieldError::new(
                field,
                format!("author '{}' is listed twice", author.slug),
            )),
            Some(author) => ids.push(author.id),
        }
    }
    if errors.is_empty() {
        Ok(ids)
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// A contributor credits only themselves on a new article, and on their
/// draft may reorder its credits but neither add nor remove an author:
/// a co-author's credit is the co-author's, and their own keeps the draft
/// theirs.
fn check_contributor_credits(
    conn: &mut Conn,
    own: i64,
    current_id: Option<i64>,
    ids: &[i64],
) -> Result<(), ApiError> {
    let Some(article_id) = current_id else {
        return match ids == [own] {
            true => Ok(()),
            false => Err(ApiError::Forbidden(
                "contributors may credit only their own author".into(),
            )),
        };
    };
    let mut stored = article_db::author_ids_of(conn, article_id)?;
    let mut sent = ids.to_vec();
    stored.sort_unstable();
    sent.sort_unstable();
    if stored == sent {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "contributors may reorder the credits of their drafts but not add or remove an author"
                .into(),
        ))
    }
}

/// Tags by slug, else by name ignoring case, else created by name (editors
/// only: a contributor naming an unknown tag is refused with 403).
fn resolve_tags(conn: &mut Conn, names: &[String], may_create: bool) -> Result<Vec<i64>, ApiError> {
    let mut ids: Vec<i64> = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let name = name.trim();
        if name.is_empty() {
            return Err(ApiError::invalid(format!("tags[{i}]"), "must not be empty"));
        }
        let tag = match tag_db::find_by_slug_or_name(conn, name)? {
            Some(tag) => tag,
            None if may_create => super::tags::create_by_name(conn, name)?,
            None => {
                return Err(ApiError::Forbidden(format!(
                    "there is no tag '{}', and contributors may only use existing tags",
                    echo(name)
                )));
            }
        };
        if !ids.contains(&tag.id) {
            ids.push(tag.id);
        }
    }
    Ok(ids)
}

/// Resolves inline related links. A missing target or the article itself is
/// 422; the same target twice is 409.
pub fn resolve_links(
    conn: &mut Conn,
    article_id: Option<i64>,
    inputs: Vec<RelatedInput>,
) -> Result<Vec<LinkSpec>, ApiError> {
    let mut errors = Vec::new();
    let mut links: Vec<LinkSpec> = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.into_iter().enumerate() {
        let field = format!("related[{i}]");
        let key = Key::from(&input.article);
        let Some(target) = article_db::find_any(conn, &key)? else {
            errors.push(FieldError::new(
                format!("{field}.article"),
                format!("no article '{key}'"),
            ));
            continue;
        };
        if Some(target.id) == article_id {
            errors.push(FieldError::new(
                format!("{field}.article"),
                "an article cannot link to itself",
            ));
            continue;
        }
        if links.iter().any(|l| l.target_id == target.id) {
            return Err(ApiError::Conflict(format!(
                "article '{}' is linked twice",
                target.slug
            )));
        }
        let label = match label_for(input.kind, input.label) {
            Ok(label) => label,
            Err(message) => {
                errors.push(FieldError::new(format!("{field}.label"), message));
                continue;
            }
        };
        links.push(LinkSpec {
            target_id: target.id,
            kind: input.kind.as_str().to_owned(),
            label,
        });
    }
    if errors.is_empty() {
        Ok(links)
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Applies a write to what is stored (`None` on create), enforcing the
/// contract's role and publishing rules, and stores the result. Runs inside
/// the caller's transaction, so a failure at any step writes nothing.
pub fn save(
    conn: &mut Conn,
    writer: &Writer,
    input: ArticleInput,
    mode: WriteMode,
    current: Option<&ArticleRow>,
) -> Result<ArticleRow, ApiError> {
    let contributor = writer.is_contributor();
    if contributor && !input.related.is_absent() {
        return Err(ApiError::Forbidden(
            "contributors may not manage related links".into(),
        ));
    }
    let mut checks = Checks::default();

    // A status is never null: left out, it is a draft (POST) or kept (PUT,
    // PATCH), as the schema's non-null `status` says.
    let status = match input.status {
        Patch::Null => {
            checks.fail(
                "status",
                "cannot be null; leave it out to keep it (or get a draft)",
            );
            Status::Draft
        }
        sent => mode
            .apply_kept(sent, current.map(status_of))
            .unwrap_or(Status::Draft),
    };
    if contributor && status != Status::Draft {
        return Err(ApiError::Forbidden(
            "contributors may only save drafts; an editor publishes".into(),
        ));
    }

    let title = checks.required_text(
        "title",
        mode.apply(input.title, current.map(|c| c.title.clone())),
        MAX_TITLE,
    );
    let subtitle = checks.optional_text(
        "subtitle",
        mode.apply(input.subtitle, current.and_then(|c| c.subtitle.clone())),
        MAX_SUBTITLE,
    );
    let body = mode
        .apply(input.body, current.map(|c| c.body.clone()))
        .unwrap_or_default();
    if body.contains('\0') {
        checks.fail("body", "must not contain NUL characters");
    }
    let custom_excerpt = checks.optional_text(
        "excerpt",
        mode.apply(
            input.excerpt,
            current.and_then(|c| c.custom_excerpt.clone()),
        ),
        MAX_EXCERPT,
    );
    let ([image_url, image_alt, image_caption, image_credit], feature_media_id) =
        merge_feature_image(conn, &mut checks, mode, input.feature_image, current)?;
    let page = PageFields {
        meta_title: checks.optional_text(
            "meta_title",
            mode.apply(input.meta_title, current.and_then(|c| c.meta_title.clone())),
            MAX_META_TITLE,
        ),
        meta_description: checks.optional_text(
            "meta_description",
            mode.apply(
                input.meta_description,
                current.and_then(|c| c.meta_description.clone()),
            ),
            MAX_META_DESCRIPTION,
        ),
        og_title: checks.optional_text(
            "og_title",
            mode.apply(input.og_title, current.and_then(|c| c.og_title.clone())),
            MAX_META_TITLE,
        ),
        og_description: checks.optional_text(
            "og_description",
            mode.apply(
                input.og_description,
                current.and_then(|c| c.og_description.clone()),
            ),
            MAX_META_DESCRIPTION,
        ),
        og_image: checks.url(
            "og_image",
            mode.apply(input.og_image, current.and_then(|c| c.og_image.clone())),
        ),
        canonical_url: checks.url(
            "canonical_url",
            mode.apply(
                input.canonical_url,
                current.and_then(|c| c.canonical_url.clone()),
            ),
        ),
    };

    // Publishing is an editor's: a contributor's date would pin the story
    // to the top of the list, or bury it, when an editor publishes it.
    // `null` is what a contributor reads back on a draft, so it is kept.
    let sent_published_at = match input.published_at {
        Patch::Value(_) if contributor => {
            return Err(ApiError::Forbidden(
                "contributors may not set published_at; an editor publishes or schedules".into(),
            ));
        }
        Patch::Null if contributor => Patch::Absent,
        other => other,
    };
    let published_at = match sent_published_at {
        Patch::Value(text) => match parse_timestamp(&text) {
            Ok(t) => Some(t),
            Err(message) => {
                checks.fail("published_at", message);
                None
            }
        },
        Patch::Null => None,
        Patch::Absent => current.and_then(|c| c.published_at),
    };
    let published_at = match status {
        Status::Draft => published_at,
        Status::Published => Some(published_at.unwrap_or_else(domain::now)),
        Status::Scheduled => {
            if published_at.is_none() && checks.is_clean() {
                checks.fail("published_at", "is required to schedule an article");
            }
            published_at
        }
    };

    let slug_input = checks.slug_input(input.slug);

    // Credits: left out, a contributor is credited as themselves.
    let authors = match input.authors {
        Patch::Absent if mode == WriteMode::Merge => None,
        // A contributor's PUT keeps the credits: a co-author is not theirs
        // to drop by leaving the field out.
        Patch::Absent if contributor && current.is_some() => None,
        Patch::Value(refs) => Some(refs),
        _ => Some(match writer.own_author {
            Some(own) => vec![KeyRef::Id(own)],
            None => Vec::new(),
        }),
    };
    checks.finish()?;

    let current_id = current.map(|c| c.id);
    let author_ids = authors
        .map(|refs| resolve_authors(conn, &refs))
        .transpose()?;
    if let (Some(own), Some(ids)) = (writer.own_author, &author_ids) {
        check_contributor_credits(conn, own, current_id, ids)?;
    }
    let tag_ids = match input.tags {
        Patch::Absent if mode == WriteMode::Merge => None,
        Patch::Value(names) => Some(resolve_tags(conn, &names, !contributor)?),
        _ => Some(Vec::new()),
    };
    let links = match input.related {
        Patch::Absent if mode == WriteMode::Merge || contributor => None,
        Patch::Value(inputs) => Some(resolve_links(conn, current_id, inputs)?),
        _ => Some(Vec::new()),
    };

    if status != Status::Draft {
        let mut checks = Checks::default();
        if body.trim().is_empty() {
            checks.fail("body", "must not be empty to publish or schedule");
        }
        let credited = match (&author_ids, current_id) {
            (Some(ids), _) => !ids.is_empty(),
            (None, Some(id)) => !article_db::author_ids_of(conn, id)?.is_empty(),
            (None, None) => false,
        };
        if !credited {
            checks.fail(
                "authors",
                "at least one author is needed to publish or schedule",
            );
        }
        checks.finish()?;
    }

    let slug = settle_slug(
        slug_input,
        current.map(|c| c.slug.as_str()),
        &title,
        "article",
        |s| article_db::slug_taken(conn, s, current_id),
    )?;

    let derived = Derived::of(&body, custom_excerpt.as_deref());
    let values = ArticleValues {
        slug,
        title,
        subtitle,
        body_html: derived.body_html,
        excerpt: derived.excerpt,
        reading_time_minutes: derived.reading_time_minutes,
        body,
        custom_excerpt,
        feature_image_url: image_url,
        feature_image_alt: image_alt,
        feature_image_caption: image_caption,
        feature_image_credit: image_credit,
        feature_media_id,
        status: status.as_str().to_owned(),
        published_at,
        updated_at: domain::now(),
        meta_title: page.meta_title,
        meta_description: page.meta_description,
        og_title: page.og_title,
        og_description: page.og_description,
        og_image: page.og_image,
        canonical_url: page.canonical_url,
    };
    let row = match current_id {
        Some(id) => article_db::update(conn, id, &values)?,
        None => article_db::insert(conn, &values)?,
    };
    // A new article has nothing to replace: its credits, tags and links are
    // only added.
    let fresh = current_id.is_none();
    match author_ids {
        Some(ids) if fresh => article_db::add_authors(conn, row.id, &ids)?,
        Some(ids) => article_db::replace_authors(conn, row.id, &ids)?,
        None => {}
    }
    match tag_ids {
        Some(ids) if fresh => article_db::add_tags(conn, row.id, &ids)?,
        Some(ids) => article_db::replace_tags(conn, row.id, &ids)?,
        None => {}
    }
    match links {
        Some(links) if fresh && links.is_empty() => {}
        Some(links) => link_db::replace_links(conn, row.id, &links)?,
        None => {}
    }
    Ok(row)
}

/// The article a writer may change: 404 when they may not see it, 403 when
/// they may see it but not change it (a contributor and a non-draft).
pub fn editable(conn: &mut Conn, writer: &Writer, key: &Key) -> Result<ArticleRow, ApiError> {
    let row = find_visible(conn, key, writer.visibility())?;
    if writer.is_contributor() {
        let credited = article_db::author_ids_of(conn, row.id)?;
        let own = writer.own_author.is_some_and(|own| credited.contains(&own));
        if !own || status_of(&row) != Status::Draft {
            return Err(ApiError::Forbidden(
                "contributors may edit only their own drafts".into(),
            ));
        }
    }
    Ok(row)
}
