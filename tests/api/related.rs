//! `/v1/articles/{key}/related` and the inline `related` of article bodies.

use awc::http::Method;
use serde_json::{Value, json};

use super::helpers::{TestApp, spawn_app};

const AUTHOR: &str = "ada";

fn related_path(key: &str) -> String {
    format!("/v1/articles/{key}/related")
}

fn link_path(key: &str, target: &str) -> String {
    format!("/v1/articles/{key}/related/{target}")
}

/// Adds a link as an editor and returns the created link.
async fn link(app: &TestApp, from: &str, body: Value) -> Value {
    app.post(&related_path(from), &app.editor(), body)
        .await
        .ok(201)
}

/// The links as `slug@position` (`slug@null` for suggestions).
fn summary(links: &Value) -> Vec<String> {
    links
        .as_array()
        .expect("a list of links")
        .iter()
        .map(|l| {
            format!(
                "{}@{}",
                l["article"]["slug"].as_str().unwrap(),
                l["position"]
            )
        })
        .collect()
}

/// What GET `/related` shows to this caller, as `slug@position`.
async fn links_seen(app: &TestApp, key: &str, token: Option<&str>) -> Vec<String> {
    let reply = app
        .request(Method::GET, &related_path(key), token, &[], None)
        .await;
    summary(&reply.ok(200)["data"])
}

/// What the article detail's `related` shows to this caller.
async fn detail_links(app: &TestApp, key: &str, token: Option<&str>) -> Vec<String> {
    let reply = app
        .request(
            Method::GET,
            &format!("/v1/articles/{key}"),
            token,
            &[],
            None,
        )
        .await;
    summary(&reply.ok(200)["related"])
}

/// A published article with an explicit `published_at`.
async fn published_at(app: &TestApp, title: &str, tags: &[&str], when: &str) -> Value {
    app.create_article(json!({
        "title": title,
        "status": "published",
        "published_at": when,
        "authors": [AUTHOR],
        "tags": tags,
    }))
    .await
}

#[actix_web::test]
async fn related_links_are_listed_by_position_with_a_summary_of_each_article() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.publish("Home", AUTHOR, &[]).await;
    let first = app
        .create_article(json!({
            "title": "First",
            "status": "published",
            "authors": [AUTHOR],
            "tags": ["Climate", "Europe"],
            "excerpt": "Short.",
            "feature_image": {"url": "https://cdn.example.com/a.jpg", "alt": "A river"},
        }))
        .await;
    let second = app.publish("Second", AUTHOR, &[]).await;
    link(
        &app,
        "home",
        json!({"article": "second", "kind": "read_next"}),
    )
    .await;
    link(
        &app,
        "home",
        json!({"article": "first", "kind": "also_read", "position": 1}),
    )
    .await;

    let data = app.get(&related_path("home")).await.ok(200)["data"].clone();

    assert_eq!(summary(&data), ["first@1", "second@2"]);
    assert_eq!(data[0]["kind"], "also_read");
    assert_eq!(data[0]["label"], "Also read");
    assert_eq!(data[1]["kind"], "read_next");
    let mut keys: Vec<&str> = data[0]["article"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "excerpt",
            "feature_image",
            "id",
            "primary_tag",
            "published_at",
            "slug",
            "title"
        ],
        "an ArticleSummary and nothing more"
    );
    let summary_of_first = &data[0]["article"];
    assert_eq!(summary_of_first["id"], first["id"]);
    assert_eq!(summary_of_first["title"], "First");
    assert_eq!(summary_of_first["excerpt"], "Short.");
    assert_eq!(summary_of_first["published_at"], first["published_at"]);
    assert_eq!(
        summary_of_first["feature_image"],
        json!({"url": "https://cdn.example.com/a.jpg", "alt": "A river", "caption": null, "credit": null})
    );
    assert_eq!(summary_of_first["primary_tag"]["slug"], "climate");
    assert_eq!(summary_of_first["primary_tag"]["name"], "Climate");
    assert_eq!(data[1]["article"]["id"], second["id"]);
    assert_eq!(data[1]["article"]["primary_tag"], Value::Null);

    let detail = app.get("/v1/articles/home").await.ok(200);
    assert_eq!(detail["related"], data, "the detail shows the same links");
}

