//! A worker's slots: the numbers of the requests it may have in flight at once.
//!
//! Each slot is also a row of `delivery_slots` (see `db::delivery_slots`), written when the
//! slot takes a delivery and cleared when that delivery is settled. A slot number returns
//! to the pool only once its delivery is settled in the database, so a slot's row never
//! holds two deliveries: a success handed to the batch settler keeps its slot until the
//! batch is written.

use std::sync::Mutex;

/// One worker's slots.
pub struct Slots {
    /// The worker's id in `delivery_slots`, drawn at random when it starts.
    pub worker: i64,
    free: Mutex<Vec<i32>>,
}

impl Slots {
    /// `n` free slots for a worker with a fresh random id.
    pub fn new(n: usize) -> Slots {
        let n = i32::try_from(n).unwrap_or(i32::MAX);
        Slots {
            worker: rand::random(),
            // Popped from the end: the lowest numbers are used first.
            free: Mutex::new((0..n).rev().collect()),
        }
    }

    /// How many slots are free.
    pub fn available(&self) -> usize {
        self.lock().len()
    }

    /// Takes up to `n` free slots.
    pub fn take(&self, n: usize) -> Vec<i32> {
        let mut free = self.lock();
        let keep = free.len().saturating_sub(n);
        free.split_off(keep)
    }

    /// Returns slots whose deliveries are settled (or that took none).
    pub fn give_back(&self, slots: impl IntoIterator<Item = i32>) {
        self.lock().extend(slots);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<i32>> {
        // The list stays valid whatever a panicking holder was doing.
        self.free.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_taken_and_given_back_without_ever_being_shared() {
        let slots = Slots::new(4);
        let first = slots.take(3);
        assert_eq!(first.len(), 3);
        assert_eq!(slots.available(), 1);
        let second = slots.take(3);
        assert_eq!(second.len(), 1);
        assert!(second.iter().all(|s| !first.contains(s)));
        assert!(slots.take(1).is_empty());
        slots.give_back(first);
        assert_eq!(slots.available(), 3);
        let mut all: Vec<i32> = slots.take(10).into_iter().chain(second).collect();
        all.sort_unstable();
        assert_eq!(all, [0, 1, 2, 3]);
    }
}
