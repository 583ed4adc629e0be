//! The `copse` command: serve, migrate, admin tasks.
//!
//! Failures print one line, `error: …`, naming what is wrong. Exit codes: 0 success,
//! 1 a runtime failure (database unreachable, port in use…), 2 an unusable configuration
//! or command line.

mod admin;
mod domains;
mod password;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::app::App;
use crate::config::Config;
use crate::error::{Error, ErrorKind, Result};
use crate::server::{Server, shutdown_signal};

#[derive(Parser)]
#[command(
    name = "copse",
    version,
    about = "copse: a federated server for communities of practice",
    long_about = "copse: a federated server for communities of practice, on ActivityPub.\n\n\
        Quick start: `copse serve` runs the server with SQLite in ./data (no setup), then\n\
        `copse admin create-user NAME --email E --admin` creates the first admin.\n\n\
        Configuration comes from copse.toml (or --config FILE) and COPSE_* environment\n\
        variables; see docs/configuration.md."
)]
struct Cli {
    /// Configuration file (default: copse.toml in the working directory, if present)
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (migrates the database first)
    Serve,
    /// Apply pending database migrations and exit
    Migrate,
    /// Administration tasks
    #[command(subcommand)]
    Admin(admin::AdminCommand),
    /// Exit 0 if the local server answers /healthz (for container health checks)
    Healthcheck {
        /// URL to check (default: http://<bind>/healthz)
        #[arg(long)]
        url: Option<String>,
    },
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", e.message());
            if let Some(cause) = e.cause() {
                tracing::debug!(cause = %cause, "cause");
            }
            ExitCode::from(match e.kind() {
                ErrorKind::Config | ErrorKind::Invalid => 2,
                _ => 1,
            })
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    let config = Config::load(cli.config.as_deref())?;
    init_logging(&config);
    crate::server::memory::limit_arenas();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Error::internal)?;
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Serve => serve(config).await,
            Command::Migrate => migrate(config).await,
            Command::Admin(cmd) => admin::run(config, cmd).await,
            Command::Healthcheck { url } => healthcheck(&config, url).await,
        }
    });
    // Dropping a runtime waits for every blocking task, such as a database statement a
    // cut-off request left running. Once serving has stopped nothing acknowledged is left
    // to write (an uncommitted transaction is rolled back by the database), so the
    // process exits promptly instead.
    runtime.shutdown_timeout(EXIT_WAIT);
    result
}

/// How long the process waits, after it has stopped, for leftover database work.
const EXIT_WAIT: std::time::Duration = std::time::Duration::from_millis(500);

fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colours only for a terminal: a log file or journal would keep the escape codes.
    use std::io::IsTerminal;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

async fn serve(config: Config) -> Result<()> {
    if config.dev {
        tracing::warn!(
            "COPSE_DEV is on: development federation (plain http, explicit ports, private addresses). Never use this on a public server."
        );
    }
    let app = App::open(config).await?;
    let server = Server::bind(app.clone()).await?;
    let addr = server.local_addr()?;
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        %addr,
        domain = %app.config.domain,
        database = %app.config.database_url,
        "copse is listening on http://{addr}"
    );
    let has_users = app
        .db
        .run(|c| Ok(crate::db::users::count_by_status(c)?))
        .await
        .map(|counts| !counts.is_empty())
        .unwrap_or(true);
    if !has_users {
        tracing::info!(
            "no accounts yet: create the first admin with `copse admin create-user NAME --email EMAIL --admin`"
        );
    }
    server.run(shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

async fn migrate(config: Config) -> Result<()> {
    crate::app::prepare_data_dir(&config)?;
    let db = crate::db::Database::connect(&config.database_url, 1).await?;
    let report = db.migrate().await?;
    let at = report.current.as_deref().unwrap_or("none");
    if report.applied.is_empty() {
        println!(
            "database {} is up to date (version {at})",
            config.database_url
        );
    } else {
        println!(
            "database {}: applied {} migration(s): {}; now at version {at}",
            config.database_url,
            report.applied.len(),
            report.applied.join(", ")
        );
    }
    Ok(())
}

async fn healthcheck(config: &Config, url: Option<String>) -> Result<()> {
    let url = url.unwrap_or_else(|| {
        let mut addr = config.bind;
        if addr.ip().is_unspecified() {
            addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        format!("http://{addr}/healthz")
    });
    let unhealthy = |why: String| {
        Error::new(
            crate::ErrorCode::DatabaseUnavailable,
            format!("{url}: {why}"),
        )
    };
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(5))
        .build()
        .map_err(Error::internal)?;
    let response = client
        .get(&url)
        .send()
        .await
        .map_err(|e| unhealthy(e.to_string()))?;
    if response.status().is_success() {
        println!("ok");
        Ok(())
    } else {
        Err(unhealthy(format!("answered {}", response.status())))
    }
}
