//! The buckets of every (limit, key) pair, in memory, with a bounded size.
//!
//! Keys are stored as 64-bit hashes under a per-process random key (SipHash), so an entry
//! costs the same whether it stands for an IP address or a 2 KB actor URL, and a sender
//! cannot choose keys that collide. The table is split into shards, each behind its own
//! mutex, so concurrent requests rarely wait on each other.
//!
//! Memory stays bounded under a flood of distinct keys (a botnet, or forged actor ids):
//! - an entry whose bucket is full again (its TAT is in the past) means nothing, so each
//!   shard drops those at most once a [`SWEEP_EVERY`];
//! - a shard that is full when a new key arrives first drops its refilled entries, and if
//!   it is still full, forgets the half of its entries nearest to refilled. Forgetting a
//!   key only ever gives that client a fuller bucket than it had: the cost of a flood
//!   falls on the flood, never on memory.

use std::collections::HashMap;
use std::sync::Mutex;

use super::gcra::Decision;

/// How many shards the table is split into.
const SHARDS: usize = 16;

/// How often each shard drops its refilled entries, in nanoseconds (one minute).
const SWEEP_EVERY: u64 = 60_000_000_000;

#[derive(Default)]
struct Shard {
    /// Key hash → theoretical arrival time (nanoseconds on the limiter's clock).
    tats: HashMap<u64, u64>,
    last_sweep: u64,
}

impl Shard {
    fn drop_refilled(&mut self, now: u64) {
        self.tats.retain(|_, tat| *tat > now);
        self.last_sweep = now;
    }

    /// Forgets the half of the entries that are nearest to refilled.
    fn drop_nearest_half(&mut self) {
        let mut tats: Vec<u64> = self.tats.values().copied().collect();
        if tats.is_empty() {
            return;
        }
        let middle = tats.len() / 2;
        let (_, threshold, _) = tats.select_nth_unstable(middle);
        let threshold = *threshold;
        self.tats.retain(|_, tat| *tat > threshold);
    }
}

/// Every bucket, at most `capacity` of them.
pub struct Table {
    shards: Vec<Mutex<Shard>>,
    per_shard: usize,
}

impl Table {
    /// A table that never holds more than `capacity` keys (rounded up to the shards).
    pub fn new(capacity: usize) -> Table {
        Table {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            per_shard: capacity.div_ceil(SHARDS).max(1),
        }
    }

    fn shard_of(key: u64) -> usize {
        (key >> 60) as usize % SHARDS
    }

    /// The most keys the table holds.
    pub fn capacity(&self) -> usize {
        self.per_shard * SHARDS
    }

    /// Decides a request for `key` at `now` with `decide`, and stores the new TAT if it
    /// was allowed.
    pub fn update(
        &self,
        key: u64,
        now: u64,
        decide: impl FnOnce(Option<u64>) -> Decision,
    ) -> Decision {
        // The high bits pick the shard; the map hashes the whole key again for its slot.
        let index = Self::shard_of(key);
        let Some(shard) = self.shards.get(index) else {
            return decide(None);
        };
        // A poisoned shard only means a panic elsewhere while it was held; its numbers
        // are still numbers.
        let mut shard = shard
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if now.saturating_sub(shard.last_sweep) > SWEEP_EVERY {
            shard.drop_refilled(now);
        }
        let decision = decide(shard.tats.get(&key).copied());
        if let Decision::Allow { tat } = decision {
            if !shard.tats.contains_key(&key) && shard.tats.len() >= self.per_shard {
                shard.drop_refilled(now);
                if shard.tats.len() >= self.per_shard {
                    shard.drop_nearest_half();
                }
            }
            shard.tats.insert(key, tat);
        }
        decision
    }

    /// The stored TAT of `key`, without changing anything.
    pub fn peek(&self, key: u64) -> Option<u64> {
        let shard = self.shards.get(Self::shard_of(key))?;
        let shard = shard
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        shard.tats.get(&key).copied()
    }

    /// Keys held now (refilled ones included until they are swept).
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().map_or(0, |s| s.tats.len()))
            .sum()
    }

    /// True when no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allow_until(tat: u64) -> impl FnOnce(Option<u64>) -> Decision {
        move |_| Decision::Allow { tat }
    }

    #[test]
    fn a_flood_of_distinct_keys_stays_within_the_capacity() {
        let table = Table::new(1600);
        for key in 0..100_000u64 {
            let spread = key.wrapping_mul(0x9E37_79B9_7F4A_7C15);
            table.update(spread, 0, allow_until(1_000_000_000 + key));
            assert!(table.len() <= table.capacity());
        }
        assert!(table.len() > table.capacity() / 4, "not emptied either");
    }

    #[test]
    fn refilled_keys_are_swept() {
        let table = Table::new(16_000);
        for key in 0..1000u64 {
            table.update(key << 52, 0, allow_until(10));
        }
        assert_eq!(table.len(), 1000);
        table.update(7, SWEEP_EVERY + 11, allow_until(SWEEP_EVERY + 20));
        assert!(table.len() < 1000);
    }
}
