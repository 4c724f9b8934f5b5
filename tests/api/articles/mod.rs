//! Articles: one article's routes (create, read, replace, merge, delete),
//! drafts and publishing, credits and tags, who may write what.
//! Lists, paging and `fields` are in lists.rs, full-text search in
//! search.rs; ETags and compression in ../caching.rs, links in
//! ../related.rs.

mod lists;
mod pages;
mod search;

use awc::http::Method;
use serde_json::{Value, json};

use super::helpers::{self, TestApp, slugs, spawn_app};

/// The public article list with `query` (empty, or `?...`).
async fn list(app: &TestApp, query: &str) -> Value {
    app.get(&format!("/v1/articles{query}")).await.ok(200)
}

#[actix_web::test]
async fn creating_an_article_answers_201_with_its_location_and_derived_fields() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let reply = app
        .post(
            "/v1/articles",
            &app.editor(),
            json!({"title": "Crème brûlée, à la carte", "body": "A *short* story.\n\nWith two paragraphs."}),
        )
        .await;
    let article = reply.ok(201);
    let id = article["id"].as_i64().unwrap();
    assert_eq!(reply.header("location"), Some(format!("/v1/articles/{id}")));
    assert_eq!(article["slug"], "creme-brulee-a-la-carte");
    assert_eq!(article["status"], "draft");
    assert_eq!(article["published_at"], Value::Null);
    assert_eq!(article["subtitle"], Value::Null);
    assert_eq!(
        article["body_html"],
        "<p>A <em>short</em> story.</p>\n<p>With two paragraphs.</p>\n"
    );
    assert_eq!(article["excerpt"], "A short story. With two paragraphs.");
    assert_eq!(article["reading_time_minutes"], 1);
    assert_eq!(article["authors"], json!([]));
    assert_eq!(article["tags"], json!([]));
    assert_eq!(article["primary_tag"], Value::Null);
    assert_eq!(article["related"], json!([]));
    let created = article["created_at"].as_str().unwrap();
    assert!(created.ends_with('Z') && created.len() == 20, "{created}");
    let fetched = app
        .get_as(&format!("/v1/articles/{id}"), &app.editor())
        .await
        .ok(200);
    assert_eq!(fetched, article);
}

#[actix_web::test]
async fn derived_slugs_get_a_number_when_taken_and_a_prefix_without_letters() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let first = app.create_article(json!({"title": "Budget day"})).await;
    let second = app.create_article(json!({"title": "Budget Day!"})).await;
    let third = app.create_article(json!({"title": "budget  day"})).await;
    let numeric = app.create_article(json!({"title": "2024"})).await;
    assert_eq!(first["slug"], "budget-day");
    assert_eq!(second["slug"], "budget-day-2");
    assert_eq!(third["slug"], "budget-day-3");
    assert_eq!(numeric["slug"], "article-2024");
}

#[actix_web::test]
async fn an_explicit_slug_that_is_taken_is_409() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.create_article(json!({"title": "One", "slug": "lead-story"}))
        .await;
    let reply = app
        .post(
            "/v1/articles",
            &app.editor(),
            json!({"title": "Two", "slug": "lead-story"}),
        )
        .await;
    reply.problem(409);
    let other = app.create_article(json!({"title": "Three"})).await;
    let patch = app
        .patch(
            &format!("/v1/articles/{}", other["id"]),
            &app.editor(),
            json!({"slug": "lead-story"}),
        )
        .await;
    patch.problem(409);
}

#[actix_web::test]
async fn a_new_title_keeps_the_old_slug_unless_a_slug_is_sent() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let article = app.create_article(json!({"title": "Old title"})).await;
    let path = format!("/v1/articles/{}", article["id"]);
    let renamed = app
        .patch(&path, &app.editor(), json!({"title": "New title"}))
        .await
        .ok(200);
    assert_eq!(renamed["slug"], "old-title");
    let reslugged = app
        .patch(&path, &app.editor(), json!({"slug": "new-title"}))
        .await
        .ok(200);
    assert_eq!(reslugged["slug"], "new-title");
    app.get_as("/v1/articles/new-title", &app.editor())
        .await
        .ok(200);
    app.get_as("/v1/articles/old-title", &app.editor())
        .await
        .problem(404);
}

