//! Tags: create, read, list, replace, merge, delete, and the articles filed
//! under a tag, all through the HTTP API.

use awc::http::Method;
use serde_json::{Value, json};

use super::helpers::{assert_timestamp, error_fields, next_link, slugs, spawn_app};

#[actix_web::test]
async fn creating_a_tag_answers_201_with_its_location_and_fields() {
    let Some(app) = spawn_app().await else {
        return;
    };

    let reply = app
        .post(
            "/v1/tags",
            &app.editor(),
            json!({"name": "Climate", "description": "Coverage of the climate crisis"}),
        )
        .await;

    let tag = reply.ok(201);
    assert_eq!(
        reply.header("location").as_deref(),
        Some("/v1/tags/climate")
    );
    assert!(tag["id"].is_i64(), "{tag}");
    assert_eq!(tag["slug"], "climate");
    assert_eq!(tag["name"], "Climate");
    assert_eq!(tag["description"], "Coverage of the climate crisis");
    assert_eq!(tag["article_count"], 0);
    assert_timestamp(&tag["created_at"]);
    assert_timestamp(&tag["updated_at"]);
    let location = reply.header("location").unwrap();
    assert_eq!(app.get(&location).await.ok(200), tag);
}

#[actix_web::test]
async fn a_tag_slug_is_derived_from_its_name_transliterated_to_ascii() {
    let Some(app) = spawn_app().await else {
        return;
    };
    for (name, slug) in [
        ("Crème Brûlée", "creme-brulee"),
        ("Über Straße", "uber-strasse"),
        ("Climate & Energy", "climate-energy"),
        ("  Spaced   Out  ", "spaced-out"),
        ("1984", "tag-1984"),
    ] {
        let reply = app
            .post("/v1/tags", &app.editor(), json!({ "name": name }))
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
            Some(format!("/v1/tags/{slug}")),
            "{name:?}"
        );
    }
}

#[actix_web::test]
async fn a_derived_tag_slug_that_is_taken_gets_a_numbered_suffix() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let first = app.create_tag("Crème Brûlée").await;
    let second = app.create_tag("Creme Brulee").await;
    let third = app.create_tag("Crème-Brulee").await;

    assert_eq!(first["slug"], "creme-brulee");
    assert_eq!(second["slug"], "creme-brulee-2");
    assert_eq!(third["slug"], "creme-brulee-3");
    assert_eq!(
        app.get("/v1/tags/creme-brulee-2").await.ok(200)["name"],
        "Creme Brulee"
    );
}

#[actix_web::test]
async fn an_explicit_tag_slug_that_is_taken_is_409() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.create_tag("Climate").await;
    let other = app.create_tag("Weather").await;

    let create = app
        .post(
            "/v1/tags",
            &app.editor(),
            json!({"name": "Environment", "slug": "climate"}),
        )
        .await;
    create.problem(409);
    let rename = app
        .patch(
            &format!("/v1/tags/{}", other["id"]),
            &app.editor(),
            json!({"slug": "climate"}),
        )
        .await;
    rename.problem(409);

    let list = app.get("/v1/tags").await.ok(200);
    assert_eq!(slugs(&list), ["climate", "weather"], "nothing was written");
}

#[actix_web::test]
async fn a_taken_tag_name_is_409_whatever_its_case() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let climate = app.create_tag("Climate").await;
    let weather = app.create_tag("Weather").await;

    for name in ["Climate", "climate", "CLIMATE", "  cLiMaTe "] {
        let reply = app
            .post(
                "/v1/tags",
                &app.editor(),
                json!({"name": name, "slug": "other"}),
            )
            .await;
        reply.problem(409);
    }
    let renamed = app
        .patch(
            &format!("/v1/tags/{}", weather["slug"].as_str().unwrap()),
            &app.editor(),
            json!({"name": "climate"}),
        )
        .await;
    renamed.problem(409);

    let own_name_recased = app
        .patch(
            "/v1/tags/climate",
            &app.editor(),
            json!({"name": "CLIMATE"}),
        )
        .await
        .ok(200);
    assert_eq!(own_name_recased["name"], "CLIMATE");
    assert_eq!(own_name_recased["id"], climate["id"]);
    assert_eq!(
        own_name_recased["slug"], "climate",
        "a new name keeps the slug"
    );
}

