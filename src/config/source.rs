//! Reading raw values from the file and the environment, remembering where each came from
//! so that an error names the key the way the operator wrote it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::config_error;
use super::keys::{self, KEYS};
use crate::error::{Error, Result};

enum Value {
    File(toml::Value),
    Env(String),
}

/// Values gathered from a file and the environment, not yet validated.
pub(super) struct RawConfig {
    values: HashMap<&'static str, Value>,
    file: Option<PathBuf>,
}

impl RawConfig {
    pub(super) fn read(file: Option<&Path>, env: &dyn Fn(&str) -> Option<String>) -> Result<Self> {
        let mut values = HashMap::new();
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).map_err(|e| {
                config_error(format!("cannot read config file {}: {e}", path.display()))
            })?;
            let table: toml::Table = toml::from_str(&text).map_err(|e| {
                // Where: the line of the error's first byte, counted from 1.
                let line = e
                    .span()
                    .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
                let at = line.map(|l| format!(" (line {l})")).unwrap_or_default();
                config_error(format!(
                    "config file {}{at} is not valid TOML: {}",
                    path.display(),
                    e.message()
                ))
            })?;
            flatten(path, "", &table, &mut values)?;
        }
        for def in KEYS {
            if let Some(value) = env(def.env) {
                values.insert(def.key, Value::Env(value));
            }
        }
        Ok(RawConfig {
            values,
            file: file.map(Path::to_path_buf),
        })
    }

    /// How the operator wrote this key: its environment variable or its place in the file.
    fn origin(&self, key: &str) -> String {
        let def = keys::find(key);
        match (self.values.get(key), def) {
            (Some(Value::Env(_)), Some(def)) => def.env.to_string(),
            (Some(Value::File(_)), _) => match &self.file {
                Some(path) => format!("{key} (in {})", path.display()),
                None => key.to_string(),
            },
            _ => key.to_string(),
        }
    }

    /// An error that names the key and says what is wrong with its value.
    pub(super) fn invalid(&self, key: &str, problem: &str) -> Error {
        config_error(format!("{}: {problem}", self.origin(key)))
    }

    fn default_of(key: &str) -> Option<&'static str> {
        keys::find(key).and_then(|d| d.default)
    }

    pub(super) fn optional_string(&self, key: &str) -> Result<Option<String>> {
        match self.values.get(key) {
            Some(Value::Env(s)) => Ok(Some(s.clone())),
            Some(Value::File(toml::Value::String(s))) => Ok(Some(s.clone())),
            Some(Value::File(_)) => Err(self.invalid(key, "must be a string")),
            None => Ok(Self::default_of(key).map(str::to_string)),
        }
    }

    pub(super) fn string(&self, key: &str) -> Result<String> {
        self.optional_string(key)?
            .ok_or_else(|| self.invalid(key, "is required"))
    }

    pub(super) fn boolean(&self, key: &str) -> Result<bool> {
        match self.values.get(key) {
            Some(Value::File(toml::Value::Boolean(b))) => Ok(*b),
            Some(Value::File(_)) => Err(self.invalid(key, "must be true or false")),
            Some(Value::Env(s)) => parse_bool(s).ok_or_else(|| {
                self.invalid(key, &format!("'{s}' is not a boolean (use true or false)"))
            }),
            None => Ok(Self::default_of(key).and_then(parse_bool).unwrap_or(false)),
        }
    }

    pub(super) fn integer(&self, key: &str, min: u64, max: u64) -> Result<u64> {
        let value = match self.values.get(key) {
            Some(Value::File(toml::Value::Integer(i))) => u64::try_from(*i).ok(),
            Some(Value::File(_)) => None,
            Some(Value::Env(s)) => s.trim().parse::<u64>().ok(),
            None => Self::default_of(key).and_then(|d| d.parse().ok()),
        };
        match value {
            Some(v) if (min..=max).contains(&v) => Ok(v),
            _ => Err(self.invalid(key, &format!("must be a whole number from {min} to {max}"))),
        }
    }
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" | "" => Some(false),
        _ => None,
    }
}

/// Turns nested tables into dotted keys, refusing any key copse does not know.
fn flatten(
    path: &Path,
    prefix: &str,
    table: &toml::Table,
    out: &mut HashMap<&'static str, Value>,
) -> Result<()> {
    for (name, value) in table {
        let key = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        if let toml::Value::Table(inner) = value {
            let is_section = KEYS.iter().any(|k| k.key.starts_with(&format!("{key}.")));
            if is_section {
                flatten(path, &key, inner, out)?;
                continue;
            }
        }
        match keys::find(&key) {
            Some(def) => {
                out.insert(def.key, Value::File(value.clone()));
            }
            None => {
                return Err(config_error(format!(
                    "{key} (in {}): unknown configuration key (see docs/configuration.md)",
                    path.display()
                )));
            }
        }
    }
    Ok(())
}
