//! A second, light pass over the (repaired) XML for what feed-rs does not give us: the xml:base
//! in effect at each entry's body (XML Base, nested), RSS 1.0 `rdf:about` ids, whether an RSS
//! guid is a permalink, and Dublin Core / dcterms fields (creator, subject, description,
//! modified, issued) that feed-rs ignores in RSS 2.0.
//!
//! In: the XML text and the document URL. Out: [`Extras`], one [`EntryExtras`] per entry in
//! document order. The caller uses them only when the count matches feed-rs's entries.

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use url::Url;

use crate::web_url::WebUrl;

/// What the scan found outside feed-rs's model, for the feed and for each entry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extras {
    pub feed_dc_title: Option<String>,
    pub entries: Vec<EntryExtras>,
}

#[derive(Debug, Clone, Default, PartialEq, Hash)]
pub struct EntryExtras {
    /// The base URL for the content body and for the summary body.
    pub content_base: Option<Url>,
    pub summary_base: Option<Url>,
    /// RSS 1.0 `rdf:about`.
    pub about: Option<String>,
    /// RSS 2.0 `<guid>`'s text and whether it is a permalink (the default, per the RSS spec).
    pub guid: Option<(String, bool)>,
    /// dc:title, for an entry with no title of its own.
    pub dc_title: Option<String>,
    /// dc:creator, dc:author, dc:contributor, itunes:author.
    pub authors: Vec<String>,
    /// dc:subject and the old `<tags>` element (comma-separated).
    pub subjects: Vec<String>,
    /// dc:description, or a non-standard `<summary>` in RSS.
    pub description: Option<String>,
    /// dcterms:modified (raw text).
    pub modified: Option<String>,
    /// dcterms:issued / dcterms:created (raw text).
    pub issued: Option<String>,
    /// The entry element's own `xml:lang` (feed-rs reads it only on `<content>`).
    pub lang: Option<String>,
}

/// Scans `xml`. Malformed XML ends the scan early (what was found so far is returned).
///
/// This is the read loop only: what a tag means is the [`Scanner`]'s to decide.
pub fn scan(xml: &str, doc: &Url) -> Extras {
    let mut reader = quick_xml::NsReader::from_str(xml);
    reader.config_mut().check_end_names = false;
    let mut scanner = Scanner::new(doc);
    loop {
        let (ns, event) = match reader.read_resolved_event() {
            Ok((_, Event::Eof)) | Err(_) => break,
            Ok((ns, e)) => (canonical_prefix(ns), e),
        };
        let (e, is_empty) = match &event {
            Event::Start(e) => (e.clone(), false),
            Event::Empty(e) => (e.clone(), true),
            Event::End(_) => {
                scanner.close();
                continue;
            }
            _ => continue,
        };
        let Some(opened) = scanner.open(ns, &e, is_empty) else {
            continue;
        };
        let text = if opened.reads_text {
            // Read the element's text now (this consumes its end tag, so no push).
            let Ok(span) = reader.read_to_end(e.name()) else {
                break;
            };
            let raw = &xml[span.start as usize..(span.end as usize).min(xml.len())];
            Some(element_text(raw))
        } else {
            None
        };
        scanner.note(opened, text, &e);
    }
    scanner.out
}

/// Where the scan is: the base in effect in each open element, the depths at which the
/// current entry and channel opened, and what was found so far.
struct Scanner<'d> {
    doc: &'d Url,
    out: Extras,
    /// One base per open element, so End simply pops.
    bases: Vec<Url>,
    entry_depth: Option<usize>,
    channel_depth: Option<usize>,
}

/// A start tag as [`Scanner::open`] judged it, for [`Scanner::note`].
struct Opened<'e> {
    /// The base in effect inside the element (its own xml:base, else the inherited one).
    base: Url,
    qname: Cow<'e, str>,
    is_empty: bool,
    in_entry: bool,
    /// Directly under the entry, where its fields and bodies are.
    direct_child: bool,
    /// Its text is read now: a field of the entry, or the channel's `dc:title`.
    reads_text: bool,
}

impl<'d> Scanner<'d> {
    fn new(doc: &'d Url) -> Self {
        Scanner {
            doc,
            out: Extras::default(),
            bases: vec![doc.clone()],
            entry_depth: None,
            channel_depth: None,
        }
    }