#[actix_web::test]
async fn invalid_tag_payloads_are_422_naming_the_failing_field() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let cases = [
        ("no name", json!({"description": "x"}), "name"),
        ("null name", json!({"name": null}), "name"),
        ("empty name", json!({"name": ""}), "name"),
        ("blank name", json!({"name": "   "}), "name"),
        (
            "101-character name",
            json!({"name": "n".repeat(101)}),
            "name",
        ),
        ("numeric name", json!({"name": 5}), "name"),
        (
            "uppercase slug",
            json!({"name": "A", "slug": "Climate"}),
            "slug",
        ),
        (
            "slug with a space",
            json!({"name": "A", "slug": "bad slug"}),
            "slug",
        ),
        (
            "slug with a double hyphen",
            json!({"name": "A", "slug": "a--b"}),
            "slug",
        ),
        (
            "slug with a trailing hyphen",
            json!({"name": "A", "slug": "ab-"}),
            "slug",
        ),
        (
            "slug with an underscore",
            json!({"name": "A", "slug": "a_b"}),
            "slug",
        ),
        (
            "all-digit slug",
            json!({"name": "A", "slug": "2024"}),
            "slug",
        ),
        (
            "non-ASCII slug",
            json!({"name": "A", "slug": "über"}),
            "slug",
        ),
        ("empty slug", json!({"name": "A", "slug": ""}), "slug"),
        (
            "121-character slug",
            json!({"name": "A", "slug": "a".repeat(121)}),
            "slug",
        ),
        ("numeric slug", json!({"name": "A", "slug": 7}), "slug"),
        (
            "boolean description",
            json!({"name": "A", "description": true}),
            "description",
        ),
        (
            "array description",
            json!({"name": "A", "description": ["x"]}),
            "description",
        ),
    ];
    for (case, body, field) in cases {
        let reply = app.post("/v1/tags", &app.editor(), body).await;
        assert_eq!(
            reply.status,
            422,
            "{case}: {}",
            String::from_utf8_lossy(&reply.body)
        );
        let problem = reply.problem(422);
        assert!(
            error_fields(&problem).iter().any(|f| f == field),
            "{case}: expected an error on '{field}', got {problem}"
        );
    }
    for (case, body) in [
        ("an array body", json!(["Climate"])),
        ("a string body", json!("Climate")),
    ] {
        let reply = app.post("/v1/tags", &app.editor(), body).await;
        assert_eq!(reply.status, 422, "{case}");
        assert!(!error_fields(&reply.problem(422)).is_empty(), "{case}");
    }
    assert_eq!(
        app.get("/v1/tags").await.ok(200)["meta"]["total"],
        0,
        "nothing was created"
    );
}

#[actix_web::test]
async fn a_tag_name_of_100_characters_is_accepted_even_when_they_are_not_ascii() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let name = "é".repeat(100);

    let tag = app
        .post("/v1/tags", &app.editor(), json!({ "name": name }))
        .await
        .ok(201);

    assert_eq!(tag["name"], name);
    let slug = tag["slug"].as_str().unwrap();
    assert!(slug.starts_with("eee") && slug.len() <= 120, "{slug}");
}

#[actix_web::test]
async fn unknown_and_read_only_tag_fields_are_400_naming_them() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.create_tag("Climate").await;
    let cases = [
        (
            "a typo",
            json!({"name": "X", "descripton": "y"}),
            "descripton",
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
            (Method::POST, "/v1/tags"),
            (Method::PUT, "/v1/tags/climate"),
            (Method::PATCH, "/v1/tags/climate"),
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
    let tag = app.get("/v1/tags/climate").await.ok(200);
    assert_eq!(tag["name"], "Climate", "nothing was changed");
    assert_eq!(app.get("/v1/tags").await.ok(200)["meta"]["total"], 1);
}

#[actix_web::test]
async fn a_tag_is_found_by_id_and_by_slug() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let created = app.create_tag("Climate").await;

    let by_id = app
        .get(&format!("/v1/tags/{}", created["id"]))
        .await
        .ok(200);
    let by_slug = app.get("/v1/tags/climate").await.ok(200);

    assert_eq!(by_id, created);
    assert_eq!(by_slug, created);
    app.get("/v1/tags/climate?fields=name").await.problem(400);
}

#[actix_web::test]
async fn unknown_tag_keys_are_404_for_every_method() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.create_tag("Climate").await;
    let token = app.editor();
    let write = json!({"name": "Whatever"});
    for path in [
        "/v1/tags/nothing-here",
        "/v1/tags/9999",
        "/v1/tags/99999999999999999999999",
        "/v1/tags/Climate",
    ] {
        app.get(path).await.problem(404);
        app.get(&format!("{path}/articles")).await.problem(404);
        app.put(path, &token, write.clone()).await.problem(404);
        app.patch(path, &token, write.clone()).await.problem(404);
        app.delete(path, &token).await.problem(404);
    }
    assert_eq!(app.get("/v1/tags/climate").await.ok(200)["name"], "Climate");
}

