//! Claims as identity providers send them. Keycloak puts roles in `realm_access.roles` (an
//! array beside roles of its own), Entra ID and others the scopes in `scp` (an array or a
//! string), this service's own tokens in `role`, `traeger` and `scope`. Where each is read is a
//! JSON Pointer (RFC 6901) set per deployment: `ZV_JWT_ROLE_CLAIM`, `ZV_JWT_TRAEGER_CLAIM`,
//! `ZV_JWT_SCOPE_CLAIM`.

use serde_json::Value;

use super::jwt::Claims;

/// The roles a token may carry; in an array of the provider's roles the first of these counts.
const ROLES: [&str; 3] = ["hmsi", "traeger", "jobcenter"];

/// Where the claims this service needs stand in a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimPointers {
    role: String,
    traeger: String,
    scope: String,
}

impl Default for ClaimPointers {
    fn default() -> Self {
        ClaimPointers {
            role: "/role".into(),
            traeger: "/traeger".into(),
            scope: "/scope".into(),
        }
    }
}

/// A JSON Pointer, or why it is none (the message names the setting).
fn pointer(setting: &str, p: &str) -> Result<String, String> {
    if p.starts_with('/') {
        Ok(p.to_owned())
    } else {
        Err(format!(
            "{setting} must be a JSON Pointer such as /realm_access/roles (RFC 6901), not `{p}`"
        ))
    }
}

impl ClaimPointers {
    pub fn new(role: &str, traeger: &str, scope: &str) -> Result<Self, String> {
        Ok(ClaimPointers {
            role: pointer("ZV_JWT_ROLE_CLAIM", role)?,
            traeger: pointer("ZV_JWT_TRAEGER_CLAIM", traeger)?,
            scope: pointer("ZV_JWT_SCOPE_CLAIM", scope)?,
        })
    }

    /// The claims of a verified token's payload; the error text is shown to the caller.
    pub fn claims(&self, payload: &Value) -> Result<Claims, String> {
        let text = |name: &str| payload.get(name).and_then(Value::as_str).map(str::to_owned);
        let number = |name: &str| {
            payload
                .get(name)
                .and_then(Value::as_i64)
                .ok_or_else(|| format!("the token lacks the claim `{name}`"))
        };
        Ok(Claims {
            sub: text("sub").ok_or("the token lacks the claim `sub`")?,
            role: self.role(payload)?,
            traeger: match payload.pointer(&self.traeger) {
                None | Some(Value::Null) => None,
                Some(Value::String(ags)) => Some(ags.clone()),
                Some(_) => return Err(format!("the token's `{}` is not text", self.traeger)),
            },
            jobcenter: text("jobcenter"),
            scope: self.scope(payload)?,
            iss: text("iss"),
            aud: None,
            exp: number("exp")?,
            iat: number("iat")?,
        })
    }

    fn role(&self, payload: &Value) -> Result<String, String> {
        let missing = || format!("the token lacks the claim `{}`", self.role);
        match payload.pointer(&self.role).ok_or_else(missing)? {
            Value::String(role) => Ok(role.clone()),
            Value::Array(roles) => roles
                .iter()
                .filter_map(Value::as_str)
                .find(|r| ROLES.contains(r))
                .map(str::to_owned)
                .ok_or_else(|| {
                    format!(
                        "the token's `{}` names none of hmsi, traeger, jobcenter",
                        self.role
                    )
                }),
            _ => Err(format!(
                "the token's `{}` is neither text nor a list",
                self.role
            )),
        }
    }

    /// Space-separated (RFC 8693 `scope`) or a list (`scp`); none is no scope.
    fn scope(&self, payload: &Value) -> Result<String, String> {
        match payload.pointer(&self.scope) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(scope)) => Ok(scope.clone()),
            Some(Value::Array(scopes)) => Ok(scopes
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" ")),
            Some(_) => Err(format!(
                "the token's `{}` is neither text nor a list",
                self.scope
            )),
        }
    }
}

/// Whether a token's `typ` header is one this service takes: none, `JWT`, or an access token
/// of RFC 9068 (`at+jwt`, also with `application/`); with `pinned`, only that one.
pub fn typ_accepted(typ: Option<&str>, pinned: Option<&str>) -> bool {
    let bare = |t: &str| {
        let t = t.to_ascii_lowercase();
        t.strip_prefix("application/")
            .map(str::to_owned)
            .unwrap_or(t)
    };
    match (typ.map(bare), pinned.map(bare)) {
        (Some(t), Some(p)) => t == p,
        (None, Some(_)) => false,
        (None, None) => true,
        (Some(t), None) => t == "jwt" || t == "at+jwt",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn keycloak_roles_and_a_scope_list_are_read_where_the_provider_puts_them() {
        let keycloak = ClaimPointers::new("/realm_access/roles", "/ags", "/scp").unwrap();
        let payload = json!({
            "sub": "u1", "exp": 2, "iat": 1, "ags": "06633",
            "realm_access": {"roles": ["offline_access", "traeger", "uma_authorization"]},
            "scp": ["read", "write"]
        });
        let c = keycloak.claims(&payload).unwrap();
        assert_eq!(
            (c.role.as_str(), c.traeger.as_deref(), c.scope.as_str()),
            ("traeger", Some("06633"), "read write")
        );
        let none = json!({"sub": "u1", "exp": 2, "iat": 1, "realm_access": {"roles": ["x"]}});
        assert!(keycloak.claims(&none).unwrap_err().contains("names none"));
    }

    #[test]
    fn a_setting_that_is_no_pointer_is_refused() {
        assert!(
            ClaimPointers::new("roles", "/t", "/s")
                .unwrap_err()
                .contains("ZV_JWT_ROLE_CLAIM")
        );
    }

    #[test]
    fn access_tokens_are_taken_and_a_pinned_type_is_required() {
        assert!(typ_accepted(None, None));
        assert!(typ_accepted(Some("JWT"), None));
        assert!(typ_accepted(Some("at+jwt"), None));
        assert!(typ_accepted(Some("application/at+JWT"), None));
        assert!(!typ_accepted(Some("dpop+jwt"), None));
        assert!(typ_accepted(Some("at+jwt"), Some("at+jwt")));
        assert!(!typ_accepted(Some("JWT"), Some("at+jwt")));
        assert!(!typ_accepted(None, Some("at+jwt")));
    }
}
