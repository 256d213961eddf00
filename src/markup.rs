//! A tolerant reader of the tags in a markup string: every start and end tag in order, with its
//! name, its attributes (raw values, entities left as written) and its byte offsets. The
//! sanitiser's passes, its policy check and feed autodiscovery read tags through it.
//!
//! In: HTML text, from a feed, a web page or the serialiser. Out: [`Tag`]s borrowing from it.
//!
//! A tag ends where the HTML tokenizer ends it ([`tag_end`]): a `>` inside a quoted value does
//! not end it, a quote only opens a value after `=`. Otherwise the reader knows no context:
//! comments, `<![CDATA[`, and the text of `script` or `style` are read as text that may hold
//! tags. So it is right about serialiser output (where `<` in text is escaped) and a good guess
//! on anything else: a reader for hints and for passes whose result the allowlist still checks,
//! never for a security decision on its own. A leaf module: it imports nothing from the crate,
//! so every stage may use it.

/// One tag, as [`tags`] reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tag<'a> {
    /// Byte offset of its `<`.
    pub(crate) start: usize,
    /// Byte offset just past its `>`; the input's length when the input ends inside the tag.
    pub(crate) end: usize,
    /// The input ended before the tag's `>` (an HTML parser drops such a tag).
    pub(crate) cut_off: bool,
    /// An end tag (`</p>`).
    pub(crate) closing: bool,
    /// The name as written (case kept).
    pub(crate) name: &'a str,
    /// The text between the name and the `>`.
    raw_attributes: &'a str,
}

impl<'a> Tag<'a> {
    /// Whether the tag's name is `name`, compared without ASCII case.
    pub(crate) fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// The attributes in order: names as written, raw values (without their quotes; empty for
    /// an attribute with no value).
    pub(crate) fn attributes(&self) -> impl Iterator<Item = (&'a str, &'a str)> {
        Attributes {
            text: self.raw_attributes,
            at: 0,
        }
    }

    /// The raw value of the first attribute called `name` (without ASCII case), as a browser
    /// keeps the first of repeated attributes.
    pub(crate) fn attribute(&self, name: &str) -> Option<&'a str> {
        self.attributes()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }
}

/// The start and end tags of `markup`, in order: a `<` followed by a letter, or by `/` and a
/// letter, opens a tag. Anything else (`a < b`, `<!--`, `</ x>`) is text to this reader.
pub(crate) fn tags(markup: &str) -> impl Iterator<Item = Tag<'_>> {
    let b = markup.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while let Some(p) = memchr::memchr(b'<', &b[i.min(b.len())..]) {
            let start = i + p;
            let closing = b.get(start + 1) == Some(&b'/');
            let name_start = start + 1 + usize::from(closing);
            if !b.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
                i = start + 1;
                continue;
            }
            let name_end = b[name_start..]
                .iter()
                .position(|&c| c.is_ascii_whitespace() || c == b'/' || c == b'>')
                .map_or(b.len(), |p| name_start + p);
            let gt = tag_end(b, name_end);
            let attributes_end = gt.unwrap_or(b.len());
            i = gt.map_or(b.len(), |gt| gt + 1);
            return Some(Tag {
                start,
                end: i,
                cut_off: gt.is_none(),
                closing,
                name: &markup[name_start..name_end],
                raw_attributes: &markup[name_end..attributes_end],
            });
        }
        i = b.len();
        None
    })
}

/// The `>` that ends a tag whose name ends at `from`, read with the tokenizer's attribute states
/// (a quote starts a value only after `=`; `a"b` is a name). `None` when the input ends first.
pub(crate) fn tag_end(b: &[u8], from: usize) -> Option<usize> {
    #[derive(Clone, Copy)]
    enum State {
        BeforeName,
        Name,
        AfterName,
        BeforeValue,
        Quoted(u8),
        Unquoted,
        SelfClosing,
    }
    use State::*;
    let space = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | b'\x0c' | b'\r');
    let mut state = BeforeName;
    let mut i = from;
    while i < b.len() {
        let c = b[i];
        state = match (state, c) {
            (Quoted(q), _) => {
                i += memchr::memchr(q, &b[i..])?;
                // After the value: what the tokenizer's "after attribute value" state allows,
                // which is where a name may start again.
                BeforeName
            }
            (Unquoted, c) if space(c) => BeforeName,
            (_, b'>') => return Some(i),
            (Unquoted, _) => Unquoted,
            (BeforeValue, c) if space(c) => BeforeValue,
            (BeforeValue, b'"' | b'\'') => Quoted(c),
            (BeforeValue, _) => Unquoted,
            (Name | AfterName, b'=') => BeforeValue,
            (Name | AfterName, c) if space(c) => AfterName,
            (_, b'/') => SelfClosing,
            (_, c) if space(c) => BeforeName,
            (AfterName | BeforeName | SelfClosing | Name, _) => Name,
        };
        i += 1;
    }
    None
}

