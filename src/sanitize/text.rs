//! Text out of markup and markup out of text: titles and names as plain text, excerpts of
//! stored posts, text/plain content as HTML, and the character rules every output keeps
//! (no XML-forbidden controls, no bidi controls in plain text).
//!
//! In: strings from a feed or from the store. Out: plain text (`String`), or HTML-escaped text.

use std::borrow::Cow;

use super::depth::{self, MAX_DEPTH};
use super::passes::unclosed_declarations;

/// Escapes plain text so that it can stand where HTML is expected (text/plain content).
pub fn text_to_html(text: &str) -> String {
    // Written as the HTML serialiser writes text (carriage returns read as newlines, no-break
    // spaces as `&nbsp;`), so sanitising the result again changes nothing.
    let mut text = strip_controls(text);
    if text.contains('\r') {
        text = Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"));
    }
    let html = html_escape::encode_text(&text);
    if html.contains('\u{a0}') {
        html.replace('\u{a0}', "&nbsp;")
    } else {
        html.into_owned()
    }
}

/// Plain text from a string that may hold markup: tags dropped (with the contents of script and
/// style), entities decoded, runs of white space folded into one space.
pub fn html_to_text(s: &str) -> String {
    if !s.contains(['<', '&']) {
        return collapse_ws(s); // nothing to strip or decode: skip the HTML parser
    }
    let spaced = space_blocks(&unclosed_declarations(s));
    if depth::may_exceed(&spaced, MAX_DEPTH) {
        // A title of 40,000 nested <div>s: the parser's cost is quadratic in depth.
        return collapse_ws(&strip_tags(&spaced));
    }
    let cleaned = TEXT_ONLY.with(|b| b.clean(&spaced).to_string());
    collapse_ws(&html_escape::decode_html_entities(&cleaned))
}

/// [`html_to_text`] for HTML that [`clean_html`] wrote (what the database stores), without an
/// HTML parser: that markup holds no comments, scripts, styles or raw `<` in text, so dropping
/// every tag and decoding references gives the same text (a test checks this on generated
/// posts). The render uses it for excerpts, where the parser was a large share of its time.
///
/// [`clean_html`]: crate::sanitize::clean_html
pub fn text_of_sanitised(html: &str) -> String {
    if !html.contains(['<', '&']) {
        return collapse_ws(html);
    }
    if html.contains("<svg") || html.contains("<math") {
        // Drawings and formulas have no text to show in an excerpt: the parser leaves them out.
        return html_to_text(html);
    }
    collapse_ws(&strip_tags_spaced(html))
}

/// Excerpts of members who asked for links only are this long.
pub const SHORT_EXCERPT_CHARS: usize = 300;

/// The excerpt to show instead of a body, if it is to be folded: the body's text cut at a word
/// boundary near `max` characters. `None` when the body is short enough to show whole.
pub fn excerpt(body_text: &str, max: usize, force: bool) -> Option<String> {
    let max = if force {
        SHORT_EXCERPT_CHARS.min(max.max(1))
    } else {
        max
    };
    if max == 0 || (!force && body_text.chars().count() <= max) {
        return None;
    }
    if body_text.chars().count() <= max {
        return Some(body_text.to_string());
    }
    let cut: String = body_text.chars().take(max).collect();
    let cut = match cut.rfind(char::is_whitespace) {
        Some(i) if i > max / 2 => &cut[..i],
        _ => &cut[..],
    };
    Some(format!("{}…", cut.trim_end()))
}

/// The excerpt the digest shows of a post, and the merged feeds of a member who asked for links
/// only: the text of `html` (sanitised, as stored) cut at a word near [`SHORT_EXCERPT_CHARS`].
/// `None` when it has no text. Taken once, when a post is stored (the `excerpt` column), so
/// that the digest does not read the whole year's bodies at every render.
pub fn short_excerpt(html: &str) -> Option<String> {
    let text = text_prefix_of_sanitised(html, SHORT_EXCERPT_CHARS);
    excerpt(&text, SHORT_EXCERPT_CHARS, true).filter(|x| !x.is_empty())
}