#[actix_web::test]
async fn drafts_are_hidden_from_the_public_and_shown_to_editors() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let draft = app.create_article(json!({"title": "Secret plans"})).await;
    let published = app.publish("Public news", "ada", &[]).await;
    let by_id = format!("/v1/articles/{}", draft["id"]);
    app.get(&by_id).await.problem(404);
    app.get("/v1/articles/secret-plans").await.problem(404);
    app.get_as(&by_id, &app.editor()).await.ok(200);
    assert_eq!(
        slugs(&list(&app, "").await),
        vec![published["slug"].as_str().unwrap()]
    );
    let all = app
        .get_as("/v1/articles?status=any", &app.editor())
        .await
        .ok(200);
    assert_eq!(all["meta"]["total"], 2);
    let drafts = app
        .get_as("/v1/articles?status=draft", &app.editor())
        .await
        .ok(200);
    assert_eq!(slugs(&drafts), vec!["secret-plans"]);
}

#[actix_web::test]
async fn publishing_needs_a_body_and_an_author() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let reply = app
        .post(
            "/v1/articles",
            &app.editor(),
            json!({"title": "Empty", "body": "  ", "status": "published"}),
        )
        .await;
    let problem = reply.problem(422);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["body", "authors"]);
    let everything = app
        .get_as("/v1/articles?status=any", &app.editor())
        .await
        .ok(200);
    assert_eq!(
        everything["meta"]["total"], 0,
        "a failed write stores nothing"
    );
}

#[actix_web::test]
async fn published_at_defaults_to_now_when_first_published_and_is_kept_after() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let author = app.create_author("Ada").await;
    let draft = app
        .create_article(json!({"title": "Timely", "authors": [author["slug"]]}))
        .await;
    let path = format!("/v1/articles/{}", draft["id"]);
    let published = app
        .patch(&path, &app.editor(), json!({"status": "published"}))
        .await
        .ok(200);
    let at = published["published_at"].as_str().unwrap().to_owned();
    assert!(at.ends_with('Z'));
    let resaved = app
        .put(
            &path,
            &app.editor(),
            json!({"title": "Timely, updated", "body": "More.", "authors": [author["id"]]}),
        )
        .await
        .ok(200);
    assert_eq!(resaved["status"], "published", "PUT keeps the status");
    assert_eq!(
        resaved["published_at"],
        at.as_str(),
        "PUT keeps published_at"
    );
}

#[actix_web::test]
async fn written_timestamps_take_any_offset_and_are_stored_in_utc() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let article = app
        .create_article(
            json!({"title": "Offsets", "published_at": "2015-09-27T16:30:00.250+02:00"}),
        )
        .await;
    assert_eq!(article["published_at"], "2015-09-27T14:30:00Z");
    let bare = app
        .post(
            "/v1/articles",
            &app.editor(),
            json!({"title": "Bare", "published_at": "2015-09-27"}),
        )
        .await
        .problem(422);
    assert_eq!(bare["errors"][0]["field"], "published_at");
}

#[actix_web::test]
async fn scheduled_articles_need_a_date_and_appear_once_it_has_passed() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.create_author("Ada").await;
    let missing = app
        .post(
            "/v1/articles",
            &app.editor(),
            json!({"title": "Later", "body": "x", "authors": ["ada"], "status": "scheduled"}),
        )
        .await
        .problem(422);
    assert_eq!(missing["errors"][0]["field"], "published_at");
    let future = app
        .create_article(json!({"title": "Future", "authors": ["ada"], "status": "scheduled", "published_at": "2999-01-01T00:00:00Z"}))
        .await;
    let due = app
        .create_article(json!({"title": "Due", "authors": ["ada"], "status": "scheduled", "published_at": "2001-01-01T00:00:00Z"}))
        .await;
    app.get(&format!("/v1/articles/{}", future["id"]))
        .await
        .problem(404);
    let visible = app
        .get(&format!("/v1/articles/{}", due["id"]))
        .await
        .ok(200);
    assert_eq!(visible["status"], "scheduled");
    assert_eq!(slugs(&list(&app, "").await), vec!["due"]);
    let scheduled = app
        .get_as("/v1/articles?status=scheduled", &app.editor())
        .await
        .ok(200);
    assert_eq!(scheduled["meta"]["total"], 2);
}

