//! The page's decoration of stored, sanitised HTML: what only the planet's own page adds
//! (`rel` on links, lazy images, keyboard-scrollable tables), never the merged feeds.
//!
//! In: HTML that `clean` wrote. Out: the same HTML with the page-only attributes (`String`).

use super::clean::builder;
use super::depth::{written_depth, MAX_DEPTH};
use super::fast;
use super::passes::keep_pre_newline;
use super::policy::{PAGE_ATTRIBUTES, PAGE_LINK_REL};
use super::text::{strip_tags, text_to_html};
use crate::markup;

/// The page's extra safety and manners on already-clean HTML: links get
/// `rel="noopener noreferrer nofollow"`, images load lazily. The merged feeds carry the member's
/// markup without these page-only attributes.
pub fn decorate_for_page(clean: &str) -> String {
    if written_depth(clean) > MAX_DEPTH {
        // Stored by an earlier version without today's depth rule: parsing it again on every
        // render would cost what it cost at ingest.
        return text_to_html(&strip_tags(clean));
    }
    fast_path(clean).unwrap_or_else(|| decorate_full(clean))
}

/// [`decorate_for_page`] through the HTML parser and allowlist, for any stored HTML. Public for
/// the `sanitize` fuzz target, which checks that the fast path decorates identically.
#[doc(hidden)]
pub fn decorate_full(clean: &str) -> String {
    let mut b = builder(None);
    b.url_relative(ammonia::UrlRelative::PassThrough)
        .rm_generic_attributes(&["rel"])
        .link_rel(Some(PAGE_LINK_REL));
    for (tag, attribute, value) in PAGE_ATTRIBUTES {
        b.set_tag_attribute_value(*tag, *attribute, *value);
    }
    keep_pre_newline(b.clean(clean).to_string())
}

/// [`decorate_for_page`] without a parser, for stored HTML of the fast path's shape (it reads
/// back as itself): links get the page's `rel`, images load lazily. `None` otherwise.
pub(super) fn fast_path(html: &str) -> Option<String> {
    if fast::clean(html, None).as_deref() != Some(html) {
        return None;
    }
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let mut copied = 0;
    for tag in markup::tags(html).filter(|t| !t.closing) {
        if tag.cut_off {
            return None;
        }
        // Before the `>`: the fast path writes no `/>`.
        let gt = tag.end - 1;
        out.push_str(&html[copied..gt]);
        page_attributes(tag.name, &mut out);
        copied = gt;
    }
    out.push_str(&html[copied..]);
    Some(out)
}

/// Appends the attributes the page adds to a start tag of element `name` (as the full path's
/// ammonia settings add them: after the element's own).
fn page_attributes(name: &str, out: &mut String) {
    if name == "a" {
        out.push_str(" rel=\"");
        out.push_str(PAGE_LINK_REL);
        out.push('"');
    }
    for (tag, attribute, value) in PAGE_ATTRIBUTES {
        if *tag == name {
            out.push(' ');
            out.push_str(attribute);
            out.push_str("=\"");
            out.push_str(value);
            out.push('"');
        }
    }
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
