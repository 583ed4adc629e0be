//! The instance's federation policy as one immutable value: every domain rule, the mode,
//! and the communities' blocked instances, answered from memory.

use std::collections::{HashMap, HashSet};

use super::domain::{candidates, host_of};
use crate::db::domain_policies::DomainPolicyRow;

/// How hard a domain is kept out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// No restriction (the rule may still reject media or reports, or list it as allowed).
    None,
    /// Its content stays out of public listings and its follows wait for approval.
    Limit,
    /// Nothing is accepted from it and nothing is sent to it.
    Block,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::None => "none",
            Severity::Limit => "limit",
            Severity::Block => "block",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "none" => Some(Severity::None),
            "limit" => Some(Severity::Limit),
            "block" => Some(Severity::Block),
            _ => None,
        }
    }
}

/// Whether the instance federates with everyone not blocked, or only with listed domains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FederationMode {
    #[default]
    Blocklist,
    Allowlist,
}

impl FederationMode {
    pub fn as_str(self) -> &'static str {
        match self {
            FederationMode::Blocklist => "blocklist",
            FederationMode::Allowlist => "allowlist",
        }
    }

    pub fn parse(s: &str) -> Option<FederationMode> {
        match s {
            "blocklist" => Some(FederationMode::Blocklist),
            "allowlist" => Some(FederationMode::Allowlist),
            _ => None,
        }
    }
}

/// One domain's rule, as the snapshot keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainRule {
    pub severity: Severity,
    pub reject_media: bool,
    pub reject_reports: bool,
    pub allowed: bool,
}

impl DomainRule {
    fn from_row(row: &DomainPolicyRow) -> DomainRule {
        DomainRule {
            // An unknown stored severity reads as the strictest: fail closed.
            severity: Severity::parse(&row.severity).unwrap_or(Severity::Block),
            reject_media: row.reject_media,
            reject_reports: row.reject_reports,
            allowed: row.allowed,
        }
    }
}

/// The policy in force, built from the database by [`super::PolicyCache`].
#[derive(Debug, Clone, Default)]
pub struct FederationPolicy {
    mode: FederationMode,
    /// This server's own `host[:port]`: never blocked, whatever the lists say.
    own: String,
    rules: HashMap<String, DomainRule>,
    /// Local community id → the domains its moderators block.
    community_blocks: HashMap<i64, HashSet<String>>,
}

impl FederationPolicy {
    /// A policy from stored rows.
    pub fn new(
        own_domain: &str,
        mode: FederationMode,
        rows: &[DomainPolicyRow],
        community_blocks: Vec<(i64, String)>,
    ) -> FederationPolicy {
        let mut blocks: HashMap<i64, HashSet<String>> = HashMap::new();
        for (community, domain) in community_blocks {
            blocks.entry(community).or_default().insert(domain);
        }
        FederationPolicy {
            mode,
            own: own_domain.to_ascii_lowercase(),
            rules: rows
                .iter()
                .map(|r| (r.domain.clone(), DomainRule::from_row(r)))
                .collect(),
            community_blocks: blocks,
        }
    }

    pub fn mode(&self) -> FederationMode {
        self.mode
    }

    /// True when this server has any rule at all (most servers have none, and skip work).
    pub fn has_rules(&self) -> bool {
        !self.rules.is_empty() || self.mode == FederationMode::Allowlist
    }

    /// True when some rule limits a domain.
    pub fn limits_any(&self) -> bool {
        self.rules.values().any(|r| r.severity == Severity::Limit)
    }

    /// The most specific rule covering `authority`, if any.
    pub fn rule_for(&self, authority: &str) -> Option<&DomainRule> {
        if self.rules.is_empty() {
            return None;
        }
        candidates(authority)
            .iter()
            .find_map(|d| self.rules.get(d.as_str()))
    }

    fn is_own(&self, authority: &str) -> bool {
        let authority = authority.to_ascii_lowercase();
        authority == self.own || (!self.own.contains(':') && host_of(&authority) == self.own)
    }

