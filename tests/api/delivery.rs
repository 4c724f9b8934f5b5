//! The read path frontends live on: keyset paging, sparse fields, full-text
//! search, HTTP caching and safe concurrent edits.

use std::collections::HashSet;

use awc::http::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

fn ids(page: &Value) -> Vec<i64> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect()
}

/// Every id of a list, following `next_cursor` from the first page.
async fn walk(app: &TestApp, token: Option<&str>, query: &str) -> Vec<i64> {
    let mut seen = Vec::new();
    let mut path = format!("/v1/articles?per_page=2&{query}");
    for _ in 0..100 {
        let reply = app.request(Method::GET, &path, token, &[], None).await;
        let page = reply.ok(200);
        seen.extend(ids(&page));
        match page["meta"]["next_cursor"].as_str() {
            Some(cursor) => {
                let link = reply
                    .header("link")
                    .expect("a Link header while there is more");
                let paged_by_cursor = path.contains("cursor=");
                assert!(link.contains("cursor=") || !paged_by_cursor, "{link}");
                path = format!("/v1/articles?per_page=2&{query}&cursor={cursor}");
            }
            None => return seen,
        }
    }
    panic!("the walk did not end: {seen:?}");
}

async fn newsroom(app: &TestApp) {
    let dates = [
        "2024-01-01T00:00:00Z",
        "2024-01-02T00:00:00Z",
        "2024-01-02T00:00:00Z",
        "2024-01-03T00:00:00Z",
        "2024-01-02T00:00:00Z",
    ];
    for (i, at) in dates.iter().enumerate() {
        let title = ["Bravo", "alpha", "Charlie", "alpha", "Delta"][i];
        app.create_article(json!({
            "title": title, "status": "published", "authors": ["ada"], "published_at": at,
        }))
        .await;
    }
    app.create_article(json!({"title": "Draft one"})).await;
    app.create_article(json!({"title": "Draft two"})).await;
}

#[actix_web::test]
async fn cursor_paging_visits_every_item_once_for_every_sort() {
    let app = spawn_app().await;
    app.create_author("Ada").await;
    newsroom(&app).await;
    let editor = app.editor();
    for sort in [
        "-published_at",
        "published_at",
        "-updated_at",
        "updated_at",
        "title",
        "-title",
    ] {
        for (token, status) in [(None, "published"), (Some(editor.as_str()), "any")] {
            let query = format!("sort={sort}&status={status}");
            let expected = ids(&app
                .request(
                    Method::GET,
                    &format!("/v1/articles?per_page=100&{query}"),
                    token,
                    &[],
                    None,
                )
                .await
                .ok(200));
            let walked = walk(&app, token, &query).await;
            assert_eq!(walked, expected, "{query}");
        }
    }
}

#[actix_web::test]
async fn cursor_pages_carry_only_per_page_and_next_cursor() {
    let app = spawn_app().await;
    app.create_author("Ada").await;
    newsroom(&app).await;
    let first = app.get("/v1/articles?per_page=2").await.ok(200);
    let cursor = first["meta"]["next_cursor"].as_str().unwrap();
    let second = app
        .get(&format!("/v1/articles?per_page=2&cursor={cursor}"))
        .await
        .ok(200);
    assert_eq!(
        second["meta"].as_object().unwrap().len(),
        2,
        "{}",
        second["meta"]
    );
    assert_eq!(second["meta"]["per_page"], 2);
    let last = app.get("/v1/articles?per_page=100").await.ok(200);
    assert_eq!(last["meta"]["next_cursor"], Value::Null);
}

