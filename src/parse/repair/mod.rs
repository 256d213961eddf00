//! Makes real-world feed bytes readable by a strict XML parser, without changing what they say.
//!
//! In: the raw body and the HTTP `Content-Type`. Out: UTF-8 text with no XML declaration that
//! feed-rs can read. Invalid bytes never abort the feed. This file holds the order of the
//! fixes; each concern has its own file:
//!
//! 1. `encoding`: bytes to UTF-8 (BOM, then HTTP charset, then the XML declaration, else UTF-8
//!    with windows-1252 for stray bytes). JSON bodies stop here.
//! 2. `entities`: HTML named entities, C1 and double-encoded references, declared entities.
//! 3. The root element decides the rest: `rss` (version, namespaces, old bodies, RSS 1.0 links,
//!    contact addresses) or `atom` (0.3 → 1.0, text constructs).
//! 4. A document cut off inside its last end tag gets its `>` back.
//!
//! `markup` holds the text searches they share.

use std::borrow::Cow;

mod atom;
mod encoding;
mod entities;
mod markup;
mod rss;

use encoding::strip_xml_declaration;
pub use encoding::{charset_of, to_utf8};
pub use entities::fix_entities;
use markup::root_start;

// The searches the rest of `parse` uses too (scan.rs, the scan decision).
pub(crate) use markup::{find, has};

/// Everything this module does, in order. JSON bodies only get their encoding applied.
pub fn repair(body: Vec<u8>, content_type: Option<&str>) -> String {
    let mut text = to_utf8(body, content_type.and_then(charset_of));
    let trimmed = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return json_contacts(text);
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

/// A JSON Feed's author names go through the same feed-rs code as RSS contacts
/// ([`rss::space_addresses`]): a name whose address touches a multi-byte character gets a space
/// there. Only when a name needs it is the document read and written again.
fn json_contacts(text: String) -> String {
    use serde_json::Value;
    if text.is_ascii() || !text.contains('@') {
        return text;
    }
    let Ok(mut doc) = serde_json::from_str::<Value>(&text) else {
        return text; // the parser will say what is wrong with it
    };
    fn name(author: &mut Value, changed: &mut bool) {
        if let Some(Value::String(name)) = author.get_mut("name") {
            let spaced = rss::space_addresses(name);
            if spaced != *name {
                *name = spaced;
                *changed = true;
            }
        }
    }
    fn people(holder: &mut Value, changed: &mut bool) {
        if let Some(author) = holder.get_mut("author") {
            name(author, changed);
        }
        if let Some(Value::Array(authors)) = holder.get_mut("authors") {
            authors.iter_mut().for_each(|a| name(a, changed));
        }
    }
    let mut changed = false;
    people(&mut doc, &mut changed);
    if let Some(Value::Array(items)) = doc.get_mut("items") {
        items.iter_mut().for_each(|item| people(item, &mut changed));
    }
    match changed {
        true => serde_json::to_string(&doc).unwrap_or(text),
        false => text,
    }
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

/// The fixes the root element calls for: RSS (`<rss>`, `<rdf:RDF>`) or Atom (`<feed>`,
/// `<entry>`). Other roots (JSON handled earlier, HTML pages) are left as they are.
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
        rss::fix_rss_root(s, start, tag_end)
    } else if name.ends_with("RDF") {
        rss::fix_rdf_root(s)
    } else if name == "feed" || name == "entry" || name.ends_with(":feed") {
        atom::fix_atom_root(s, start, tag_end, &name)
    } else {
        Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::rss::rdf_item_links;
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
