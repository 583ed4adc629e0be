//! `copse admin …`: tasks for the people who run the server.

use std::path::PathBuf;

use clap::Subcommand;

use super::password::read_password;
use crate::accounts::{self, NewAccount};
use crate::app::App;
use crate::config::Config;
use crate::error::Result;

#[derive(Subcommand)]
pub enum AdminCommand {
    /// Create an active account, whatever the registration mode (the first admin comes from here)
    ///
    /// The password is read from COPSE_PASSWORD, from --password-file, or asked for.
    CreateUser {
        /// Username: 3-30 of a-z, 0-9 and _, starting with a letter
        name: String,
        /// Email address of the account
        #[arg(long)]
        email: String,
        /// Make the account an admin
        #[arg(long)]
        admin: bool,
        /// Read the password from the first line of this file
        #[arg(long, value_name = "FILE")]
        password_file: Option<PathBuf>,
    },
    /// Create a community owned by an existing user, who becomes its first moderator
    CreateCommunity {
        /// Community name (the `name` of !name@domain): same rules as usernames
        name: String,
        /// Username of the owner
        #[arg(long)]
        owner: String,
        /// Display title
        #[arg(long)]
        title: String,
        /// Description, in Markdown
        #[arg(long)]
        summary: Option<String>,
    },
    /// Block a domain (and its subdomains): nothing is received from, sent to or fetched from it
    ///
    /// Its actors' follows and memberships here are dropped, and deliveries queued for it
    /// are cancelled. See docs/federation-policy.md.
    BlockDomain {
        /// The domain, e.g. spam.example (a leading *. is dropped; host:port is allowed)
        domain: String,
        /// Also reject its media (kept in the rule should the block become a limit)
        #[arg(long)]
        reject_media: bool,
        /// Also delete its cached actors and everything they wrote here
        #[arg(long)]
        purge: bool,
        /// Public comment, shown on the list of moderated servers
        #[arg(long, value_name = "TEXT")]
        comment: Option<String>,
    },
    /// Lift a block or limit of a domain
    UnblockDomain { domain: String },
    /// Limit a domain: its posts stay out of public listings and its follows wait for approval
    LimitDomain {
        domain: String,
        /// Also reject its media
        #[arg(long)]
        reject_media: bool,
        /// Public comment, shown on the list of moderated servers
        #[arg(long, value_name = "TEXT")]
        comment: Option<String>,
    },
    /// List a domain for allowlist mode (or take it off with --remove)
    AllowDomain {
        domain: String,
        /// Take the domain off the allowlist
        #[arg(long)]
        remove: bool,
    },
    /// Federate with everyone not blocked (blocklist) or only with allowed domains (allowlist)
    FederationMode {
        #[arg(value_parser = ["allowlist", "blocklist"])]
        mode: String,
    },
    /// Print the federation mode and every domain's rule
    ListDomains,
    /// Import a blocklist in Mastodon's CSV format (a bad line imports nothing)
    ImportBlocklist {
        /// The CSV file
        file: PathBuf,
    },
    /// Print the blocklist in Mastodon's CSV format
    ExportBlocklist,
}

pub async fn run(config: Config, command: AdminCommand) -> Result<()> {
    match command {
        AdminCommand::CreateUser {
            name,
            email,
            admin,
            password_file,
        } => {
            let password = read_password(password_file.as_deref())?;
            let app = App::open(config).await?;
            let user = accounts::create_by_admin(
                &app.db,
                NewAccount {
                    username: name,
                    email,
                    password,
                    reason: None,
                },
                admin,
            )
            .await?;
            let role = if user.is_admin { "admin" } else { "user" };
            println!("created {role} '{}' (id {})", user.username, user.id);
            Ok(())
        }
        AdminCommand::CreateCommunity {
            name,
            owner,
            title,
            summary,
        } => {
            let app = App::open(config).await?;
            let lookup = owner.clone();
            let owner = app
                .db
                .run(move |c| Ok(crate::db::users::find_by_username(c, &lookup)?))
                .await?
                .ok_or_else(|| {
                    crate::Error::new(crate::ErrorCode::NotFound, format!("no user '{owner}'"))
                })?;
            let details = crate::communities::create(
                &app.db,
                &owner,
                crate::communities::NewCommunity {
                    name,
                    title,
                    summary,
                    language: None,
                },
            )
            .await?;
            println!(
                "created community '{}' ({}); moderator: {}",
                details.community.name,
                crate::federation::urls::Urls::new(&app.config).community(&details.community.name),
                owner.username
            );
            Ok(())
        }
        // The federation policy commands live beside their own helpers.
        domains => super::domains::run(config, domains).await,
    }
}
