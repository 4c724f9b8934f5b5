//! What a frontend builds a page from in one request: `include=` embeds on
//! one article (full authors, suggestions, links grouped by kind, more from
//! the section) and on lists, and the section and exclusion filters.

use serde_json::{Value, json};

use super::helpers::{TestApp, slugs, spawn_app};
use super::list;

/// Ada, two sections, and five published articles: three in Science (one
/// of them also tagged Climate), two in Climate.
async fn newsroom(app: &TestApp) {
    app.post(
        "/v1/authors",
        &app.editor(),
        json!({"name": "Ada", "bio": "Science desk.", "website": "https://ada.example.com",
               "social": {"mastodon": "@ada@example.social"}}),
    )
    .await
    .ok(201);
    for (slug, tags, published) in [
        ("reefs", vec!["Science", "Climate"], "2026-01-01T08:00:00Z"),
        ("comets", vec!["Science"], "2026-01-02T08:00:00Z"),
        ("genes", vec!["Science"], "2026-01-03T08:00:00Z"),
        ("floods", vec!["Climate", "Science"], "2026-01-04T08:00:00Z"),
        ("heat", vec!["Climate"], "2026-01-05T08:00:00Z"),
    ] {
        app.create_article(json!({
            "title": slug, "slug": slug, "authors": ["ada"], "tags": tags,
            "status": "published", "published_at": published,
        }))
        .await;
    }
}

#[actix_web::test]
async fn primary_tag_lists_a_section_and_exclude_leaves_articles_out() {
    let Some(app) = spawn_app().await else {
        return;
    };
    newsroom(&app).await;
    assert_eq!(
        slugs(&list(&app, "?tag=science").await),
        ["floods", "genes", "comets", "reefs"]
    );
    assert_eq!(
        slugs(&list(&app, "?primary_tag=science").await),
        ["genes", "comets", "reefs"]
    );
    let comets = list(&app, "?primary_tag=science").await["data"][1]["id"].clone();
    assert_eq!(
        slugs(&list(&app, &format!("?primary_tag=science&exclude={comets}&exclude=genes")).await),
        ["reefs"]
    );
    // Both paging modes see the same filtered list.
    let first = list(&app, "?primary_tag=science&exclude=genes&per_page=1").await;
    assert_eq!(first["meta"]["total"], 2);
    let cursor = first["meta"]["next_cursor"].as_str().unwrap().to_owned();
    let second = list(
        &app,
        &format!("?primary_tag=science&exclude=genes&per_page=1&cursor={cursor}"),
    )
    .await;
    assert_eq!(slugs(&second), ["reefs"]);
    let many = (0..21).map(|i| format!("exclude={i}")).collect::<Vec<_>>().join("&");
    app.get(&format!("/v1/articles?{many}")).await.problem(400);
}

