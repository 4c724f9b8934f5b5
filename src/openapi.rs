//! The OpenAPI document: its root (info, tags, security scheme), every
//! operation, and the reusable sets of problem responses.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, RefOr, Response, ResponseBuilder};
use utoipa::{IntoResponses, Modify, OpenApi};

use crate::api;
use crate::error::PROBLEM_JSON;

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
            header accepts either form. `Vary: Authorization, Accept-Encoding`.",
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
        api::system::openapi_json,
        api::system::healthz,
        api::system::readyz,
    ),
    components(schemas(crate::error::Problem, crate::error::FieldError)),
    modifiers(&BearerScheme),
    tags(
        (name = "articles", description = "Articles, their credits, tags and curated related links"),
        (name = "related", description = "An article's typed, ordered links to other articles"),
        (name = "authors", description = "The people articles are credited to"),
        (name = "tags", description = "Sections and topics; an article's first tag is its section"),
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
            "description": "Network name -> handle or URL; at most 16.",
            "propertyNames": {"pattern": "^[a-z0-9_]{1,32}$"},
            "maxProperties": 16,
            "additionalProperties": {"type": handle_type, "minLength": 1, "maxLength": 300, "pattern": "\\S"},
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
    ] {
        schemas[schema]["properties"][field] = url.clone();
    }
    let mut image_patch = schemas["FeatureImageInput"].clone();
    image_patch["description"] = json!(
        "A merge patch of the lead image; `url` is needed only when the article has no image yet."
    );
    schemas["FeatureImageInput"]["required"] = json!(["url"]);
    schemas["FeatureImageInput"]["properties"]["url"]["type"] = json!("string");
    schemas["FeatureImagePatch"] = image_patch;
    schemas["ArticlePatch"]["properties"]["feature_image"] = json!({"oneOf": [
        {"type": "null"},
        {"$ref": "#/components/schemas/FeatureImagePatch"},
    ]});
    for schema in ["ArticleInput", "ArticlePatch"] {
        schemas[schema]["properties"]["tags"]["items"] =
            json!({"type": "string", "minLength": 1, "maxLength": 100, "pattern": "\\S"});
    }
    let mut fields = schemas["Article"].clone();
    fields["required"] = json!(["id"]);
    fields["description"] = json!("An article trimmed by `fields`: `id` and the fields asked for.");
    schemas["ArticleFields"] = fields;
    schemas["ArticleList"]["properties"]["data"]["items"] = json!({"anyOf": [
        {"$ref": "#/components/schemas/ArticleListItem"},
        {"$ref": "#/components/schemas/ArticleFields"},
    ]});

    let Some(paths) = spec["paths"].as_object_mut() else {
        return;
    };
    for (path, operations) in paths.iter_mut() {
        let Some(operations) = operations.as_object_mut() else {
            continue;
        };
        for (method, operation) in operations.iter_mut() {
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
            let parameters = operation
                .get_mut("parameters")
                .and_then(Value::as_array_mut);
            for parameter in parameters.into_iter().flatten() {
                refine_parameter(parameter);
            }
        }
    }
}

/// What `Checks::url` accepts, as a pattern generators can satisfy.
const HTTP_URL: &str = "^https?://[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,4})?(/[!-~]*)?$";

fn refine_parameter(parameter: &mut Value) {
    match (parameter["in"].as_str(), parameter["name"].as_str()) {
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
            parameter["schema"] =
                json!({"type": "array", "items": {"type": "string"}, "maxItems": 10});
        }
        (Some("query"), Some("published_after" | "published_before")) => {
            parameter["schema"] = json!({"anyOf": [
                {"type": "string", "format": "date-time"},
                {"type": "string", "format": "date"},
            ]});
        }
        (Some("header"), _) => parameter["schema"] = json!({"type": "string"}),
        _ => {}
    }
}

