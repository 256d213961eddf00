//! Bytes to UTF-8 text: which character encoding a feed is in, and decoding it.
//!
//! In: the raw body and the HTTP `Content-Type` charset. Out: a `String`, never an error: the
//! byte-order mark wins, then the HTTP charset, then the XML declaration, else UTF-8 with each
//! stray byte read as windows-1252 (a post pasted from a word processor). Also drops the XML
//! declaration, which no longer holds once the text is UTF-8.

use std::borrow::Cow;

use encoding_rs::Encoding;

/// The `charset` parameter of a Content-Type header.
pub fn charset_of(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches(|c| c == '"' || c == '\''))
    })
}

/// Decodes `body` to UTF-8. Order: byte-order mark, HTTP charset, XML declaration, UTF-8.
/// Where the bytes claim UTF-8 but are not, each invalid byte is read as windows-1252 (the
/// usual mistake: a post pasted from a word processor).
pub fn to_utf8(body: Vec<u8>, http_charset: Option<&str>) -> String {
    if let Some((enc, bom_len)) = Encoding::for_bom(&body) {
        return enc
            .decode_without_bom_handling(&body[bom_len..])
            .0
            .into_owned();
    }
    // UTF-16 without a BOM still starts "<?xml" as 16-bit units.
    if body.starts_with(&[0, b'<', 0, b'?']) {
        return encoding_rs::UTF_16BE
            .decode_without_bom_handling(&body)
            .0
            .into_owned();
    }
    if body.starts_with(&[b'<', 0, b'?', 0]) {
        return encoding_rs::UTF_16LE
            .decode_without_bom_handling(&body)
            .0
            .into_owned();
    }
    let label = http_charset
        .filter(|l| Encoding::for_label(l.as_bytes()).is_some())
        .map(str::to_string)
        .or_else(|| declared_encoding(&body));
    let encoding = label
        .as_deref()
        .and_then(|l| Encoding::for_label(l.as_bytes()))
        .unwrap_or(encoding_rs::UTF_8);
    // A document cannot really be UTF-16 once we got here (no BOM, ASCII-looking start), and
    // us-ascii is a subset that real feeds overrun: read both as UTF-8.
    if encoding == encoding_rs::UTF_8
        || encoding == encoding_rs::UTF_16LE
        || encoding == encoding_rs::UTF_16BE
        || label
            .as_deref()
            .is_some_and(|l| l.eq_ignore_ascii_case("us-ascii"))
    {
        return utf8_with_1252_fallback(body);
    }
    encoding.decode_without_bom_handling(&body).0.into_owned()
}

fn utf8_with_1252_fallback(body: Vec<u8>) -> String {
    let body = match String::from_utf8(body) {
        Ok(text) => return text,
        Err(e) => e.into_bytes(),
    };
    let mut out = String::with_capacity(body.len() + 16);
    for chunk in body.utf8_chunks() {
        out.push_str(chunk.valid());
        if !chunk.invalid().is_empty() {
            out.push_str(
                &encoding_rs::WINDOWS_1252
                    .decode_without_bom_handling(chunk.invalid())
                    .0,
            );
        }
    }
    out
}

/// The `encoding` of an XML declaration at the start of an ASCII-compatible document.
fn declared_encoding(body: &[u8]) -> Option<String> {
    let head = &body[..body.len().min(256)];
    let head = std::str::from_utf8(head)
        .map(Cow::Borrowed)
        .unwrap_or_else(|_| String::from_utf8_lossy(head));
    let decl = head.trim_start().strip_prefix("<?xml")?;
    let decl = &decl[..decl.find("?>")?];
    let pos = decl.find("encoding")?;
    let rest = decl[pos + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    Some(value[..value.find(quote)?].trim().to_string())
}

/// Drops a leading `<?xml ...?>`: the text is UTF-8 now, whatever the declaration said.
pub(super) fn strip_xml_declaration(s: &str) -> &str {
    if let Some(rest) = s.strip_prefix("<?xml") {
        if rest.starts_with(|c: char| c.is_whitespace() || c == '?') {
            if let Some(end) = rest.find("?>") {
                return &rest[end + 2..];
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        // BOM wins; UTF-16 with a BOM.
        let mut utf16 = vec![0xFF, 0xFE];
        for u in "<rss>é</rss>".encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(to_utf8(utf16, Some("iso-8859-1")), "<rss>é</rss>");
        // HTTP charset over the declaration.
        let latin1 = b"<?xml version=\"1.0\" encoding=\"utf-8\"?><t>\xe9</t>";
        assert!(to_utf8(latin1.to_vec(), Some("iso-8859-1")).ends_with("<t>é</t>"));
        // The declaration when HTTP says nothing.
        let decl = b"<?xml version=\"1.0\" encoding=\"windows-1252\"?><t>\x93hi\x94</t>";
        assert!(to_utf8(decl.to_vec(), None).ends_with("<t>\u{201c}hi\u{201d}</t>"));
        // Undeclared windows-1252 bytes inside UTF-8 text.
        let mixed = [b"<t>caf".as_slice(), "é".as_bytes(), b" \x93q\x94</t>"].concat();
        assert_eq!(to_utf8(mixed, None), "<t>café \u{201c}q\u{201d}</t>");
        assert_eq!(
            charset_of("text/xml; charset=\"Windows-1252\""),
            Some("Windows-1252")
        );
    }
}
