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
//! subsets (`policy.rs`), with escaped text and http(s)/mailto URLs. The unit tests
//! (`fast/tests.rs`) and the `sanitize` fuzz target check that its output is byte-identical
//! to the full sanitiser's on everything it accepts.
//!
//! It reads tags with its own exact tokenizer ([`tag_name`], [`attributes`], [`end_tag`]), not
//! the crate's tolerant tag reader (`crate::markup`): where that reader guesses (unquoted
//! values, odd characters in names, a tag cut off), this one must refuse, since whatever it
//! accepts it writes out without a parser.
//!
//! In: a post's HTML and its base URL. Out: the sanitised `String`, or `None`.

mod escape;
#[cfg(test)]
mod tests;

use std::borrow::Cow;

use url::Url;

use self::escape::{decode, escape, escape_attribute};
use super::policy::{
    link_scheme, FAST_ATTRIBUTES, FAST_BLOCK, FAST_INLINE, FAST_PHRASING_BLOCK,
    FAST_URL_ATTRIBUTES, VOID,
};

/// Deeper nesting goes to the full sanitiser (and its own depth guard).
const MAX_DEPTH: usize = 64;

/// Sanitised `html`, or `None` when it needs the full sanitiser.
pub(super) fn clean(html: &str, base: Option<&Url>) -> Option<String> {
    if html.contains('\u{feff}') {
        // The HTML parser drops a byte order mark at the start, and after leading white space
        // too (found by fuzzing: ` \u{feff}x`); wherever one is, the parser decides.
        return None;
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
