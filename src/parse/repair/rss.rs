//! RSS rewrites: what RSS 0.9x, 1.0 and 2.0 feeds in the wild carry that feed-rs would reject,
//! drop or panic on.
//!
//! In: document text whose root is `<rss>` or `<rdf:RDF>`. Out: the same text
//! (`Cow::Borrowed` when nothing changes) with UserLand's and Netscape's old namespaces renamed,
//! old body elements (`<fullitem>`, `<body>`) as `content:encoded`, RSS 1.0 items given a
//! `<link>`, and e-mail addresses in contact elements spaced off non-ASCII neighbours.

use std::borrow::Cow;

use super::markup::{attribute, cdata, find, has, next_start_tag};

/// `<rss>` with no or an unknown version reads as RSS 2.0; then the RSS rewrites. `start` and
/// `tag_end` are the offsets of the root start tag's `<` and `>`.
pub(super) fn fix_rss_root(s: &str, start: usize, tag_end: usize) -> Cow<'_, str> {
    let tag = &s[start..tag_end];
    let version = attribute(tag, "version");
    if !has(s, "<channel") && has(s, "<item") && !tag.ends_with('/') {
        if let Some(end) = s.rfind("</rss>").filter(|e| *e > tag_end) {
            // Items straight under `<rss>`, with no channel: the channel is put around them.
            let fixed = format!(
                "{}<channel>{}</channel>{}",
                &s[..=tag_end],
                &s[tag_end + 1..end],
                &s[end..]
            );
            return Cow::Owned(fix_rss_root(&fixed, start, tag_end).into_owned());
        }
    }
    if matches!(version, Some("2.0" | "0.91" | "0.92")) {
        return rss_fixes(s);
    }
    let new_tag = match version {
        Some(v) => {
            tag.replacen(&format!("\"{v}\""), "\"2.0\"", 1)
                .replacen(&format!("'{v}'"), "'2.0'", 1)
        }
        None => format!("<rss version=\"2.0\"{}", &tag[4..]),
    };
    let fixed = format!("{}{}{}", &s[..start], new_tag, &s[tag_end..]);
    Cow::Owned(rss_fixes(&fixed).into_owned())
}

/// RSS 1.0 (`<rdf:RDF>`): items get their links, then the RSS rewrites.
pub(super) fn fix_rdf_root(s: &str) -> Cow<'_, str> {
    let with_links = rdf_item_links(s);
    match rss_fixes(&with_links) {
        Cow::Owned(o) => Cow::Owned(o),
        Cow::Borrowed(_) => with_links,
    }
}

fn rss_fixes(s: &str) -> Cow<'_, str> {
    let fixed = match rss_namespaces(s) {
        Cow::Borrowed(_) => rss_bodies(s),
        Cow::Owned(o) => Cow::Owned(rss_bodies(&o).into_owned()),
    };
    let fixed = match rss_bare_markup(&fixed) {
        Cow::Borrowed(_) => fixed,
        Cow::Owned(o) => Cow::Owned(o),
    };
    match rss_contacts(&fixed) {
        Cow::Borrowed(_) => fixed,
        Cow::Owned(o) => Cow::Owned(o),
    }
}

/// A `description` or `content:encoded` holding unescaped elements (`<description><p>…</p>
/// </description>`) holds that HTML: it is wrapped in CDATA, so the parser reads it as the
/// body's text instead of dropping the child elements.
fn rss_bare_markup(s: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(s);
    for name in ["description", "content:encoded"] {
        let end_tag = format!("</{name}>");
        let mut from = 0;
        while let Some((_, gt)) = next_start_tag(&out, from, name) {
            from = gt + 1;
            if out[..gt].ends_with('/') {
                continue;
            }
            let Some(end) = find(&out[gt..], &end_tag).map(|e| gt + e) else {
                break;
            };
            let inner = &out[gt + 1..end];
            if !holds_elements(inner) {
                from = end;
                continue;
            }
            let wrapped = cdata(inner);
            out.to_mut().replace_range(gt + 1..end, &wrapped);
            from = gt + 1 + wrapped.len();
        }
    }
    out
}

/// Whether an element's content has child elements (a `<` before a letter) and no CDATA or
/// comment whose meaning wrapping would change.
fn holds_elements(inner: &str) -> bool {
    let bytes = inner.as_bytes();
    let mut child = false;
    for at in memchr::memchr_iter(b'<', bytes) {
        match bytes.get(at + 1) {
            Some(b'!') => return false,
            Some(c) if c.is_ascii_alphabetic() => child = true,
            _ => {}
        }
    }
    child
}

