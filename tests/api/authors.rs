//! Authors: create, read, list, replace, merge, delete, who may see `email`,
//! and the articles credited to an author, all through the HTTP API.

use awc::http::Method;
use serde_json::{Value, json};

use super::helpers::{
    assert_timestamp, error_fields, names, next_link, slugs, spawn_app,
};

/// True when the 422 names `field` itself or one of its members (`social.x`).
fn names_field(problem: &Value, field: &str) -> bool {
    error_fields(problem)
        .iter()
        .any(|f| f == field || f.starts_with(&format!("{field}.")))
}

fn ada() -> Value {
    json!({
        "name": "Ada Okafor",
        "bio": "Science desk.",
        "avatar_url": "https://cdn.example.com/ada.jpg",
        "website": "http://ada.example.com/",
        "email": "ada@example.com",
        "social": {"mastodon": "@ada@example.social", "github": "https://github.com/ada"},
    })
}

#[actix_web::test]
async fn creating_an_author_answers_201_with_its_location_and_every_field() {
    let Some(app) = spawn_app().await else {
        return;
    };

    let reply = app.post("/v1/authors", &app.editor(), ada()).await;

    let author = reply.ok(201);
    assert_eq!(
        reply.header("location").as_deref(),
        Some("/v1/authors/ada-okafor")
    );
    assert!(author["id"].is_i64(), "{author}");
    assert_eq!(author["slug"], "ada-okafor");
    assert_eq!(author["name"], "Ada Okafor");
    assert_eq!(author["bio"], "Science desk.");
    assert_eq!(author["avatar_url"], "https://cdn.example.com/ada.jpg");
    assert_eq!(author["website"], "http://ada.example.com/");
    assert_eq!(
        author["email"], "ada@example.com",
        "the editor who created it sees the email"
    );
    assert_eq!(author["social"], ada()["social"]);
    assert_eq!(author["article_count"], 0);
    assert_timestamp(&author["created_at"]);
    assert_timestamp(&author["updated_at"]);
    let location = reply.header("location").unwrap();
    assert_eq!(app.get_as(&location, &app.editor()).await.ok(200), author);

    let minimal = app
        .post("/v1/authors", &app.admin(), json!({"name": "Bo Lind"}))
        .await
        .ok(201);
    assert_eq!(minimal["bio"], Value::Null);
    assert_eq!(minimal["avatar_url"], Value::Null);
    assert_eq!(minimal["website"], Value::Null);
    assert_eq!(minimal["email"], Value::Null);
    assert_eq!(minimal["social"], json!({}));
}

#[actix_web::test]
async fn an_author_slug_is_derived_from_the_name_and_numbered_when_taken() {
    let Some(app) = spawn_app().await else {
        return;
    };
    for (name, slug) in [
        ("Ada Okafor", "ada-okafor"),
        ("Ada Okafor", "ada-okafor-2"),
        ("ada   okafor!", "ada-okafor-3"),
        ("Zoë Ångström", "zoe-angstrom"),
        ("Łukasz Żółć", "lukasz-zolc"),
        ("007", "author-007"),
    ] {
        let reply = app
            .post("/v1/authors", &app.editor(), json!({ "name": name }))
            .await;
        assert_eq!(
            reply.status,
            201,
            "{name:?}: {}",
            String::from_utf8_lossy(&reply.body)
        );
        assert_eq!(reply.json()["slug"], slug, "{name:?}");
        assert_eq!(
            reply.header("location"),
            Some(format!("/v1/authors/{slug}")),
            "{name:?}"
        );
    }
    assert_eq!(app.get("/v1/authors").await.ok(200)["meta"]["total"], 6);
}

#[actix_web::test]
async fn an_explicit_author_slug_that_is_taken_is_409() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.create_author("Ada Okafor").await;
    let bo = app.create_author("Bo Lind").await;

    app.post(
        "/v1/authors",
        &app.editor(),
        json!({"name": "Ada Two", "slug": "ada-okafor"}),
    )
    .await
    .problem(409);
    app.patch(
        &format!("/v1/authors/{}", bo["id"]),
        &app.editor(),
        json!({"slug": "ada-okafor"}),
    )
    .await
    .problem(409);
    app.put(
        "/v1/authors/bo-lind",
        &app.editor(),
        json!({"name": "Bo", "slug": "ada-okafor"}),
    )
    .await
    .problem(409);

    let list = app.get("/v1/authors").await.ok(200);
    assert_eq!(
        slugs(&list),
        ["ada-okafor", "bo-lind"],
        "nothing was written"
    );
    assert_eq!(list["data"][1]["name"], "Bo Lind");
}