#[actix_web::test]
async fn each_kind_has_its_default_label_and_a_custom_label_is_kept() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.publish("Home", AUTHOR, &[]).await;
    let cases = [
        ("also_read", None, "Also read"),
        ("read_next", None, "Read next"),
        ("recommended", None, "You might also be interested"),
        ("read_next", Some(""), "Read next"),
        (
            "recommended",
            Some("More on the floods"),
            "More on the floods",
        ),
    ];
    for (i, (kind, label, expected)) in cases.into_iter().enumerate() {
        let target = app.publish(&format!("Target {i}"), AUTHOR, &[]).await;
        let mut body = json!({"article": target["slug"], "kind": kind});
        if let Some(label) = label {
            body["label"] = json!(label);
        }
        let created = link(&app, "home", body).await;
        assert_eq!(created["kind"], kind, "case {kind} / {label:?}");
        assert_eq!(created["label"], expected, "case {kind} / {label:?}");
        assert_eq!(created["position"], i + 1, "case {kind} / {label:?}");
        assert_eq!(
            created["article"]["id"], target["id"],
            "case {kind} / {label:?}"
        );
    }
    let data = app.get(&related_path("home")).await.ok(200)["data"].clone();
    let labels: Vec<&str> = data
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "Also read",
            "Read next",
            "You might also be interested",
            "Read next",
            "More on the floods"
        ]
    );
}

#[actix_web::test]
async fn creating_a_link_answers_201_with_its_location_and_the_link() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let home = app.publish("Home", AUTHOR, &[]).await;
    let target = app.publish("Target", AUTHOR, &[]).await;

    let reply = app
        .post(
            &related_path("home"),
            &app.editor(),
            json!({"article": target["id"], "kind": "read_next", "label": "Next up"}),
        )
        .await;

    let created = reply.ok(201);
    let location = reply.header("location").expect("a Location header");
    let by_id = format!("/v1/articles/{}/related/{}", home["id"], target["id"]);
    let by_slug = link_path("home", "target");
    assert!(
        location == by_id || location == by_slug,
        "Location: {location}"
    );
    assert_eq!(created["kind"], "read_next");
    assert_eq!(created["label"], "Next up");
    assert_eq!(created["position"], 1);
    assert_eq!(created["article"]["slug"], "target");
    assert_eq!(created["article"]["title"], "Target");
}

#[actix_web::test]
async fn a_new_link_goes_at_the_end_by_default_and_at_its_position_when_given() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.publish("Home", AUTHOR, &[]).await;
    for title in ["B", "C", "D", "E", "F"] {
        app.publish(title, AUTHOR, &[]).await;
    }
    let steps = [
        (json!({"article": "b", "kind": "also_read"}), vec!["b@1"]),
        (
            json!({"article": "c", "kind": "also_read"}),
            vec!["b@1", "c@2"],
        ),
        (
            json!({"article": "d", "kind": "also_read", "position": 1}),
            vec!["d@1", "b@2", "c@3"],
        ),
        (
            json!({"article": "e", "kind": "also_read", "position": 3}),
            vec!["d@1", "b@2", "e@3", "c@4"],
        ),
        (
            json!({"article": "f", "kind": "also_read", "position": 5}),
            vec!["d@1", "b@2", "e@3", "c@4", "f@5"],
        ),
    ];
    for (body, expected) in steps {
        let created = link(&app, "home", body.clone()).await;
        let position = expected
            .iter()
            .position(|s| s.starts_with(&format!("{}@", body["article"].as_str().unwrap())))
            .unwrap()
            + 1;
        assert_eq!(created["position"], position, "adding {body}");
        assert_eq!(
            links_seen(&app, "home", None).await,
            expected,
            "after adding {body}"
        );
    }
}

