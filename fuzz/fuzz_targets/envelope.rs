//! An inbox's body, read the way `inbox::receive` reads it before any key is fetched or
//! the database is asked: the NUL check, the envelope, the wire model's verdict
//! (`classify`), then the typed activity (and the activity it embeds, as an `Undo` or an
//! `Announce` does) as the dispatch table reads it, and any embedded content object.
//!
//! Invariants: nothing panics; when the NUL check passes, no string in the parsed document
//! holds a NUL; and what copse reads into a wire struct it can write, read back, and write
//! again to the same JSON.

#![no_main]

use std::fmt::Debug;

use copse::content::control::json_has_nul;
use copse::federation::activities::moderation::reason_in;
use copse::federation::protocol::activities::{self as act, Activity, ActivityKind, Addressing};
use copse::federation::protocol::classify::classify;
use copse::federation::protocol::envelope::{Envelope, Named, authority};
use copse::federation::protocol::objects::{self as obj, ObjectFields, ObjectKind};
use copse::federation::protocol::outgoing::to_json;
use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// How deep embedded activities are followed; `classify` refuses deeper ones anyway.
const MAX_DEPTH: usize = 5;

fuzz_target!(|data: &[u8]| {
    let has_nul = json_has_nul(data);
    let Ok(env) = Envelope::parse(data) else {
        return;
    };
    if !has_nul {
        assert!(
            !holds_nul(&env.json),
            "json_has_nul missed a NUL that the parser decoded"
        );
    }
    let _ = authority(&env.id);
    let _ = authority(&env.actor);
    let _ = env.object_id();
    let _ = Named::of(&env.json);
    if let Some(object) = env.object() {
        let _ = Named::of(object);
    }
    let _ = Addressing::of(&env.json).is_public();
    match classify(&env.json) {
        Ok(understood) => {
            let _ = understood.label();
        }
        Err(refusal) => {
            let _ = refusal.to_string();
        }
    }
    if let Some(kind) = ActivityKind::from_type(&env.kind) {
        activity(kind, &env.json, 0);
    }
});

/// Whether any string or key of `v` holds a NUL character.
fn holds_nul(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(holds_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        _ => false,
    }
}

fn activity(kind: ActivityKind, doc: &Value, depth: usize) {
    match kind {
        ActivityKind::Follow => typed::<act::Follow>(doc, depth),
        ActivityKind::Accept => typed::<act::Accept>(doc, depth),
        ActivityKind::Reject => typed::<act::Reject>(doc, depth),
        ActivityKind::Undo => typed::<act::Undo>(doc, depth),
        ActivityKind::Create => typed::<act::Create>(doc, depth),
        ActivityKind::Update => typed::<act::Update>(doc, depth),
        ActivityKind::Delete => typed::<act::Delete>(doc, depth),
        ActivityKind::Like => typed::<act::Like>(doc, depth),
        ActivityKind::Dislike => typed::<act::Dislike>(doc, depth),
        ActivityKind::Announce => typed::<act::Announce>(doc, depth),
        ActivityKind::Flag => typed::<act::Flag>(doc, depth),
        ActivityKind::Add => typed::<act::Add>(doc, depth),
        ActivityKind::Remove => typed::<act::Remove>(doc, depth),
        ActivityKind::Block => typed::<act::Block>(doc, depth),
        ActivityKind::Lock => typed::<act::Lock>(doc, depth),
        ActivityKind::Join => typed::<act::Join>(doc, depth),
        ActivityKind::Leave => typed::<act::Leave>(doc, depth),
        ActivityKind::Invite => typed::<act::Invite>(doc, depth),
        ActivityKind::Warn => typed::<act::Warn>(doc, depth),
    }
}

/// Reads `doc` as activity `T` (as `table.rs` and `classify` do), then what it embeds.
fn typed<T: Activity + PartialEq + Debug>(doc: &Value, depth: usize) {
    let Ok(read) = act::parse::<T>(doc) else {
        return;
    };
    let _ = (read.id(), read.actor_id(), read.kind());
    let _ = read.recipients();
    let _ = read.addressing().is_public();
    let _ = read.object().ids();
    let _ = reason_in(doc.get("summary").and_then(Value::as_str));
    round_trip(&read, |v| act::parse::<T>(v).ok());

    let object = read.object();
    if let Some(inner) = object.embedded() {
        let inner_type = object.embedded_type().unwrap_or_default();
        if let Some(kind) = ActivityKind::from_type(inner_type) {
            if depth < MAX_DEPTH {
                activity(kind, inner, depth + 1);
            }
        } else if let Some(kind) = ObjectKind::from_type(inner_type) {
            content(kind, inner);
        }
    }
    let _ = read.without_context();
}

/// A content object embedded in an activity, read as its wire struct. Pages and notes are
/// what copse also sends, so they must also survive being written and read again.
fn content(kind: ObjectKind, doc: &Value) {
    match kind {
        ObjectKind::Page => {
            if let Some(o) = object::<obj::Page>(doc, |o| &o.fields) {
                round_trip(&o, |v| serde_json::from_value(v.clone()).ok());
            }
        }
        ObjectKind::Note => {
            if let Some(o) = object::<obj::Note>(doc, |o| &o.fields) {
                round_trip(&o, |v| serde_json::from_value(v.clone()).ok());
            }
        }
        ObjectKind::Article => drop(object::<obj::Article>(doc, |o| &o.fields)),
        ObjectKind::Event => drop(object::<obj::Event>(doc, |o| &o.fields)),
        ObjectKind::Video => drop(object::<obj::Video>(doc, |o| &o.fields)),
        ObjectKind::Tombstone | ObjectKind::ChatMessage => {}
    }
}

fn object<T: DeserializeOwned>(doc: &Value, fields: fn(&T) -> &ObjectFields) -> Option<T> {
    let o = serde_json::from_value::<T>(doc.clone()).ok()?;
    let f = fields(&o);
    let _ = (f.author(), f.is_public(), f.language_code());
    Some(o)
}

/// What copse read it can write, and what it wrote it reads back to a struct that it
/// writes the same way. (Not to the same struct: timestamps are written to the
/// microsecond, so finer fractions of a second are dropped on the first write.)
fn round_trip<T: Serialize + Debug>(doc: &T, read: impl Fn(&Value) -> Option<T>) {
    let written = write(doc);
    match read(&written) {
        Some(again) => assert_eq!(write(&again), written, "read back as {again:?}"),
        None => panic!("copse does not read what it wrote: {written}"),
    }
}

fn write<T: Serialize>(doc: &T) -> Value {
    match to_json(doc) {
        Ok(v) => v,
        Err(e) => panic!("a struct copse read does not serialize: {e}"),
    }
}
