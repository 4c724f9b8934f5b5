//! The response sets every operation's OpenAPI annotation names: the
//! problem responses of each shape of route, and 304. Declared once here so
//! that each resource module says `UpdateProblems` instead of listing
//! status codes.

use std::collections::BTreeMap;

use utoipa::IntoResponses;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{ContentBuilder, RefOr, Response, ResponseBuilder};

use super::problem::PROBLEM_JSON;

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
    /// A read of the media library, which needs a token.
    MediaReadProblems {
        "400" => "An unknown or malformed query parameter",
        "401" => "Missing, invalid or expired token",
        "404" => "No such media item",
        "429" => "Rate limited (when limits are configured); `Retry-After` says when to retry",
    }
);

problem_set!(
    /// An upload.
    UploadProblems {
        "400" => "A malformed multipart body, or an unknown or repeated form part",
        "401" => "Missing, invalid or expired token",
        "413" => "The upload is over `MEDIA_MAX_BYTES` (default 20 MiB)",
        "415" => "Neither multipart/form-data nor image/*, or bytes that are not a JPEG, PNG, WebP or GIF image",
        "422" => "A damaged image, one over `MEDIA_MAX_PIXELS`, or an invalid field; `errors` lists them",
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
