use awc::http::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

fn slugs(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["slug"].as_str().unwrap().to_owned())
        .collect()
}

async fn list(app: &TestApp, query: &str) -> Value {
    app.get(&format!("/v1/articles{query}")).await.ok(200)
}

#[actix_web::test]
async fn creating_an_article_answers_201_with_its_location_and_derived_fields() {
    let app = spawn_app().await;
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
    let app = spawn_app().await;
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
    let app = spawn_app().await;
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
    let app = spawn_app().await;
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
    let app = spawn_app().await;
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
    let app = spawn_app().await;
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
    let app = spawn_app().await;
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
    let app = spawn_app().await;
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
    let app = spawn_app().await;
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
    let app = spawn_app().await;
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
    let app = spawn_app().await;
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
    let app = spawn_app().await;
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
    let app = spawn_app().await;
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
    let app = spawn_app().await;
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
    let app = spawn_app().await;
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
    let app = spawn_app().await;
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
    let app = spawn_app().await;
    let token = crate::helpers::token(masthead::domain::Role::Contributor, None);
    app.get_as("/v1/articles", &token).await.ok(200);
    app.post("/v1/articles", &token, json!({"title": "Nope"}))
        .await
        .problem(403);
}

#[actix_web::test]
async fn the_status_filter_depends_on_the_role() {
    let app = spawn_app().await;
    app.create_author("Cora").await;
    let cora = app.contributor("cora");
    app.post("/v1/articles", &cora, json!({"title": "Cora's"}))
        .await
        .ok(201);
    app.create_article(json!({"title": "Someone else's"})).await;
    app.get("/v1/articles?status=draft").await.problem(401);
    app.get_as("/v1/articles?status=any", &cora)
        .await
        .problem(403);
    app.get_as("/v1/articles?status=scheduled", &cora)
        .await
        .problem(403);
    let own = app.get_as("/v1/articles?status=draft", &cora).await.ok(200);
    assert_eq!(slugs(&own), vec!["cora-s"]);
    app.get("/v1/articles?status=sideways").await.problem(400);
}

#[actix_web::test]
async fn lists_are_newest_first_with_authors_and_tags_but_no_bodies() {
    let app = spawn_app().await;
    for (title, at) in [
        ("Old", "2020-01-01T00:00:00Z"),
        ("New", "2022-01-01T00:00:00Z"),
        ("Mid", "2021-01-01T00:00:00Z"),
    ] {
        let a = app.publish(title, "ada", &["News"]).await;
        app.patch(
            &format!("/v1/articles/{}", a["id"]),
            &app.editor(),
            json!({"published_at": at}),
        )
        .await
        .ok(200);
    }
    let page = list(&app, "").await;
    assert_eq!(slugs(&page), vec!["new", "mid", "old"]);
    let item = &page["data"][0];
    assert_eq!(item["authors"][0]["slug"], "ada");
    assert_eq!(item["primary_tag"]["slug"], "news");
    for absent in ["body", "body_html", "related"] {
        assert!(item.get(absent).is_none(), "{absent} in a list item");
    }
    assert_eq!(
        slugs(&list(&app, "?sort=published_at").await),
        vec!["old", "mid", "new"]
    );
    assert_eq!(
        slugs(&list(&app, "?sort=title").await),
        vec!["mid", "new", "old"]
    );
    assert_eq!(
        slugs(&list(&app, "?sort=-title").await),
        vec!["old", "new", "mid"]
    );
    app.get("/v1/articles?sort=id").await.problem(400);
}

#[actix_web::test]
async fn lists_filter_by_tags_author_and_publication_window() {
    let app = spawn_app().await;
    let a = app.publish("Alpha", "ada", &["Politics", "Europe"]).await;
    let b = app.publish("Beta", "bo", &["Politics"]).await;
    for (article, at) in [(&a, "2024-03-01T10:00:00Z"), (&b, "2024-03-02T00:00:00Z")] {
        app.patch(
            &format!("/v1/articles/{}", article["id"]),
            &app.editor(),
            json!({"published_at": at}),
        )
        .await
        .ok(200);
    }
    assert_eq!(
        slugs(&list(&app, "?tag=politics").await),
        vec!["beta", "alpha"]
    );
    assert_eq!(
        slugs(&list(&app, "?tag=politics&tag=europe").await),
        vec!["alpha"]
    );
    assert_eq!(slugs(&list(&app, "?author=bo").await), vec!["beta"]);
    assert_eq!(
        slugs(&list(&app, "?tag=nothing").await),
        Vec::<String>::new()
    );
    assert_eq!(
        slugs(&list(&app, "?published_after=2024-03-02").await),
        vec!["beta"]
    );
    assert_eq!(
        slugs(&list(&app, "?published_before=2024-03-02").await),
        vec!["alpha"]
    );
    assert_eq!(
        slugs(
            &list(
                &app,
                "?published_after=2024-03-01T10:00:00Z&published_before=2024-03-01T10:00:01Z"
            )
            .await
        ),
        vec!["alpha"],
        "after is inclusive"
    );
    app.get("/v1/articles?published_after=yesterday")
        .await
        .problem(400);
}

