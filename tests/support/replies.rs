//! A response read whole, and what tests read out of one: the slugs or
//! names of a list, the fields a 422 names, the next page's link.

use serde_json::Value;

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: awc::http::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }

    /// The body as text, for messages.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON, or `null` when it is not: for tests that report a
    /// bad reply among others instead of stopping at the first.
    pub fn json_or_null(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// Asserts a problem+json error with this status and returns its body.
    #[track_caller]
    pub fn problem(&self, status: u16) -> Value {
        assert_eq!(
            self.status,
            status,
            "body: {}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("application/problem+json"),
            "status {status}"
        );
        let body = self.json();
        assert_eq!(body["status"], status);
        assert!(
            body["title"].is_string() && body["detail"].is_string() && body["type"].is_string()
        );
        body
    }

    /// Asserts a success status and returns the JSON body.
    #[track_caller]
    pub fn ok(&self, status: u16) -> Value {
        assert_eq!(
            self.status,
            status,
            "body: {}",
            String::from_utf8_lossy(&self.body)
        );
        if self.body.is_empty() {
            Value::Null
        } else {
            self.json()
        }
    }
}

/// The target of a `Link: <...>; rel="next"` header.
pub fn next_link(reply: &Reply) -> Option<String> {
    let link = reply.header("link")?;
    assert!(link.ends_with("; rel=\"next\""), "{link}");
    let start = link.find('<')? + 1;
    let end = link.find('>')?;
    Some(link[start..end].to_owned())
}

/// The `slug` of every item of a list page, in order.
pub fn slugs(list: &Value) -> Vec<String> {
    strings(list, "slug")
}

/// The `name` of every item of a list page, in order.
pub fn names(list: &Value) -> Vec<String> {
    strings(list, "name")
}

fn strings(list: &Value, field: &str) -> Vec<String> {
    list["data"]
        .as_array()
        .expect("a data array")
        .iter()
        .map(|item| item[field].as_str().unwrap().to_owned())
        .collect()
}

/// The `field` of every entry of a 422's `errors`; a problem without
/// `errors`, or an entry without a `field`, fails the test.
#[track_caller]
pub fn error_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {problem}"))
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

/// RFC 3339, UTC, whole seconds, `Z` suffix.
#[track_caller]
pub fn assert_timestamp(value: &Value) {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {value}"));
    assert!(
        text.len() == 20
            && text.ends_with('Z')
            && chrono::DateTime::parse_from_rfc3339(text).is_ok(),
        "not a whole-second UTC timestamp: {text}"
    );
}
