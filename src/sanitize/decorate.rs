//! The page's decoration of stored, sanitised HTML: what only the planet's own page adds
//! (`rel` on links, lazy images, keyboard-scrollable tables), never the merged feeds.
//!
//! In: HTML that `clean` wrote. Out: the same HTML with the page-only attributes (`String`).

use super::clean::builder;
use super::depth::{written_depth, MAX_DEPTH};
use super::fast;
use super::passes::keep_pre_newline;
use super::text::{strip_tags, text_to_html};

/// The page's extra safety and manners on already-clean HTML: links get
/// `rel="noopener noreferrer nofollow"`, images load lazily. The merged feeds carry the member's
/// markup without these page-only attributes.
pub fn decorate_for_page(clean: &str) -> String {
    if written_depth(clean) > MAX_DEPTH {
        // Stored by an earlier version without today's depth rule: parsing it again on every
        // render would cost what it cost at ingest.
        return text_to_html(&strip_tags(clean));
    }
    fast::decorate(clean).unwrap_or_else(|| decorate_full(clean))
}

/// [`decorate_for_page`] through the HTML parser and allowlist, for any stored HTML. Public for
/// the `sanitize` fuzz target, which checks that the fast path decorates identically.
#[doc(hidden)]
pub fn decorate_full(clean: &str) -> String {
    let mut b = builder(None);
    b.url_relative(ammonia::UrlRelative::PassThrough)
        .rm_generic_attributes(&["rel"])
        .link_rel(Some("noopener noreferrer nofollow"))
        .set_tag_attribute_value("img", "loading", "lazy")
        // A wide table scrolls sideways on a phone; keyboard users must be able to scroll it.
        .set_tag_attribute_value("table", "tabindex", "0");
    keep_pre_newline(b.clean(clean).to_string())
}

#[cfg(test)]
mod tests {
    use url::Url;

    use super::*;
    use crate::sanitize::clean_html;

    fn base() -> Url {
        Url::parse("https://blog.example/posts/feed.xml").unwrap()
    }

    #[test]
    fn links_and_images_are_made_safe_and_absolute() {
        let clean = clean_html(
            "<a href=\"../about\">me</a> <img src=\"pic.png\" alt=\"p\">",
            Some(&base()),
        );
        assert!(
            !clean.contains("rel=") && !clean.contains("loading="),
            "{clean}"
        );
        let out = decorate_for_page(&clean);
        assert!(out.contains("href=\"https://blog.example/about\""), "{out}");
        assert!(
            out.contains("rel=\"noopener noreferrer nofollow\""),
            "{out}"
        );
        assert!(
            out.contains("src=\"https://blog.example/posts/pic.png\""),
            "{out}"
        );
        assert!(out.contains("loading=\"lazy\""), "{out}");
        // A member's table can be scrolled from the keyboard; a tabindex from the feed cannot
        // reach the page any other way.
        let table = decorate_for_page(&clean_html(
            "<table tabindex=\"5\"><tr><td>1</td></tr></table><p tabindex=\"1\">x</p>",
            None,
        ));
        assert!(table.contains("<table tabindex=\"0\">"), "{table}");
        assert!(
            !table.contains("tabindex=\"1\"") && !table.contains("tabindex=\"5\""),
            "{table}"
        );
    }
}