#[actix_web::test]
async fn an_invalid_new_link_is_422_naming_the_field_and_changes_nothing() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let home = app.publish("Home", AUTHOR, &[]).await;
    app.publish("B", AUTHOR, &[]).await;
    app.publish("C", AUTHOR, &[]).await;
    link(&app, "home", json!({"article": "b", "kind": "read_next"})).await;
    let cases = [
        (
            "position 0",
            json!({"article": "c", "kind": "also_read", "position": 0}),
            "position",
        ),
        (
            "position n+2",
            json!({"article": "c", "kind": "also_read", "position": 3}),
            "position",
        ),
        (
            "negative position",
            json!({"article": "c", "kind": "also_read", "position": -1}),
            "position",
        ),
        (
            "a link to itself by slug",
            json!({"article": "home", "kind": "also_read"}),
            "article",
        ),
        (
            "a link to itself by id",
            json!({"article": home["id"], "kind": "also_read"}),
            "article",
        ),
        (
            "a missing article by slug",
            json!({"article": "no-such-article", "kind": "also_read"}),
            "article",
        ),
        (
            "a missing article by id",
            json!({"article": 987654, "kind": "also_read"}),
            "article",
        ),
        ("no article", json!({"kind": "also_read"}), "article"),
        ("no kind", json!({"article": "c"}), "kind"),
        (
            "an unknown kind",
            json!({"article": "c", "kind": "suggested"}),
            "kind",
        ),
        (
            "a label over 120 characters",
            json!({"article": "c", "kind": "also_read", "label": "x".repeat(121)}),
            "label",
        ),
        (
            "a fractional id",
            json!({"article": 1.5, "kind": "also_read"}),
            "article",
        ),
        (
            "a negative id",
            json!({"article": -5, "kind": "also_read"}),
            "article",
        ),
        (
            "an empty slug",
            json!({"article": "", "kind": "also_read"}),
            "article",
        ),
        (
            "an object as article",
            json!({"article": {"id": 2}, "kind": "also_read"}),
            "article",
        ),
    ];
    for (case, body, field) in cases {
        let reply = app.post(&related_path("home"), &app.editor(), body).await;
        let problem = reply.problem(422);
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("{case}: no errors in {problem}"))
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert!(
            fields.contains(&field),
            "{case}: errors name {fields:?}, not {field}"
        );
    }
    assert_eq!(links_seen(&app, "home", Some(&app.editor())).await, ["b@1"]);
}

#[actix_web::test]
async fn linking_the_same_target_twice_is_409() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.publish("Home", AUTHOR, &[]).await;
    let target = app.publish("Target", AUTHOR, &[]).await;
    link(
        &app,
        "home",
        json!({"article": "target", "kind": "read_next"}),
    )
    .await;

    for (case, reference) in [
        ("by slug", json!("target")),
        ("by id", target["id"].clone()),
    ] {
        let reply = app
            .post(
                &related_path("home"),
                &app.editor(),
                json!({"article": reference, "kind": "also_read"}),
            )
            .await;
        reply.problem(409);
        assert_eq!(links_seen(&app, "home", None).await, ["target@1"], "{case}");
    }
}

#[actix_web::test]
async fn patching_a_link_changes_its_kind_or_label_and_keeps_the_rest() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.publish("Home", AUTHOR, &[]).await;
    let b = app.publish("B", AUTHOR, &[]).await;
    app.publish("C", AUTHOR, &[]).await;
    link(
        &app,
        "home",
        json!({"article": "b", "kind": "read_next", "label": "Keep me"}),
    )
    .await;
    link(
        &app,
        "home",
        json!({"article": "c", "kind": "also_read", "label": "Background"}),
    )
    .await;

    let changed = app
        .patch(
            &link_path("home", &b["id"].to_string()),
            &app.editor(),
            json!({"kind": "recommended"}),
        )
        .await
        .ok(200);
    assert_eq!(changed["kind"], "recommended");
    assert_eq!(
        changed["label"], "Keep me",
        "a custom label survives a new kind"
    );
    assert_eq!(changed["position"], 1);
    assert_eq!(changed["article"]["slug"], "b");

    let changed = app
        .patch(
            &link_path("home", "c"),
            &app.editor(),
            json!({"label": "Context"}),
        )
        .await
        .ok(200);
    assert_eq!(changed["kind"], "also_read");
    assert_eq!(changed["label"], "Context");
    assert_eq!(changed["position"], 2);

    let merge = app
        .request(
            Method::PATCH,
            &link_path("home", "c"),
            Some(&app.editor()),
            &[],
            Some((
                "application/merge-patch+json",
                br#"{"kind": "read_next"}"#.to_vec(),
            )),
        )
        .await
        .ok(200);
    assert_eq!(merge["kind"], "read_next", "PATCH takes merge-patch+json");
    assert_eq!(merge["label"], "Context");

    let data = app.get(&related_path("home")).await.ok(200)["data"].clone();
    assert_eq!(summary(&data), ["b@1", "c@2"]);
    assert_eq!(
        (&data[0]["kind"], &data[0]["label"]),
        (&json!("recommended"), &json!("Keep me"))
    );
    assert_eq!(
        (&data[1]["kind"], &data[1]["label"]),
        (&json!("read_next"), &json!("Context"))
    );
}

