//! `GET /v1/articles`: order, filters, who sees which status, page meta and
//! links, cursor paging, `fields` (on lists and on one article) and the
//! public total.

use std::collections::HashSet;

use awc::http::Method;
use serde_json::{Value, json};

use super::helpers::{TestApp, slugs, spawn_app};
use super::list;

fn ids(page: &Value) -> Vec<i64> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect()
}

/// Every id of a list, following `next_cursor` from the first page.
pub(super) async fn walk(app: &TestApp, token: Option<&str>, query: &str) -> Vec<i64> {
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

/// The public list's `meta.total`, checked against what the list holds.
async fn public_total(app: &TestApp) -> i64 {
    let page = app.get("/v1/articles?per_page=100").await.ok(200);
    let total = page["meta"]["total"].as_i64().unwrap();
    assert_eq!(total as usize, page["data"].as_array().unwrap().len());
    total
}

#[actix_web::test]
async fn lists_are_newest_first_with_authors_and_tags_but_no_bodies() {
    let Some(app) = spawn_app().await else {
        return;
    };
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
    let Some(app) = spawn_app().await else {
        return;
    };
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
async fn date_bounds_are_exactly_a_timestamp_or_a_padded_date() {
    let Some(app) = spawn_app().await else {
        return;
    };
    for (name, value) in [
        ("published_after", "2020-1-1"),
        ("published_after", "2020-01-01T10:00"),
        ("published_before", "+2020-01-01"),
        ("published_before", "2020-02-30"),
        ("published_before", "2020/01/01"),
    ] {
        let problem = app
            .get(&format!("/v1/articles?{name}={}", value.replace('+', "%2B")))
            .await
            .problem(400);
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains(name), "{name}={value}: {detail}");
    }
    for good in ["2020-01-01", "2020-01-01T10:00:00Z", "2020-01-01T10:00:00%2B02:00"] {
        list(&app, &format!("?published_after={good}")).await;
    }
}

#[actix_web::test]
async fn the_status_filter_depends_on_the_role() {
    let Some(app) = spawn_app().await else {
        return;
    };
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
async fn pages_carry_meta_and_a_next_link() {
    let Some(app) = spawn_app().await else {
        return;
    };
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
async fn cursor_paging_visits_every_item_once_for_every_sort() {
    let Some(app) = spawn_app().await else {
        return;
    };
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
    let Some(app) = spawn_app().await else {
        return;
    };
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
    let Some(app) = spawn_app().await else {
        return;
    };
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
    let Some(app) = spawn_app().await else {
        return;
    };
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
async fn fields_trims_lists_and_details_and_id_is_always_there() {
    let Some(app) = spawn_app().await else {
        return;
    };
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
async fn the_public_total_follows_every_change_of_status() {
    let Some(app) = spawn_app().await else {
        return;
    };
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
