//! The fast path of [`super::clean_html`]: most posts are plain, well-nested markup (paragraphs,
//! links, emphasis, lists, code, images) that the allowlist keeps as it is. For such a post,
//! one linear pass checks it and writes exactly what the full sanitiser (html5ever's parse,
//! ammonia's allowlist, html5ever's serialiser) would write, several times faster.
//!
//! Anything outside that narrow shape, however harmless, returns `None` and goes through the
//! full sanitiser: another element or attribute, a comment, a bare `<`, an unknown or
//! semicolon-less entity, a control character, a carriage return, a URL the allowlist would
//! drop, or nesting that an HTML parser would rearrange (a block inside a paragraph or inside
//! inline markup, a link inside a link, a list item outside a list, an end tag that does not
//! close the innermost element). So this path can only be stricter than the allowlist, never
//! looser: what it accepts holds only the elements and attributes of the policy's `FAST_*`
//! subsets (`policy.rs`), with escaped text
//! and http(s)/mailto URLs. The unit tests and the `sanitize` fuzz target check that its output
//! is byte-identical to the full sanitiser's on everything it accepts.

use std::borrow::Cow;

use url::Url;

use super::policy::{
    link_scheme, FAST_ATTRIBUTES, FAST_BLOCK, FAST_INLINE, FAST_PHRASING_BLOCK,
    FAST_URL_ATTRIBUTES, VOID,
};

/// Deeper nesting goes to the full sanitiser (and its own depth guard).
const MAX_DEPTH: usize = 64;

/// Named references accepted (with their semicolon); any other name goes to the full sanitiser.
const NAMED: &[(&str, char)] = &[
    ("amp", '&'),
    ("apos", '\''),
    ("copy", '©'),
    ("gt", '>'),
    ("hellip", '…'),
    ("ldquo", '“'),
    ("lsquo", '‘'),
    ("lt", '<'),
    ("mdash", '—'),
    ("nbsp", '\u{a0}'),
    ("ndash", '–'),
    ("quot", '"'),
    ("rdquo", '”'),
    ("rsquo", '’'),
];

/// Sanitised `html`, or `None` when it needs the full sanitiser.
pub(super) fn clean(html: &str, base: Option<&Url>) -> Option<String> {
    if html.starts_with('\u{feff}') {
        return None; // the HTML parser drops a leading byte order mark
    }
    let b = html.as_bytes();
    // Resolved links are longer than as written: room for them, so the post is not copied as
    // the string grows.
    let mut out = String::with_capacity(html.len() + html.len() / 4);
    let mut stack: Vec<&'static str> = Vec::new();
    // How many open elements allow phrasing content only.
    let mut phrasing = 0usize;
    let mut i = 0;
    while i < b.len() {
        let lt = memchr::memchr(b'<', &b[i..]).map_or(b.len(), |p| i + p);
        escape(&html[i..lt], &mut out)?;
        if lt == b.len() {
            break;
        }
        if b.get(lt + 1) == Some(&b'/') {
            let (name, end) = end_tag(html, lt)?;
            if stack.last() != Some(&name) {
                return None;
            }
            stack.pop();
            if is_phrasing(name) {
                phrasing -= 1;
            }
            out.push_str("</");
            out.push_str(name);
            out.push('>');
            i = end;
        } else {
            let (name, name_end) = tag_name(html, lt + 1)?;
            let block = !FAST_INLINE.contains(&name);
            if (block && phrasing > 0)
                || (name == "a" && stack.contains(&"a"))
                || (name == "li" && !matches!(stack.last(), Some(&("ul" | "ol"))))
                || stack.len() >= MAX_DEPTH
            {
                return None;
            }
            out.push('<');
            out.push_str(name);
            i = attributes(html, name, name_end, base, &mut out)?;
            out.push('>');
            if name == "pre" && matches!(b.get(i), Some(b'\n' | b'&')) {
                return None; // a parser drops a newline right after <pre>
            }
            if !VOID.contains(&name) {
                stack.push(name);
                if is_phrasing(name) {
                    phrasing += 1;
                }
            }
        }
    }
    // Elements still open at the end are closed, as a parser closes them.
    while let Some(name) = stack.pop() {
        out.push_str("</");
        out.push_str(name);
        out.push('>');
    }
    let trimmed = out.trim();
    if trimmed.len() == out.len() {
        return Some(out);
    }
    Some(trimmed.to_string())
}

