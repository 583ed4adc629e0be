//! Spaces: rooms inside a community, each for everyone, for members, or for members who
//! hold a credential.

use serde::Serialize;

use super::access;
use super::model::Audience;
use crate::accounts::User;
use crate::app::App;
use crate::db::memberships::Member;
use crate::db::spaces::{self, SpaceRow};
use crate::db::{communities, credentials};
use crate::error::{Error, ErrorCode, Result};

const MAX_TITLE: usize = 100;
const MAX_SLUG: usize = 40;

#[derive(Debug, Clone, Serialize)]
pub struct SpaceView {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub audience: String,
    pub credential: Option<String>,
    pub is_default: bool,
}

impl From<SpaceRow> for SpaceView {
    fn from(s: SpaceRow) -> Self {
        SpaceView {
            id: s.id,
            slug: s.slug,
            title: s.title,
            audience: s.audience,
            credential: s.credential,
            is_default: s.is_default,
        }
    }
}

/// What a moderator gives to open a space.
#[derive(Debug, Clone)]
pub struct SpaceInput {
    pub slug: String,
    pub title: String,
    pub audience: Audience,
    pub credential: Option<String>,
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::SpaceInvalid, message)
}

/// A moderator of community `name` opens a space.
pub async fn create(app: &App, user: &User, name: &str, input: SpaceInput) -> Result<SpaceView> {
    let slug = input.slug.trim().to_ascii_lowercase();
    if slug.is_empty()
        || slug.len() > MAX_SLUG
        || !slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    {
        return Err(invalid(format!(
            "a space's slug is 1 to {MAX_SLUG} of a-z, 0-9, '-' and '_'"
        )));
    }
    let title = input.title.trim().to_string();
    if title.is_empty() || title.chars().count() > MAX_TITLE {
        return Err(invalid(format!(
            "a space's title is 1 to {MAX_TITLE} characters"
        )));
    }
    let credential = input
        .credential
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty());
    match (input.audience, &credential) {
        (Audience::Credential, None) => {
            return Err(invalid(
                "a credential space names the credential it requires",
            ));
        }
        (Audience::Everyone | Audience::Members, Some(_)) => {
            return Err(invalid("only a credential space names a credential"));
        }
        _ => {}
    }
    let name = name.to_string();
    let user = user.clone();
    let row = app
        .db
        .transaction(move |c| {
            let community = communities::find_by_name(c, &name)?
                .ok_or_else(|| Error::new(ErrorCode::NotFound, format!("no community '{name}'")))?;
            let standing =
                access::standing(c, community.id, Some(Member::Local(user.id)), user.is_admin)?;
            if !standing.moderates() {
                return Err(Error::new(
                    ErrorCode::Forbidden,
                    "only the community's moderators open spaces",
                ));
            }
            if spaces::find_by_slug(c, community.id, &slug)?.is_some() {
                return Err(invalid(format!(
                    "the community already has a space '{slug}'"
                )));
            }
            Ok(spaces::insert(
                c,
                community.id,
                &slug,
                &title,
                input.audience.as_str(),
                credential.as_deref(),
                false,
                crate::time::now(),
            )?)
        })
        .await?;
    Ok(row.into())
}

/// The spaces of community `name` that `user` may see.
pub async fn list(app: &App, user: Option<&User>, name: &str) -> Result<Vec<SpaceView>> {
    let name = name.to_string();
    let user = user.cloned();
    app.db
        .run(move |c| {
            let community = communities::find_by_name(c, &name)?
                .ok_or_else(|| Error::new(ErrorCode::NotFound, format!("no community '{name}'")))?;
            let standing = access::standing(
                c,
                community.id,
                user.as_ref().map(|u| Member::Local(u.id)),
                user.as_ref().is_some_and(|u| u.is_admin),
            )?;
            Ok(spaces::of_community(c, community.id)?
                .into_iter()
                .filter(|s| access::can_see_space(&community, s, &standing))
                .map(SpaceView::from)
                .collect())
        })
        .await
}

/// The accepted memberships that make up a space's audience (None: everyone).
pub fn audience_memberships(
    c: &mut crate::db::DbConnection,
    space: &SpaceRow,
) -> Result<Option<Vec<i64>>> {
    match Audience::parse(&space.audience).unwrap_or(Audience::Members) {
        Audience::Everyone => Ok(None),
        Audience::Members => Ok(Some(crate::db::memberships::accepted_ids(
            c,
            space.community_id,
        )?)),
        Audience::Credential => {
            let mut ids = space
                .credential
                .as_deref()
                .map(|name| credentials::holders(c, space.community_id, name))
                .transpose()?
                .unwrap_or_default();
            // Moderators see every space of their community.
            ids.extend(crate::db::memberships::moderator_membership_ids(
                c,
                space.community_id,
            )?);
            ids.sort_unstable();
            ids.dedup();
            Ok(Some(ids))
        }
    }
}