#[actix_web::test]
async fn tags_are_listed_by_name_with_page_meta() {
    let Some(app) = spawn_app().await else {
        return;
    };
    for name in ["Sport", "Climate", "Politics", "Arts"] {
        app.create_tag(name).await;
    }

    let reply = app.get("/v1/tags").await;

    let list = reply.ok(200);
    let names: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Arts", "Climate", "Politics", "Sport"]);
    assert_eq!(
        list["meta"],
        json!({"page": 1, "per_page": 20, "total": 4, "total_pages": 1, "next_cursor": null})
    );
    assert_eq!(reply.header("link"), None, "no next page");
    let first = &list["data"][0];
    for key in [
        "id",
        "slug",
        "name",
        "description",
        "article_count",
        "created_at",
        "updated_at",
    ] {
        assert!(first.get(key).is_some(), "list items carry {key}: {first}");
    }
}

#[actix_web::test]
async fn tag_list_pages_send_a_next_link_only_when_there_is_more() {
    let Some(app) = spawn_app().await else {
        return;
    };
    for name in ["Alpha", "Bravo", "Charlie", "Delta", "Echo"] {
        app.create_tag(name).await;
    }

    let first = app.get("/v1/tags?per_page=2").await;
    let body = first.ok(200);
    assert_eq!(slugs(&body), ["alpha", "bravo"]);
    assert_eq!(body["meta"]["page"], 1);
    assert_eq!(body["meta"]["per_page"], 2);
    assert_eq!(body["meta"]["total"], 5);
    assert_eq!(body["meta"]["total_pages"], 3);
    assert!(
        body["meta"]["next_cursor"].is_string(),
        "more to come: {}",
        body["meta"]
    );
    let link = next_link(&first).expect("a next link from page 1");

    let second = app.get(&link).await;
    let body = second.ok(200);
    assert_eq!(slugs(&body), ["charlie", "delta"]);
    assert_eq!(body["meta"]["page"], 2);
    let link = next_link(&second).expect("a next link from page 2");

    let third = app.get(&link).await;
    let body = third.ok(200);
    assert_eq!(slugs(&body), ["echo"]);
    assert_eq!(body["meta"]["page"], 3);
    assert_eq!(body["meta"]["next_cursor"], Value::Null);
    assert_eq!(third.header("link"), None, "the last page has no next link");

    let past = app.get("/v1/tags?per_page=2&page=4").await;
    let body = past.ok(200);
    assert_eq!(body["data"], json!([]));
    assert_eq!(body["meta"]["total"], 5);
    assert_eq!(past.header("link"), None);

    let exact = app.get("/v1/tags?per_page=5").await;
    assert_eq!(slugs(&exact.ok(200)).len(), 5);
    assert_eq!(
        exact.header("link"),
        None,
        "a full last page has no next link"
    );
}

#[actix_web::test]
async fn bad_or_unknown_tag_list_parameters_are_400_naming_them() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.create_tag("Climate").await;
    for (query, name) in [
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("per_page=ten", "per_page"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=1&page=2", "page"),
        ("sort=article_count", "sort"),
        ("sort=-name", "sort"),
        ("sort=", "sort"),
        ("search=climate", "search"),
        ("colour=red", "colour"),
    ] {
        let reply = app.get(&format!("/v1/tags?{query}")).await;
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
        slugs(&app.get("/v1/tags?per_page=100&sort=name").await.ok(200)),
        ["climate"]
    );
}

#[actix_web::test]
async fn tags_sort_by_most_visible_articles_first() {
    let Some(app) = spawn_app().await else {
        return;
    };
    for name in ["Arts", "Climate", "Sport"] {
        app.create_tag(name).await;
    }
    app.publish("One", "ada", &["climate"]).await;
    app.publish("Two", "ada", &["climate", "sport"]).await;
    app.publish("Three", "ada", &["climate"]).await;
    app.publish("Four", "ada", &["sport"]).await;

    let list = app.get("/v1/tags?sort=-article_count").await.ok(200);

    assert_eq!(slugs(&list), ["climate", "sport", "arts"]);
    let counts: Vec<&Value> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["article_count"])
        .collect();
    assert_eq!(counts, [&json!(3), &json!(2), &json!(0)]);
    assert_eq!(list["meta"]["total"], 3);
}

