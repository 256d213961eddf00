//! xml:base (XML Base, W3C) for entry bodies: feed-rs resolves it for links but not for the HTML
//! inside `content`/`summary`, so this pre-scan finds the base in effect at each entry's body.
//!
//! In: the raw XML and the document URL. Out: per entry (document order), the base for its
//! content and for its summary. Only run when the document mentions `xml:base` at all.

use quick_xml::events::{BytesStart, Event};
use url::Url;

/// The base URLs in effect for one entry's body elements.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EntryBases {
    pub content: Option<Url>,
    pub summary: Option<Url>,
}

/// Scans `body` for entries (`entry`, `item`) and the bases of their body elements
/// (`content`, `content:encoded`; `summary`, `description`). Malformed XML ends the scan early;
/// entries not reached then fall back to the ordinary base.
pub fn entry_bases(body: &[u8], doc: &Url) -> Vec<EntryBases> {
    if !contains(body, b"xml:base") {
        return Vec::new();
    }
    let mut reader = quick_xml::Reader::from_reader(body);
    reader.config_mut().check_end_names = false;
    let mut buf = Vec::new();
    // One base per open element, so End simply pops.
    let mut stack: Vec<Url> = vec![doc.clone()];
    let mut entry_depth: Option<usize> = None;
    let mut out: Vec<EntryBases> = Vec::new();
    while let Ok(event) = reader.read_event_into(&mut buf) {
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_empty = matches!(event, Event::Empty(_));
                let top = stack.last().cloned().unwrap_or_else(|| doc.clone());
                let base = own_base(e, &top).unwrap_or(top);
                let local = e.local_name();
                let name: &str = local.as_ref();
                match entry_depth {
                    None if name == "entry" || name == "item" => {
                        out.push(EntryBases::default());
                        if !is_empty {
                            entry_depth = Some(stack.len() + 1);
                        }
                    }
                    Some(_) => {
                        if let Some(last) = out.last_mut() {
                            match name {
                                "content" | "encoded" if last.content.is_none() => {
                                    last.content = Some(base.clone())
                                }
                                "summary" | "description" if last.summary.is_none() => {
                                    last.summary = Some(base.clone())
                                }
                                _ => {}
                            }
                        }
                    }
                    None => {}
                }
                if !is_empty {
                    stack.push(base);
                }
            }
            Event::End(_) => {
                if entry_depth == Some(stack.len()) {
                    entry_depth = None;
                }
                if stack.len() > 1 {
                    stack.pop();
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    out
}

/// The element's own xml:base resolved against the inherited base (RFC 3986 §5.1.1).
fn own_base(e: &BytesStart, inherited: &Url) -> Option<Url> {
    let attr = e
        .attributes()
        .flatten()
        .find(|a| AsRef::<str>::as_ref(&a.key) == "xml:base")?;
    let raw: &str = &attr.value;
    let value = html_escape::decode_html_entities(&raw);
    inherited
        .join(value.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_bases_resolve_against_each_other() {
        let doc = Url::parse("http://feed.example/dir/feed.xml").unwrap();
        let xml = br#"<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://a.example/x/">
            <entry xml:base="y/"><content type="html" xml:base="z/">c</content><summary>s</summary></entry>
            <entry><content>c</content></entry>
            <entry xml:base="/abs/"><link href="l"/></entry>
          </feed>"#;
        let bases = entry_bases(xml, &doc);
        assert_eq!(bases.len(), 3);
        assert_eq!(
            bases[0].content.as_ref().unwrap().as_str(),
            "http://a.example/x/y/z/"
        );
        assert_eq!(
            bases[0].summary.as_ref().unwrap().as_str(),
            "http://a.example/x/y/"
        );
        assert_eq!(
            bases[1].content.as_ref().unwrap().as_str(),
            "http://a.example/x/"
        );
        assert_eq!(bases[2].content, None);
    }

    #[test]
    fn documents_without_xml_base_are_not_scanned() {
        let doc = Url::parse("http://feed.example/").unwrap();
        assert!(entry_bases(b"<rss><channel><item/></channel></rss>", &doc).is_empty());
    }

    #[test]
    fn javascript_base_is_ignored() {
        let doc = Url::parse("http://feed.example/").unwrap();
        let bases = entry_bases(
            br#"<feed xml:base="javascript:alert(1)//"><entry><content>x</content></entry></feed>"#,
            &doc,
        );
        assert_eq!(
            bases[0].content.as_ref().unwrap().as_str(),
            "http://feed.example/"
        );
    }
}
