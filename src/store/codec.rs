//! Post bodies as stored: short ones as TEXT, longer ones LZ4-compressed in a BLOB, and the
//! way back from either. [`prepare`] encodes a parsed feed's bodies before it reaches the
//! writer, so the parse threads share the compressing instead of the one writer thread.
//!
//! In: a [`ParsedFeed`]; from a row, a body's column. Out: a [`PreparedFeed`], the only form
//! the writer stores; from a row, the body's text again.

use rusqlite::Row;

use crate::model::{NewEntry, ParsedFeed, MARK_END, MARK_START};

/// A body (content or summary) this long or longer is stored compressed.
const PACK_MIN: usize = 512;

/// The first byte of a compressed body: an LZ4 block with its length prepended follows.
const PACKED_LZ4: u8 = 1;

/// No stored body decompresses to more than this (the parser caps what it keeps far below).
const MAX_UNPACKED: usize = 64 << 20;

/// A post's body as stored: short ones as TEXT, longer ones as a BLOB holding
/// [`PACKED_LZ4`] and the LZ4-compressed text. Posts compress well, and a cold refresh then
/// writes that much less to the database and its log, where most of the writer's time went
/// (BENCHMARKS.md, "Store settings"). Rows written before, all TEXT, read the same way.
pub(super) enum Body<'a> {
    Text(&'a str),
    Packed(&'a [u8]),
}

/// The BLOB for a body long enough to compress.
fn packed(body: &str) -> Option<Vec<u8>> {
    (body.len() >= PACK_MIN).then(|| {
        // Laid out as `compress_prepend_size` would, compressed straight into place: the kind
        // byte, the length (u32, little-endian), the block.
        let bytes = body.as_bytes();
        let mut packed = vec![0; 5 + lz4_flex::block::get_maximum_output_size(bytes.len())];
        packed[0] = PACKED_LZ4;
        packed[1..5].copy_from_slice(&(bytes.len() as u32).to_le_bytes());
        let len = lz4_flex::block::compress_into(bytes, &mut packed[5..])
            .expect("the output is sized for the worst case");
        packed.truncate(5 + len);
        // Held until the writer stores it: not at the worst case's size (about 3× the post).
        packed.shrink_to_fit();
        packed
    })
}

/// A parsed feed as the writer stores it: what the store keeps of the document, and each
/// entry with its bodies encoded. Made by [`prepare`].
#[derive(Debug)]
pub struct PreparedFeed {
    pub(super) title: Option<String>,
    pub(super) site_link: Option<String>,
    pub(super) image: Option<String>,
    pub(super) future_dates: usize,
    pub(super) entries: Vec<PreparedEntry>,
    /// The WebSub hub and topic the feed announces.
    pub(super) hub: Option<String>,
    pub(super) self_link: Option<String>,
}

/// One entry and its bodies as their columns store them.
#[derive(Debug)]
pub(super) struct PreparedEntry {
    pub(super) entry: NewEntry,
    /// The BLOB of `entry.content` when it is long enough to compress; `None`: stored as text.
    pub(super) content: Option<Vec<u8>>,
    /// The same for `entry.summary`.
    pub(super) summary: Option<Vec<u8>>,
    /// Its words fingerprint (`sanitize::words_fingerprint`), taken here on the parse
    /// threads rather than by the writer.
    pub(super) copy_key: Option<String>,
    /// Its short excerpt (`sanitize::short_excerpt`), for the digest.
    pub(super) excerpt: Option<String>,
    /// Whether its bodies load an image over plain http (`sanitize::loads_http_image`), for
    /// its member's page.
    pub(super) http_images: bool,
}

impl PreparedEntry {
    /// The content column's value.
    pub(super) fn content(&self) -> Option<Body<'_>> {
        body(self.entry.content.as_deref(), self.content.as_deref())
    }

    /// The summary column's value.
    pub(super) fn summary(&self) -> Option<Body<'_>> {
        body(self.entry.summary.as_deref(), self.summary.as_deref())
    }
}

/// Encodes `feed`'s bodies as the store writes them. Called on the parse threads: compressing
/// is then spread over them, not done on the one writer thread.
pub fn prepare(feed: ParsedFeed) -> PreparedFeed {
    let entries = feed
        .entries
        .into_iter()
        .map(|entry| {
            let (title, content, summary) = (
                entry.title.as_deref(),
                entry.content.as_deref(),
                entry.summary.as_deref(),
            );
            PreparedEntry {
                content: content.and_then(packed),
                summary: summary.and_then(packed),
                copy_key: copy_key(title, content, summary),
                excerpt: excerpt(content, summary),
                http_images: http_images(content, summary),
                entry,
            }
        })
        .collect();
    PreparedFeed {
        title: feed.title,
        site_link: feed.site_link,
        image: feed.image,
        future_dates: feed.future_dates,
        entries,
        hub: feed.hub,
        self_link: feed.self_link,
    }
}

