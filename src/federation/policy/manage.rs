//! Changing the instance's policy: the functions the admin API and `copse admin` share.
//!
//! Each change is one transaction: the rule, its effects (a block drops the follows and
//! memberships of the domain's actors and the deliveries queued for it, and with `purge`
//! deletes its cached actors and their content) and the moderation log entry. The
//! process's snapshot is reloaded once it commits.

use crate::accounts::User;
use crate::app::App;
use crate::db::domain_policies::{self, DomainPolicyRow};
use crate::db::instance_settings::{self, FEDERATION_MODE};
use crate::db::{DbConnection, domain_effects};
use crate::error::{Error, ErrorCode, Result};
use crate::federation::urls::Urls;
use crate::moderation::{Action, LogEntry, Moderator, TargetKind, log};

use super::domain::{candidates, host_of, normalize};
use super::{FederationMode, FederationPolicy, Severity, load};

/// Longest comment kept on a rule.
pub const MAX_COMMENT_CHARS: usize = 1_000;

/// What an admin asks for one domain. Fields left `None` keep their stored value (or the
/// default, for a new rule).
#[derive(Debug, Clone, Default)]
pub struct RuleInput {
    pub severity: Option<Severity>,
    pub reject_media: Option<bool>,
    pub reject_reports: Option<bool>,
    pub allowed: Option<bool>,
    pub public_comment: Option<String>,
    pub private_comment: Option<String>,
    pub obfuscate: Option<bool>,
    /// With a block: delete the domain's cached actors and what they wrote.
    pub purge: bool,
}

/// What a change did.
#[derive(Debug, Clone)]
pub struct RuleOutcome {
    pub rule: DomainPolicyRow,
    /// True when the domain had no rule before.
    pub created: bool,
    pub follows_dropped: usize,
    pub memberships_dropped: usize,
    pub deliveries_cancelled: usize,
    pub posts_purged: usize,
    pub comments_purged: usize,
}

/// Refuses anyone but an instance admin.
pub fn require_admin(user: &User) -> Result<()> {
    if user.is_admin {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::Forbidden,
            "only admins manage the federation policy",
        ))
    }
}

/// The moderator an admin acting through the API is, in the log.
pub fn admin_moderator(app: &App, user: &User) -> Moderator {
    Moderator {
        user_id: Some(user.id),
        ap_id: Urls::new(&app.config).person(&user.username),
    }
}

/// The moderator for changes made with `copse admin`: the instance actor.
pub fn instance_moderator(app: &App) -> Moderator {
    Moderator {
        user_id: None,
        ap_id: Urls::new(&app.config).instance_actor(),
    }
}

/// Sets the rule of `domain` (typed by a person: normalized and validated here).
pub async fn set_rule(
    app: &App,
    by: Moderator,
    domain: &str,
    input: RuleInput,
) -> Result<RuleOutcome> {
    let domain = normalize(domain)?;
    refuse_own(app, &domain, &input)?;
    let own = app.config.domain.clone();
    let outcome = app
        .db
        .transaction(move |c| apply_rule(c, &own, &by, &domain, &input, true))
        .await?;
    app.policy.reload().await?;
    Ok(outcome)
}

/// Removes the rule of `domain`: it is treated as any other server again (in allowlist
/// mode, that means refused). `not_found` when it had none.
pub async fn remove_rule(app: &App, by: Moderator, domain: &str) -> Result<DomainPolicyRow> {
    let domain = normalize(domain)?;
    let removed = app
        .db
        .transaction(move |c| {
            let old = domain_policies::find(c, &domain)?.ok_or_else(|| {
                Error::new(ErrorCode::NotFound, format!("{domain} has no policy"))
            })?;
            domain_policies::delete(c, &domain)?;
            if old.severity != Severity::None.as_str() || old.reject_media || old.reject_reports {
                log::record(c, entry(&by, Action::UnblockDomain, &domain, None))?;
            }
            if old.allowed {
                log::record(c, entry(&by, Action::DisallowDomain, &domain, None))?;
            }
            Ok(old)
        })
        .await?;
    app.policy.reload().await?;
    Ok(removed)
}

/// Sets the federation mode; returns how many domains are allowed (zero in allowlist mode
/// means the server federates with no one, which callers should say). Switching keeps
/// follows: in allowlist mode the others' are inert (nothing comes in or goes out), and
/// they work again if the server returns to blocklist mode.
pub async fn set_mode(app: &App, by: Moderator, mode: FederationMode) -> Result<usize> {
    let own = app.config.domain.clone();
    let allowed = app
        .db
        .transaction(move |c| {
            instance_settings::set(c, FEDERATION_MODE, mode.as_str())?;
            let mut e = LogEntry::new(by.clone(), Action::FederationMode, TargetKind::Instance);
            e.target_ap_id = Some(own.clone());
            e.target_label = Some(mode.as_str().to_string());
            log::record(c, e)?;
            let policy = load(c, &own)?;
            cancel_blocked_deliveries(c, &policy)?;
            Ok(domain_policies::all(c)?
                .iter()
                .filter(|r| r.allowed)
                .count())
        })
        .await?;
    app.policy.reload().await?;
    Ok(allowed)
}

