//! Telling a local person something: a notification, kept as a catalogue message so each
//! reader sees it in their own language, with its English text beside it for the API.

use crate::db::DbConnection;
use crate::db::notifications::{self, NewNotification};
use crate::error::Result;
use crate::i18n::{Lang, Message};

/// Notifies `user_id` of `message`, about the community `community_ap_id` if any.
pub fn notify(
    c: &mut DbConnection,
    user_id: i64,
    kind: &str,
    community_ap_id: Option<&str>,
    message: &Message,
    now: chrono::NaiveDateTime,
) -> Result<()> {
    let english = message.render(Lang::En);
    let args = message.args_json();
    notifications::insert(
        c,
        &NewNotification {
            user_id,
            kind,
            community_ap_id,
            message: &english,
            message_key: &message.key,
            message_args: &args,
            now,
        },
    )?;
    Ok(())
}
