//! Text that people write and other servers send: Markdown rendered to HTML, and any HTML
//! cleaned before it is stored or shown.
//!
//! Everything displayed as HTML passes through [`sanitize`], whether copse rendered it from
//! a member's Markdown or received it from another server: only formatting tags survive,
//! links keep http(s) and mailto targets only, and every script, style, event handler and
//! `javascript:` URL is dropped. The Markdown itself is kept as the `source` of the object,
//! as Lemmy does, so edits start from what the author wrote.

pub mod control;
mod media;

use std::collections::HashSet;

pub use media::{is_media_link, without_media};
use pulldown_cmark::{Options, Parser, html};

/// Renders Markdown (CommonMark with tables, strikethrough and autolinks) to safe HTML.
/// Raw HTML inside the Markdown goes through the same sanitizer.
pub fn render_markdown(markdown: &str) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let parser = Parser::new_ext(markdown, options);
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, parser);
    sanitize(&out)
}

/// Keeps the formatting of `html` and drops everything that could run or track.
pub fn sanitize(html: &str) -> String {
    let tags: HashSet<&str> = [
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "code",
        "del",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "span",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    ]
    .into_iter()
    .collect();
    let schemes: HashSet<&str> = ["http", "https", "mailto"].into_iter().collect();
    ammonia::Builder::default()
        .tags(tags)
        .url_schemes(schemes)
        .link_rel(Some("nofollow noopener noreferrer"))
        .add_tag_attributes("a", ["href", "title"])
        .add_tag_attributes("img", ["src", "alt", "title"])
        .add_tag_attributes("abbr", ["title"])
        .add_tag_attributes("ol", ["start"])
        // Mentions and hashtags from Mastodon carry these classes; nothing else is kept.
        .allowed_classes(
            [
                ("a", ["mention", "hashtag", "u-url", "url"].as_slice()),
                ("span", ["h-card", "invisible", "ellipsis"].as_slice()),
            ]
            .into_iter()
            .map(|(tag, classes)| (tag, classes.iter().copied().collect()))
            .collect(),
        )
        .clean(html)
        .to_string()
}

/// The text of `html` without tags, for titles made from a toot's first line.
pub fn plain_text(html: &str) -> String {
    let cleaned = ammonia::Builder::empty()
        .clean(
            &html
                .replace("</p>", "</p>\n")
                .replace("<br>", "\n")
                .replace("<br/>", "\n")
                .replace("<br />", "\n"),
        )
        .to_string();
    cleaned
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_html() {
        let html = render_markdown("# Shift handover\n\n**SBAR** works: see <https://example.org>");
        assert!(html.contains("<h1>Shift handover</h1>"), "{html}");
        assert!(html.contains("<strong>SBAR</strong>"), "{html}");
        assert!(html.contains("href=\"https://example.org\""), "{html}");
        assert!(
            html.contains("rel=\"nofollow noopener noreferrer\""),
            "{html}"
        );
    }

    #[test]
    fn scripts_handlers_and_dangerous_urls_are_removed() {
        for hostile in [
            "<script>alert(1)</script>ok",
            "<img src=x onerror=alert(1)>ok",
            "<a href=\"javascript:alert(1)\">ok</a>",
            "<p style=\"position:fixed\" onclick=\"x()\">ok</p>",
            "<iframe src=\"https://evil.example\"></iframe>ok",
            "[ok](javascript:alert(1))",
            "<svg onload=alert(1)>ok</svg>",
        ] {
            let html = render_markdown(hostile);
            for bad in [
                "<script",
                "onerror",
                "javascript:",
                "onclick",
                "style=",
                "<iframe",
                "onload",
                "<svg",
            ] {
                assert!(!html.contains(bad), "{hostile} → {html}");
            }
            assert!(html.contains("ok"), "{hostile} → {html}");
        }
    }

    #[test]
    fn mastodon_mentions_keep_their_classes_and_other_classes_go() {
        let html = sanitize(
            "<p><span class=\"h-card\"><a href=\"https://m.example/@ana\" class=\"u-url mention\">@<span>ana</span></a></span> <b class=\"evil\">hi</b></p>",
        );
        assert!(html.contains("class=\"h-card\""), "{html}");
        assert!(html.contains("u-url mention"), "{html}");
        assert!(!html.contains("evil"), "{html}");
    }

    #[test]
    fn plain_text_strips_tags_and_keeps_lines() {
        assert_eq!(
            plain_text("<p>First &amp; line</p><p>second</p>").trim(),
            "First & line\nsecond"
        );
    }
}