    /// An end tag: the element that closes was open at depth `bases.len()`.
    fn close(&mut self) {
        for depth in [&mut self.entry_depth, &mut self.channel_depth] {
            if *depth == Some(self.bases.len()) {
                *depth = None;
            }
        }
        if self.bases.len() > 1 {
            self.bases.pop();
        }
    }

    /// A start (or empty) tag `e` in namespace `ns`. An entry's start is recorded here and
    /// gives `None`; any other element is returned judged, for its text to be read or not.
    fn open<'e>(
        &mut self,
        ns: Option<&str>,
        e: &'e BytesStart,
        is_empty: bool,
    ) -> Option<Opened<'e>> {
        let top = self
            .bases
            .last()
            .cloned()
            .unwrap_or_else(|| self.doc.clone());
        let base = own_base(e, &top).unwrap_or(top);
        let local = e.local_name().into_inner();
        let qname = qualified_name(ns, local, e);
        let depth_after = self.bases.len() + 1;

        if self.entry_depth.is_none() && (local == "entry" || local == "item") {
            self.out.entries.push(EntryExtras {
                about: attr(e, "rdf:about"),
                lang: attr(e, "xml:lang"),
                ..Default::default()
            });
            if !is_empty {
                self.entry_depth = Some(depth_after);
                self.bases.push(base);
            }
            return None;
        }
        if self.entry_depth.is_none() && local == "channel" && !is_empty {
            self.channel_depth = Some(depth_after);
        }
        let in_entry = self.entry_depth.is_some();
        let direct_child = self.entry_depth == Some(self.bases.len());
        let reads_text = !is_empty
            && ((in_entry && direct_child && wants_text(&qname))
                || (self.channel_depth == Some(self.bases.len()) && qname == "dc:title"));
        Some(Opened {
            base,
            qname,
            is_empty,
            in_entry,
            direct_child,
            reads_text,
        })
    }

    /// Records what an opened element (start tag `e`) says, with its `text` if it was read.
    /// An element whose text was not read stays open: its base is pushed until its end tag.
    fn note(&mut self, opened: Opened, text: Option<String>, e: &BytesStart) {
        let qname: &str = &opened.qname;
        let read = text.is_some();
        if let Some(entry) = self.out.entries.last_mut().filter(|_| opened.in_entry) {
            if opened.direct_child {
                note_body_base(entry, qname, &opened.base);
                if let Some(t) = text.filter(|t| !t.is_empty()) {
                    note_text(entry, qname, t, e);
                }
            }
        } else if qname == "dc:title" {
            if let Some(t) = text {
                self.out.feed_dc_title.get_or_insert(t);
            }
        }
        if !read && !opened.is_empty {
            self.bases.push(opened.base);
        }
    }
}

/// The name by namespace and local name, spelled with the usual prefix (`content:encoded`
/// whatever prefix the feed bound), so a prefixed Atom `a:content` is the content.
fn qualified_name<'n>(ns: Option<&str>, local: &'n str, e: &BytesStart) -> Cow<'n, str> {
    match ns {
        Some("") => Cow::Borrowed(local),
        Some(prefix) => Cow::Owned(format!("{prefix}:{local}")),
        None => Cow::Owned(e.name().into_inner().to_string()),
    }
}

/// An entry's body element `qname` opened under `base`: the first of each kind sets the base
/// its relative links resolve against.
fn note_body_base(entry: &mut EntryExtras, qname: &str, base: &Url) {
    match qname {
        "content" | "content:encoded" | "body" | "xhtml:body" | "fullitem"
            if entry.content_base.is_none() =>
        {
            entry.content_base = Some(base.clone())
        }
        "summary" | "description" if entry.summary_base.is_none() => {
            entry.summary_base = Some(base.clone())
        }
        _ => {}
    }
}

/// The text `t` of an entry's child element `qname` (start tag `e`), where it belongs.
fn note_text(entry: &mut EntryExtras, qname: &str, t: String, e: &BytesStart) {
    match qname {
        "guid" => {
            let permalink = attr(e, "isPermaLink")
                .map(|v| !v.trim().eq_ignore_ascii_case("false"))
                .unwrap_or(true);
            entry.guid = Some((t, permalink));
        }
        "dc:creator" | "dc:author" | "dc:contributor" | "itunes:author" => entry.authors.push(t),
        "dc:subject" => entry.subjects.push(t),
        "dc:title" => {
            entry.dc_title.get_or_insert(t);
        }
        "tags" => entry.subjects.extend(
            t.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
        ),
        "dc:description" | "summary" => {
            entry.description.get_or_insert(t);
        }
        "dcterms:modified" => entry.modified = Some(t),
        "dcterms:issued" | "dcterms:created" => {
            entry.issued.get_or_insert(t);
        }
        _ => {}
    }
}