#[actix_web::test]
async fn include_embeds_what_an_article_page_needs_in_one_request() {
    let Some(app) = spawn_app().await else {
        return;
    };
    newsroom(&app).await;
    app.patch(
        "/v1/articles/genes",
        &app.editor(),
        json!({"related": [
            {"article": "comets", "kind": "read_next"},
            {"article": "heat", "kind": "also_read", "label": "Meanwhile"},
            {"article": "floods", "kind": "read_next"},
        ]}),
    )
    .await
    .ok(200);
    let plain = app.get("/v1/articles/genes").await.ok(200);
    assert!(plain.get("related_groups").is_none() && plain.get("more_in_section").is_none());
    assert!(plain["authors"][0].get("bio").is_none());

    let page = app
        .get("/v1/articles/genes?include=authors.full,related.suggested,related.groups,more_in_section&suggest=1&more=5")
        .await
        .ok(200);
    let author = &page["authors"][0];
    assert_eq!(author["bio"], "Science desk.");
    assert_eq!(author["website"], "https://ada.example.com");
    assert_eq!(author["social"]["mastodon"], "@ada@example.social");

    let related = page["related"].as_array().unwrap();
    assert_eq!(related.len(), 4, "three curated links and one suggestion");
    assert_eq!(related[3]["kind"], "suggested");
    assert_eq!(related[3]["position"], Value::Null);
    assert_eq!(related[3]["article"]["slug"], "reefs", "shares the most tags");

    let groups = page["related_groups"].as_array().unwrap();
    let headings: Vec<(&str, &str, usize)> = groups
        .iter()
        .map(|g| {
            (
                g["kind"].as_str().unwrap(),
                g["heading"].as_str().unwrap(),
                g["links"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(
        headings,
        [
            ("read_next", "Read next", 2),
            ("also_read", "Also read", 1),
            ("suggested", "Suggested", 1)
        ]
    );
    assert_eq!(groups[1]["links"][0]["label"], "Meanwhile", "an editor's label wins");

    assert_eq!(slugs(&json!({"data": page["more_in_section"]})), ["comets", "reefs"]);

    // `fields` keeps what `include` adds.
    let trimmed = app
        .get("/v1/articles/genes?fields=title&include=more_in_section")
        .await
        .ok(200);
    let mut keys: Vec<&str> = trimmed.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["id", "more_in_section", "title"]);

    let problem = app.get("/v1/articles/genes?include=comments").await.problem(400);
    assert!(problem["detail"].as_str().unwrap().contains("more_in_section"));
    // A list offers only what it can embed in a fixed number of statements.
    app.get("/v1/articles?include=more_in_section").await.problem(400);
    let listed = list(&app, "?include=authors.full&per_page=1").await;
    assert_eq!(listed["data"][0]["authors"][0]["bio"], "Science desk.");
}

#[actix_web::test]
async fn page_fields_fall_back_to_title_excerpt_and_feature_image() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let article = app
        .create_article(json!({
            "title": "Rivers rising", "excerpt": "The water came at night.",
            "feature_image": {"url": "https://cdn.example.com/river.jpg"},
        }))
        .await;
    let seo = &article["seo"];
    assert_eq!(seo["meta_title"], "Rivers rising");
    assert_eq!(seo["meta_description"], "The water came at night.");
    assert_eq!(seo["og_title"], "Rivers rising");
    assert_eq!(seo["og_description"], "The water came at night.");
    assert_eq!(seo["og_image"], "https://cdn.example.com/river.jpg");
    assert_eq!(seo["canonical_url"], Value::Null);
    assert_eq!(article["meta_title"], Value::Null);

    let path = format!("/v1/articles/{}", article["id"]);
    let edited = app
        .patch(
            &path,
            &app.editor(),
            json!({"meta_title": "Rivers rising | The Ledger", "og_description": "Night flood.",
                   "og_image": "https://cdn.example.com/card.jpg",
                   "canonical_url": "https://partner.example.com/rivers"}),
        )
        .await
        .ok(200);
    let seo = &edited["seo"];
    assert_eq!(seo["meta_title"], "Rivers rising | The Ledger");
    assert_eq!(seo["og_title"], "Rivers rising | The Ledger", "og_title falls back to meta_title");
    assert_eq!(seo["og_description"], "Night flood.");
    assert_eq!(seo["og_image"], "https://cdn.example.com/card.jpg");
    assert_eq!(seo["canonical_url"], "https://partner.example.com/rivers");
    assert_eq!(edited["meta_title"], "Rivers rising | The Ledger");

    for (field, bad) in [("og_image", "javascript:alert(1)"), ("canonical_url", "/relative")] {
        let problem = app
            .patch(&path, &app.editor(), json!({ field: bad }))
            .await
            .problem(422);
        assert_eq!(problem["errors"][0]["field"], field);
    }
    app.patch(&path, &app.editor(), json!({"seo": {}})).await.problem(400);

    // Lists carry the page fields only when `fields` asks.
    let token = app.editor();
    let listed = app
        .get_as("/v1/articles?status=any", &token)
        .await
        .ok(200);
    assert!(listed["data"][0].get("seo").is_none());
    let asked = app
        .get_as("/v1/articles?status=any&fields=seo,meta_title", &token)
        .await
        .ok(200);
    assert_eq!(asked["data"][0]["seo"]["og_description"], "Night flood.");
    assert_eq!(asked["data"][0]["meta_title"], "Rivers rising | The Ledger");
}

#[actix_web::test]
async fn a_homepage_comes_from_one_request_with_sections_in_the_editors_order() {
    let Some(app) = spawn_app().await else {
        return;
    };
    newsroom(&app).await;
    app.create_tag("Culture").await;
    app.create_article(json!({"title": "Draft", "tags": ["Culture"]})).await;
    let tag = app
        .patch("/v1/tags/climate", &app.editor(), json!({"section_position": 1}))
        .await
        .ok(200);
    assert_eq!(tag["section_position"], 1);
    app.patch("/v1/tags/climate", &app.editor(), json!({"section_position": 0}))
        .await
        .problem(422);

    let page = app.get("/v1/sections?articles=2").await.ok(200);
    assert!(page.get("latest").is_none());
    let blocks: Vec<(String, Vec<String>)> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["slug"].as_str().unwrap().to_owned(), slugs(&json!({"data": s["articles"]}))))
        .collect();
    assert_eq!(
        blocks,
        [
            ("climate".to_owned(), vec!["heat".to_owned(), "floods".to_owned()]),
            ("science".to_owned(), vec!["genes".to_owned(), "comets".to_owned()]),
        ],
        "Climate is ordered first; Culture has no public article"
    );

    let deduped = app
        .get("/v1/sections?articles=2&latest=2&dedupe=true&include=authors.full")
        .await
        .ok(200);
    assert_eq!(slugs(&json!({"data": deduped["latest"]})), ["heat", "floods"]);
    assert_eq!(slugs(&json!({"data": deduped["data"][0]["articles"]})), Vec::<String>::new());
    assert_eq!(slugs(&json!({"data": deduped["data"][1]["articles"]})), ["genes", "comets"]);
    assert_eq!(deduped["latest"][0]["authors"][0]["bio"], "Science desk.");

    let repeated = app.get("/v1/sections?articles=1&latest=1").await.ok(200);
    assert_eq!(slugs(&json!({"data": repeated["data"][0]["articles"]})), ["heat"]);
    let first = app.get("/v1/sections?sections=1").await.ok(200);
    assert_eq!(first["data"].as_array().unwrap().len(), 1);
    assert_eq!(first["data"][0]["slug"], "climate");
    app.get("/v1/sections?dedupe=yes").await.problem(400);
    app.get("/v1/sections?articles=21").await.problem(400);
}
