//! Entity and character references, rewritten to what XML accepts and what authors meant.
//!
//! In: document text. Out: the same text (`Cow::Borrowed` when nothing changes) in which HTML
//! named entities are numeric references, unknown names and bare `&` are escaped text, C1
//! references (`&#146;`) are their windows-1252 characters, runs of references spelling UTF-8
//! bytes are decoded once, and plain-text entities the DOCTYPE declares are expanded (bounded;
//! never external or nested ones).

use std::borrow::Cow;

use super::markup::{find, root_start};

/// Rewrites entity references that XML would reject or that mean something else in practice:
/// HTML named entities become numeric references, unknown names are escaped so they show as
/// text, and C1 numeric references become their windows-1252 characters. CDATA sections and
/// comments are left alone. Entities the document declares in its DOCTYPE as plain text are
/// expanded ([`declared_entities`]).
pub fn fix_entities(s: &str) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    let declared = declared_entities(s);
    let mut budget = MAX_ENTITY_EXPANSION;
    // Made only at the first change (most documents need none); holds `s[..copied]` and the
    // replacements so far.
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    let bytes = s.as_bytes();
    while let Some(p) = memchr::memchr2(b'&', b'<', &bytes[i..]) {
        let at = i + p;
        let rest = &s[at..];
        // The five XML references (escaped HTML is full of them) need nothing.
        let xml_reference = [&b"&lt;"[..], b"&gt;", b"&amp;", b"&quot;", b"&apos;"]
            .into_iter()
            .find(|r| rest.as_bytes().starts_with(r));
        if let Some(r) = xml_reference {
            i = at + r.len();
            continue;
        }
        if rest.starts_with('<') {
            // CDATA sections and comments are left as they are.
            let end = if rest.starts_with("<![CDATA[") {
                find(rest, "]]>").map(|e| e + 3)
            } else if rest.starts_with("<!--") {
                find(rest, "-->").map(|e| e + 3)
            } else {
                Some(1)
            };
            i = at + end.unwrap_or(rest.len());
            continue;
        }
        let (replacement, used) = match declared_reference(rest, &declared, &mut budget) {
            Some((expanded, used)) => (Some(expanded), used),
            None => reference_fix(rest),
        };
        if let Some(r) = replacement {
            let o = out.get_or_insert_with(|| String::with_capacity(s.len() + 64));
            o.push_str(&s[copied..at]);
            o.push_str(&r);
            copied = at + used;
        }
        i = at + used;
    }
    match out {
        None => Cow::Borrowed(s),
        Some(mut o) => {
            o.push_str(&s[copied..]);
            Cow::Owned(o)
        }
    }
}

/// Bytes that declared entities may add to a document in all: each expansion is plain text
/// (never another reference), so this bounds the output however many references there are.
const MAX_ENTITY_EXPANSION: usize = 1 << 20;

/// The general entities a DOCTYPE's internal subset declares as plain text
/// (`<!ENTITY id "tag:example.com,">`), as (name, value). Never followed: external entities
/// (`SYSTEM`/`PUBLIC`, which would read files or the network), parameter entities, and values
/// holding `&`, `%` or `<` (references inside references are how entity bombs grow).
fn declared_entities(s: &str) -> Vec<(&str, &str)> {
    let prolog = &s[..root_start(s).unwrap_or(0)];
    let mut out = Vec::new();
    let mut rest = prolog;
    while let Some(at) = rest.find("<!ENTITY") {
        rest = &rest[at + 8..];
        let decl = rest.trim_start();
        let name_len = decl.find(|c: char| c.is_whitespace()).unwrap_or(decl.len());
        let (name, after) = decl.split_at(name_len);
        let after = after.trim_start();
        let Some(quote) = after.chars().next().filter(|q| matches!(q, '"' | '\'')) else {
            continue; // external (SYSTEM/PUBLIC) or malformed
        };
        let Some(len) = after[1..].find(quote) else {
            continue;
        };
        let value = &after[1..1 + len];
        let name_ok = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'));
        if name_ok && !value.contains(['&', '%', '<']) && out.len() < 64 {
            out.push((name, value));
        }
    }
    out
}

/// For the `&` at the start of `s`: the expansion of a declared entity, escaped as XML text,
/// and the bytes of `s` it replaces, while the expansion budget lasts.
fn declared_reference(
    s: &str,
    declared: &[(&str, &str)],
    budget: &mut usize,
) -> Option<(String, usize)> {
    if declared.is_empty() {
        return None;
    }
    let semicolon = s.find(';')?;
    let name = &s[1..semicolon];
    let (_, value) = declared.iter().find(|(n, _)| *n == name)?;
    *budget = budget.checked_sub(value.len())?;
    let escaped = value
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;");
    Some((escaped, semicolon + 1))
}

/// For the `&` at the start of `s`: what to write instead (`None`: keep it) and how many
/// bytes that covers.
fn reference_fix(s: &str) -> (Option<String>, usize) {
    // A run of numeric references that spell UTF-8 bytes (`&#226;&#128;&#166;`) is text
    // that was encoded twice: decode the bytes.
    if let Some((decoded, used)) = utf8_reference_run(s) {
        let refs = decoded
            .chars()
            .map(|c| format!("&#{};", c as u32))
            .collect();
        return (Some(refs), used);
    }
    // An entity reference: &name; or &#n; or &#xh;
    let body_end = s[1..]
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
        .map(|e| e + 1)
        .unwrap_or(s.len());
    let name = &s[1..body_end];
    if name.is_empty() || !s[body_end..].starts_with(';') {
        // A bare ampersand: escape it so the XML parser reads it as text.
        return (Some("&amp;".to_string()), 1);
    }
    (entity_replacement(name), body_end + 1)
}

