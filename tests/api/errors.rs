//! The error contract: every failure is an `application/problem+json`
//! document with `type`, `title`, `status` and `detail`, and the status the
//! contract names for it.


use awc::http::Method;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use masthead::auth;
use masthead::domain::Role;
use serde_json::{Value, json};

use super::helpers::{Reply, SECRET, TestApp, error_fields, now, spawn_app};

/// Sends `body` with exactly the given headers: no Content-Type unless listed.
async fn send_raw(
    app: &TestApp,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Reply {
    let client = awc::Client::default();
    let mut req = client.request(method, format!("{}{}", app.address, path));
    for (name, value) in headers {
        req = req.insert_header((*name, *value));
    }
    let mut response = req.send_body(body).await.unwrap();
    let body = response.body().await.unwrap().to_vec();
    Reply {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body,
    }
}

fn detail(problem: &Value) -> &str {
    problem["detail"].as_str().unwrap()
}

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// A JWT signed with the test secret under `algorithm`, with any claims.
fn signed(algorithm: Algorithm, claims: Value) -> String {
    let key = EncodingKey::from_secret(SECRET.as_bytes()).unwrap();
    jsonwebtoken::encode(&Header::new(algorithm), &claims, &key).unwrap()
}

/// A valid editor token with one character of its payload changed.
fn tampered(token: &str) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let payload = &mut parts[1];
    let middle = payload.len() / 2;
    let replacement = if &payload[middle..=middle] == "A" {
        "B"
    } else {
        "A"
    };
    payload.replace_range(middle..=middle, replacement);
    parts.join(".")
}

#[actix_web::test]
async fn an_unknown_route_is_a_404_problem() {
    let Some(app) = spawn_app().await else {
        return;
    };
    for path in [
        "/nothing-here",
        "/v1",
        "/v1/posts",
        "/v2/articles",
        "/v1/articles/a/b/c/d",
        "/v1/tags/x/authors",
    ] {
        let reply = app.get(path).await;
        assert_eq!(reply.status, 404, "GET {path}");
        reply.problem(404);
    }
}

#[actix_web::test]
async fn a_wrong_method_on_a_known_route_is_a_405_problem() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.publish("Home", "ada", &[]).await;
    let cases = [
        (Method::PUT, "/v1/articles"),
        (Method::DELETE, "/v1/articles"),
        (Method::PATCH, "/v1/authors"),
        (Method::DELETE, "/v1/tags"),
        (Method::POST, "/v1/articles/home"),
        (Method::PUT, "/v1/articles/home/related"),
        (Method::GET, "/v1/articles/home/related/home"),
        (Method::POST, "/v1/tags/x/articles"),
        (Method::POST, "/healthz"),
    ];
    for (method, path) in cases {
        let reply = app
            .request(method.clone(), path, Some(&app.editor()), &[], None)
            .await;
        assert_eq!(
            reply.status,
            405,
            "{method} {path}: {}",
            String::from_utf8_lossy(&reply.body)
        );
        reply.problem(405);
    }
}

#[actix_web::test]
async fn malformed_json_is_400() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let bodies: [&[u8]; 6] = [
        b"{",
        b"{\"title\": }",
        b"not json",
        b"{\"title\": \"x\",}",
        b"",
        b"\xff\xfe",
    ];
    for body in bodies {
        let reply = app
            .request(
                Method::POST,
                "/v1/articles",
                Some(&app.editor()),
                &[],
                Some(("application/json", body.to_vec())),
            )
            .await;
        assert_eq!(
            reply.status,
            400,
            "body {:?}",
            String::from_utf8_lossy(body)
        );
        reply.problem(400);
    }
    assert_eq!(
        app.get_as("/v1/articles?status=any", &app.editor())
            .await
            .ok(200)["meta"]["total"],
        0
    );
}

#[actix_web::test]
async fn a_json_body_that_is_not_an_object_is_422() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.create_tag("Rivers").await;
    let bodies = [
        json!([{"title": "x"}]),
        json!("a string"),
        json!(5),
        json!(true),
        json!(null),
    ];
    for body in bodies {
        for (method, path) in [
            (Method::POST, "/v1/articles"),
            (Method::PATCH, "/v1/tags/rivers"),
        ] {
            let reply = app
                .send_json(method.clone(), path, Some(&app.editor()), &body)
                .await;
            assert_eq!(reply.status, 422, "{method} {path} with {body}");
            reply.problem(422);
        }
    }
}