#[actix_web::test]
async fn the_most_articles_order_counts_only_articles_the_caller_may_see() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.create_tag("Climate").await;
    app.create_tag("Sport").await;
    app.publish("Match report", "ada", &["sport"]).await;
    for title in ["Draft one", "Draft two"] {
        app.create_article(json!({"title": title, "tags": ["climate"]}))
            .await;
    }

    let public = app.get("/v1/tags?sort=-article_count").await.ok(200);
    let editor = app
        .get_as("/v1/tags?sort=-article_count", &app.editor())
        .await
        .ok(200);

    assert_eq!(slugs(&public), ["sport", "climate"]);
    assert_eq!(public["data"][1]["article_count"], 0);
    assert_eq!(slugs(&editor), ["climate", "sport"]);
    assert_eq!(editor["data"][0]["article_count"], 2);
}

#[actix_web::test]
async fn a_tag_article_count_includes_drafts_only_for_callers_who_may_see_them() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.create_tag("Climate").await;
    app.publish("Published", "ada", &["climate"]).await;
    app.create_author("Bo Lind").await;
    app.create_article(json!({"title": "Ada's draft", "authors": ["ada"], "tags": ["climate"]}))
        .await;

    let count_for = |token: Option<String>| {
        let app = &app;
        async move {
            let reply = match token {
                Some(token) => app.get_as("/v1/tags/climate", &token).await,
                None => app.get("/v1/tags/climate").await,
            };
            reply.ok(200)["article_count"].clone()
        }
    };
    assert_eq!(count_for(None).await, 1, "anonymous");
    assert_eq!(count_for(Some(app.editor())).await, 2, "editor");
    assert_eq!(count_for(Some(app.admin())).await, 2, "admin");
    assert_eq!(
        count_for(Some(app.contributor("ada"))).await,
        2,
        "the credited contributor"
    );
    assert_eq!(
        count_for(Some(app.contributor("bo-lind"))).await,
        1,
        "another contributor"
    );

    let listed = app.get("/v1/tags").await.ok(200);
    assert_eq!(
        listed["data"][0]["article_count"], 1,
        "the list counts the same way"
    );
    let listed = app.get_as("/v1/tags", &app.editor()).await.ok(200);
    assert_eq!(listed["data"][0]["article_count"], 2);
}

#[actix_web::test]
async fn replacing_a_tag_clears_an_omitted_description_and_keeps_its_slug() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let created = app
        .post(
            "/v1/tags",
            &app.editor(),
            json!({"name": "Climate", "description": "Warming"}),
        )
        .await
        .ok(201);

    let replaced = app
        .put(
            "/v1/tags/climate",
            &app.editor(),
            json!({"name": "Climate Crisis"}),
        )
        .await
        .ok(200);

    assert_eq!(replaced["id"], created["id"]);
    assert_eq!(replaced["name"], "Climate Crisis");
    assert_eq!(replaced["slug"], "climate", "a left-out slug is kept");
    assert_eq!(
        replaced["description"],
        Value::Null,
        "a left-out description is cleared"
    );
    assert_eq!(replaced["created_at"], created["created_at"]);
    assert_eq!(app.get("/v1/tags/climate").await.ok(200), replaced);

    let without_name = app
        .put(
            "/v1/tags/climate",
            &app.editor(),
            json!({"description": "x"}),
        )
        .await;
    assert!(error_fields(&without_name.problem(422)).contains(&"name".to_owned()));

    let reslugged = app
        .put(
            "/v1/tags/climate",
            &app.editor(),
            json!({"name": "Climate", "slug": "climate-crisis"}),
        )
        .await
        .ok(200);
    assert_eq!(reslugged["slug"], "climate-crisis");
    app.get("/v1/tags/climate").await.problem(404);
    app.get("/v1/tags/climate-crisis").await.ok(200);
}

