//! Which client a request comes from, for per-address limits.
//!
//! Behind a reverse proxy every connection comes from the proxy, so its `X-Forwarded-For`
//! is believed, but only from the proxies listed in `http.trusted_proxies`, and only its
//! right-most address that is not itself a trusted proxy: each proxy appends the address
//! it received the request from, while anything further left was written by the client
//! and can be forged.

use std::net::{IpAddr, Ipv6Addr};

/// A network of trusted proxies: an address and a prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    addr: IpAddr,
    prefix: u8,
}

impl Network {
    /// Parses `10.0.0.1`, `10.0.0.0/8`, `::1` or `fd00::/8`.
    pub fn parse(text: &str) -> Option<Network> {
        let (addr, prefix) = match text.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix.parse::<u8>().ok()?)),
            None => (text, None),
        };
        let addr: IpAddr = addr.trim().parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Network { addr, prefix })
    }

    /// True when `ip` is inside this network.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// Parses `http.trusted_proxies`: a comma-separated list of addresses and networks (empty:
/// trust no proxy). The error names the entry that is not one.
pub fn parse_networks(list: &str) -> Result<Vec<Network>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            Network::parse(entry).ok_or_else(|| {
                format!("'{entry}' is not an address or a network such as 10.0.0.0/8")
            })
        })
        .collect()
}

/// The client behind a connection from `peer` that carried these `X-Forwarded-For`
/// values (in header order): `peer` itself unless it is a trusted proxy.
pub fn client_address(peer: IpAddr, forwarded_for: &[&str], trusted: &[Network]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|n| n.contains(ip));
    let mut client = canonical(peer);
    if !is_trusted(client) {
        return client;
    }
    let hops = forwarded_for
        .iter()
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    for hop in hops.into_iter().rev() {
        // A hop that is not an address ends what can be believed; the last proxy that
        // wrote it is the best guess left.
        let Some(ip) = parse_hop(hop) else {
            break;
        };
        client = canonical(ip);
        if !is_trusted(client) {
            break;
        }
    }
    client
}

/// The key of an address for a per-address limit: IPv4 as is, IPv6 by its /64, since one
/// subscriber usually holds a whole /64 and could otherwise take a fresh address per
/// request.
pub fn limit_key(ip: IpAddr) -> IpAddr {
    match canonical(ip) {
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & (u128::MAX << 64);
            IpAddr::V6(Ipv6Addr::from(prefix))
        }
        v4 => v4,
    }
}

/// IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`, from dual-stack sockets) as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// One `X-Forwarded-For` entry: `1.2.3.4`, `2001:db8::1`, and the `[v6]` or `v4:port`
/// forms some proxies write.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse() {
        return Some(ip);
    }
    if let Ok(addr) = hop.parse::<std::net::SocketAddr>() {
        return Some(addr.ip());
    }
    hop.strip_prefix('[')?.strip_suffix(']')?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or_else(|_| panic!("{s} is an address"))
    }

    fn local() -> Vec<Network> {
        parse_networks("127.0.0.1, ::1, 10.0.0.0/8").unwrap_or_default()
    }

    #[test]
    fn a_direct_client_is_its_connection_whatever_it_claims() {
        let got = client_address(ip("203.0.113.9"), &["198.51.100.1"], &local());
        assert_eq!(got, ip("203.0.113.9"));
    }

    #[test]
    fn behind_a_proxy_the_right_most_untrusted_hop_counts() {
        // The client forged "1.1.1.1"; the proxy appended the real address.
        let got = client_address(
            ip("127.0.0.1"),
            &["1.1.1.1, 203.0.113.9, 10.1.2.3"],
            &local(),
        );
        assert_eq!(got, ip("203.0.113.9"));
        let two_headers = client_address(ip("127.0.0.1"), &["1.1.1.1", "203.0.113.9"], &local());
        assert_eq!(two_headers, ip("203.0.113.9"));
        let none = client_address(ip("127.0.0.1"), &[], &local());
        assert_eq!(none, ip("127.0.0.1"));
        let garbage = client_address(ip("127.0.0.1"), &["1.1.1.1, not-an-ip"], &local());
        assert_eq!(garbage, ip("127.0.0.1"));
        let with_port = client_address(ip("::ffff:127.0.0.1"), &["[2001:db8::1]"], &local());
        assert_eq!(with_port, ip("2001:db8::1"));
    }

    #[test]
    fn ipv6_clients_are_grouped_by_their_64() {
        assert_eq!(limit_key(ip("2001:db8:1:2:3:4:5:6")), ip("2001:db8:1:2::"));
        assert_eq!(limit_key(ip("::ffff:192.0.2.1")), ip("192.0.2.1"));
    }

    #[test]
    fn networks_parse_and_match() {
        assert!(parse_networks("10.0.0.0/33").is_err());
        assert!(parse_networks("nginx").is_err());
        assert_eq!(parse_networks("").map(|v| v.len()), Ok(0));
        let nets = parse_networks("192.168.0.0/16,fd00::/8").unwrap_or_default();
        assert!(nets.iter().any(|n| n.contains(ip("192.168.4.2"))));
        assert!(nets.iter().any(|n| n.contains(ip("fd12::1"))));
        assert!(!nets.iter().any(|n| n.contains(ip("192.169.0.1"))));
        let all = parse_networks("0.0.0.0/0").unwrap_or_default();
        assert!(all.iter().any(|n| n.contains(ip("8.8.8.8"))));
    }
}
