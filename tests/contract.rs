//! The committed contract is the generated one, it is a valid document whose schemas compile
//! and whose examples are true, and it documents what it promises.

mod common;

use common::contract::{contract, escape};
use serde_json::Value;

fn generated() -> Value {
    contract().spec().clone()
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

/// Every place in the document, with its JSON Pointer.
fn walk<'a>(value: &'a Value, at: String, out: &mut Vec<(String, &'a Value)>) {
    out.push((at.clone(), value));
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                walk(v, format!("{at}/{}", escape(k)), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                walk(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn places(spec: &Value) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    walk(spec, String::new(), &mut out);
    out
}

#[test]
fn every_reference_resolves() {
    let spec = generated();
    let mut dangling = Vec::new();
    for (at, value) in places(&spec) {
        if let Some(r) = value.get("$ref").and_then(Value::as_str) {
            let target = r.strip_prefix('#').and_then(|p| spec.pointer(p));
            if target.is_none() {
                dangling.push(format!("{at} → {r}"));
            }
        }
    }
    assert!(dangling.is_empty(), "references to nothing: {dangling:#?}");
}

/// The pointers of every schema: components, parameters, bodies and responses.
fn schema_pointers(spec: &Value) -> Vec<String> {
    let mut out: Vec<String> = spec["components"]["schemas"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| format!("/components/schemas/{}", escape(k)))
        .collect();
    for (at, value) in places(spec) {
        let in_operation = at.starts_with("/paths/") || at.starts_with("/components/responses/");
        if in_operation && value.get("schema").is_some() && !at.ends_with("/schema") {
            out.push(format!("{at}/schema"));
        }
    }
    out
}

#[test]
fn every_schema_compiles_as_json_schema_2020_12() {
    let spec = generated();
    let broken: Vec<String> = schema_pointers(&spec)
        .iter()
        .filter_map(|p| contract().validator(p).err())
        .collect();
    assert!(broken.is_empty(), "{broken:#?}");
}

#[test]
fn every_example_is_true_to_its_schema() {
    let spec = generated();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for (at, value) in places(&spec) {
        let Some(object) = value.as_object() else {
            continue;
        };
        // A schema's own example, or a parameter's or media type's example of its schema.
        let schema_at = if object.contains_key("type")
            || object.contains_key("$ref")
            || object.contains_key("allOf")
            || object.contains_key("oneOf")
        {
            at.clone()
        } else if object.contains_key("schema") {
            format!("{at}/schema")
        } else {
            continue;
        };
        let examples: Vec<&Value> = object
            .get("example")
            .into_iter()
            .chain(
                object
                    .get("examples")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten(),
            )
            .collect();
        for example in examples {
            checked += 1;
            for v in contract().violations(&schema_at, example) {
                wrong.push(format!("{at}: {v}"));
            }
        }
    }
    assert!(checked > 50, "only {checked} examples");
    assert!(
        wrong.is_empty(),
        "examples that break their schema: {wrong:#?}"
    );
}

#[test]
fn no_schema_closes_itself_against_more_properties() {
    // An `allOf` of a closed object (`additionalProperties: false`) and further properties
    // is unsatisfiable: the closed part refuses what the other part requires.
    let spec = generated();
    let mut unsatisfiable = Vec::new();
    for (at, value) in places(&spec) {
        let Some(parts) = value.get("allOf").and_then(Value::as_array) else {
            continue;
        };
        let resolved: Vec<&Value> = parts.iter().map(|p| contract().resolve(p)).collect();
        let closed = resolved
            .iter()
            .any(|p| p.get("additionalProperties") == Some(&Value::Bool(false)));
        let others_add = resolved.len() > 1
            && resolved
                .iter()
                .filter(|p| p.get("additionalProperties") != Some(&Value::Bool(false)))
                .any(|p| p.get("properties").is_some());
        if closed && others_add {
            unsatisfiable.push(at);
        }
    }
    assert!(unsatisfiable.is_empty(), "{unsatisfiable:#?}");
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
                for status in ["401", "403", "503"] {
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

/// A year, an AGS or a cursor means the same in every operation, and says so: bounded the same
/// everywhere, so a generated client checks it before sending.
#[test]
fn shared_parameters_are_bounded_everywhere() {
    let spec = generated();
    let mut seen = std::collections::BTreeMap::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                let (name, schema) = (p["name"].as_str().unwrap(), &p["schema"]);
                let bounded = match name {
                    "year" => schema["minimum"] == 2005 && schema["maximum"] == 2100,
                    "traeger" | "ags" => schema["pattern"] == "^06[456][0-9]{2}$",
                    "after" if schema["type"] == "string" => {
                        schema["maxLength"] == 256 && schema["pattern"].is_string()
                    }
                    "after" | "limit" | "n" => schema["minimum"].is_i64(),
                    _ => continue,
                };
                assert!(bounded, "{method} {path}: `{name}` unbounded: {schema}");
                *seen.entry(name).or_insert(0) += 1;
            }
        }
    }
    assert!(seen.len() == 6, "{seen:?}");
}