fn is_phrasing(name: &str) -> bool {
    FAST_INLINE.contains(&name) || FAST_PHRASING_BLOCK.contains(&name)
}

/// The known element whose name starts at byte `from`, and where the name ends.
fn tag_name(html: &str, from: usize) -> Option<(&'static str, usize)> {
    let end = word_end(html.as_bytes(), from, |c| c.is_ascii_alphanumeric());
    Some((element(&html[from..end])?, end))
}

/// Reads the attributes of the start tag of `name` from byte `from` up to its `>` (attributes
/// in double or single quotes) and appends them to `out` as the serialiser writes them:
/// references decoded, URLs resolved. Returns the offset just past the `>`.
fn attributes(
    html: &str,
    name: &str,
    from: usize,
    base: Option<&Url>,
    out: &mut String,
) -> Option<usize> {
    let b = html.as_bytes();
    // Which of FAST_URL_ATTRIBUTES and FAST_ATTRIBUTES the tag has had (a repeated one: the
    // full sanitiser).
    let mut seen = 0u32;
    let mut i = from;
    loop {
        let spaced = i;
        while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\x0c')) {
            i += 1;
        }
        match b.get(i)? {
            b'>' => return Some(i + 1),
            b'/' if VOID.contains(&name) && b.get(i + 1) == Some(&b'>') => return Some(i + 2),
            c if c.is_ascii_alphabetic() && i > spaced => {
                let attr_end = word_end(b, i, |c| c.is_ascii_alphabetic());
                let written = &html[i..attr_end];
                let is_url = FAST_URL_ATTRIBUTES
                    .iter()
                    .position(|(tag, a)| *tag == name && a.eq_ignore_ascii_case(written));
                let (attr, bit) = match is_url {
                    Some(k) => (FAST_URL_ATTRIBUTES[k].1, 1 << k),
                    None => {
                        let at = FAST_ATTRIBUTES
                            .iter()
                            .position(|a| a.eq_ignore_ascii_case(written))?;
                        (FAST_ATTRIBUTES[at], 1 << (FAST_URL_ATTRIBUTES.len() + at))
                    }
                };
                let quote = *b.get(attr_end + 1)?;
                if b.get(attr_end) != Some(&b'=') || !matches!(quote, b'"' | b'\'') {
                    return None;
                }
                let value_start = attr_end + 2;
                let value_end = value_start + memchr::memchr(quote, &b[value_start..])?;
                let raw = &html[value_start..value_end];
                if raw.contains('<') || seen & bit != 0 {
                    return None;
                }
                seen |= bit;
                let value = decode(raw)?;
                let value = match is_url {
                    Some(_) => url(value, base)?,
                    None => value,
                };
                out.push(' ');
                out.push_str(attr);
                out.push_str("=\"");
                escape_attribute(&value, out);
                out.push('"');
                i = value_end + 1;
            }
            _ => return None,
        }
    }
}

/// Reads the end tag at `lt` (`</name>`, white space allowed before the `>`).
fn end_tag(html: &str, lt: usize) -> Option<(&'static str, usize)> {
    let b = html.as_bytes();
    let (name, mut i) = tag_name(html, lt + 2)?;
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\x0c')) {
        i += 1;
    }
    (b.get(i) == Some(&b'>')).then_some((name, i + 1))
}

fn word_end(b: &[u8], from: usize, part: impl Fn(u8) -> bool) -> usize {
    b[from.min(b.len())..]
        .iter()
        .position(|&c| !part(c))
        .map_or(b.len(), |p| from + p)
}