#[actix_web::test]
async fn moving_a_link_moves_the_others_and_positions_stay_dense() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.publish("Home", AUTHOR, &[]).await;
    for title in ["B", "C", "D", "E"] {
        app.publish(title, AUTHOR, &[]).await;
        link(
            &app,
            "home",
            json!({"article": title.to_lowercase(), "kind": "also_read"}),
        )
        .await;
    }
    let moves = [
        ("e", 1, vec!["e@1", "b@2", "c@3", "d@4"]),
        ("e", 3, vec!["b@1", "c@2", "e@3", "d@4"]),
        ("b", 4, vec!["c@1", "e@2", "d@3", "b@4"]),
        ("d", 3, vec!["c@1", "e@2", "d@3", "b@4"]),
    ];
    for (target, position, expected) in moves {
        let moved = app
            .patch(
                &link_path("home", target),
                &app.editor(),
                json!({"position": position}),
            )
            .await
            .ok(200);
        assert_eq!(moved["position"], position, "moving {target} to {position}");
        assert_eq!(moved["kind"], "also_read", "moving {target} keeps its kind");
        assert_eq!(
            links_seen(&app, "home", None).await,
            expected,
            "after moving {target} to {position}"
        );
    }
    for position in [0, 5, -2] {
        let reply = app
            .patch(
                &link_path("home", "c"),
                &app.editor(),
                json!({"position": position}),
            )
            .await;
        let problem = reply.problem(422);
        assert_eq!(
            problem["errors"][0]["field"], "position",
            "position {position}"
        );
    }
    assert_eq!(
        links_seen(&app, "home", None).await,
        ["c@1", "e@2", "d@3", "b@4"]
    );
}

#[actix_web::test]
async fn deleting_a_link_answers_204_and_the_positions_close_up() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.publish("Home", AUTHOR, &[]).await;
    for title in ["B", "C", "D"] {
        app.publish(title, AUTHOR, &[]).await;
        link(
            &app,
            "home",
            json!({"article": title.to_lowercase(), "kind": "read_next"}),
        )
        .await;
    }

    let reply = app.delete(&link_path("home", "c"), &app.editor()).await;

    assert_eq!(reply.status, 204);
    assert!(reply.body.is_empty());
    assert_eq!(links_seen(&app, "home", None).await, ["b@1", "d@2"]);
    assert_eq!(detail_links(&app, "home", None).await, ["b@1", "d@2"]);
    app.delete(&link_path("home", "b"), &app.editor())
        .await
        .ok(204);
    assert_eq!(links_seen(&app, "home", None).await, ["d@1"]);
    app.delete(&link_path("home", "b"), &app.editor())
        .await
        .problem(404);
}

#[actix_web::test]
async fn patching_or_deleting_a_target_that_is_not_linked_is_404() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.publish("Home", AUTHOR, &[]).await;
    app.publish("Linked", AUTHOR, &[]).await;
    let unlinked = app.publish("Unlinked", AUTHOR, &[]).await;
    link(
        &app,
        "home",
        json!({"article": "linked", "kind": "read_next"}),
    )
    .await;
    let unlinked_id = unlinked["id"].to_string();
    let targets = [
        ("an existing article by slug", "unlinked"),
        ("an existing article by id", unlinked_id.as_str()),
        ("a missing article", "no-such-article"),
        ("a missing id", "987654"),
        ("the article itself", "home"),
    ];
    for (case, target) in targets {
        let reply = app
            .patch(
                &link_path("home", target),
                &app.editor(),
                json!({"label": "x"}),
            )
            .await;
        assert_eq!(reply.status, 404, "PATCH {case}");
        reply.problem(404);
        let reply = app.delete(&link_path("home", target), &app.editor()).await;
        assert_eq!(reply.status, 404, "DELETE {case}");
        reply.problem(404);
    }
    assert_eq!(links_seen(&app, "home", None).await, ["linked@1"]);
}

#[actix_web::test]
async fn links_to_articles_the_caller_may_not_see_are_left_out_and_the_others_keep_their_positions()
{
    let Some(app) = spawn_app().await else {
        return;
    };
    app.publish("Home", AUTHOR, &[]).await;
    app.post(
        "/v1/authors",
        &app.editor(),
        json!({"name": "Cora", "slug": "cora"}),
    )
    .await
    .ok(201);
    app.post(
        "/v1/authors",
        &app.editor(),
        json!({"name": "Dan", "slug": "dan"}),
    )
    .await
    .ok(201);
    app.publish("Public one", AUTHOR, &[]).await;
    app.create_article(json!({"title": "Cora draft", "authors": ["cora"]}))
        .await;
    app.publish("Public two", AUTHOR, &[]).await;
    app.create_article(json!({
        "title": "Future", "status": "scheduled", "published_at": "2999-01-01T00:00:00Z", "authors": [AUTHOR],
    }))
    .await;
    app.create_article(json!({
        "title": "Due", "status": "scheduled", "published_at": "2020-01-01T00:00:00+02:00", "authors": [AUTHOR],
    }))
    .await;
    for target in ["public-one", "cora-draft", "public-two", "future", "due"] {
        link(
            &app,
            "home",
            json!({"article": target, "kind": "also_read"}),
        )
        .await;
    }
    let everything = [
        "public-one@1",
        "cora-draft@2",
        "public-two@3",
        "future@4",
        "due@5",
    ];
    let public = ["public-one@1", "public-two@3", "due@5"];
    let viewers = [
        ("anonymous", None, public.to_vec()),
        ("an editor", Some(app.editor()), everything.to_vec()),
        (
            "the draft's own contributor",
            Some(app.contributor("cora")),
            vec!["public-one@1", "cora-draft@2", "public-two@3", "due@5"],
        ),
        (
            "another contributor",
            Some(app.contributor("dan")),
            public.to_vec(),
        ),
    ];
    for (viewer, token, expected) in viewers {
        assert_eq!(
            links_seen(&app, "home", token.as_deref()).await,
            expected,
            "GET related as {viewer}"
        );
        assert_eq!(
            detail_links(&app, "home", token.as_deref()).await,
            expected,
            "article detail as {viewer}"
        );
    }
}