#[actix_web::test]
async fn invalid_author_payloads_are_422_naming_the_failing_field() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let seventeen: serde_json::Map<String, Value> = (0..17)
        .map(|i| (format!("net{i}"), json!("@ada")))
        .collect();
    let cases = [
        ("no name", json!({"bio": "x"}), "name"),
        ("null name", json!({"name": null}), "name"),
        ("empty name", json!({"name": ""}), "name"),
        ("blank name", json!({"name": "   "}), "name"),
        (
            "121-character name",
            json!({"name": "n".repeat(121)}),
            "name",
        ),
        ("numeric name", json!({"name": 5}), "name"),
        (
            "uppercase slug",
            json!({"name": "A", "slug": "Ada"}),
            "slug",
        ),
        (
            "all-digit slug",
            json!({"name": "A", "slug": "007"}),
            "slug",
        ),
        (
            "slug with an underscore",
            json!({"name": "A", "slug": "ada_o"}),
            "slug",
        ),
        (
            "slug with a leading hyphen",
            json!({"name": "A", "slug": "-ada"}),
            "slug",
        ),
        (
            "121-character slug",
            json!({"name": "A", "slug": "a".repeat(121)}),
            "slug",
        ),
        ("numeric bio", json!({"name": "A", "bio": 3}), "bio"),
        (
            "ftp avatar",
            json!({"name": "A", "avatar_url": "ftp://cdn.example.com/a.jpg"}),
            "avatar_url",
        ),
        (
            "javascript avatar",
            json!({"name": "A", "avatar_url": "javascript:alert(1)"}),
            "avatar_url",
        ),
        (
            "data avatar",
            json!({"name": "A", "avatar_url": "data:image/png;base64,AAAA"}),
            "avatar_url",
        ),
        (
            "relative avatar",
            json!({"name": "A", "avatar_url": "/ada.jpg"}),
            "avatar_url",
        ),
        (
            "prose avatar",
            json!({"name": "A", "avatar_url": "not a url"}),
            "avatar_url",
        ),
        (
            "numeric avatar",
            json!({"name": "A", "avatar_url": 42}),
            "avatar_url",
        ),
        (
            "scheme-less website",
            json!({"name": "A", "website": "ada.example.com"}),
            "website",
        ),
        (
            "mailto website",
            json!({"name": "A", "website": "mailto:ada@example.com"}),
            "website",
        ),
        (
            "host-less website",
            json!({"name": "A", "website": "https://"}),
            "website",
        ),
        (
            "email without @",
            json!({"name": "A", "email": "ada.example.com"}),
            "email",
        ),
        (
            "email without a local part",
            json!({"name": "A", "email": "@example.com"}),
            "email",
        ),
        ("numeric email", json!({"name": "A", "email": 7}), "email"),
        (
            "social as a string",
            json!({"name": "A", "social": "@ada"}),
            "social",
        ),
        (
            "social as an array",
            json!({"name": "A", "social": ["@ada"]}),
            "social",
        ),
        (
            "numeric social handle",
            json!({"name": "A", "social": {"mastodon": 5}}),
            "social",
        ),
        (
            "object social handle",
            json!({"name": "A", "social": {"mastodon": {"h": "@ada"}}}),
            "social",
        ),
        (
            "uppercase network",
            json!({"name": "A", "social": {"Mastodon": "@ada"}}),
            "social",
        ),
        (
            "hyphenated network",
            json!({"name": "A", "social": {"mast-odon": "@ada"}}),
            "social",
        ),
        (
            "empty network",
            json!({"name": "A", "social": {"": "@ada"}}),
            "social",
        ),
        (
            "33-character network",
            json!({"name": "A", "social": {"n".repeat(33): "@ada"}}),
            "social",
        ),
        (
            "17 networks",
            json!({"name": "A", "social": seventeen}),
            "social",
        ),
    ];
    for (case, body, field) in cases {
        let reply = app.post("/v1/authors", &app.editor(), body).await;
        assert_eq!(
            reply.status,
            422,
            "{case}: {}",
            String::from_utf8_lossy(&reply.body)
        );
        let problem = reply.problem(422);
        assert!(
            names_field(&problem, field),
            "{case}: expected an error on '{field}', got {problem}"
        );
    }
    assert_eq!(
        app.get("/v1/authors").await.ok(200)["meta"]["total"],
        0,
        "nothing was created"
    );
}

