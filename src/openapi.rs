//! The OpenAPI document: its root (info, tags, security scheme), every
//! operation, and what the derive macros cannot say.

use serde_json::{Value, json};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::api;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "masthead",
        version = "1.0.0",
        description = "A headless content API: articles, authors, tags and related-article links.\n\n\
            Reads are public; writes need `Authorization: Bearer <JWT>` with a `role` of \
            `contributor`, `editor` or `admin`. Errors are `application/problem+json` (RFC 9457). \
            Path keys are ids when all digits and slugs otherwise.\n\n\
            Public reads send a strong `ETag` and `Last-Modified` and answer `If-None-Match` / \
            `If-Modified-Since` with 304. JSON bodies of 1 KiB or more are compressed when \
            `Accept-Encoding` allows (`br`, else `gzip`); a compressed representation's ETag is \
            the identity one with `-br` or `-gzip` inside the quotes, and every conditional \
            header accepts either form. `Vary: Authorization, Accept-Encoding`. Every GET also \
            answers HEAD, with the same status and headers and no body.",
        license(name = "MIT", identifier = "MIT"),
    ),
    paths(
        api::articles::list_articles,
        api::articles::find_article,
        api::articles::create_article,
        api::articles::replace_article,
        api::articles::update_article,
        api::articles::delete_article,
        api::related::list_related,
        api::related::create_related,
        api::related::update_related,
        api::related::delete_related,
        api::authors::list_authors,
        api::authors::find_author,
        api::authors::list_author_articles,
        api::authors::create_author,
        api::authors::replace_author,
        api::authors::update_author,
        api::authors::delete_author,
        api::tags::list_tags,
        api::tags::find_tag,
        api::tags::list_tag_articles,
        api::tags::create_tag,
        api::tags::replace_tag,
        api::tags::update_tag,
        api::tags::delete_tag,
        api::media::upload::upload_media,
        api::media::list_media,
        api::media::find_media,
        api::media::update_media,
        api::media::delete_media,
        api::media::renditions::serve_rendition,
        api::sections::list_sections,
        api::system::openapi_json,
        api::system::healthz,
        api::system::readyz,
        api::system::docs,
    ),
    components(schemas(crate::http::problem::Problem, crate::error::FieldError)),
    modifiers(&BearerScheme),
    tags(
        (name = "articles", description = "Articles, their credits, tags and curated related links"),
        (name = "related", description = "An article's typed, ordered links to other articles"),
        (name = "authors", description = "The people articles are credited to"),
        (name = "tags", description = "Sections and topics; an article's first tag is its section"),
        (name = "media", description = "Uploaded images, their library, and the renditions made from them for `srcset`"),
        (name = "sections", description = "A homepage in one request: the latest articles and each section's newest"),
        (name = "system", description = "Health, readiness and this document"),
    )
)]
pub struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A JWT with `sub`, `role` (contributor, editor, admin), `exp`, and \
                         `author` (an author slug) for contributors.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The document as served at `/openapi.json`, printed by `masthead openapi`
/// and committed as `openapi/openapi.json`: one serialization for all three.
pub fn document() -> String {
    let mut spec =
        serde_json::to_value(ApiDoc::openapi()).expect("the OpenAPI document serializes");
    refine(&mut spec);
    let mut json = serde_json::to_string_pretty(&spec).expect("the OpenAPI document serializes");
    json.push('\n');
    json
}