#[actix_web::test]
async fn cursor_paging_is_stable_while_articles_come_and_go() {
    let app = spawn_app().await;
    for i in 0..9 {
        app.publish(&format!("Story {i}"), "ada", &[]).await;
    }
    let first = app.get("/v1/articles?per_page=3").await.ok(200);
    let mut seen = ids(&first);
    let before: Vec<i64> = ids(&app.get("/v1/articles?per_page=100").await.ok(200));
    // While the reader is on page one: a new story lands at the top, and one
    // they have not reached yet is deleted.
    app.publish("Breaking", "ada", &[]).await;
    let deleted = before[5];
    assert_eq!(
        app.delete(&format!("/v1/articles/{deleted}"), &app.editor())
            .await
            .status,
        204
    );
    let mut cursor = first["meta"]["next_cursor"].as_str().map(str::to_owned);
    while let Some(c) = cursor {
        let page = app
            .get(&format!("/v1/articles?per_page=3&cursor={c}"))
            .await
            .ok(200);
        seen.extend(ids(&page));
        cursor = page["meta"]["next_cursor"].as_str().map(str::to_owned);
    }
    let unique: HashSet<i64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "an item was repeated: {seen:?}");
    for id in before.iter().filter(|id| **id != deleted) {
        assert!(unique.contains(id), "{id} was skipped: {seen:?}");
    }
}

#[actix_web::test]
async fn bad_cursors_are_400() {
    let app = spawn_app().await;
    app.publish("One", "ada", &[]).await;
    app.publish("Two", "ada", &[]).await;
    let cursor = app.get("/v1/articles?per_page=1").await.ok(200)["meta"]["next_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    for (case, query) in [
        ("page with cursor", format!("page=2&cursor={cursor}")),
        ("garbage", "cursor=not-a-cursor".to_owned()),
        (
            "another sort's cursor",
            format!("sort=title&cursor={cursor}"),
        ),
    ] {
        let reply = app.get(&format!("/v1/articles?{query}")).await;
        assert_eq!(reply.status, 400, "{case}");
        reply.problem(400);
    }
}