/// At the start of `s`, a run of two or more numeric character references below 256 that
/// together are valid multi-byte UTF-8: the decoded text and the bytes of `s` consumed.
fn utf8_reference_run(s: &str) -> Option<(String, usize)> {
    let mut bytes = Vec::new();
    let mut used = 0;
    let mut rest = s;
    while let Some(after) = rest.strip_prefix('&') {
        let Some(end) = after.find(';').filter(|&e| e <= 10) else {
            break;
        };
        let name = &after[..end];
        if matches!(name, "amp" | "lt" | "gt" | "quot" | "apos") {
            break; // ASCII, so never part of a multi-byte sequence (the common case: be quick)
        }
        let value = if let Some(num) = name.strip_prefix('#') {
            match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => num.parse::<u32>().ok(),
            }
        } else {
            // Latin-1 named entities (&acirc;) take part in the same mistake.
            let reference = format!("&{name};");
            let decoded = html_escape::decode_html_entities(&reference);
            let mut chars = decoded.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if decoded != reference => Some(c as u32),
                _ => None,
            }
        };
        match value {
            Some(v) if v <= 255 => bytes.push(v as u8),
            _ => break,
        }
        used += 1 + end + 1;
        rest = &after[end + 1..];
    }
    if bytes.len() < 2 || bytes.iter().all(|b| b.is_ascii()) {
        return None;
    }
    let text = std::str::from_utf8(&bytes).ok()?;
    (!text.is_ascii()).then(|| (text.to_string(), used))
}

/// What to write instead of `&name;`, or `None` to keep it.
fn entity_replacement(name: &str) -> Option<String> {
    if matches!(name, "amp" | "lt" | "gt" | "quot" | "apos") {
        return None;
    }
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => num.parse::<u32>().ok(),
        };
        return match code {
            Some(c @ 0x80..=0x9f) => {
                let byte = [c as u8];
                let ch = encoding_rs::WINDOWS_1252
                    .decode_without_bom_handling(&byte)
                    .0;
                Some(format!(
                    "&#{};",
                    ch.chars().next().map(|c| c as u32).unwrap_or(0xfffd)
                ))
            }
            // Not a character XML allows: drop the reference rather than fail the whole feed.
            Some(c) if !xml_char(c) => Some(String::new()),
            Some(_) => None,
            None => Some(format!("&amp;{name};")),
        };
    }
    // HTML 4.01 (which feeds were written against) maps these two to U+2329/U+232A; HTML5
    // changed them.
    match name {
        "lang" => return Some("&#9001;".into()),
        "rang" => return Some("&#9002;".into()),
        _ => {}
    }
    let reference = format!("&{name};");
    let decoded = html_escape::decode_html_entities(&reference);
    if decoded != reference {
        let mut s = String::new();
        for c in decoded.chars() {
            s.push_str(&format!("&#{};", c as u32));
        }
        Some(s)
    } else {
        // Unknown: keep it visible as text, as feed readers do.
        Some(format!("&amp;{name};"))
    }
}

fn xml_char(c: u32) -> bool {
    matches!(c, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities() {
        assert_eq!(
            fix_entities("<t>&aacute; &amp; &lt;</t>"),
            "<t>&#225; &amp; &lt;</t>"
        );
        assert_eq!(fix_entities("<t>don&#146;t</t>"), "<t>don&#8217;t</t>");
        assert_eq!(
            fix_entities("<t>&doesnotexist; AT&T</t>"),
            "<t>&amp;doesnotexist; AT&amp;T</t>"
        );
        assert_eq!(
            fix_entities("<![CDATA[&nbsp;]]>&nbsp;"),
            "<![CDATA[&nbsp;]]>&#160;"
        );
        assert_eq!(fix_entities("<t>&#1;</t>"), "<t></t>");
        // Entities declared as text in the DOCTYPE are expanded; external, parameter and
        // nested ones are not (they stay visible as text).
        let doc = "<!DOCTYPE rss [\n<!ENTITY id \"tag:example.com,\">\n<!ENTITY ext SYSTEM \"file:///etc/passwd\">\n<!ENTITY lol \"&id;&id;\">\n<!ENTITY % p \"x\">\n]>\n<rss><guid>&id;2006</guid><t>&ext;&lol;</t></rss>";
        let fixed = fix_entities(doc);
        assert!(
            fixed
                .ends_with("<rss><guid>tag:example.com,2006</guid><t>&amp;ext;&amp;lol;</t></rss>"),
            "{fixed}"
        );
        // The expansion is bounded: past the budget, references stay text.
        let big = format!(
            "<!DOCTYPE r [<!ENTITY b \"{}\">]><r>{}</r>",
            "x".repeat(1000),
            "&b;".repeat(2000)
        );
        let fixed = fix_entities(&big);
        assert!(
            fixed.len() < big.len() + MAX_ENTITY_EXPANSION + 1000,
            "{}",
            fixed.len()
        );
        assert!(fixed.contains("&amp;b;"));
        assert!(matches!(fix_entities("<t>plain</t>"), Cow::Borrowed(_)));
    }
}
