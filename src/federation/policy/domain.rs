//! Domains as policies name them: `host` or `host:port`, lowercase, validated.
//!
//! A policy for `example.org` covers `example.org` on every port and every subdomain of it
//! (`sub.example.org`, `sub.example.org:8443`), as Mastodon's domain blocks do. A policy
//! that names a port (`127.0.0.1:8541`, as development servers and tests run) covers that
//! authority only. IP addresses have no subdomains: `10.0.0.1` covers itself alone.

use std::net::IpAddr;

use crate::error::{Error, ErrorCode, Result};

/// Longest domain accepted (RFC 1035's 253 for the name, plus `:65535`).
const MAX_DOMAIN_LEN: usize = 253 + 6;

/// The stored form of a domain an admin or a moderator typed: trimmed, lowercase, a
/// leading `*.` removed (the policy covers subdomains anyway), a trailing dot dropped.
/// `domain_invalid` for anything that is not a host name or IP address with an optional
/// port: no scheme, path, user, spaces or empty labels.
pub fn normalize(input: &str) -> Result<String> {
    let bad = |why: &str| {
        Error::new(
            ErrorCode::DomainInvalid,
            format!("{input:?} is not a domain: {why}"),
        )
    };
    let mut domain = input.trim().to_ascii_lowercase();
    if let Some(rest) = domain.strip_prefix("*.") {
        domain = rest.to_string();
    }
    if domain.is_empty() {
        return Err(bad("it is empty"));
    }
    if domain.len() > MAX_DOMAIN_LEN {
        return Err(bad("it is too long"));
    }
    if domain.contains("://") || domain.contains('/') || domain.contains('@') {
        return Err(bad("give the domain alone, without scheme, user or path"));
    }
    let (host, port) = split_port(&domain).ok_or_else(|| bad("its port is not a number"))?;
    let host = host.strip_suffix('.').unwrap_or(host);
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        inner
            .parse::<std::net::Ipv6Addr>()
            .map_err(|_| bad("the bracketed address is not IPv6"))?;
    } else if host.parse::<IpAddr>().is_err() {
        let labels: Vec<&str> = host.split('.').collect();
        let label_ok = |l: &&str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        };
        if !labels.iter().all(label_ok) {
            return Err(bad(
                "use letters, digits, '-' and '.' between non-empty labels",
            ));
        }
    }
    Ok(match port {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    })
}

/// `host` and the port, if the text has one; `None` when the port is not a number.
fn split_port(domain: &str) -> Option<(&str, Option<u16>)> {
    // `[::1]:8080`, `[::1]`, or a name or IPv4 address with one optional `:port`.
    if domain.starts_with('[') {
        return match domain.rsplit_once("]:") {
            Some((host, port)) => Some((&domain[..host.len() + 1], Some(port.parse().ok()?))),
            None => Some((domain, None)),
        };
    }
    match domain.split_once(':') {
        Some((host, port)) => Some((host, Some(port.parse().ok()?))),
        None => Some((domain, None)),
    }
}

/// The stored domains that may cover `authority` (a `host[:port]` from a URL), the most
/// specific first: the authority itself, then the host, then each parent of a host name.
/// The most specific policy found among them is the one that applies.
pub fn candidates(authority: &str) -> Vec<String> {
    let authority = authority.to_ascii_lowercase();
    let mut out = vec![authority.clone()];
    let (host, port) = split_port(&authority).unwrap_or((authority.as_str(), None));
    if port.is_some() {
        out.push(host.to_string());
    }
    let is_address = host.starts_with('[') || host.parse::<IpAddr>().is_ok();
    if !is_address {
        let mut rest = host;
        while let Some((_, parent)) = rest.split_once('.') {
            if parent.is_empty() {
                break;
            }
            out.push(parent.to_string());
            rest = parent;
        }
    }
    out
}

/// The host of an authority, without its port.
pub fn host_of(authority: &str) -> &str {
    split_port(authority).map_or(authority, |(host, _)| host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_domains_are_normalized() {
        assert_eq!(normalize(" Example.ORG ").unwrap(), "example.org");
        assert_eq!(normalize("*.spam.example").unwrap(), "spam.example");
        assert_eq!(normalize("example.org.").unwrap(), "example.org");
        assert_eq!(normalize("127.0.0.1:8541").unwrap(), "127.0.0.1:8541");
        assert_eq!(normalize("[::1]:80").unwrap(), "[::1]:80");
    }

    #[test]
    fn things_that_are_not_domains_are_refused() {
        for bad in [
            "",
            "  ",
            "https://example.org",
            "example.org/path",
            "user@example.org",
            "exa mple.org",
            "example..org",
            "-example.org",
            "example.org:port",
            "example.org:99999",
            "[not-v6]",
            "ex*ample.org",
        ] {
            let err = normalize(bad).unwrap_err();
            assert_eq!(err.code(), ErrorCode::DomainInvalid, "{bad}");
        }
    }

    #[test]
    fn candidates_go_from_the_authority_to_its_parents() {
        assert_eq!(
            candidates("a.b.example.org:8443"),
            [
                "a.b.example.org:8443",
                "a.b.example.org",
                "b.example.org",
                "example.org",
                "org"
            ]
        );
        assert_eq!(
            candidates("127.0.0.1:4001"),
            ["127.0.0.1:4001", "127.0.0.1"]
        );
        assert_eq!(candidates("Lemmy.World"), ["lemmy.world", "world"]);
    }
}