#[actix_web::test]
async fn deleting_an_article_removes_every_link_to_and_from_it_and_renumbers() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.publish("Home", AUTHOR, &[]).await;
    for title in ["B", "C", "D"] {
        app.publish(title, AUTHOR, &[]).await;
        link(
            &app,
            "home",
            json!({"article": title.to_lowercase(), "kind": "read_next"}),
        )
        .await;
    }
    link(&app, "c", json!({"article": "home", "kind": "also_read"})).await;
    link(&app, "c", json!({"article": "b", "kind": "also_read"})).await;
    link(&app, "b", json!({"article": "c", "kind": "also_read"})).await;
    link(&app, "b", json!({"article": "d", "kind": "also_read"})).await;

    app.delete("/v1/articles/c", &app.editor()).await.ok(204);

    assert_eq!(links_seen(&app, "home", None).await, ["b@1", "d@2"]);
    assert_eq!(detail_links(&app, "home", None).await, ["b@1", "d@2"]);
    assert_eq!(links_seen(&app, "b", Some(&app.editor())).await, ["d@1"]);
    app.get(&related_path("c")).await.problem(404);
    let again = app.publish("C", AUTHOR, &[]).await;
    assert_eq!(
        again["related"],
        json!([]),
        "a new article does not inherit the old one's links"
    );
    assert_eq!(links_seen(&app, "c", None).await, Vec::<String>::new());
}

#[actix_web::test]
async fn related_in_an_article_body_replaces_the_links_in_list_order() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let b = app.publish("B", AUTHOR, &[]).await;
    app.publish("C", AUTHOR, &[]).await;
    app.publish("D", AUTHOR, &[]).await;

    let created = app
        .create_article(json!({
            "title": "Home",
            "related": [
                {"article": "c", "kind": "read_next"},
                {"article": b["id"], "kind": "also_read", "label": "Background"},
            ],
        }))
        .await;
    assert_eq!(summary(&created["related"]), ["c@1", "b@2"]);
    assert_eq!(created["related"][0]["label"], "Read next");
    assert_eq!(created["related"][1]["label"], "Background");
    assert_eq!(
        links_seen(&app, "home", Some(&app.editor())).await,
        ["c@1", "b@2"]
    );

    let patched = app
        .patch(
            "/v1/articles/home",
            &app.editor(),
            json!({"title": "Home again"}),
        )
        .await
        .ok(200);
    assert_eq!(
        summary(&patched["related"]),
        ["c@1", "b@2"],
        "PATCH without related keeps the links"
    );

    let replaced = app
        .put(
            "/v1/articles/home",
            &app.editor(),
            json!({"title": "Home", "body": "Text.", "related": [{"article": "d", "kind": "recommended"}, {"article": "c", "kind": "also_read"}]}),
        )
        .await
        .ok(200);
    assert_eq!(summary(&replaced["related"]), ["d@1", "c@2"]);
    assert_eq!(
        replaced["related"][0]["label"],
        "You might also be interested"
    );
    assert_eq!(replaced["related"][1]["kind"], "also_read");

    let reordered = app
        .patch(
            "/v1/articles/home",
            &app.editor(),
            json!({"related": [{"article": "c", "kind": "also_read"}, {"article": "d", "kind": "recommended"}]}),
        )
        .await
        .ok(200);
    assert_eq!(summary(&reordered["related"]), ["c@1", "d@2"]);

    let cleared = app
        .patch("/v1/articles/home", &app.editor(), json!({"related": []}))
        .await
        .ok(200);
    assert_eq!(cleared["related"], json!([]));
    app.patch(
        "/v1/articles/home",
        &app.editor(),
        json!({"related": [{"article": "b", "kind": "read_next"}]}),
    )
    .await
    .ok(200);
    let nulled = app
        .patch("/v1/articles/home", &app.editor(), json!({"related": null}))
        .await
        .ok(200);
    assert_eq!(nulled["related"], json!([]), "null clears the links");
    assert_eq!(
        links_seen(&app, "home", Some(&app.editor())).await,
        Vec::<String>::new()
    );
}