/// The allowlisted element spelled `name` (compared without case), as the lists spell it.
fn element(name: &str) -> Option<&'static str> {
    let b = name.as_bytes();
    if b.is_empty() || b.len() > 10 {
        return None;
    }
    let mut lower = [0u8; 10];
    for (l, c) in lower.iter_mut().zip(b) {
        *l = c.to_ascii_lowercase();
    }
    let lower = &lower[..b.len()];
    for list in [FAST_INLINE, FAST_BLOCK] {
        for n in list {
            if n.as_bytes() == lower {
                return Some(n);
            }
        }
    }
    None
}

/// What the allowlist makes of a URL attribute: an absolute http(s)/mailto URL is kept as
/// written; a relative one is resolved against the base. Anything the allowlist would drop
/// (another scheme, a relative URL without a base, an unparsable one) is `None`.
fn url<'a>(value: Cow<'a, str>, base: Option<&Url>) -> Option<Cow<'a, str>> {
    if !value.contains(':') {
        // No scheme: relative (what the parser would say, without parsing).
        return Some(Cow::Owned(super::urls::resolve_relative(&value, base?)?));
    }
    match Url::parse(&value) {
        Ok(u) => link_scheme(u.scheme()).then_some(value),
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            Some(Cow::Owned(super::urls::resolve_relative(&value, base?)?))
        }
        Err(_) => None,
    }
}

/// Attribute text with its references decoded (checked as [`escape`] checks text).
fn decode(raw: &str) -> Option<Cow<'_, str>> {
    if !raw.bytes().any(special) {
        return Some(Cow::Borrowed(raw));
    }
    let mut out = String::with_capacity(raw.len());
    scan(raw, &mut out, false)?;
    Some(Cow::Owned(out))
}

/// Appends `text` as the serialiser writes it: references decoded, then `&`, `<`, `>` and
/// no-break spaces escaped. `None` for a character the full sanitiser would change or drop:
/// control characters, carriage returns, C1 controls, U+FFFE/U+FFFF.
fn escape(text: &str, out: &mut String) -> Option<()> {
    scan(text, out, true)
}

/// An attribute value (already decoded) as the serialiser writes it between double quotes.
fn escape_attribute(value: &str, out: &mut String) {
    if !value
        .bytes()
        .any(|b| matches!(b, b'"' | b'&' | b'<' | b'>' | 0xc2))
    {
        out.push_str(value); // nothing to escape (0xc2 leads U+00A0 in UTF-8)
        return;
    }
    for c in value.chars() {
        match c {
            '"' => out.push_str("&quot;"),
            c => escape_char(c, out),
        }
    }
}

/// Bytes that [`scan`] looks at: controls other than tab and line feed (which are copied as
/// they are), markup characters, and the first bytes of C1 controls, U+00A0 and U+FFFE/U+FFFF
/// in UTF-8. A table: this runs for every byte of every post.
fn special(c: u8) -> bool {
    const TABLE: [bool; 256] = {
        let mut t = [false; 256];
        let mut c = 0;
        while c < 256 {
            let b = c as u8;
            t[c] = (b < 0x20 && b != b'\t' && b != b'\n')
                || matches!(b, b'&' | b'<' | b'>' | 0x7f | 0xc2 | 0xef);
            c += 1;
        }
        t
    };
    TABLE[usize::from(c)]
}

/// How many bytes at the start of `b` [`special`] passes over. Whole blocks are tested with
/// comparisons the compiler turns into vector instructions (most of a post is plain text), the
/// block with a special byte one byte at a time.
fn plain_run(b: &[u8]) -> usize {
    const BLOCK: usize = 16;
    let mut at = 0;
    for block in b.chunks_exact(BLOCK) {
        let any = block.iter().fold(false, |any, &c| {
            any | ((c < 0x20) & (c != b'\t') & (c != b'\n'))
                | (c == b'&')
                | (c == b'<')
                | (c == b'>')
                | (c == 0x7f)
                | (c == 0xc2)
                | (c == 0xef)
        });
        if any {
            break;
        }
        at += BLOCK;
    }
    at + b[at..]
        .iter()
        .position(|&c| special(c))
        .unwrap_or(b.len() - at)
}

