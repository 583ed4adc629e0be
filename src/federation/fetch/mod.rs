//! Fetching ActivityPub objects from other servers without letting them aim copse at
//! anything else.
//!
//! Every URL copse fetches was chosen by someone else, so the [`Fetcher`] treats each one as
//! hostile until checked:
//! - [`FetchPolicy::check_url`] refuses non-https schemes, credentials in URLs, explicit
//!   ports and literal non-public addresses, before any connection;
//! - the HTTP client resolves names through [`GuardedResolver`], which refuses a name when
//!   any of its addresses is not public ([`address`] says which are) and pins the
//!   connection to the addresses it checked, so DNS rebinding cannot slip past;
//! - redirects are followed by the fetcher itself, at most [`FetchPolicy::max_redirects`],
//!   each hop checked by [`FetchPolicy::check_redirect`] and given its own headers (an HTTP
//!   signature covers the host and path, so it has to be made again for every hop);
//! - bodies are read in chunks and abandoned past [`FetchPolicy::max_bytes`], and the whole
//!   fetch has a deadline.
//!
//! Development mode (`COPSE_DEV`) lifts the address, scheme and port rules so that several
//! instances can federate on one machine; the limits stay.

pub mod address;
mod fetcher;
mod policy;
mod post;
mod resolver;

pub use address::{AddressClass, is_public};
pub use fetcher::{ACCEPT_ACTIVITY, FetchedJson, Fetcher, user_agent};
pub use policy::FetchPolicy;
pub use post::PostOutcome;
pub use resolver::{AddressRefused, GuardedResolver};
