//! `Delete` of a person by itself: the account is gone, and so is what it left.
//!
//! Outgoing: when a local account is deleted, copse sends `Delete` with the person as both
//! actor and object, addressed to the public, with Lemmy's `removeData: true` (its content
//! goes too; Mastodon removes an account's statuses on such a Delete anyway).
//!
//! Incoming: a remote actor's `Delete` of itself (the inbox already proved the signer is
//! the actor) removes its posts, comments, votes, follows and memberships here, then the
//! cached actor, in one transaction.

use crate::accounts::erase_footprint;
use crate::app::App;
use crate::db::footprint::Person;
use crate::db::received;
use crate::db::remote_actors::{self, CachedActor};
use crate::error::Result;
use crate::federation::protocol::envelope::Envelope;

use crate::federation::protocol::PUBLIC;
use crate::federation::protocol::activities::{Addressing, Delete};

/// `Delete` of the person `person` by itself.
pub fn delete_activity(id: &str, person: &str) -> Delete {
    Delete {
        remove_data: Some(true),
        ..Delete::new(id, person, person)
    }
    .addressed(Addressing::to(&[PUBLIC]))
}

/// A remote actor deleted itself.
pub async fn receive_delete(app: &App, env: &Envelope, actor: &CachedActor) -> Result<()> {
    let ap_id = actor.ap_id.clone();
    let person = Person::Remote(actor.id);
    let id = env.id.to_string();
    app.db
        .transaction(move |c| {
            if received::record(c, &id, crate::time::now())? {
                erase_footprint(c, person)?;
                remote_actors::delete(c, &ap_id)?;
            }
            Ok(())
        })
        .await
}