#[actix_web::test]
async fn put_replaces_optional_fields_but_keeps_slug_status_and_published_at() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let article = app
        .create_article(json!({
            "title": "Full", "slug": "full-story", "subtitle": "Sub", "excerpt": "Given",
            "tags": ["Politics"], "published_at": "2020-01-01T00:00:00Z",
            "feature_image": {"url": "https://cdn.example.com/a.jpg", "alt": "A"},
        }))
        .await;
    let path = format!("/v1/articles/{}", article["id"]);
    let replaced = app
        .put(&path, &app.editor(), json!({"title": "Replaced"}))
        .await
        .ok(200);
    assert_eq!(replaced["slug"], "full-story");
    assert_eq!(replaced["status"], "draft");
    assert_eq!(replaced["published_at"], "2020-01-01T00:00:00Z");
    assert_eq!(replaced["subtitle"], Value::Null);
    assert_eq!(replaced["body"], "");
    assert_eq!(replaced["excerpt"], "");
    assert_eq!(replaced["feature_image"], Value::Null);
    assert_eq!(replaced["tags"], json!([]));
    let missing_title = app
        .put(&path, &app.editor(), json!({"subtitle": "x"}))
        .await
        .problem(422);
    assert_eq!(missing_title["errors"][0]["field"], "title");
}

#[actix_web::test]
async fn patch_merges_keeping_omitted_fields_and_clearing_nulls() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let article = app
        .create_article(json!({
            "title": "Merge", "subtitle": "Sub", "tags": ["Politics", "Europe"],
            "feature_image": {"url": "https://cdn.example.com/a.jpg", "alt": "A", "credit": "Me"},
        }))
        .await;
    let path = format!("/v1/articles/{}", article["id"]);
    let body = serde_json::to_vec(
        &json!({"subtitle": null, "feature_image": {"alt": "B", "credit": null}}),
    )
    .unwrap();
    let patched = app
        .request(
            Method::PATCH,
            &path,
            Some(&app.editor()),
            &[],
            Some(("application/merge-patch+json", body)),
        )
        .await
        .ok(200);
    assert_eq!(patched["title"], "Merge");
    assert_eq!(patched["subtitle"], Value::Null);
    assert_eq!(patched["tags"].as_array().unwrap().len(), 2);
    assert_eq!(
        patched["feature_image"],
        json!({"url": "https://cdn.example.com/a.jpg", "alt": "B", "caption": null, "credit": null})
    );
    let cleared = app
        .patch(&path, &app.editor(), json!({"tags": null, "title": null}))
        .await
        .problem(422);
    assert_eq!(cleared["errors"][0]["field"], "title");
    let untouched = app.get_as(&path, &app.editor()).await.ok(200);
    assert_eq!(
        untouched["tags"].as_array().unwrap().len(),
        2,
        "a failed PATCH changes nothing"
    );
}

#[actix_web::test]
async fn an_empty_excerpt_means_derive_it_from_the_body() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let long_body = "Word ".repeat(80);
    let article = app
        .create_article(json!({"title": "Long", "body": long_body, "excerpt": "Hand written."}))
        .await;
    assert_eq!(article["excerpt"], "Hand written.");
    let path = format!("/v1/articles/{}", article["id"]);
    let derived = app
        .patch(&path, &app.editor(), json!({"excerpt": ""}))
        .await
        .ok(200);
    let excerpt = derived["excerpt"].as_str().unwrap();
    assert!(excerpt.ends_with("Word…"), "{excerpt}");
    assert!(excerpt.chars().count() <= 201);
    assert_eq!(derived["reading_time_minutes"], 1);
}

#[actix_web::test]
async fn rendered_html_is_sanitized() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let article = app
        .create_article(json!({"title": "XSS", "body": "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)> [x](javascript:alert(1)) <a href=\"data:text/html,hi\">d</a>"}))
        .await;
    let html = article["body_html"].as_str().unwrap();
    for bad in ["<script", "onerror", "javascript:", "data:"] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }
}

#[actix_web::test]
async fn tags_are_matched_by_slug_or_name_and_created_when_new() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let politics = app.create_tag("Politics").await;
    let article = app
        .create_article(json!({"title": "Tagged", "tags": ["POLITICS", "new-zealand", "Budget 2025", "politics"]}))
        .await;
    let tags: Vec<&str> = article["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["slug"].as_str().unwrap())
        .collect();
    assert_eq!(tags, vec!["politics", "new-zealand", "budget-2025"]);
    assert_eq!(article["primary_tag"]["id"], politics["id"]);
    let created = app.get("/v1/tags/budget-2025").await.ok(200);
    assert_eq!(created["name"], "Budget 2025");
}