/// What the derive macros cannot say, said once here so that generated
/// clients and fuzzers see the API exactly as it behaves:
/// - PATCH bodies have no required fields (`ArticlePatch`, ...), while
///   POST and PUT require `title` or `name`;
/// - `fields` may trim any article down to its `id` (`ArticleFields`);
/// - `fields` is a comma-separated list of known names, the date filters
///   take a timestamp or a date, and conditional headers are plain strings.
fn refine(spec: &mut Value) {
    let schemas = &mut spec["components"]["schemas"];
    describe_texts(schemas);
    for (input, patch) in [
        ("ArticleInput", "ArticlePatch"),
        ("AuthorInput", "AuthorPatch"),
        ("TagInput", "TagPatch"),
    ] {
        let mut partial = schemas[input].clone();
        if let Some(object) = partial.as_object_mut() {
            object.remove("required");
            object.insert(
                "description".into(),
                Value::from(format!(
                    "A merge patch (RFC 7396) of {input}: any subset of its fields; `null` clears."
                )),
            );
        }
        schemas[patch] = partial;
    }
    // Network names and handles, as `check_social` enforces them; in a
    // patch a `null` handle removes the network.
    for (schema, handle_type) in [
        ("AuthorInput", json!("string")),
        ("AuthorPatch", json!(["string", "null"])),
    ] {
        schemas[schema]["properties"]["social"] = json!({
            "type": ["object", "null"],
            "description": "Network name -> a handle (no control characters, no leading space or slash, no URL scheme such as `javascript:` at its start) or an absolute http(s) URL; at most 16.",
            "propertyNames": {"pattern": "^[a-z0-9_]{1,32}$"},
            "maxProperties": 16,
            "additionalProperties": {"type": handle_type, "maxLength": 300, "pattern": social_value()},
        });
    }
    // URLs as `Checks::url` accepts them, so generated ones are real.
    let url = json!({"type": ["string", "null"], "maxLength": 2048, "pattern": HTTP_URL});
    for (schema, field) in [
        ("AuthorInput", "avatar_url"),
        ("AuthorInput", "website"),
        ("AuthorPatch", "avatar_url"),
        ("AuthorPatch", "website"),
        ("FeatureImageInput", "url"),
        ("ArticleInput", "og_image"),
        ("ArticleInput", "canonical_url"),
        ("ArticlePatch", "og_image"),
        ("ArticlePatch", "canonical_url"),
    ] {
        schemas[schema]["properties"][field] = url.clone();
    }
    let mut image_patch = schemas["FeatureImageInput"].clone();
    image_patch["description"] = json!(
        "A merge patch of the lead image; `url` is needed only when the article has no image yet."
    );
    // A new image is a URL or a media item (when both are sent, the item wins).
    schemas["FeatureImageInput"]["anyOf"] = json!([
        {"required": ["url"], "properties": {"url": {"type": "string"}}},
        {"required": ["media"], "properties": {"media": {"type": "integer"}}},
    ]);
    // A form's parts: no unknown ones, and numbers that are numbers.
    schemas["UploadForm"]["additionalProperties"] = json!(false);
    for coordinate in ["focal_x", "focal_y"] {
        let property = &mut schemas["UploadForm"]["properties"][coordinate];
        property["type"] = json!("number");
        if let Some(property) = property.as_object_mut() {
            property.remove("format");
        }
    }
    schemas["FeatureImagePatch"] = image_patch;
    schemas["ArticlePatch"]["properties"]["feature_image"] = json!({"oneOf": [
        {"type": "null"},
        {"$ref": "#/components/schemas/FeatureImagePatch"},
    ]});
    for schema in ["ArticleInput", "ArticlePatch"] {
        schemas[schema]["properties"]["tags"]["items"] =
            required_text(crate::content::tags::MAX_NAME);
        schemas[schema]["properties"]["published_at"]["pattern"] = json!(DATE_TIME);
    }
    // What publishing or scheduling needs, as far as the body alone says
    // it; a PUT may still lean on a stored status, body or author.
    schemas["ArticleInput"]["allOf"] = json!([
        {
            "if": {"properties": {"status": {"enum": ["published", "scheduled"]}}, "required": ["status"]},
            "then": {
                "required": ["body", "authors"],
                "properties": {
                    "body": {"type": "string", "pattern": format!("[^{SPACE}]")},
                    "authors": {"type": "array", "minItems": 1},
                },
            },
        },
        {
            "if": {"properties": {"status": {"const": "scheduled"}}, "required": ["status"]},
            "then": {"required": ["published_at"], "properties": {"published_at": {"type": "string"}}},
        },
    ]);
    let mut fields = schemas["Article"].clone();
    fields["required"] = json!(["id"]);
    fields["description"] = json!("An article trimmed by `fields`: `id` and the fields asked for.");
    schemas["ArticleFields"] = fields;
    schemas["ArticleList"]["properties"]["data"]["items"] = json!({"anyOf": [
        {"$ref": "#/components/schemas/ArticleListItem"},
        {"$ref": "#/components/schemas/ArticleFields"},
    ]});

    // Relative to wherever this document is served, so generators and
    // linters aim at the server that answered.
    spec["servers"] = json!([{"url": "/", "description": "The server that serves this document"}]);

    let Some(paths) = spec["paths"].as_object_mut() else {
        return;
    };
    for (path, operations) in paths.iter_mut() {
        let Some(operations) = operations.as_object_mut() else {
            continue;
        };
        for (method, operation) in operations.iter_mut() {
            // Public reads take an optional token: editors see drafts
            // through the same routes.
            if method == "get" && path.starts_with("/v1/") && operation.get("security").is_none() {
                operation["security"] = json!([{}, {"bearer": []}]);
            }
            if method == "patch" {
                for content in operation["requestBody"]["content"]
                    .as_object_mut()
                    .into_iter()
                    .flatten()
                {
                    if let Some(reference) = content.1["schema"]["$ref"].as_str() {
                        let patched = reference.replace("Input", "Patch");
                        if patched != reference {
                            content.1["schema"]["$ref"] = Value::from(patched);
                        }
                    }
                }
            }
            // The default MEDIA_WIDTHS: what this document can promise.
            if path == "/media/{id}/{file}"
                && let Some(parameters) = operation["parameters"].as_array_mut()
            {
                for parameter in parameters.iter_mut() {
                    if parameter["name"] == "w" {
                        parameter["schema"]["enum"] = json!(crate::config::DEFAULT_MEDIA_WIDTHS);
                    }
                }
            }
            if method == "get"
                && path == "/v1/articles/{key}"
                && let Some(schema) =
                    operation.pointer_mut("/responses/200/content/application~1json/schema")
            {
                *schema = json!({"anyOf": [
                    {"$ref": "#/components/schemas/Article"},
                    {"$ref": "#/components/schemas/ArticleFields"},
                ]});
            }
            if let Some(parameters) = operation
                .get_mut("parameters")
                .and_then(Value::as_array_mut)
            {
                drop_inferred_duplicates(parameters);
                for parameter in parameters.iter_mut() {
                    refine_parameter(parameter, path);
                }
            }
        }
    }
}