#[actix_web::test]
async fn an_invalid_related_entry_in_an_article_body_is_refused_and_changes_nothing() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let home = app.create_article(json!({"title": "Home"})).await;
    app.publish("B", AUTHOR, &[]).await;
    app.publish("C", AUTHOR, &[]).await;
    app.patch(
        "/v1/articles/home",
        &app.editor(),
        json!({"related": [{"article": "b", "kind": "read_next"}]}),
    )
    .await
    .ok(200);
    let cases = [
        (
            "a link to itself",
            json!([{"article": "home", "kind": "also_read"}]),
            422,
            Some("related[0].article"),
        ),
        (
            "a link to itself by id",
            json!([{"article": home["id"], "kind": "also_read"}]),
            422,
            Some("related[0].article"),
        ),
        (
            "a missing article",
            json!([{"article": "no-such-article", "kind": "also_read"}]),
            422,
            Some("related[0].article"),
        ),
        (
            "a missing second article",
            json!([{"article": "c", "kind": "also_read"}, {"article": "nope", "kind": "also_read"}]),
            422,
            Some("related[1].article"),
        ),
        (
            "an unknown kind",
            json!([{"article": "c", "kind": "suggested"}]),
            422,
            Some("related[0].kind"),
        ),
        (
            "the same target twice",
            json!([{"article": "c", "kind": "also_read"}, {"article": "c", "kind": "read_next"}]),
            409,
            None,
        ),
    ];
    for (case, related, status, field) in cases {
        let reply = app
            .patch(
                "/v1/articles/home",
                &app.editor(),
                json!({"title": "Changed", "related": related}),
            )
            .await;
        assert_eq!(
            reply.status,
            status,
            "{case}: {}",
            String::from_utf8_lossy(&reply.body)
        );
        let problem = reply.problem(status);
        if let Some(field) = field {
            let fields: Vec<&str> = problem["errors"]
                .as_array()
                .unwrap_or_else(|| panic!("{case}: no errors in {problem}"))
                .iter()
                .map(|e| e["field"].as_str().unwrap())
                .collect();
            assert!(
                fields.contains(&field),
                "{case}: errors name {fields:?}, not {field}"
            );
        }
        let stored = app.get_as("/v1/articles/home", &app.editor()).await.ok(200);
        assert_eq!(stored["title"], "Home", "{case}: the title is unchanged");
        assert_eq!(
            summary(&stored["related"]),
            ["b@1"],
            "{case}: the links are unchanged"
        );
    }
}

