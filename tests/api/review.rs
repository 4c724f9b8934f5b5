//! What a security review of the running service found, one test a
//! finding: contributors' credits and dates, URL-shaped social values,
//! audience arrays, HEAD, a contributor's drafts list, internal text in
//! errors, the challenge without a token, and loose dates.

use awc::http::Method;
use jsonwebtoken::{EncodingKey, Header};
use serde_json::{Value, json};

use super::helpers::{SECRET, TestApp, now, spawn_app, spawn_app_with};

/// Bob and Alice, authors with contributor tokens, and a draft by both.
async fn shared_draft(app: &TestApp) -> (String, String, String) {
    app.create_author("Bob").await;
    app.create_author("Alice").await;
    let draft = app
        .create_article(json!({"title": "Shared", "authors": ["bob", "alice"]}))
        .await;
    let path = format!("/v1/articles/{}", draft["id"]);
    (path, app.contributor("bob"), app.contributor("alice"))
}

fn credited(article: &Value) -> Vec<String> {
    article["authors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["slug"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn a_contributor_cannot_strip_a_co_author() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let (path, bob, alice) = shared_draft(&app).await;
    app.create_author("Cora").await;
    app.patch(&path, &alice, json!({"authors": ["alice"]}))
        .await
        .problem(403);
    app.patch(&path, &alice, json!({"authors": ["alice", "bob", "cora"]}))
        .await
        .problem(403);
    let reordered = app
        .patch(&path, &alice, json!({"authors": ["alice", "bob"]}))
        .await
        .ok(200);
    assert_eq!(credited(&reordered), ["alice", "bob"]);
    // A PUT that leaves the credits out keeps them.
    let replaced = app
        .put(&path, &alice, json!({"title": "Shared, again"}))
        .await
        .ok(200);
    assert_eq!(credited(&replaced), ["alice", "bob"]);
    app.get_as(&path, &bob).await.ok(200);
}

#[actix_web::test]
async fn a_contributor_cannot_date_their_draft() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.create_author("Cora").await;
    let cora = app.contributor("cora");
    for date in ["2099-01-01T00:00:00Z", "2020-01-01T00:00:00Z"] {
        app.post(
            "/v1/articles",
            &cora,
            json!({"title": "Pinned", "published_at": date}),
        )
        .await
        .problem(403);
    }
    let draft = app
        .post(
            "/v1/articles",
            &cora,
            json!({"title": "Plain", "body": "Text.", "published_at": null}),
        )
        .await
        .ok(201);
    let path = format!("/v1/articles/{}", draft["id"]);
    app.patch(&path, &cora, json!({"published_at": "2099-01-01T00:00:00Z"}))
        .await
        .problem(403);
    let published = app
        .patch(&path, &app.editor(), json!({"status": "published"}))
        .await
        .ok(200);
    let year: i32 = published["published_at"].as_str().unwrap()[..4]
        .parse()
        .unwrap();
    assert!(year < 2099, "{published}");
}

#[actix_web::test]
async fn social_values_are_handles_or_http_urls() {
    let Some(app) = spawn_app().await else {
        return;
    };
    for hostile in [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "//evil.example",
    ] {
        let reply = app
            .post(
                "/v1/authors",
                &app.editor(),
                json!({"name": "Mallory", "social": {"site": hostile}}),
            )
            .await;
        let problem = reply.problem(422);
        assert_eq!(problem["errors"][0]["field"], "social.site", "{hostile}");
    }
    let author = app
        .post(
            "/v1/authors",
            &app.editor(),
            json!({"name": "Ada", "social": {
                "mastodon": "@ada@example.social",
                "matrix": "@ada:matrix.org",
                "site": "https://ada.example.com/",
            }}),
        )
        .await
        .ok(201);
    assert_eq!(author["social"]["matrix"], "@ada:matrix.org");
}

fn token_with(claims: Value) -> String {
    let key = EncodingKey::from_secret(SECRET.as_bytes()).unwrap();
    jsonwebtoken::encode(&Header::default(), &claims, &key).unwrap()
}

#[actix_web::test]
async fn an_audience_may_be_an_array() {
    let Some(app) = spawn_app_with(&[("JWT_AUDIENCE", "masthead")]).await else {
        return;
    };
    let claims = |aud: Value| {
        json!({"sub": "idp", "role": "editor", "exp": now() + 600, "iat": now(), "aud": aud})
    };
    let status = |token: String| {
        let app = &app;
        async move { app.get_as("/v1/articles?status=any", &token).await.status }
    };
    assert_eq!(status(token_with(claims(json!(["other", "masthead"])))).await, 200);
    assert_eq!(status(token_with(claims(json!("masthead")))).await, 200);
    assert_eq!(status(token_with(claims(json!(["other"])))).await, 401);
}

