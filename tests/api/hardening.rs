//! Hostile and careless input: every case is a clear 4xx problem and changes
//! nothing. Rate limits and request ids.

use awc::http::Method;
use serde_json::json;

use super::helpers::{TestApp, spawn_app, spawn_app_with};

async fn article_count(app: &TestApp) -> i64 {
    app.get_as("/v1/articles?status=any&per_page=1", &app.editor())
        .await
        .ok(200)["meta"]["total"]
        .as_i64()
        .unwrap()
}

#[actix_web::test]
async fn hostile_bodies_are_refused_and_change_nothing() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.create_article(json!({"title": "Existing", "slug": "taken"}))
        .await;
    let before = article_count(&app).await;
    let deep = format!(
        "{{\"title\": \"x\", \"feature_image\": {}{}}}",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("invalid UTF-8", b"{\"title\": \"\xff\xfe\"}".to_vec(), 400),
        ("deeply nested JSON", deep.into_bytes(), 400),
        (
            "a number too large for JSON",
            br#"{"title": "x", "authors": [1e400]}"#.to_vec(),
            400,
        ),
        (
            "an id too large for 64 bits",
            br#"{"title": "x", "authors": [99999999999999999999]}"#.to_vec(),
            422,
        ),
        (
            "a fractional id",
            br#"{"title": "x", "authors": [1.5]}"#.to_vec(),
            422,
        ),
        (
            "a NUL byte in the title",
            br#"{"title": "a\u0000b"}"#.to_vec(),
            422,
        ),
        (
            "a NUL byte in the body",
            br#"{"title": "t", "body": "a\u0000b"}"#.to_vec(),
            422,
        ),
        (
            "an overlong title",
            format!("{{\"title\": \"{}\"}}", "t".repeat(301)).into_bytes(),
            422,
        ),
        (
            "an overlong slug",
            format!("{{\"title\": \"t\", \"slug\": \"{}\"}}", "s".repeat(121)).into_bytes(),
            422,
        ),
        (
            "a slug with SQL in it",
            br#"{"title": "t", "slug": "x'; DROP TABLE articles; --"}"#.to_vec(),
            422,
        ),
        (
            "a taken slug",
            br#"{"title": "t", "slug": "taken"}"#.to_vec(),
            409,
        ),
        (
            "a title of the wrong type",
            br#"{"title": {"$gt": ""}}"#.to_vec(),
            422,
        ),
        (
            "duplicate keys with a bad last value",
            br#"{"title": "ok", "title": 5}"#.to_vec(),
            422,
        ),
    ];
    for (case, body, status) in cases {
        let reply = app
            .request(
                Method::POST,
                "/v1/articles",
                Some(&app.editor()),
                &[],
                Some(("application/json", body)),
            )
            .await;
        assert_eq!(
            reply.status,
            status,
            "{case}: {}",
            String::from_utf8_lossy(&reply.body)
        );
        reply.problem(status);
    }
    assert_eq!(article_count(&app).await, before, "nothing was written");
}

#[actix_web::test]
async fn markdown_cannot_smuggle_scripts_into_rendered_html() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let attacks = [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "<a href=\"data:text/html;base64,PHNjcmlwdD4=\">x</a>",
        "![x](data:image/svg+xml,<svg onload=alert(1)>)",
        "<svg><script>alert(1)</script></svg>",
        "<iframe src=\"https://evil.example\"></iframe>",
        "<div style=\"background:url(javascript:alert(1))\">x</div>",
        "<p onclick=\"alert(1)\">x</p>",
    ];
    for attack in attacks {
        let article = app
            .create_article(json!({"title": "XSS", "body": attack}))
            .await;
        let html = article["body_html"].as_str().unwrap().to_lowercase();
        // Text may mention anything; what must never survive is markup that runs.
        for bad in [
            "<script",
            "onerror=",
            "onload=",
            "onclick=",
            "=\"javascript:",
            "=\"data:",
            "<iframe",
            "<svg",
            "style=",
        ] {
            assert!(!html.contains(bad), "{attack:?} left {bad:?} in {html:?}");
        }
    }
}

