//! Atom rewrites: Atom 0.3 read as Atom 1.0, and text constructs feed-rs would reject.
//!
//! In: document text whose root is `<feed>` or `<entry>`. Out: the same text (`Cow::Borrowed`
//! when nothing changes) in the Atom 1.0 namespace with 1.0's element names, base64 bodies
//! decoded, and every `title`, `subtitle`, `summary`, `content` and `rights` typed so that
//! feed-rs reads it (RFC 4287 §3.1, §4.1.3): empty ones dropped, markup under a MIME type or in
//! plain text turned into HTML.

use std::borrow::Cow;
use std::ops::Range;

use quick_xml::events::{BytesStart, Event};

use super::markup::{attribute, cdata, has, next_start_tag};

/// An Atom root: Atom 0.3 reads as 1.0, an unprefixed `<feed>` in no or another namespace is put
/// in Atom's; then the text constructs. `start` and `tag_end` are the offsets of the root start
/// tag's `<` and `>`, `name` its qualified name.
pub(super) fn fix_atom_root<'s>(
    s: &'s str,
    start: usize,
    tag_end: usize,
    name: &str,
) -> Cow<'s, str> {
    let tag = &s[start..tag_end];
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
    let atom = match text_links(&atom) {
        Cow::Owned(o) => Cow::Owned(o),
        Cow::Borrowed(_) => atom,
    };
    match atom_text_constructs(&atom) {
        Cow::Owned(o) => Cow::Owned(o),
        Cow::Borrowed(_) => atom,
    }
}

/// A `<link>` with its URL as text and no `href` (Atom 0.3 feeds in the wild) gets the text as
/// its `href`, so it counts like any other link of its `rel`.
fn text_links(s: &str) -> Cow<'_, str> {
    if !has(s, "</link>") {
        return Cow::Borrowed(s); // Atom links are empty elements: nearly always nothing to do
    }
    let mut out = String::new();
    let mut copied = 0;
    let mut from = 0;
    while let Some((pos, gt)) = next_start_tag(s, from, "link") {
        from = gt + 1;
        let tag = &s[pos..gt];
        if tag.ends_with('/') || attribute(tag, "href").is_some() {
            continue;
        }
        let Some(end) = s[gt + 1..].find('<').map(|e| gt + 1 + e) else {
            break;
        };
        if !s[end..].starts_with("</link>") {
            continue;
        }
        let url = s[gt + 1..end].trim();
        if url.is_empty() || url.contains('"') {
            continue;
        }
        out.push_str(&s[copied..gt]);
        out.push_str(&format!(" href=\"{url}\"/>"));
        copied = end + "</link>".len();
        from = copied;
    }
    if copied == 0 {
        return Cow::Borrowed(s);
    }
    out.push_str(&s[copied..]);
    Cow::Owned(out)
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

/// Atom text constructs feed-rs would reject, rewritten to what they mean: `type=""` is text;
/// inline XHTML under a MIME type (`application/xhtml+xml`, Atom 0.3's `mode="xml"`) is HTML;
/// a non-text MIME type is base64 (RFC 4287 §4.1.3.3), decoded; an empty element is dropped
/// rather than failing the whole feed. Everything else is copied byte for byte.
fn atom_text_constructs(s: &str) -> Cow<'_, str> {
    let mut walk = Walk {
        s,
        offset: 0,
        reader: reader_at(s, 0),
        edits: Vec::new(),
    };
    while walk.next_construct().is_some() {}
    apply_edits(s, walk.edits)
}

/// The elements RFC 4287 §3.1 calls text constructs (`content` is read the same way).
const TEXT_CONSTRUCTS: [&str; 5] = ["title", "subtitle", "summary", "content", "rights"];

/// An XML reader over `s[at..]`, not checking end tag names (the documents are often broken).
fn reader_at(s: &str, at: usize) -> quick_xml::Reader<&[u8]> {
    let mut reader = quick_xml::Reader::from_str(&s[at..]);
    reader.config_mut().check_end_names = false;
    reader
}

/// A walk through a document's text constructs, collecting the rewrites to make.
struct Walk<'s> {
    s: &'s str,
    /// The reader reads `s[offset..]`: it starts again past a construct found without it.
    offset: usize,
    reader: quick_xml::Reader<&'s [u8]>,
    /// Byte ranges of `s` and their replacements, in document order.
    edits: Vec<(Range<usize>, String)>,
}

impl<'s> Walk<'s> {
    /// Where the reader is, as an offset in `s`.
    fn position(&self) -> usize {
        self.offset + self.reader.buffer_position() as usize
    }