/// Default namespaces that some RSS publishers declared and feed-rs does not know: RSS 2.0 in
/// UserLand's namespace reads as plain RSS 2.0, RSS 0.90 as RSS 1.0.
fn rss_namespaces(s: &str) -> Cow<'_, str> {
    // Every namespace below is one of these two hosts': two searches through the document
    // instead of eight when it names neither (nearly always).
    if !has(s, "//backend.userland.com/rss") && !has(s, "//my.netscape.com/rdf/simple/0.9/") {
        return Cow::Borrowed(s);
    }
    let mut out = Cow::Borrowed(s);
    // RSS elements under a prefix bound to UserLand's namespace (`<r:item>`) lose the prefix.
    for ns in [
        "http://backend.userland.com/rss2",
        "http://backend.userland.com/rss",
    ] {
        let decl_pos =
            find(&out, &format!("=\"{ns}\"")).or_else(|| find(&out, &format!("='{ns}'")));
        let Some(pos) = decl_pos else { continue };
        let before = &out[..pos];
        let Some(prefix) = before.rfind("xmlns:").map(|x| before[x + 6..].to_string()) else {
            continue;
        };
        if prefix.is_empty()
            || !prefix
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        {
            continue;
        }
        out = Cow::Owned(
            out.replace(&format!("xmlns:{prefix}=\"{ns}\""), "")
                .replace(&format!("<{prefix}:"), "<")
                .replace(&format!("</{prefix}:"), "</"),
        );
    }
    for (from, to) in [
        ("xmlns=\"http://backend.userland.com/rss2\"", ""),
        ("xmlns=\"http://backend.userland.com/rss\"", ""),
        ("xmlns='http://backend.userland.com/rss2'", ""),
        (
            "\"http://my.netscape.com/rdf/simple/0.9/\"",
            "\"http://purl.org/rss/1.0/\"",
        ),
    ] {
        if has(&out, from) {
            out = Cow::Owned(out.replace(from, to));
        }
    }
    out
}

/// Old RSS body elements feed-rs does not read become `content:encoded`: `<fullitem>` (escaped
/// HTML) and `<body>`/`<xhtml:body>` (inline XHTML, wrapped in CDATA).
fn rss_bodies(s: &str) -> Cow<'_, str> {
    if !has(s, "<fullitem") && !has(s, "<body") && !has(s, ":body") {
        return Cow::Borrowed(s);
    }
    let open = format!("<content:encoded xmlns:content=\"{CONTENT_NS}\">");
    let mut out = s
        .replace("<fullitem>", &open)
        .replace("</fullitem>", "</content:encoded>");
    for prefix in ["xhtml:", ""] {
        let name = format!("{prefix}body");
        let end_tag = format!("</{name}>");
        let mut from = 0;
        while let Some((pos, gt)) = next_start_tag(&out, from, &name) {
            let Some(end) = find(&out[gt..], &end_tag).map(|e| gt + e) else {
                break;
            };
            let inner = out[gt + 1..end]
                .replace("<xhtml:", "<")
                .replace("</xhtml:", "</")
                .replace("]]>", "]]]]><![CDATA[>");
            let replacement = format!("{open}<![CDATA[{inner}]]></content:encoded>");
            out.replace_range(pos..end + end_tag.len(), &replacement);
            from = pos + replacement.len();
        }
    }
    Cow::Owned(out)
}

const CONTENT_NS: &str = "http://purl.org/rss/1.0/modules/content/";

/// feed-rs 3.0 reads an e-mail address out of RSS `<author>`, `<managingEditor>`,
/// `<webMaster>`, Dublin Core `<dc:creator>` and iTunes `<itunes:author>` and `<itunes:name>`,
/// and then slices the text one byte beside the address, which panics when that byte is inside
/// a multi-byte character (`me@example.comé`, `Zoë <†me@example.org>`). Such an element's
/// text gets a space between the address and the character, so the feed parses and the
/// author survives. (Under another namespace prefix the panic still fails that feed alone.)
fn rss_contacts(s: &str) -> Cow<'_, str> {
    if memchr::memchr(b'@', s.as_bytes()).is_none() {
        return Cow::Borrowed(s); // no address anywhere
    }
    let mut out = Cow::Borrowed(s);
    for name in [
        "author",
        "managingEditor",
        "webMaster",
        "dc:creator",
        "itunes:author",
        "itunes:name",
    ] {
        let close = format!("</{name}>");
        let mut from = 0;
        while let Some((_, gt)) = next_start_tag(&out, from, name) {
            from = gt + 1;
            if out[..gt].ends_with('/') {
                continue;
            }
            // Without an end tag, the parser still reads the text up to the next tag.
            let end = out[gt..]
                .find(&close)
                .or_else(|| out[gt + 1..].find('<').map(|e| e + 1))
                .map_or(out.len(), |e| gt + e);
            let inner = &out[gt + 1..end];
            if !inner.contains('@') || (inner.is_ascii() && !inner.contains("&#")) {
                continue;
            }
            let Some((text, len)) = contact_text(inner) else {
                continue;
            };
            let spaced = space_addresses(&text);
            if spaced == text {
                continue;
            }
            let escaped = quick_xml::escape::escape(spaced.as_str()).into_owned();
            out.to_mut().replace_range(gt + 1..gt + 1 + len, &escaped);
            from = gt + 1 + escaped.len();
        }
    }
    out
}

