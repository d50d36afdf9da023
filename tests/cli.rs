//! The binary as a user runs it: `serve`, `token`, `openapi`, and refusal of bad settings.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

use common::binary::{BIN, zv};

fn workdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("zv-cli-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn token_prints_one_token_and_nothing_else() {
    let dir = workdir();
    let out = zv(&dir)
        .args([
            "token",
            "--role",
            "traeger",
            "--traeger",
            "06633",
            "--ttl",
            "30m",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].split('.').count(), 3, "a JWT");
    assert!(
        dir.join("zv-monitor.sqlite3.jwt-secret").exists(),
        "secret kept beside the database"
    );

    let refused = zv(&dir)
        .args(["token", "--role", "traeger"])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(refused.stdout.is_empty());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--traeger"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn openapi_prints_the_contract() {
    let out = Command::new(BIN).arg("openapi").output().unwrap();
    assert!(out.status.success());
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        printed,
        serde_json::to_value(zv_monitor::api::openapi()).unwrap()
    );
}

#[test]
fn bad_settings_stop_the_start_with_a_message() {
    let dir = workdir();
    let out = zv(&dir).env("ZV_DB_POOL_SIZE", "0").output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("ZV_DB_POOL_SIZE"));
    let out = zv(&dir).env("ZV_JWT_SECRET", "short").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("at least 32 bytes") && !stderr.contains("short'"),
        "{stderr}"
    );
    let out = zv(&dir)
        .env("ZV_JWT_ROLE_CLAIM", "realm_access.roles")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("ZV_JWT_ROLE_CLAIM must be a JSON Pointer")
    );
    let out = zv(&dir)
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("ZV_JWT_SECRET"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn serve_starts_on_sqlite_prints_where_to_go_and_stops_on_sigterm() {
    let dir = workdir();
    let mut child = zv(&dir)
        .arg("serve")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let banner: Vec<String> = (0..4).map(|_| lines.next().unwrap().unwrap()).collect();
    let swagger = banner
        .iter()
        .find_map(|l| l.trim().strip_prefix("Swagger UI:"))
        .unwrap()
        .trim()
        .to_owned();
    assert!(
        banner.iter().any(|l| l.contains("token --role hmsi")),
        "{banner:?}"
    );

    let base = swagger.trim_end_matches("/swagger-ui/").to_owned();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (ui, ready) = rt.block_on(async {
        let ui = reqwest::get(&swagger).await.unwrap().status();
        let ready = reqwest::get(format!("{base}/health/ready"))
            .await
            .unwrap()
            .status();
        (ui, ready)
    });
    assert_eq!((ui.as_u16(), ready.as_u16()), (200, 200));

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "graceful stop");
    // A first start on a new file logs no error (the pool once met the migrations' lock).
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    assert!(!log.contains("ERROR") && !log.contains("locked"), "{log}");
    std::fs::remove_dir_all(dir).unwrap();
}