#[actix_web::test]
async fn patching_a_tag_keeps_omitted_fields_and_null_clears_them() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.post(
        "/v1/tags",
        &app.editor(),
        json!({"name": "Climate", "description": "Warming"}),
    )
    .await
    .ok(201);

    let renamed = app.send_as_editor(Method::PATCH,
        "/v1/tags/climate",
        "application/merge-patch+json",
        &json!({"name": "Climate Desk"}),
    )
    .await
    .ok(200);
    assert_eq!(renamed["name"], "Climate Desk");
    assert_eq!(
        renamed["description"], "Warming",
        "an omitted field is kept"
    );
    assert_eq!(renamed["slug"], "climate", "a new name keeps the slug");

    let cleared = app
        .patch(
            "/v1/tags/climate",
            &app.editor(),
            json!({"description": null}),
        )
        .await
        .ok(200);
    assert_eq!(cleared["description"], Value::Null);
    assert_eq!(cleared["name"], "Climate Desk");

    let unchanged = app
        .patch("/v1/tags/climate", &app.editor(), json!({}))
        .await
        .ok(200);
    assert_eq!(unchanged["name"], "Climate Desk");

    for (case, body, field) in [
        ("null name", json!({"name": null}), "name"),
        ("null slug", json!({"slug": null}), "slug"),
        ("empty name", json!({"name": ""}), "name"),
    ] {
        let reply = app.patch("/v1/tags/climate", &app.editor(), body).await;
        assert_eq!(reply.status, 422, "{case}");
        assert!(
            error_fields(&reply.problem(422)).contains(&field.to_owned()),
            "{case}"
        );
    }
    assert_eq!(
        app.get("/v1/tags/climate").await.ok(200)["name"],
        "Climate Desk"
    );
}

#[actix_web::test]
async fn merge_patch_json_is_accepted_only_by_patch_and_other_content_types_are_415() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.create_tag("Climate").await;
    let body = json!({"name": "Weather"});

    for (method, path, content_type) in [
        (Method::POST, "/v1/tags", "application/merge-patch+json"),
        (
            Method::PUT,
            "/v1/tags/climate",
            "application/merge-patch+json",
        ),
        (Method::POST, "/v1/tags", "text/plain"),
        (
            Method::PATCH,
            "/v1/tags/climate",
            "application/x-www-form-urlencoded",
        ),
    ] {
        let reply = app.send_as_editor(method.clone(), path, content_type, &body).await;
        assert_eq!(reply.status, 415, "{method} with {content_type}");
        reply.problem(415);
    }
    let no_type = app
        .request(Method::POST, "/v1/tags", Some(&app.editor()), &[], None)
        .await;
    no_type.problem(415);

    let patched = app.send_as_editor(Method::PATCH,
        "/v1/tags/climate",
        "application/merge-patch+json",
        &body,
    )
    .await;
    assert_eq!(patched.ok(200)["name"], "Weather");
    assert_eq!(app.get("/v1/tags").await.ok(200)["meta"]["total"], 1);
}

#[actix_web::test]
async fn writing_tags_without_a_valid_token_is_401_with_a_bearer_challenge() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.create_tag("Climate").await;
    let body = serde_json::to_vec(&json!({"name": "Weather"})).unwrap();
    for (method, path) in [
        (Method::POST, "/v1/tags"),
        (Method::PUT, "/v1/tags/climate"),
        (Method::PATCH, "/v1/tags/climate"),
        (Method::DELETE, "/v1/tags/climate"),
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
    let public_read = app.get_as("/v1/tags", "not-a-jwt").await;
    public_read.problem(401);
    assert!(
        public_read
            .header("www-authenticate")
            .unwrap_or_default()
            .starts_with("Bearer")
    );
    assert_eq!(app.get("/v1/tags/climate").await.ok(200)["name"], "Climate");
}

#[actix_web::test]
async fn contributors_may_not_write_tags_but_editors_may_delete_them() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.create_author("Ada").await;
    app.create_tag("Climate").await;
    for contributor in [
        app.contributor("ada"),
        super::helpers::token(masthead::domain::Role::Contributor, None),
    ] {
        app.post("/v1/tags", &contributor, json!({"name": "Weather"}))
            .await
            .problem(403);
        app.put("/v1/tags/climate", &contributor, json!({"name": "Weather"}))
            .await
            .problem(403);
        app.patch("/v1/tags/climate", &contributor, json!({"name": "Weather"}))
            .await
            .problem(403);
        app.delete("/v1/tags/climate", &contributor)
            .await
            .problem(403);
    }
    assert_eq!(app.get("/v1/tags/climate").await.ok(200)["name"], "Climate");

    let deleted = app.delete("/v1/tags/climate", &app.editor()).await;
    assert_eq!(deleted.status, 204);
    assert!(deleted.body.is_empty());
    app.get("/v1/tags/climate").await.problem(404);

    app.create_tag("Sport").await;
    assert_eq!(app.delete("/v1/tags/sport", &app.admin()).await.status, 204);
    assert_eq!(app.get("/v1/tags").await.ok(200)["meta"]["total"], 0);
}

