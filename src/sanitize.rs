//! Makes untrusted feed text safe: an HTML allowlist (ammonia) for content, plain text for titles.
//!
//! In: strings from a member's feed and the base URL for relative links. Out: sanitised HTML or
//! plain text, safe to store and to show. This runs once, at ingest; render only escapes.

use std::borrow::Cow;
use std::collections::HashSet;

use url::Url;

/// URL schemes allowed in links and images (DESIGN.md: http, https, mailto only).
const URL_SCHEMES: [&str; 3] = ["http", "https", "mailto"];

/// Sanitises an HTML fragment with the allowlist, resolving relative URLs against `base`.
///
/// Scripts, styles, event attributes, frames, forms and objects are dropped; only http, https
/// and mailto URLs survive; links get `rel="noopener noreferrer nofollow"` and images load lazily.
pub fn clean_html(html: &str, base: Option<&Url>) -> String {
    let html = strip_controls(html);
    let mut builder = ammonia::Builder::default();
    builder
        .url_schemes(HashSet::from(URL_SCHEMES))
        .link_rel(Some("noopener noreferrer nofollow"))
        .set_tag_attribute_value("img", "loading", "lazy")
        .url_relative(match base {
            Some(base) => ammonia::UrlRelative::RewriteWithBase(base.clone()),
            // Without a base a relative URL cannot be made absolute: drop it rather than let it
            // point somewhere on the planet's own site.
            None => ammonia::UrlRelative::Deny,
        });
    builder.clean(&html).to_string().trim().to_string()
}

/// Escapes plain text so that it can stand where HTML is expected (text/plain content).
pub fn text_to_html(text: &str) -> String {
    html_escape::encode_text(&strip_controls(text)).into_owned()
}

/// Plain text from a string that may hold markup: tags dropped (with the contents of script and
/// style), entities decoded, runs of white space folded into one space.
pub fn html_to_text(s: &str) -> String {
    let cleaned = ammonia::Builder::empty().clean(s).to_string();
    collapse_ws(&html_escape::decode_html_entities(&cleaned))
}

/// Plain text that is already text: control characters dropped and white space folded.
pub fn plain_text(s: &str) -> String {
    collapse_ws(s)
}

/// Whether a string that should be text looks like it holds markup or entities (RSS titles often do).
pub fn looks_like_html(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'))
        || (s.contains('&') && s.contains(';'))
}

fn collapse_ws(s: &str) -> String {
    let s = strip_controls(s);
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Removes characters that are not allowed in XML 1.0 (C0 controls but tab, newline and carriage
/// return; U+FFFE and U+FFFF), so that every output stays well-formed.
pub fn strip_controls(s: &str) -> Cow<'_, str> {
    let bad = |c: char| {
        (c.is_control() && !matches!(c, '\t' | '\n' | '\r') && (c as u32) < 0x80)
            || c == '\u{FFFE}'
            || c == '\u{FFFF}'
    };
    if s.chars().any(bad) {
        Cow::Owned(s.chars().filter(|&c| !bad(c)).collect())
    } else {
        Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://blog.example/posts/feed.xml").unwrap()
    }

    #[test]
    fn unsafe_constructs_are_removed() {
        let cases = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
            "<a href=\"java\tscript:alert(1)\">x</a>",
            "<a href=\"vbscript:msgbox(1)\">x</a>",
            "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
            "<iframe src=\"https://evil.example/\"></iframe>",
            "<object data=\"x\"></object><embed src=\"x\">",
            "<form action=\"https://evil.example/\"><input></form>",
            "<style>body{display:none}</style>",
            "<p style=\"background:url(javascript:alert(1))\">x</p>",
            "<svg onload=alert(1)><script>alert(1)</script></svg>",
            "<math><mtext><script>alert(1)</script></mtext></math>",
            "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example/\">",
            "<base href=\"https://evil.example/\">",
        ];
        for case in cases {
            let out = clean_html(case, Some(&base())).to_ascii_lowercase();
            for bad in [
                "<script",
                "onerror",
                "onload",
                "javascript:",
                "vbscript:",
                "data:",
                "<iframe",
                "<object",
                "<embed",
                "<form",
                "<style",
                "style=",
                "<svg",
                "<meta",
                "<base",
            ] {
                assert!(!out.contains(bad), "{case:?} -> {out:?} still has {bad:?}");
            }
        }
    }

    #[test]
    fn links_and_images_are_made_safe_and_absolute() {
        let out = clean_html(
            "<a href=\"../about\">me</a> <img src=\"pic.png\" alt=\"p\">",
            Some(&base()),
        );
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
    }

    #[test]
    fn harmless_markup_is_kept() {
        let html = "<p>a <em>b</em> <code>c</code></p><ul><li>d</li></ul><table><tbody><tr><td>e</td></tr></tbody></table>";
        assert_eq!(clean_html(html, Some(&base())), html);
    }

    #[test]
    fn sanitising_twice_changes_nothing() {
        let html = "<p>x <a href=\"/y\">y</a><img src=\"z.png\"><script>1</script></p>";
        let once = clean_html(html, Some(&base()));
        assert_eq!(clean_html(&once, Some(&base())), once);
    }

    #[test]
    fn titles_become_plain_text() {
        assert_eq!(
            html_to_text("<b>Bold</b> &amp; <i>brave</i>"),
            "Bold & brave"
        );
        assert_eq!(html_to_text("a <script>evil()</script>b"), "a b");
        assert_eq!(html_to_text("AT&T"), "AT&T");
        assert_eq!(plain_text("  two\n  lines\u{0}  "), "two lines");
        assert!(looks_like_html("<b>x</b>"));
        assert!(looks_like_html("caf&eacute;"));
        assert!(!looks_like_html("a < b"));
    }

    #[test]
    fn control_characters_are_dropped() {
        assert_eq!(strip_controls("a\u{1}b\u{8}c\td\u{FFFF}"), "abc\td");
        assert!(matches!(strip_controls("clean"), Cow::Borrowed(_)));
    }
}