/// Decodes references in `text` onto `out`, escaping what the serialiser escapes in text when
/// `escaping`. `None` for what the full sanitiser would change (see [`escape`]).
fn scan(text: &str, out: &mut String, escaping: bool) -> Option<()> {
    let b = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        i += plain_run(&b[i..]);
        let Some(&c) = b.get(i) else {
            break;
        };
        out.push_str(&text[start..i]);
        let (decoded, len) = match c {
            b'<' | b'>' => (c as char, 1),
            b'&' => reference(&text[i..])?,
            0xc2 => {
                if (0x80..0xa0).contains(b.get(i + 1)?) {
                    return None;
                }
                (text[i..].chars().next()?, 2)
            }
            0xef => {
                if b.get(i + 1) == Some(&0xbf) && matches!(b.get(i + 2), Some(0xbe | 0xbf)) {
                    return None;
                }
                (text[i..].chars().next()?, 3)
            }
            _ => return None,
        };
        if escaping {
            escape_char(decoded, out);
        } else {
            out.push(decoded);
        }
        i += len;
        start = i;
    }
    out.push_str(&text[start..]);
    Some(())
}

/// One character as the serialiser writes it in text.
fn escape_char(c: char, out: &mut String) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '\u{a0}' => out.push_str("&nbsp;"),
        c => out.push(c),
    }
}

