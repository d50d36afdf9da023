//! The committed contract is the generated one, and it documents what it promises.

use serde_json::Value;

fn generated() -> Value {
    serde_json::to_value(zv_monitor::api::openapi()).unwrap()
}

#[test]
fn committed_openapi_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    let committed: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(
        committed == generated(),
        "openapi/openapi.json is stale: run `cargo run -q -- openapi > openapi/openapi.json`"
    );
}

#[test]
fn every_operation_is_documented_with_its_problems() {
    let spec = generated();
    let mut count = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            count += 1;
            let name = format!("{method} {path}");
            assert!(
                op["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{name}: summary"
            );
            assert!(
                op["description"].as_str().is_some_and(|s| !s.is_empty()),
                "{name}: description"
            );
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses.keys().any(|s| s.starts_with('2')),
                "{name}: success response"
            );
            if path.starts_with("/api/v1/") {
                assert_eq!(
                    op["security"],
                    serde_json::json!([{"bearer": []}]),
                    "{name}: security"
                );
                for status in ["401", "403"] {
                    assert!(responses.contains_key(status), "{name}: {status}");
                }
            }
            if op.get("requestBody").is_some() {
                for status in ["400", "413", "415", "422"] {
                    assert!(responses.contains_key(status), "{name}: {status}");
                }
            }
        }
    }
    assert!(count >= 9, "{count} operations");
    let schemes = &spec["components"]["securitySchemes"]["bearer"];
    assert_eq!(schemes["scheme"], "bearer");
}
