//! Media left out of content from servers whose media the admins reject.
//!
//! The sanitizer already drops `<video>`, `<audio>` and every embed; an image is the one
//! medium it keeps, so that is what goes here, together with links that point straight at
//! a picture, a film or a sound (a Lemmy image post's link, say). The text stays.

/// `html` (already sanitized) without images, video or audio.
pub fn without_media(html: &str) -> String {
    ammonia::Builder::default()
        .rm_tags(["img"])
        .link_rel(Some("nofollow noopener noreferrer"))
        .add_tag_attributes("ol", ["start"])
        .add_allowed_classes("a", ["mention", "hashtag", "u-url", "url"])
        .add_allowed_classes("span", ["h-card", "invisible", "ellipsis"])
        .clean(html)
        .to_string()
}

/// Whether a link's target is a medium rather than a page: by the `mediaType` its
/// attachment declares, or else by the file's extension.
pub fn is_media_link(url: &str, media_type: Option<&str>) -> bool {
    if let Some(t) = media_type {
        let t = t.to_ascii_lowercase();
        return t.starts_with("image/") || t.starts_with("video/") || t.starts_with("audio/");
    }
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    [
        ".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".svg", ".heic", ".mp4", ".webm",
        ".mov", ".mp3", ".ogg", ".opus", ".wav", ".flac", ".m4a",
    ]
    .iter()
    .any(|ext| path.ends_with(ext))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_go_and_the_text_stays() {
        let html = r#"<p>Look <img src="https://x.example/a.png" alt="a chart"> here <a href="https://x.example/p">link</a></p>"#;
        let out = without_media(html);
        assert!(!out.contains("<img"), "{out}");
        assert!(out.contains("Look"), "{out}");
        assert!(out.contains("<a href=\"https://x.example/p\""), "{out}");
    }

    #[test]
    fn media_links_are_recognised() {
        assert!(is_media_link("https://x.example/pic.JPG?w=3", None));
        assert!(is_media_link("https://x.example/v", Some("video/mp4")));
        assert!(!is_media_link("https://x.example/article", None));
        assert!(!is_media_link("https://x.example/a.png", Some("text/html")));
    }
}