    /// Reads up to and through the next text construct, noting its rewrite if it needs one.
    /// `None`: the walk is over (end of document, or XML it cannot follow).
    fn next_construct(&mut self) -> Option<()> {
        let s = self.s;
        let before = self.position();
        let event = match self.reader.read_event() {
            Ok(Event::Eof) | Err(_) => return None,
            Ok(e) => e,
        };
        let (start, is_empty) = match event {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            _ => return Some(()),
        };
        let local = start.local_name();
        if !TEXT_CONSTRUCTS.contains(&AsRef::<str>::as_ref(&local)) {
            return Some(());
        }
        let tag_end = self.position();
        // The reader's positions are byte offsets; on malformed input (a byte-order mark
        // mid-document) they can fall inside a character: stop rewriting there.
        let raw_tag = s.get(before..tag_end)?;
        let kind = attribute(raw_tag, "type").map(|t| t.trim().to_ascii_lowercase());
        if is_empty {
            if start
                .attributes()
                .flatten()
                .all(|a| AsRef::<str>::as_ref(&a.key) != "src")
            {
                self.edits.push((before..tag_end, String::new()));
            }
            return Some(());
        }
        let plain = matches!(
            kind.as_deref(),
            None | Some("text" | "html" | "xhtml" | "text/html")
        );
        if plain && !raw_tag.contains("mode=") {
            self.plain_construct(&start, before..tag_end, kind.as_deref())
        } else {
            self.typed_construct(&start, before, raw_tag, kind.as_deref())
        }
    }

    /// A construct typed as text or HTML (`tag` spans its start tag): dropped when empty,
    /// turned into HTML when it holds element markup, else left alone.
    fn plain_construct(
        &mut self,
        start: &BytesStart,
        tag: Range<usize>,
        kind: Option<&str>,
    ) -> Option<()> {
        let (before, tag_end) = (tag.start, tag.end);
        let (inner_end, close) = match text_only(self.s, tag_end, start.name().into_inner()) {
            Some(found) => found,
            None => {
                let span = self.reader.read_to_end(start.name()).ok()?;
                (self.offset + span.end as usize, self.position())
            }
        };
        let inner = self.s.get(tag_end..inner_end.min(self.s.len()))?;
        if let Some(rewritten) = plain_rewrite(start, inner, kind) {
            self.edits.push((before..close, rewritten));
        }
        if close > self.position() {
            self.offset = close;
            self.reader = reader_at(self.s, close);
        }
        Some(())
    }

    /// A construct under a MIME type (or Atom 0.3's `mode`), rewritten with the type feed-rs
    /// reads; `before` is the offset of its `<`, `raw_tag` its start tag.
    fn typed_construct(
        &mut self,
        start: &BytesStart,
        before: usize,
        raw_tag: &str,
        kind: Option<&str>,
    ) -> Option<()> {
        let span = self.reader.read_to_end(start.name()).ok()?;
        let close = self.position();
        let inner = self
            .s
            .get(self.offset + span.start as usize..self.offset + span.end as usize)?;
        let (new_type, body) = retyped(kind, raw_tag, inner);
        let tag_name = start.name();
        let tag_name: &str = tag_name.as_ref();
        let attrs = other_attributes(start);
        self.edits.push((
            before..close,
            format!("<{tag_name}{attrs} type=\"{new_type}\">{body}</{tag_name}>"),
        ));
        Some(())
    }
}

/// What a text or HTML construct with text `inner` becomes, or `None` to keep it.
fn plain_rewrite(start: &BytesStart, inner: &str, kind: Option<&str>) -> Option<String> {
    if inner.trim().is_empty() && kind != Some("xhtml") {
        // Empty: dropped rather than failing the whole feed.
        return Some(String::new());
    }
    if kind == Some("xhtml") || !naked_markup(inner) {
        return None;
    }
    // Child elements in a text construct: the publisher meant HTML. Typepad wrote
    // `type="html"` around an XHTML `<div>` holding escaped HTML: that text is the HTML.
    let tag_name = start.name();
    let tag_name: &str = tag_name.as_ref();
    let body = match escaped_in_xhtml_div(inner) {
        Some(escaped) if kind == Some("html") => escaped.to_string(),
        _ => cdata(inner),
    };
    Some(format!(
        "<{tag_name}{} type=\"html\">{body}</{tag_name}>",
        other_attributes(start),
    ))
}

/// The type and body a construct under a MIME type is read as: an empty type or `text/plain`
/// is text; XML types (and 0.3's `mode="xml"`) are HTML; other non-text types are base64
/// (RFC 4287 §4.1.3.3), decoded as HTML, or text when they do not decode.
fn retyped(kind: Option<&str>, raw_tag: &str, inner: &str) -> (&'static str, String) {
    match kind {
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
    }
}

/// `s` with the `edits` made, skipping any that overlap an earlier one or end inside a
/// character; `Cow::Borrowed` when there are none.
fn apply_edits(s: &str, edits: Vec<(Range<usize>, String)>) -> Cow<'_, str> {
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
fn other_attributes(start: &BytesStart) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
