//! Local people, communities and the instance as ActivityPub actors.

use super::keys::KeyPair;
use super::protocol::actor_context;
use super::protocol::actors::{Actor, Endpoints, Language, PropertyValue, PublicKey, Source};
use super::urls::Urls;
use crate::accounts::User;
use crate::communities::CommunityDetails;
use crate::db::{Database, instance, users};
use crate::error::{Error, Result};
use crate::membership::Visibility;
use crate::time::rfc3339;

/// Renders stored Markdown as the HTML of `summary` (sanitized, as every post is).
pub fn summary_html(markdown: &str) -> String {
    crate::content::render_markdown(markdown)
}

fn actor(urls: &Urls, kind: &str, id: String, username: &str, public_key_pem: String) -> Actor {
    Actor {
        context: actor_context(),
        kind: kind.to_string(),
        preferred_username: username.to_string(),
        name: None,
        summary: None,
        source: None,
        inbox: format!("{id}/inbox"),
        outbox: format!("{id}/outbox"),
        followers: Some(format!("{id}/followers")),
        following: None,
        featured: None,
        attributed_to: None,
        endpoints: Endpoints {
            shared_inbox: urls.shared_inbox(),
        },
        public_key: PublicKey {
            id: Urls::key_id(&id),
            owner: id.clone(),
            public_key_pem,
        },
        manually_approves_followers: false,
        discoverable: true,
        posting_restricted_to_mods: None,
        sensitive: None,
        language: Vec::new(),
        attachment: Vec::new(),
        url: id.clone(),
        published: String::new(),
        updated: None,
        id,
    }
}

/// A local person as a `Person`.
pub fn person(urls: &Urls, user: &User, public_key_pem: String) -> Actor {
    let mut a = actor(
        urls,
        "Person",
        urls.person(&user.username),
        &user.username,
        public_key_pem,
    );
    a.name = Some(
        user.display_name
            .clone()
            .unwrap_or_else(|| user.username.clone()),
    );
    a.summary = user.bio.as_deref().map(summary_html);
    a.source = user.bio.as_ref().map(|s| Source {
        content: s.clone(),
        media_type: "text/markdown".into(),
    });
    a.following = Some(format!("{}/following", a.id));
    a.published = rfc3339(user.created_at);
    a.updated = Some(rfc3339(user.updated_at));
    a
}

/// The credentials moderators verified for a local person, as profile fields: "Registered
/// nurse" — "verified by @mod in !nursing@host on 2026-11-24". Only communities whose
/// member list is public show them to everyone; in the others, membership itself is private.
pub async fn credential_fields(app: &crate::app::App, user_id: i64) -> Result<Vec<PropertyValue>> {
    let host = app.config.domain.clone();
    app.db
        .run(move |c| credential_fields_in(c, &host, user_id))
        .await
}

/// [`credential_fields`] inside a transaction, for an `Update` of the person.
pub fn credential_fields_in(
    c: &mut crate::db::DbConnection,
    host: &str,
    user_id: i64,
) -> Result<Vec<PropertyValue>> {
    let mut fields = Vec::new();
    for (community_id, cred) in crate::db::credentials::of_user(c, user_id)? {
        let Some(community) = crate::db::communities::find(c, community_id)? else {
            continue;
        };
        if !community.member_list_public || community.is_private() {
            continue;
        }
        fields.push(PropertyValue {
            kind: "PropertyValue".into(),
            name: cred.name,
            value: format!(
                "verified by @{}@{host} in !{}@{host} on {}",
                cred.verified_by_name,
                community.name,
                cred.verified_at.format("%Y-%m-%d")
            ),
        });
    }
    Ok(fields)
}

