//! Text and attribute values as html5ever's serialiser writes them, for the fast path: character
//! references decoded, then `&`, `<`, `>` and no-break spaces escaped. Whatever an HTML parser
//! would read in its own way (a reference without its semicolon, an unknown name, a control
//! character) is refused with `None`, and the post goes to the full sanitiser.
//!
//! In: text or a raw attribute value of a post (`&str`). Out: the serialised text appended to
//! a `String`, or the decoded value (`Cow<str>`).

use std::borrow::Cow;

/// Named references accepted (with their semicolon); any other name goes to the full sanitiser.
const NAMED: &[(&str, char)] = &[
    ("amp", '&'),
    ("apos", '\''),
    ("copy", '©'),
    ("gt", '>'),
    ("hellip", '…'),
    ("ldquo", '“'),
    ("lsquo", '‘'),
    ("lt", '<'),
    ("mdash", '—'),
    ("nbsp", '\u{a0}'),
    ("ndash", '–'),
    ("quot", '"'),
    ("rdquo", '”'),
    ("rsquo", '’'),
];

/// Attribute text with its references decoded (checked as [`escape`] checks text).
pub(super) fn decode(raw: &str) -> Option<Cow<'_, str>> {
    if !raw.bytes().any(special) {
        return Some(Cow::Borrowed(raw));
    }
    let mut out = String::with_capacity(raw.len());
    scan(raw, &mut out, false)?;
    Some(Cow::Owned(out))
}

/// Appends `text` as the serialiser writes it: references decoded, then `&`, `<`, `>` and
/// no-break spaces escaped. `None` for a character the full sanitiser would change or drop:
/// control characters, carriage returns, C1 controls, U+FFFE/U+FFFF.
pub(super) fn escape(text: &str, out: &mut String) -> Option<()> {
    scan(text, out, true)
}

/// An attribute value (already decoded) as the serialiser writes it between double quotes.
pub(super) fn escape_attribute(value: &str, out: &mut String) {
    if !value
        .bytes()
        .any(|b| matches!(b, b'"' | b'&' | b'<' | b'>' | 0xc2))
    {
        out.push_str(value); // nothing to escape (0xc2 leads U+00A0 in UTF-8)
        return;
    }
    for c in value.chars() {
        match c {
            '"' => out.push_str("&quot;"),
            c => escape_char(c, out),
        }
    }
}

/// Bytes that [`scan`] looks at: controls other than tab and line feed (which are copied as
/// they are), markup characters, and the first bytes of C1 controls, U+00A0 and U+FFFE/U+FFFF
/// in UTF-8. A table: this runs for every byte of every post.
fn special(c: u8) -> bool {
    const TABLE: [bool; 256] = {
        let mut t = [false; 256];
        let mut c = 0;
        while c < 256 {
            let b = c as u8;
            t[c] = (b < 0x20 && b != b'\t' && b != b'\n')
                || matches!(b, b'&' | b'<' | b'>' | 0x7f | 0xc2 | 0xef);
            c += 1;
        }
        t
    };
    TABLE[usize::from(c)]
}

/// How many bytes at the start of `b` [`special`] passes over. Whole blocks are tested with
/// comparisons the compiler turns into vector instructions (most of a post is plain text), the
/// block with a special byte one byte at a time.
fn plain_run(b: &[u8]) -> usize {
    const BLOCK: usize = 16;
    let mut at = 0;
    for block in b.chunks_exact(BLOCK) {
        let any = block.iter().fold(false, |any, &c| {
            any | ((c < 0x20) & (c != b'\t') & (c != b'\n'))
                | (c == b'&')
                | (c == b'<')
                | (c == b'>')
                | (c == 0x7f)
                | (c == 0xc2)
                | (c == 0xef)
        });
        if any {
            break;
        }
        at += BLOCK;
    }
    at + b[at..]
        .iter()
        .position(|&c| special(c))
        .unwrap_or(b.len() - at)
}

/// Decodes references in `text` onto `out`, escaping what the serialiser escapes in text when
/// `escaping`. `None` for what the full sanitiser would change (see [`escape`]).
fn scan(text: &str, out: &mut String, escaping: bool) -> Option<()> {
    let b = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        i += plain_run(&b[i..]);
        let Some(&c) = b.get(i) else {
            break;
        };
        out.push_str(&text[start..i]);
        let (decoded, len) = match c {
            b'<' | b'>' => (c as char, 1),
            b'&' => reference(&text[i..])?,
            0xc2 => {
                if (0x80..0xa0).contains(b.get(i + 1)?) {
                    return None;
                }
                (text[i..].chars().next()?, 2)
            }
            0xef => {
                if b.get(i + 1) == Some(&0xbf) && matches!(b.get(i + 2), Some(0xbe | 0xbf)) {
                    return None;
                }
                (text[i..].chars().next()?, 3)
            }
            _ => return None,
        };
        if escaping {
            escape_char(decoded, out);
        } else {
            out.push(decoded);
        }
        i += len;
        start = i;
    }
    out.push_str(&text[start..]);
    Some(())
}

/// One character as the serialiser writes it in text.
fn escape_char(c: char, out: &mut String) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '\u{a0}' => out.push_str("&nbsp;"),
        c => out.push(c),
    }
}

/// The character a reference at the start of `s` stands for, and its length. A `&` not
/// followed by a letter, digit or `#` is itself. `None` for anything an HTML parser reads
/// in its own way (no semicolon, unknown names, C1 and other special code points).
fn reference(s: &str) -> Option<(char, usize)> {
    let b = s.as_bytes();
    match b.get(1) {
        None => return Some(('&', 1)),
        Some(c) if !(c.is_ascii_alphanumeric() || *c == b'#') => return Some(('&', 1)),
        _ => {}
    }
    let semi = b.iter().take(12).position(|&c| c == b';')?;
    let body = &s[1..semi];
    let c = if let Some(num) = body.strip_prefix('#') {
        let (digits, radix) = match num.strip_prefix(['x', 'X']) {
            Some(hex) => (hex, 16),
            None => (num, 10),
        };
        if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
            return None;
        }
        let n = u32::from_str_radix(digits, radix).ok()?;
        let plain = matches!(n, 0x09 | 0x0a | 0x20..=0x7e | 0xa0..=0xd7ff | 0xe000..=0xfdcf)
            || (0xfdf0..=0x10ffff).contains(&n) && n & 0xfffe != 0xfffe;
        if !plain {
            return None;
        }
        char::from_u32(n)?
    } else {
        NAMED.iter().find(|(name, _)| *name == body)?.1
    };
    Some((c, semi + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The block-at-a-time run stops exactly where the byte-at-a-time table does: every
    /// special byte, at every offset inside and across blocks, and none.
    #[test]
    fn plain_runs_stop_at_the_first_special_byte() {
        for c in 0..=255u8 {
            for at in 0..40 {
                let mut text = vec![b'a'; 40];
                text[at] = c;
                let expected = if special(c) { at } else { 40 };
                assert_eq!(plain_run(&text), expected, "byte {c:#x} at {at}");
            }
        }
        assert_eq!(plain_run(b""), 0);
    }
}
