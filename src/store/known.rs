//! What the parse threads read of the database: each feed's stored entries by raw fingerprint
//! ([`KnownEntries`]), so that the entries a document repeats unchanged are not normalised again.
//!
//! In: the database's path and a feed id. Out: [`KnownEntries`]. A [`KnownReader`] is a
//! read-only connection of its own (one per parse thread): WAL lets it read the last committed
//! state while the refresh's writer writes.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::model::{KnownEntries, KnownEntry};

/// A read-only connection for [`KnownReader::known_entries`].
pub struct KnownReader {
    conn: Connection,
}

impl KnownReader {
    /// Opens the database at `path` for reading. The refresh opened (and migrated) it first.
    pub fn open(path: &Path) -> rusqlite::Result<KnownReader> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Ok(KnownReader { conn })
    }

    /// The stored entries of feed `feed_id` that have a raw fingerprint, by that fingerprint.
    /// What a feed's entries were last committed as: an entry that changed since (a batch not
    /// yet committed, a push) is caught by the writer, which checks each unchanged entry
    /// against its row (`write.rs`).
    pub fn known_entries(&self, feed_id: i64) -> rusqlite::Result<KnownEntries> {
        let mut select = self.conn.prepare_cached(
            "SELECT raw_hash, COALESCE(doc_key, key), link, content_hash
             FROM entries WHERE feed_id = ?1 AND raw_hash IS NOT NULL",
        )?;
        let rows = select.query_map([feed_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                KnownEntry {
                    key: r.get(1)?,
                    link: r.get(2)?,
                    content_hash: r.get(3)?,
                },
            ))
        })?;
        rows.collect()
    }
}