/// Whether sanitised HTML loads an image over plain http (a browser blocks or upgrades it on
/// an https page): an `img` source, any candidate of an `img` or `source` `srcset`, or a
/// `video` poster, the scheme in any case. Read from the tags, never from the text (a post
/// about HTML quotes `src="http://` as text).
pub fn loads_http_image(html: &str) -> bool {
    fn http(url: &str) -> bool {
        let url = url.trim_start();
        url.get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
    }
    let any_http = html
        .as_bytes()
        .windows(7)
        .any(|w| w.eq_ignore_ascii_case(b"http://"));
    if !any_http {
        return false; // the common case, without reading a tag
    }
    crate::markup::tags(html).filter(|t| !t.closing).any(|t| {
        t.attributes().any(|(name, value)| {
            let image = t.is("img") || t.is("source");
            if name.eq_ignore_ascii_case("srcset") && image {
                value.split(',').any(http)
            } else if name.eq_ignore_ascii_case("src") {
                t.is("img") && http(value)
            } else {
                name.eq_ignore_ascii_case("poster") && t.is("video") && http(value)
            }
        })
    })
}

/// Texts shorter than this give no words fingerprint: "Read more" is not a post.
const MIN_WORDS_CHARS: usize = 100;

/// The most of a body read for its words fingerprint.
const WORDS_BODY_BYTES: usize = 64 * 1024;

/// What every words fingerprint starts with: the rule's version. Change it with the rule, and
/// the stored fingerprints (migration 16 computes them) must be computed again.
const WORDS_PREFIX: &str = "t1:";

