//! Requests to a server the test started itself (a child process, say)
//! rather than through `TestApp`: with awc, or written by hand on a TCP
//! connection when the test needs to control the bytes and the connection.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use awc::http::Method;
use serde_json::Value;

use super::Reply;

/// One request with `client`, `body` sent as JSON. `Err` says why there
/// was no answer, for the tests where that can happen (a server killed
/// mid-request); the others `expect` an answer.
pub async fn send(
    client: &awc::Client,
    method: Method,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> Result<Reply, String> {
    let mut req = client.request(method, url);
    for (name, value) in headers {
        req = req.insert_header((*name, *value));
    }
    let sent = match body {
        Some(body) => req.send_json(body).await,
        None => req.send().await,
    };
    let mut response = sent.map_err(|e| e.to_string())?;
    let body = response
        .body()
        .limit(16 * 1024 * 1024)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Reply {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: body.to_vec(),
    })
}

/// One blocking HTTP/1.1 request on its own connection (`Connection: close`),
/// so that no idle keep-alive connection outlives it: status, head, body.
pub fn raw_http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> std::io::Result<(u16, String, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
    stream.write_all(request_head(port, method, path, headers, body).as_bytes())?;
    if let Some(body) = body {
        stream.write_all(body)?;
    }
    read_response(&mut stream)
}

/// The head of a `Connection: close` request; a `body` is sent as JSON.
pub fn request_head(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> String {
    let mut head =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some(body) = body {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    head.push_str("\r\n");
    head
}

/// Reads a whole `Connection: close` response: status, head, body.
pub fn read_response(stream: &mut TcpStream) -> std::io::Result<(u16, String, String)> {
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| std::io::Error::other(format!("no HTTP head in {text:?}")))?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no status in {head:?}")))?;
    Ok((status, head.to_owned(), body.to_owned()))
}