#[actix_web::test]
async fn contributors_may_not_manage_related_links() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.post(
        "/v1/authors",
        &app.editor(),
        json!({"name": "Cora", "slug": "cora"}),
    )
    .await
    .ok(201);
    app.publish("Own published", "cora", &[]).await;
    app.create_article(json!({"title": "Own draft", "authors": ["cora"]}))
        .await;
    app.publish("Target", AUTHOR, &[]).await;
    app.publish("Other", AUTHOR, &[]).await;
    app.create_article(json!({"title": "Other draft", "authors": [AUTHOR]}))
        .await;
    link(
        &app,
        "own-published",
        json!({"article": "target", "kind": "read_next"}),
    )
    .await;
    let contributor = app.contributor("cora");
    let new_link = json!({"article": "other", "kind": "also_read"});
    let inline = json!([{"article": "other", "kind": "also_read"}]);
    let cases = [
        (
            "POST a link",
            Method::POST,
            related_path("own-published"),
            Some(new_link.clone()),
        ),
        (
            "POST a link on the own draft",
            Method::POST,
            related_path("own-draft"),
            Some(new_link),
        ),
        (
            "PATCH a link",
            Method::PATCH,
            link_path("own-published", "target"),
            Some(json!({"label": "Mine"})),
        ),
        (
            "DELETE a link",
            Method::DELETE,
            link_path("own-published", "target"),
            None,
        ),
        (
            "related in a new article",
            Method::POST,
            "/v1/articles".to_owned(),
            Some(json!({"title": "New", "related": inline})),
        ),
        (
            "related in a PATCH of the own draft",
            Method::PATCH,
            "/v1/articles/own-draft".to_owned(),
            Some(json!({"related": inline})),
        ),
        (
            "related in a PUT of the own draft",
            Method::PUT,
            "/v1/articles/own-draft".to_owned(),
            Some(json!({"title": "Own draft", "related": inline})),
        ),
    ];
    for (case, method, path, body) in cases {
        let reply = match body {
            Some(body) => {
                app.send_json(method, &path, Some(&contributor), &body)
                    .await
            }
            None => {
                app.request(method, &path, Some(&contributor), &[], None)
                    .await
            }
        };
        assert_eq!(
            reply.status,
            403,
            "{case}: {}",
            String::from_utf8_lossy(&reply.body)
        );
        reply.problem(403);
    }
    assert_eq!(links_seen(&app, "own-published", None).await, ["target@1"]);
    assert_eq!(
        links_seen(&app, "own-draft", Some(&app.editor())).await,
        Vec::<String>::new()
    );
    let hidden = [
        (
            Method::POST,
            related_path("other-draft"),
            Some(json!({"article": "other", "kind": "also_read"})),
        ),
        (
            Method::PATCH,
            "/v1/articles/other-draft".to_owned(),
            Some(json!({"related": inline})),
        ),
        (Method::DELETE, link_path("other-draft", "other"), None),
    ];
    for (method, path, body) in hidden {
        let reply = match body {
            Some(body) => {
                app.send_json(method.clone(), &path, Some(&contributor), &body)
                    .await
            }
            None => {
                app.request(method.clone(), &path, Some(&contributor), &[], None)
                    .await
            }
        };
        assert_eq!(
            reply.status, 404,
            "{method} {path}: another author's draft is hidden"
        );
        reply.problem(404);
    }
    let drafts = app
        .get_as("/v1/articles?status=any", &app.editor())
        .await
        .ok(200);
    assert_eq!(drafts["meta"]["total"], 5, "no article was created");
}

#[actix_web::test]
async fn managing_links_without_a_token_is_401() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.publish("Home", AUTHOR, &[]).await;
    app.publish("Target", AUTHOR, &[]).await;
    app.publish("Other", AUTHOR, &[]).await;
    link(
        &app,
        "home",
        json!({"article": "target", "kind": "read_next"}),
    )
    .await;
    let cases = [
        (
            "POST",
            Method::POST,
            related_path("home"),
            Some(json!({"article": "other", "kind": "also_read"})),
        ),
        (
            "PATCH",
            Method::PATCH,
            link_path("home", "target"),
            Some(json!({"label": "Anonymous"})),
        ),
        ("DELETE", Method::DELETE, link_path("home", "target"), None),
    ];
    for (case, method, path, body) in cases {
        let reply = match body {
            Some(body) => app.send_json(method, &path, None, &body).await,
            None => app.request(method, &path, None, &[], None).await,
        };
        assert_eq!(reply.status, 401, "{case}");
        reply.problem(401);
        let challenge = reply.header("www-authenticate").unwrap_or_default();
        assert!(
            challenge.starts_with("Bearer"),
            "{case}: WWW-Authenticate {challenge:?}"
        );
    }
    let data = app.get(&related_path("home")).await.ok(200)["data"].clone();
    assert_eq!(summary(&data), ["target@1"]);
    assert_eq!(data[0]["label"], "Read next");
}

#[actix_web::test]
async fn the_links_of_an_unknown_or_hidden_article_are_404() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.publish("Target", AUTHOR, &[]).await;
    app.create_article(json!({"title": "Secret draft"})).await;
    link(
        &app,
        "secret-draft",
        json!({"article": "target", "kind": "read_next"}),
    )
    .await;
    let editor = app.editor();
    let new_link = json!({"article": "target", "kind": "also_read"});
    let cases = [
        (
            "GET of an unknown slug",
            Method::GET,
            related_path("no-such-article"),
            None,
            None,
        ),
        (
            "GET of an unknown id",
            Method::GET,
            related_path("987654"),
            None,
            None,
        ),
        (
            "GET of a draft, anonymously",
            Method::GET,
            related_path("secret-draft"),
            None,
            None,
        ),
        (
            "POST on an unknown article",
            Method::POST,
            related_path("no-such-article"),
            Some(editor.as_str()),
            Some(new_link),
        ),
        (
            "PATCH on an unknown article",
            Method::PATCH,
            link_path("no-such-article", "target"),
            Some(editor.as_str()),
            Some(json!({"label": "x"})),
        ),
        (
            "DELETE on an unknown article",
            Method::DELETE,
            link_path("no-such-article", "target"),
            Some(editor.as_str()),
            None,
        ),
    ];
    for (case, method, path, token, body) in cases {
        let reply = match body {
            Some(body) => app.send_json(method, &path, token, &body).await,
            None => app.request(method, &path, token, &[], None).await,
        };
        assert_eq!(
            reply.status,
            404,
            "{case}: {}",
            String::from_utf8_lossy(&reply.body)
        );
        reply.problem(404);
    }
    assert_eq!(
        links_seen(&app, "secret-draft", Some(&app.editor())).await,
        ["target@1"]
    );
}

