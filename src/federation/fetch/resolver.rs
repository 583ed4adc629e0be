//! Name resolution that refuses non-public addresses, used by the fetcher's HTTP client.
//!
//! Checking a host name's addresses in advance and then letting the HTTP client resolve it
//! again would leave a gap: a server with a short DNS TTL could answer the check with a
//! public address and the connection with 127.0.0.1 ("DNS rebinding"). So the check lives
//! in the client's own resolver: the addresses it approves are the very ones the client
//! connects to, on the first request and after every redirect. Literal IP hosts never reach
//! a resolver; `FetchPolicy::check_url` judges those.

use std::fmt;
use std::net::{IpAddr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::address::AddressClass;
use super::policy::address_refusal;

/// A [`Resolve`] that looks names up with the system resolver and, outside development
/// mode, fails when any address of the name is not public.
#[derive(Debug, Clone, Copy)]
pub struct GuardedResolver {
    /// Development mode: every address is allowed.
    pub dev: bool,
}

/// The refusal of a host name whose addresses are not all public. It travels through the
/// HTTP client as the source of its connect error, where the fetcher finds it again.
#[derive(Debug, Clone)]
pub struct AddressRefused {
    /// The name that was resolved.
    pub host: String,
    /// The first address that is not public.
    pub ip: IpAddr,
    /// What kind of address that is.
    pub class: AddressClass,
}

impl fmt::Display for AddressRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&address_refusal(
            &format!("{} resolves to {}, which", self.host, self.ip),
            self.class,
        ))
    }
}

impl std::error::Error for AddressRefused {}

impl GuardedResolver {
    /// The addresses of `host` (with port 0), all public unless in development mode.
    ///
    /// Refusing when *any* address is private, rather than dropping the private ones, keeps a
    /// misconfigured or hostile name from working half the time.
    pub async fn lookup(
        self,
        host: &str,
    ) -> Result<Vec<SocketAddr>, Box<dyn std::error::Error + Send + Sync>> {
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, 0)).await?.collect();
        if addrs.is_empty() {
            return Err(format!("{host} has no addresses").into());
        }
        if !self.dev
            && let Some(addr) = addrs.iter().find(|a| !AddressClass::of(a.ip()).is_public())
        {
            return Err(Box::new(AddressRefused {
                host: host.to_string(),
                ip: addr.ip(),
                class: AddressClass::of(addr.ip()),
            }));
        }
        Ok(addrs)
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let resolver = *self;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs = resolver.lookup(&host).await?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn localhost_is_refused_in_production_and_allowed_in_development() {
        let err = GuardedResolver { dev: false }
            .lookup("localhost")
            .await
            .err()
            .unwrap_or_else(|| panic!("localhost resolved in production"));
        let refusal = err
            .downcast_ref::<AddressRefused>()
            .unwrap_or_else(|| panic!("not a refusal: {err}"));
        assert_eq!(refusal.class, AddressClass::Loopback);
        assert!(
            refusal.to_string().starts_with("localhost resolves to "),
            "{refusal}"
        );

        let addrs = GuardedResolver { dev: true }
            .lookup("localhost")
            .await
            .unwrap_or_else(|e| panic!("localhost in development: {e}"));
        assert!(addrs.iter().all(|a| a.ip().is_loopback()), "{addrs:?}");
    }
}