/// utoipa infers a bare `{key}` parameter from the handler's `web::Path`
/// and keeps it beside the described one from `ResourceKey`; the described
/// one stays.
fn drop_inferred_duplicates(parameters: &mut Vec<Value>) {
    let described = |p: &Value| p.get("description").is_some();
    let snapshot = parameters.clone();
    parameters.retain(|p| {
        described(p)
            || !snapshot
                .iter()
                .any(|q| described(q) && q["in"] == p["in"] && q["name"] == p["name"])
    });
}

/// The white space `str::trim` removes (Unicode's White_Space), spelled
/// out: `\s` means something else in each regex dialect a client uses.
const SPACE: &str = r"\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";

/// A text `Checks::required_text` accepts: trimmed, 1 to `max` characters,
/// no NUL. Only a pattern can say "trimmed": `maxLength` counts the spaces.
fn required_text(max: usize) -> Value {
    json!({
        "type": "string",
        "pattern": format!(
            "^[{SPACE}]*[^{SPACE}\\u0000]([^\\u0000]{{0,{}}}[^{SPACE}\\u0000])?[{SPACE}]*$",
            max - 2
        ),
    })
}

/// A text `Checks::optional_text` accepts: at most `max` characters, no NUL;
/// blank or null stores nothing.
fn optional_text(max: Option<usize>) -> Value {
    let mut schema = json!({"type": ["string", "null"], "pattern": "^[^\\u0000]*$"});
    if let Some(max) = max {
        schema["maxLength"] = json!(max);
    }
    schema
}

