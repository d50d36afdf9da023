//! Pure types and rules of the domain: no I/O, no diesel, no actix.

/// An enum that is written as snake_case text in JSON, in the database and in the contract.
///
/// `Name as "SchemaName" { Variant = "text", … }`: the texts are the one list from which the
/// enum is parsed, printed and described in the OpenAPI document (as a string enum named
/// `SchemaName`, optionally `described "…"`), so a new state is added in one place.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident as $schema:literal $(described $description:literal)?
        { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        pub enum $name { $(#[serde(rename = $text)] $variant),+ }

        impl $name {
            pub const ALL: &'static [&'static str] = &[$($text),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!("`{other}` is not one of: {}", Self::ALL.join(", "))),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::utoipa::PartialSchema for $name {
            fn schema() -> ::utoipa::openapi::RefOr<::utoipa::openapi::schema::Schema> {
                ::utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(::utoipa::openapi::schema::Type::String)
                    $(.description(Some($description)))?
                    .enum_values(Some(Self::ALL.iter().copied()))
                    .into()
            }
        }

        impl ::utoipa::ToSchema for $name {
            fn name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed($schema)
            }
        }
    };
}

pub mod actor;
pub mod agreement;
pub mod audit;
pub mod calendar;
pub mod fact;
pub mod figure;
pub mod ids;
pub mod indicator;
pub mod notice;
pub mod progress;
pub mod reference;
pub mod reporting_body;
pub mod submission;
#[cfg(test)]
pub(crate) mod testing;
pub mod traeger;
pub mod transmission;
pub mod webhook;

use serde::{Deserialize, Serialize};

/// One reason why input was refused, at a JSON Pointer (RFC 6901) into the request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub pointer: String,
    pub message: String,
}

impl Violation {
    pub fn new(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

/// Collects every violation of one input, so a client learns all of them at once.
#[derive(Debug, Default)]
pub struct Violations(Vec<Violation>);

impl Violations {
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn push(&mut self, pointer: impl Into<String>, message: impl Into<String>) {
        self.0.push(Violation::new(pointer, message));
    }

    /// Records the error of a parse at `pointer` and keeps the parsed value, if any.
    pub fn check<T, E: std::fmt::Display>(&mut self, pointer: &str, r: Result<T, E>) -> Option<T> {
        r.map_err(|e| self.push(pointer, e.to_string())).ok()
    }

    /// Takes a required field; records "is required" when it is absent.
    pub fn required<'a, T>(&mut self, pointer: &str, value: &'a Option<T>) -> Option<&'a T> {
        if value.is_none() {
            self.push(pointer, "is required");
        }
        value.as_ref()
    }

    /// A required text: trimmed, not empty, at most `max_chars` characters.
    pub fn text(
        &mut self,
        pointer: &str,
        raw: &Option<String>,
        max_chars: usize,
    ) -> Option<String> {
        self.required(pointer, raw)
            .and_then(|s| self.check(pointer, parse_text(s, max_chars)))
    }

    /// An optional text: `Some(None)` when absent; None when present but not a text as
    /// [`Self::text`] takes it (the violation is recorded).
    pub fn optional_text(
        &mut self,
        pointer: &str,
        raw: &Option<String>,
        max_chars: usize,
    ) -> Option<Option<String>> {
        match raw {
            None => Some(None),
            Some(s) => self.check(pointer, parse_text(s, max_chars)).map(Some),
        }
    }

    pub fn into_result<T>(self, value: impl FnOnce() -> Option<T>) -> Result<T, Vec<Violation>> {
        if self.0.is_empty() {
            // Every field parsed, so every value is present.
            value().ok_or_else(|| vec![Violation::new("", "is incomplete")])
        } else {
            Err(self.0)
        }
    }
}

/// What a command did to an aggregate: its new state, and the event it caused, which the
/// ledger records (and which subscribers will be told of).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition<S, E> {
    pub state: S,
    pub event: E,
}

/// An event a transition causes.
pub trait Event {
    /// The ledger's name for it (`submit`, `sign`, …), stable: the change feed shows it.
    fn action(&self) -> &'static str;
}

/// Text fields shared by several resources: trimmed, non-empty and bounded, and storable on
/// both databases alike (PostgreSQL stores no NUL character, SQLite would).
pub fn parse_text(raw: &str, max_chars: usize) -> Result<String, String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        Err("must not be empty".into())
    } else if trimmed.chars().count() > max_chars {
        Err(format!("must be at most {max_chars} characters"))
    } else if trimmed.contains('\0') {
        Err("must not contain the NUL character (U+0000)".into())
    } else {
        Ok(trimmed.to_owned())
    }
}
