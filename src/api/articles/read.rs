//! The article list query and the article detail.

use super::*;

/// The query string as the OpenAPI document describes it. Never built: the
/// handler reads the query with `QueryParams`, which refuses unknown names.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ArticleListParams {
    /// A tag slug; repeat it to require several tags (all must match), at
    /// most 10 times.
    tag: Option<Vec<String>>,
    /// An author slug.
    author: Option<String>,
    /// Full-text search over title, subtitle and body: every word must appear
    /// (as a prefix). Any text is safe; punctuation is ignored.
    #[param(max_length = 500)]
    q: Option<String>,
    /// Inclusive lower bound on `published_at`: RFC 3339, or `YYYY-MM-DD` for midnight UTC.
    published_after: Option<String>,
    /// Exclusive upper bound on `published_at`: RFC 3339, or `YYYY-MM-DD` for midnight UTC.
    published_before: Option<String>,
    /// `published` (the default, for everyone: what the public sees), or with a token
    /// `draft`, `scheduled` or `any`. A contributor may ask only `draft`: their own unpublished articles.
    #[param(pattern = "^(draft|scheduled|published|any)$")]
    status: Option<String>,
    /// `-published_at` (default; `relevance` when `q` is given), `published_at`,
    /// `-updated_at`, `updated_at`, `title`, `-title`, `relevance` (needs `q`: title
    /// matches first, then subtitle, then body). Ties are broken by id in the sort's direction.
    #[param(pattern = "^(-?(published_at|updated_at|title)|relevance)$")]
    sort: Option<String>,
    /// Comma-separated top-level fields to return (`id` is always included). List items
    /// leave out `body`, `body_html`, `related` and the page fields (`meta_title`,
    /// `meta_description`, `og_title`, `og_description`, `og_image`, `canonical_url`,
    /// `seo`) unless asked.
    #[param(example = "slug,title,excerpt")]
    fields: Option<String>,
    /// The section: only articles whose primary (first) tag has this slug.
    primary_tag: Option<String>,
    /// Leave out these articles, by id or slug; repeatable, at most 20 times.
    exclude: Option<Vec<String>>,
    /// Comma-separated embeds: `authors.full` (each author's bio, website and
    /// social links). Unknown names are 400.
    include: Option<String>,
}

pub const MAX_SUGGEST: i64 = 20;
const DEFAULT_SUGGEST: i64 = 3;
const MAX_MORE: i64 = 20;
const DEFAULT_MORE: i64 = 4;

/// Each excluded article is a bound value; a page needs few.
const MAX_EXCLUDES: usize = 20;

/// The embeds a list may ask for.
pub const LIST_INCLUDES: &[&str] = &["authors.full"];

/// The embeds one article may ask for.
pub const ARTICLE_INCLUDES: &[&str] = &[
    "authors.full",
    "related.suggested",
    "related.groups",
    "more_in_section",
];

const LIST_PARAMS: &[&str] = &[
    "primary_tag",
    "exclude",
    "include",
    "tag",
    "author",
    "q",
    "published_after",
    "published_before",
    "status",
    "sort",
    "fields",
    "page",
    "per_page",
    "cursor",
];

/// Every top-level field of an article.
pub const ARTICLE_FIELDS: &[&str] = &[
    "id",
    "slug",
    "title",
    "subtitle",
    "body",
    "body_html",
    "excerpt",
    "reading_time_minutes",
    "feature_image",
    "status",
    "published_at",
    "created_at",
    "updated_at",
    "authors",
    "tags",
    "primary_tag",
    "related",
    "related_groups",
    "more_in_section",
    "meta_title",
    "meta_description",
    "og_title",
    "og_description",
    "og_image",
    "canonical_url",
    "seo",
];

/// The fields of a page's `<head>`, the last of `ARTICLE_FIELDS`; a list
/// loads them only when asked.
const PAGE_FIELDS: &[&str] = ARTICLE_FIELDS.split_at(ARTICLE_FIELDS.len() - 7).1;
/// Which articles a list is drawn from.
pub enum Within {
    All,
    Tag(Key),
    Author(Key),
}