#[actix_web::test]
async fn an_unknown_field_is_400_naming_it() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.publish("Home", "ada", &[]).await;
    app.publish("Target", "ada", &[]).await;
    let cases = [
        ("/v1/articles", json!({"title": "A", "titel": "B"}), "titel"),
        (
            "/v1/articles",
            json!({"title": "A", "author": ["ada"]}),
            "author",
        ),
        (
            "/v1/articles",
            json!({"title": "A", "feature_image": {"url": "https://example.com/a.jpg", "width": 3}}),
            "width",
        ),
        (
            "/v1/articles",
            json!({"title": "A", "related": [{"article": "target", "kind": "also_read", "weight": 2}]}),
            "weight",
        ),
        ("/v1/tags", json!({"name": "A", "colour": "red"}), "colour"),
        (
            "/v1/authors",
            json!({"name": "A", "twitter": "@a"}),
            "twitter",
        ),
        (
            "/v1/articles/home/related",
            json!({"article": "target", "kind": "also_read", "rank": 1}),
            "rank",
        ),
    ];
    for (path, body, field) in cases {
        let reply = app.post(path, &app.editor(), body.clone()).await;
        assert_eq!(reply.status, 400, "{path} {body}");
        let problem = reply.problem(400);
        assert!(detail(&problem).contains(field), "{path} {body}: {problem}");
    }
    assert_eq!(
        app.get_as("/v1/articles?status=any", &app.editor())
            .await
            .ok(200)["meta"]["total"],
        2
    );
    assert_eq!(
        app.get("/v1/articles/home/related").await.ok(200)["data"],
        json!([])
    );
}

#[actix_web::test]
async fn a_read_only_field_is_400_naming_it() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.publish("Home", "ada", &[]).await;
    app.create_tag("Rivers").await;
    let cases = [
        (
            Method::POST,
            "/v1/articles",
            json!({"title": "A", "id": 7}),
            "id",
        ),
        (
            Method::POST,
            "/v1/articles",
            json!({"title": "A", "created_at": "2024-01-01T00:00:00Z"}),
            "created_at",
        ),
        (
            Method::POST,
            "/v1/articles",
            json!({"title": "A", "body_html": "<p>x</p>"}),
            "body_html",
        ),
        (
            Method::PATCH,
            "/v1/articles/home",
            json!({"updated_at": "2024-01-01T00:00:00Z"}),
            "updated_at",
        ),
        (
            Method::PATCH,
            "/v1/articles/home",
            json!({"reading_time_minutes": 3}),
            "reading_time_minutes",
        ),
        (
            Method::PUT,
            "/v1/articles/home",
            json!({"title": "A", "id": 1}),
            "id",
        ),
        (
            Method::PATCH,
            "/v1/tags/rivers",
            json!({"article_count": 9}),
            "article_count",
        ),
        (
            Method::PATCH,
            "/v1/authors/ada",
            json!({"created_at": "2024-01-01T00:00:00Z"}),
            "created_at",
        ),
        (
            Method::PATCH,
            "/v1/articles/home/related/home",
            json!({"article": "x"}),
            "article",
        ),
    ];
    for (method, path, body, field) in cases {
        let reply = app
            .send_json(method.clone(), path, Some(&app.editor()), &body)
            .await;
        assert_eq!(reply.status, 400, "{method} {path} {body}");
        let problem = reply.problem(400);
        assert!(
            detail(&problem).contains(field),
            "{method} {path} {body}: {problem}"
        );
    }
    let home = app.get("/v1/articles/home").await.ok(200);
    assert_eq!(home["title"], "Home", "nothing was written");
}

