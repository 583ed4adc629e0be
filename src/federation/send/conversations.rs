//! A community's private answer to someone who wrote to it: a `Create(Note)` by the
//! community, addressed to that person alone and mentioning them, which is what Mastodon
//! shows as a direct message (a note to no public and no followers, whose recipients are
//! mentioned) and what Lemmy-like servers that refuse it simply do not show.

use crate::db::DbConnection;
use crate::error::Result;
use crate::events::ConversationAnswer;
use crate::federation::delivery;
use crate::federation::protocol::activities::{Addressing, Create, ObjectRef};
use crate::federation::protocol::objects::{Mention, Note, ObjectFields, ObjectKind, Tag};
use crate::federation::protocol::outgoing::{at, to_json};
use crate::federation::urls::Urls;

pub(super) fn answered(c: &mut DbConnection, urls: &Urls, a: &ConversationAnswer) -> Result<()> {
    // Mastodon links the mention it shows; the person sees their handle first, as in any
    // direct message.
    let mention = format!(
        r#"<span class="h-card"><a href="{}" class="u-url mention">{}</a></span> "#,
        crate::web::escape(&a.person),
        crate::web::escape(&a.handle)
    );
    let content = match a.html.strip_prefix("<p>") {
        Some(rest) => format!("<p>{mention}{rest}"),
        None => format!("<p>{mention}</p>{}", a.html),
    };
    let note = Note {
        kind: ObjectKind::Note,
        fields: ObjectFields {
            id: a.note.clone(),
            attributed_to: vec![a.community.as_str().into()],
            to: vec![a.person.clone()],
            in_reply_to: a.in_reply_to.clone(),
            content: Some(content),
            media_type: Some("text/html".into()),
            published: Some(at(a.published)),
            tag: vec![Tag::Mention(Mention {
                href: a.person.clone(),
                name: Some(a.handle.clone()),
            })],
            ..ObjectFields::default()
        },
        distinguished: None,
    };
    let create = Create::new(
        urls.new_activity_id("create"),
        a.community.as_str(),
        ObjectRef::embed(&note)?,
    )
    .addressed(Addressing::to(&[a.person.as_str()]));
    // Not kept for fetching at its id: that address is public, the message is not.
    delivery::enqueue(
        c,
        &to_json(&create)?,
        &a.community,
        std::slice::from_ref(&a.inbox),
    )?;
    Ok(())
}
