//! The door from the domain to whatever tells other servers: an interface the domain owns
//! and federation implements.

use std::sync::Arc;

use super::Event;
use crate::db::DbConnection;
use crate::error::Result;

/// Where recorded events go. Implemented once, by federation; tests may install their own.
pub trait Outbox: Send + Sync + 'static {
    /// Called inside the transaction of the change that `event` describes: whatever it
    /// writes commits or rolls back with that change.
    fn record(&self, conn: &mut DbConnection, event: Event) -> Result<()>;

    /// Called once after a transaction that recorded at least one event has committed.
    fn committed(&self);
}

/// What a domain function records events through, inside one transaction.
pub struct Recorder {
    outbox: Arc<dyn Outbox>,
    recorded: bool,
}

impl Recorder {
    pub fn new(outbox: Arc<dyn Outbox>) -> Recorder {
        Recorder {
            outbox,
            recorded: false,
        }
    }

    /// Records `event` in the transaction `conn` is in.
    pub fn record(&mut self, conn: &mut DbConnection, event: Event) -> Result<()> {
        self.recorded = true;
        self.outbox.record(conn, event)
    }

    /// Whether anything was recorded.
    pub fn recorded(&self) -> bool {
        self.recorded
    }
}