#[actix_web::test]
async fn authors_are_credited_in_order_by_slug_or_id_and_unknown_ones_are_422() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let ada = app.create_author("Ada").await;
    let bo = app.create_author("Bo").await;
    let article = app
        .create_article(json!({"title": "Two hands", "authors": [bo["id"], "ada"]}))
        .await;
    let names: Vec<&str> = article["authors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Bo", "Ada"]);
    assert_eq!(
        article["authors"][1],
        json!({"id": ada["id"], "slug": "ada", "name": "Ada", "avatar_url": null})
    );
    let unknown = app
        .post(
            "/v1/articles",
            &app.editor(),
            json!({"title": "Ghost", "authors": ["nobody"]}),
        )
        .await
        .problem(422);
    assert_eq!(unknown["errors"][0]["field"], "authors[0]");
}

#[actix_web::test]
async fn contributors_write_their_own_drafts_only() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.create_author("Cora").await;
    app.create_author("Dan").await;
    app.create_tag("Science").await;
    let cora = app.contributor("cora");
    let own = app
        .post(
            "/v1/articles",
            &cora,
            json!({"title": "My draft", "tags": ["science"]}),
        )
        .await
        .ok(201);
    assert_eq!(
        own["authors"][0]["slug"], "cora",
        "credited to own author by default"
    );
    let path = format!("/v1/articles/{}", own["id"]);
    app.patch(&path, &cora, json!({"body": "Edited."}))
        .await
        .ok(200);
    app.get_as(&path, &cora).await.ok(200);

    let cases = [
        ("publish", json!({"title": "x", "status": "published"})),
        (
            "credit another author",
            json!({"title": "x", "authors": ["dan"]}),
        ),
        (
            "an unknown tag",
            json!({"title": "x", "tags": ["Brand new"]}),
        ),
        ("related links", json!({"title": "x", "related": []})),
    ];
    for (case, body) in cases {
        let reply = app.post("/v1/articles", &cora, body).await;
        assert_eq!(
            reply.status,
            403,
            "{case}: {}",
            String::from_utf8_lossy(&reply.body)
        );
    }
    app.patch(&path, &cora, json!({"status": "published"}))
        .await
        .problem(403);
    app.delete(&path, &cora).await.problem(403);

    let others = app
        .create_article(json!({"title": "Dan's draft", "authors": ["dan"]}))
        .await;
    let others_path = format!("/v1/articles/{}", others["id"]);
    app.get_as(&others_path, &cora).await.problem(404);
    app.patch(&others_path, &cora, json!({"title": "Mine now"}))
        .await
        .problem(404);
    app.delete(&others_path, &cora).await.problem(404);

    let published = app
        .patch(&path, &app.editor(), json!({"status": "published"}))
        .await
        .ok(200);
    assert_eq!(published["status"], "published");
    app.patch(&path, &cora, json!({"title": "Too late"}))
        .await
        .problem(403);
}

#[actix_web::test]
async fn a_contributor_token_without_an_author_may_read_but_not_write() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let token = helpers::token(masthead::domain::Role::Contributor, None);
    app.get_as("/v1/articles", &token).await.ok(200);
    app.post("/v1/articles", &token, json!({"title": "Nope"}))
        .await
        .problem(403);
}

#[actix_web::test]
async fn deleting_an_article_needs_an_editor_and_answers_204() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let article = app.publish("Gone soon", "ada", &["News"]).await;
    let path = format!("/v1/articles/{}", article["id"]);
    app.request(Method::DELETE, &path, None, &[], None)
        .await
        .problem(401);
    let reply = app.delete(&path, &app.editor()).await;
    assert_eq!(reply.status, 204);
    assert!(reply.body.is_empty());
    app.get(&path).await.problem(404);
    app.delete(&path, &app.editor()).await.problem(404);
    let tag = app.get("/v1/tags/news").await.ok(200);
    assert_eq!(tag["article_count"], 0);
}

#[actix_web::test]
async fn a_null_status_is_422_on_every_write_as_the_schema_says() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let problem = app
        .post("/v1/articles", &app.editor(), json!({"title": "x", "status": null}))
        .await
        .problem(422);
    assert_eq!(problem["errors"][0]["field"], "status");
    let draft = app.create_article(json!({"title": "Kept"})).await;
    let path = format!("/v1/articles/{}", draft["id"]);
    let problem = app
        .patch(&path, &app.editor(), json!({"status": null}))
        .await
        .problem(422);
    assert_eq!(problem["errors"][0]["field"], "status");
}
