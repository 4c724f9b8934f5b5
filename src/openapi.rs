//! The OpenAPI document: its root (info, tags, security scheme), every
//! operation, and the reusable sets of problem responses.

use std::collections::BTreeMap;

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
            Path keys are ids when all digits and slugs otherwise.",
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
    let mut json = ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serializes");
    json.push('\n');
    json
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