fn parse_sort(text: Option<&str>, searching: bool) -> Result<Sort, ApiError> {
    let Some(text) = text else {
        return Ok(match searching {
            true => Sort {
                field: SortField::Relevance,
                descending: true,
            },
            false => Sort::default(),
        });
    };
    let (descending, name) = match text.strip_prefix('-') {
        Some(name) => (true, name),
        None => (false, text),
    };
    let field = match name {
        "published_at" => SortField::PublishedAt,
        "updated_at" => SortField::UpdatedAt,
        "title" => SortField::Title,
        "relevance" if !descending && searching => SortField::Relevance,
        "relevance" if !descending => {
            return Err(ApiError::BadRequest(
                "query parameter 'sort' can be 'relevance' only with 'q'".into(),
            ));
        }
        _ => {
            return Err(ApiError::BadRequest(format!(
                "query parameter 'sort' must be one of -published_at, published_at, -updated_at, updated_at, title, -title, relevance; not '{}'",
                echo(text)
            )));
        }
    };
    Ok(Sort {
        field,
        descending: descending || field == SortField::Relevance,
    })
}

fn sort_name(sort: Sort) -> &'static str {
    match (sort.field, sort.descending) {
        (SortField::PublishedAt, true) => "-published_at",
        (SortField::PublishedAt, false) => "published_at",
        (SortField::UpdatedAt, true) => "-updated_at",
        (SortField::UpdatedAt, false) => "updated_at",
        (SortField::Title, true) => "-title",
        (SortField::Title, false) => "title",
        (SortField::Relevance, _) => "relevance",
    }
}

fn position_from_cursor(cursor: &Cursor, sort: Sort) -> Result<Position, ApiError> {
    let (key, id) = cursor.for_sort(sort_name(sort))?;
    let damaged = || ApiError::BadRequest("query parameter 'cursor' is damaged".into());
    let key = match (sort.field, key) {
        (SortField::PublishedAt | SortField::UpdatedAt, Value::Null) => SortKey::Time(None),
        (SortField::PublishedAt | SortField::UpdatedAt, Value::String(t)) => {
            SortKey::Time(Some(parse_timestamp(t).map_err(|_| damaged())?))
        }
        (SortField::Title, Value::String(t)) => SortKey::Text(t.clone()),
        (SortField::Relevance, Value::Number(n)) => SortKey::Score(n.as_i64().ok_or_else(damaged)?),
        _ => return Err(damaged()),
    };
    Ok(Position { key, id })
}

fn cursor_at(sort: Sort, position: &Position) -> Cursor {
    let key = match &position.key {
        SortKey::Time(t) => t.map(format_timestamp).map_or(Value::Null, Value::from),
        SortKey::Text(t) => Value::from(t.clone()),
        SortKey::Score(n) => Value::from(*n),
    };
    Cursor {
        sort: sort_name(sort).to_owned(),
        key,
        id: position.id,
    }
}

/// The `fields` parameter: which top-level fields to keep, `id` always
/// among them. `None` keeps the default set.
fn parse_fields(text: Option<&str>, allowed: &[&str]) -> Result<Option<Vec<String>>, ApiError> {
    let Some(text) = text else {
        return Ok(None);
    };
    let mut fields = vec!["id".to_owned()];
    for name in text.split(',').map(str::trim) {
        if !allowed.contains(&name) {
            return Err(ApiError::BadRequest(format!(
                "query parameter 'fields' names unknown field '{}'; known: {}",
                echo(name),
                allowed.join(", ")
            )));
        }
        if !fields.iter().any(|f| f == name) {
            fields.push(name.to_owned());
        }
    }
    Ok(Some(fields))
}

/// The `include` parameter against the embeds a route offers. `suggest`
/// and `more` size the two that add articles.
pub(crate) fn parse_include(
    text: Option<&str>,
    allowed: &[&str],
    suggest: i64,
    more: i64,
) -> Result<Includes, ApiError> {
    let mut includes = Includes::default();
    let Some(text) = text else {
        return Ok(includes);
    };
    for name in text.split(',').map(str::trim) {
        if !allowed.contains(&name) {
            return Err(ApiError::BadRequest(format!(
                "query parameter 'include' names unknown embed '{}'; accepted: {}",
                echo(name),
                allowed.join(", ")
            )));
        }
        match name {
            "authors.full" => includes.authors_full = true,
            "related.suggested" => includes.suggested = Some(suggest),
            "related.groups" => includes.related_groups = true,
            _ => includes.more_in_section = Some(more),
        }
    }
    Ok(includes)
}

