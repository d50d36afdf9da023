//! SIGTERM as a platform sends it before it replaces a replica: the service stops accepting,
//! lets requests under way finish (a write whose body is still arriving, a facts export read
//! slowly by its client), and exits 0; a client that stalls holds it no longer than
//! ZV_SHUTDOWN_TIMEOUT.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::binary::zv;

/// A service on a SQLite file holding the demonstration year; its address and a token.
fn serving(dir: &std::path::Path, shutdown_timeout: &str) -> (Child, String, String) {
    let seeded = zv(dir).args(["seed", "--demo"]).output().unwrap();
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let token = zv(dir).args(["token", "--role", "hmsi"]).output().unwrap();
    let token = String::from_utf8(token.stdout).unwrap().trim().to_owned();
    let mut child = zv(dir)
        .arg("serve")
        .env("ZV_SHUTDOWN_TIMEOUT", shutdown_timeout)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let banner: Vec<String> = (0..4).filter_map(|_| lines.next()?.ok()).collect();
    let address = banner
        .iter()
        .find_map(|l| {
            let url = l.trim().strip_prefix("Swagger UI:")?.trim().to_owned();
            Some(
                url.trim_start_matches("http://")
                    .trim_end_matches("/swagger-ui/")
                    .to_owned(),
            )
        })
        .unwrap();
    (child, address, token)
}

/// An export asked for over a connection of its own, its first bytes read.
fn export_under_way(address: &str, token: &str) -> (TcpStream, Vec<u8>) {
    let mut stream = TcpStream::connect(address).unwrap();
    write!(
        stream,
        "GET /api/v1/exports/facts?format=ndjson HTTP/1.1\r\nHost: {address}\r\n\
         Authorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut first = vec![0; 1024];
    let n = stream.read(&mut first).unwrap();
    first.truncate(n);
    assert!(
        first.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&first)
    );
    (stream, first)
}

/// A chunked body's content; panics unless it ends with the empty last chunk.
fn dechunked(mut rest: &str) -> String {
    let mut content = String::new();
    loop {
        let (size, after) = rest.split_once("\r\n").expect("a chunk size");
        let size = usize::from_str_radix(size, 16).unwrap();
        if size == 0 {
            assert_eq!(after, "\r\n", "the export ended properly");
            return content;
        }
        content.push_str(&after[..size]);
        rest = after[size..].strip_prefix("\r\n").unwrap();
    }
}

fn terminate(child: &Child) {
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

#[test]
fn sigterm_lets_requests_under_way_finish_then_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, address, token) = serving(dir.path(), "30s");
    let (mut stream, mut body) = export_under_way(&address, &token);
    // A Träger registers a reporting body; half its request has arrived.
    let kassel = zv(dir.path())
        .args(["token", "--role", "traeger", "--traeger", "06633"])
        .output()
        .unwrap();
    let kassel = String::from_utf8(kassel.stdout).unwrap().trim().to_owned();
    let json = r#"{"name": "Suchtberatung Wolfhagen", "kind": "suchtberatung"}"#;
    let mut write = TcpStream::connect(&address).unwrap();
    write!(
        write,
        "POST /api/v1/traeger/06633/reporting-bodies HTTP/1.1\r\nHost: {address}\r\n\
         Authorization: Bearer {kassel}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{}",
        json.len(),
        &json[..20]
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(200));

    terminate(&child);
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        TcpStream::connect(&address).is_err(),
        "no new connection once SIGTERM arrived"
    );
    // The rest of the write arrives, and it is done.
    write.write_all(&json.as_bytes()[20..]).unwrap();
    let mut answer = String::new();
    write.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    // The export goes on to its end, read slowly.
    let mut chunk = vec![0; 64 * 1024];
    loop {
        let n = stream.read(&mut chunk).unwrap();
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
        std::thread::sleep(Duration::from_millis(2));
    }
    let text = String::from_utf8(body).unwrap();
    let (_, payload) = text.split_once("\r\n\r\n").unwrap();
    let ndjson = dechunked(payload);
    // Every fact whole JSON, the last one too.
    let facts = ndjson
        .lines()
        .inspect(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap();
        })
        .count();
    assert!(facts > 500, "{facts} facts");
    assert_eq!(child.wait().unwrap().code(), Some(0), "a graceful stop");
}

#[test]
fn a_stalled_client_holds_the_stop_no_longer_than_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, address, token) = serving(dir.path(), "1s");
    // The client asks and then reads nothing more.
    let (_stalled, _) = export_under_way(&address, &token);
    let asked = Instant::now();
    terminate(&child);
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert!(
        asked.elapsed() < Duration::from_secs(10),
        "{:?}",
        asked.elapsed()
    );
}
