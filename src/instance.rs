//! The instance's own settings as its admins keep them: its name, what it is, its rules,
//! how to reach its admins, who may sign up, and whether the public moderation log names
//! moderators.
//!
//! The configuration file gives the starting values; what admins change from the settings
//! page is stored (`instance_settings`) and wins over the file from then on, without a
//! restart: the running server holds the current settings in memory and replaces them as a
//! whole when they change.

use std::sync::RwLock;

use crate::accounts::User;
use crate::app::App;
use crate::config::{Config, RegistrationMode};
use crate::db::{DbConnection, instance_settings};
use crate::error::{Error, ErrorCode, Result};

const NAME: &str = "instance.name";
const DESCRIPTION: &str = "instance.description";
const CONTACT: &str = "instance.contact";
const RULES: &str = "instance.rules";
const REGISTRATION: &str = "registration.mode";
const MODERATOR_NAMES: &str = "moderation.show_moderator_names";

pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_DESCRIPTION_CHARS: usize = 10_000;
pub const MAX_RULES: usize = 30;
pub const MAX_RULE_CHARS: usize = 1_000;

/// The settings in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Shown in every page's header; the domain when none was chosen.
    pub name: String,
    /// Markdown.
    pub description: Option<String>,
    pub contact: Option<String>,
    pub rules: Vec<String>,
    pub registration_mode: RegistrationMode,
    pub show_moderator_names: bool,
}

impl Settings {
    /// The configuration file's values.
    pub fn from_config(config: &Config) -> Settings {
        Settings {
            name: config.instance_name().to_string(),
            description: config.instance_description.clone(),
            contact: config.instance_contact.clone(),
            rules: Vec::new(),
            registration_mode: config.registration_mode,
            show_moderator_names: config.show_moderator_names,
        }
    }

    /// The file's values overlaid with those admins stored.
    pub fn load(c: &mut DbConnection, config: &Config) -> Result<Settings> {
        let mut s = Settings::from_config(config);
        if let Some(v) = instance_settings::get(c, NAME)? {
            s.name = v;
        }
        if let Some(v) = instance_settings::get(c, DESCRIPTION)? {
            s.description = Some(v).filter(|v| !v.is_empty());
        }
        if let Some(v) = instance_settings::get(c, CONTACT)? {
            s.contact = Some(v).filter(|v| !v.is_empty());
        }
        if let Some(v) = instance_settings::get(c, RULES)? {
            s.rules = serde_json::from_str(&v).map_err(Error::internal)?;
        }
        if let Some(v) = instance_settings::get(c, REGISTRATION)? {
            s.registration_mode = v.parse().map_err(Error::internal)?;
        }
        if let Some(v) = instance_settings::get(c, MODERATOR_NAMES)? {
            s.show_moderator_names = v == "true";
        }
        Ok(s)
    }
}

/// The settings held by a running server.
#[derive(Debug)]
pub struct Current(RwLock<Settings>);

impl Current {
    pub fn new(settings: Settings) -> Current {
        Current(RwLock::new(settings))
    }

    /// A copy of the settings in force.
    pub fn get(&self) -> Settings {
        match self.0.read() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn set(&self, settings: Settings) {
        match self.0.write() {
            Ok(mut s) => *s = settings,
            Err(poisoned) => *poisoned.into_inner() = settings,
        }
    }
}

/// An admin changes the settings: checked whole, stored together, in force at once.
pub async fn update(app: &App, admin: &User, new: Settings) -> Result<Settings> {
    if !admin.is_admin {
        return Err(Error::new(ErrorCode::Forbidden, "for the server's admins"));
    }
    let new = checked(new)?;
    let stored = new.clone();
    app.db
        .transaction(move |c| {
            instance_settings::set(c, NAME, &stored.name)?;
            instance_settings::set(c, DESCRIPTION, stored.description.as_deref().unwrap_or(""))?;
            instance_settings::set(c, CONTACT, stored.contact.as_deref().unwrap_or(""))?;
            let rules = serde_json::to_string(&stored.rules).map_err(Error::internal)?;
            instance_settings::set(c, RULES, &rules)?;
            instance_settings::set(c, REGISTRATION, stored.registration_mode.as_str())?;
            let names = if stored.show_moderator_names {
                "true"
            } else {
                "false"
            };
            instance_settings::set(c, MODERATOR_NAMES, names)?;
            Ok(())
        })
        .await?;
    app.settings.set(new.clone());
    Ok(new)
}

fn checked(mut s: Settings) -> Result<Settings> {
    let invalid = |m: String| Error::new(ErrorCode::InvalidRequest, m);
    s.name = s.name.trim().to_string();
    if s.name.is_empty() || s.name.chars().count() > MAX_NAME_CHARS {
        return Err(invalid(format!(
            "the name is 1 to {MAX_NAME_CHARS} characters"
        )));
    }
    s.description = s
        .description
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty());
    if s.description
        .as_ref()
        .is_some_and(|d| d.chars().count() > MAX_DESCRIPTION_CHARS)
    {
        return Err(invalid(format!(
            "the description is at most {MAX_DESCRIPTION_CHARS} characters"
        )));
    }
    s.contact = s
        .contact
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty());
    s.rules = s
        .rules
        .into_iter()
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect();
    if s.rules.len() > MAX_RULES || s.rules.iter().any(|r| r.chars().count() > MAX_RULE_CHARS) {
        return Err(invalid(format!(
            "at most {MAX_RULES} rules of at most {MAX_RULE_CHARS} characters each"
        )));
    }
    let text = [Some(&s.name), s.description.as_ref(), s.contact.as_ref()];
    if text
        .into_iter()
        .flatten()
        .chain(s.rules.iter())
        .any(|t| t.chars().any(|c| c.is_control() && c != '\n' && c != '\t'))
    {
        return Err(invalid("the settings hold control characters".into()));
    }
    Ok(s)
}