/// `fields` with what `include` adds: an embed asked for is always shown.
fn with_included(fields: Option<Vec<String>>, includes: &Includes) -> Option<Vec<String>> {
    fields.map(|mut fields| {
        for name in includes.fields() {
            if !fields.iter().any(|f| f == name) {
                fields.push(name.to_owned());
            }
        }
        fields
    })
}

/// A resource as asked for: whole, or only the named top-level fields.
/// A whole one is written straight from its struct; going through a
/// `Value` (a map and a string per field) was a fifth of an uncached
/// list's CPU. `preserve_order` keeps both forms' field order the same.
enum Shaped<'a, T> {
    Whole(&'a T),
    Trimmed(Value),
}

impl<T: Serialize> Serialize for Shaped<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Shaped::Whole(value) => value.serialize(serializer),
            Shaped::Trimmed(value) => value.serialize(serializer),
        }
    }
}

fn shape<'a, T: Serialize>(
    value: &'a T,
    fields: Option<&[String]>,
) -> Result<Shaped<'a, T>, ApiError> {
    let Some(fields) = fields else {
        return Ok(Shaped::Whole(value));
    };
    let mut value = serde_json::to_value(value).map_err(ApiError::internal)?;
    if let Value::Object(map) = &mut value {
        map.retain(|name, _| fields.iter().any(|f| f == name));
    }
    Ok(Shaped::Trimmed(value))
}

#[derive(Serialize)]
struct ListBody<'a, T> {
    data: Vec<Shaped<'a, T>>,
    meta: PageMeta,
}

/// What a list loads beyond the default item fields.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct ListExtras {
    pub(super) body: bool,
    pub(super) body_html: bool,
    pub(super) related: bool,
    /// The page's `<head>` fields, raw or as `seo`.
    pub(super) page: bool,
}

impl ListExtras {
    fn from_fields(fields: Option<&[String]>) -> ListExtras {
        let asks = |name: &str| fields.is_some_and(|f| f.iter().any(|x| x == name));
        ListExtras {
            body: asks("body"),
            body_html: asks("body_html"),
            related: asks("related"),
            page: PAGE_FIELDS.iter().any(|name| asks(name)),
        }
    }
}

fn parse_date_param(params: &QueryParams, name: &str) -> Result<Option<NaiveDateTime>, ApiError> {
    params
        .single(name)?
        .map(|text| {
            domain::parse_timestamp_or_date(text).map_err(|message| {
                ApiError::BadRequest(format!("query parameter '{name}' {message}"))
            })
        })
        .transpose()
}

/// What the `status` parameter asks for, once the caller's role allows it.
enum StatusFilter {
    Public,
    Stored(Status),
    Any,
}

fn parse_status(text: Option<&str>, caller: Option<&Caller>) -> Result<StatusFilter, ApiError> {
    let wanted = match text {
        None | Some("published") => return Ok(StatusFilter::Public),
        Some("draft") => StatusFilter::Stored(Status::Draft),
        Some("scheduled") => StatusFilter::Stored(Status::Scheduled),
        Some("any") => StatusFilter::Any,
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "query parameter 'status' must be draft, scheduled, published or any; not '{}'",
                echo(other)
            )));
        }
    };
    let Some(caller) = caller else {
        return Err(ApiError::TokenRequired(
            "listing unpublished articles needs a bearer token".into(),
        ));
    };
    if caller.role == Role::Contributor && !matches!(wanted, StatusFilter::Stored(Status::Draft)) {
        return Err(ApiError::Forbidden(
            "contributors may list only status=draft: their own unpublished articles".into(),
        ));
    }
    Ok(wanted)
}

