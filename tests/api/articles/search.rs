//! Full-text search, `GET /v1/articles?q=`: which fields it reads, ranking,
//! prefixes and accents, text that looks like query syntax, and a body of
//! many distinct words.

use serde_json::{Value, json};

use super::helpers::spawn_app;
use super::lists::walk;

#[actix_web::test]
async fn search_finds_words_in_title_subtitle_and_body_ranking_titles_first() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.create_author("Ada").await;
    for (title, subtitle, body) in [
        ("Budget vote", "Parliament", "Lawmakers met."),
        (
            "Weather",
            "Floods expected",
            "The budget for repairs is small.",
        ),
        ("Sport", "Budget cuts hit clubs", "Nothing else."),
        ("Crème brûlée", "Dessert", "Sugar."),
    ] {
        app.create_article(json!({"title": title, "subtitle": subtitle, "body": body,
            "status": "published", "authors": ["ada"]}))
            .await;
    }
    let titles = |page: Value| -> Vec<String> {
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let found = titles(app.get("/v1/articles?q=budget").await.ok(200));
    assert_eq!(
        found,
        vec!["Budget vote", "Sport", "Weather"],
        "title, then subtitle, then body"
    );
    assert_eq!(
        titles(app.get("/v1/articles?q=creme").await.ok(200)),
        vec!["Crème brûlée"]
    );
    assert_eq!(
        titles(app.get("/v1/articles?q=budg").await.ok(200)).len(),
        3,
        "words match as prefixes"
    );
    assert_eq!(
        titles(app.get("/v1/articles?q=budget%20floods").await.ok(200)),
        vec!["Weather"]
    );
    let by_title = titles(app.get("/v1/articles?q=budget&sort=title").await.ok(200));
    assert_eq!(by_title, vec!["Budget vote", "Sport", "Weather"]);
    let walked = walk(&app, None, "q=budget").await;
    assert_eq!(walked.len(), 3);
    app.get("/v1/articles?sort=relevance").await.problem(400);
}

#[actix_web::test]
async fn search_text_is_never_query_syntax() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.publish("Near the river", "ada", &["News"]).await;
    for q in [
        "\"",
        "\"unbalanced",
        "*",
        "river*",
        "NEAR(river the)",
        "-river",
        "title:river",
        "river OR",
        "AND",
        "(",
        ")",
        "'; DROP TABLE articles; --",
        "^river",
        "{title}: x",
        "%",
        "_",
        "\\",
        "💥",
        "  ",
        "a\"b\"c",
        "river NOT near",
    ] {
        let path = format!("/v1/articles?q={}&tag=news", url_encode(q));
        let reply = app.get(&path).await;
        assert_eq!(
            reply.status,
            200,
            "q={q:?}: {}",
            String::from_utf8_lossy(&reply.body)
        );
    }
    let found = app
        .get(&format!("/v1/articles?q={}", url_encode("\"river\" NEAR")))
        .await
        .ok(200);
    assert_eq!(found["data"][0]["title"], "Near the river");
    assert_eq!(
        app.get("/v1/articles").await.ok(200)["meta"]["total"],
        1,
        "nothing was dropped"
    );
}

fn url_encode(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[actix_web::test]
async fn a_body_of_many_distinct_words_near_the_size_limit_is_saved_and_searchable() {
    let Some(app) = spawn_app().await else {
        return;
    };
    // 30,000 distinct 32-character words: just under the 1 MiB body limit,
    // and more than a PostgreSQL tsvector (1 MB) could hold whole.
    let words: Vec<String> = (0..30_000u32)
        .map(|i| {
            format!(
                "w{:031x}",
                u128::from(i).wrapping_mul(0x9e37_79b9_7f4a_7c15)
            )
        })
        .collect();
    let body = format!("marmalade {}", words.join(" "));
    assert!(body.len() < 1024 * 1024 - 1024);
    let created = app
        .create_article(json!({
            "title": "A very long piece",
            "body": body,
            "status": "published",
            "authors": [app.create_author("Ada").await["slug"]],
        }))
        .await;
    let found = app
        .get("/v1/articles?q=marmalade&fields=slug")
        .await
        .ok(200);
    assert_eq!(found["data"][0]["slug"], created["slug"]);
}