#[actix_web::test]
async fn a_field_of_the_wrong_type_is_422_naming_it() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.publish("Home", "ada", &[]).await;
    let cases = [
        (Method::POST, "/v1/articles", json!({"title": 5}), "title"),
        (
            Method::POST,
            "/v1/articles",
            json!({"title": "A", "tags": "rivers"}),
            "tags",
        ),
        (
            Method::POST,
            "/v1/articles",
            json!({"title": "A", "status": "live"}),
            "status",
        ),
        (
            Method::POST,
            "/v1/articles",
            json!({"title": "A", "body": ["x"]}),
            "body",
        ),
        (
            Method::PATCH,
            "/v1/articles/home",
            json!({"subtitle": {"text": "x"}}),
            "subtitle",
        ),
        (Method::POST, "/v1/tags", json!({"name": 12}), "name"),
        (
            Method::POST,
            "/v1/articles/home/related",
            json!({"article": true, "kind": "also_read"}),
            "article",
        ),
        (
            Method::POST,
            "/v1/articles/home/related",
            json!({"article": "home", "kind": "also_read", "position": "first"}),
            "position",
        ),
    ];
    for (method, path, body, field) in cases {
        let reply = app
            .send_json(method.clone(), path, Some(&app.editor()), &body)
            .await;
        assert_eq!(
            reply.status,
            422,
            "{method} {path} {body}: {}",
            String::from_utf8_lossy(&reply.body)
        );
        let problem = reply.problem(422);
        assert_eq!(error_fields(&problem)[0], field, "{method} {path} {body}");
    }
}

#[actix_web::test]
async fn a_body_without_json_content_type_is_415() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.publish("Home", "ada", &[]).await;
    let auth = format!("Bearer {}", app.editor());
    let body = serde_json::to_vec(&json!({"title": "Typed"})).unwrap();
    let cases: [(Method, &str, Option<&str>); 6] = [
        (Method::POST, "/v1/articles", None),
        (Method::POST, "/v1/articles", Some("text/plain")),
        (
            Method::POST,
            "/v1/articles",
            Some("application/x-www-form-urlencoded"),
        ),
        (
            Method::POST,
            "/v1/articles",
            Some("application/merge-patch+json"),
        ),
        (Method::PUT, "/v1/articles/home", Some("text/json-ish")),
        (Method::PATCH, "/v1/articles/home", None),
    ];
    for (method, path, content_type) in cases {
        let mut headers = vec![("Authorization", auth.as_str())];
        if let Some(content_type) = content_type {
            headers.push(("Content-Type", content_type));
        }
        let reply = send_raw(&app, method.clone(), path, &headers, body.clone()).await;
        assert_eq!(reply.status, 415, "{method} {path} with {content_type:?}");
        reply.problem(415);
    }
    assert_eq!(app.get("/v1/articles/home").await.ok(200)["title"], "Home");

    let merge = send_raw(
        &app,
        Method::PATCH,
        "/v1/articles/home",
        &[
            ("Authorization", auth.as_str()),
            ("Content-Type", "application/merge-patch+json"),
        ],
        body.clone(),
    )
    .await;
    assert_eq!(
        merge.ok(200)["title"],
        "Typed",
        "PATCH takes merge-patch+json"
    );
    let charset = send_raw(
        &app,
        Method::POST,
        "/v1/articles",
        &[
            ("Authorization", auth.as_str()),
            ("Content-Type", "application/json; charset=utf-8"),
        ],
        body,
    )
    .await;
    charset.ok(201);
}

#[actix_web::test]
async fn a_body_over_one_mebibyte_is_413() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let filler = "a".repeat(1024 * 1024);
    let body = serde_json::to_vec(&json!({"title": "Too big", "body": filler})).unwrap();
    assert!(body.len() > 1024 * 1024);

    let reply = app
        .request(
            Method::POST,
            "/v1/articles",
            Some(&app.editor()),
            &[],
            Some(("application/json", body)),
        )
        .await;

    reply.problem(413);
    assert_eq!(
        app.get_as("/v1/articles?status=any", &app.editor())
            .await
            .ok(200)["meta"]["total"],
        0
    );
}

