//! When a signature was made, and whether it is still acceptable.
//!
//! A signature proves who sent a request, not when: without a signed time, a captured request
//! could be replayed forever. The signed time is the `Date` header or the `created`
//! parameter. We accept it within [`MAX_CLOCK_DIFFERENCE`] of our clock in either direction,
//! as Mastodon does (`EXPIRATION_WINDOW_LIMIT`): queues retry deliveries for hours and
//! servers' clocks drift, and a tighter window mostly loses legitimate activities. An explicit
//! `expires` is honoured, with [`EXPIRES_GRACE`] for clock drift.

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};

use crate::error::{Error, ErrorCode, Result};

/// How far the signed time may be from our clock, in either direction.
pub const MAX_CLOCK_DIFFERENCE: TimeDelta = TimeDelta::hours(12);

/// How long after its own `expires` a signature is still accepted (Mastodon's
/// `CLOCK_SKEW_MARGIN`).
pub const EXPIRES_GRACE: TimeDelta = TimeDelta::hours(1);

const IMF_FIXDATE: &str = "%a, %d %b %Y %H:%M:%S GMT";

/// `now` as an HTTP date (IMF-fixdate), e.g. `Sun, 05 Jan 2014 21:31:40 GMT`.
pub fn http_date(now: DateTime<Utc>) -> String {
    now.format(IMF_FIXDATE).to_string()
}

/// Reads a `Date` header: IMF-fixdate, or any RFC 2822 date some senders write instead.
pub fn parse_http_date(value: &str) -> Result<DateTime<Utc>> {
    let value = value.trim();
    NaiveDateTime::parse_from_str(value, IMF_FIXDATE)
        .map(|t| t.and_utc())
        .or_else(|_| DateTime::parse_from_rfc2822(value).map(|t| t.with_timezone(&Utc)))
        .map_err(|e| {
            Error::new(
                ErrorCode::DateOutOfRange,
                format!("the Date header {value:?} is not an HTTP date"),
            )
            .with_cause(e)
        })
}

/// A Unix timestamp from a `created` or `expires` parameter.
pub fn from_unix(seconds: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp(seconds, 0).ok_or_else(|| {
        Error::new(
            ErrorCode::DateOutOfRange,
            format!("{seconds} is not a usable time"),
        )
    })
}

/// Accepts a signature made at `signed_at` (and expiring at `expires`, if it says so) at
/// the time `now`.
pub fn check(
    signed_at: DateTime<Utc>,
    expires: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<()> {
    if (now - signed_at).abs() > MAX_CLOCK_DIFFERENCE {
        return Err(Error::new(
            ErrorCode::DateOutOfRange,
            format!(
                "the request was signed at {}, more than {} hours from now ({})",
                signed_at.to_rfc3339(),
                MAX_CLOCK_DIFFERENCE.num_hours(),
                now.to_rfc3339()
            ),
        ));
    }
    // `expires` is whatever the sender wrote, up to the last second chrono can represent;
    // adding the grace to one that late would overflow (and `+` panics). A deadline past
    // the end of representable time has not passed.
    if let Some(expires) = expires
        && expires
            .checked_add_signed(EXPIRES_GRACE)
            .is_some_and(|deadline| now > deadline)
    {
        return Err(Error::new(
            ErrorCode::DateOutOfRange,
            format!("the signature expired at {}", expires.to_rfc3339()),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_round_trip() {
        let t = parse_http_date("Sun, 05 Jan 2014 21:31:40 GMT").expect("parses");
        assert_eq!(t.timestamp(), 1_388_957_500);
        assert_eq!(http_date(t), "Sun, 05 Jan 2014 21:31:40 GMT");
        assert_eq!(
            parse_http_date("Sun, 05 Jan 2014 21:31:40 +0000").expect("rfc 2822"),
            t
        );
        assert!(parse_http_date("yesterday").is_err());
    }

    #[test]
    fn the_window_is_twelve_hours_either_way_and_expires_is_honoured() {
        let now = from_unix(1_700_000_000).expect("time");
        let h = TimeDelta::hours;
        assert!(check(now - h(12), None, now).is_ok());
        assert!(check(now + h(12), None, now).is_ok());
        for signed_at in [now - h(13), now + h(13)] {
            let err = check(signed_at, None, now).expect_err("outside the window");
            assert_eq!(err.code(), ErrorCode::DateOutOfRange);
        }
        assert!(check(now - h(2), Some(now - h(1) + TimeDelta::seconds(1)), now).is_ok());
        let err = check(now - h(3), Some(now - h(2)), now).expect_err("expired");
        assert_eq!(err.code(), ErrorCode::DateOutOfRange);
    }

    #[test]
    fn an_expiry_at_the_end_of_representable_time_is_not_an_overflow() {
        let now = from_unix(1_700_000_000).expect("time");
        let last = DateTime::<Utc>::MAX_UTC.timestamp();
        for expires in [last, last - 1800, last - 3600] {
            let expires = from_unix(expires).expect("the latest representable time");
            assert!(check(now, Some(expires), now).is_ok());
        }
    }
}
