//! Logs as an operator reads them: JSON lines with `LOG_FORMAT=json`, each
//! request's line carrying its request id, and no secret or token anywhere.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SECRET: &str = "logging-test-secret-0123456789abcdefghij";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn get(port: u16, path: &str, headers: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\n{headers}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn json_logs_carry_the_request_id_and_never_a_token() {
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
    while get_ready(port).is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let response = get(
        port,
        "/v1/articles",
        &format!("Authorization: Bearer {token}\r\nX-Request-Id: log-test-1\r\n"),
    );
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let bad = get(
        port,
        "/v1/tags",
        &format!("Authorization: Bearer {token}x\r\n"),
    );
    assert!(bad.starts_with("HTTP/1.1 401"), "{bad}");

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

fn get_ready(port: u16) -> Option<()> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(
        stream,
        "GET /readyz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    response.starts_with("HTTP/1.1 200").then_some(())
}