#[actix_web::test]
async fn the_largest_valid_author_is_accepted() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let mut social: serde_json::Map<String, Value> = (0..15)
        .map(|i| (format!("net_{i}"), json!("@ada")))
        .collect();
    social.insert("a".repeat(32), json!("https://example.com/ada"));
    let name = "ü".repeat(120);

    let author = app
        .post(
            "/v1/authors",
            &app.editor(),
            json!({"name": name, "social": social}),
        )
        .await
        .ok(201);

    assert_eq!(author["name"], name);
    assert_eq!(author["social"], Value::Object(social));
}

#[actix_web::test]
async fn unknown_and_read_only_author_fields_are_400_naming_them() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.create_author("Ada Okafor").await;
    let cases = [
        (
            "a typo",
            json!({"name": "X", "webiste": "https://x.example"}),
            "webiste",
        ),
        ("id", json!({"name": "X", "id": 9}), "id"),
        (
            "article_count",
            json!({"name": "X", "article_count": 3}),
            "article_count",
        ),
        (
            "created_at",
            json!({"name": "X", "created_at": "2020-01-01T00:00:00Z"}),
            "created_at",
        ),
        (
            "updated_at",
            json!({"name": "X", "updated_at": "2020-01-01T00:00:00Z"}),
            "updated_at",
        ),
    ];
    for (case, body, field) in cases {
        for (method, path) in [
            (Method::POST, "/v1/authors"),
            (Method::PUT, "/v1/authors/ada-okafor"),
            (Method::PATCH, "/v1/authors/ada-okafor"),
        ] {
            let reply = app.send_as_editor(method.clone(), path, "application/json", &body).await;
            assert_eq!(
                reply.status,
                400,
                "{case} on {method}: {}",
                String::from_utf8_lossy(&reply.body)
            );
            let problem = reply.problem(400);
            let detail = problem["detail"].as_str().unwrap();
            assert!(detail.contains(field), "{case} on {method}: {detail}");
        }
    }
    assert_eq!(
        app.get("/v1/authors/ada-okafor").await.ok(200)["name"],
        "Ada Okafor"
    );
    assert_eq!(app.get("/v1/authors").await.ok(200)["meta"]["total"], 1);
}

#[actix_web::test]
async fn an_author_is_found_by_id_and_by_slug_and_unknown_keys_are_404() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let created = app.create_author("Ada Okafor").await;
    let token = app.editor();

    let by_id = app
        .get_as(&format!("/v1/authors/{}", created["id"]), &token)
        .await
        .ok(200);
    let by_slug = app.get_as("/v1/authors/ada-okafor", &token).await.ok(200);
    assert_eq!(by_id, created);
    assert_eq!(by_slug, created);
    app.get("/v1/authors/ada-okafor?q=ada").await.problem(400);

    let write = json!({"name": "Whatever"});
    for path in [
        "/v1/authors/nobody",
        "/v1/authors/9999",
        "/v1/authors/Ada-Okafor",
    ] {
        app.get(path).await.problem(404);
        app.get(&format!("{path}/articles")).await.problem(404);
        app.put(path, &token, write.clone()).await.problem(404);
        app.patch(path, &token, write.clone()).await.problem(404);
        app.delete(path, &app.admin()).await.problem(404);
    }
}