#[actix_web::test]
async fn an_unknown_query_parameter_is_400_naming_it() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.publish("Home", "ada", &["Rivers"]).await;
    let cases = [
        ("/v1/articles?tga=rivers", "tga"),
        ("/v1/articles?per-page=5", "per-page"),
        ("/v1/articles?page=1&limit=5", "limit"),
        ("/v1/tags?sort_by=name", "sort_by"),
        ("/v1/authors?name=ada", "name"),
        ("/v1/tags/rivers/articles?tag=x&offset=3", "offset"),
        ("/v1/articles/home?expand=authors", "expand"),
    ];
    for (path, name) in cases {
        let reply = app.get(path).await;
        assert_eq!(reply.status, 400, "GET {path}");
        let problem = reply.problem(400);
        assert!(detail(&problem).contains(name), "GET {path}: {problem}");
    }
}

#[actix_web::test]
async fn out_of_range_or_non_numeric_paging_is_400() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.publish("Home", "ada", &["Rivers"]).await;
    for list in [
        "/v1/articles",
        "/v1/tags",
        "/v1/authors",
        "/v1/authors/ada/articles",
    ] {
        for query in [
            "page=0",
            "page=-1",
            "page=abc",
            "page=1.5",
            "per_page=0",
            "per_page=101",
            "per_page=ten",
            "page=1&page=2",
        ] {
            let reply = app.get(&format!("{list}?{query}")).await;
            assert_eq!(reply.status, 400, "GET {list}?{query}");
            let problem = reply.problem(400);
            let name = query.split('=').next().unwrap();
            assert!(
                detail(&problem).contains(name),
                "GET {list}?{query}: {problem}"
            );
        }
        app.get(&format!("{list}?page=1&per_page=100"))
            .await
            .ok(200);
    }
}

#[actix_web::test]
async fn a_write_without_a_token_is_401_with_a_bearer_challenge() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.publish("Home", "ada", &["Rivers"]).await;
    let cases = [
        (
            Method::POST,
            "/v1/articles",
            Some(json!({"title": "Anonymous"})),
        ),
        (
            Method::PUT,
            "/v1/articles/home",
            Some(json!({"title": "Anonymous"})),
        ),
        (
            Method::PATCH,
            "/v1/articles/home",
            Some(json!({"title": "Anonymous"})),
        ),
        (Method::DELETE, "/v1/articles/home", None),
        (Method::POST, "/v1/tags", Some(json!({"name": "Anonymous"}))),
        (
            Method::PATCH,
            "/v1/tags/rivers",
            Some(json!({"name": "Anonymous"})),
        ),
        (Method::DELETE, "/v1/tags/rivers", None),
        (
            Method::POST,
            "/v1/authors",
            Some(json!({"name": "Anonymous"})),
        ),
        (Method::DELETE, "/v1/authors/ada", None),
        (
            Method::POST,
            "/v1/articles/home/related",
            Some(json!({"article": "home", "kind": "also_read"})),
        ),
        (Method::GET, "/v1/articles?status=draft", None),
    ];
    for (method, path, body) in cases {
        let reply = match &body {
            Some(body) => app.send_json(method.clone(), path, None, body).await,
            None => app.request(method.clone(), path, None, &[], None).await,
        };
        assert_eq!(reply.status, 401, "{method} {path}");
        reply.problem(401);
        let challenge = reply.header("www-authenticate").unwrap_or_default();
        assert!(
            challenge.starts_with("Bearer"),
            "{method} {path}: WWW-Authenticate {challenge:?}"
        );
    }
    let home = app.get("/v1/articles/home").await.ok(200);
    assert_eq!(home["title"], "Home");
    assert_eq!(app.get("/v1/tags/rivers").await.ok(200)["name"], "Rivers");
}

