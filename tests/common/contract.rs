//! The contract as the tests hold the service to it. Every response a test receives through
//! `TestApp` must be one the generated OpenAPI document declares for its operation (its status
//! and media type), and a JSON body must match the declared schema; an error under a path the
//! document does not know must still be problem+json.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use jsonschema::{Draft, Validator};
use serde_json::Value;

pub const PROBLEM_JSON: &str = "application/problem+json";

pub struct Contract {
    spec: Value,
    validators: Mutex<HashMap<String, Arc<Validator>>>,
}

static CONTRACT: LazyLock<Contract> = LazyLock::new(|| Contract {
    spec: serde_json::to_value(zv_monitor::api::openapi()).expect("the spec is JSON"),
    validators: Mutex::new(HashMap::new()),
});

pub fn contract() -> &'static Contract {
    &CONTRACT
}

/// A JSON Pointer token: `~` and `/` escaped (RFC 6901).
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// A pointer as a URI fragment: what is not plain (`{id}`, `; version=0.0.4`) percent-encoded.
fn fragment(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for b in pointer.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The media type without parameters, in lower case.
fn bare(media: &str) -> String {
    media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Whether a path template (`/api/v1/agreements/{id}`) matches a path, and how many of its
/// segments are literal (the more, the better the match).
fn matches(template: &str, path: &str) -> Option<usize> {
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    if t.len() != p.len() {
        return None;
    }
    let mut literal = 0;
    for (t, p) in t.iter().zip(&p) {
        if t.starts_with('{') && t.ends_with('}') {
            if p.is_empty() {
                return None;
            }
        } else if t == p {
            literal += 1;
        } else {
            return None;
        }
    }
    Some(literal)
}

impl Contract {
    pub fn spec(&self) -> &Value {
        &self.spec
    }

    /// The object a `$ref` (`#/components/...`) names, or the value itself.
    pub fn resolve<'a>(&'a self, value: &'a Value) -> &'a Value {
        match value.get("$ref").and_then(Value::as_str) {
            Some(r) => self
                .spec
                .pointer(r.trim_start_matches('#'))
                .unwrap_or(&Value::Null),
            None => value,
        }
    }

    /// The pointer a `$ref`'d object lives at, or `at` itself.
    fn location(&self, value: &Value, at: String) -> String {
        match value.get("$ref").and_then(Value::as_str) {
            Some(r) => r.trim_start_matches('#').to_owned(),
            None => at,
        }
    }

    /// A validator for the schema at `pointer` in the document, whose `$ref`s resolve in it.
    pub fn validator(&self, pointer: &str) -> Result<Arc<Validator>, String> {
        if let Some(v) = self.validators.lock().unwrap().get(pointer) {
            return Ok(v.clone());
        }
        let mut root = self.spec.clone();
        root["$schema"] = "https://json-schema.org/draft/2020-12/schema".into();
        root["$ref"] = format!("#{}", fragment(pointer)).into();
        let validator = jsonschema::options()
            .with_draft(Draft::Draft202012)
            .build(&root)
            .map_err(|e| format!("the schema at {pointer} does not compile: {e}"))?;
        let validator = Arc::new(validator);
        self.validators
            .lock()
            .unwrap()
            .insert(pointer.to_owned(), validator.clone());
        Ok(validator)
    }

    /// Every violation of `instance` against the schema at `pointer`.
    pub fn violations(&self, pointer: &str, instance: &Value) -> Vec<String> {
        match self.validator(pointer) {
            Err(e) => vec![e],
            Ok(v) => v
                .iter_errors(instance)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect(),
        }
    }

    /// The operation for `method` on `path`: its template and pointer in the document.
    fn operation(&self, method: &str, path: &str) -> Option<(String, String)> {
        let method = method.to_ascii_lowercase();
        self.spec["paths"]
            .as_object()?
            .iter()
            .filter(|(_, item)| item.get(&method).is_some())
            .filter_map(|(template, _)| matches(template, path).map(|n| (n, template)))
            .max_by_key(|(n, _)| *n)
            .map(|(_, t)| (t.clone(), format!("/paths/{}/{method}", escape(t))))
    }

    /// Checks one response against the contract.
    pub fn check(
        &self,
        method: &str,
        path: &str,
        status: u16,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<(), String> {
        let media = content_type.map(bare).unwrap_or_default();
        let Some((template, op)) = self.operation(method, path) else {
            // No operation: a page of Swagger UI, the served spec, or an error, which must
            // be a problem all the same.
            if status < 400 {
                return Ok(());
            }
            return self.check_body("/components/schemas/Problem", &media, PROBLEM_JSON, body);
        };
        let name = format!("{method} {template}");
        let responses = &self.spec.pointer(&op).unwrap()["responses"];
        let code = status.to_string();
        let Some(declared) = responses.get(&code) else {
            return Err(format!("{name}: status {status} is not declared"));
        };
        let at = self.location(declared, format!("{op}/responses/{code}"));
        let response = self.resolve(declared);
        let content = response.get("content").and_then(Value::as_object);
        let Some(content) = content.filter(|c| !c.is_empty()) else {
            return if body.is_empty() {
                Ok(())
            } else {
                Err(format!("{name} {status}: a body where none is declared"))
            };
        };
        let Some((key, _)) = content.iter().find(|(k, _)| bare(k) == media) else {
            let declared: Vec<&String> = content.keys().collect();
            return Err(format!(
                "{name} {status}: media type `{media}` is not declared (declared: {declared:?})"
            ));
        };
        let schema = format!("{at}/content/{}/schema", escape(key));
        self.check_body(&schema, &media, key, body)
            .map_err(|e| format!("{name} {status}: {e}"))
    }

    fn check_body(
        &self,
        schema: &str,
        media: &str,
        expected: &str,
        body: &[u8],
    ) -> Result<(), String> {
        if bare(expected) != media {
            return Err(format!("`{media}` where `{expected}` is declared"));
        }
        // JSON, and problem+json; not NDJSON, whose lines are JSON but not the body.
        if media != "application/json" && !media.ends_with("+json") {
            return Ok(());
        }
        let instance: Value =
            serde_json::from_slice(body).map_err(|e| format!("the body is not JSON ({e})"))?;
        if media == PROBLEM_JSON {
            speaks_german(&instance)?;
        }
        let violations = self.violations(schema, &instance);
        if violations.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "the body breaks its schema {schema}: {}",
                violations.join("; ")
            ))
        }
    }
}

/// Every problem a test meets has a German form, for a caller whose `Accept-Language` prefers
/// it: its title by its kind, its detail and each validation message by their shape.
fn speaks_german(problem: &Value) -> Result<(), String> {
    use zv_monitor::api::problem::german::{text_of, title};
    let kind = problem["type"].as_str().unwrap_or_default();
    let kind = kind.strip_prefix("urn:zv-monitor:problem:").unwrap_or(kind);
    let Some(german) = title(kind) else {
        return Err(format!("the problem kind `{kind}` has no German title"));
    };
    if problem["title"] == german {
        // In German already: it was asked for.
        return Ok(());
    }
    let messages = std::iter::once(&problem["detail"]).chain(
        problem["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| &e["message"]),
    );
    for m in messages.filter_map(Value::as_str) {
        if text_of(m).is_none() {
            return Err(format!(
                "no German form for the message `{m}` (src/api/problem/german.rs)"
            ));
        }
    }
    Ok(())
}