#[actix_web::test]
async fn suggest_appends_visible_articles_sharing_the_most_tags_after_the_curated_links() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.create_author(AUTHOR).await;
    published_at(
        &app,
        "Home",
        &["Rivers", "Floods", "Europe"],
        "2024-06-01T00:00:00Z",
    )
    .await;
    published_at(
        &app,
        "Two old",
        &["Rivers", "Floods"],
        "2024-01-01T00:00:00Z",
    )
    .await;
    published_at(
        &app,
        "Two new",
        &["Floods", "Europe"],
        "2024-03-01T00:00:00Z",
    )
    .await;
    published_at(&app, "One newest", &["europe"], "2024-05-01T00:00:00Z").await;
    published_at(
        &app,
        "Three linked",
        &["Rivers", "Floods", "Europe"],
        "2024-02-01T00:00:00Z",
    )
    .await;
    published_at(&app, "Unrelated", &["Sport"], "2024-05-15T00:00:00Z").await;
    app.create_article(json!({"title": "Three draft", "tags": ["Rivers", "Floods", "Europe"], "authors": [AUTHOR]}))
        .await;
    link(
        &app,
        "home",
        json!({"article": "three-linked", "kind": "read_next"}),
    )
    .await;

    let data = app
        .get("/v1/articles/home/related?suggest=10")
        .await
        .ok(200)["data"]
        .clone();

    assert_eq!(
        summary(&data),
        [
            "three-linked@1",
            "two-new@null",
            "two-old@null",
            "one-newest@null"
        ]
    );
    assert_eq!(data[0]["kind"], "read_next");
    assert_eq!(data[1]["article"]["published_at"], "2024-03-01T00:00:00Z");
    assert_eq!(data[1]["article"]["primary_tag"]["slug"], "floods");
    for suggestion in &data.as_array().unwrap()[1..] {
        let slug = &suggestion["article"]["slug"];
        assert_eq!(suggestion["kind"], "suggested", "{slug}");
        assert_eq!(suggestion["label"], "Suggested", "{slug}");
        assert!(suggestion["position"].is_null(), "{slug}");
        assert!(
            suggestion["article"]["title"].is_string(),
            "{slug} carries a summary"
        );
    }
    let limited = app.get("/v1/articles/home/related?suggest=2").await.ok(200);
    assert_eq!(
        summary(&limited["data"]),
        ["three-linked@1", "two-new@null", "two-old@null"]
    );
    for query in ["", "?suggest=0"] {
        let plain = app
            .get(&format!("/v1/articles/home/related{query}"))
            .await
            .ok(200);
        assert_eq!(
            summary(&plain["data"]),
            ["three-linked@1"],
            "query {query:?}"
        );
    }
    assert_eq!(
        detail_links(&app, "home", None).await,
        ["three-linked@1"],
        "the article detail never carries suggestions"
    );
}

#[actix_web::test]
async fn suggest_out_of_range_and_unknown_query_parameters_are_400_naming_them() {
    let Some(app) = spawn_app().await else {
        return;
    };
    app.publish("Home", AUTHOR, &["Rivers"]).await;
    let cases = [
        ("suggest=21", "suggest"),
        ("suggest=-1", "suggest"),
        ("suggest=abc", "suggest"),
        ("suggest=", "suggest"),
        ("suggest=1&suggest=2", "suggest"),
        ("sugest=3", "sugest"),
        ("limit=3", "limit"),
    ];
    for (query, name) in cases {
        let reply = app.get(&format!("/v1/articles/home/related?{query}")).await;
        assert_eq!(reply.status, 400, "?{query}");
        let problem = reply.problem(400);
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            detail.contains(name),
            "?{query}: detail {detail:?} does not name {name}"
        );
    }
    let none_to_suggest = app
        .get("/v1/articles/home/related?suggest=20")
        .await
        .ok(200);
    assert_eq!(
        none_to_suggest["data"],
        json!([]),
        "nothing else shares a tag"
    );
}
