//! Value types of the configuration and their parsers.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// Where the database lives; the backend is chosen by the URL's scheme.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite file, created if missing.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL.
    Postgres(String),
}

impl DatabaseUrl {
    /// Accepts `sqlite://PATH`, `sqlite:PATH`, `postgres://…` and `postgresql://…`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            url::Url::parse(s).map_err(|e| format!("is not a valid PostgreSQL URL: {e}"))?;
            return Ok(DatabaseUrl::Postgres(s.to_string()));
        }
        let path = s
            .strip_prefix("sqlite://")
            .or_else(|| s.strip_prefix("sqlite:"))
            .ok_or("must start with sqlite:// or postgres://")?;
        if path.is_empty() || path == ":memory:" {
            return Err(
                "sqlite:// needs a file path (an in-memory database would lose everything)".into(),
            );
        }
        Ok(DatabaseUrl::Sqlite(PathBuf::from(path)))
    }

    /// `sqlite` or `postgres`.
    pub fn backend_name(&self) -> &'static str {
        match self {
            DatabaseUrl::Sqlite(_) => "sqlite",
            DatabaseUrl::Postgres(_) => "postgres",
        }
    }
}

/// Shows the URL with any password replaced, so it can be logged.
impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseUrl::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            DatabaseUrl::Postgres(raw) => match url::Url::parse(raw) {
                Ok(mut url) => {
                    if url.password().is_some() {
                        let _ = url.set_password(Some("***"));
                    }
                    write!(f, "{url}")
                }
                Err(_) => f.write_str("postgres://(unparsable)"),
            },
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Who may create an account through the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationMode {
    /// Anyone may sign up and use the account at once.
    Open,
    /// Anyone may sign up; an admin approves before the account can log in.
    Approval,
    /// No sign-ups; admins create accounts with the CLI.
    Closed,
}

impl RegistrationMode {
    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationMode::Open => "open",
            RegistrationMode::Approval => "approval",
            RegistrationMode::Closed => "closed",
        }
    }
}

impl FromStr for RegistrationMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "open" => Ok(RegistrationMode::Open),
            "approval" => Ok(RegistrationMode::Approval),
            "closed" => Ok(RegistrationMode::Closed),
            other => Err(format!("'{other}' is not one of open, approval, closed")),
        }
    }
}

/// Checks a public host[:port] and returns it in lowercase.
pub(super) fn parse_domain(raw: &str) -> Result<String, String> {
    let domain = raw.trim().to_ascii_lowercase();
    if domain.is_empty() {
        return Err("must not be empty".into());
    }
    if domain.contains("://") {
        return Err(format!(
            "'{raw}' must be a host name without a scheme, such as cop.example.org"
        ));
    }
    if domain.contains(['/', '@', '?', '#', ' ']) {
        return Err(format!(
            "'{raw}' must be a host name with an optional port, such as cop.example.org or localhost:8080"
        ));
    }
    let url = url::Url::parse(&format!("http://{domain}/"))
        .map_err(|e| format!("'{raw}' is not a valid host[:port]: {e}"))?;
    let host = url.host_str().ok_or(format!("'{raw}' has no host"))?;
    let rebuilt = match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    };
    // The url crate normalizes (IDNA, default ports); an id must be written exactly once.
    if rebuilt != domain {
        return Err(format!(
            "'{raw}' is not in canonical form; write it as '{rebuilt}'"
        ));
    }
    Ok(domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_checked_and_lowercased() {
        assert_eq!(
            parse_domain("Cop.Example.org").as_deref(),
            Ok("cop.example.org")
        );
        assert_eq!(
            parse_domain("localhost:8080").as_deref(),
            Ok("localhost:8080")
        );
        assert!(parse_domain("https://cop.example.org").is_err());
        assert!(parse_domain("cop.example.org/path").is_err());
        assert!(parse_domain("").is_err());
        assert!(parse_domain("user@host").is_err());
        // Port 80 would be dropped by normalization, so ids would not match what was configured.
        assert!(parse_domain("cop.example.org:80").is_err());
    }

    #[test]
    fn database_urls_choose_the_backend() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/copse.db"),
            Ok(DatabaseUrl::Sqlite(PathBuf::from("data/copse.db")))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///var/lib/copse.db"),
            Ok(DatabaseUrl::Sqlite(PathBuf::from("/var/lib/copse.db")))
        );
        assert!(matches!(
            DatabaseUrl::parse("postgres://u:p@db/copse"),
            Ok(DatabaseUrl::Postgres(_))
        ));
        assert!(DatabaseUrl::parse("mysql://x").is_err());
        assert!(DatabaseUrl::parse("sqlite://:memory:").is_err());
    }

    #[test]
    fn database_url_display_hides_the_password() {
        let url = DatabaseUrl::Postgres("postgres://copse:secret@db:5432/copse".into());
        let shown = url.to_string();
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("db:5432"));
    }
}

/// Whether a domain (`host[:port]`) names this machine: `localhost` and its subdomains,
/// `127.0.0.0/8` and `[::1]`.
pub fn is_loopback_domain(domain: &str) -> bool {
    let host = if let Some(rest) = domain.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        domain.rsplit_once(':').map_or(domain, |(h, _)| h)
    };
    let host = host.to_ascii_lowercase();
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod loopback_tests {
    use super::is_loopback_domain;

    #[test]
    fn loopback_domains_are_recognised() {
        for d in [
            "localhost",
            "localhost:8080",
            "copse.localhost:3000",
            "127.0.0.1:8080",
            "127.1.2.3",
            "[::1]:8080",
        ] {
            assert!(is_loopback_domain(d), "{d}");
        }
        for d in [
            "cop.example.org",
            "localhost.example.org",
            "10.0.0.1:8080",
            "128.0.0.1",
            "example.org:8080",
        ] {
            assert!(!is_loopback_domain(d), "{d}");
        }
    }
}
