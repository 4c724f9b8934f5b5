//! Many writes at once: on SQLite they share commits (db::writer), on
//! PostgreSQL they take turns on an advisory lock. Either way every
//! acknowledged write is there afterwards, a write that fails changes
//! nothing, and one that fails does not take the others down with it.

use std::collections::HashSet;

use serde_json::json;

use super::helpers::spawn_app;

#[actix_web::test]
async fn concurrent_writes_are_all_kept_and_failures_stay_their_own() {
    let Some(app) = spawn_app().await else {
        return;
    };
    let app = std::rc::Rc::new(app);
    let editor = app.editor();
    // 40 tags at once; every name appears twice, so half of them conflict.
    let mut pending = Vec::new();
    for i in 0..40 {
        let (app, editor) = (app.clone(), editor.clone());
        pending.push(actix_web::rt::spawn(async move {
            let name = format!("Section {}", i / 2);
            let reply = app.post("/v1/tags", &editor, json!({ "name": name })).await;
            (name, reply.status, reply.body)
        }));
    }
    let mut created = HashSet::new();
    let mut conflicts = 0;
    for task in pending {
        let (name, status, body) = task.await.unwrap();
        match status {
            201 => assert!(created.insert(name), "one of each pair is created"),
            409 => conflicts += 1,
            other => panic!("{other}: {}", String::from_utf8_lossy(&body)),
        }
    }
    assert_eq!((created.len(), conflicts), (20, 20));
    let listed = app.get("/v1/tags?per_page=100").await.ok(200);
    let names: HashSet<String> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, created, "exactly the acknowledged tags are stored");
}