#[actix_web::test]
async fn head_answers_wherever_get_does() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.publish("Headline", "ada", &[]).await;
    for path in [
        "/healthz",
        "/readyz",
        "/openapi.json",
        "/v1/articles",
        "/v1/articles/headline",
        "/v1/authors/ada",
        "/v1/tags",
    ] {
        let get = app.request(Method::GET, path, None, &[], None).await;
        let head = app.request(Method::HEAD, path, None, &[], None).await;
        assert_eq!(head.status, get.status, "HEAD {path}");
        assert!(head.body.is_empty(), "HEAD {path} has a body");
        assert_eq!(head.header("etag"), get.header("etag"), "HEAD {path}");
        assert_eq!(
            head.header("content-type"),
            get.header("content-type"),
            "HEAD {path}"
        );
    }
    let missing = app
        .request(Method::HEAD, "/v1/articles/nothing-here", None, &[], None)
        .await;
    assert_eq!(missing.status, 404);
}

#[actix_web::test]
async fn a_contributors_drafts_list_leaves_out_what_is_already_public() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.create_author("Cora").await;
    let cora = app.contributor("cora");
    app.post("/v1/articles", &cora, json!({"title": "Still mine"}))
        .await
        .ok(201);
    for (title, when) in [("Due", "2020-01-01T00:00:00Z"), ("Later", "2099-01-01T00:00:00Z")] {
        app.create_article(json!({
            "title": title, "authors": ["cora"], "status": "scheduled", "published_at": when,
        }))
        .await;
    }
    let list = app
        .get_as("/v1/articles?status=draft", &cora)
        .await
        .ok(200);
    let mut titles: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    titles.sort_unstable();
    assert_eq!(titles, ["Later", "Still mine"]);
}

#[actix_web::test]
async fn errors_speak_the_apis_words_and_echo_little() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let no_exp = token_with(json!({"sub": "x", "role": "editor"}));
    let problem = app.get_as("/v1/articles", &no_exp).await.problem(401);
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("'exp'"), "{detail}");
    assert!(!detail.contains("line") && !detail.contains("JSON"), "{detail}");

    let header = Header::new(jsonwebtoken::Algorithm::HS384);
    let other_alg = jsonwebtoken::encode(
        &header,
        &json!({"sub": "x", "role": "editor", "exp": now() + 60}),
        &EncodingKey::from_secret(SECRET.as_bytes()).unwrap(),
    )
    .unwrap();
    let detail = app.get_as("/v1/articles", &other_alg).await.problem(401)["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!detail.contains("RS256") && !detail.contains("EdDSA"), "{detail}");

    let problem = app
        .post(
            "/v1/articles",
            &app.editor(),
            json!({"title": "x", "authors": [true]}),
        )
        .await
        .problem(422);
    let message = problem["errors"][0]["message"].as_str().unwrap();
    assert!(!message.contains("untagged") && !message.contains("KeyRef"), "{message}");

    let cursor = {
        use base64::Engine;
        let sort = "s".repeat(10_000);
        let json = json!({"s": sort, "k": null, "i": 1}).to_string();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    };
    let reply = app.get(&format!("/v1/articles?cursor={cursor}")).await;
    let detail = reply.problem(400)["detail"].as_str().unwrap().to_owned();
    assert!(detail.len() < 200, "{} bytes reflected", detail.len());

    let long = "q".repeat(5_000);
    let detail = app.get(&format!("/v1/articles?{long}=1")).await.problem(400)["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(detail.len() < 400, "{} bytes reflected", detail.len());
}

#[actix_web::test]
async fn a_request_without_a_token_gets_a_challenge_without_an_error_code() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let reply = app
        .request(
            Method::POST,
            "/v1/tags",
            None,
            &[],
            Some(("application/json", br#"{"name": "x"}"#.to_vec())),
        )
        .await;
    reply.problem(401);
    assert_eq!(
        reply.header("www-authenticate").as_deref(),
        Some(r#"Bearer realm="masthead""#)
    );
    let bad = app.get_as("/v1/articles", "not-a-token").await;
    bad.problem(401);
    assert!(
        bad.header("www-authenticate")
            .unwrap()
            .contains(r#"error="invalid_token""#)
    );
}

#[actix_web::test]
async fn dates_outside_1000_to_9999_and_leap_seconds_are_refused() {
    let Some(app) = spawn_app().await else {
        return;
    };
    for bound in ["-2026-01-01", "0000-01-01", "0999-12-31"] {
        let query = format!("/v1/articles?published_after={bound}");
        app.get(&query).await.problem(400);
    }
    for written in ["0000-01-01T00:00:00Z", "2016-12-31T23:59:60Z"] {
        let problem = app
            .post(
                "/v1/articles",
                &app.editor(),
                json!({"title": "Dated", "published_at": written}),
            )
            .await
            .problem(422);
        assert_eq!(problem["errors"][0]["field"], "published_at", "{written}");
    }
}