/// Every rule and the mode.
pub async fn list(app: &App) -> Result<(FederationMode, Vec<DomainPolicyRow>)> {
    app.db
        .run(|c| Ok((super::mode(c)?, domain_policies::all(c)?)))
        .await
}

fn refuse_own(app: &App, domain: &str, input: &RuleInput) -> Result<()> {
    let own = app.config.domain.to_ascii_lowercase();
    let covers_own = candidates(&own).iter().any(|d| d == domain)
        || (!domain.contains(':') && host_of(&own) == domain);
    let restricts = input.severity.is_some_and(|s| s != Severity::None)
        || input.reject_media == Some(true)
        || input.reject_reports == Some(true);
    if covers_own && restricts {
        return Err(Error::new(
            ErrorCode::DomainInvalid,
            format!("{domain} covers this server's own domain, which cannot be restricted"),
        ));
    }
    Ok(())
}

/// Writes one rule and carries out its effects, inside the caller's transaction. `log_it`
/// is false during an import, which writes one entry for the whole list.
pub(super) fn apply_rule(
    c: &mut DbConnection,
    own: &str,
    by: &Moderator,
    domain: &str,
    input: &RuleInput,
    log_it: bool,
) -> Result<RuleOutcome> {
    let (old, rule) = save_rule(c, domain, input)?;
    let severity = Severity::parse(&rule.severity).unwrap_or(Severity::Block);
    let mut outcome = RuleOutcome {
        rule: rule.clone(),
        created: old.is_none(),
        follows_dropped: 0,
        memberships_dropped: 0,
        deliveries_cancelled: 0,
        posts_purged: 0,
        comments_purged: 0,
    };
    if severity == Severity::Block {
        let policy = load(c, own)?;
        let actors: Vec<i64> = domain_effects::actors_on_host(c, host_of(domain))?
            .into_iter()
            .filter(|(_, d)| policy.is_blocked(d))
            .map(|(id, _)| id)
            .collect();
        outcome.follows_dropped = domain_effects::drop_follows(c, &actors)?;
        outcome.memberships_dropped = domain_effects::drop_memberships(c, &actors)?;
        if input.purge {
            let (p, cm) = domain_effects::purge(c, &actors)?;
            outcome.posts_purged = p;
            outcome.comments_purged = cm;
        }
        outcome.deliveries_cancelled = cancel_blocked_deliveries(c, &policy)?;
    }
    if log_it {
        log_change(c, by, old.as_ref(), &rule)?;
    }
    Ok(outcome)
}

/// The rule `input` makes of `domain`'s current one (`old`): absent fields keep their value.
fn merged(domain: &str, old: Option<DomainPolicyRow>, input: &RuleInput) -> DomainPolicyRow {
    let now = crate::time::now();
    let base = old.unwrap_or_else(|| DomainPolicyRow {
        domain: domain.to_string(),
        severity: Severity::None.as_str().into(),
        reject_media: false,
        reject_reports: false,
        allowed: false,
        public_comment: None,
        private_comment: None,
        obfuscate: false,
        created_at: now,
        updated_at: now,
    });
    let comment = |new: &Option<String>, old: Option<String>| match new {
        Some(text) => {
            let text: String = text.trim().chars().take(MAX_COMMENT_CHARS).collect();
            (!text.is_empty()).then_some(text)
        }
        None => old,
    };
    let severity = input
        .severity
        .unwrap_or_else(|| Severity::parse(&base.severity).unwrap_or(Severity::Block));
    DomainPolicyRow {
        domain: domain.to_string(),
        severity: severity.as_str().into(),
        reject_media: input.reject_media.unwrap_or(base.reject_media),
        reject_reports: input.reject_reports.unwrap_or(base.reject_reports),
        allowed: input.allowed.unwrap_or(base.allowed),
        public_comment: comment(&input.public_comment, base.public_comment.clone()),
        private_comment: comment(&input.private_comment, base.private_comment.clone()),
        obfuscate: input.obfuscate.unwrap_or(base.obfuscate),
        created_at: base.created_at,
        updated_at: now,
    }
}

/// Saves the rule `input` makes of `domain`'s, without its effects; the rule as it was,
/// and as it is now.
pub(super) fn save_rule(
    c: &mut DbConnection,
    domain: &str,
    input: &RuleInput,
) -> Result<(Option<DomainPolicyRow>, DomainPolicyRow)> {
    let old = domain_policies::find(c, domain)?;
    let rule = merged(domain, old.clone(), input);
    domain_policies::save(c, &rule)?;
    Ok((old, rule))
}