    /// Whether nothing may be received from or sent to `authority` (a `host[:port]`): a
    /// block rule covers it, or the server is in allowlist mode and no rule covering it
    /// lists it as allowed. This server's own domain is never blocked.
    pub fn is_blocked(&self, authority: &str) -> bool {
        if authority.is_empty() {
            return true;
        }
        if self.is_own(authority) {
            return false;
        }
        if self
            .rule_for(authority)
            .is_some_and(|r| r.severity == Severity::Block)
        {
            return true;
        }
        self.mode == FederationMode::Allowlist && !self.is_allowed(authority)
    }

    /// Whether a rule covering `authority` lists it for allowlist mode.
    pub fn is_allowed(&self, authority: &str) -> bool {
        candidates(authority)
            .iter()
            .any(|d| self.rules.get(d.as_str()).is_some_and(|r| r.allowed))
    }

    /// Whether `authority` is limited: out of public listings, its follows held.
    pub fn is_limited(&self, authority: &str) -> bool {
        !self.is_own(authority)
            && self
                .rule_for(authority)
                .is_some_and(|r| r.severity == Severity::Limit)
    }

    /// Whether media (images, video, audio) from `authority` is left out.
    pub fn rejects_media(&self, authority: &str) -> bool {
        !self.is_own(authority) && self.rule_for(authority).is_some_and(|r| r.reject_media)
    }

    /// Whether reports (Flag) from `authority` are refused.
    pub fn rejects_reports(&self, authority: &str) -> bool {
        !self.is_own(authority) && self.rule_for(authority).is_some_and(|r| r.reject_reports)
    }

    /// The local communities whose moderators block `authority`.
    pub fn communities_blocking(&self, authority: &str) -> Vec<i64> {
        if self.community_blocks.is_empty() || self.is_own(authority) {
            return Vec::new();
        }
        let wanted = candidates(authority);
        self.community_blocks
            .iter()
            .filter(|(_, domains)| wanted.iter().any(|d| domains.contains(d.as_str())))
            .map(|(id, _)| *id)
            .collect()
    }

    /// Whether the local community `community_id` refuses `authority`: one of its blocked
    /// domains covers it (with the same matching as the instance's rules).
    pub fn community_blocks(&self, community_id: i64, authority: &str) -> bool {
        let Some(blocked) = self.community_blocks.get(&community_id) else {
            return false;
        };
        !self.is_own(authority)
            && candidates(authority)
                .iter()
                .any(|d| blocked.contains(d.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(domain: &str, severity: &str, allowed: bool) -> DomainPolicyRow {
        let now = crate::time::now();
        DomainPolicyRow {
            domain: domain.into(),
            severity: severity.into(),
            reject_media: false,
            reject_reports: false,
            allowed,
            public_comment: None,
            private_comment: None,
            obfuscate: false,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn a_block_covers_subdomains_and_every_port_and_the_most_specific_rule_wins() {
        let p = FederationPolicy::new(
            "cop.example",
            FederationMode::Blocklist,
            &[
                row("spam.example", "block", false),
                row("ok.spam.example", "limit", false),
                row("127.0.0.1:4001", "block", false),
            ],
            vec![],
        );
        assert!(p.is_blocked("spam.example"));
        assert!(p.is_blocked("a.b.spam.example:8443"));
        assert!(p.is_blocked("SPAM.example"));
        assert!(!p.is_blocked("ok.spam.example"));
        assert!(p.is_limited("x.ok.spam.example"));
        assert!(!p.is_blocked("notspam.example"));
        assert!(p.is_blocked("127.0.0.1:4001"));
        assert!(!p.is_blocked("127.0.0.1:4002"));
    }

    #[test]
    fn allowlist_mode_lets_only_listed_domains_and_never_blocks_itself() {
        let p = FederationPolicy::new(
            "127.0.0.1:4000",
            FederationMode::Allowlist,
            &[
                row("friend.example", "none", true),
                row("127.0.0.1", "none", true),
            ],
            vec![(7, "bad.example".into())],
        );
        assert!(!p.is_blocked("friend.example"));
        assert!(!p.is_blocked("social.friend.example"));
        assert!(p.is_blocked("stranger.example"));
        assert!(!p.is_blocked("127.0.0.1:4000"));
        assert!(!p.is_blocked("127.0.0.1:5000"));
        assert!(p.is_blocked(""));
        assert!(p.community_blocks(7, "www.bad.example"));
        assert!(!p.community_blocks(8, "www.bad.example"));
    }
}