fn problem(status: &str, description: &str) -> RefOr<Response> {
    let mut response = ResponseBuilder::new().description(description);
    if status == "429" {
        response = response.header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(Some(ObjectBuilder::new().schema_type(Type::Integer)))
                .description(Some("Seconds to wait before retrying"))
                .build(),
        );
    }
    response
        .content(
            PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                    "Problem",
                ))))
                .build(),
        )
        .build()
        .into()
}

macro_rules! problem_set {
    ($(#[$meta:meta])* $name:ident { $($code:literal => $description:literal),+ $(,)? }) => {
        $(#[$meta])*
        pub struct $name;

        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                BTreeMap::from([$(($code.to_string(), problem($code, $description))),+])
            }
        }
    };
}

problem_set!(
    /// A public read of one resource.
    ReadProblems {
        "400" => "An unknown or malformed query parameter",
        "401" => "A token was sent and is not valid",
        "404" => "No such resource, or one the caller may not see",
        "429" => "Rate limited (when limits are configured); `Retry-After` says when to retry",
    }
);

problem_set!(
    /// A public list.
    ListProblems {
        "400" => "An unknown or malformed query parameter",
        "401" => "A token was sent and is not valid",
        "429" => "Rate limited (when limits are configured); `Retry-After` says when to retry",
    }
);

problem_set!(
    /// The article list, whose `status` filter depends on the role.
    ArticleListProblems {
        "400" => "An unknown or malformed query parameter",
        "401" => "A token was sent and is not valid, or `status` was asked without one",
        "403" => "A `status` the caller's role may not list",
        "429" => "Rate limited (when limits are configured); `Retry-After` says when to retry",
    }
);

problem_set!(
    /// The articles of one author or tag.
    NestedArticleListProblems {
        "400" => "An unknown or malformed query parameter",
        "401" => "A token was sent and is not valid, or `status` was asked without one",
        "403" => "A `status` the caller's role may not list",
        "404" => "No such author or tag",
        "429" => "Rate limited (when limits are configured); `Retry-After` says when to retry",
    }
);

problem_set!(
    /// A write that creates.
    CreateProblems {
        "400" => "Malformed JSON, or an unknown or read-only field",
        "401" => "Missing, invalid or expired token",
        "403" => "The caller's role may not do this",
        "409" => "A conflict: slug or name taken, link exists",
        "413" => "The body is over the size limit",
        "415" => "The body is not application/json",
        "422" => "Well-formed but invalid; `errors` lists the fields",
        "429" => "Rate limited (when limits are configured); `Retry-After` says when to retry",
    }
);

problem_set!(
    /// A write that changes an existing resource.
    UpdateProblems {
        "400" => "Malformed JSON, or an unknown or read-only field",
        "401" => "Missing, invalid or expired token",
        "403" => "The caller's role may not do this",
        "404" => "No such resource, or one the caller may not see",
        "409" => "A conflict: slug or name taken, link exists",
        "412" => "`If-Match` does not match the current ETag; nothing was changed",
        "413" => "The body is over the size limit",
        "415" => "The body is not application/json",
        "422" => "Well-formed but invalid; `errors` lists the fields",
        "429" => "Rate limited (when limits are configured); `Retry-After` says when to retry",
    }
);

problem_set!(
    /// A delete.
    DeleteProblems {
        "401" => "Missing, invalid or expired token",
        "403" => "The caller's role may not do this",
        "404" => "No such resource, or one the caller may not see",
        "409" => "The resource is still in use",
        "412" => "`If-Match` does not match the current ETag; nothing was changed",
        "429" => "Rate limited (when limits are configured); `Retry-After` says when to retry",
    }
);

/// The answer to a conditional read whose validators still match.
pub struct NotModified;

impl IntoResponses for NotModified {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        BTreeMap::from([(
            "304".to_owned(),
            ResponseBuilder::new()
                .description("Not modified: the `If-None-Match` or `If-Modified-Since` sent still holds; no body")
                .build()
                .into(),
        )])
    }
}
