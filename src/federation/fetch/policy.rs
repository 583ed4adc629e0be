//! The rules a URL must pass before copse sends a request to it.
//!
//! They are checked for the URL a caller asks for and again for every redirect hop, before
//! any connection is made. Host names are checked later, when they are resolved (see
//! `resolver`), because only the resolved addresses say where a request would really go.

use std::time::Duration;

use url::{Host, Url};

use super::address::AddressClass;
use crate::config::Config;
use crate::error::{Error, ErrorCode, Result};

/// What the fetcher allows and how long and how much it waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchPolicy {
    /// Development federation: plain http, any port and any address (loopback, private …)
    /// are allowed. Never for a public server.
    pub dev: bool,
    /// Largest response body read; a longer one is refused.
    pub max_bytes: usize,
    /// Redirects followed before giving up.
    pub max_redirects: usize,
    /// Longest wait for a connection (DNS and TCP and TLS) to one server.
    pub connect_timeout: Duration,
    /// Longest a whole fetch may take, redirects and body included.
    pub timeout: Duration,
}

/// The setting named in messages as the way to relax the rules.
const DEV_SWITCH: &str = "COPSE_DEV";

impl FetchPolicy {
    /// The rules for a public server: https on the default port to public addresses only.
    pub fn production() -> FetchPolicy {
        FetchPolicy {
            dev: false,
            max_bytes: 1024 * 1024,
            max_redirects: 3,
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(15),
        }
    }

    /// The relaxed rules of development mode, with the same limits.
    pub fn development() -> FetchPolicy {
        FetchPolicy {
            dev: true,
            ..FetchPolicy::production()
        }
    }

    /// The rules for this configuration (`dev` decides).
    pub fn for_config(config: &Config) -> FetchPolicy {
        FetchPolicy {
            dev: config.dev,
            ..FetchPolicy::production()
        }
    }

    /// Refuses a URL that may not be fetched: a scheme other than http(s), a user name or
    /// password, no host, or, outside development mode, plain http, an explicit port or a
    /// literal address that is not public.
    pub fn check_url(&self, url: &Url) -> Result<()> {
        match self.refusal(url) {
            None => Ok(()),
            Some(reason) => Err(refused(url, &reason)),
        }
    }

    /// Refuses to follow the `hop`-th redirect (counting from 1) from `from` to `to`: one too
    /// many, or a target that [`FetchPolicy::check_url`] would refuse.
    pub fn check_redirect(&self, hop: usize, from: &Url, to: &Url) -> Result<()> {
        let reason = if hop > self.max_redirects {
            Some(format!(
                "more than {} redirects in a row",
                self.max_redirects
            ))
        } else {
            self.refusal(to)
        };
        match reason {
            None => Ok(()),
            Some(reason) => Err(Error::new(
                ErrorCode::FetchRefused,
                format!(
                    "refused to follow the redirect from {} to {}: {reason}",
                    redacted(from),
                    redacted(to)
                ),
            )),
        }
    }