#[actix_web::test]
async fn an_author_email_is_shown_only_to_editors_and_admins() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.post("/v1/authors", &app.editor(), ada()).await.ok(201);
    app.create_author("Bo Lind").await;

    for (who, token) in [("editor", app.editor()), ("admin", app.admin())] {
        let one = app.get_as("/v1/authors/ada-okafor", &token).await.ok(200);
        assert_eq!(one["email"], "ada@example.com", "{who}");
        let list = app.get_as("/v1/authors", &token).await.ok(200);
        assert_eq!(list["data"][0]["email"], "ada@example.com", "{who}");
        let bo = &list["data"][1];
        assert!(
            bo.as_object().unwrap().contains_key("email"),
            "{who} sees an unset email as null: {bo}"
        );
    }
    for (who, token) in [
        ("anonymous", None),
        (
            "the author as contributor",
            Some(app.contributor("ada-okafor")),
        ),
        ("another contributor", Some(app.contributor("bo-lind"))),
    ] {
        let (one, list) = match &token {
            Some(token) => (
                app.get_as("/v1/authors/ada-okafor", token).await,
                app.get_as("/v1/authors", token).await,
            ),
            None => (
                app.get("/v1/authors/ada-okafor").await,
                app.get("/v1/authors").await,
            ),
        };
        let one = one.ok(200);
        assert!(
            !one.as_object().unwrap().contains_key("email"),
            "{who}: {one}"
        );
        assert_eq!(one["bio"], "Science desk.", "{who} sees the rest");
        for item in list.ok(200)["data"].as_array().unwrap() {
            assert!(
                !item.as_object().unwrap().contains_key("email"),
                "{who}: {item}"
            );
        }
    }
    let raw = app.get("/v1/authors?q=ada").await;
    assert!(
        !String::from_utf8_lossy(&raw.body).contains("ada@example.com"),
        "the address never leaks"
    );
}

#[actix_web::test]
async fn authors_are_listed_by_name_and_filtered_by_q_on_the_name() {
    let Some(app) = spawn_app().await else {
        return;
    };
    for name in [
        "Carl Jones",
        "Bea Adair",
        "Adam Smith",
        "100% Human",
        "Ada Okafor",
    ] {
        app.create_author(name).await;
    }

    let all = app.get("/v1/authors").await.ok(200);
    assert_eq!(
        names(&all),
        [
            "100% Human",
            "Ada Okafor",
            "Adam Smith",
            "Bea Adair",
            "Carl Jones"
        ]
    );
    assert_eq!(
        all["meta"],
        json!({"page": 1, "per_page": 20, "total": 5, "total_pages": 1, "next_cursor": null})
    );

    for (q, expected) in [
        ("ada", vec!["Ada Okafor", "Adam Smith", "Bea Adair"]),
        ("ADA", vec!["Ada Okafor", "Adam Smith", "Bea Adair"]),
        ("jones", vec!["Carl Jones"]),
        ("%25", vec!["100% Human"]),
        ("_", vec![]),
        ("okafor%20x", vec![]),
        ("zzz", vec![]),
    ] {
        let list = app.get(&format!("/v1/authors?q={q}")).await.ok(200);
        assert_eq!(names(&list), expected, "q={q}");
        assert_eq!(list["meta"]["total"], expected.len(), "q={q}");
    }
}

#[actix_web::test]
async fn author_list_pages_send_a_next_link_only_when_there_is_more() {
    let Some(app) = spawn_app().await else {
        return;
    };
    for name in ["Ada Okafor", "Adam Smith", "Bea Adair", "Carl Jones"] {
        app.create_author(name).await;
    }

    let first = app.get("/v1/authors?q=ad&per_page=2").await;
    let body = first.ok(200);
    assert_eq!(names(&body), ["Ada Okafor", "Adam Smith"]);
    assert_eq!(body["meta"]["page"], 1);
    assert_eq!(body["meta"]["per_page"], 2);
    assert_eq!(body["meta"]["total"], 3);
    assert_eq!(body["meta"]["total_pages"], 2);
    let cursor = body["meta"]["next_cursor"]
        .as_str()
        .unwrap_or_else(|| panic!("a next cursor when there is more: {}", body["meta"]))
        .to_owned();
    let link = next_link(&first).expect("a next link from page 1");
    assert!(link.contains("q=ad"), "the filter is kept: {link}");

    let second = app.get(&link).await;
    let body = second.ok(200);
    assert_eq!(names(&body), ["Bea Adair"]);
    assert_eq!(body["meta"]["page"], 2);
    assert_eq!(body["meta"]["next_cursor"], Value::Null);
    assert_eq!(
        second.header("link"),
        None,
        "the last page has no next link"
    );

    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("q", "ad")
        .append_pair("per_page", "2")
        .append_pair("cursor", &cursor)
        .finish();
    let by_cursor = app.get(&format!("/v1/authors?{query}")).await;
    let body = by_cursor.ok(200);
    assert_eq!(
        names(&body),
        ["Bea Adair"],
        "the cursor continues where page 1 ended"
    );
    assert_eq!(body["meta"]["next_cursor"], Value::Null);
    assert_eq!(by_cursor.header("link"), None);
    app.get(&format!("/v1/authors?page=2&{query}"))
        .await
        .problem(400);

    let past = app.get("/v1/authors?per_page=2&page=3").await;
    let body = past.ok(200);
    assert_eq!(body["data"], json!([]));
    assert_eq!(body["meta"]["total"], 4);
    assert_eq!(past.header("link"), None);
}

