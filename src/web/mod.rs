//! HTML pages. For now: the plain page a browser sees at an actor's address.

use axum::response::Html;

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The page a browser sees at the address of a deleted account.
pub fn gone_page(handle: &str) -> Html<String> {
    Html(format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Account deleted</title></head>\n<body><main><h1>Account deleted</h1>\
         <p>{handle} deleted their account. Its posts are gone and the name stays retired.</p>\
         </main></body></html>\n",
        handle = escape(handle),
    ))
}

/// A minimal profile page. `summary_html` must already be safe HTML.
pub fn profile_page(title: &str, handle: &str, summary_html: &str) -> Html<String> {
    Html(format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title></head>\n<body><main><h1>{title}</h1><p>{handle}</p>{summary_html}\
         <p><small>Follow from any fediverse account by searching for {handle}.</small></p></main></body></html>\n",
        title = escape(title),
        handle = escape(handle),
    ))
}