#[actix_web::test]
async fn a_token_sent_on_a_public_get_must_be_valid() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.publish("Home", "ada", &["Rivers"]).await;
    let exp = now() + 3600;
    let editor = app.editor();
    let alg_none = format!(
        "{}.{}.",
        base64url(br#"{"alg":"none","typ":"JWT"}"#),
        base64url(
            json!({"sub": "x", "role": "admin", "exp": exp})
                .to_string()
                .as_bytes()
        )
    );
    let tokens = [
        ("garbage", "not-a-token".to_owned()),
        ("three garbage segments", "a.b.c".to_owned()),
        ("a tampered payload", tampered(&editor)),
        (
            "a stripped signature",
            format!("{}.", editor.rsplit_once('.').unwrap().0),
        ),
        (
            "another secret",
            auth::mint(
                b"another-secret-of-at-least-32-bytes!!",
                "x",
                Role::Editor,
                None,
                3600,
                None,
                None,
            )
            .unwrap(),
        ),
        ("alg none", alg_none),
        (
            "HS384 with the right secret",
            signed(
                Algorithm::HS384,
                json!({"sub": "x", "role": "editor", "exp": exp}),
            ),
        ),
        (
            "HS512 with the right secret",
            signed(
                Algorithm::HS512,
                json!({"sub": "x", "role": "editor", "exp": exp}),
            ),
        ),
        (
            "expired two minutes ago",
            signed(
                Algorithm::HS256,
                json!({"sub": "x", "role": "editor", "exp": now() - 120}),
            ),
        ),
        (
            "no exp",
            signed(Algorithm::HS256, json!({"sub": "x", "role": "editor"})),
        ),
        (
            "a future nbf",
            signed(
                Algorithm::HS256,
                json!({"sub": "x", "role": "editor", "exp": exp, "nbf": now() + 600}),
            ),
        ),
        (
            "an unknown role",
            signed(
                Algorithm::HS256,
                json!({"sub": "x", "role": "root", "exp": exp}),
            ),
        ),
        (
            "a role in the wrong case",
            signed(
                Algorithm::HS256,
                json!({"sub": "x", "role": "Editor", "exp": exp}),
            ),
        ),
        (
            "no role",
            signed(Algorithm::HS256, json!({"sub": "x", "exp": exp})),
        ),
    ];
    let paths = [
        "/v1/articles",
        "/v1/articles/home",
        "/v1/articles/home/related",
        "/v1/tags",
        "/v1/authors/ada",
    ];
    for (case, token) in &tokens {
        for path in paths {
            let reply = app.get_as(path, token).await;
            assert_eq!(reply.status, 401, "{case} on GET {path}");
            reply.problem(401);
            let challenge = reply.header("www-authenticate").unwrap_or_default();
            assert!(
                challenge.starts_with("Bearer"),
                "{case}: WWW-Authenticate {challenge:?}"
            );
        }
    }
    let schemes = ["Basic YWRhOnNlY3JldA==", "Token abc", "Bearer"];
    for scheme in schemes {
        let reply = app
            .request(
                Method::GET,
                "/v1/articles",
                None,
                &[("Authorization", scheme)],
                None,
            )
            .await;
        assert_eq!(reply.status, 401, "Authorization: {scheme}");
        reply.problem(401);
    }
    let valid = [
        ("a minted editor token", editor.clone()),
        (
            "expired 30 s ago, within the leeway",
            signed(
                Algorithm::HS256,
                json!({"sub": "x", "role": "editor", "exp": now() - 30}),
            ),
        ),
    ];
    for (case, token) in valid {
        for path in paths {
            assert_eq!(
                app.get_as(path, &token).await.status,
                200,
                "{case} on GET {path}"
            );
        }
    }
}

#[actix_web::test]
async fn a_draft_fetched_by_someone_who_may_not_see_it_is_404_like_a_missing_article() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.post(
        "/v1/authors",
        &app.editor(),
        json!({"name": "Cora", "slug": "cora"}),
    )
    .await
    .ok(201);
    let draft = app.create_article(json!({"title": "Secret plans"})).await;
    let future = app
        .create_article(json!({
            "title": "Embargoed", "body": "Text.", "status": "scheduled",
            "published_at": "2999-01-01T00:00:00Z", "authors": ["cora"],
        }))
        .await;
    let missing = app.get("/v1/articles/no-such-article").await.problem(404);
    let cases = [
        (
            "a draft by slug",
            "/v1/articles/secret-plans".to_owned(),
            None,
        ),
        (
            "a draft by id",
            format!("/v1/articles/{}", draft["id"]),
            None,
        ),
        (
            "a draft's related links",
            "/v1/articles/secret-plans/related".to_owned(),
            None,
        ),
        (
            "a draft as an uncredited contributor",
            "/v1/articles/secret-plans".to_owned(),
            Some(app.contributor("cora")),
        ),
        (
            "a scheduled article before its time",
            "/v1/articles/embargoed".to_owned(),
            None,
        ),
        (
            "a scheduled article by id",
            format!("/v1/articles/{}", future["id"]),
            None,
        ),
    ];
    for (case, path, token) in cases {
        let reply = app
            .request(Method::GET, &path, token.as_deref(), &[], None)
            .await;
        assert_eq!(reply.status, 404, "{case}");
        let problem = reply.problem(404);
        assert_eq!(
            problem["title"], missing["title"],
            "{case}: the same problem as a missing article"
        );
        let text = detail(&problem);
        assert!(
            !text.contains("draft") && !text.contains("scheduled"),
            "{case} leaks: {text}"
        );
    }
    app.get_as("/v1/articles/secret-plans", &app.editor())
        .await
        .ok(200);
    app.get_as("/v1/articles/embargoed", &app.contributor("cora"))
        .await
        .ok(200);
}