#[actix_web::test]
async fn the_author_list_walked_by_cursor_visits_every_author_once_in_name_order() {
    let Some(app) = spawn_app().await else {
        return;
    };
    for name in ["Cy", "Ann", "Bo", "Di", "Ed"] {
        app.create_author(name).await;
    }
    assert_eq!(
        app.names_by_cursor("authors").await,
        vec!["Ann", "Bo", "Cy", "Di", "Ed"]
    );
}

#[actix_web::test]
async fn bad_or_unknown_author_list_parameters_are_400_naming_them() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.create_author("Ada Okafor").await;
    for (query, name) in [
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("per_page=1.5", "per_page"),
        ("page=0", "page"),
        ("page=two", "page"),
        ("q=ada&q=bo", "'q'"),
        ("sort=name", "sort"),
        ("name=ada", "name"),
    ] {
        let reply = app.get(&format!("/v1/authors?{query}")).await;
        assert_eq!(
            reply.status,
            400,
            "{query}: {}",
            String::from_utf8_lossy(&reply.body)
        );
        let problem = reply.problem(400);
        assert!(
            problem["detail"].as_str().unwrap().contains(name),
            "{query}: {problem}"
        );
    }
    assert_eq!(
        names(&app.get("/v1/authors?per_page=100&page=1").await.ok(200)),
        ["Ada Okafor"]
    );
}

#[actix_web::test]
async fn replacing_an_author_empties_omitted_fields_and_keeps_the_slug() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let created = app.post("/v1/authors", &app.editor(), ada()).await.ok(201);

    let replaced = app
        .put(
            "/v1/authors/ada-okafor",
            &app.editor(),
            json!({"name": "Ada O. Okafor", "bio": "Features."}),
        )
        .await
        .ok(200);

    assert_eq!(replaced["id"], created["id"]);
    assert_eq!(replaced["slug"], "ada-okafor", "a left-out slug is kept");
    assert_eq!(replaced["name"], "Ada O. Okafor");
    assert_eq!(replaced["bio"], "Features.");
    assert_eq!(replaced["avatar_url"], Value::Null);
    assert_eq!(replaced["website"], Value::Null);
    assert_eq!(replaced["email"], Value::Null);
    assert_eq!(replaced["social"], json!({}));
    assert_eq!(replaced["created_at"], created["created_at"]);
    assert_eq!(
        app.get_as("/v1/authors/ada-okafor", &app.editor())
            .await
            .ok(200),
        replaced
    );

    let without_name = app
        .put("/v1/authors/ada-okafor", &app.editor(), json!({"bio": "x"}))
        .await;
    assert!(names_field(&without_name.problem(422), "name"));
    assert_eq!(
        app.get("/v1/authors/ada-okafor").await.ok(200)["bio"],
        "Features."
    );
}

#[actix_web::test]
async fn patching_an_author_keeps_omitted_fields_and_null_clears_them() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.post("/v1/authors", &app.editor(), ada()).await.ok(201);

    let patched = app.send_as_editor(Method::PATCH,
        "/v1/authors/ada-okafor",
        "application/merge-patch+json",
        &json!({"name": "Ada Okafor-Lind", "bio": "Features."}),
    )
    .await
    .ok(200);
    assert_eq!(patched["name"], "Ada Okafor-Lind");
    assert_eq!(patched["bio"], "Features.");
    assert_eq!(patched["slug"], "ada-okafor", "a new name keeps the slug");
    assert_eq!(
        patched["avatar_url"], "https://cdn.example.com/ada.jpg",
        "omitted fields are kept"
    );
    assert_eq!(patched["website"], "http://ada.example.com/");
    assert_eq!(patched["email"], "ada@example.com");
    assert_eq!(patched["social"], ada()["social"]);

    let cleared = app
        .patch(
            "/v1/authors/ada-okafor",
            &app.editor(),
            json!({"website": null, "email": null, "social": null, "avatar_url": null}),
        )
        .await
        .ok(200);
    assert_eq!(cleared["website"], Value::Null);
    assert_eq!(cleared["email"], Value::Null);
    assert_eq!(cleared["avatar_url"], Value::Null);
    assert_eq!(cleared["social"], json!({}));
    assert_eq!(cleared["bio"], "Features.");
    assert_eq!(cleared["name"], "Ada Okafor-Lind");

    for (case, body, field) in [
        ("null name", json!({"name": null}), "name"),
        ("null slug", json!({"slug": null}), "slug"),
        (
            "bad website",
            json!({"website": "ada.example.com"}),
            "website",
        ),
    ] {
        let reply = app
            .patch("/v1/authors/ada-okafor", &app.editor(), body)
            .await;
        assert_eq!(reply.status, 422, "{case}");
        assert!(names_field(&reply.problem(422), field), "{case}");
    }

    let as_post = app.send_as_editor(Method::POST,
        "/v1/authors",
        "application/merge-patch+json",
        &json!({"name": "Bo"}),
    )
    .await;
    as_post.problem(415);
    let as_put = app.send_as_editor(Method::PUT,
        "/v1/authors/ada-okafor",
        "application/merge-patch+json",
        &json!({"name": "Bo"}),
    )
    .await;
    as_put.problem(415);
    assert_eq!(app.get("/v1/authors").await.ok(200)["meta"]["total"], 1);
    assert_eq!(
        app.get("/v1/authors/ada-okafor").await.ok(200)["name"],
        "Ada Okafor-Lind"
    );
}

