//! A person deletes their own account.
//!
//! The person's posts and comments first become Tombstones in short batches; then the rest
//! happens in one transaction: the account is closed (no password, no email, no
//! sessions: it can never log in again), its posts and comments become Tombstones, its
//! votes are withdrawn, its follows and memberships end, and a `Delete` of the person is
//! queued to every server that knows it. The row itself stays: the username remains taken
//! forever (a newcomer must never inherit someone's id), and the key pair stays so the
//! queued `Delete` can still be signed after the account is gone.
//!
//! Communities the person owns stay as they are, with their moderators (the server's admins
//! act as owners), as Lemmy does: refusing would leave the person no way out, since
//! ownership cannot be handed over yet.

use super::erase::{erase_footprint, tombstone_in_batches};
use super::model::{AccountStatus, User};
use super::password::verify_password;
use crate::app::App;
use crate::db::footprint::{self, Person};
use crate::db::users;
use crate::error::{Error, ErrorCode, Result};
use crate::events::Event;
use crate::federation::actors;
use crate::federation::urls::Urls;

/// Deletes `user`'s account once `password` proves it is them.
pub async fn delete_account(app: &App, user: &User, password: &str) -> Result<()> {
    let hash = user.password_hash.clone();
    let password = password.to_string();
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(Error::internal)?;
    if !ok {
        return Err(Error::new(
            ErrorCode::InvalidCredentials,
            "the password is wrong; nothing was deleted",
        ));
    }
    // Made now if the account never had one, so the Delete can be signed.
    actors::person_key_pair(&app.db, user).await?;
    tombstone_in_batches(&app.db, Person::Local(user.id)).await?;
    let urls = Urls::new(&app.config);
    let person_id = urls.person(&user.username);
    let user_id = user.id;
    app.change(move |c, events| {
        let current = users::find(c, user_id)?;
        if current.is_none_or(|u| u.status() == AccountStatus::Deleted) {
            return Err(Error::new(
                ErrorCode::NotFound,
                "the account is already deleted",
            ));
        }
        // Read before the follows and memberships that name these servers end.
        let inboxes = footprint::servers_knowing(c, user_id)?;
        erase_footprint(c, Person::Local(user_id))?;
        footprint::close_account(c, user_id, crate::time::now())?;
        let event = Event::AccountDeleted {
            person: person_id,
            inboxes,
        };
        events.record(c, event)
    })
    .await
}
