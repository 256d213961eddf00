//! Feed autodiscovery in an HTML page: the `<link rel="alternate">` elements that advertise
//! RSS, Atom or JSON feeds (the RSS Autodiscovery convention, HTML's `rel=alternate` + `type`).
//!
//! In: HTML text and the page's URL. Out: absolute http(s) feed URLs in page order, no repeats.
//! The page's `<link>` tags are read with the crate's tolerant tag reader (`markup`): a hint
//! for the member, never a security decision.

use url::Url;

use crate::markup;
use crate::web_url::WebUrl;

/// MIME types that name a feed.
const FEED_TYPES: &[&str] = &[
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
    "application/x.atom+xml",
    "text/xml",
];

/// The feeds a page advertises.
pub fn feed_links(html: &str, page: &Url) -> Vec<Url> {
    let mut found: Vec<Url> = Vec::new();
    for tag in markup::tags(html).filter(|t| !t.closing && t.is("link")) {
        let rel = tag
            .attribute("rel")
            .unwrap_or_default()
            .to_ascii_lowercase();
        let kind = tag
            .attribute("type")
            .unwrap_or_default()
            .to_ascii_lowercase();
        let is_feed = rel
            .split_whitespace()
            .any(|r| r == "alternate" || r == "feed")
            && FEED_TYPES.contains(&kind.split(';').next().unwrap_or("").trim());
        if !is_feed {
            continue;
        }
        let Some(href) = tag.attribute("href") else {
            continue;
        };
        let href = html_escape::decode_html_entities(href).trim().to_string();
        if let Ok(url) = page.join(&href) {
            if WebUrl::is_web(&url) && !found.contains(&url) {
                found.push(url);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_advertised_feeds() {
        let page = Url::parse("https://blog.example/about/").unwrap();
        let html = r#"<html><head>
            <link rel="stylesheet" href="/style.css">
            <LINK REL="alternate" TYPE="application/rss+xml" title="RSS" HREF="/feed/">
            <link rel='alternate' type='application/atom+xml' href='atom.xml'/>
            <link rel=alternate type=application/feed+json href=https://blog.example/feed.json>
            <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
            <link rel="alternate" hreflang="fr" href="/fr/">
            <link rel="alternate" type="application/rss+xml" href="/feed/">
            </head></html>"#;
        let found: Vec<String> = feed_links(html, &page)
            .iter()
            .map(|u| u.to_string())
            .collect();
        assert_eq!(
            found,
            [
                "https://blog.example/feed/",
                "https://blog.example/about/atom.xml",
                "https://blog.example/feed.json"
            ]
        );
    }

    #[test]
    fn page_without_feeds() {
        let page = Url::parse("https://blog.example/").unwrap();
        assert!(feed_links("<html><body>hi</body></html>", &page).is_empty());
    }
}
