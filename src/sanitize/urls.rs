//! URLs in content: relative links made absolute against the feed's base, written as IRIs,
//! and only web schemes kept where a URL is resolved by hand (`cite`, `srcset`, the ammonia
//! hook for relative links).
//!
//! In: a URL as the feed wrote it and the base `Url`. Out: the absolute URL (`String`), or
//! `None` when it is not one the page may link to.

use std::borrow::Cow;

use url::Url;

use super::policy::web_scheme;
use super::text::is_bidi_control;

/// An absolute http(s) URL, resolved against `base` when relative.
pub(super) fn web_url(value: &str, base: Option<&Url>) -> Option<String> {
    let value = value.trim();
    let url = match base {
        Some(b) => b.join(value).ok()?,
        None => Url::parse(value).ok()?,
    };
    web_scheme(url.scheme()).then(|| iri(value, url.into()))
}

/// ammonia's hook for relative URLs: [`resolve_relative`] against the base.
pub(super) struct Resolve(pub(super) Url);

impl<'a> ammonia::UrlRelativeEvaluate<'a> for Resolve {
    fn evaluate<'u>(&self, url: &'u str) -> Option<Cow<'u, str>> {
        resolve_relative(url, &self.0).map(Cow::Owned)
    }
}

/// A relative URL made absolute against `base`, written as an IRI: characters beyond ASCII
/// that the feed wrote stay as written (`À`, not `%C3%80`), as feed readers show them.
///
/// The scheme is checked on the result, whatever the base: a relative link joined to a
/// `javascript:` base is script, and neither ammonia nor the fast path checks it again.
pub(super) fn resolve_relative(value: &str, base: &Url) -> Option<String> {
    if let Some(joined) = join_plain_path(value, base) {
        return Some(joined);
    }
    let url = base.join(value).ok()?;
    web_scheme(url.scheme()).then(|| iri(value, url.into()))
}

/// `base.join(value)` without the URL parser, for the shape nearly every relative link in a
/// post has (`/posts/2`, `img/1.png`): letters, digits, `-._~/` only, no dot segments, not
/// `//host`. The parser would copy such a path unchanged, so this gives the same string
/// (checked against the parser in a test), several times faster. `None`: use the parser.
fn join_plain_path(value: &str, base: &Url) -> Option<String> {
    // One pass: allowed bytes only, and no `.` at the start or after `/` or `.` (so no dot
    // segments, no `..`).
    let mut prev = b'/';
    let plain = !value.is_empty()
        && !value.starts_with("//")
        && value.bytes().all(|b| {
            let ok = b.is_ascii_alphanumeric()
                || matches!(b, b'-' | b'_' | b'~' | b'/')
                || (b == b'.' && !matches!(prev, b'/' | b'.'));
            prev = b;
            ok
        });
    if !plain || !web_scheme(base.scheme()) || base.cannot_be_a_base() {
        return None;
    }
    let head = &base[..url::Position::BeforePath];
    let dir = if value.starts_with('/') {
        ""
    } else {
        let path = base.path();
        &path[..path.rfind('/')? + 1]
    };
    let mut joined = String::with_capacity(head.len() + dir.len() + value.len());
    joined.push_str(head);
    joined.push_str(dir);
    joined.push_str(value);
    Some(joined)
}