/// The fingerprint of a post's title and words (white space collapsed, case folded) when its
/// text is long enough to say something; `body` is its sanitised content (else summary).
/// Cross-posts compare it (`visibility`): the same title and words are the same post. The
/// title counts: a copy keeps it, while posts of one template (the same boilerplate body
/// under different titles) are different posts. Taken once, when a post is stored, so that a
/// render does not read every post's text again.
pub fn words_fingerprint(title: Option<&str>, body: Option<&str>) -> Option<String> {
    use sha2::{Digest, Sha256};
    let body = body?;
    let body = &body[..floor_char_boundary(body, WORDS_BODY_BYTES)];
    // The text's words (white space runs and control characters between them folded in by
    // `words`), as `text_of_sanitised` reads them but without copying the text three times.
    let text = if body.contains("<svg") || body.contains("<math") {
        text_of_sanitised(body)
    } else {
        strip_tags_spaced(body)
    };
    // The words, case folded, one after another with a space between, in one pass with an
    // ASCII fast path (most posts' words); the length is counted on the way.
    fn words(text: &str, out: &mut Vec<u8>) {
        let b = text.as_bytes();
        let (mut i, mut space) = (0, false);
        while i < b.len() {
            let c = b[i];
            if c < 0x80 {
                i += 1;
                // White space and control characters: between words.
                if c <= b' ' || c == 0x7f {
                    space = !out.is_empty();
                    continue;
                }
                if space {
                    out.push(b' ');
                    space = false;
                }
                out.push(c.to_ascii_lowercase());
                continue;
            }
            let Some(ch) = text[i..].chars().next() else {
                break;
            };
            i += ch.len_utf8();
            if ch.is_whitespace() || ch.is_control() || is_bidi_control(ch) {
                space = !out.is_empty();
                continue;
            }
            if space {
                out.push(b' ');
                space = false;
            }
            let mut buf = [0; 4];
            for l in ch.to_lowercase() {
                out.extend_from_slice(l.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    fn hash_words(h: &mut Sha256, text: &str) -> usize {
        let mut out = Vec::with_capacity(text.len());
        words(text, &mut out);
        h.update(&out);
        out.len()
    }
    let mut h = Sha256::new();
    hash_words(&mut h, title.unwrap_or(""));
    h.update([0]);
    if hash_words(&mut h, &text) < MIN_WORDS_CHARS {
        return None;
    }
    Some(format!(
        "{WORDS_PREFIX}{}",
        crate::fingerprint::hex(&h.finalize()[..16])
    ))
}

/// The first `chars` characters of [`text_of_sanitised`]`(html)`, and one more when the text
/// is longer (so a caller can tell that it goes on), reading only as much of `html` as that
/// takes: excerpts need a few hundred characters of posts that may run to megabytes.
///
/// It reads a slice of the markup cut before a `<` or a space (never inside a tag or a
/// reference: a tag cut short is dropped whole, and only ever at the slice's end), and doubles
/// the slice until the text it gives is longer than wanted by a margin.
pub fn text_prefix_of_sanitised(html: &str, chars: usize) -> String {
    // What a reference cut short at a slice's end may add to its text, and more.
    const MARGIN: usize = 64;
    let want = chars.saturating_add(1);
    let mut len = chars.saturating_mul(4).max(512);
    let text = loop {
        if len >= html.len() {
            break text_of_sanitised(html);
        }
        let window = &html.as_bytes()[..len];
        let cut = window
            .iter()
            .rposition(|&b| b == b'<' || b.is_ascii_whitespace())
            .filter(|&p| p > 0)
            .unwrap_or_else(|| floor_char_boundary(html, len));
        let text = text_of_sanitised(&html[..cut]);
        if text.chars().count() > want.saturating_add(MARGIN) {
            break text;
        }
        len = len.saturating_mul(2);
    };
    match text.char_indices().nth(want) {
        Some((end, _)) => text[..end].to_string(),
        None => text,
    }
}

/// The largest char boundary of `s` at or below `i`.
fn floor_char_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The tags before which [`space_blocks`] puts a space.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "td",
    "th",
    "tr",
    "ul",
];

/// `strip_tags(&space_blocks(html))` in one pass, copying text between tags as slices: what
/// [`text_of_sanitised`] and [`words_fingerprint`] read (every stored post, at ingest).
fn strip_tags_spaced(html: &str) -> String {
    let b = html.as_bytes();
    let mut out = String::with_capacity(html.len() / 2);
    let mut i = 0;
    while let Some(p) = memchr::memchr(b'<', &b[i..]) {
        let lt = i + p;
        out.push_str(&html[i..lt]);
        if is_block_tag(&html[lt + 1..]) {
            out.push(' ');
        }
        // Everything to the next `>` is the tag (an unclosed one runs to the end).
        match memchr::memchr(b'>', &b[lt + 1..]) {
            Some(q) => i = lt + 1 + q + 1,
            None => {
                i = b.len();
                break;
            }
        }
    }
    out.push_str(&html[i..]);
    if out.contains('&') {
        html_escape::decode_html_entities(&out).into_owned()
    } else {
        out
    }
}

/// Whether the tag starting after a `<` (`p>`, `/li>`) is one of [`BLOCKS`].
fn is_block_tag(tag: &str) -> bool {
    let name = tag.trim_start_matches('/');
    let name = &name[..name
        .bytes()
        .position(|b| !b.is_ascii_alphanumeric())
        .unwrap_or(name.len())];
    BLOCKS.iter().any(|b| b.eq_ignore_ascii_case(name))
}

/// Block-level tags and line breaks separate words: `<p>a</p><p>b</p>` reads "a b", while
/// inline tags do not (`bo<b>ld</b>` reads "bold"). Puts a space before each block tag.
/// Character-level on purpose, not the tag reader: [`text_of_sanitised`] must read exactly
/// what [`html_to_text`] reads, and both see every `<` the same way, tag or not.
fn space_blocks(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let tag = &rest[i + 1..];
        if is_block_tag(tag) {
            out.push(' ');
        }
        out.push('<');
        rest = tag;
    }
    out.push_str(rest);
    out
}

thread_local! {
    /// An allowlist with no tags at all: text only (built once per thread).
    static TEXT_ONLY: ammonia::Builder<'static> = ammonia::Builder::empty();
}

/// Text with everything between `<` and `>` removed (linear; for pathological input only).
/// Character-level on purpose, not the tag reader: over-deep or unsettled posts are shown as
/// this text, and it must drop comments and every other `<…>` as well as tags.
pub(super) fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    html_escape::decode_html_entities(&out).into_owned()
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
    // Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) in a title or a
    // name could reorder the page's own text around it: plain text never keeps them.
    let s: Cow<str> = if s.contains(is_bidi_control) {
        Cow::Owned(s.chars().filter(|c| !is_bidi_control(*c)).collect())
    } else {
        s
    };
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

pub(super) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
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

    #[test]
    fn http_images_are_read_from_tags_not_text() {
        for yes in [
            "<p><img src=\"http://a.example/x.png\" alt=\"x\"></p>",
            "<img src=\"HTTP://A.EXAMPLE/UP.PNG\">",
            "<img srcset=\"https://a.example/1.png 1x, http://a.example/2.png 2x\">",
            "<picture><source srcset=\"http://a.example/s.webp\"></picture>",
            "<video poster=\"http://a.example/p.jpg\"></video>",
        ] {
            assert!(loads_http_image(yes), "{yes}");
        }
        for no in [
            "<p><img src=\"https://a.example/x.png\"></p>",
            "<code>&lt;img src=\"http://example.com/cat.png\"&gt;</code>",
            "<p>&lt;img src=&quot;http://a/x.png&quot;&gt; as text</p>",
            "<audio src=\"http://a.example/a.mp3\"></audio>",
            "<a href=\"http://a.example/\">a link</a>",
            "",
        ] {
            assert!(!loads_http_image(no), "{no}");
        }
    }

    #[test]
    fn text_of_html_separates_blocks_not_inline_tags() {
        assert_eq!(html_to_text("<p>One.</p><p>Two.</p>"), "One. Two.");
        assert_eq!(html_to_text("a<br>b<BR/>c"), "a b c");
        assert_eq!(html_to_text("<ul><li>x</li><li>y</li></ul>"), "x y");
        assert_eq!(
            html_to_text("bo<b>ld</b> <a href=\"/\">link</a>"),
            "bold link"
        );
        assert_eq!(html_to_text("1 &lt; 2 <p>"), "1 < 2");
    }

    #[test]
    fn bidi_controls_never_reach_plain_text() {
        assert_eq!(html_to_text("evil\u{202E}txt.exe"), "eviltxt.exe");
        assert_eq!(plain_text("a\u{2066}b\u{2069}"), "ab");
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

    /// `count` posts of up to `most` `pieces` each, from a fixed generator (`seed`).
    fn generated(pieces: &[&str], mut seed: u64, count: usize, most: u64) -> Vec<String> {
        (0..count)
            .map(|_| {
                let mut html = String::new();
                for _ in 0..(seed % most) {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    html.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
                }
                html
            })
            .collect()
    }

    /// The prefix is the whole text's prefix, whatever the markup around the slices' ends.
    #[test]
    fn a_text_prefix_is_the_start_of_the_whole_text() {
        let pieces = [
            "<p>Para with <b>bold</b> and <a href=\"https://x.example/?a=1&amp;b=2\">a link</a>.</p>",
            "word&amp;word &lt;tag&gt; caf&eacute; ",
            "<ul><li>one</li><li>two</li></ul>",
            "<img src=\"https://x.example/a.png\" alt=\"a &lt; b\">",
            "<abbr title=\"x &lt; y\">XY</abbr>",
            "averyveryverylongwordwithoutanyspaceatallaverylongone",
            "<pre>  two  spaces\n line</pre>",
            "\u{e9}t\u{e9} \u{1f600} ",
        ];
        for html in generated(&pieces, 7, 300, 120) {
            let whole = text_of_sanitised(&html);
            for chars in [0, 1, 50, 300, 1000] {
                let prefix = text_prefix_of_sanitised(&html, chars);
                let expected: String = whole.chars().take(chars + 1).collect();
                assert_eq!(prefix, expected, "{chars} of {html}");
            }
        }
    }

    /// The one-pass reader reads what the two passes it replaced read, odd markup included.
    #[test]
    fn one_pass_text_reads_as_the_two_passes() {
        let pieces = [
            "<p>Para <b>bold</b></p>",
            "a > b ",
            "x<",
            "</",
            "<<p>>",
            "<P CLASS=x>",
            "</LI>",
            "&amp;&lt;p&gt; ",
            "<br/>",
            "<a title=\"<p>\">t</a>",
            "\u{e9}\u{1f600}",
            "<pre>",
        ];
        for html in generated(&pieces, 11, 500, 40) {
            assert_eq!(
                strip_tags_spaced(&html),
                strip_tags(&space_blocks(&html)),
                "{html}"
            );
        }
    }

    #[test]
    fn control_characters_are_dropped() {
        assert_eq!(strip_controls("a\u{1}b\u{8}c\td\u{FFFF}"), "abc\td");
        assert!(matches!(strip_controls("clean"), Cow::Borrowed(_)));
    }
}