// What the store keeps of a post besides its bodies, taken from them once so that a render
// reads none of them for it: its words fingerprint, its short excerpt (both from the content,
// else the summary) and whether either body loads an image over plain http. The stored posts
// got theirs from migrations 16 and 17, which call these too (`open.rs`); a change to what one
// makes needs a migration that computes it again.

/// A post's words fingerprint (`sanitize::words_fingerprint`), which cross-posts compare.
pub(super) fn copy_key(
    title: Option<&str>,
    content: Option<&str>,
    summary: Option<&str>,
) -> Option<String> {
    crate::sanitize::words_fingerprint(title, content.or(summary))
}

/// A post's short excerpt (`sanitize::short_excerpt`), which the digest shows.
pub(super) fn excerpt(content: Option<&str>, summary: Option<&str>) -> Option<String> {
    content.or(summary).and_then(crate::sanitize::short_excerpt)
}

/// Whether either of a post's bodies loads an image over plain http, a member page's hint.
pub(super) fn http_images(content: Option<&str>, summary: Option<&str>) -> bool {
    [content, summary]
        .into_iter()
        .flatten()
        .any(crate::sanitize::loads_http_image)
}

/// A body as written: its BLOB when it has one, else its text.
fn body<'a>(text: Option<&'a str>, blob: Option<&'a [u8]>) -> Option<Body<'a>> {
    let text = text?;
    Some(blob.map_or(Body::Text(text), Body::Packed))
}

impl rusqlite::ToSql for Body<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(match self {
            Body::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Body::Packed(v) => ToSqlOutput::Borrowed(ValueRef::Blob(v)),
        })
    }
}

/// Column `i` of `r` as a body written by [`prepare`] (or as TEXT before compression).
pub(super) fn unpack(r: &Row, i: usize) -> rusqlite::Result<Option<String>> {
    use rusqlite::types::{Type, ValueRef};
    let failed = |t: Type, e: String| rusqlite::Error::FromSqlConversionFailure(i, t, e.into());
    match r.get_ref(i)? {
        ValueRef::Null => Ok(None),
        ValueRef::Text(t) => Ok(Some(String::from_utf8_lossy(t).into_owned())),
        ValueRef::Blob(b) => unpack_blob(b).map(Some).map_err(|e| failed(Type::Blob, e)),
        other => Err(failed(other.data_type(), "not a post body".into())),
    }
}

/// A body column's value (TEXT or packed BLOB) as its HTML, for SQL functions (`open.rs`).
pub(super) fn body_of(value: rusqlite::types::ValueRef<'_>) -> Result<Option<String>, String> {
    use rusqlite::types::ValueRef;
    match value {
        ValueRef::Null => Ok(None),
        ValueRef::Text(t) => Ok(Some(String::from_utf8_lossy(t).into_owned())),
        ValueRef::Blob(b) => unpack_blob(b).map(Some),
        _ => Err("not a post body".into()),
    }
}

/// The text a search finds in a body column's value (TEXT or packed BLOB): its markup
/// stripped, as the excerpts read it. `mercury_search_text` in SQL (see `open.rs`).
pub(super) fn search_text(value: rusqlite::types::ValueRef<'_>) -> Result<String, String> {
    let Some(html) = body_of(value)? else {
        return Ok(String::new());
    };
    let text = crate::sanitize::text_of_sanitised(&html);
    // The snippet markers must be the search's own (see `model::MARK_START`).
    Ok(if text.contains([MARK_START, MARK_END]) {
        text.replace([MARK_START, MARK_END], " ")
    } else {
        text
    })
}

fn unpack_blob(b: &[u8]) -> Result<String, String> {
    let Some((&PACKED_LZ4, packed)) = b.split_first() else {
        return Err("a stored body in an unknown format".into());
    };
    let claimed = packed
        .get(..4)
        .map(|n| u32::from_le_bytes([n[0], n[1], n[2], n[3]]) as usize);
    if claimed.is_none_or(|n| n > MAX_UNPACKED) {
        return Err("a stored body with an impossible length".into());
    }
    let bytes = lz4_flex::block::decompress_size_prepended(packed).map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::unpack_blob;

    /// A damaged blob is an error, never a panic or a huge allocation.
    #[test]
    fn damaged_blobs_are_errors() {
        for bad in [
            &b""[..],
            b"\x02abc",
            b"\x01\xff\xff\xff\xff\x00",
            b"\x01\x10\x00\x00\x00zz",
        ] {
            assert!(unpack_blob(bad).is_err(), "{bad:?}");
        }
    }
}
