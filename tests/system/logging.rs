//! Logs as an operator reads them: JSON lines with `LOG_FORMAT=json`, each
//! request's line carrying its request id, and no secret or token anywhere.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{SECRET, free_port, raw_http};
use crate::turn;

#[test]
fn json_logs_carry_the_request_id_and_never_a_token() {
    let _turn = turn();
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let env = |command: &mut Command| {
        command
            .current_dir(dir.path())
            .env("DATABASE_URL", dir.path().join("log.db"))
            .env("MASTHEAD_BIND", format!("127.0.0.1:{port}"))
            .env("JWT_SECRET", SECRET)
            .env("LOG_FORMAT", "json")
            .env("RUST_LOG", "info");
    };
    let mut token_command = Command::new(env!("CARGO_BIN_EXE_masthead"));
    env(&mut token_command);
    let token = token_command
        .args(["token", "--sub", "logger", "--role", "editor"])
        .output()
        .unwrap();
    let token = String::from_utf8(token.stdout).unwrap().trim().to_owned();
    assert!(token.len() > 40);

    let mut serve = Command::new(env!("CARGO_BIN_EXE_masthead"));
    env(&mut serve);
    let mut child = serve
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !matches!(raw_http(port, "GET", "/readyz", &[], None), Ok((200, ..))) {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let bearer = format!("Bearer {token}");
    let (status, head, body) = raw_http(
        port,
        "GET",
        "/v1/articles",
        &[("Authorization", &bearer), ("X-Request-Id", "log-test-1")],
        None,
    )
    .unwrap();
    assert_eq!(status, 200, "{head}{body}");
    let tampered = format!("Bearer {token}x");
    let (status, head, body) = raw_http(
        port,
        "GET",
        "/v1/tags",
        &[("Authorization", &tampered)],
        None,
    )
    .unwrap();
    assert_eq!(status, 401, "{head}{body}");

    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let mut logs = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    child.wait().unwrap();

    let lines: Vec<serde_json::Value> = logs
        .lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|_| panic!("not a JSON line: {line}"))
        })
        .collect();
    let request_line = lines
        .iter()
        .find(|l| l["fields"]["path"] == "/v1/articles")
        .unwrap_or_else(|| panic!("no request line in:\n{logs}"));
    assert_eq!(
        request_line["span"]["request_id"], "log-test-1",
        "{request_line}"
    );
    assert_eq!(request_line["fields"]["status"], 200);
    assert!(request_line["fields"]["latency_ms"].is_number());
    assert!(!logs.contains(&token), "a token reached the logs");
    assert!(!logs.contains(SECRET), "the secret reached the logs");
}