/// The attributes of a tag's text (between its name and its `>`), read as [`tag_end`] reads
/// them: a name runs to white space, `/`, `>` or `=`; a value is quoted, or runs to white space.
struct Attributes<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Iterator for Attributes<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let b = self.text.as_bytes();
        let skip = |mut i: usize, also_slash: bool| {
            while b
                .get(i)
                .is_some_and(|&c| c.is_ascii_whitespace() || (also_slash && c == b'/'))
            {
                i += 1;
            }
            i
        };
        let name_start = skip(self.at, true);
        if name_start >= b.len() {
            self.at = b.len();
            return None;
        }
        // The first character always belongs to the name, even `=` (as in the tokenizer).
        let name_end = b[name_start + 1..]
            .iter()
            .position(|&c| c.is_ascii_whitespace() || matches!(c, b'/' | b'>' | b'='))
            .map_or(b.len(), |p| name_start + 1 + p);
        let name = &self.text[name_start..name_end];
        let after_name = skip(name_end, false);
        if b.get(after_name) != Some(&b'=') {
            self.at = after_name;
            return Some((name, ""));
        }
        let value_start = skip(after_name + 1, false);
        let (value, next) = match b.get(value_start) {
            Some(&q @ (b'"' | b'\'')) => {
                let from = value_start + 1;
                let end = memchr::memchr(q, &b[from..]).map_or(b.len(), |p| from + p);
                (&self.text[from..end], (end + 1).min(b.len()))
            }
            _ => {
                let end = b[value_start.min(b.len())..]
                    .iter()
                    .position(|&c| c.is_ascii_whitespace() || c == b'>')
                    .map_or(b.len(), |p| value_start + p);
                (&self.text[value_start.min(end)..end], end)
            }
        };
        self.at = next;
        Some((name, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tag as the tests spell it: end tag or not, name, attributes.
    type Read<'a> = (bool, &'a str, Vec<(&'a str, &'a str)>);

    fn read(markup: &str) -> Vec<Read<'_>> {
        tags(markup)
            .map(|t| (t.closing, t.name, t.attributes().collect()))
            .collect()
    }

    #[test]
    fn tags_end_where_the_tokenizer_ends_them() {
        let b = |s: &str| tag_end(s.as_bytes(), 0);
        assert_eq!(b(" a=\">\">"), Some(6));
        assert_eq!(b(" a='>'>"), Some(6));
        assert_eq!(b(" a\"b>c"), Some(4)); // a quote in a name is part of it
        assert_eq!(b(" =\">\""), Some(3)); // `=` starts a name here
        assert_eq!(b(" x/=\"y>\""), Some(6)); // after `/`, `=` starts a name
        assert_eq!(b(" a=b\"c>"), Some(6));
        assert_eq!(b(" a=\"never closed"), None);
    }

    #[test]
    fn start_and_end_tags_with_their_attributes() {
        assert_eq!(
            read("a <P class=\"x y\" title='q>r'>b</p><br/> c < d <!-- e --></ f>"),
            [
                (false, "P", vec![("class", "x y"), ("title", "q>r")]),
                (true, "p", vec![]),
                (false, "br", vec![]),
            ]
        );
        assert_eq!(
            read("<link rel = alternate TYPE=application/rss+xml href=/feed/ hidden>"),
            [(
                false,
                "link",
                vec![
                    ("rel", "alternate"),
                    ("TYPE", "application/rss+xml"),
                    ("href", "/feed/"),
                    ("hidden", "")
                ]
            )]
        );
        // The tokenizer's odd corners: a quote inside a name, `=` starting a name, a value
        // running into a quote.
        assert_eq!(
            read("<a b\"c=\"d\" =e f=g\"h>"),
            [(false, "a", vec![("b\"c", "d"), ("=e", ""), ("f", "g\"h")])]
        );
    }

    #[test]
    fn offsets_lookup_and_cut_off_tags() {
        let html = "x<img SRC=\"a.png\" width=1>y<a href=\"never closed";
        let found: Vec<Tag> = tags(html).collect();
        assert_eq!(found.len(), 2);
        assert_eq!((found[0].start, found[0].end), (1, 26));
        assert_eq!(
            &html[found[0].start..found[0].end],
            "<img SRC=\"a.png\" width=1>"
        );
        assert!(found[0].is("IMG") && !found[0].cut_off);
        assert_eq!(found[0].attribute("src"), Some("a.png"));
        assert_eq!(found[0].attribute("height"), None);
        assert!(found[1].cut_off);
        assert_eq!(found[1].end, html.len());
        assert_eq!(found[1].attribute("href"), Some("never closed"));
        // The first of repeated attributes counts, as in a browser.
        let tag = tags("<a rel=a REL=b>").next().unwrap();
        assert_eq!(tag.attribute("rel"), Some("a"));
        assert_eq!(
            tags("<").count() + tags("</").count() + tags("<a").count(),
            1
        );
    }
}
