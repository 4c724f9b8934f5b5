//! Request bodies: content type, size, JSON syntax, unknown and read-only
//! fields and field types are all checked here, once, before a handler runs.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::{Method, header};
use actix_web::{FromRequest, HttpRequest, web};

use crate::domain::{WriteBody, echo};
use crate::error::{ApiError, FieldError};

/// A validated JSON object body.
pub struct JsonBody<T>(pub T);

impl<T: WriteBody + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type_error = check_content_type(req);
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if let Some(err) = content_type_error {
                return Err(err);
            }
            let bytes = bytes.await.map_err(|e| {
                if e.as_response_error().status_code()
                    == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE
                {
                    ApiError::PayloadTooLarge("the request body is over the size limit".into())
                } else {
                    ApiError::BadRequest(format!("the request body could not be read: {e}"))
                }
            })?;
            parse::<T>(&bytes).map(JsonBody)
        })
    }
}

/// The media type of the body, without parameters, in lower case; empty
/// when none (or no readable one) was sent.
pub fn content_type_essence(req: &HttpRequest) -> String {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn check_content_type(req: &HttpRequest) -> Option<ApiError> {
    let essence = content_type_essence(req);
    let accepted = essence == "application/json"
        || (req.method() == Method::PATCH && essence == "application/merge-patch+json");
    if accepted {
        None
    } else if essence.is_empty() {
        Some(ApiError::UnsupportedMediaType(
            "the request body needs Content-Type: application/json".into(),
        ))
    } else {
        Some(ApiError::UnsupportedMediaType(format!(
            "Content-Type '{}' is not accepted; send application/json{}",
            echo(&essence),
            if req.method() == Method::PATCH {
                " or application/merge-patch+json"
            } else {
                ""
            }
        )))
    }
}

pub fn parse<T: WriteBody>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::BadRequest(
            "the request body is empty; send a JSON object".into(),
        ));
    }
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::BadRequest(format!("the request body is not valid JSON: {e}")))?;
    let serde_json::Value::Object(map) = value else {
        return Err(ApiError::invalid("body", "must be a JSON object"));
    };
    for key in map.keys() {
        if T::READ_ONLY.contains(&key.as_str()) {
            return Err(ApiError::BadRequest(format!(
                "field '{}' is read-only and cannot be written",
                echo(key)
            )));
        }
        if !T::FIELDS.contains(&key.as_str()) {
            return Err(ApiError::BadRequest(format!(
                "unknown field '{}'; accepted fields are {}",
                echo(key),
                T::FIELDS.join(", ")
            )));
        }
    }
    serde_path_to_error::deserialize(serde_json::Value::Object(map)).map_err(|e| {
        let field = e.path().to_string();
        let message = e.inner().to_string();
        if let Some(rest) = message.strip_prefix("unknown field ") {
            let name = rest.split(',').next().unwrap_or(rest).trim_matches('`');
            ApiError::BadRequest(format!("unknown field '{field}.{name}'").replace("'..", "'"))
        } else {
            ApiError::Validation(vec![FieldError::new(field, in_our_words(&message))])
        }
    })
}

/// serde's message for a field of the wrong type, in the API's words: an
/// id-or-slug reference is an untagged enum to serde, which says so, and a
/// quoted value is cut short rather than reflected whole.
fn in_our_words(message: &str) -> String {
    if message.contains("untagged enum") {
        return "must be an id (a whole number) or a slug (a string)".into();
    }
    const MAX: usize = 160;
    match message.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &message[..cut]),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Patch;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Sample {
        #[serde(default)]
        name: Patch<String>,
        #[serde(default)]
        count: Patch<i64>,
    }

    impl WriteBody for Sample {
        const FIELDS: &'static [&'static str] = &["name", "count"];
        const READ_ONLY: &'static [&'static str] = &["id"];
    }

    #[test]
    fn absent_null_and_value_are_told_apart() {
        let s: Sample = parse(br#"{"name": null}"#).unwrap();
        assert_eq!(s.name, Patch::Null);
        assert_eq!(s.count, Patch::Absent);
    }

    #[test]
    fn unknown_and_read_only_fields_are_400_naming_them() {
        for (body, name) in [(r#"{"nmae": "x"}"#, "nmae"), (r#"{"id": 3}"#, "id")] {
            match parse::<Sample>(body.as_bytes()) {
                Err(ApiError::BadRequest(detail)) => assert!(detail.contains(name), "{detail}"),
                other => panic!("{body}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_wrong_type_is_422_naming_the_field() {
        match parse::<Sample>(br#"{"count": "many"}"#) {
            Err(ApiError::Validation(errors)) => assert_eq!(errors[0].field, "count"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn malformed_json_is_400_and_a_non_object_is_422() {
        assert!(matches!(
            parse::<Sample>(b"{"),
            Err(ApiError::BadRequest(_))
        ));
        assert!(matches!(
            parse::<Sample>(b"[1]"),
            Err(ApiError::Validation(_))
        ));
    }
}
