//! The one error type of copse.
//!
//! Every failure carries a stable [`ErrorCode`] that clients may match on (it appears in
//! the API's `{"error":{"code":…}}` body and never changes meaning), a message meant for
//! people, and optionally the underlying cause, which is logged but never shown to clients.
//! The HTTP status for each code is chosen in `api::error`, so the domain stays free of HTTP.

use std::fmt;

/// The broad class of a failure; decides the HTTP status and the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The request or input is malformed or breaks a rule.
    Invalid,
    /// No valid credentials were presented.
    Unauthenticated,
    /// Credentials are valid but do not allow this.
    Forbidden,
    /// The thing asked for does not exist (or is not visible to the caller).
    NotFound,
    /// The request conflicts with existing state (a taken name, say).
    Conflict,
    /// The request body is larger than allowed.
    TooLarge,
    /// The request took longer than allowed.
    Timeout,
    /// Too many requests from this client; retrying after a while works.
    RateLimited,
    /// A dependency (the database) is unreachable right now; retrying later may work.
    Unavailable,
    /// The configuration is unusable; fixed by editing it.
    Config,
    /// A bug or an unexpected failure.
    Internal,
}

macro_rules! error_codes {
    ($($variant:ident => $code:literal, $kind:ident;)*) => {
        /// Stable machine-readable error codes. Documented in `docs/api.md`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ErrorCode { $($variant),* }

        impl ErrorCode {
            /// The wire form of the code, e.g. `username_taken`.
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code),* }
            }

            /// The class of failure this code belongs to.
            pub fn kind(self) -> ErrorKind {
                match self { $(ErrorCode::$variant => ErrorKind::$kind),* }
            }

            /// Every code, for documentation tests.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),*];
        }
    };
}