#[actix_web::test]
async fn patching_social_merges_networks_one_by_one() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.post("/v1/authors", &app.editor(), ada()).await.ok(201);

    let reply = app.send_as_editor(Method::PATCH,
        "/v1/authors/ada-okafor",
        "application/merge-patch+json",
        &json!({"social": {"bluesky": "@ada.example.com", "github": null}}),
    )
    .await;

    let author = reply.ok(200);
    assert_eq!(
        author["social"],
        json!({"mastodon": "@ada@example.social", "bluesky": "@ada.example.com"})
    );
}

#[actix_web::test]
async fn an_author_article_count_includes_drafts_only_for_callers_who_may_see_them() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.publish("Published story", "ada", &[]).await;
    app.create_article(json!({"title": "Draft story", "authors": ["ada"]}))
        .await;
    app.create_author("Bo Lind").await;

    for (who, token, expected) in [
        ("anonymous", None, 1),
        ("editor", Some(app.editor()), 2),
        ("admin", Some(app.admin()), 2),
        ("the credited contributor", Some(app.contributor("ada")), 2),
        ("another contributor", Some(app.contributor("bo-lind")), 1),
    ] {
        let (one, list) = match &token {
            Some(token) => (
                app.get_as("/v1/authors/ada", token).await,
                app.get_as("/v1/authors?q=ada", token).await,
            ),
            None => (
                app.get("/v1/authors/ada").await,
                app.get("/v1/authors?q=ada").await,
            ),
        };
        assert_eq!(one.ok(200)["article_count"], expected, "{who}");
        assert_eq!(
            list.ok(200)["data"][0]["article_count"],
            expected,
            "{who} in the list"
        );
    }
}

#[actix_web::test]
async fn writing_authors_without_a_valid_token_is_401_with_a_bearer_challenge() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.create_author("Ada Okafor").await;
    let body = serde_json::to_vec(&json!({"name": "Bo Lind"})).unwrap();
    for (method, path) in [
        (Method::POST, "/v1/authors"),
        (Method::PUT, "/v1/authors/ada-okafor"),
        (Method::PATCH, "/v1/authors/ada-okafor"),
        (Method::DELETE, "/v1/authors/ada-okafor"),
    ] {
        for token in [None, Some("not-a-jwt")] {
            let payload = (method != Method::DELETE).then(|| ("application/json", body.clone()));
            let reply = app.request(method.clone(), path, token, &[], payload).await;
            reply.problem(401);
            let challenge = reply.header("www-authenticate").unwrap_or_default();
            assert!(
                challenge.starts_with("Bearer"),
                "{method} {path} with {token:?}: {challenge:?}"
            );
        }
    }
    app.get_as("/v1/authors/ada-okafor", "not-a-jwt")
        .await
        .problem(401);
    assert_eq!(app.get("/v1/authors").await.ok(200)["meta"]["total"], 1);
}

