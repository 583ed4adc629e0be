//! The generic cell rate algorithm: a token bucket kept as one number per key.
//!
//! A budget of `limit` requests per `period` lets a client spend the whole budget at once
//! and then one more request every `period / limit`. Instead of a token count and a refill
//! time, GCRA stores the "theoretical arrival time" (TAT): when the bucket will be full
//! again. A request at `now` is allowed when the bucket is not empty, i.e. when
//! `TAT - now` is at most `period - period / limit`, and pushes TAT on by `period / limit`.
//! A key whose TAT is in the past has a full bucket, exactly as if it had never been seen,
//! which is what makes evicting idle keys free of any effect on clients.

use std::time::Duration;

/// The rate of one limit, in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Time one request "costs": `period / limit`.
    interval: u64,
    /// How far ahead of now TAT may be before requests are refused: `period - interval`.
    tolerance: u64,
}

impl Rate {
    /// `limit` requests per `period` (a limit of 0 is taken as 1).
    pub fn new(limit: u32, period: Duration) -> Rate {
        let period = u64::try_from(period.as_nanos()).unwrap_or(u64::MAX);
        let interval = (period / u64::from(limit.max(1))).max(1);
        Rate {
            interval,
            tolerance: period.saturating_sub(interval),
        }
    }
}

/// What a check decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Allowed; the key's new TAT is to be stored.
    Allow { tat: u64 },
    /// Refused; a request would be allowed again after this long.
    Refuse { retry_after: Duration },
}

/// Decides one request at `now` for a key whose stored TAT is `tat` (`None`: never seen or
/// forgotten, the same thing).
pub fn check(rate: Rate, tat: Option<u64>, now: u64) -> Decision {
    let tat = tat.unwrap_or(now).max(now);
    let ahead = tat - now;
    if ahead > rate.tolerance {
        return Decision::Refuse {
            retry_after: Duration::from_nanos(ahead - rate.tolerance),
        };
    }
    Decision::Allow {
        tat: tat.saturating_add(rate.interval),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: u64 = 1_000_000_000;

    #[test]
    fn the_whole_budget_can_be_spent_at_once_then_it_refills_steadily() {
        let rate = Rate::new(3, Duration::from_secs(60));
        let mut tat = None;
        for _ in 0..3 {
            match check(rate, tat, 0) {
                Decision::Allow { tat: t } => tat = Some(t),
                refused => panic!("refused within the budget: {refused:?}"),
            }
        }
        match check(rate, tat, 0) {
            Decision::Refuse { retry_after } => assert_eq!(retry_after.as_secs(), 20),
            allowed => panic!("allowed past the budget: {allowed:?}"),
        }
        // One request's worth (20 s) later, exactly one more is allowed.
        let later = 20 * SECOND;
        let Decision::Allow { tat: t } = check(rate, tat, later) else {
            panic!("not refilled after 20 s");
        };
        assert!(matches!(
            check(rate, Some(t), later),
            Decision::Refuse { .. }
        ));
    }

    #[test]
    fn a_key_idle_for_a_period_is_as_new() {
        let rate = Rate::new(2, Duration::from_secs(1));
        let Decision::Allow { tat } = check(rate, None, 0) else {
            panic!("refused");
        };
        assert!(tat <= SECOND, "TAT never runs past now + period");
        assert_eq!(
            check(rate, Some(tat), 5 * SECOND),
            check(rate, None, 5 * SECOND)
        );
    }
}
