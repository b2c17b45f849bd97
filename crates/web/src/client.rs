//! Who is calling: the client's address and whether it came over HTTPS, read from `X-Forwarded-For` and
//! `X-Forwarded-Proto` only when the connection comes from a configured trusted proxy.
//!
//! Behind a load balancer every connection comes from the balancer; without this the login rate limit
//! would throttle the whole city as one client and the audit log would record the balancer. Headers from
//! anyone else are ignored: a client could write any address into them.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::HeaderMap;
use ipnet::IpNet;

/// The caller, as the edge resolved it; put in every request's extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Client {
    /// The client's address (the peer itself when no trusted proxy is in between).
    pub ip: Option<IpAddr>,
    /// The request reached the first proxy (or this server) over HTTPS.
    pub https: bool,
    /// The peer is this machine and no proxy was involved (for `/metrics` without a token).
    pub local: bool,
}

/// Parses `WUSHE_TRUSTED_PROXIES`: addresses or CIDRs separated by commas or spaces.
pub fn parse_proxies(s: &str) -> Result<Vec<IpNet>, String> {
    s.split([',', ' '])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<IpNet>()
                .or_else(|_| p.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("WUSHE_TRUSTED_PROXIES: “{p}” is not an address or CIDR"))
        })
        .collect()
}

/// Resolves the client of a request from its peer address and headers.
pub fn resolve(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpNet]) -> Client {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    let direct = Client {
        ip: peer,
        https: false,
        local: peer.is_some_and(|p| p.is_loopback()),
    };
    let Some(p) = peer.filter(is_trusted) else {
        return direct;
    };
    // Each proxy appends the address it saw; walking from the right, the first untrusted one is the
    // client. Everything left of it was written by the client and proves nothing.
    let hops: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|h| h.trim().parse().ok())
        .collect();
    let ip = hops
        .iter()
        .rev()
        .find(|h| !is_trusted(h))
        .or(hops.first())
        .copied()
        .unwrap_or(p);
    // The nearest proxy's word on the scheme is the one that counts.
    let https = headers
        .get_all("x-forwarded-proto")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .next_back()
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
    Client {
        ip: Some(ip),
        https,
        local: false,
    }
}

/// The peer address of a request, from the connection.
pub fn peer(ext: &axum::http::Extensions) -> Option<IpAddr> {
    ext.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(xff: &str, proto: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_str(xff).unwrap());
        if !proto.is_empty() {
            h.insert("x-forwarded-proto", HeaderValue::from_str(proto).unwrap());
        }
        h
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn headers_count_only_from_trusted_proxies() {
        let trusted = parse_proxies("10.0.0.0/8, 192.168.1.5").unwrap();
        let h = headers("203.0.113.7", "https");
        let c = resolve(ip("10.1.2.3"), &h, &trusted);
        assert_eq!((c.ip, c.https, c.local), (ip("203.0.113.7"), true, false));
        // Straight from the internet: the headers are the client's own words.
        let c = resolve(ip("198.51.100.9"), &h, &trusted);
        assert_eq!((c.ip, c.https), (ip("198.51.100.9"), false));
        // A forged first hop is skipped: the balancer appended the real one.
        let h = headers("1.1.1.1, 203.0.113.7, 10.0.0.2", "http");
        assert_eq!(
            resolve(ip("192.168.1.5"), &h, &trusted).ip,
            ip("203.0.113.7")
        );
        assert!(!resolve(ip("192.168.1.5"), &h, &trusted).https);
    }

    #[test]
    fn loopback_is_local_only_without_a_proxy() {
        assert!(resolve(ip("127.0.0.1"), &HeaderMap::new(), &[]).local);
        let trusted = parse_proxies("127.0.0.1").unwrap();
        assert!(!resolve(ip("127.0.0.1"), &headers("203.0.113.7", ""), &trusted).local);
        assert!(parse_proxies("10.0.0.0/8,not-an-ip").is_err());
        assert!(parse_proxies("").unwrap().is_empty());
    }
}