#[actix_web::test]
async fn contributors_may_not_write_authors_and_only_admins_delete_them() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.create_author("Ada Okafor").await;
    let contributor = app.contributor("ada-okafor");

    app.post("/v1/authors", &contributor, json!({"name": "Bo Lind"}))
        .await
        .problem(403);
    app.put(
        "/v1/authors/ada-okafor",
        &contributor,
        json!({"name": "Me"}),
    )
    .await
    .problem(403);
    app.patch(
        "/v1/authors/ada-okafor",
        &contributor,
        json!({"bio": "Mine."}),
    )
    .await
    .problem(403);
    app.delete("/v1/authors/ada-okafor", &contributor)
        .await
        .problem(403);
    app.delete("/v1/authors/ada-okafor", &app.editor())
        .await
        .problem(403);
    let unchanged = app.get("/v1/authors/ada-okafor").await.ok(200);
    assert_eq!(unchanged["name"], "Ada Okafor");
    assert_eq!(unchanged["bio"], Value::Null);

    let deleted = app.delete("/v1/authors/ada-okafor", &app.admin()).await;
    assert_eq!(deleted.status, 204);
    assert!(deleted.body.is_empty());
    app.get("/v1/authors/ada-okafor").await.problem(404);
    assert_eq!(app.get("/v1/authors").await.ok(200)["meta"]["total"], 0);
}

#[actix_web::test]
async fn an_author_who_still_has_articles_cannot_be_deleted() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let published = app.publish("Published story", "ada", &[]).await;
    let bo = app.create_author("Bo Lind").await;
    let draft = app
        .create_article(json!({"title": "Bo's draft", "authors": ["bo-lind"]}))
        .await;

    for key in ["ada".to_owned(), bo["id"].to_string()] {
        let reply = app
            .delete(&format!("/v1/authors/{key}"), &app.admin())
            .await;
        reply.problem(409);
    }
    app.get("/v1/authors/ada").await.ok(200);
    app.get("/v1/authors/bo-lind").await.ok(200);

    for article in [&published, &draft] {
        let path = format!("/v1/articles/{}", article["id"]);
        assert_eq!(app.delete(&path, &app.editor()).await.status, 204);
    }
    assert_eq!(
        app.delete("/v1/authors/ada", &app.admin()).await.status,
        204
    );
    assert_eq!(
        app.delete("/v1/authors/bo-lind", &app.admin()).await.status,
        204
    );
}

#[actix_web::test]
async fn an_author_articles_list_holds_only_their_visible_articles() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let solo = app.publish("Ada alone", "ada", &[]).await;
    let bo_story = app.publish("Bo alone", "bo", &[]).await;
    let shared = app
        .create_article(
            json!({"title": "Together", "status": "published", "authors": ["bo", "ada"]}),
        )
        .await;
    let draft = app
        .create_article(json!({"title": "Ada's draft", "authors": ["ada"]}))
        .await;
    let ada = app.get("/v1/authors/ada").await.ok(200);

    for path in [
        "/v1/authors/ada/articles".to_owned(),
        format!("/v1/authors/{}/articles", ada["id"]),
    ] {
        let mut seen = slugs(&app.get(&path).await.ok(200));
        seen.sort();
        let mut expected = vec![
            solo["slug"].as_str().unwrap().to_owned(),
            shared["slug"].as_str().unwrap().to_owned(),
        ];
        expected.sort();
        assert_eq!(seen, expected, "{path}");
    }
    let bo_list = app.get("/v1/authors/bo/articles").await.ok(200);
    assert_eq!(bo_list["meta"]["total"], 2);
    assert!(!slugs(&bo_list).contains(&solo["slug"].as_str().unwrap().to_owned()));
    assert!(slugs(&bo_list).contains(&bo_story["slug"].as_str().unwrap().to_owned()));

    let with_drafts = app
        .get_as("/v1/authors/ada/articles?status=any", &app.editor())
        .await
        .ok(200);
    assert_eq!(with_drafts["meta"]["total"], 3);
    assert!(slugs(&with_drafts).contains(&draft["slug"].as_str().unwrap().to_owned()));
    let own = app
        .get_as(
            "/v1/authors/ada/articles?status=draft",
            &app.contributor("ada"),
        )
        .await
        .ok(200);
    assert_eq!(slugs(&own), [draft["slug"].as_str().unwrap()]);

    app.get("/v1/authors/ada/articles?status=any")
        .await
        .problem(401);
    app.get("/v1/authors/ada/articles?per_page=0")
        .await
        .problem(400);
    app.get("/v1/authors/nobody/articles").await.problem(404);
}