/// The text the parser reads from an element's content: everything before its first child
/// element, CDATA unwrapped, references resolved, comments dropped; and the byte length of that
/// leading part. `None` when a reference is not XML or a section is not closed (the parser
/// will report those).
fn contact_text(inner: &str) -> Option<(String, usize)> {
    let mut text = String::new();
    let mut at = 0;
    loop {
        let rest = &inner[at..];
        let lt = rest.find('<').unwrap_or(rest.len());
        text.push_str(&quick_xml::escape::unescape(&rest[..lt]).ok()?);
        at += lt;
        let rest = &inner[at..];
        if let Some(r) = rest.strip_prefix("<![CDATA[") {
            let e = r.find("]]>")?;
            text.push_str(&r[..e]);
            at += 9 + e + 3;
        } else if rest.starts_with("<!--") {
            at += rest.find("-->")? + 3;
        } else {
            return Some((text, at));
        }
    }
}

/// A space on each side of a word holding `@` where the neighbouring character is not ASCII.
pub(super) fn space_addresses(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    let mut prev_ascii = true;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if !c.is_ascii() || c.is_ascii_whitespace() {
            out.push(c);
            prev_ascii = c.is_ascii();
            continue;
        }
        let end = text[i..]
            .find(|c: char| !c.is_ascii() || c.is_ascii_whitespace())
            .map_or(text.len(), |e| i + e);
        let word = &text[i..end];
        let needs_space = word.contains('@');
        if needs_space && !prev_ascii {
            out.push(' ');
        }
        out.push_str(word);
        if needs_space && text[end..].starts_with(|c: char| !c.is_ascii()) {
            out.push(' ');
        }
        while chars.peek().is_some_and(|&(j, _)| j < end) {
            chars.next();
        }
        prev_ascii = true;
    }
    out
}

/// feed-rs drops RSS 1.0 items without a `<link>`; an item's `rdf:about` is its address, so
/// it becomes the link when the item has none. An item with neither gets a link that is not a
/// web address ([`NO_LINK`]): the parser keeps the item, and normalising drops the link.
pub(super) fn rdf_item_links(s: &str) -> Cow<'_, str> {
    let mut out = String::new();
    let mut at = 0;
    let mut from = 0;
    while let Some((pos, gt)) = next_start_tag(s, from, "item") {
        let tag = &s[pos..gt];
        let end = find(&s[gt..], "</item>").map_or(s.len(), |e| gt + e);
        from = gt + 1;
        if tag.ends_with('/') || has(&s[gt..end], "<link") {
            continue;
        }
        let about = attribute(tag, "rdf:about").or_else(|| attribute(tag, "about"));
        out.push_str(&s[at..=gt]);
        out.push_str(&format!("<link>{}</link>", about.unwrap_or(NO_LINK)));
        at = gt + 1;
    }
    if at == 0 {
        return Cow::Borrowed(s);
    }
    out.push_str(&s[at..]);
    Cow::Owned(out)
}

/// The stand-in link of an RSS 1.0 item that has none (not http(s), so never shown or used).
const NO_LINK: &str = "urn:x-mercury:no-link";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_rss_bodies() {
        let rss = rss_bodies("<item><body xmlns=\"http://www.w3.org/1999/xhtml\">a <b>b</b></body><fullitem>&lt;i&gt;</fullitem></item>");
        assert!(
            rss.contains("<![CDATA[a <b>b</b>]]></content:encoded>"),
            "{rss}"
        );
        assert!(rss.contains("\">&lt;i&gt;</content:encoded>"), "{rss}");
    }
}