/// The article list query, shared by `/articles`, `/authors/{key}/articles`
/// and `/tags/{key}/articles`.
pub async fn article_list(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: MaybeCaller,
    within: Within,
) -> Result<HttpResponse, ApiError> {
    let params = QueryParams::parse(&req, LIST_PARAMS)?;
    let paging = Paging::from_params(&params)?;
    let q = params.single("q")?;
    if q.is_some_and(|q| q.chars().count() > 500) {
        return Err(ApiError::BadRequest(
            "query parameter 'q' must be at most 500 characters".into(),
        ));
    }
    let search = q.map(search::fts_query);
    let sort = parse_sort(params.single("sort")?, search.is_some())?;
    let after = paging
        .cursor()
        .map(|c| position_from_cursor(c, sort))
        .transpose()?;
    let window = paging.window(after);
    let status = parse_status(params.single("status")?, caller.0.as_ref())?;
    let fields = parse_fields(params.single("fields")?, ARTICLE_FIELDS)?;
    let extras = ListExtras::from_fields(fields.as_deref());
    let tags = params.all("tag");
    if tags.len() > MAX_TAG_FILTERS {
        return Err(ApiError::BadRequest(format!(
            "query parameter 'tag' may be given at most {MAX_TAG_FILTERS} times"
        )));
    }
    let excluded = params.all("exclude");
    if excluded.len() > MAX_EXCLUDES {
        return Err(ApiError::BadRequest(format!(
            "query parameter 'exclude' may be given at most {MAX_EXCLUDES} times"
        )));
    }
    let (mut exclude_ids, mut exclude_slugs) = (Vec::new(), Vec::new());
    for key in excluded.into_iter().map(Key::parse) {
        match key {
            Key::Id(id) => exclude_ids.push(id),
            Key::Slug(slug) => exclude_slugs.push(slug),
        }
    }
    let includes = parse_include(params.single("include")?, LIST_INCLUDES, 0, 0)?;
    let fields = with_included(fields, &includes);
    let mut filter = ArticleFilter {
        primary_tag: params.single("primary_tag")?.map(str::to_owned),
        exclude_ids,
        exclude_slugs,
        tags: tags.into_iter().map(str::to_owned).collect(),
        author: params.single("author")?.map(str::to_owned),
        published_after: parse_date_param(&params, "published_after")?,
        published_before: parse_date_param(&params, "published_before")?,
        search: search.clone().flatten(),
        ..ArticleFilter::default()
    };
    // Text with no word in it matches nothing.
    let matches_nothing = matches!(search, Some(None));
    let ((mut rows, total), last_modified) = state
        .read(&req, move |conn| {
            match &within {
                Within::All => {}
                Within::Tag(key) => {
                    let tag = tag_db::find(conn, key)?
                        .ok_or_else(|| ApiError::NotFound(format!("no tag '{key}'")))?;
                    filter.tags.push(tag.slug);
                }
                Within::Author(key) => {
                    let author = author_db::find(conn, key)?
                        .ok_or_else(|| ApiError::NotFound(format!("no author '{key}'")))?;
                    if filter.author.as_ref().is_some_and(|a| *a != author.slug) {
                        return Ok((Vec::new(), Some(0)));
                    }
                    filter.author = Some(author.slug);
                }
            }
            if matches_nothing {
                return Ok((Vec::new(), Some(0)));
            }
            let caller_visibility = visibility_for(conn, caller.0.as_ref())?;
            let visibility = match status {
                StatusFilter::Public => Visibility::Public { now: domain::now() },
                StatusFilter::Any => caller_visibility,
                StatusFilter::Stored(stored) => {
                    match caller.0.as_ref().filter(|c| !c.is_editor()) {
                        Some(contributor) => {
                            // A contributor's drafts list: their own unpublished work.
                            let own = own_author_id(conn, contributor)?.unwrap_or(-1);
                            filter.own_unpublished_of = Some((own, domain::now()));
                        }
                        None => filter.statuses = vec![stored.as_str()],
                    }
                    caller_visibility
                }
            };
            let with_bodies = extras.body || extras.body_html || extras.page;
            let Slice { rows, total } =
                article_db::page(conn, &filter, visibility, sort, &window, with_bodies)?;
            let ids: Vec<i64> = rows.iter().map(|(row, _)| row.id).collect();
            let mut embeds =
                Embeds::load(conn, rows.iter().map(|(row, _)| row), includes.authors_full)?;
            let mut related = match extras.related {
                true => related_of(conn, &ids, visibility)?,
                false => HashMap::new(),
            };
            let items = rows
                .into_iter()
                .map(|(row, position)| {
                    (list_item(row, &mut embeds, &extras, &mut related), position)
                })
                .collect::<Vec<_>>();
            Ok((items, total))
        })
        .await?;
    let (meta, link) = paging.complete(&req, &mut rows, total, |(_, position)| {
        cursor_at(sort, position)
    });
    let data = rows
        .iter()
        .map(|(item, _)| shape(item, fields.as_deref()))
        .collect::<Result<Vec<_>, _>>()?;
    let list = ListBody { data, meta };
    cached_json(&req, &state.cache, last_modified, &list, link)
}

