//! Makes real-world feed bytes readable by a strict XML parser, without changing what they say.
//!
//! In: the raw body and the HTTP `Content-Type`. Out: UTF-8 bytes with no XML declaration, in
//! which: the character encoding has been applied (BOM, then HTTP charset, then the XML
//! declaration, else UTF-8 with windows-1252 for stray bytes); HTML named entities, which XML
//! does not define, are numeric references; C1 references (`&#146;`) are the windows-1252
//! characters their authors meant; `<rss>` without a version reads as RSS 2.0; and Atom 0.3 reads
//! as Atom 1.0. Invalid bytes never abort the feed.

use std::borrow::Cow;

mod encoding;
mod entities;
mod markup;
mod rss;

use encoding::strip_xml_declaration;
pub use encoding::{charset_of, to_utf8};
pub use entities::fix_entities;
use rss::{rdf_item_links, rss_fixes};

// The searches the rest of `parse` uses too (scan.rs, the scan decision).
use markup::{attribute, cdata, root_start};
pub(crate) use markup::{find, has};

/// Everything this module does, in order. JSON bodies only get their encoding applied.
pub fn repair(body: Vec<u8>, content_type: Option<&str>) -> String {
    let mut text = to_utf8(body, content_type.and_then(charset_of));
    let trimmed = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return text;
    }
    let stripped = strip_xml_declaration(trimmed);
    let start = text.len() - stripped.len();
    let mut text = match fixes(stripped) {
        Some(fixed) => fixed,
        None => {
            // Most documents need no fix: the decoded text is kept, not copied.
            text.drain(..start);
            text
        }
    };
    close_truncated_end_tag(&mut text);
    text
}

/// The entity and root fixes, when they change anything.
fn fixes(s: &str) -> Option<String> {
    let entities = fix_entities(s);
    if let Cow::Owned(fixed) = fix_root(&entities) {
        return Some(fixed);
    }
    match entities {
        Cow::Owned(fixed) => Some(fixed),
        Cow::Borrowed(_) => None,
    }
}

/// A document cut off inside its last end tag (`...</feed`) gets its `>` back.
fn close_truncated_end_tag(text: &mut String) {
    let trimmed_len = text.trim_end().len();
    let tail = &text[..trimmed_len];
    if let Some(pos) = tail.rfind("</") {
        let name = &tail[pos + 2..];
        if !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || c == ':' || c == '-')
        {
            text.truncate(trimmed_len);
            text.push('>');
        }
    }
}

/// Fixes the root element for the parser: `<rss>` with no or an unknown version is read as
/// RSS 2.0; Atom 0.3 (`http://purl.org/atom/ns#`) is read as Atom 1.0 with its renamed elements.
fn fix_root(s: &str) -> Cow<'_, str> {
    let Some(start) = root_start(s) else {
        return Cow::Borrowed(s);
    };
    let tag_end = match s[start..].find('>') {
        Some(e) => start + e,
        None => return Cow::Borrowed(s),
    };
    let tag = &s[start..tag_end];
    let name: String = tag[1..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '/' && *c != '>')
        .collect();
    if name == "rss" || name.ends_with(":rss") {
        let version = attribute(tag, "version");
        if !matches!(version, Some("2.0" | "0.91" | "0.92")) {
            let new_tag = match version {
                Some(v) => tag.replacen(&format!("\"{v}\""), "\"2.0\"", 1).replacen(
                    &format!("'{v}'"),
                    "'2.0'",
                    1,
                ),
                None => format!("<rss version=\"2.0\"{}", &tag[4..]),
            };
            let fixed = format!("{}{}{}", &s[..start], new_tag, &s[tag_end..]);
            return Cow::Owned(rss_fixes(&fixed).into_owned());
        }
        return rss_fixes(s);
    } else if name.ends_with("RDF") {
        let with_links = rdf_item_links(s);
        return match rss_fixes(&with_links) {
            Cow::Owned(o) => Cow::Owned(o),
            Cow::Borrowed(_) => with_links,
        };
    } else if name == "feed" || name == "entry" || name.ends_with(":feed") {
        let atom = if has(s, "http://purl.org/atom/ns#") {
            Cow::Owned(atom03_to_10(s))
        } else if name == "feed" && attribute(tag, "xmlns") != Some(ATOM_NS) {
            // An unprefixed <feed> in no or an unknown namespace is Atom all the same.
            let new_tag = match attribute(tag, "xmlns") {
                Some(ns) => tag.replacen(ns, ATOM_NS, 1),
                None => format!("<feed xmlns=\"{ATOM_NS}\"{}", &tag[5..]),
            };
            Cow::Owned(format!("{}{}{}", &s[..start], new_tag, &s[tag_end..]))
        } else {
            Cow::Borrowed(s)
        };
        return match atom_text_constructs(&atom) {
            Cow::Owned(o) => Cow::Owned(o),
            Cow::Borrowed(_) => atom,
        };
    }
    Cow::Borrowed(s)
}

