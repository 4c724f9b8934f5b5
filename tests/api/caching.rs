//! HTTP caching on every read route: ETags and Last-Modified, 304s,
//! Cache-Control, reads that see every write at once, If-Match on writes
//! (412), and compressed responses with their own ETags.

use awc::http::Method;
use serde_json::{Value, json};

use super::helpers::{Reply, TestApp, spawn_app, spawn_app_with};

/// An app whose public reads may be cached by clients and proxies.
async fn spawn_app_with_cache() -> Option<TestApp> {
    spawn_app_with(&[
        ("CACHE_MAX_AGE", "30"),
        ("CACHE_STALE_WHILE_REVALIDATE", "300"),
    ])
    .await
}

#[actix_web::test]
async fn public_reads_carry_validators_and_answer_304_when_unchanged() {
    let Some(app) = spawn_app_with_cache().await else {
        return;
    };
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

#[actix_web::test]
async fn an_articles_etag_changes_when_anything_it_shows_changes() {
    let Some(app) = spawn_app().await else {
        return;
    };
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
    let Some(app) = spawn_app().await else {
        return;
    };
    let draft = app.create_article(json!({"title": "Hidden"})).await;
    let path = format!("/v1/articles/{}", draft["id"]);
    let reply = app
        .request(Method::GET, &path, None, &[("If-None-Match", "*")], None)
        .await;
    reply.problem(404);
}

#[actix_web::test]
async fn writes_honour_if_match_and_answer_with_the_new_etag() {
    let Some(app) = spawn_app().await else {
        return;
    };
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

    // A body that is wrong as well hears about the body first; nothing changes.
    let stale_and_invalid = app
        .request(
            Method::PATCH,
            &path,
            Some(&editor),
            &[("If-Match", &current)],
            Some(("application/json", br#"{"title": ""}"#.to_vec())),
        )
        .await;
    stale_and_invalid.problem(422);
    assert_eq!(
        app.get_as(&path, &editor).await.header("etag"),
        Some(new_etag.clone())
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
    let Some(app) = spawn_app().await else {
        return;
    };
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

fn decoded(reply: &Reply) -> Value {
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
    let Some(app) = spawn_app().await else {
        return;
    };
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
