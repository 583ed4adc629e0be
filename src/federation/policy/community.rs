//! A local community's blocked instances: its moderators refuse a server in their
//! community only (posts, comments, votes, follows and joins from it are refused with
//! `domain_blocked`), whatever the instance's own policy says about it.

use crate::accounts::User;
use crate::app::App;
use crate::db::community_domain_blocks::{self, CommunityDomainBlockRow};
use crate::db::memberships::Member;
use crate::db::{communities, domain_effects};
use crate::error::{Error, ErrorCode, Result};
use crate::federation::urls::Urls;
use crate::membership::access;
use crate::moderation::{Action, LogEntry, Moderator, TargetKind, log};

use super::domain::{candidates, host_of, normalize};

/// The community's blocked domains; moderators only (`not_a_moderator`).
pub async fn list(app: &App, user: &User, community: &str) -> Result<Vec<CommunityDomainBlockRow>> {
    let (user_id, admin, name) = (user.id, user.is_admin, community.to_string());
    app.db
        .run(move |c| {
            let id = moderated(c, &name, user_id, admin)?;
            Ok(community_domain_blocks::of_community(c, id)?)
        })
        .await
}

/// Blocks `domain` in the community; its actors' follows and memberships of the community
/// are dropped. Returns the number of follows dropped.
pub async fn block(app: &App, user: &User, community: &str, domain: &str) -> Result<usize> {
    let domain = normalize(domain)?;
    let own = app.config.domain.to_ascii_lowercase();
    if candidates(&own).contains(&domain) {
        return Err(Error::new(
            ErrorCode::DomainInvalid,
            format!("{domain} is this server's own domain"),
        ));
    }
    let (user_id, admin, name) = (user.id, user.is_admin, community.to_string());
    let moderator = Moderator {
        user_id: Some(user.id),
        ap_id: Urls::new(&app.config).person(&user.username),
    };
    let urls = Urls::new(&app.config);
    let dropped = app
        .db
        .transaction(move |c| {
            let id = moderated(c, &name, user_id, admin)?;
            community_domain_blocks::insert(c, id, &domain, Some(user_id))?;
            let actors: Vec<i64> = domain_effects::actors_on_host(c, host_of(&domain))?
                .into_iter()
                .filter(|(_, d)| candidates(d).contains(&domain))
                .map(|(id, _)| id)
                .collect();
            let dropped = domain_effects::drop_community_followers(c, id, &actors)?;
            let mut e = LogEntry::new(moderator, Action::CommunityBlockDomain, TargetKind::Domain);
            e.community_id = Some(id);
            e.community_ap_id = Some(urls.community(&name));
            e.target_ap_id = Some(domain.clone());
            log::record(c, e)?;
            Ok(dropped)
        })
        .await?;
    app.policy.reload().await?;
    Ok(dropped)
}

/// Lifts the community's block of `domain`; `not_found` when it had none.
pub async fn unblock(app: &App, user: &User, community: &str, domain: &str) -> Result<()> {
    let domain = normalize(domain)?;
    let (user_id, admin, name) = (user.id, user.is_admin, community.to_string());
    let moderator = Moderator {
        user_id: Some(user.id),
        ap_id: Urls::new(&app.config).person(&user.username),
    };
    let urls = Urls::new(&app.config);
    app.db
        .transaction(move |c| {
            let id = moderated(c, &name, user_id, admin)?;
            if community_domain_blocks::delete(c, id, &domain)? == 0 {
                return Err(Error::new(
                    ErrorCode::NotFound,
                    format!("{domain} is not blocked in this community"),
                ));
            }
            let mut e = LogEntry::new(
                moderator,
                Action::CommunityUnblockDomain,
                TargetKind::Domain,
            );
            e.community_id = Some(id);
            e.community_ap_id = Some(urls.community(&name));
            e.target_ap_id = Some(domain.clone());
            log::record(c, e)?;
            Ok(())
        })
        .await?;
    app.policy.reload().await
}

/// The id of the local community `name`, if `user_id` moderates it.
fn moderated(
    c: &mut crate::db::DbConnection,
    name: &str,
    user_id: i64,
    admin: bool,
) -> Result<i64> {
    let community = communities::find_by_name(c, name)?
        .ok_or_else(|| Error::new(ErrorCode::NotFound, format!("no community '{name}'")))?;
    let standing = access::standing(c, community.id, Some(Member::Local(user_id)), admin)?;
    if !standing.moderates() {
        return Err(Error::new(
            ErrorCode::NotAModerator,
            "only the community's moderators manage its blocked instances",
        ));
    }
    Ok(community.id)
}