#[actix_web::test]
async fn hostile_query_strings_are_400_or_harmless() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.publish("Safe", "ada", &["News"]).await;
    for (case, query, status) in [
        ("SQL in a tag", "tag=news'%20OR%201=1%20--", 200),
        (
            "SQL in an author",
            "author=%27%3B%20DROP%20TABLE%20articles%3B%20--",
            200,
        ),
        ("SQL in sort", "sort=title;DROP%20TABLE%20articles", 400),
        ("SQL in fields", "fields=title,(SELECT%201)", 400),
        ("FTS syntax in q", "q=%22%20OR%20NEAR(a%20b)%20*", 200),
        ("a huge page number", "page=99999999999999999999999", 400),
        ("a page far past the end", "page=1000000000", 200),
        ("a huge per_page", "per_page=1000000", 400),
        ("a negative per_page", "per_page=-1", 400),
        ("too many tag filters", &"tag=a&".repeat(11), 400),
        ("a percent-encoded NUL", "tag=%00", 400),
        ("a NUL in a search", "q=a%00b", 400),
    ] {
        let reply = app.get(&format!("/v1/articles?{query}")).await;
        assert_eq!(
            reply.status,
            status,
            "{case}: {}",
            String::from_utf8_lossy(&reply.body)
        );
        if status == 400 {
            reply.problem(400);
        }
    }
    for path in [
        "/v1/articles/a%00b",
        "/v1/authors/%00",
        "/v1/tags/x%00/articles",
    ] {
        app.get(path).await.problem(404);
    }
    assert_eq!(app.get("/v1/articles").await.ok(200)["meta"]["total"], 1);
}

#[actix_web::test]
async fn anonymous_reads_are_rate_limited_per_client_with_retry_after() {
    let Some(app) = spawn_app_with(&[("RATE_LIMIT_READS_PER_MINUTE", "3")]).await else {
        return;
    };
    for _ in 0..3 {
        app.get("/v1/tags").await.ok(200);
    }
    let limited = app.get("/v1/tags").await;
    limited.problem(429);
    let retry: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=20).contains(&retry), "{retry}");
    app.get_as("/v1/tags", &app.editor()).await.ok(200);
}

#[actix_web::test]
async fn writes_are_rate_limited_per_client() {
    let Some(app) = spawn_app_with(&[("RATE_LIMIT_WRITES_PER_MINUTE", "2")]).await else {
        return;
    };
    app.create_tag("One").await;
    app.create_tag("Two").await;
    let limited = app
        .post("/v1/tags", &app.editor(), json!({"name": "Three"}))
        .await;
    limited.problem(429);
    assert!(limited.header("retry-after").is_some());
    assert_eq!(
        app.get("/v1/tags").await.ok(200)["meta"]["total"],
        2,
        "the refused write changed nothing"
    );
}

#[actix_web::test]
async fn limits_are_off_by_default() {
    let Some(app) = spawn_app().await else {
        return;
    };
    for _ in 0..50 {
        app.get("/healthz").await.ok(200);
    }
}

#[actix_web::test]
async fn every_response_carries_a_request_id() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let ok = app.get("/v1/articles").await;
    let not_found = app.get("/nowhere").await;
    let wrong_method = app
        .request(Method::PUT, "/v1/articles", None, &[], None)
        .await;
    let mut ids = Vec::new();
    for reply in [&ok, &not_found, &wrong_method] {
        let id = reply.header("x-request-id").expect("an X-Request-Id");
        assert!(!id.is_empty() && id.len() <= 64, "{id}");
        ids.push(id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 3, "ids are unique: {ids:?}");
    let echoed = app
        .request(
            Method::GET,
            "/healthz",
            None,
            &[("X-Request-Id", "trace-abc.123")],
            None,
        )
        .await;
    assert_eq!(
        echoed.header("x-request-id").as_deref(),
        Some("trace-abc.123")
    );
    let unsafe_id = app
        .request(
            Method::GET,
            "/healthz",
            None,
            &[("X-Request-Id", "<script>")],
            None,
        )
        .await;
    assert_ne!(
        unsafe_id.header("x-request-id").as_deref(),
        Some("<script>")
    );
}

#[actix_web::test]
async fn metrics_count_requests_by_route_template_and_articles_by_status() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.publish("Counted", "ada", &[]).await;
    app.create_article(json!({"title": "Still a draft"})).await;
    app.get("/v1/articles/counted").await.ok(200);
    app.get("/v1/articles/counted").await.ok(200);
    app.get("/v1/articles/nothing-here").await.problem(404);
    app.get("/v1/articles/nothing-either").await.problem(404);
    let reply = app.get("/metrics").await;
    assert_eq!(reply.status, 200);
    assert!(
        reply
            .header("content-type")
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = String::from_utf8(reply.body).unwrap();
    for line in [
        "masthead_http_requests_total{method=\"GET\",route=\"/v1/articles/{key}\",status=\"404\"} 2",
        "masthead_http_requests_total{method=\"GET\",route=\"/v1/articles/{key}\",status=\"200\"} 2",
        "masthead_http_request_duration_seconds_count{route=\"/v1/articles/{key}\"} 4",
        "masthead_articles{status=\"published\"} 1",
        "masthead_articles{status=\"draft\"} 1",
        "masthead_articles{status=\"scheduled\"} 0",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in:\n{text}"
        );
    }
    assert!(text.contains(
        "masthead_http_request_duration_seconds_bucket{route=\"/v1/articles/{key}\",le=\"+Inf\"} 4"
    ));
    assert!(text.contains("masthead_db_pool_connections{state=\"idle\"}"));
    assert!(
        !text.contains("nothing-here"),
        "raw paths never become labels"
    );
}