error_codes! {
    InvalidJson => "invalid_json", Invalid;
    InvalidRequest => "invalid_request", Invalid;
    UnsupportedMediaType => "unsupported_media_type", Invalid;
    UsernameInvalid => "username_invalid", Invalid;
    UsernameReserved => "username_reserved", Invalid;
    CommunityNameInvalid => "community_name_invalid", Invalid;
    CommunityNameReserved => "community_name_reserved", Invalid;
    CommunityTitleInvalid => "community_title_invalid", Invalid;
    CommunitySummaryTooLong => "community_summary_too_long", Invalid;
    EmailInvalid => "email_invalid", Invalid;
    PasswordTooShort => "password_too_short", Invalid;
    PasswordTooLong => "password_too_long", Invalid;
    ReasonTooLong => "reason_too_long", Invalid;
    ProfileInvalid => "profile_invalid", Invalid;
    Unauthenticated => "unauthenticated", Unauthenticated;
    InvalidCredentials => "invalid_credentials", Unauthenticated;
    SignatureMissing => "signature_missing", Unauthenticated;
    SignatureMalformed => "signature_malformed", Unauthenticated;
    SignatureInvalid => "signature_invalid", Unauthenticated;
    DigestMismatch => "digest_mismatch", Unauthenticated;
    DateOutOfRange => "date_out_of_range", Unauthenticated;
    AccountPending => "account_pending", Forbidden;
    Forbidden => "forbidden", Forbidden;
    RegistrationsClosed => "registrations_closed", Forbidden;
    FormExpired => "form_expired", Forbidden;
    NotFound => "not_found", NotFound;
    MethodNotAllowed => "method_not_allowed", Invalid;
    UsernameTaken => "username_taken", Conflict;
    CommunityNameTaken => "community_name_taken", Conflict;
    EmailTaken => "email_taken", Conflict;
    AccountNotPending => "account_not_pending", Conflict;
    PayloadTooLarge => "payload_too_large", TooLarge;
    RequestTimeout => "request_timeout", Timeout;
    DatabaseUnavailable => "database_unavailable", Unavailable;
    DatabaseBusy => "database_busy", Unavailable;
    ListenFailed => "listen_failed", Unavailable;
    SchemaTooNew => "schema_too_new", Config;
    DatabaseUnsupported => "database_unsupported", Config;
    ConfigInvalid => "config_invalid", Config;
    FetchRefused => "fetch_refused", Forbidden;
    FetchNotFound => "fetch_not_found", NotFound;
    FetchGone => "fetch_gone", NotFound;
    FetchFailed => "fetch_failed", Unavailable;
    FetchTooLarge => "fetch_too_large", TooLarge;
    FetchNotJson => "fetch_not_json", Invalid;
    ActivityInvalid => "activity_invalid", Invalid;
    ActivityOriginMismatch => "activity_origin_mismatch", Forbidden;
    PrivateMessageRefused => "private_message_refused", Invalid;
    SignerNotActor => "signer_not_actor", Forbidden;
    SignerUnknown => "signer_unknown", Unauthenticated;
    RemoteActorInvalid => "remote_actor_invalid", Invalid;
    HandleInvalid => "handle_invalid", Invalid;
    CannotFollowSelf => "cannot_follow_self", Invalid;
    PostTitleInvalid => "post_title_invalid", Invalid;
    PostBodyTooLong => "post_body_too_long", Invalid;
    PostUrlInvalid => "post_url_invalid", Invalid;
    CommentBodyInvalid => "comment_body_invalid", Invalid;
    MessageInvalid => "message_invalid", Invalid;
    NotACommunity => "not_a_community", Invalid;
    PostLocked => "post_locked", Forbidden;
    VoteInvalid => "vote_invalid", Invalid;
    CommunitySettingsInvalid => "community_settings_invalid", Invalid;
    RulesNotAccepted => "rules_not_accepted", Invalid;
    AnswersRequired => "answers_required", Invalid;
    AnswerInvalid => "answer_invalid", Invalid;
    AlreadyMember => "already_member", Conflict;
    ConcurrentChange => "concurrent_change", Conflict;
    ApplicationPending => "application_pending", Conflict;
    ApplicationNotPending => "application_not_pending", Conflict;
    NotAMember => "not_a_member", Conflict;
    OwnerCannotLeave => "owner_cannot_leave", Conflict;
    InviteRequired => "invite_required", Forbidden;
    InviteInvalid => "invite_invalid", Forbidden;
    InviteExpired => "invite_expired", Forbidden;
    PostingNotAllowed => "posting_not_allowed", Forbidden;
    VerificationRequired => "verification_required", Forbidden;
    SpaceInvalid => "space_invalid", Invalid;
    CredentialInvalid => "credential_invalid", Invalid;
    NotAModerator => "not_a_moderator", Forbidden;
    Banned => "banned", Forbidden;
    AccountSuspended => "account_suspended", Forbidden;
    ReportInvalid => "report_invalid", Invalid;
    ReportNotOpen => "report_not_open", Conflict;
    DomainInvalid => "domain_invalid", Invalid;
    DomainBlocked => "domain_blocked", Forbidden;
    BlocklistInvalid => "blocklist_invalid", Invalid;
    RateLimited => "rate_limited", RateLimited;
    Internal => "internal", Internal;
}

/// A failure with a stable code, a human message and an optional cause for the logs.
pub struct Error {
    code: ErrorCode,
    message: String,
    cause: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    /// For `rate_limited`: whole seconds until a retry may succeed (`Retry-After`).
    retry_after: Option<u64>,
}

