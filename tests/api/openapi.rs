use awc::http::Method;
use serde_json::Value;

use super::helpers::spawn_app;

const COMMITTED: &str = include_str!("../../openapi/openapi.json");

#[test]
fn the_committed_spec_is_what_the_code_generates() {
    assert!(
        COMMITTED == masthead::openapi::document(),
        "openapi/openapi.json is stale; regenerate it with: cargo run -- openapi > openapi/openapi.json"
    );
}

#[actix_web::test]
async fn the_served_spec_is_byte_for_byte_the_committed_one() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let reply = app.get("/openapi.json").await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type").as_deref(),
        Some("application/json")
    );
    assert_eq!(String::from_utf8(reply.body).unwrap(), COMMITTED);
}

#[actix_web::test]
async fn every_operation_in_the_spec_is_routed() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let spec: Value = serde_json::from_str(COMMITTED).unwrap();
    let paths = spec["paths"].as_object().unwrap();
    assert!(paths.len() >= 13, "only {} paths", paths.len());
    for (path, operations) in paths {
        assert!(
            path.starts_with("/v1/")
                || path == "/media/{id}/{file}"
                || ["/openapi.json", "/healthz", "/readyz", "/docs"].contains(&path.as_str()),
            "{path} is outside /v1"
        );
        let concrete = path
            .replace("{key}", "nothing-here")
            .replace("{target}", "nothing-either")
            .replace("{id}", "999999")
            .replace("{file}", "0000000000000000.jpg");
        for method in operations.as_object().unwrap().keys() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let reply = app
                .request(method.clone(), &concrete, Some(&app.admin()), &[], None)
                .await;
            assert_ne!(reply.status, 405, "{method} {path} is not routed");
            let detail = if reply.body.is_empty() {
                String::new()
            } else {
                reply.json()["detail"].to_string()
            };
            assert!(
                !detail.contains("no resource at"),
                "{method} {path} is not routed"
            );
        }
    }
}

#[test]
fn every_write_operation_needs_the_bearer_scheme_and_documents_its_errors() {
    let spec: Value = serde_json::from_str(COMMITTED).unwrap();
    assert_eq!(
        spec["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    for (path, operations) in spec["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            if method != "get" {
                assert!(
                    operation["security"].is_array(),
                    "{method} {path} has no security"
                );
                assert!(responses.contains_key("401"), "{method} {path} lacks 401");
                // Every role may upload; every other write has a role it refuses.
                if !(method == "post" && path == "/v1/media") {
                    assert!(responses.contains_key("403"), "{method} {path} lacks 403");
                }
            }
            for (status, response) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    assert!(
                        response["content"]["application/problem+json"].is_object(),
                        "{method} {path} {status} is not problem+json"
                    );
                }
            }
        }
    }
}

#[actix_web::test]
async fn the_docs_page_loads_nothing_from_the_network() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let redirect = app.get("/docs").await;
    assert_eq!(redirect.status, 308);
    assert_eq!(redirect.header("location").as_deref(), Some("/docs/"));
    let page = app.get("/docs/").await;
    assert_eq!(page.status, 200);
    let html = String::from_utf8(page.body).unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    for line in html
        .lines()
        .filter(|l| l.contains("src=") || l.contains("href="))
    {
        assert!(
            !line.contains("http://") && !line.contains("https://"),
            "external asset: {line}"
        );
    }
    let init = app.get("/docs/swagger-initializer.js").await;
    assert_eq!(init.status, 200);
    assert!(
        String::from_utf8(init.body)
            .unwrap()
            .contains("\"/openapi.json\"")
    );
    assert_eq!(app.get("/docs/swagger-ui-bundle.js").await.status, 200);
}

#[test]
fn public_reads_take_an_optional_token_and_the_document_names_its_server() {
    let spec: Value = serde_json::from_str(COMMITTED).unwrap();
    assert_eq!(spec["servers"][0]["url"], "/");
    for (path, operations) in spec["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let security = &operation["security"];
            // The media library is for newsroom staff; its pictures are public.
            if method == "get" && path.starts_with("/v1/media") {
                assert_eq!(security, &serde_json::json!([{"bearer": []}]), "GET {path}");
            } else if method == "get" && path.starts_with("/v1/") {
                assert_eq!(
                    security,
                    &serde_json::json!([{}, {"bearer": []}]),
                    "GET {path}"
                );
            } else if method != "get" {
                assert_eq!(security, &serde_json::json!([{"bearer": []}]), "{method} {path}");
            }
        }
    }
    assert!(spec["paths"]["/docs"]["get"].is_object(), "GET /docs");
}

/// The text rules, as patterns a client can check before it sends: what
/// the pattern accepts the server accepts, and what it refuses is refused.
#[actix_web::test]
async fn text_patterns_in_the_document_match_what_the_server_accepts() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let spec: Value = serde_json::from_str(COMMITTED).unwrap();
    let title = &spec["components"]["schemas"]["ArticleInput"]["properties"]["title"];
    let pattern = title["pattern"].as_str().unwrap();
    assert!(pattern.contains("{0,298}"), "{pattern}");
    assert!(title.get("maxLength").is_none(), "a trimmed length is not maxLength");
    let padded = format!("  {}  ", "t".repeat(300));
    let reply = app
        .post("/v1/articles", &app.editor(), serde_json::json!({"title": padded}))
        .await;
    assert_eq!(reply.ok(201)["title"].as_str().unwrap().len(), 300);
    for bad in ["   ", r"a\u0000b"] {
        let body: Value = serde_json::from_str(&format!(r#"{{"title": "{bad}"}}"#)).unwrap();
        app.post("/v1/articles", &app.editor(), body).await.problem(422);
    }
    let query = &spec["paths"]["/v1/articles"]["get"]["parameters"];
    let q = query
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "q")
        .unwrap();
    assert!(q["schema"]["pattern"].as_str().unwrap().contains("u0000"));
    app.get("/v1/articles?q=a%00b").await.problem(400);
}
