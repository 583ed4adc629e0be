//! One file per page, each a thin handler: gather what the page shows from the domain,
//! fill its template, respond.

pub mod admin;
pub mod admin_federation;
pub mod admin_people;
pub mod admin_settings;
pub mod auth;
pub mod community;
pub mod feed;
pub mod feed_home;
pub mod home;
pub mod moderate;
pub mod moderate_access;
pub mod moderate_inline;
pub mod moderate_members;
pub mod moderate_more;
pub mod moderate_settings;
pub mod modlog;
pub mod notifications;
pub mod own;
pub mod person;
pub mod remote;
pub mod remote_person;
pub mod settings;
pub mod thread;
pub mod write;

/// How a time reads on a page: `2026-12-05 14:30 UTC` from an RFC 3339 timestamp.
pub fn when(rfc3339: &str) -> String {
    match (rfc3339.get(..10), rfc3339.get(11..16)) {
        (Some(day), Some(time)) => format!("{day} {time} UTC"),
        _ => rfc3339.to_string(),
    }
}

/// A local path to return to after a form, never another site: `//host` and `/\host`
/// would leave this server.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

/// A redirect after a successful form (303: the browser then GETs the page).
pub fn see_other(to: &str) -> axum::response::Response {
    use axum::response::IntoResponse;
    axum::response::Redirect::to(to).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_return_address_stays_on_this_server() {
        assert_eq!(
            safe_next(Some("/c/nursing?sort=top")),
            "/c/nursing?sort=top"
        );
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("/\\evil.example/")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn times_read_as_day_and_minute() {
        assert_eq!(when("2026-12-05T14:30:12.123Z"), "2026-12-05 14:30 UTC");
        assert_eq!(when("soon"), "soon");
    }
}