// Regressions from the Schemathesis run: each was a place where the spec
// and the server disagreed.

#[actix_web::test]
async fn a_blank_email_or_a_null_slug_is_422_not_silently_dropped() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let blank = app
        .post(
            "/v1/authors",
            &app.editor(),
            json!({"name": "Bo", "email": ""}),
        )
        .await
        .problem(422);
    assert_eq!(blank["errors"][0]["field"], "email");
    for (path, body) in [
        ("/v1/authors", json!({"name": "Bo", "slug": null})),
        ("/v1/tags", json!({"name": "Bo", "slug": null})),
        ("/v1/articles", json!({"title": "Bo", "slug": null})),
    ] {
        let problem = app.post(path, &app.editor(), body).await.problem(422);
        assert_eq!(problem["errors"][0]["field"], "slug", "{path}");
    }
}

#[actix_web::test]
async fn a_method_no_route_has_is_405_even_with_a_query_string() {
    let Some(app) = spawn_app().await else {
        return;
    };
    for (method, path) in [
        (Method::PUT, "/v1/tags/x/articles?fields=slug"),
        (Method::TRACE, "/v1/articles?page=1"),
        (Method::DELETE, "/v1/authors?q=x"),
    ] {
        let reply = app
            .request(method.clone(), path, Some(&app.admin()), &[], None)
            .await;
        assert_eq!(reply.status, 405, "{method} {path}");
    }
    let write = app
        .request(
            Method::DELETE,
            "/v1/tags/x?force=1",
            Some(&app.admin()),
            &[],
            None,
        )
        .await;
    let problem = write.problem(400);
    assert!(problem["detail"].as_str().unwrap().contains("force"));
}

#[actix_web::test]
async fn whole_numbers_may_be_written_as_3_point_0() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let one = app.publish("One", "ada", &[]).await;
    let two = app.publish("Two", "ada", &[]).await;
    let id = two["id"].as_f64().unwrap();
    let link = app
        .post(
            &format!("/v1/articles/{}/related", one["id"]),
            &app.editor(),
            json!({"article": id, "kind": "also_read", "position": 1.0}),
        )
        .await
        .ok(201);
    assert_eq!(link["article"]["id"], two["id"]);
    let fractional = app
        .post(
            &format!("/v1/articles/{}/related", two["id"]),
            &app.editor(),
            json!({"article": 1.5, "kind": "also_read"}),
        )
        .await;
    fractional.problem(422);
}

#[actix_web::test]
async fn browsers_on_other_origins_may_call_the_api() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let preflight = app
        .request(
            Method::OPTIONS,
            "/v1/articles",
            None,
            &[
                ("Origin", "https://frontend.example"),
                ("Access-Control-Request-Method", "POST"),
                (
                    "Access-Control-Request-Headers",
                    "authorization, content-type",
                ),
            ],
            None,
        )
        .await;
    assert_eq!(preflight.status, 204);
    assert_eq!(
        preflight.header("access-control-allow-origin").as_deref(),
        Some("*")
    );
    let allowed = preflight.header("access-control-allow-headers").unwrap();
    assert!(
        allowed.contains("Authorization") && allowed.contains("If-Match"),
        "{allowed}"
    );
    let read = app
        .request(
            Method::GET,
            "/v1/articles",
            None,
            &[("Origin", "https://frontend.example")],
            None,
        )
        .await;
    assert_eq!(read.status, 200);
    assert_eq!(
        read.header("access-control-allow-origin").as_deref(),
        Some("*")
    );
    assert!(
        read.header("access-control-expose-headers")
            .unwrap()
            .contains("ETag")
    );
    let plain_options = app
        .request(Method::OPTIONS, "/v1/articles", None, &[], None)
        .await;
    assert_eq!(
        plain_options.status, 405,
        "not a preflight: an undeclared method"
    );
}