/// A text part of a multipart form: never null (a form has no null), at
/// most `max` characters, no NUL.
fn form_text(max: usize) -> Value {
    json!({"type": "string", "pattern": "^[^\\u0000]*$", "maxLength": max})
}

/// A link label `content::links::label_for` accepts: at most `max`
/// characters once trimmed, no NUL; blank means the kind's default.
fn label_text(max: usize) -> Value {
    json!({
        "type": ["string", "null"],
        "pattern": format!(
            "^[{SPACE}]*([^{SPACE}\\u0000]([^\\u0000]{{0,{}}}[^{SPACE}\\u0000])?)?[{SPACE}]*$",
            max - 2
        ),
    })
}

/// Every text field of every write body, as the write rules check it, so
/// that a schema-valid body is never refused for its text and a
/// schema-violating one never accepted.
fn describe_texts(schemas: &mut Value) {
    use crate::content::{articles, authors, links, media, tags};
    let fields = [
        ("ArticleInput", "title", required_text(articles::MAX_TITLE)),
        (
            "ArticleInput",
            "subtitle",
            optional_text(Some(articles::MAX_SUBTITLE)),
        ),
        (
            "ArticleInput",
            "excerpt",
            optional_text(Some(articles::MAX_EXCERPT)),
        ),
        ("ArticleInput", "body", optional_text(None)),
        (
            "ArticleInput",
            "meta_title",
            optional_text(Some(articles::MAX_META_TITLE)),
        ),
        (
            "ArticleInput",
            "og_title",
            optional_text(Some(articles::MAX_META_TITLE)),
        ),
        (
            "ArticleInput",
            "meta_description",
            optional_text(Some(articles::MAX_META_DESCRIPTION)),
        ),
        (
            "ArticleInput",
            "og_description",
            optional_text(Some(articles::MAX_META_DESCRIPTION)),
        ),
        (
            "FeatureImageInput",
            "alt",
            optional_text(Some(articles::MAX_IMAGE_TEXT)),
        ),
        (
            "FeatureImageInput",
            "caption",
            optional_text(Some(articles::MAX_IMAGE_TEXT)),
        ),
        (
            "FeatureImageInput",
            "credit",
            optional_text(Some(articles::MAX_IMAGE_TEXT)),
        ),
        ("AuthorInput", "name", required_text(authors::MAX_NAME)),
        ("AuthorInput", "bio", optional_text(Some(authors::MAX_BIO))),
        ("TagInput", "name", required_text(tags::MAX_NAME)),
        (
            "TagInput",
            "description",
            optional_text(Some(tags::MAX_DESCRIPTION)),
        ),
        ("RelatedInput", "label", label_text(links::MAX_LABEL)),
        ("NewRelatedLink", "label", label_text(links::MAX_LABEL)),
        ("RelatedLinkChange", "label", label_text(links::MAX_LABEL)),
        ("MediaPatch", "alt", optional_text(Some(media::MAX_TEXT))),
        (
            "MediaPatch",
            "caption",
            optional_text(Some(media::MAX_TEXT)),
        ),
        ("MediaPatch", "credit", optional_text(Some(media::MAX_TEXT))),
        ("UploadForm", "alt", form_text(media::MAX_TEXT)),
        ("UploadForm", "caption", form_text(media::MAX_TEXT)),
        ("UploadForm", "credit", form_text(media::MAX_TEXT)),
    ];
    for (schema, field, rule) in fields {
        let property = &mut schemas[schema]["properties"][field];
        let description = property.get("description").cloned();
        *property = rule;
        if let Some(description) = description {
            property["description"] = description;
        }
    }
}

