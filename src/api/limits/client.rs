//! The client's address, which the per-address limit counts by.
//!
//! Behind a reverse proxy every request comes from the proxy. Its `X-Forwarded-For` names the
//! client, but anyone can send that header: it is believed only from the proxies the deployment
//! names (`ZV_TRUSTED_PROXIES`), and read from the right, where the trusted proxies appended
//! what they saw, to the first address that is not one of them. IPv6 clients are counted by
//! their /64, which one subscriber usually holds whole.

use std::net::IpAddr;

use actix_web::http::header::HeaderMap;
use ipnet::IpNet;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Comma-separated addresses or networks, e.g. `10.0.0.0/8, 127.0.0.1`; empty for none.
    pub fn parse(raw: &str) -> Result<Self, String> {
        raw.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.parse::<IpNet>()
                    .or_else(|_| p.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("`{p}` is neither an address nor a network (10.0.0.0/8)"))
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The address a request is counted by: the peer's, or the one its trusted proxies name.
    pub fn client(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let mut client = canonical(peer?);
        if !self.trusts(client) {
            return Some(counted(client));
        }
        let forwarded: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect();
        for hop in forwarded.iter().rev() {
            match hop.trim().parse::<IpAddr>() {
                Ok(ip) => {
                    client = canonical(ip);
                    if !self.trusts(client) {
                        break;
                    }
                }
                // What a trusted proxy could not have written: stop at the last one believed.
                Err(_) => break,
            }
        }
        Some(counted(client))
    }
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn counted(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(bits.into())
        }
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append(
                HeaderName::from_static("x-forwarded-for"),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        headers
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxies = TrustedProxies::parse("10.0.0.0/8, 127.0.0.1").unwrap();
        let h = forwarded(&["203.0.113.9, 10.1.2.3"]);
        // From the proxy: the first address from the right that is not a proxy.
        assert_eq!(proxies.client(ip("10.0.0.2"), &h), ip("203.0.113.9"));
        // A client who sends the header itself names nobody but itself.
        assert_eq!(proxies.client(ip("198.51.100.7"), &h), ip("198.51.100.7"));
        // A forged entry left of the one the proxy appended is not reached.
        let h = forwarded(&["1.2.3.4", "203.0.113.9"]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &h), ip("203.0.113.9"));
        let h = forwarded(&["garbage, 203.0.113.9"]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &h), ip("203.0.113.9"));
        assert_eq!(
            proxies.client(ip("127.0.0.1"), &HeaderMap::new()),
            ip("127.0.0.1")
        );
        assert_eq!(
            TrustedProxies::parse("").unwrap(),
            TrustedProxies::default()
        );
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.local").is_err());
    }

    #[test]
    fn ipv6_clients_count_by_their_64() {
        let none = TrustedProxies::default();
        let h = HeaderMap::new();
        assert_eq!(
            none.client(ip("2001:db8:1:2:aaaa::1"), &h),
            none.client(ip("2001:db8:1:2:bbbb::9"), &h)
        );
        assert_eq!(none.client(ip("::ffff:192.0.2.1"), &h), ip("192.0.2.1"));
    }
}
