//! Creating a community, and finding one.

use super::model::CommunityDetails;
use crate::accounts::{User, validate_actor_name};
use crate::db::names::{self, NameKind};
use crate::db::{self, Database, communities};
use crate::error::{Error, ErrorCode, Result};
use crate::time;

pub const MAX_TITLE_CHARS: usize = 100;
pub const MAX_SUMMARY_CHARS: usize = 10_000;

/// What a person gives to start a community.
#[derive(Debug, Clone)]
pub struct NewCommunity {
    pub name: String,
    pub title: String,
    pub summary: Option<String>,
    pub language: Option<String>,
}

fn name_taken(name: &str) -> Error {
    Error::new(
        ErrorCode::CommunityNameTaken,
        format!("the name '{name}' is taken (by a person or a community)"),
    )
}

/// Creates a community with `creator` as its first moderator.
pub async fn create(
    db: &Database,
    creator: &User,
    input: NewCommunity,
) -> Result<CommunityDetails> {
    validate_actor_name(
        &input.name,
        "community name",
        ErrorCode::CommunityNameInvalid,
        ErrorCode::CommunityNameReserved,
    )?;
    let title = input.title.trim().to_string();
    if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS {
        return Err(Error::new(
            ErrorCode::CommunityTitleInvalid,
            format!("the title must be 1 to {MAX_TITLE_CHARS} characters"),
        ));
    }
    let summary = input.summary.filter(|s| !s.trim().is_empty());
    if summary
        .as_ref()
        .is_some_and(|s| s.chars().count() > MAX_SUMMARY_CHARS)
    {
        return Err(Error::new(
            ErrorCode::CommunitySummaryTooLong,
            format!("the summary must be at most {MAX_SUMMARY_CHARS} characters"),
        ));
    }
    let language = input.language.filter(|l| !l.trim().is_empty());
    let keys = crate::federation::keys::generate_async().await?;
    let name = input.name;
    let creator_id = creator.id;
    let creator_name = creator.username.clone();
    db.transaction(move |conn| {
        if names::holder(conn, &name)?.is_some() {
            return Err(name_taken(&name));
        }
        let now = time::now();
        let id = communities::insert(
            conn,
            &communities::NewCommunity {
                name: &name,
                title: &title,
                summary: summary.as_deref(),
                language: language.as_deref(),
                public_key_pem: &keys.public_pem,
                private_key_pem: &keys.private_pem,
                created_by: Some(creator_id),
                created_at: now,
                updated_at: now,
            },
        )
        .and_then(|id| names::claim(conn, &name, NameKind::Community).map(|_| id))
        .map_err(|e| {
            if db::is_unique_violation(&e, "communities_name_key", "communities.name")
                || db::is_unique_violation(&e, "local_names_pkey", "local_names.name")
            {
                name_taken(&name)
            } else {
                e.into()
            }
        })?;
        communities::add_member(conn, id, creator_id, "owner", now)?;
        crate::db::spaces::create_default(conn, id, now)?;
        let community = communities::find(conn, id)?
            .ok_or_else(|| Error::internal("community vanished after insert"))?;
        Ok(CommunityDetails {
            community,
            moderators: vec![creator_name],
            followers: 0,
            members: 1,
        })
    })
    .await
}

/// A local community by name, with its moderators.
pub async fn find_local(db: &Database, name: &str) -> Result<CommunityDetails> {
    let name = name.to_string();
    db.run(move |conn| details(conn, &name)).await
}

/// The local community `name` with its moderators and counts.
pub fn details(conn: &mut crate::db::DbConnection, name: &str) -> Result<CommunityDetails> {
    let community = communities::find_by_name(conn, name)?
        .ok_or_else(|| Error::new(ErrorCode::NotFound, format!("no community '{name}'")))?;
    let moderators = communities::moderator_names(conn, community.id)?;
    let followers = crate::db::follows::count_community_followers(conn, community.id)?;
    let members = crate::db::memberships::count_members(conn, community.id)?;
    Ok(CommunityDetails {
        community,
        moderators,
        followers,
        members,
    })
}
