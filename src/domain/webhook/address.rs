//! Where a webhook may be sent. A subscriber names a URL and the service calls it from inside
//! the ministry's network, so a URL must never make the service reach what only it can reach
//! (its own loopback, the private network, cloud metadata at link-local addresses): server-side
//! request forgery. Such addresses are refused when a subscription is made and again on every
//! call (a name may resolve elsewhere later), unless the operator allows them for tests and
//! on-premise receivers.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

/// The longest URL taken.
pub const MAX_URL_CHARS: usize = 2000;

/// Whether `ip` is an address only the service's own network can reach.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => private_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => private_v4(v4),
            None => private_v6(v6),
        },
    }
}

fn private_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        // 100.64.0.0/10, shared address space of carrier-grade NAT (RFC 6598).
        || (a == 100 && (64..128).contains(&b))
        // 0.0.0.0/8, "this network".
        || a == 0
}

fn private_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // fc00::/7, unique local addresses.
        || (first & 0xfe00) == 0xfc00
        // fe80::/10, link-local.
        || (first & 0xffc0) == 0xfe80
}

/// A URL as a subscription may name it: https (http too when private receivers are allowed),
/// a host, no credentials, at most [`MAX_URL_CHARS`]. The host's name is resolved elsewhere;
/// an address given literally is checked here.
pub fn check_url(raw: &str, allow_private: bool) -> Result<Url, String> {
    if raw.chars().count() > MAX_URL_CHARS {
        return Err(format!("must be at most {MAX_URL_CHARS} characters"));
    }
    let url = Url::parse(raw.trim()).map_err(|e| format!("is not a URL: {e}"))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err("must be an https URL".into()),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not hold credentials; the signature authenticates the service".into());
    }
    if url.host().is_none() {
        return Err("must name a host".into());
    }
    match literal(&url) {
        Some(ip) if !allow_private && is_private(ip) => Err(refused(&ip.to_string())),
        _ => Ok(url),
    }
}

/// The address a URL names literally, if it names one instead of a host name (which is
/// resolved, and checked, elsewhere).
pub fn literal(url: &Url) -> Option<IpAddr> {
    match url.host()? {
        Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
        Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
        Host::Domain(_) => None,
    }
}

/// The refusal of a private address.
pub fn refused(address: &str) -> String {
    format!("leads to {address}, a loopback, private or link-local address")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn addresses_only_the_service_can_reach_are_private() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.178.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
        ] {
            assert!(is_private(ip(private)), "{private}");
        }
        for public in [
            "194.95.233.10",
            "8.8.8.8",
            "100.128.0.1",
            "2a00:1450:4001::1",
        ] {
            assert!(!is_private(ip(public)), "{public}");
        }
    }

    #[test]
    fn urls_are_https_without_credentials_and_not_private() {
        assert!(check_url("https://jobcenter.example/hooks", false).is_ok());
        for (bad, why) in [
            ("http://jobcenter.example/hooks", "https"),
            ("ftp://jobcenter.example/", "https"),
            ("https://user:pw@jobcenter.example/", "credentials"),
            ("https://127.0.0.1/hooks", "loopback"),
            ("https://[::1]/hooks", "loopback"),
            ("https://169.254.169.254/latest", "link-local"),
            ("jobcenter.example", "not a URL"),
        ] {
            let e = check_url(bad, false).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
        // Allowed for tests and on-premise receivers: http and private addresses.
        assert!(check_url("http://127.0.0.1:9000/hooks", true).is_ok());
    }
}
