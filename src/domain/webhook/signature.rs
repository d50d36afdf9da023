//! Standard Webhooks signatures (<https://www.standardwebhooks.com/>): the receiver recomputes
//! an HMAC-SHA256 over `id.timestamp.body` with the shared secret, so it knows the call came
//! from this service, unchanged, and recently (the timestamp is signed too).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The prefix of a secret as it is shown to the subscriber.
pub const SECRET_PREFIX: &str = "whsec_";

/// A secret of 32 random bytes, as the subscriber configures it in its receiver.
pub fn secret_of(random: &[u8; 32]) -> String {
    format!("{SECRET_PREFIX}{}", STANDARD.encode(random))
}

/// `v1,<base64 of the HMAC>` of one message with one secret; None for a secret that is not
/// `whsec_` + base64 (the service makes none such).
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let key = STANDARD.decode(secret.strip_prefix(SECRET_PREFIX)?).ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// The `webhook-signature` header: one signature per valid secret, separated by spaces (during
/// a rotation the new secret's and the previous one's, so either verifies).
pub fn header<'a>(
    secrets: impl IntoIterator<Item = &'a str>,
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> String {
    secrets
        .into_iter()
        .filter_map(|s| sign(s, id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test vector of the Standard Webhooks specification.
    #[test]
    fn the_specifications_test_vector() {
        let signature = sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(
            signature.as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
    }

    #[test]
    fn during_a_rotation_both_secrets_sign() {
        let (old, new) = (secret_of(&[1; 32]), secret_of(&[2; 32]));
        let h = header([new.as_str(), old.as_str()], "evt_1", 1_700_000_000, b"{}");
        let parts: Vec<&str> = h.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(
            Some(parts[1]),
            sign(&old, "evt_1", 1_700_000_000, b"{}").as_deref()
        );
        assert_ne!(parts[0], parts[1]);
        assert!(secret_of(&[0; 32]).starts_with("whsec_"));
        assert_eq!(sign("not-a-secret", "evt_1", 1, b"{}"), None);
    }
}