/// A social value as `content::checks` accepts it: an http(s) URL or a
/// handle, spelled without lookarounds (not every client's regex engine
/// has them). A handle has no control characters and no URL scheme at its
/// start; it starts with something other than a letter, space or slash,
/// or with a letter and scheme characters that end before any `:`.
fn social_value() -> String {
    let url = HTTP_URL.trim_start_matches('^').trim_end_matches('$');
    let ctrl = r"\u0000-\u001F\u007F";
    let scheme = r"A-Za-z0-9+.\-";
    format!(
        "^(?:{url}|[^A-Za-z{SPACE}{ctrl}/\\\\][^{ctrl}]*|[A-Za-z][{scheme}]*[^{scheme}:{ctrl}][^{ctrl}]*|[A-Za-z][{scheme}]*)$"
    )
}

/// What `Checks::url` accepts, as a pattern generators can satisfy.
const HTTP_URL: &str = "^https?://[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,4})?(/[!-~]*)?$";

fn refine_parameter(parameter: &mut Value, path: &str) {
    match (parameter["in"].as_str(), parameter["name"].as_str()) {
        (Some("query"), Some("include")) => {
            let offered = match path {
                "/v1/articles/{key}" => crate::api::articles::ARTICLE_INCLUDES,
                _ => crate::api::articles::LIST_INCLUDES,
            };
            parameter["schema"] = json!({
                "type": "array",
                "items": {"type": "string", "enum": offered},
                "minItems": 1,
            });
            parameter["style"] = json!("form");
            parameter["explode"] = json!(false);
        }
        (Some("query"), Some("fields")) => {
            parameter["schema"] = json!({
                "type": "array",
                "items": {"type": "string", "enum": crate::api::articles::ARTICLE_FIELDS},
                "minItems": 1,
            });
            parameter["example"] = json!(["slug", "title", "excerpt"]);
            parameter["style"] = json!("form");
            parameter["explode"] = json!(false);
        }
        (Some("query"), Some("tag")) => {
            parameter["schema"] = json!({
                "type": "array",
                "items": {"type": "string", "pattern": NO_NUL},
                "maxItems": 10,
            });
        }
        (Some("query"), Some("published_after" | "published_before")) => {
            parameter["schema"] = json!({"anyOf": [
                {"type": "string", "format": "date-time", "pattern": DATE_TIME},
                {"type": "string", "format": "date", "pattern": DATE},
            ]});
        }
        (Some("header"), _) => parameter["schema"] = json!({"type": "string"}),
        (Some("query"), name) => {
            let excluded = name == Some("exclude");
            let schema = &mut parameter["schema"];
            if schema["type"] == "array" {
                if excluded {
                    schema["maxItems"] = json!(20);
                }
                no_nul(&mut schema["items"]);
            } else {
                no_nul(schema);
            }
        }
        _ => {}
    }
}

/// A timestamp the API stores: UTC years 1000 to 9999, no leap second
/// (`domain::parse_timestamp`). Written years 1001 to 9998 are inside that
/// range whatever the offset, so that is what the pattern admits.
const DATE_TIME: &str = "^(100[1-9]|10[1-9][0-9]|1[1-9][0-9]{2}|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-5][0-9]";

/// A date bound: midnight UTC of a day in the years 1000 to 9999.
const DATE: &str = "^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}$";

/// Free text (a string with no pattern or enum of its own) may hold no NUL.
fn no_nul(schema: &mut Value) {
    let free_text = schema["type"] == "string"
        && schema.get("pattern").is_none()
        && schema.get("enum").is_none();
    if free_text {
        schema["pattern"] = json!(NO_NUL);
    }
}

/// No stored text holds U+0000 (PostgreSQL's text cannot), so a query
/// parameter holding one is refused with 400 on both backends.
const NO_NUL: &str = "^[^\\u0000]*$";