    /// Why `url` may not be fetched, or `None` if it may.
    fn refusal(&self, url: &Url) -> Option<String> {
        let scheme = url.scheme();
        if scheme != "https" && scheme != "http" {
            return Some(format!("only https URLs are fetched, not {scheme}"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Some("URLs with a user name or password are never fetched".into());
        }
        let host = match url.host() {
            None => return Some("the URL has no host".into()),
            Some(Host::Domain(_)) => None,
            Some(Host::Ipv4(ip)) => Some(ip.into()),
            Some(Host::Ipv6(ip)) => Some(ip.into()),
        };
        if let Some(ip) = host {
            let class = AddressClass::of(ip);
            if !class.is_public() && !self.dev {
                return Some(address_refusal(&ip.to_string(), class));
            }
        }
        if self.dev {
            return None;
        }
        if scheme == "http" {
            return Some(format!(
                "plain http is only allowed with {DEV_SWITCH}; use https"
            ));
        }
        // `Url` drops a port that is the scheme's default, so any port left is explicit.
        if let Some(port) = url.port() {
            return Some(format!(
                "port {port} is not the https port 443; other ports are only allowed with \
                 {DEV_SWITCH}"
            ));
        }
        None
    }
}

impl Default for FetchPolicy {
    fn default() -> Self {
        FetchPolicy::production()
    }
}

/// The reason given when `what` (an address, or a host name with the address it resolved
/// to) is not public.
pub(super) fn address_refusal(what: &str, class: AddressClass) -> String {
    format!(
        "{what} is {class}; private, loopback, link-local and other non-public addresses are \
         only allowed with {DEV_SWITCH}"
    )
}

/// The `fetch_refused` error for `url`.
pub(super) fn refused(url: &Url, reason: &str) -> Error {
    Error::new(
        ErrorCode::FetchRefused,
        format!("refused to fetch {}: {reason}", redacted(url)),
    )
}

/// `url` without a user name or password, fit for messages and logs.
pub(super) fn redacted(url: &Url) -> String {
    if url.username().is_empty() && url.password().is_none() {
        return url.to_string();
    }
    let mut clean = url.clone();
    // Both fail only for URLs without a host, which carry no credentials either.
    let _ = clean.set_username("");
    let _ = clean.set_password(None);
    clean.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn refusal_of(policy: &FetchPolicy, s: &str) -> String {
        match policy.check_url(&url(s)) {
            Ok(()) => panic!("{s} was allowed"),
            Err(e) => {
                assert_eq!(e.code(), ErrorCode::FetchRefused, "{s}");
                e.message().to_string()
            }
        }
    }

    fn allowed(policy: &FetchPolicy, s: &str) {
        if let Err(e) = policy.check_url(&url(s)) {
            panic!("{s} was refused: {e}");
        }
    }

    #[test]
    fn production_fetches_https_on_the_default_port() {
        let p = FetchPolicy::production();
        allowed(&p, "https://social.example/users/ana");
        allowed(&p, "https://social.example:443/users/ana");
        allowed(&p, "https://93.184.216.34/x");
        allowed(&p, "https://[2606:4700::1]/x");
    }

    #[test]
    fn production_refuses_plain_http_and_explicit_ports() {
        let p = FetchPolicy::production();
        let m = refusal_of(&p, "http://social.example/users/ana");
        assert!(
            m.contains("plain http is only allowed with COPSE_DEV"),
            "{m}"
        );
        let m = refusal_of(&p, "https://social.example:8443/x");
        assert!(m.contains("port 8443"), "{m}");
        refusal_of(&p, "https://social.example:80/x");
        refusal_of(&p, "http://social.example:443/x");
    }

    #[test]
    fn private_address_literals_are_refused_with_the_reason() {
        let p = FetchPolicy::production();
        let m = refusal_of(&p, "http://10.0.0.5/x");
        assert_eq!(
            m,
            "refused to fetch http://10.0.0.5/x: 10.0.0.5 is a private address; private, \
             loopback, link-local and other non-public addresses are only allowed with COPSE_DEV"
        );
        for s in [
            "https://127.0.0.1/x",
            "https://[::1]/x",
            "https://[::ffff:127.0.0.1]/x",
            "https://169.254.169.254/latest/meta-data",
            "https://[fd00::1]/x",
            "https://0.0.0.0/x",
            "https://100.64.0.1/x",
            // WHATWG spellings the url crate turns into 127.0.0.1.
            "https://2130706433/x",
            "https://0x7f.1/x",
            "https://127.1/x",
        ] {
            let m = refusal_of(&p, s);
            assert!(m.contains("only allowed with COPSE_DEV"), "{s}: {m}");
        }
    }

    #[test]
    fn other_schemes_and_credentials_are_refused_even_in_development() {
        for p in [FetchPolicy::production(), FetchPolicy::development()] {
            refusal_of(&p, "ftp://social.example/x");
            refusal_of(&p, "file:///etc/passwd");
            refusal_of(&p, "gopher://127.0.0.1:11211/x");
            let m = refusal_of(&p, "https://ana:secret@social.example/x");
            assert!(m.contains("user name or password"), "{m}");
            assert!(!m.contains("secret"), "the password is echoed: {m}");
        }
    }

    #[test]
    fn development_allows_http_ports_and_private_addresses() {
        let p = FetchPolicy::development();
        allowed(&p, "http://127.0.0.1:8080/x");
        allowed(&p, "http://localhost:3000/x");
        allowed(&p, "https://10.0.0.1:8443/x");
        allowed(&p, "http://[::1]:8080/x");
    }

    #[test]
    fn a_redirect_to_loopback_is_refused_in_production() {
        let p = FetchPolicy::production();
        let from = url("https://social.example/users/ana");
        let e = p
            .check_redirect(1, &from, &url("http://127.0.0.1/admin"))
            .err()
            .unwrap_or_else(|| panic!("redirect to loopback allowed"));
        assert_eq!(e.code(), ErrorCode::FetchRefused);
        assert!(
            e.message().starts_with(
                "refused to follow the redirect from https://social.example/users/ana to \
                 http://127.0.0.1/admin: 127.0.0.1 is a loopback address"
            ),
            "{}",
            e.message()
        );
        let e = p.check_redirect(1, &from, &url("https://[::ffff:10.1.2.3]/x"));
        assert!(e.is_err(), "redirect to a mapped private address allowed");
        assert!(
            p.check_redirect(1, &from, &url("https://other.example/x"))
                .is_ok()
        );
    }

    #[test]
    fn the_fourth_redirect_is_refused() {
        let p = FetchPolicy::development();
        let from = url("http://127.0.0.1:1/a");
        let to = url("http://127.0.0.1:1/b");
        for hop in 1..=3 {
            assert!(p.check_redirect(hop, &from, &to).is_ok(), "hop {hop}");
        }
        let e = p
            .check_redirect(4, &from, &to)
            .err()
            .unwrap_or_else(|| panic!("fourth redirect allowed"));
        assert_eq!(e.code(), ErrorCode::FetchRefused);
        assert!(
            e.message().contains("more than 3 redirects"),
            "{}",
            e.message()
        );
    }
}