/// RSS `<link>` texts whose spelling the URL parser changes (`http://item.TEST` is read as
/// `http://item.test/`), as (parsed, written). feed-rs gives links parsed; with these the
/// caller shows a link as the member wrote it. A quick text search, not an XML pass: it runs
/// on every feed, and the list is nearly always empty.
pub fn link_spellings(xml: &str) -> Vec<(Url, String)> {
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(at) = super::repair::find(rest, "<link>") {
        rest = &rest[at + 6..];
        let Some(end) = super::repair::find(rest, "</link>") else {
            break;
        };
        let written = element_text(&rest[..end]);
        rest = &rest[end..];
        if written.chars().any(|c| c.is_whitespace() || c.is_control()) {
            continue;
        }
        if let Ok(parsed) = Url::parse(&written) {
            if parsed.as_str() != written && WebUrl::is_web(&parsed) {
                out.push((parsed, written));
            }
        }
    }
    out
}

/// Elements directly under an entry whose text the scan reads.
fn wants_text(qname: &str) -> bool {
    matches!(
        qname,
        "guid"
            | "summary"
            | "dc:creator"
            | "dc:author"
            | "dc:contributor"
            | "itunes:author"
            | "dc:subject"
            | "dc:title"
            | "tags"
            | "dc:description"
            | "dcterms:modified"
            | "dcterms:issued"
            | "dcterms:created"
    )
}

/// The text of an element's raw content: CDATA unwrapped, references decoded, trimmed.
fn element_text(raw: &str) -> String {
    let mut out = String::new();
    let mut rest = raw;
    while let Some(pos) = rest.find("<![CDATA[") {
        out.push_str(&html_escape::decode_html_entities(&rest[..pos]));
        let after = &rest[pos + 9..];
        let end = after.find("]]>").unwrap_or(after.len());
        out.push_str(&after[..end]);
        rest = after.get(end + 3..).unwrap_or("");
    }
    out.push_str(&html_escape::decode_html_entities(rest));
    out.trim().to_string()
}

fn attr(e: &BytesStart, name: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        let key: &str = a.key.as_ref();
        (key == name).then(|| {
            let v: &str = &a.value;
            html_escape::decode_html_entities(v).into_owned()
        })
    })
}

/// The prefix an element's namespace is matched under: `Some("")` for the feed formats' own
/// namespaces (Atom 1.0 and 0.3, RSS 1.0 and 0.90) and for no namespace at all, the customary
/// prefix for the modules the scan reads, and `None` (the name as written) for any other
/// namespace or an undeclared prefix, which sloppy feeds use for `dc:` and `content:`.
fn canonical_prefix(ns: ResolveResult) -> Option<&'static str> {
    let ResolveResult::Bound(ns) = ns else {
        return matches!(ns, ResolveResult::Unbound).then_some("");
    };
    let uri = ns.into_inner();
    let uri = uri.trim().trim_end_matches(['/', '#']).to_ascii_lowercase();
    let uri = uri
        .strip_prefix("http://")
        .or_else(|| uri.strip_prefix("https://"))
        .unwrap_or(&uri);
    Some(match uri {
        "www.w3.org/2005/atom"
        | "purl.org/atom/ns"
        | "purl.org/rss/1.0"
        | "my.netscape.com/rdf/simple/0.9"
        | "backend.userland.com/rss2"
        | "backend.userland.com/rss" => "",
        "purl.org/rss/1.0/modules/content" => "content",
        "purl.org/dc/elements/1.1" => "dc",
        "purl.org/dc/terms" => "dcterms",
        "www.w3.org/1999/xhtml" => "xhtml",
        "www.itunes.com/dtds/podcast-1.0.dtd" => "itunes",
        _ => return None,
    })
}

