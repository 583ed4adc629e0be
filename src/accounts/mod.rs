//! Local accounts: who may sign up, how passwords are kept, and login sessions.
//!
//! Nothing here knows about HTTP: the API and the CLI both call these functions.

mod deletion;
mod erase;
mod export;
mod model;
mod notify;
mod password;
mod profile;
mod registration;
mod sessions;
mod settings;
mod validate;

pub use deletion::delete_account;
pub(crate) use erase::erase_footprint;
pub use export::{EXPORT_FORMAT, export};
pub use model::{AccountStatus, Session, User};
pub use notify::notify;
pub use password::{hash_password, verify_password};
pub use profile::{MAX_BIO_CHARS, MAX_DISPLAY_NAME_CHARS, Profile, update_profile};
pub use registration::{
    NewAccount, Registered, approve, create_by_admin, list_by_status, register, reject,
};
pub use sessions::{LoggedIn, authenticate, login, logout};
pub use settings::{change_password, revoke_session, sessions_of, set_language};
pub use validate::{
    MAX_PASSWORD_CHARS, MAX_USERNAME_CHARS, MIN_PASSWORD_CHARS, MIN_USERNAME_CHARS,
    RESERVED_USERNAMES, normalize_email, validate_actor_name, validate_password, validate_username,
};