/// Atom text constructs feed-rs would reject, rewritten to what they mean: `type=""` is text;
/// inline XHTML under a MIME type (`application/xhtml+xml`, Atom 0.3's `mode="xml"`) is HTML;
/// a non-text MIME type is base64 (RFC 4287 §4.1.3.3), decoded; an empty element is dropped
/// rather than failing the whole feed. Everything else is copied byte for byte.
fn atom_text_constructs(s: &str) -> Cow<'_, str> {
    use quick_xml::events::Event;
    const TEXT_CONSTRUCTS: [&str; 5] = ["title", "subtitle", "summary", "content", "rights"];
    let reader_at = |at: usize| {
        let mut reader = quick_xml::Reader::from_str(&s[at..]);
        reader.config_mut().check_end_names = false;
        reader
    };
    // The reader reads `s[offset..]`: it starts again past a construct found without it.
    let mut offset = 0;
    let mut reader = reader_at(offset);
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    loop {
        let before = offset + reader.buffer_position() as usize;
        let event = match reader.read_event() {
            Ok(Event::Eof) | Err(_) => break,
            Ok(e) => e,
        };
        let (start, is_empty) = match &event {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            _ => continue,
        };
        let local = start.local_name();
        let name: &str = local.as_ref();
        if !TEXT_CONSTRUCTS.contains(&name) {
            continue;
        }
        let tag_end = offset + reader.buffer_position() as usize;
        // The reader's positions are byte offsets; on malformed input (a byte-order mark
        // mid-document) they can fall inside a character: stop rewriting there.
        let Some(raw_tag) = s.get(before..tag_end) else {
            break;
        };
        let kind = attribute(raw_tag, "type").map(|t| t.trim().to_ascii_lowercase());
        if is_empty {
            if start
                .attributes()
                .flatten()
                .all(|a| AsRef::<str>::as_ref(&a.key) != "src")
            {
                edits.push((before..tag_end, String::new()));
            }
            continue;
        }
        let plain = matches!(
            kind.as_deref(),
            None | Some("text" | "html" | "xhtml" | "text/html")
        );
        if plain && !raw_tag.contains("mode=") {
            let (inner_end, close) = match text_only(s, tag_end, start.name().into_inner()) {
                Some(found) => found,
                None => match reader.read_to_end(start.name()) {
                    Ok(span) => (
                        offset + span.end as usize,
                        offset + reader.buffer_position() as usize,
                    ),
                    Err(_) => break,
                },
            };
            let Some(inner) = s.get(tag_end..inner_end.min(s.len())) else {
                break;
            };
            if inner.trim().is_empty() && kind.as_deref() != Some("xhtml") {
                // Empty: dropped rather than failing the whole feed.
                edits.push((before..close, String::new()));
            } else if kind.as_deref() != Some("xhtml") && naked_markup(inner) {
                // Child elements in a text construct: the publisher meant HTML. Typepad wrote
                // `type="html"` around an XHTML `<div>` holding escaped HTML: that text is the
                // HTML.
                let tag_name = start.name();
                let tag_name: &str = tag_name.as_ref();
                let body = match escaped_in_xhtml_div(inner) {
                    Some(escaped) if kind.as_deref() == Some("html") => escaped.to_string(),
                    _ => cdata(inner),
                };
                edits.push((
                    before..close,
                    format!(
                        "<{tag_name}{} type=\"html\">{body}</{tag_name}>",
                        other_attributes(start),
                    ),
                ));
            }
            if close > offset + reader.buffer_position() as usize {
                offset = close;
                reader = reader_at(offset);
            }
            continue;
        }
        let tag_name = start.name();
        let tag_name: &str = tag_name.as_ref();
        let tag_name = tag_name.to_string();
        let span = match reader.read_to_end(start.name()) {
            Ok(span) => span,
            Err(_) => break,
        };
        let close = offset + reader.buffer_position() as usize;
        let Some(inner) = s.get(offset + span.start as usize..offset + span.end as usize) else {
            break;
        };
        let (new_type, body) = match kind.as_deref() {
            Some("") => ("text", inner.to_string()),
            Some("text/plain") => ("text", inner.to_string()),
            Some(t)
                if t.ends_with("xhtml+xml")
                    || t.ends_with("/xml")
                    || t.ends_with("+xml")
                    || raw_tag.contains("mode=\"xml\"") =>
            {
                ("html", cdata(inner))
            }
            Some(t) if !t.starts_with("text/") => {
                use base64::Engine;
                let compact: String = inner.chars().filter(|c| !c.is_whitespace()).collect();
                match base64::engine::general_purpose::STANDARD.decode(compact.as_bytes()) {
                    Ok(bytes) => ("html", cdata(&String::from_utf8_lossy(&bytes))),
                    Err(_) => ("text", inner.to_string()),
                }
            }
            _ => ("html", inner.to_string()),
        };
        let attrs = other_attributes(start);
        edits.push((
            before..close,
            format!("<{tag_name}{attrs} type=\"{new_type}\">{body}</{tag_name}>"),
        ));
    }
    if edits.is_empty() {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut at = 0;
    for (range, replacement) in edits {
        if range.start < at || !s.is_char_boundary(range.end) {
            continue;
        }
        let Some(before) = s.get(at..range.start) else {
            continue;
        };
        out.push_str(before);
        out.push_str(&replacement);
        at = range.end;
    }
    out.push_str(&s[at..]);
    Cow::Owned(out)
}