#[actix_web::test]
async fn invalid_publishing_fields_are_422_naming_them() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.create_author("ada").await;
    let cases = [
        (
            "a bare date",
            json!({"title": "A", "published_at": "2024-01-01"}),
            "published_at",
        ),
        (
            "a timestamp without an offset",
            json!({"title": "A", "published_at": "2024-01-01T10:00:00"}),
            "published_at",
        ),
        (
            "not a date",
            json!({"title": "A", "published_at": "yesterday"}),
            "published_at",
        ),
        (
            "scheduled without published_at",
            json!({"title": "A", "body": "Text.", "status": "scheduled", "authors": ["ada"]}),
            "published_at",
        ),
        (
            "publishing an empty body",
            json!({"title": "A", "body": "", "status": "published", "authors": ["ada"]}),
            "body",
        ),
        (
            "publishing a blank body",
            json!({"title": "A", "body": "  \n ", "status": "published", "authors": ["ada"]}),
            "body",
        ),
        (
            "publishing without authors",
            json!({"title": "A", "body": "Text.", "status": "published"}),
            "authors",
        ),
        (
            "publishing with an empty author list",
            json!({"title": "A", "body": "Text.", "status": "published", "authors": []}),
            "authors",
        ),
        (
            "scheduling without authors",
            json!({"title": "A", "body": "Text.", "status": "scheduled", "published_at": "2999-01-01T00:00:00Z"}),
            "authors",
        ),
        ("an empty title", json!({"title": ""}), "title"),
        ("no title", json!({"body": "Text."}), "title"),
    ];
    for (case, body, field) in cases {
        let reply = app.post("/v1/articles", &app.editor(), body).await;
        assert_eq!(
            reply.status,
            422,
            "{case}: {}",
            String::from_utf8_lossy(&reply.body)
        );
        let problem = reply.problem(422);
        assert!(
            error_fields(&problem).iter().any(|f| f == field),
            "{case}: {problem}"
        );
    }
    assert_eq!(
        app.get_as("/v1/articles?status=any", &app.editor())
            .await
            .ok(200)["meta"]["total"],
        0
    );

    app.create_article(json!({"title": "Draft", "body": ""}))
        .await;
    let cases = [
        (
            "publishing a draft with an empty body",
            json!({"status": "published", "authors": ["ada"]}),
            "body",
        ),
        (
            "publishing a draft without authors",
            json!({"status": "published", "body": "Text."}),
            "authors",
        ),
    ];
    for (case, body, field) in cases {
        let reply = app.patch("/v1/articles/draft", &app.editor(), body).await;
        assert_eq!(
            reply.status,
            422,
            "{case}: {}",
            String::from_utf8_lossy(&reply.body)
        );
        let problem = reply.problem(422);
        assert!(
            error_fields(&problem).iter().any(|f| f == field),
            "{case}: {problem}"
        );
    }
    let draft = app
        .get_as("/v1/articles/draft", &app.editor())
        .await
        .ok(200);
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["body"], "");
    assert_eq!(draft["authors"], json!([]));
}