/// A local community as a `Group`, with the fields Lemmy sends.
pub fn group(urls: &Urls, details: &CommunityDetails) -> Actor {
    let c = &details.community;
    let id = urls.community(&c.name);
    let mut a = actor(urls, "Group", id.clone(), &c.name, c.public_key_pem.clone());
    a.name = Some(c.title.clone());
    a.summary = c.summary.as_deref().map(summary_html);
    a.source = c.summary.as_ref().map(|s| Source {
        content: s.clone(),
        media_type: "text/markdown".into(),
    });
    a.featured = Some(format!("{id}/featured"));
    a.attributed_to = Some(format!("{id}/moderators"));
    // What Lemmy 1.0 reads as "private community": its content is for its followers only.
    // A public community that approves members must not say so, or Lemmy refuses every
    // public post of it.
    a.manually_approves_followers = c.is_private();
    a.discoverable = c.discoverable && c.visibility() == Visibility::Public;
    a.posting_restricted_to_mods = Some(c.posting_restricted_to_mods());
    a.sensitive = Some(false);
    a.language = c
        .language
        .iter()
        .map(|l| Language {
            identifier: l.clone(),
            name: l.clone(),
        })
        .collect();
    a.published = rfc3339(c.created_at);
    a.updated = Some(rfc3339(c.updated_at));
    a
}

/// The instance actor: an `Application` (FEP-2677) that signs fetches for the server.
pub fn instance(urls: &Urls, domain: &str, public_key_pem: String) -> Actor {
    let mut a = actor(
        urls,
        "Application",
        urls.instance_actor(),
        domain,
        public_key_pem,
    );
    a.name = Some(site_name(domain));
    a.inbox = urls.shared_inbox();
    a.followers = None;
    a.manually_approves_followers = true;
    a.discoverable = false;
    a.published = rfc3339(chrono::DateTime::UNIX_EPOCH.naive_utc());
    a
}

/// Lemmy stores an instance actor's `name` as its site's name, in 20 characters at most, and
/// refuses the whole actor when it is longer: the domain when it fits, else its first label,
/// cut to fit.
pub const MAX_SITE_NAME: usize = 20;

fn site_name(domain: &str) -> String {
    if domain.chars().count() <= MAX_SITE_NAME {
        return domain.to_string();
    }
    let label = domain.split(['.', ':']).next().unwrap_or(domain);
    label.chars().take(MAX_SITE_NAME).collect()
}

/// The instance's reporting actor ([`Urls::reports_actor`]), with the instance's public key.
pub fn reports(urls: &Urls, domain: &str, public_key_pem: String) -> Actor {
    let mut a = actor(
        urls,
        "Service",
        urls.reports_actor(),
        "reports",
        public_key_pem,
    );
    a.name = Some(format!("Reports from {domain}"));
    a.inbox = urls.shared_inbox();
    a.followers = None;
    a.manually_approves_followers = true;
    a.discoverable = false;
    a.published = rfc3339(chrono::DateTime::UNIX_EPOCH.naive_utc());
    a
}

/// The instance actor's key pair, made on first use and kept.
pub async fn instance_key(db: &Database) -> Result<KeyPair> {
    if let Some(pair) = db.run(|c| Ok(instance::key(c)?)).await? {
        return Ok(pair);
    }
    let fresh = super::keys::generate_async().await?;
    // Two processes may race here; the loser reads the winner's key.
    match db.run(move |c| Ok(instance::store_key(c, &fresh)?)).await {
        Ok(pair) => Ok(pair),
        Err(_) => db
            .run(|c| Ok(instance::key(c)?))
            .await?
            .ok_or_else(|| Error::internal("instance key missing after store")),
    }
}

/// A local person's public key, generating the pair for accounts made before keys existed.
pub async fn person_public_key(db: &Database, user: &User) -> Result<String> {
    Ok(person_key_pair(db, user).await?.public_pem)
}

/// A local person's key pair, generated on first need for accounts made before keys existed.
pub async fn person_key_pair(db: &Database, user: &User) -> Result<KeyPair> {
    let id = user.id;
    if let Some((public_pem, private_pem)) = db.run(move |c| Ok(users::key_pair(c, id)?)).await? {
        return Ok(KeyPair {
            public_pem,
            private_pem,
        });
    }
    let fresh = super::keys::generate_async().await?;
    let stored = fresh.clone();
    db.run(move |c| {
        Ok(users::set_key_pair(
            c,
            id,
            &stored.public_pem,
            &stored.private_pem,
        )?)
    })
    .await?;
    Ok(fresh)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_instance_actors_name_fits_lemmys_site_name_column() {
        assert_eq!(site_name("cop.example"), "cop.example");
        assert_eq!(site_name("nursing.university-hospital.example"), "nursing");
        let long = site_name("averyveryverylonghospitalname.example");
        assert_eq!(long.chars().count(), MAX_SITE_NAME);
        assert!(long.starts_with("averyvery"));
    }
}