/// The end of a text construct's text and of its end tag, when the text holds no markup at all
/// (the usual case: plain text or escaped HTML) and so ends at the first `<`. `None` otherwise:
/// the XML reader walks it. Much cheaper than the reader, which stops at every `&lt;`.
fn text_only(s: &str, from: usize, name: &str) -> Option<(usize, usize)> {
    let (b, name) = (s.as_bytes(), name.as_bytes());
    let lt = from + memchr::memchr(b'<', b.get(from..)?)?;
    let after_name = b[lt..].strip_prefix(b"</")?.strip_prefix(name)?;
    let spaces = after_name
        .iter()
        .take_while(|c| c.is_ascii_whitespace())
        .count();
    (after_name.get(spaces) == Some(&b'>')).then_some((lt, lt + 2 + name.len() + spaces + 1))
}

/// The attributes of a start tag except `type` and `mode`, as source text.
fn other_attributes(start: &quick_xml::events::BytesStart) -> String {
    let mut attrs = String::new();
    for a in start.attributes().flatten() {
        let key: &str = a.key.as_ref();
        if key == "type" || key == "mode" {
            continue;
        }
        let value: &str = &a.value;
        attrs.push_str(&format!(" {key}=\"{value}\""));
    }
    attrs
}

/// Whether text content holds element markup outside CDATA sections.
fn naked_markup(inner: &str) -> bool {
    let mut rest = inner;
    while let Some(pos) = rest.find('<') {
        let at = &rest[pos..];
        if let Some(after) = at.strip_prefix("<![CDATA[") {
            rest = after.find("]]>").map(|e| &after[e + 3..]).unwrap_or("");
        } else if at.starts_with("<!--") {
            rest = at.find("-->").map(|e| &at[e + 3..]).unwrap_or("");
        } else {
            return true;
        }
    }
    false
}

/// The text of `inner` when it is one XHTML `<div>` holding only text (escaped HTML, as
/// Typepad wrote it), still escaped.
fn escaped_in_xhtml_div(inner: &str) -> Option<&str> {
    let inner = inner.trim();
    let gt = inner.find('>')?;
    let open = &inner[..gt];
    let text = inner[gt + 1..].strip_suffix("</div>")?;
    (open.starts_with("<div")
        && open.contains("http://www.w3.org/1999/xhtml")
        && !open.ends_with('/')
        && !text.contains('<'))
    .then_some(text)
}

