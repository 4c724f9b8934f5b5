//! `spawn_app_on()`: the real server on a random loopback port, over a
//! fresh database, with a client that speaks HTTP.

use std::net::TcpListener;

use awc::http::Method;
use masthead::domain::Role;
use masthead::startup::Application;
use serde_json::{Value, json};

use super::{Backend, PgDatabase, Reply, fresh_database_on, settings_for, token};

pub struct TestApp {
    pub address: String,
    /// Where a SQLite database is (tests that open the file themselves).
    pub db_path: std::path::PathBuf,
    /// The DATABASE_URL the server was started with.
    pub database_url: String,
    client: awc::Client,
    _dir: tempfile::TempDir,
    _postgres: Option<PgDatabase>,
}

/// Starts the app on a fresh database on `backend`, with `extra` settings.
/// `None`: PostgreSQL has no server, and the test is skipped (see
/// `PgDatabase::create`); the test returns at once.
pub async fn spawn_app_on(backend: Backend, extra: &[(&str, &str)]) -> Option<TestApp> {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("test.db");
    let (database_url, postgres) = fresh_database_on(backend, dir.path(), "test.db")?;
    // Each server keeps its renditions apart, so that no test sees what
    // another made.
    let renditions = dir.path().join("renditions");
    let mut extra = extra.to_vec();
    if !extra.iter().any(|(name, _)| *name == "MEDIA_CACHE_DIR") {
        extra.push(("MEDIA_CACHE_DIR", renditions.to_str().unwrap()));
    }
    let settings = settings_for(&database_url, &extra);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let app = Application::build(&settings, listener).expect("the app starts");
    actix_web::rt::spawn(app.server);
    Some(TestApp {
        address: format!("http://127.0.0.1:{}", app.port),
        db_path,
        database_url,
        client: awc::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .disable_redirects()
            .finish(),
        _dir: dir,
        _postgres: postgres,
    })
}

/// The app on SQLite, which needs no server: for the tests that are about
/// SQLite itself (its files, its query plans).
pub async fn spawn_sqlite_app(extra: &[(&str, &str)]) -> TestApp {
    spawn_app_on(Backend::Sqlite, extra)
        .await
        .expect("SQLite needs no server")
}

impl TestApp {
    pub fn editor(&self) -> String {
        token(Role::Editor, None)
    }

    pub fn admin(&self) -> String {
        token(Role::Admin, None)
    }

    pub fn contributor(&self, author: &str) -> String {
        token(Role::Contributor, Some(author))
    }

    /// Any request; `body` is sent as-is with `content_type` when given.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<(&str, Vec<u8>)>,
    ) -> Reply {
        let mut req = self
            .client
            .request(method, format!("{}{}", self.address, path));
        if let Some(token) = token {
            req = req.insert_header(("Authorization", format!("Bearer {token}")));
        }
        for (name, value) in headers {
            req = req.insert_header((*name, *value));
        }
        let mut response = match body {
            Some((content_type, bytes)) => req
                .insert_header(("Content-Type", content_type))
                .send_body(bytes)
                .await
                .unwrap(),
            None => req.send().await.unwrap(),
        };
        let body = response
            .body()
            .limit(16 * 1024 * 1024)
            .await
            .unwrap()
            .to_vec();
        Reply {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.request(Method::GET, path, None, &[], None).await
    }

    pub async fn get_as(&self, path: &str, token: &str) -> Reply {
        self.request(Method::GET, path, Some(token), &[], None)
            .await
    }

    pub async fn send_json(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> Reply {
        let bytes = serde_json::to_vec(body).unwrap();
        self.request(method, path, token, &[], Some(("application/json", bytes)))
            .await
    }

    /// `body` as an editor, with this Content-Type whatever it says (JSON,
    /// merge-patch, or one the API refuses).
    pub async fn send_as_editor(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        body: &Value,
    ) -> Reply {
        let token = self.editor();
        let bytes = serde_json::to_vec(body).unwrap();
        self.request(method, path, Some(&token), &[], Some((content_type, bytes)))
            .await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.send_json(Method::POST, path, Some(token), &body).await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> Reply {
        self.send_json(Method::PUT, path, Some(token), &body).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Reply {
        self.send_json(Method::PATCH, path, Some(token), &body)
            .await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Reply {
        self.request(Method::DELETE, path, Some(token), &[], None)
            .await
    }

    /// The `name` of every item of `/v1/{resource}`, walked two at a time
    /// from the first page by `next_cursor`.
    pub async fn names_by_cursor(&self, resource: &str) -> Vec<String> {
        let mut names = Vec::new();
        let mut path = format!("/v1/{resource}?per_page=2");
        loop {
            let page = self.get(&path).await.ok(200);
            names.extend(super::names(&page));
            match page["meta"]["next_cursor"].as_str() {
                Some(c) => path = format!("/v1/{resource}?per_page=2&cursor={c}"),
                None => return names,
            }
        }
    }

    pub async fn create_author(&self, name: &str) -> Value {
        self.post("/v1/authors", &self.editor(), json!({ "name": name }))
            .await
            .ok(201)
    }

    pub async fn create_tag(&self, name: &str) -> Value {
        self.post("/v1/tags", &self.editor(), json!({ "name": name }))
            .await
            .ok(201)
    }

    /// Creates an article as an editor; `body` is merged over a valid draft.
    pub async fn create_article(&self, body: Value) -> Value {
        let mut draft = json!({ "title": "Untitled", "body": "Some text." });
        for (k, v) in body.as_object().expect("an object") {
            draft[k] = v.clone();
        }
        self.post("/v1/articles", &self.editor(), draft)
            .await
            .ok(201)
    }

    /// A published article credited to a new or existing author `author`.
    pub async fn publish(&self, title: &str, author: &str, tags: &[&str]) -> Value {
        if self.get(&format!("/v1/authors/{author}")).await.status == 404 {
            let created = self
                .post(
                    "/v1/authors",
                    &self.editor(),
                    json!({ "name": author, "slug": author }),
                )
                .await;
            created.ok(201);
        }
        self.create_article(json!({
            "title": title,
            "status": "published",
            "authors": [author],
            "tags": tags,
        }))
        .await
    }
}