/// The effects of every block in `policy`, applied at once after an import saved its
/// rules: the policy is read once (by the caller, outside the write) and the cached actors
/// once, so the cost is linear in the list and in the actors known, not their product.
/// Follows and memberships of blocked actors end, and deliveries to blocked servers are
/// cancelled.
pub(super) fn apply_blocks(c: &mut DbConnection, policy: &FederationPolicy) -> Result<()> {
    let actors: Vec<i64> = domain_effects::all_actors(c)?
        .into_iter()
        .filter(|(_, d)| policy.is_blocked(d))
        .map(|(id, _)| id)
        .collect();
    domain_effects::drop_follows(c, &actors)?;
    domain_effects::drop_memberships(c, &actors)?;
    cancel_blocked_deliveries(c, policy)?;
    Ok(())
}

/// Logs what changed between `old` and `rule`: the restriction (block, limit, media or
/// reports, or their lifting) and the allowlist entry, each as its own action; a change of
/// comments alone is logged under the rule's current restriction.
fn log_change(
    c: &mut DbConnection,
    by: &Moderator,
    old: Option<&DomainPolicyRow>,
    rule: &DomainPolicyRow,
) -> Result<()> {
    let restriction = |r: &DomainPolicyRow| (r.severity.clone(), r.reject_media, r.reject_reports);
    let unrestricted = (Severity::None.as_str().to_string(), false, false);
    let was = old.map_or(unrestricted.clone(), restriction);
    let now = restriction(rule);
    let was_allowed = old.is_some_and(|o| o.allowed);
    let reason = rule.private_comment.clone().or(rule.public_comment.clone());
    let allowed_changed = was_allowed != rule.allowed;
    let restricts = now != unrestricted;
    if was != now || (!allowed_changed && restricts) {
        let action = match Severity::parse(&rule.severity) {
            Some(Severity::Limit) => Action::LimitDomain,
            Some(Severity::None) if restricts => Action::LimitDomain,
            Some(Severity::None) => Action::UnblockDomain,
            _ => Action::BlockDomain,
        };
        let mut e = entry(by, action, &rule.domain, reason.clone());
        e.target_label = Some(flags(rule));
        log::record(c, e)?;
    }
    if allowed_changed {
        let action = if rule.allowed {
            Action::AllowDomain
        } else {
            Action::DisallowDomain
        };
        log::record(c, entry(by, action, &rule.domain, reason))?;
    }
    Ok(())
}

/// Deletes queued deliveries to domains `policy` blocks.
fn cancel_blocked_deliveries(c: &mut DbConnection, policy: &FederationPolicy) -> Result<usize> {
    let blocked: Vec<String> = domain_effects::queued_domains(c)?
        .into_iter()
        .filter(|d| policy.is_blocked(d))
        .collect();
    Ok(domain_effects::cancel_deliveries(c, &blocked)?)
}

/// The rule in short, for the log: `block, reject_media`.
fn flags(rule: &DomainPolicyRow) -> String {
    let mut parts = vec![rule.severity.clone()];
    for (on, name) in [
        (rule.reject_media, "reject_media"),
        (rule.reject_reports, "reject_reports"),
        (rule.allowed, "allowed"),
    ] {
        if on {
            parts.push(name.to_string());
        }
    }
    parts.join(", ")
}

fn entry(by: &Moderator, action: Action, domain: &str, reason: Option<String>) -> LogEntry {
    let mut e = LogEntry::new(by.clone(), action, TargetKind::Domain);
    e.target_ap_id = Some(domain.to_string());
    e.reason = reason;
    e
}

/// Lifts a block or limit of `domain` (and its media and report rejections); the rule is
/// removed unless it still lists the domain as allowed. `not_found` when it has no rule.
pub async fn unblock(app: &App, by: Moderator, domain: &str) -> Result<()> {
    let input = RuleInput {
        severity: Some(Severity::None),
        reject_media: Some(false),
        reject_reports: Some(false),
        ..RuleInput::default()
    };
    change_then_tidy(app, by, domain, input).await
}

/// Takes `domain` off the allowlist; the rule is removed if it restricts nothing else.
pub async fn disallow(app: &App, by: Moderator, domain: &str) -> Result<()> {
    let input = RuleInput {
        allowed: Some(false),
        ..RuleInput::default()
    };
    change_then_tidy(app, by, domain, input).await
}

async fn change_then_tidy(app: &App, by: Moderator, domain: &str, input: RuleInput) -> Result<()> {
    let domain = normalize(domain)?;
    let own = app.config.domain.clone();
    app.db
        .transaction(move |c| {
            if domain_policies::find(c, &domain)?.is_none() {
                return Err(Error::new(
                    ErrorCode::NotFound,
                    format!("{domain} has no policy"),
                ));
            }
            let done = apply_rule(c, &own, &by, &domain, &input, true)?;
            let r = &done.rule;
            if r.severity == Severity::None.as_str()
                && !r.allowed
                && !r.reject_media
                && !r.reject_reports
            {
                domain_policies::delete(c, &domain)?;
            }
            Ok(())
        })
        .await?;
    app.policy.reload().await
}
