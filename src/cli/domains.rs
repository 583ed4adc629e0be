//! `copse admin block-domain` and the other federation policy commands. They call the same
//! functions as the admin API, acting as the instance actor in the moderation log.

use super::admin::AdminCommand;
use crate::app::App;
use crate::config::Config;
use crate::error::{Error, ErrorCode, Result};
use crate::federation::policy::manage::{self, RuleInput};
use crate::federation::policy::{FederationMode, Severity, blocklist_csv, imports};

/// Runs one of the federation policy commands.
pub async fn run(config: Config, command: AdminCommand) -> Result<()> {
    run_ours(config, &command).await
}

async fn run_ours(config: Config, command: &AdminCommand) -> Result<()> {
    // A file that cannot be read is reported before the database is touched.
    let csv = match command {
        AdminCommand::ImportBlocklist { file } => {
            Some(std::fs::read_to_string(file).map_err(|e| {
                Error::new(
                    ErrorCode::BlocklistInvalid,
                    format!("cannot read {}: {e}", file.display()),
                )
            })?)
        }
        _ => None,
    };
    let app = App::open(config).await?;
    let by = manage::instance_moderator(&app);
    match command {
        AdminCommand::BlockDomain {
            domain,
            reject_media,
            purge,
            comment,
        } => {
            let done = manage::set_rule(
                &app,
                by,
                domain,
                RuleInput {
                    severity: Some(Severity::Block),
                    reject_media: reject_media.then_some(true),
                    public_comment: comment.clone(),
                    purge: *purge,
                    ..RuleInput::default()
                },
            )
            .await?;
            println!(
                "blocked {}: {} follows and {} memberships dropped, {} deliveries cancelled{}",
                done.rule.domain,
                done.follows_dropped,
                done.memberships_dropped,
                done.deliveries_cancelled,
                if *purge {
                    format!(
                        ", {} posts and {} comments purged",
                        done.posts_purged, done.comments_purged
                    )
                } else {
                    String::new()
                }
            );
        }
        AdminCommand::UnblockDomain { domain } => {
            manage::unblock(&app, by, domain).await?;
            println!("{} is no longer blocked or limited", domain.trim());
        }
        AdminCommand::LimitDomain {
            domain,
            reject_media,
            comment,
        } => {
            let done = manage::set_rule(
                &app,
                by,
                domain,
                RuleInput {
                    severity: Some(Severity::Limit),
                    reject_media: reject_media.then_some(true),
                    public_comment: comment.clone(),
                    ..RuleInput::default()
                },
            )
            .await?;
            println!("limited {}", done.rule.domain);
        }
        AdminCommand::AllowDomain { domain, remove } => {
            if *remove {
                manage::disallow(&app, by, domain).await?;
                println!("{} is no longer on the allowlist", domain.trim());
            } else {
                let done = manage::set_rule(
                    &app,
                    by,
                    domain,
                    RuleInput {
                        allowed: Some(true),
                        ..RuleInput::default()
                    },
                )
                .await?;
                println!("allowed {}", done.rule.domain);
            }
        }
        AdminCommand::FederationMode { mode } => {
            let mode = FederationMode::parse(mode).ok_or_else(|| {
                Error::new(
                    ErrorCode::InvalidRequest,
                    "the mode is allowlist or blocklist",
                )
            })?;
            let allowed = manage::set_mode(&app, by, mode).await?;
            println!("federation mode: {}", mode.as_str());
            if mode == FederationMode::Allowlist && allowed == 0 {
                eprintln!(
                    "warning: no domain is allowed, so this server federates with nobody; add some with `copse admin allow-domain DOMAIN`"
                );
            }
        }
        AdminCommand::ListDomains => {
            let (mode, rules) = manage::list(&app).await?;
            println!("federation mode: {}", mode.as_str());
            if rules.is_empty() {
                println!("no domain rules");
            }
            for r in rules {
                let mut flags = vec![r.severity.clone()];
                for (on, name) in [
                    (r.reject_media, "reject-media"),
                    (r.reject_reports, "reject-reports"),
                    (r.allowed, "allowed"),
                    (r.obfuscate, "obfuscated"),
                ] {
                    if on {
                        flags.push(name.to_string());
                    }
                }
                match &r.public_comment {
                    Some(c) => println!("{}\t{}\t{c}", r.domain, flags.join(",")),
                    None => println!("{}\t{}", r.domain, flags.join(",")),
                }
            }
        }
        AdminCommand::ImportBlocklist { .. } => {
            let done = imports::apply_now(&app, csv.as_deref().unwrap_or_default()).await?;
            println!(
                "imported the blocklist: {} added, {} updated",
                done.added, done.updated
            );
        }
        AdminCommand::ExportBlocklist => {
            let (_, rules) = manage::list(&app).await?;
            print!("{}", blocklist_csv::render(&rules));
        }
        _ => {}
    }
    Ok(())
}
