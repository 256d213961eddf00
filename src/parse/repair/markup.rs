//! The small text searches every repair shares: find a string, a start tag, an attribute, the
//! root element; wrap markup in CDATA.
//!
//! In: document text (`&str`). Out: byte offsets and slices of it. A leaf: the repairs import
//! it, it imports none of them. Quick string searches, not an XML parser: the documents reaching
//! the repairs are often not yet well-formed XML, which is why they are being repaired.

/// Where `needle` first occurs in `haystack` (SIMD search: the repairs look through whole
/// documents for rare strings, and `str::find` with a string pattern is several times slower).
pub(crate) fn find(haystack: &str, needle: &str) -> Option<usize> {
    memchr::memmem::find(haystack.as_bytes(), needle.as_bytes())
}

/// Whether `needle` occurs in `haystack` (see [`find`]).
pub(crate) fn has(haystack: &str, needle: &str) -> bool {
    find(haystack, needle).is_some()
}

/// The next start tag of element `name` at or after byte `from` (`<name>` or `<name …>`, not
/// `<names>`): the offsets of its `<` and of its `>`.
pub(super) fn next_start_tag(s: &str, from: usize, name: &str) -> Option<(usize, usize)> {
    let open = format!("<{name}");
    let mut at = from;
    loop {
        let pos = at + find(s.get(at..)?, &open)?;
        let after_name = pos + open.len();
        if s[after_name..].starts_with(|c: char| c == '>' || c.is_whitespace()) {
            return s[pos..].find('>').map(|g| (pos, pos + g));
        }
        at = after_name;
    }
}

/// The value of `name="..."` in a start tag, if present.
pub(super) fn attribute<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let mut search = tag;
    while let Some(pos) = search.find(name) {
        let before_ok = search[..pos].ends_with(|c: char| c.is_whitespace());
        let after = search[pos + name.len()..].trim_start();
        if before_ok {
            if let Some(v) = after.strip_prefix('=') {
                let v = v.trim_start();
                let q = v.chars().next()?;
                if q == '"' || q == '\'' {
                    let inner = &v[1..];
                    return inner.find(q).map(|e| &inner[..e]);
                }
            }
        }
        search = &search[pos + name.len()..];
    }
    None
}

/// Byte offset of the root element's `<`, past comments, processing instructions and DOCTYPE.
pub(super) fn root_start(s: &str) -> Option<usize> {
    let mut i = 0;
    loop {
        let rest = &s[i..];
        let lt = rest.find('<')?;
        let at = &rest[lt..];
        if at.starts_with("<!--") {
            i += lt + at.find("-->")? + 3;
        } else if at.starts_with("<?") {
            i += lt + at.find("?>")? + 2;
        } else if at.starts_with("<!") {
            // DOCTYPE, possibly with an internal subset in brackets.
            let end = match (at.find('['), at.find('>')) {
                (Some(b), Some(g)) if b < g => at.find("]>").map(|e| e + 2).or(Some(g + 1))?,
                (_, Some(g)) => g + 1,
                _ => return None,
            };
            i += lt + end;
        } else {
            return Some(i + lt);
        }
    }
}

/// Wraps markup in a CDATA section (splitting any `]]>` inside it).
pub(super) fn cdata(inner: &str) -> String {
    format!("<![CDATA[{}]]>", inner.replace("]]>", "]]]]><![CDATA[>"))
}
