use std::collections::HashSet;
use std::net::TcpListener;

use masthead::demo::{Loaded, load};
use masthead::startup::{Application, open_database};

use super::helpers::{fresh_database, settings_for, token};

#[actix_web::test]
async fn the_demo_newsroom_loads_once_and_reads_like_a_paper() {
    let dir = tempfile::tempdir().unwrap();
    let Some((database_url, _database)) = fresh_database(dir.path(), "demo.db") else {
        return;
    };
    let settings = settings_for(&database_url, &[]);
    let db = open_database(&settings).unwrap();
    let first = db.run(load).await.unwrap();
    assert_eq!(
        first,
        Loaded {
            authors: 3,
            tags: 4,
            articles: 12,
            links: 10
        }
    );
    assert_eq!(
        db.run(load).await.unwrap(),
        Loaded::default(),
        "a second load changes nothing"
    );

    let app = Application::build(&settings, TcpListener::bind("127.0.0.1:0").unwrap()).unwrap();
    let base = format!("http://127.0.0.1:{}", app.port);
    actix_web::rt::spawn(app.server);
    let client = awc::Client::default();
    let get = |path: String, token: Option<String>| {
        let mut request = client.get(format!("{base}{path}"));
        let path = path.clone();
        if let Some(token) = token {
            request = request.insert_header(("Authorization", format!("Bearer {token}")));
        }
        async move {
            let mut response = request.send().await.unwrap();
            assert_eq!(response.status(), 200, "{path}");
            response
                .json::<serde_json::Value>()
                .limit(1 << 20)
                .await
                .unwrap()
        }
    };

    let public = get("/v1/articles?per_page=100".to_owned(), None).await;
    assert_eq!(
        public["meta"]["total"], 10,
        "the draft and the future scheduled article are hidden"
    );
    let editor = token(masthead::domain::Role::Editor, None);
    let all = get(
        "/v1/articles?status=any&per_page=100&fields=status".to_owned(),
        Some(editor),
    )
    .await;
    let statuses: HashSet<&str> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, HashSet::from(["draft", "scheduled", "published"]));

    let sections = get("/v1/tags".to_owned(), None).await;
    assert_eq!(sections["meta"]["total"], 4);
    let authors = get("/v1/authors".to_owned(), None).await;
    for author in authors["data"].as_array().unwrap() {
        assert!(
            author["bio"].is_string() && author["avatar_url"].is_string(),
            "{author}"
        );
        assert!(
            !author["social"].as_object().unwrap().is_empty(),
            "{author}"
        );
    }
    let mut kinds = HashSet::new();
    for article in public["data"].as_array().unwrap() {
        assert!(
            article["primary_tag"].is_object(),
            "every article has a section"
        );
        let related = get(format!("/v1/articles/{}/related", article["id"]), None).await;
        for link in related["data"].as_array().unwrap() {
            kinds.insert(link["kind"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(
        kinds,
        HashSet::from(["also_read".into(), "read_next".into(), "recommended".into()])
    );
    let with_images = public["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["feature_image"]["alt"].is_string())
        .count();
    assert!(
        with_images >= 5,
        "{with_images} articles have captioned images"
    );
}