/// `resolved` with the percent-encoded UTF-8 of non-ASCII characters decoded again, when the
/// `written` URL had such characters. White space, controls and bidi controls stay encoded.
fn iri(written: &str, resolved: String) -> String {
    if written.is_ascii() || !resolved.contains('%') {
        return resolved;
    }
    let b = resolved.as_bytes();
    let hex = |i: usize| {
        b.get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok())
    };
    let mut out = String::with_capacity(resolved.len());
    let mut i = 0;
    while i < b.len() {
        // A run of %XX with XX >= 0x80: one or more encoded characters.
        let mut bytes = Vec::new();
        let mut j = i;
        while b.get(j) == Some(&b'%') {
            match hex(j) {
                Some(v) if v >= 0x80 => bytes.push(v),
                _ => break,
            }
            j += 3;
        }
        match std::str::from_utf8(&bytes).ok().filter(|t| !t.is_empty()) {
            Some(text) => {
                // Each character as itself, or as its `%XX` bytes when it must stay encoded.
                let mut at = i;
                for c in text.chars() {
                    let len = 3 * c.len_utf8();
                    if c.is_whitespace() || c.is_control() || is_bidi_control(c) {
                        out.push_str(&resolved[at..at + len]);
                    } else {
                        out.push(c);
                    }
                    at += len;
                }
                i = j;
            }
            None => {
                let next = resolved[i + 1..].find('%').map_or(b.len(), |p| p + i + 1);
                out.push_str(&resolved[i..next]);
                i = next;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sanitize::{clean_html, clean_html_full};

    fn base() -> Url {
        Url::parse("https://blog.example/posts/feed.xml").unwrap()
    }

    #[test]
    fn plain_relative_paths_join_as_the_url_parser_joins_them() {
        let bases = [
            "https://blog.example/posts/feed.xml",
            "http://Blog.Example:8080/a/b/",
            "https://blog.example",
            "https://blog.example/dir/page?q=1#frag",
            "https://user:pw@blog.example/x",
            "https://[::1]/a/b",
        ];
        let values = [
            "/posts/2",
            "img/1.png",
            "a",
            "a/b/c.html",
            "~me/",
            "x-y_z.~",
            "/",
            "a//b",
            ".",
            "..",
            "./a",
            "../a",
            "a/../b",
            "a/./b",
            "a/.",
            "//evil.example/x",
            "a b",
            "a?b",
            "#f",
            "a:b",
            "%41",
            "é",
        ];
        for base in bases {
            let base = Url::parse(base).unwrap();
            for value in values {
                if let Some(fast) = join_plain_path(value, &base) {
                    assert_eq!(fast, base.join(value).unwrap().as_str(), "{base} + {value}");
                }
                assert_eq!(
                    resolve_relative(value, &base),
                    base.join(value)
                        .ok()
                        .filter(crate::web_url::WebUrl::is_web)
                        .map(|u| iri(value, u.into())),
                    "{base} + {value}"
                );
            }
        }
        // A leading U+FEFF: the fast path declines, so both paths drop it (finding 9).
        let bom = "\u{feff}<p>plain <a href=\"https://m.example/\">post</a></p>";
        assert_eq!(
            clean_html(bom, Some(&base())),
            clean_html_full(bom, Some(&base()))
        );
        assert!(clean_html(bom, Some(&base())).starts_with("<p>"));
        // Whatever the base, only an http(s) result is a link (review round two, finding 1).
        let script = Url::parse("javascript://%0aalert(document.domain)//").unwrap();
        for value in ["x", "a/b", "?q", "#f", "//host/x"] {
            assert_eq!(resolve_relative(value, &script), None, "{value}");
            assert!(
                !clean_html(&format!("<a href=\"{value}\">l</a>"), Some(&script)).contains("href")
            );
        }
        let base = Url::parse("https://blog.example/posts/feed.xml").unwrap();
        assert!(
            join_plain_path("img/1.png", &base).is_some(),
            "the common case is fast"
        );
    }

    #[test]
    fn relative_urls_keep_non_ascii_as_written() {
        let base = Url::parse("http://any.test/dir/").unwrap();
        assert_eq!(
            clean_html("<a href=\"À/é?q=ü#ß\">x</a>", Some(&base)),
            "<a href=\"http://any.test/dir/À/é?q=ü#ß\">x</a>"
        );
        // ASCII input, and encoded spaces or bidi controls, stay as the URL parser writes them.
        assert_eq!(
            clean_html("<a href=\"a b\">x</a>", Some(&base)),
            "<a href=\"http://any.test/dir/a%20b\">x</a>"
        );
        assert_eq!(
            resolve_relative("é%E2%80%AE", &base).as_deref(),
            Some("http://any.test/dir/é%E2%80%AE")
        );
    }
}
