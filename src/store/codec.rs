//! Post bodies as stored: short ones as TEXT, longer ones LZ4-compressed in a BLOB, and the
//! way back from either.
//!
//! In: a body's text (or an entry's, to prepare on a parse thread). Out: the value written in
//! its column; from a row, the text again.

use rusqlite::Row;

use crate::model::NewEntry;

/// A body (content or summary) this long or longer is stored compressed.
const PACK_MIN: usize = 512;

/// The first byte of a compressed body: an LZ4 block with its length prepended follows.
const PACKED_LZ4: u8 = 1;

/// No stored body decompresses to more than this (the parser caps what it keeps far below).
const MAX_UNPACKED: usize = 64 << 20;

/// A post's body as stored: short ones as TEXT, longer ones as a BLOB holding
/// [`PACKED_LZ4`] and the LZ4-compressed text. Posts compress about 3×; a cold refresh writes
/// that much less to the database and its log, which was most of the writer's time. Rows
/// written before, all TEXT, read the same way.
pub(super) enum Body<'a> {
    Text(&'a str),
    Packed(Vec<u8>),
    Prepared(&'a [u8]),
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

/// Prepares each entry's bodies as the store writes them ([`NewEntry::stored`]). Called on the
/// parse threads: compressing is then spread over them, not done on the one writer thread.
pub fn pack_entries(entries: &mut [NewEntry]) {
    for e in entries {
        e.stored = Some(crate::model::StoredBodies {
            content: e.content.as_deref().and_then(packed),
            summary: e.summary.as_deref().and_then(packed),
        });
    }
}

/// A body as written: prepared on the parse thread, else packed now.
pub(super) fn pack<'a>(
    body: Option<&'a str>,
    prepared: Option<&'a Option<Vec<u8>>>,
) -> Option<Body<'a>> {
    let body = body?;
    Some(match prepared {
        Some(Some(blob)) => Body::Prepared(blob),
        Some(None) => Body::Text(body),
        None => match packed(body) {
            Some(blob) => Body::Packed(blob),
            None => Body::Text(body),
        },
    })
}

impl rusqlite::ToSql for Body<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(match self {
            Body::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Body::Packed(v) => ToSqlOutput::Borrowed(ValueRef::Blob(v)),
            Body::Prepared(v) => ToSqlOutput::Borrowed(ValueRef::Blob(v)),
        })
    }
}

/// Column `i` of `r` as a body written by [`pack`].
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

pub(super) fn unpack_blob(b: &[u8]) -> Result<String, String> {
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
