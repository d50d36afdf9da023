//! Change-feed catch-up benchmark (see `run.sh` beside this file).
//!
//! `generate <DATABASE_URL> <events>` appends events through the service's own ledger code, so
//! the hash chain is the real one; each carries a submission-sized state before and after.
//! `follow <base URL> <token>` reads `/api/v1/changes` from 0 to the end, as a data warehouse
//! catching up does, and prints events, seconds, events/s and MB/s.

use std::time::{Duration, Instant};

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::json;
use zv_monitor::domain::actor::Actor;
use zv_monitor::domain::audit::Change;
use zv_monitor::store::{ledger, pool};

/// Events per transaction while generating.
const CHUNK: u64 = 5_000;

fn state(id: u64, revision: u64) -> serde_json::Value {
    let values: Vec<_> = (0..20)
        .map(|i| {
            json!({"indicator": format!("bench_{i:03}"), "value": (id * 31 + i) % 997,
                "breakdown": [{"reporting_body": "Beratungsstelle Nord", "value": 3},
                              {"reporting_body": "Beratungsstelle Süd", "value": 4}]})
        })
        .collect();
    json!({"id": format!("sub-bench-{id}"), "obligation_id": format!("zv-2024-06633-1.{id}"),
        "traeger": "06633", "year": 2024, "section": "§ 2 (3)", "status": "submitted",
        "revision": revision, "values": values, "version": revision})
}

fn generate(url: &str, events: u64) -> anyhow::Result<()> {
    let pool = pool::build_pool(url, 1, Duration::from_secs(10))?;
    let mut conn = pool.get()?;
    let actor = Actor::system("bench");
    let started = Instant::now();
    let mut written = 0;
    while written < events {
        let n = CHUNK.min(events - written);
        pool::write_transaction(&mut conn, |conn| {
            for i in written..written + n {
                let (id, revision) = (i % 10_000, i / 10_000 + 1);
                let change = Change {
                    action: "update",
                    entity_type: "submission",
                    entity_id: format!("sub-bench-{id}"),
                    before: Some(state(id, revision - 1)),
                    after: Some(state(id, revision)),
                };
                ledger::append(conn, &actor, chrono::Utc::now().naive_utc(), change)?;
            }
            Ok::<_, diesel::result::Error>(())
        })?;
        written += n;
    }
    let s = started.elapsed().as_secs_f64();
    println!("generated {events} events in {s:.1} s");
    Ok(())
}

#[derive(Deserialize)]
struct Page {
    items: Vec<IgnoredAny>,
    next: i64,
}

async fn follow(base: &str, token: &str) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let started = Instant::now();
    let (mut after, mut events, mut bytes) = (0_i64, 0_usize, 0_usize);
    loop {
        let body = client
            .get(format!("{base}/api/v1/changes?after={after}&limit=1000"))
            .bearer_auth(token)
            .send()
            .await?
            .error_for_status()?
            .bytes()
            .await?;
        let page: Page = serde_json::from_slice(&body)?;
        if page.items.is_empty() {
            break;
        }
        events += page.items.len();
        bytes += body.len();
        after = page.next;
    }
    let s = started.elapsed().as_secs_f64();
    println!(
        "{events} {s:.2} {:.0} {:.1}",
        events as f64 / s,
        bytes as f64 / s / 1e6
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["generate", url, events, ..] => {
            let (url, events) = (url.to_owned(), events.parse()?);
            tokio::task::spawn_blocking(move || generate(&url, events)).await?
        }
        ["follow", base, token, ..] => follow(base, token).await,
        // `cargo bench` without arguments passes `--bench`: nothing to do then.
        _ => {
            eprintln!(
                "usage: changes generate <DATABASE_URL> <events> | follow <base URL> <token>"
            );
            Ok(())
        }
    }
}