#[actix_web::test]
async fn a_failed_create_writes_nothing() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let reply = app
        .post(
            "/v1/articles",
            &app.editor(),
            json!({"title": "Orphan", "authors": ["nobody"], "tags": ["Brand new tag"]}),
        )
        .await;

    let problem = reply.problem(422);
    assert!(
        error_fields(&problem)
            .iter()
            .any(|f| f.starts_with("authors")),
        "{problem}"
    );
    let list = app
        .get_as("/v1/articles?status=any", &app.editor())
        .await
        .ok(200);
    assert_eq!(list["data"], json!([]));
    assert_eq!(list["meta"]["total"], 0);
    assert_eq!(
        app.get("/v1/tags").await.ok(200)["data"],
        json!([]),
        "no tag was created"
    );
    app.get_as("/v1/articles/orphan", &app.editor())
        .await
        .problem(404);
}

#[actix_web::test]
async fn a_patch_with_one_invalid_field_changes_nothing() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.create_author("ada").await;
    let before = app
        .create_article(json!({
            "title": "Original", "subtitle": "Sub", "body": "Original text.", "authors": ["ada"], "tags": ["Rivers"],
        }))
        .await;
    let cases = [
        ("a bare date", json!({"published_at": "2024-01-01"})),
        ("a wrong type", json!({"subtitle": 5})),
        ("an empty title", json!({"title": ""})),
        ("an unknown author", json!({"authors": ["nobody"]})),
        ("scheduling without a date", json!({"status": "scheduled"})),
        (
            "a feature image without url",
            json!({"feature_image": {"alt": "x"}}),
        ),
    ];
    for (case, invalid) in cases {
        let mut body = json!({"title": "Changed", "subtitle": "Changed", "body": "Changed.", "tags": ["New tag"]});
        for (k, v) in invalid.as_object().unwrap() {
            body[k] = v.clone();
        }
        let reply = app
            .patch("/v1/articles/original", &app.editor(), body)
            .await;
        assert_eq!(
            reply.status,
            422,
            "{case}: {}",
            String::from_utf8_lossy(&reply.body)
        );
        reply.problem(422);
        let after = app
            .get_as("/v1/articles/original", &app.editor())
            .await
            .ok(200);
        assert_eq!(after, before, "{case}: the stored article changed");
        assert_eq!(
            app.get("/v1/tags").await.ok(200)["meta"]["total"],
            1,
            "{case}: a tag was created"
        );
    }
}

#[actix_web::test]
async fn an_unknown_query_parameter_on_a_write_is_400_and_changes_nothing() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.publish("Home", "ada", &["Rivers"]).await;
    app.publish("Target", "ada", &[]).await;
    let cases = [
        (
            Method::POST,
            "/v1/articles?dry_run=1",
            Some(json!({"title": "Typo"})),
        ),
        (
            Method::PATCH,
            "/v1/articles/home?notify=false",
            Some(json!({"title": "Typo"})),
        ),
        (
            Method::PUT,
            "/v1/tags/rivers?force=1",
            Some(json!({"name": "Typo"})),
        ),
        (Method::DELETE, "/v1/tags/rivers?cascade=true", None),
        (
            Method::POST,
            "/v1/articles/home/related?at=1",
            Some(json!({"article": "target", "kind": "also_read"})),
        ),
        (Method::DELETE, "/v1/articles/target?force=1", None),
    ];
    for (method, path, body) in cases {
        let reply = match &body {
            Some(body) => {
                app.send_json(method.clone(), path, Some(&app.editor()), body)
                    .await
            }
            None => {
                app.request(method.clone(), path, Some(&app.editor()), &[], None)
                    .await
            }
        };
        assert_eq!(
            reply.status,
            400,
            "{method} {path}: {}",
            String::from_utf8_lossy(&reply.body)
        );
        let problem = reply.problem(400);
        let name = path.split(['?', '=']).nth(1).unwrap();
        assert!(
            detail(&problem).contains(name),
            "{method} {path}: {problem}"
        );
    }
    let list = app
        .get_as("/v1/articles?status=any", &app.editor())
        .await
        .ok(200);
    assert_eq!(list["meta"]["total"], 2);
    assert_eq!(app.get("/v1/articles/home").await.ok(200)["title"], "Home");
    assert_eq!(app.get("/v1/tags/rivers").await.ok(200)["name"], "Rivers");
    assert_eq!(
        app.get("/v1/articles/home/related").await.ok(200)["data"],
        json!([])
    );
}
