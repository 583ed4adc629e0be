//! When a failed delivery is tried again.
//!
//! The delay doubles from 30 seconds up to a cap of 6 hours, so a server that is down for a
//! minute gets its activities a minute later, and one down for a day is asked a handful of
//! times rather than thousands. Each delay is spread by ±25 %: after an outage, the rows
//! that failed together would otherwise all come due in the same second and hit the
//! recovering server in one burst. A `Retry-After` from the server is a floor (up to the
//! cap), never shortened by the jitter.

use std::time::Duration;

use chrono::{NaiveDateTime, TimeDelta};
use rand::Rng;

/// The first wait after a failure.
pub const FIRST_DELAY: Duration = Duration::from_secs(30);
/// The longest wait between two attempts.
pub const MAX_DELAY: Duration = Duration::from_secs(6 * 3600);
/// After this long in the queue, a failing delivery is given up: an activity days late is
/// rarely worth having, and the receiver may long have moved on.
pub const GIVE_UP_AFTER: TimeDelta = TimeDelta::days(2);

/// When to try again after `attempts` failures (1 for the first), never sooner than
/// `retry_after` from now.
pub fn next_attempt(
    now: NaiveDateTime,
    attempts: i32,
    retry_after: Option<Duration>,
) -> NaiveDateTime {
    let doublings = attempts.clamp(1, 20).saturating_sub(1) as u32;
    let base = FIRST_DELAY.saturating_mul(1u32 << doublings).min(MAX_DELAY);
    let jitter = rand::thread_rng().gen_range(0.75..1.25);
    let mut delay = base.mul_f64(jitter);
    if let Some(asked) = retry_after {
        delay = delay.max(asked.min(MAX_DELAY));
    }
    now + TimeDelta::from_std(delay).unwrap_or(TimeDelta::hours(6))
}

/// Whether a delivery queued at `created_at` has been failing for too long.
pub fn given_up(now: NaiveDateTime, created_at: NaiveDateTime) -> bool {
    now - created_at > GIVE_UP_AFTER
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_and_stop_growing_at_the_cap() {
        let now = crate::time::now();
        let secs = |a| (next_attempt(now, a, None) - now).num_seconds();
        assert!((22..=38).contains(&secs(1)));
        assert!((45..=75).contains(&secs(2)));
        assert!((90..=150).contains(&secs(3)));
        for attempts in [15, 30, i32::MAX] {
            assert!(secs(attempts) <= (MAX_DELAY.as_secs() as f64 * 1.25) as i64);
            assert!(secs(attempts) >= (MAX_DELAY.as_secs() as f64 * 0.75) as i64);
        }
    }

    #[test]
    fn retry_after_is_a_floor_up_to_the_cap() {
        let now = crate::time::now();
        let asked = (next_attempt(now, 1, Some(Duration::from_secs(3600))) - now).num_seconds();
        assert!(asked >= 3600);
        let huge = next_attempt(now, 1, Some(Duration::from_secs(30 * 86_400))) - now;
        assert!(huge.num_seconds() <= (MAX_DELAY.as_secs() as f64 * 1.25) as i64);
    }

    #[test]
    fn jitter_spreads_rows_that_failed_together() {
        let now = crate::time::now();
        let times: std::collections::HashSet<_> =
            (0..20).map(|_| next_attempt(now, 4, None)).collect();
        assert!(times.len() > 10);
    }

    #[test]
    fn deliveries_are_given_up_after_two_days() {
        let now = crate::time::now();
        assert!(!given_up(now, now - TimeDelta::hours(47)));
        assert!(given_up(now, now - TimeDelta::hours(49)));
    }
}