/// The character a reference at the start of `s` stands for, and its length. A `&` not
/// followed by a letter, digit or `#` is itself. `None` for anything an HTML parser reads
/// in its own way (no semicolon, unknown names, C1 and other special code points).
fn reference(s: &str) -> Option<(char, usize)> {
    let b = s.as_bytes();
    match b.get(1) {
        None => return Some(('&', 1)),
        Some(c) if !(c.is_ascii_alphanumeric() || *c == b'#') => return Some(('&', 1)),
        _ => {}
    }
    let semi = b.iter().take(12).position(|&c| c == b';')?;
    let body = &s[1..semi];
    let c = if let Some(num) = body.strip_prefix('#') {
        let (digits, radix) = match num.strip_prefix(['x', 'X']) {
            Some(hex) => (hex, 16),
            None => (num, 10),
        };
        if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
            return None;
        }
        let n = u32::from_str_radix(digits, radix).ok()?;
        let plain = matches!(n, 0x09 | 0x0a | 0x20..=0x7e | 0xa0..=0xd7ff | 0xe000..=0xfdcf)
            || (0xfdf0..=0x10ffff).contains(&n) && n & 0xfffe != 0xfffe;
        if !plain {
            return None;
        }
        char::from_u32(n)?
    } else {
        NAMED.iter().find(|(name, _)| *name == body)?.1
    };
    Some((c, semi + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://blog.example/posts/feed.xml").unwrap()
    }

    /// The block-at-a-time run stops exactly where the byte-at-a-time table does: every
    /// special byte, at every offset inside and across blocks, and none.
    #[test]
    fn plain_runs_stop_at_the_first_special_byte() {
        for c in 0..=255u8 {
            for at in 0..40 {
                let mut text = vec![b'a'; 40];
                text[at] = c;
                let expected = if special(c) { at } else { 40 };
                assert_eq!(plain_run(&text), expected, "byte {c:#x} at {at}");
            }
        }
        assert_eq!(plain_run(b""), 0);
    }

    /// The fast path accepts no element, attribute or URL scheme the policy does not allow
    /// (STYLE.md, convention 15): every candidate, allowed or not, is fed to it, and whatever
    /// it keeps must be in the policy, and kept alike by the full sanitiser.
    #[test]
    fn fast_path_accepts_nothing_the_policy_refuses() {
        use crate::sanitize::policy::{
            link_scheme, GENERIC_ATTRIBUTES, MATH_ATTRIBUTES, MATH_TAGS, SVG_ATTRIBUTES, SVG_TAGS,
            TAGS, URL_ATTRIBUTES, URL_SCHEMES,
        };
        const REFUSED_TAGS: &[&str] = &[
            "script",
            "style",
            "iframe",
            "frame",
            "object",
            "embed",
            "applet",
            "form",
            "input",
            "button",
            "select",
            "textarea",
            "meta",
            "link",
            "base",
            "noscript",
            "title",
            "template",
            "foreignObject",
            "use",
            "image",
            "animate",
            "set",
            "annotation-xml",
            "x",
        ];
        const REFUSED_ATTRIBUTES: &[&str] = &[
            "onclick",
            "onerror",
            "onload",
            "id",
            "name",
            "style",
            "width",
            "height",
            "href",
            "src",
            "srcset",
            "poster",
            "action",
            "formaction",
            "data",
            "background",
            "lowsrc",
            "xlink:href",
            "tabindex",
            "loading",
        ];
        const SCHEMES: &[&str] = &[
            "http",
            "https",
            "mailto",
            "javascript",
            "vbscript",
            "data",
            "file",
            "ftp",
            "tel",
            "sms",
            "blob",
            "about",
            "ws",
            "irc",
            "news",
            "feed",
            "jar",
            "view-source",
            "x-y",
        ];
        for name in TAGS
            .iter()
            .chain(SVG_TAGS)
            .chain(MATH_TAGS)
            .chain(REFUSED_TAGS)
        {
            for spelled in [name.to_string(), name.to_ascii_uppercase()] {
                if let Some(kept) = element(&spelled) {
                    assert!(TAGS.contains(&kept), "fast path keeps <{spelled}>");
                }
            }
        }
        let base = base();
        let attributes = GENERIC_ATTRIBUTES
            .iter()
            .chain(SVG_ATTRIBUTES)
            .chain(MATH_ATTRIBUTES);
        for attr in attributes.chain(REFUSED_ATTRIBUTES) {
            for (tag, html) in [
                ("p", format!("<p {attr}=\"v\">x</p>")),
                ("a", format!("<a {attr}=\"https://o.example/\">x</a>")),
                ("img", format!("<img {attr}=\"https://o.example/i.png\">")),
            ] {
                let Some(fast) = clean(&html, Some(&base)) else {
                    continue;
                };
                let by_element = URL_ATTRIBUTES
                    .iter()
                    .any(|(t, attrs)| *t == tag && attrs.contains(attr));
                assert!(
                    !fast.contains(&format!(" {attr}="))
                        || GENERIC_ATTRIBUTES.contains(attr)
                        || by_element,
                    "fast path keeps {attr} on <{tag}>: {fast:?}"
                );
                assert_eq!(fast, crate::sanitize::clean_html_full(&html, Some(&base)));
            }
        }
        for scheme in SCHEMES {
            for html in [
                format!("<a href=\"{scheme}:x\">l</a>"),
                format!("<a href=\"{scheme}://host.example/x\">l</a>"),
                format!("<img src=\"{scheme}://host.example/i.png\">"),
            ] {
                let fast = clean(&html, Some(&base));
                if let Some(fast) = &fast {
                    if fast.contains("href=") || fast.contains("src=") {
                        assert!(link_scheme(scheme), "fast path keeps {scheme}: in {fast:?}");
                    }
                    assert_eq!(fast, &crate::sanitize::clean_html_full(&html, Some(&base)));
                } else {
                    assert!(
                        !URL_SCHEMES.contains(scheme) || html.contains("img"),
                        "{html}"
                    );
                }
            }
        }
    }

    /// Accepted input gives exactly the full sanitiser's output.
    #[test]
    fn accepted_markup_matches_the_full_sanitiser() {
        let base = base();
        for html in [
            "<p>Hello <em>world</em> &amp; friends</p>",
            "  <p>Trimmed</p>\n",
            "<p><a href=\"/x?a=1&amp;b=2\" title='T &quot;q&quot;'>rel</a> <a href=\"https://o.example/\">abs</a></p>",
            "<ul>\n<li>one</li>\n<li><p>two</p><ol><li>three</li></ol></li>\n</ul>",
            "<h2 class=\"x\" lang=\"fr\" dir=\"rtl\">Titre</h2><hr><hr/><br/><img src=\"a.png\" alt=\"A\">",
            "<pre><code>fn main() {\n    x &lt; y &gt; z\n}</code></pre>",
            "<blockquote><div><p>q&nbsp;r\u{a0}s “t” &hellip;&#8230;&#x2026;&#39;</p></div></blockquote>",
            "<p>open <b>bold <i>both",
            "<P>Upper <STRONG>case</STRONG></P>",
            "a & b &, c &; d",
            "<a href=\"mailto:x@y.example\">mail</a>",
            "<p>quote \" and ' and > in text</p>",
            "<img src='//cdn.example/i.png'>",
            "éàü 日本語 \u{202e}",
        ] {
            let fast = clean(html, Some(&base)).unwrap_or_else(|| panic!("refused {html:?}"));
            let full = crate::sanitize::clean_html_full(html, Some(&base));
            assert_eq!(fast, full, "for {html:?}");
        }
    }

    /// Property: on thousands of generated fragments built from the fast path's own markup
    /// (and pieces just outside it), whatever the fast path accepts is byte-identical to the
    /// full sanitiser's output, and it accepts a good share of them.
    #[test]
    fn generated_markup_matches_the_full_sanitiser() {
        const PIECES: &[&str] = &[
            "<p>",
            "</p>",
            "<em>",
            "</em>",
            "<strong>",
            "</strong>",
            "<code>",
            "</code>",
            "<ul>",
            "</ul>",
            "<ol>",
            "</ol>",
            "<li>",
            "</li>",
            "<blockquote>",
            "</blockquote>",
            "<div>",
            "</div>",
            "<pre>",
            "</pre>",
            "<h2>",
            "</h2>",
            "<a href=\"/rel?a=1&amp;b\">",
            "<a href='https://x.example/p'>",
            "<a href=\"mailto:m@x.example\" title=\"t\">",
            "</a>",
            "<br>",
            "<hr/>",
            "<img src=\"i.png\" alt=\"&lt;alt&gt;\">",
            "<span class=\"c\">",
            "</span>",
            "word ",
            "\n",
            "  ",
            "&amp;",
            "&lt;",
            "&gt;",
            "&nbsp;",
            "&#233;",
            "&#x1F600;",
            "&quot;",
            "\"",
            "'",
            ">",
            "& ",
            "é",
            "\u{a0}",
            "<b>",
            "</b>",
            "<i>",
            "</i>",
            // Just outside the fast path.
            "<",
            "<table>",
            "<td>",
            "&copy",
            "&foo;",
            "<p style=\"color:red\">",
            "\r",
            "<img src=\"x.gif\" width=\"1\" height=\"1\">",
            "<!-- c -->",
            "<P>",
            "</P >",
        ];
        let base = base();
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut accepted = 0;
        let mut decorations = 0;
        const RUNS: usize = 6000;
        for run in 0..RUNS {
            let input = if run % 2 == 0 {
                let len = 1 + next() % 16;
                (0..len)
                    .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                    .collect()
            } else {
                let mut html = String::new();
                tree(&mut html, &mut next, 0, (false, false), PIECES);
                html
            };
            if let Some(fast) = clean(&input, Some(&base)) {
                accepted += 1;
                let full = crate::sanitize::clean_html_full(&input, Some(&base));
                assert_eq!(fast, full, "for {input:?}");
                assert_eq!(
                    crate::sanitize::text_of_sanitised(&fast),
                    crate::sanitize::html_to_text(&fast),
                    "text of {fast:?}"
                );
                if let Some(decorated) = crate::sanitize::decorate::fast_path(&fast) {
                    decorations += 1;
                    let full = crate::sanitize::decorate_full(&fast);
                    assert_eq!(decorated, full, "decorating {fast:?}");
                }
            }
        }
        assert!(accepted > RUNS / 4, "only {accepted} of {RUNS} accepted");
        assert!(decorations > accepted / 2, "only {decorations} decorated");
    }

    /// A random well-nested fragment: blocks where blocks may go, phrasing inside phrasing
    /// (`inside.0`), no link in a link (`inside.1`), list items in lists; now and then an end
    /// tag left out or a piece from `odd` added.
    fn tree(
        html: &mut String,
        next: &mut impl FnMut() -> u64,
        depth: usize,
        inside: (bool, bool),
        odd: &[&str],
    ) {
        let (phrasing, in_link) = inside;
        const TEXT: &[&str] = &[
            "Some words",
            " &amp; more",
            "&#8212;",
            "é\u{a0}x",
            " \"q\" ",
            "\n",
        ];
        const ATTRS: &[&str] = &[
            "",
            "",
            " class=\"k\"",
            " title='a &quot;b&quot;'",
            " lang=\"fr\"",
        ];
        for _ in 0..1 + next() % 3 {
            let pick = next();
            if pick.is_multiple_of(97) {
                html.push_str(odd[(next() % odd.len() as u64) as usize]);
            }
            if depth > 3 || pick.is_multiple_of(3) {
                html.push_str(TEXT[(next() % TEXT.len() as u64) as usize]);
                continue;
            }
            let choices: &[&str] = if phrasing {
                &["em", "strong", "code", "a", "span", "b", "i", "br", "img"]
            } else {
                &[
                    "p",
                    "div",
                    "blockquote",
                    "ul",
                    "ol",
                    "pre",
                    "h3",
                    "hr",
                    "em",
                    "a",
                ]
            };
            let name = match choices[(next() % choices.len() as u64) as usize] {
                "a" if in_link => "span",
                other => other,
            };
            let attrs = ATTRS[(next() % ATTRS.len() as u64) as usize];
            match name {
                "br" | "hr" => html.push_str(&format!("<{name}{attrs}>")),
                "img" => html.push_str(&format!(
                    "<img src=\"p{}.png\" alt=\"x\"{attrs}>",
                    next() % 9
                )),
                "ul" | "ol" => {
                    html.push_str(&format!("<{name}{attrs}>"));
                    for _ in 0..1 + next() % 3 {
                        html.push_str("<li>");
                        tree(html, next, depth + 2, (false, in_link), odd);
                        html.push_str("</li>");
                    }
                    html.push_str(&format!("</{name}>"));
                }
                _ => {
                    let href = if name == "a" { " href=\"../up/x\"" } else { "" };
                    html.push_str(&format!("<{name}{href}{attrs}>"));
                    let inner_phrasing = phrasing || !["div", "blockquote"].contains(&name);
                    let inner = (inner_phrasing, in_link || name == "a");
                    tree(html, next, depth + 1, inner, odd);
                    if !next().is_multiple_of(97) {
                        html.push_str(&format!("</{name}>"));
                    }
                }
            }
        }
    }

    /// Input the fast path must leave to the full sanitiser.
    #[test]
    fn everything_else_goes_to_the_full_sanitiser() {
        let base = base();
        for html in [
            "<script>alert(1)</script>",
            "<p onclick=\"x\">a</p>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<a href=\"&#106;avascript:alert(1)\">x</a>",
            "<img src=x>",
            "<img src=\"p.gif\" width=\"1\" height=\"1\">",
            "<p style=\"color:red\">x</p>",
            "<p>a<div>b</div></p>",
            "<em><p>x</p></em>",
            "<a href=\"/a\">x<a href=\"/b\">y</a></a>",
            "<li>loose</li>",
            "<p>a</b>",
            "</p>",
            "<p>a<!-- c --></p>",
            "a < b",
            "AT&T",
            "&copy2024",
            "&unknown;",
            "&#128;",
            "&#0;",
            "&#xD800;",
            "line\r\nbreak",
            "nul\0",
            "bell\u{7}",
            "c1\u{85}",
            "\u{fffe}",
            "<pre>\nfirst</pre>",
            "<p/>",
            "<p class=x>",
            "<p class=\"a\" class=\"b\">",
            "<p title=\"a<b\">",
            "<p title=\"unclosed>",
            "<table><tr><td>x</td></tr></table>",
            &"<div>".repeat(100),
        ] {
            assert_eq!(clean(html, Some(&base)), None, "accepted {html:?}");
        }
        // Without a base, a relative URL cannot be resolved.
        assert_eq!(clean("<a href=\"/x\">x</a>", None), None);
    }
}
