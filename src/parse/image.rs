//! The feed's own picture, for a member configured without a `face`: a JSON Feed author's
//! `avatar`, else the feed's logo (JSON Feed `icon`, Atom `logo`, RSS `image`), else its icon
//! (JSON Feed `favicon`, Atom `icon`). Only absolute http(s) URLs are kept (relative ones are
//! resolved against the document's URL first).
//!
//! In: feed-rs's [`Feed`], the document text and its URL. Out: the image's URL, or `None`.

use feed_rs::model::Feed;
use url::Url;

use crate::web_url::WebUrl;

/// The longest image URL kept (a data: URL or a tracking blob is not a face).
const MAX_URL_LEN: usize = 2048;

/// The feed's picture, by the order in the module's comment.
pub(super) fn feed_image(feed: &Feed, text: &str, base: &Url) -> Option<String> {
    let avatar = if text.trim_start().starts_with('{') {
        json_avatar(text)
    } else {
        None
    };
    avatar
        .into_iter()
        .chain(feed.logo.iter().map(|i| i.uri.clone()))
        .chain(feed.icon.iter().map(|i| i.uri.clone()))
        .find_map(|href| web(&href, base))
}

/// A JSON Feed's first author `avatar` (1.1 `authors`, else 1.0 `author`); feed-rs keeps none.
fn json_avatar(text: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Author {
        avatar: Option<String>,
    }
    #[derive(serde::Deserialize)]
    struct Top {
        #[serde(default)]
        authors: Vec<Author>,
        author: Option<Author>,
    }
    let top: Top = serde_json::from_str(text).ok()?;
    top.authors
        .into_iter()
        .chain(top.author)
        .find_map(|a| a.avatar)
}

/// `href` resolved against `base`, when it is an http(s) URL of reasonable length.
fn web(href: &str, base: &Url) -> Option<String> {
    let href = href.trim();
    if href.is_empty() || href.len() > MAX_URL_LEN {
        return None;
    }
    let url = base.join(href).ok().filter(WebUrl::is_web)?;
    Some(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::super::parse_feed;
    use chrono::Utc;
    use url::Url;

    fn image_of(doc: &str) -> Option<String> {
        let base = Url::parse("https://blog.example/feed").unwrap();
        parse_feed(doc.as_bytes(), &base, None, Utc::now())
            .unwrap()
            .image
    }

    #[test]
    fn each_format_gives_its_picture() {
        let cases = [
            (
                r#"{"version":"https://jsonfeed.org/version/1.1","title":"T","icon":"https://blog.example/icon.png",
                   "authors":[{"name":"A","avatar":"/me.png"}],"items":[]}"#,
                Some("https://blog.example/me.png"),
            ),
            (
                r#"{"version":"https://jsonfeed.org/version/1","title":"T","icon":"https://blog.example/icon.png","items":[]}"#,
                Some("https://blog.example/icon.png"),
            ),
            (
                r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><logo>logo.png</logo><icon>i.ico</icon></feed>"#,
                Some("https://blog.example/logo.png"),
            ),
            (
                r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><icon>i.ico</icon></feed>"#,
                Some("https://blog.example/i.ico"),
            ),
            (
                r#"<rss version="2.0"><channel><title>T</title><image><url>https://cdn.example/r.png</url><title>T</title><link>https://blog.example/</link></image></channel></rss>"#,
                Some("https://cdn.example/r.png"),
            ),
            (
                r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><logo>javascript:alert(1)</logo></feed>"#,
                None,
            ),
            (
                r#"<rss version="2.0"><channel><title>T</title></channel></rss>"#,
                None,
            ),
        ];
        for (doc, want) in cases {
            assert_eq!(image_of(doc).as_deref(), want, "{doc}");
        }
    }
}
