//! Time as copse stores it: UTC, to the microsecond (PostgreSQL's precision), so that a
//! value read back from either backend equals the value written.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};

/// The current UTC time, truncated to microseconds.
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// A stored time as an RFC 3339 string with `Z`, for the API.
pub fn rfc3339(t: NaiveDateTime) -> String {
    DateTime::<Utc>::from_naive_utc_and_offset(t, Utc)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A time as RFC 3339 with its microseconds, for ActivityPub objects: receivers order
/// posts by it, and two posts in the same second must keep their order.
pub fn rfc3339_micros(t: NaiveDateTime) -> String {
    DateTime::<Utc>::from_naive_utc_and_offset(t, Utc)
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}