#[actix_web::test]
async fn deleting_a_tag_unlinks_it_and_the_next_tag_becomes_primary() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let climate = app.create_tag("Climate").await;
    let energy = app.create_tag("Energy").await;
    let article = app
        .publish("Heat pumps", "ada", &["climate", "energy"])
        .await;
    assert_eq!(article["primary_tag"]["slug"], "climate");
    let path = format!("/v1/articles/{}", article["slug"].as_str().unwrap());

    assert_eq!(
        app.delete("/v1/tags/climate", &app.editor()).await.status,
        204
    );

    let after = app.get(&path).await.ok(200);
    assert_eq!(
        after["tags"],
        json!([{"id": energy["id"], "slug": "energy", "name": "Energy"}])
    );
    assert_eq!(after["primary_tag"]["slug"], "energy");
    app.get(&format!("/v1/tags/{}", climate["id"]))
        .await
        .problem(404);
    let energy_articles = app.get("/v1/tags/energy/articles").await.ok(200);
    assert_eq!(energy_articles["data"][0]["primary_tag"]["slug"], "energy");

    assert_eq!(
        app.delete("/v1/tags/energy", &app.editor()).await.status,
        204
    );
    let bare = app.get(&path).await.ok(200);
    assert_eq!(bare["tags"], json!([]));
    assert_eq!(bare["primary_tag"], Value::Null);
}

#[actix_web::test]
async fn a_tag_articles_list_holds_only_its_visible_articles() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let climate = app.create_tag("Climate").await;
    app.create_tag("Sport").await;
    let heat = app.publish("Heat wave", "ada", &["sport", "climate"]).await;
    app.publish("Match report", "ada", &["sport"]).await;
    let draft = app
        .create_article(json!({"title": "Unfinished floods", "tags": ["climate"]}))
        .await;

    for path in [
        "/v1/tags/climate/articles".to_owned(),
        format!("/v1/tags/{}/articles", climate["id"]),
    ] {
        let list = app.get(&path).await.ok(200);
        assert_eq!(slugs(&list), [heat["slug"].as_str().unwrap()], "{path}");
        assert_eq!(list["meta"]["total"], 1, "{path}");
    }
    let all = app
        .get_as("/v1/tags/climate/articles?status=any", &app.editor())
        .await
        .ok(200);
    let mut seen = slugs(&all);
    seen.sort();
    let mut expected = vec![
        heat["slug"].as_str().unwrap().to_owned(),
        draft["slug"].as_str().unwrap().to_owned(),
    ];
    expected.sort();
    assert_eq!(
        seen, expected,
        "an editor asking for any status also sees the draft"
    );

    app.get("/v1/tags/climate/articles?status=any")
        .await
        .problem(401);
    app.get("/v1/tags/climate/articles?colour=red")
        .await
        .problem(400);
    app.get("/v1/tags/nothing-here/articles").await.problem(404);
}

#[actix_web::test]
async fn the_tag_list_can_be_walked_with_next_cursor() {
    let Some(app) = spawn_app().await else {
        return;
    };
    for name in ["Alpha", "Bravo", "Charlie"] {
        app.create_tag(name).await;
    }

    let first = app.get("/v1/tags?per_page=2").await.ok(200);
    let cursor = first["meta"]["next_cursor"]
        .as_str()
        .expect("a next cursor when there is more")
        .to_owned();

    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("per_page", "2")
        .append_pair("cursor", &cursor)
        .finish();
    let second = app.get(&format!("/v1/tags?{query}")).await;
    let body = second.ok(200);
    assert_eq!(slugs(&body), ["charlie"]);
    assert_eq!(body["meta"]["per_page"], 2);
    assert_eq!(body["meta"]["next_cursor"], Value::Null);
    assert_eq!(second.header("link"), None);
    app.get(&format!("/v1/tags?page=1&{query}"))
        .await
        .problem(400);
}

#[actix_web::test]
async fn the_tag_list_walked_by_cursor_visits_every_tag_once_in_name_order() {
    let Some(app) = spawn_app().await else {
        return;
    };
    for name in ["Cy", "Ann", "Bo", "Di", "Ed"] {
        app.create_tag(name).await;
    }
    assert_eq!(
        app.names_by_cursor("tags").await,
        vec!["Ann", "Bo", "Cy", "Di", "Ed"]
    );
}