#[actix_web::test]
async fn authors_and_tags_page_by_cursor_too() {
    let app = spawn_app().await;
    for name in ["Cy", "Ann", "Bo", "Di", "Ed"] {
        app.create_author(name).await;
        app.create_tag(name).await;
    }
    for resource in ["authors", "tags"] {
        let mut names = Vec::new();
        let mut path = format!("/v1/{resource}?per_page=2");
        loop {
            let page = app.get(&path).await.ok(200);
            names.extend(
                page["data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a["name"].as_str().unwrap().to_owned()),
            );
            match page["meta"]["next_cursor"].as_str() {
                Some(c) => path = format!("/v1/{resource}?per_page=2&cursor={c}"),
                None => break,
            }
        }
        assert_eq!(names, vec!["Ann", "Bo", "Cy", "Di", "Ed"], "{resource}");
    }
}

#[actix_web::test]
async fn fields_trims_lists_and_details_and_id_is_always_there() {
    let app = spawn_app().await;
    let target = app.publish("Target", "ada", &[]).await;
    let article = app
        .create_article(
            json!({"title": "Source", "status": "published", "authors": ["ada"],
            "related": [{"article": target["id"], "kind": "read_next"}]}),
        )
        .await;
    let list = app
        .get("/v1/articles?fields=title,body,related")
        .await
        .ok(200);
    let first = list["data"][0].as_object().unwrap();
    let keys: HashSet<&str> = first.keys().map(String::as_str).collect();
    assert_eq!(keys, HashSet::from(["id", "title", "body", "related"]));
    assert_eq!(first["body"], "Some text.", "a body asked for is loaded");
    assert_eq!(first["related"][0]["article"]["id"], target["id"]);
    let html = app.get("/v1/articles?fields=body_html").await.ok(200);
    assert_eq!(html["data"][0]["body_html"], "<p>Some text.</p>\n");
    let detail = app
        .get(&format!("/v1/articles/{}?fields=slug", article["id"]))
        .await
        .ok(200);
    assert_eq!(detail, json!({"id": article["id"], "slug": "source"}));
    let unknown = app.get("/v1/articles?fields=title,nope").await.problem(400);
    assert!(unknown["detail"].as_str().unwrap().contains("nope"));
}

#[actix_web::test]
async fn search_finds_words_in_title_subtitle_and_body_ranking_titles_first() {
    let app = spawn_app().await;
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
    let app = spawn_app().await;
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
async fn public_reads_carry_validators_and_answer_304_when_unchanged() {
    let app = spawn_app_with_cache().await;
    let article = app.publish("Cached", "ada", &["News"]).await;
    for path in [
        format!("/v1/articles/{}", article["id"]),
        "/v1/articles".to_owned(),
        format!("/v1/articles/{}/related", article["id"]),
        "/v1/authors".to_owned(),
        "/v1/authors/ada".to_owned(),
        "/v1/authors/ada/articles".to_owned(),
        "/v1/tags".to_owned(),
        "/v1/tags/news".to_owned(),
        "/v1/tags/news/articles".to_owned(),
    ] {
        let reply = app.get(&path).await;
        assert_eq!(reply.status, 200, "{path}");
        let etag = reply
            .header("etag")
            .unwrap_or_else(|| panic!("{path} has no ETag"));
        assert!(etag.starts_with('"'), "{path}: a strong ETag, got {etag}");
        let last_modified = reply.header("last-modified").expect("Last-Modified");
        assert_eq!(
            reply.header("cache-control").as_deref(),
            Some("public, max-age=30, stale-while-revalidate=300"),
            "{path}"
        );
        assert_eq!(
            reply.header("vary").as_deref(),
            Some("Authorization, Accept-Encoding"),
            "{path}"
        );
        let again = app
            .request(Method::GET, &path, None, &[("If-None-Match", &etag)], None)
            .await;
        assert_eq!(again.status, 304, "{path}");
        assert!(again.body.is_empty());
        assert_eq!(again.header("etag"), Some(etag.clone()));
        let since = app
            .request(
                Method::GET,
                &path,
                None,
                &[("If-Modified-Since", &last_modified)],
                None,
            )
            .await;
        assert_eq!(since.status, 304, "{path}");
        let other = app
            .request(
                Method::GET,
                &path,
                None,
                &[("If-None-Match", "\"other\"")],
                None,
            )
            .await;
        assert_eq!(other.status, 200, "{path}");
        let private = app.get_as(&path, &app.editor()).await;
        assert_eq!(
            private.header("cache-control").as_deref(),
            Some("private, no-store"),
            "{path}"
        );
    }
}

async fn spawn_app_with_cache() -> TestApp {
    crate::helpers::spawn_app_with(&[
        ("CACHE_MAX_AGE", "30"),
        ("CACHE_STALE_WHILE_REVALIDATE", "300"),
    ])
    .await
}

#[actix_web::test]
async fn an_articles_etag_changes_when_anything_it_shows_changes() {
    let app = spawn_app().await;
    let target = app.publish("Target", "bo", &[]).await;
    app.post(
        "/v1/authors",
        &app.editor(),
        json!({"name": "Ada", "slug": "ada"}),
    )
    .await
    .ok(201);
    let article = app
        .create_article(
            json!({"title": "Main", "status": "published", "authors": ["ada"],
            "related": [{"article": target["id"], "kind": "also_read"}]}),
        )
        .await;
    let path = format!("/v1/articles/{}", article["id"]);
    let etag = || async { app.get(&path).await.header("etag").unwrap() };
    let original = etag().await;
    app.patch(
        "/v1/authors/ada",
        &app.editor(),
        json!({"name": "Ada Lovelace"}),
    )
    .await
    .ok(200);
    let after_author = etag().await;
    assert_ne!(after_author, original, "the author's name is shown");
    app.patch(
        &format!("/v1/articles/{}", target["id"]),
        &app.editor(),
        json!({"title": "Renamed"}),
    )
    .await
    .ok(200);
    assert_ne!(
        etag().await,
        after_author,
        "a linked article's title is shown"
    );
}

#[actix_web::test]
async fn a_hidden_draft_is_404_even_when_conditional() {
    let app = spawn_app().await;
    let draft = app.create_article(json!({"title": "Hidden"})).await;
    let path = format!("/v1/articles/{}", draft["id"]);
    let reply = app
        .request(Method::GET, &path, None, &[("If-None-Match", "*")], None)
        .await;
    reply.problem(404);
}

#[actix_web::test]
async fn writes_honour_if_match_and_answer_with_the_new_etag() {
    let app = spawn_app().await;
    let editor = app.editor();
    let article = app.create_article(json!({"title": "Edited twice"})).await;
    let path = format!("/v1/articles/{}", article["id"]);
    let current = app.get_as(&path, &editor).await.header("etag").unwrap();

    let first = app
        .request(
            Method::PATCH,
            &path,
            Some(&editor),
            &[("If-Match", &current)],
            Some((
                "application/json",
                br#"{"title": "First editor wins"}"#.to_vec(),
            )),
        )
        .await;
    first.ok(200);
    let new_etag = first
        .header("etag")
        .expect("writes answer with the new ETag");
    assert_eq!(
        Some(new_etag.clone()),
        app.get_as(&path, &editor).await.header("etag")
    );

    let stale = app
        .request(
            Method::PATCH,
            &path,
            Some(&editor),
            &[("If-Match", &current)],
            Some((
                "application/json",
                br#"{"title": "Second editor loses"}"#.to_vec(),
            )),
        )
        .await;
    stale.problem(412);
    assert_eq!(
        app.get_as(&path, &editor).await.json()["title"],
        "First editor wins"
    );

    let stale_delete = app
        .request(
            Method::DELETE,
            &path,
            Some(&editor),
            &[("If-Match", &current)],
            None,
        )
        .await;
    stale_delete.problem(412);
    let delete = app
        .request(
            Method::DELETE,
            &path,
            Some(&editor),
            &[("If-Match", &new_etag)],
            None,
        )
        .await;
    assert_eq!(delete.status, 204);

    for (resource, created) in [
        ("tags", app.create_tag("Kept").await),
        ("authors", app.create_author("Kept").await),
    ] {
        let path = format!("/v1/{resource}/{}", created["id"]);
        let reply = app
            .request(
                Method::PUT,
                &path,
                Some(&app.admin()),
                &[("If-Match", "\"stale\"")],
                Some(("application/json", br#"{"name": "Changed"}"#.to_vec())),
            )
            .await;
        reply.problem(412);
        assert_eq!(app.get(&path).await.json()["name"], "Kept", "{resource}");
        let star = app
            .request(
                Method::PUT,
                &path,
                Some(&app.admin()),
                &[("If-Match", "*")],
                Some(("application/json", br#"{"name": "Changed"}"#.to_vec())),
            )
            .await;
        assert_eq!(star.ok(200)["name"], "Changed", "{resource}");
    }
}

#[actix_web::test]
async fn cached_anonymous_reads_see_every_write_at_once() {
    let app = spawn_app().await;
    let article = app.publish("First title", "ada", &["News"]).await;
    let path = format!("/v1/articles/{}", article["id"]);
    for round in 0..5 {
        let title = format!("Title {round}");
        app.get(&path).await.ok(200);
        app.get("/v1/articles").await.ok(200);
        app.patch(&path, &app.editor(), json!({ "title": title }))
            .await
            .ok(200);
        assert_eq!(
            app.get(&path).await.ok(200)["title"],
            title.as_str(),
            "round {round}"
        );
        assert_eq!(
            app.get("/v1/articles").await.ok(200)["data"][0]["title"],
            title.as_str()
        );
    }
    let draft = app.create_article(json!({"title": "Not yet"})).await;
    let draft_path = format!("/v1/articles/{}", draft["id"]);
    app.get(&draft_path).await.problem(404);
    app.patch(
        &draft_path,
        &app.editor(),
        json!({"status": "published", "authors": ["ada"]}),
    )
    .await
    .ok(200);
    app.get(&draft_path).await.ok(200);
    app.delete(&draft_path, &app.editor()).await;
    app.get(&draft_path).await.problem(404);
    let etag = app.get(&path).await.header("etag").unwrap();
    let again = app
        .request(Method::GET, &path, None, &[("If-None-Match", &etag)], None)
        .await;
    assert_eq!(
        again.status, 304,
        "a cached representation still answers 304"
    );
    assert_eq!(again.header("etag"), Some(etag));
    assert!(again.header("x-request-id").is_some());
}

fn decoded(reply: &crate::helpers::Reply) -> Value {
    let mut out = Vec::new();
    match reply.header("content-encoding").as_deref() {
        Some("br") => brotli::BrotliDecompress(&mut &reply.body[..], &mut out).unwrap(),
        Some("gzip") => {
            std::io::Read::read_to_end(
                &mut flate2::read::GzDecoder::new(&reply.body[..]),
                &mut out,
            )
            .unwrap();
        }
        None => out = reply.body.clone(),
        Some(other) => panic!("unexpected coding {other}"),
    };
    serde_json::from_slice(&out).unwrap()
}

#[actix_web::test]
async fn large_reads_are_compressed_as_the_client_asks_and_every_tag_validates() {
    let app = spawn_app().await;
    for i in 0..12 {
        app.publish(&format!("Harbour story {i}"), "ada", &["News", "Science"])
            .await;
    }
    let plain = app.get("/v1/articles?per_page=12").await;
    assert_eq!(
        plain.header("content-encoding"),
        None,
        "no Accept-Encoding, no coding"
    );
    let identity_tag = plain.header("etag").unwrap();
    assert!(plain.body.len() > 1024);
    let get = |coding: &'static str, headers: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let mut all: Vec<(&str, &str)> = vec![("Accept-Encoding", coding)];
            all.extend(headers.iter().map(|(k, v)| (*k, v.as_str())));
            app.request(Method::GET, "/v1/articles?per_page=12", None, &all, None)
                .await
        }
    };
    for (accept, coding) in [
        ("gzip, deflate, br", "br"),
        ("gzip", "gzip"),
        ("br;q=0, gzip;q=0.5", "gzip"),
    ] {
        let reply = get(accept, vec![]).await;
        assert_eq!(reply.status, 200);
        assert_eq!(
            reply.header("content-encoding").as_deref(),
            Some(coding),
            "{accept}"
        );
        assert!(
            reply.body.len() < plain.body.len() / 2,
            "{accept}: compressed"
        );
        assert_eq!(decoded(&reply), plain.json(), "{accept}: the same content");
        let tag = reply.header("etag").unwrap();
        assert_eq!(
            tag,
            format!("{}-{coding}\"", identity_tag.trim_end_matches('"')),
            "{accept}"
        );
        assert!(reply.header("vary").unwrap().contains("Accept-Encoding"));
        // The coded tag, or the identity one, both say the copy is current;
        // the 304 carries the tag of the representation it stands for.
        for sent in [tag.clone(), identity_tag.clone()] {
            let again = get(accept, vec![("If-None-Match", sent.clone())]).await;
            assert_eq!(again.status, 304, "{accept} with {sent}");
            assert_eq!(again.header("etag"), Some(tag.clone()));
            assert!(again.body.is_empty());
        }
    }
    // A small body is sent as it is.
    let small = app
        .request(
            Method::GET,
            "/v1/tags/news",
            None,
            &[("Accept-Encoding", "br")],
            None,
        )
        .await;
    assert_eq!(small.status, 200);
    assert_eq!(small.header("content-encoding"), None);

    // Reads with a token are compressed too, never shared.
    let editor = app.editor();
    let private = app
        .request(
            Method::GET,
            "/v1/articles?per_page=12&status=any",
            Some(&editor),
            &[("Accept-Encoding", "gzip")],
            None,
        )
        .await;
    assert_eq!(private.header("content-encoding").as_deref(), Some("gzip"));
    assert_eq!(
        private.header("cache-control").as_deref(),
        Some("private, no-store")
    );
    assert_eq!(decoded(&private)["data"].as_array().unwrap().len(), 12);
    let tag = private.header("etag").unwrap();
    let again = app
        .request(
            Method::GET,
            "/v1/articles?per_page=12&status=any",
            Some(&editor),
            &[("Accept-Encoding", "gzip"), ("If-None-Match", &tag)],
            None,
        )
        .await;
    assert_eq!(again.status, 304);

    // A tag of a compressed representation is a valid If-Match for it.
    let detail = app.get_as("/v1/articles/harbour-story-3", &editor).await;
    let tag = detail.header("etag").unwrap();
    let tag = format!("{}-br\"", tag.trim_end_matches('"'));
    let patched = app
        .request(
            Method::PATCH,
            "/v1/articles/harbour-story-3",
            Some(&editor),
            &[("If-Match", &tag)],
            Some((
                "application/merge-patch+json",
                br#"{"subtitle": "Now with a subtitle"}"#.to_vec(),
            )),
        )
        .await;
    assert_eq!(
        patched.status,
        200,
        "{}",
        String::from_utf8_lossy(&patched.body)
    );
}

#[actix_web::test]
async fn a_body_of_many_distinct_words_near_the_size_limit_is_saved_and_searchable() {
    let app = spawn_app().await;
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
