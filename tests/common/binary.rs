//! The service's binary as an operator runs it.

use std::process::Command;

pub const BIN: &str = env!("CARGO_BIN_EXE_zv-monitor");

/// The binary in `dir` with none of the developer's settings: the default SQLite file there,
/// its own development secret, a free port.
pub fn zv(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("ZV_JWT_SECRET")
        .env_remove("ZV_JWKS_FILE")
        .env_remove("CARGO")
        .env("ZV_LISTEN", "127.0.0.1:0");
    cmd
}

/// `zv-monitor migrate` on `database_url`, as a migration job runs it; fails the test unless
/// it succeeds.
pub fn migrate(database_url: &str) {
    let out = Command::new(BIN)
        .arg("migrate")
        .env("DATABASE_URL", database_url)
        .env("ZV_JWT_SECRET", super::SECRET)
        .env_remove("ZV_JWKS_FILE")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
