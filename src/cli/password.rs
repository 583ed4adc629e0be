//! Where a new account's password comes from: `COPSE_PASSWORD`, a file, or a prompt.
//! Never a command-line argument, which other users of the machine could read.

use std::io::IsTerminal;
use std::path::Path;

use crate::error::{Error, ErrorCode, Result};

pub fn read_password(file: Option<&Path>) -> Result<String> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::new(
                ErrorCode::InvalidRequest,
                format!("cannot read the password file {}: {e}", path.display()),
            )
        })?;
        return Ok(text.lines().next().unwrap_or_default().to_string());
    }
    if let Ok(password) = std::env::var("COPSE_PASSWORD") {
        return Ok(password);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Error::new(
            ErrorCode::InvalidRequest,
            "no password given: set COPSE_PASSWORD, use --password-file FILE, or run in a terminal to be asked",
        ));
    }
    let first = rpassword::prompt_password("Password: ").map_err(Error::internal)?;
    let second = rpassword::prompt_password("Repeat password: ").map_err(Error::internal)?;
    if first != second {
        return Err(Error::new(
            ErrorCode::InvalidRequest,
            "the two passwords differ",
        ));
    }
    Ok(first)
}