/// The element's own xml:base resolved against the inherited base (RFC 3986 §5.1.1).
fn own_base(e: &BytesStart, inherited: &Url) -> Option<Url> {
    let value = attr(e, "xml:base")?;
    inherited.join(value.trim()).ok().filter(WebUrl::is_web)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Url {
        Url::parse("http://feed.example/dir/feed.xml").unwrap()
    }

    #[test]
    fn nested_bases_resolve_against_each_other() {
        let xml = r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://a.example/x/">
            <entry xml:base="y/"><content type="html" xml:base="z/">c</content><summary>s</summary></entry>
            <entry><content>c</content></entry>
            <entry xml:base="/abs/"><link href="l"/></entry>
          </feed>"#;
        let x = scan(xml, &doc());
        assert_eq!(x.entries.len(), 3);
        assert_eq!(
            x.entries[0].content_base.as_ref().unwrap().as_str(),
            "http://a.example/x/y/z/"
        );
        assert_eq!(
            x.entries[0].summary_base.as_ref().unwrap().as_str(),
            "http://a.example/x/y/"
        );
        assert_eq!(
            x.entries[1].content_base.as_ref().unwrap().as_str(),
            "http://a.example/x/"
        );
        assert_eq!(x.entries[2].content_base, None);
    }

    #[test]
    fn javascript_base_is_ignored() {
        let x = scan(
            r#"<feed xml:base="javascript:alert(1)//"><entry><content>x</content></entry></feed>"#,
            &doc(),
        );
        assert_eq!(x.entries[0].content_base.as_ref().unwrap(), &doc());
    }

    #[test]
    fn elements_are_matched_by_namespace_not_by_prefix() {
        let xml = r#"<feed xmlns="http://www.w3.org/2005/Atom" xmlns:a="http://www.w3.org/2005/Atom"
              xmlns:c="http://purl.org/rss/1.0/modules/content/" xmlns:x="urn:other">
            <entry><a:content xml:base="http://a.example/c/">c</a:content>
              <a:summary xml:base="http://a.example/s/">s</a:summary></entry>
            <entry><x:content xml:base="http://a.example/no/">c</x:content>
              <c:encoded xml:base="http://a.example/e/">e</c:encoded></entry>
          </feed>"#;
        let x = scan(xml, &doc());
        assert_eq!(
            x.entries[0].content_base.as_ref().unwrap().as_str(),
            "http://a.example/c/"
        );
        assert_eq!(
            x.entries[0].summary_base.as_ref().unwrap().as_str(),
            "http://a.example/s/"
        );
        assert_eq!(
            x.entries[1].content_base.as_ref().unwrap().as_str(),
            "http://a.example/e/"
        );
    }

    #[test]
    fn dublin_core_and_rss_extras() {
        let xml = r#"<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/">
          <channel><dc:title>DC Title</dc:title>
          <item><guid isPermaLink="false">g1</guid><dc:author>Ann</dc:author><dc:subject>a</dc:subject>
            <dc:subject><![CDATA[b & c]]></dc:subject><tags>x, y</tags><dc:description>d &amp; e</dc:description>
            <dcterms:modified>2003-12-31T10:14:55Z</dcterms:modified><image><link>http://no/</link></image></item>
          <item><guid>http://guid.example.com/</guid></item>
          </channel></rss>"#;
        let x = scan(xml, &doc());
        assert_eq!(x.feed_dc_title.as_deref(), Some("DC Title"));
        let e = &x.entries[0];
        assert_eq!(e.guid, Some(("g1".into(), false)));
        assert_eq!(e.authors, vec!["Ann"]);
        assert_eq!(e.subjects, vec!["a", "b & c", "x", "y"]);
        assert_eq!(e.description.as_deref(), Some("d & e"));
        assert_eq!(e.modified.as_deref(), Some("2003-12-31T10:14:55Z"));
        assert_eq!(
            x.entries[1].guid,
            Some(("http://guid.example.com/".into(), true))
        );
    }

    #[test]
    fn rdf_about() {
        let xml = r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
          <channel rdf:about="http://example.com/index.rdf"><title>t</title></channel>
          <item rdf:about="http://example.org/1"><title>x</title></item></rdf:RDF>"#;
        let x = scan(xml, &doc());
        assert_eq!(x.entries.len(), 1);
        assert_eq!(x.entries[0].about.as_deref(), Some("http://example.org/1"));
    }
}
