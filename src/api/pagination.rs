//! Keyset pagination: `?limit=` (default 100, at most 1000) and `?after=<cursor>`, where the
//! cursor is the `next` of the previous page. Cursors are opaque so their shape may change.

use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::problem::ApiError;

pub const DEFAULT_LIMIT: i64 = 100;
pub const MAX_LIMIT: i64 = 1000;

pub fn limit(requested: Option<i64>) -> Result<i64, ApiError> {
    match requested {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(n) => Err(ApiError::BadRequest(format!(
            "`limit` must be between 1 and {MAX_LIMIT}, not {n}"
        ))),
    }
}

pub fn encode_cursor(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(key)
}

/// Longer than any cursor this service gives out: a longer one is refused unread.
pub const MAX_CURSOR_CHARS: usize = 256;

/// The alphabet of a cursor (unpadded base64url), for the contract.
pub const CURSOR_PATTERN: &str = "^[A-Za-z0-9_-]+$";

/// Reads a cursor this service gave out as `next`: the key, of the list's key type `K`, of
/// the last item of a page. Anything else (not base64, cut, too long, a key of another list
/// or none at all) is refused with 400, so no stray text ever reaches a query.
pub fn decode_cursor<K: FromStr>(cursor: &str) -> Result<K, ApiError> {
    let refused =
        || ApiError::BadRequest("`after` is not a cursor this service gave out as `next`".into());
    if cursor.len() > MAX_CURSOR_CHARS {
        return Err(refused());
    }
    let key = URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        // No key this service gives out holds a control character, and PostgreSQL stores no
        // NUL: such a cursor is forged, found by schemathesis as `AAwD`.
        .filter(|k| !k.chars().any(char::is_control))
        .ok_or_else(refused)?;
    key.parse().map_err(|_| refused())
}

/// The `after` parameter of a list keyed by `K`, checked: the key as the store compares it.
pub fn after<K: FromStr + ToString>(cursor: Option<&str>) -> Result<Option<String>, ApiError> {
    cursor
        .map(|c| decode_cursor::<K>(c).map(|k| k.to_string()))
        .transpose()
}

/// The `next` cursor of a page: the key of its last item when more follow.
pub fn next_cursor<T>(items: &[T], more: bool, key: impl Fn(&T) -> String) -> Option<String> {
    if more {
        items.last().map(|last| encode_cursor(&key(last)))
    } else {
        None
    }
}

/// A page of a small list held in memory, sorted by `key`.
pub fn page_of<T>(
    items: Vec<T>,
    after: Option<&str>,
    limit: i64,
    key: impl Fn(&T) -> String,
) -> (Vec<T>, bool) {
    let rest: Vec<T> = match after {
        Some(after) => items
            .into_iter()
            .filter(|i| key(i).as_str() > after)
            .collect(),
        None => items,
    };
    crate::app::split_page(rest, limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        use crate::domain::traeger::Ags;
        let ags: Ags = decode_cursor(&encode_cursor("06633")).unwrap();
        assert_eq!(ags.as_str(), "06633");
        assert!(decode_cursor::<Ags>("not base64!").is_err());
        assert!(decode_cursor::<Ags>(&encode_cursor("06633\0")).is_err());
        assert!(decode_cursor::<Ags>(&encode_cursor("zv-2023-06633-1")).is_err());
        assert!(decode_cursor::<Ags>(&"A".repeat(10_000)).is_err());
        assert!(decode_cursor::<i64>(&encode_cursor("12")).is_ok());
        // A subscription's key is any String: a NUL in it is refused all the same.
        assert!(decode_cursor::<String>("AAwD").is_err());
        assert!(decode_cursor::<String>(&encode_cursor("wh-1")).is_ok());
    }

    #[test]
    fn limits_are_bounded() {
        assert_eq!(limit(None).unwrap(), 100);
        assert_eq!(limit(Some(1000)).unwrap(), 1000);
        assert!(limit(Some(0)).is_err());
        assert!(limit(Some(1001)).is_err());
    }
}