/// Articles, newest first, with filters and paging.
#[utoipa::path(get, path = "/v1/articles", tag = "articles", params(ArticleListParams, PageParams),
    responses(
        (status = 200, description = "Success", body = ArticleList, headers(("Link" = String, description = "rel=\"next\" when there is a next page"))),
        ArticleListProblems, NotModified,
    ))]
pub async fn list_articles(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: MaybeCaller,
) -> Result<HttpResponse, ApiError> {
    article_list(state, req, caller, Within::All).await
}

/// One article by id or slug. Unpublished articles are 404 to those who may not see them.
#[utoipa::path(get, path = "/v1/articles/{key}", tag = "articles",
    params(
        ResourceKey,
        ("fields" = Option<String>, Query, description = "Comma-separated top-level fields to return; `id` is always included, and so is what `include` adds"),
        ("include" = Option<String>, Query, description = "Comma-separated embeds: `authors.full` (each author's bio, website and social links), `related.suggested` (`suggest` suggestions after the curated links), `related.groups` (`related_groups`: the links by kind, each group with its heading), `more_in_section` (`more_in_section`: the newest other public articles whose primary tag is this one's). Unknown names are 400."),
        ("suggest" = Option<i64>, Query, minimum = 0, maximum = 20, description = "How many suggestions `include=related.suggested` appends (default 3)"),
        ("more" = Option<i64>, Query, minimum = 1, maximum = 20, description = "How many articles `include=more_in_section` embeds (default 4)"),
    ),
    responses((status = 200, description = "The article; only the asked fields when `fields` is given", body = Article,
        headers(("ETag" = String, description = "Strong validator of this representation"),
                ("Last-Modified" = String, description = "When it may last have changed"))),
        (status = 304, description = "Not modified since the validators sent"),
        ReadProblems, NotModified))]
pub async fn find_article(
    state: web::Data<AppState>,
    req: HttpRequest,
    key: web::Path<String>,
    caller: MaybeCaller,
) -> Result<HttpResponse, ApiError> {
    let params = QueryParams::parse(&req, &["fields", "include", "suggest", "more"])?;
    let suggest = params
        .int_in("suggest", 0, MAX_SUGGEST)?
        .unwrap_or(DEFAULT_SUGGEST);
    let more = params.int_in("more", 1, MAX_MORE)?.unwrap_or(DEFAULT_MORE);
    let includes = parse_include(params.single("include")?, ARTICLE_INCLUDES, suggest, more)?;
    let fields = parse_fields(params.single("fields")?, ARTICLE_FIELDS)?;
    let fields = with_included(fields, &includes);
    let key = Key::parse(&key);
    let (article, last_modified) = state
        .read(&req, move |conn| {
            let visibility = visibility_for(conn, caller.0.as_ref())?;
            let row = find_visible(conn, &key, visibility)?;
            Ok(full_article_with(conn, row, visibility, includes)?)
        })
        .await?;
    let body = shape(&article, fields.as_deref())?;
    cached_json(&req, &state.cache, last_modified, &body, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_fields_are_the_last_article_fields() {
        assert_eq!(
            PAGE_FIELDS,
            [
                "meta_title",
                "meta_description",
                "og_title",
                "og_description",
                "og_image",
                "canonical_url",
                "seo"
            ]
        );
    }

    #[test]
    fn sorts_parse_with_direction() {
        assert_eq!(parse_sort(None, false).unwrap(), Sort::default());
        assert_eq!(parse_sort(None, true).unwrap().field, SortField::Relevance);
        let s = parse_sort(Some("title"), false).unwrap();
        assert_eq!((s.field, s.descending), (SortField::Title, false));
        assert!(parse_sort(Some("id"), false).is_err());
        assert!(parse_sort(Some("relevance"), false).is_err());
    }
}
