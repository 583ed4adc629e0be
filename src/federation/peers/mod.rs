//! What each server copse federates with understands, decided in one place.
//!
//! Servers differ in what they accept from a community. Lemmy, PieFed and Mbin take the
//! community's `Announce` of each activity (FEP-1b12) and refuse an `Announce` of a bare
//! `Page`. Microblogging servers (Mastodon and the servers that speak its API: Hollo,
//! GoToSocial, Akkoma, Pleroma, Misskey and its forks) show a post announced as a bare
//! object and ignore an announced activity; Fedify-based servers such as Hollo ignore a bare
//! `Page` too, so what they get is an `Article`, the long-form type every one of them shows.
//! Lemmy before 1.0 refuses anything not public, so members-only content is not sent to it.
//! What a server runs is learnt from its NodeInfo ([`learn`]); a server copse knows nothing
//! of yet gets every shape, as before any of this was known.

pub mod learn;

use std::collections::HashMap;

use url::Url;

use crate::db::{DbConnection, peer_software};
use crate::error::Result;

/// The kinds of software that differ in what they accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Lemmy, before 1.0 (`refuses_private`) or from 1.0 on.
    Lemmy { refuses_private: bool },
    /// Other link aggregators that follow FEP-1b12: PieFed, Mbin, and copse.
    Threadiverse,
    /// Mastodon and the servers that speak its API.
    Microblog,
    /// Software copse does not know, or a server it has not asked yet.
    Unknown,
}

impl Family {
    /// The family of a server running `name` at `version` (NodeInfo's `software`).
    pub fn of(name: &str, version: &str) -> Family {
        match name.to_ascii_lowercase().as_str() {
            "lemmy" => Family::Lemmy {
                refuses_private: major_minor(version) < (1, 0),
            },
            "piefed" | "mbin" | "kbin" | "copse" => Family::Threadiverse,
            "mastodon" | "hometown" | "glitchsoc" | "hollo" | "gotosocial" | "akkoma"
            | "pleroma" | "misskey" | "sharkey" | "iceshrimp" | "firefish" | "catodon"
            | "fedibird" | "snac" | "takahe" | "bonfire" | "friendica" => Family::Microblog,
            _ => Family::Unknown,
        }
    }

    /// Whether it takes a community's `Announce` of an activity (`Create`, `Update`,
    /// votes, moderation).
    pub fn takes_announced_activities(self) -> bool {
        !matches!(self, Family::Microblog)
    }

    /// The type a new public post is announced as, bare, if this server shows posts that
    /// way: `Page` for a server of unknown software, `Article` for a microblogging one.
    pub fn bare_post_type(self) -> Option<&'static str> {
        match self {
            Family::Microblog => Some("Article"),
            Family::Unknown => Some("Page"),
            Family::Lemmy { .. } | Family::Threadiverse => None,
        }
    }

    /// Whether it may be sent content that is not public.
    pub fn takes_private_content(self) -> bool {
        !matches!(
            self,
            Family::Lemmy {
                refuses_private: true
            }
        )
    }
}

/// The leading `major.minor` of a version string; unreadable parts count as 0.
fn major_minor(version: &str) -> (u32, u32) {
    let mut parts = version
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .map(|p| p.parse::<u32>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

/// The server an inbox belongs to: its `host[:port]`.
pub fn domain_of(inbox: &str) -> String {
    Url::parse(inbox)
        .map(|u| crate::federation::protocol::envelope::authority(&u))
        .unwrap_or_default()
}

/// The family of the server of each of `inboxes`, by inbox.
pub fn families(c: &mut DbConnection, inboxes: &[String]) -> Result<HashMap<String, Family>> {
    let domains: Vec<String> = inboxes.iter().map(|i| domain_of(i)).collect();
    let known: HashMap<String, Family> = peer_software::of_domains(c, &domains)?
        .into_iter()
        .map(|row| (row.domain, Family::of(&row.name, &row.version)))
        .collect();
    Ok(inboxes
        .iter()
        .zip(domains)
        .map(|(inbox, domain)| {
            let family = known.get(&domain).copied().unwrap_or(Family::Unknown);
            (inbox.clone(), family)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_are_told_by_name_and_lemmys_by_version() {
        assert_eq!(
            Family::of("lemmy", "0.19.20"),
            Family::Lemmy {
                refuses_private: true
            }
        );
        assert_eq!(
            Family::of("lemmy", "1.0.0-beta.1"),
            Family::Lemmy {
                refuses_private: false
            }
        );
        assert_eq!(Family::of("Mastodon", "4.5.0"), Family::Microblog);
        assert_eq!(Family::of("hollo", "0.6.0"), Family::Microblog);
        assert_eq!(Family::of("piefed", "1.2"), Family::Threadiverse);
        assert_eq!(Family::of("copse", "0.1.0"), Family::Threadiverse);
        assert_eq!(Family::of("something-new", "1"), Family::Unknown);
    }

    #[test]
    fn each_family_gets_the_shapes_it_takes() {
        let lemmy = Family::of("lemmy", "0.19.3");
        assert!(lemmy.takes_announced_activities());
        assert_eq!(lemmy.bare_post_type(), None, "Lemmy refuses Announce(Page)");
        assert!(!lemmy.takes_private_content());
        let mastodon = Family::Microblog;
        assert!(!mastodon.takes_announced_activities());
        assert_eq!(mastodon.bare_post_type(), Some("Article"));
        assert!(mastodon.takes_private_content());
        assert_eq!(Family::Unknown.bare_post_type(), Some("Page"));
        assert!(Family::Unknown.takes_announced_activities());
    }
}