#[actix_web::test]
async fn pages_carry_meta_and_a_next_link() {
    let app = spawn_app().await;
    for i in 0..5 {
        app.publish(&format!("Story {i}"), "ada", &[]).await;
    }
    let reply = app.get("/v1/articles?per_page=2&page=2").await;
    let body = reply.ok(200);
    let meta = &body["meta"];
    assert_eq!(
        (
            &meta["page"],
            &meta["per_page"],
            &meta["total"],
            &meta["total_pages"]
        ),
        (&json!(2), &json!(2), &json!(5), &json!(3))
    );
    assert!(
        meta["next_cursor"].is_string(),
        "a page with more after it offers a cursor"
    );
    assert_eq!(
        reply.header("link").as_deref(),
        Some("</v1/articles?per_page=2&page=3>; rel=\"next\"")
    );
    let last = app.get("/v1/articles?per_page=2&page=3").await;
    assert_eq!(last.ok(200)["data"].as_array().unwrap().len(), 1);
    assert_eq!(last.header("link"), None);
    let past = app.get("/v1/articles?per_page=2&page=9").await.ok(200);
    assert_eq!(past["data"], json!([]));
    let ids: Vec<Value> = list(&app, "?per_page=100").await["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].clone())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort_by_key(|id| std::cmp::Reverse(id.as_i64().unwrap()));
    assert_eq!(
        ids, sorted,
        "equal published_at ties break by id, descending"
    );
}

#[actix_web::test]
async fn deleting_an_article_needs_an_editor_and_answers_204() {
    let app = spawn_app().await;
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
async fn the_public_total_follows_every_change_of_status() {
    let app = spawn_app().await;
    app.create_author("Ada").await;
    let editor = app.editor();
    assert_eq!(public_total(&app).await, 0);
    let published =
        |title: &str| json!({"title": title, "authors": ["ada"], "status": "published"});
    let one = app.create_article(published("One")).await;
    app.create_article(published("Two")).await;
    let draft = app
        .create_article(json!({"title": "Draft", "authors": ["ada"]}))
        .await;
    app.create_article(
        json!({"title": "Later", "authors": ["ada"], "status": "scheduled",
        "published_at": "2999-01-01T00:00:00Z"}),
    )
    .await;
    let due = app
        .create_article(
            json!({"title": "Due", "authors": ["ada"], "status": "scheduled",
            "published_at": "2001-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(
        public_total(&app).await,
        3,
        "two published and one scheduled that is due"
    );
    app.patch(
        &format!("/v1/articles/{}", draft["id"]),
        &editor,
        json!({"status": "published"}),
    )
    .await
    .ok(200);
    assert_eq!(public_total(&app).await, 4);
    app.patch(
        &format!("/v1/articles/{}", due["id"]),
        &editor,
        json!({"status": "draft"}),
    )
    .await
    .ok(200);
    assert_eq!(public_total(&app).await, 3, "back to draft");
    app.delete(&format!("/v1/articles/{}", one["id"]), &editor)
        .await
        .ok(204);
    assert_eq!(public_total(&app).await, 2);
    let any = app.get_as("/v1/articles?status=any", &editor).await.ok(200);
    assert_eq!(
        any["meta"]["total"], 4,
        "what an editor counts is unchanged"
    );
}

/// The public list's `meta.total`, checked against what the list holds.
async fn public_total(app: &crate::helpers::TestApp) -> i64 {
    let page = app.get("/v1/articles?per_page=100").await.ok(200);
    let total = page["meta"]["total"].as_i64().unwrap();
    assert_eq!(total as usize, page["data"].as_array().unwrap().len());
    total
}