const ATOM_NS: &str = "http://www.w3.org/2005/Atom";
/// Atom 0.3 → Atom 1.0: the namespace, base64 bodies decoded, and the elements 1.0 renamed
/// (RFC 4287 appendix).
fn atom03_to_10(s: &str) -> String {
    let mut out =
        decode_base64_bodies(s).replace("http://purl.org/atom/ns#", "http://www.w3.org/2005/Atom");
    for (old, new) in [
        ("issued", "published"),
        ("modified", "updated"),
        ("tagline", "subtitle"),
        ("copyright", "rights"),
    ] {
        for (from, to) in [
            (format!("<{old}>"), format!("<{new}>")),
            (format!("<{old} "), format!("<{new} ")),
            (format!("</{old}>"), format!("</{new}>")),
        ] {
            out = out.replace(&from, &to);
        }
    }
    // 0.3's `mode="escaped"` content is what 1.0 calls type="html".
    out.replace("mode=\"escaped\"", "")
        .replace("mode='escaped'", "")
}

/// Replaces the text of every element marked `mode="base64"` by its decoded, escaped text.
fn decode_base64_bodies(s: &str) -> Cow<'_, str> {
    use base64::Engine;
    if !has(s, "base64") {
        return Cow::Borrowed(s);
    }
    let mut out = s.to_string();
    let mut from = 0;
    while let Some(pos) = out[from..]
        .find("mode=\"base64\"")
        .or_else(|| out[from..].find("mode='base64'"))
        .map(|p| p + from)
    {
        let Some(gt) = out[pos..].find('>').map(|g| pos + g) else {
            break;
        };
        let Some(lt) = out[gt..].find("</").map(|l| gt + l) else {
            break;
        };
        let encoded: String = out[gt + 1..lt]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded.as_bytes())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        let tag_start = out[..pos].rfind('<').unwrap_or(pos);
        let has_type = attribute(&out[tag_start..gt], "type").is_some();
        out.replace_range(gt + 1..lt, &cdata(&decoded));
        // Without a type, Atom 0.3 bodies were HTML in practice.
        let mode_len = "mode=\"base64\"".len();
        out.replace_range(
            pos..pos + mode_len,
            if has_type { "" } else { "type=\"html\"" },
        );
        from = pos;
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn double_encoded_references_and_truncated_ends() {
        assert_eq!(fix_entities("<t>&#226;&#128;&#166;</t>"), "<t>&#8230;</t>");
        assert_eq!(fix_entities("<t>&#233;&#233;</t>"), "<t>&#233;&#233;</t>");
        assert_eq!(fix_entities("<t>&lang;</t>"), "<t>&#9001;</t>");
        assert_eq!(
            fix_entities("<t>&acirc;&#128;&brvbar;</t>"),
            "<t>&#8230;</t>"
        );
        let prefixed = fix_root("<r:rss version=\"2.0\" xmlns:r=\"http://backend.userland.com/rss2\"><r:channel><r:title>T</r:title></r:channel></r:rss>");
        assert_eq!(
            prefixed,
            "<rss version=\"2.0\" ><channel><title>T</title></channel></rss>"
        );
        let mut doc = "<feed><title>x</title></feed\n".to_string();
        close_truncated_end_tag(&mut doc);
        assert_eq!(doc, "<feed><title>x</title></feed>");
        let rdf = rdf_item_links("<rdf:RDF><item rdf:about=\"http://e/1\"><title>t</title></item><item rdf:about=\"http://e/2\"><link>http://e/2b</link></item></rdf:RDF>");
        assert!(
            rdf.contains("<item rdf:about=\"http://e/1\"><link>http://e/1</link>"),
            "{rdf}"
        );
        assert!(!rdf.contains("<link>http://e/2</link>"), "{rdf}");
    }

    #[test]
    fn roots() {
        assert_eq!(
            fix_root("<!-- c --><rss><channel/></rss>"),
            "<!-- c --><rss version=\"2.0\"><channel/></rss>"
        );
        assert_eq!(
            fix_root("<rss version=\"0.93\"><channel/></rss>"),
            "<rss version=\"2.0\"><channel/></rss>"
        );
        assert!(matches!(
            fix_root("<rss version=\"2.0\"/>"),
            Cow::Borrowed(_)
        ));
        let atom = fix_root("<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\"><entry><issued>x</issued><content mode=\"escaped\">y</content></entry></feed>");
        assert!(
            atom.contains("http://www.w3.org/2005/Atom")
                && atom.contains("<published>x</published>"),
            "{atom}"
        );
    }

    #[test]
    fn atom_text_constructs_become_readable() {
        let doc = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry>\
            <title type=\"\">evil</title>\
            <summary type=\"application/xhtml+xml\"><div xmlns=\"http://www.w3.org/1999/xhtml\"><b>&#38;</b></div></summary>\
            <content type=\"application/octet-stream\">PGI+aGk8L2I+</content>\
            <rights type=\"html\"></rights><subtitle/></entry></feed>";
        let out = atom_text_constructs(doc);
        assert!(out.contains("<title type=\"text\">evil</title>"), "{out}");
        assert!(out.contains("<summary type=\"html\"><![CDATA[<div xmlns=\"http://www.w3.org/1999/xhtml\"><b>&#38;</b></div>]]></summary>"), "{out}");
        assert!(
            out.contains("<content type=\"html\"><![CDATA[<b>hi</b>]]></content>"),
            "{out}"
        );
        assert!(
            !out.contains("rights") && !out.contains("subtitle"),
            "{out}"
        );
        let fine = "<feed><title>ok</title></feed>";
        assert!(matches!(atom_text_constructs(fine), Cow::Borrowed(_)));
    }

    /// Text constructs holding no markup are skipped without the XML reader (`text_only`); the
    /// constructs after them must still be seen, at the right offsets, and markup still walked.
    #[test]
    fn text_only_constructs_are_skipped_and_what_follows_is_still_fixed() {
        let doc = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry>\
            <title>Fish &amp; chips</title >\
            <content type=\"html\">&lt;p&gt;&lt;b&gt;hi&lt;/b&gt;&lt;/p&gt;</content>\
            <a:summary xmlns:a=\"http://www.w3.org/2005/Atom\">  </a:summary>\
            <rights type=\"html\"><i>naked</i> markup</rights>\
            <subtitle type=\"\">é</subtitle></entry></feed>";
        let out = atom_text_constructs(doc);
        let expected = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry>\
            <title>Fish &amp; chips</title >\
            <content type=\"html\">&lt;p&gt;&lt;b&gt;hi&lt;/b&gt;&lt;/p&gt;</content>\
            <rights type=\"html\"><![CDATA[<i>naked</i> markup]]></rights>\
            <subtitle type=\"text\">é</subtitle></entry></feed>";
        assert_eq!(out, expected);
        assert_eq!(text_only("<t>a</t >b", 3, "t"), Some((4, 9)));
        assert_eq!(text_only("<t>a<i/></t>", 3, "t"), None);
        assert_eq!(text_only("<t>a</tt>", 3, "t"), None);
        assert_eq!(text_only("<t>a", 3, "t"), None);
    }

    #[test]
    fn old_atom_base64_bodies() {
        let b64 = decode_base64_bodies(
            "<content type=\"text/html\" mode=\"base64\">PGI+aGk8L2I+</content>",
        );
        assert_eq!(
            b64,
            "<content type=\"text/html\" ><![CDATA[<b>hi</b>]]></content>"
        );
        let untyped = decode_base64_bodies("<summary mode=\"base64\">PGI+aGk8L2I+</summary>");
        assert_eq!(
            untyped,
            "<summary type=\"html\"><![CDATA[<b>hi</b>]]></summary>"
        );
    }

    #[test]
    fn repair_strips_the_declaration_and_keeps_json() {
        let out = repair(
            b"<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n<rss><t>\xe9</t></rss>".to_vec(),
            None,
        );
        assert_eq!(out, "\n<rss version=\"2.0\"><t>é</t></rss>");
        // Nothing to fix: the decoded text itself, less the declaration and what precedes it.
        let out = repair(
            b" \n<?xml version=\"1.0\"?><rss version=\"2.0\"><t>\xc3\xa9</t></rss".to_vec(),
            None,
        );
        assert_eq!(out, "<rss version=\"2.0\"><t>é</t></rss>");
        assert_eq!(repair(b" {\"a\": 1}".to_vec(), None), " {\"a\": 1}");
    }
}