/// Shorthand used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A failure whose message is safe to show to the client.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
            cause: None,
            retry_after: None,
        }
    }

    /// An unexpected failure: the cause is logged, the client sees a generic message.
    pub fn internal(cause: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>) -> Self {
        Error {
            code: ErrorCode::Internal,
            message: "internal error".into(),
            cause: Some(cause.into()),
            retry_after: None,
        }
    }

    /// Attach the underlying cause, kept for the logs.
    pub fn with_cause(
        mut self,
        cause: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        self.cause = Some(cause.into());
        self
    }

    /// Says when the client may retry (sent as `Retry-After`, in whole seconds).
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// Whole seconds until a retry may succeed, when the error says so.
    pub fn retry_after(&self) -> Option<u64> {
        self.retry_after
    }

    /// Whether this failed because a concurrent transaction wrote the same row first (a
    /// unique violation or a serialization failure): done again, the work sees that row.
    pub fn is_write_race(&self) -> bool {
        use diesel::result::{DatabaseErrorKind, Error as D};
        matches!(
            self.cause.as_deref().and_then(|c| c.downcast_ref::<D>()),
            Some(D::DatabaseError(
                DatabaseErrorKind::UniqueViolation | DatabaseErrorKind::SerializationFailure,
                _
            ))
        )
    }

    pub fn code(&self) -> ErrorCode {
        self.code
    }

    pub fn kind(&self) -> ErrorKind {
        self.code.kind()
    }

    /// The message meant for the client or the operator.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The underlying cause, if any (for logs only).
    pub fn cause(&self) -> Option<&(dyn std::error::Error + Send + Sync + 'static)> {
        self.cause.as_deref()
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Error");
        s.field("code", &self.code.as_str())
            .field("message", &self.message);
        if let Some(cause) = &self.cause {
            s.field("cause", &cause.to_string());
        }
        s.finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(cause) = &self.cause {
            write!(f, ": {cause}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause
            .as_deref()
            .map(|c| c as &(dyn std::error::Error + 'static))
    }
}

impl From<diesel::result::Error> for Error {
    fn from(err: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error as D};
        match &err {
            D::NotFound => Error::new(ErrorCode::NotFound, "not found"),
            D::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => Error::new(
                ErrorCode::DatabaseUnavailable,
                "the database is unavailable",
            )
            .with_cause(err),
            // Two identical requests at the same moment: the first wrote the row, the second
            // is told so rather than met with a server error. Its cause is kept, so a caller
            // that retries lost races (the inbox) still recognizes one.
            D::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => Error::new(
                ErrorCode::ConcurrentChange,
                "the same change was being made at the same moment; it was made once",
            )
            .with_cause(err),
            D::DatabaseError(_, info) if is_busy(info.message()) => busy().with_cause(err),
            _ => Error::internal(err),
        }
    }
}

/// The answer when another writer held the database longer than a request may wait: the
/// change was not made, and trying again shortly will most likely succeed.
pub fn busy() -> Error {
    Error::new(
        ErrorCode::DatabaseBusy,
        "the server is busy with other changes; nothing was changed, try again shortly",
    )
    .with_retry_after(BUSY_RETRY_AFTER_SECONDS)
}

const BUSY_RETRY_AFTER_SECONDS: u64 = 2;

/// SQLite's "database is locked" after its busy timeout, and PostgreSQL's statement or
/// lock timeout (see `db::pool`): a wait that ran out, not a fault.
fn is_busy(message: &str) -> bool {
    message.contains("database is locked")
        || message.contains("database table is locked")
        || message.contains("database is busy")
        || message.contains("canceling statement due to lock timeout")
        || message.contains("canceling statement due to statement timeout")
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::result::{DatabaseErrorKind, Error as D};

    fn database(kind: DatabaseErrorKind) -> Error {
        Error::from(D::DatabaseError(
            kind,
            Box::new("duplicate key".to_string()),
        ))
    }

    #[test]
    fn only_a_lost_race_between_writers_is_worth_a_second_try() {
        assert!(database(DatabaseErrorKind::UniqueViolation).is_write_race());
        assert!(database(DatabaseErrorKind::SerializationFailure).is_write_race());
        assert!(!database(DatabaseErrorKind::ForeignKeyViolation).is_write_race());
        assert!(!Error::from(D::NotFound).is_write_race());
        assert!(!Error::new(ErrorCode::UsernameTaken, "taken").is_write_race());
    }
}
