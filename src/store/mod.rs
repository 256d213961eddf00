//! All SQL: the SQLite file, its migrations, the per-feed writes and the queries render and
//! `status` read. rusqlite stays in this module.
//!
//! In: the configured feeds ([`MemberFeed`]s), [`FeedUpdate`]s from a refresh. Out:
//! [`FeedRequest`]s for the fetcher, [`EntryView`]s and [`FeedView`]s for render and status.
//!
//! One file per job, each adding methods to the one [`Store`]:
//! - `open.rs`: opening the file, the connection's settings, migrating (the ordered list is in
//!   `migrations.rs`), the integrity check;
//! - `sync.rs`: the feeds table made to match the configured feeds;
//! - `write.rs`: the batch writer ([`Batch`]), entry upserts, the fetch log;
//! - `read.rs`: the queries and row mapping for render and status;
//! - `codec.rs`: post bodies as stored (LZ4 pack and unpack), and [`prepare`], which encodes a
//!   parsed feed's bodies on the parse threads: the writer stores only [`PreparedFeed`]s.
//!
//! [`MemberFeed`]: crate::model::MemberFeed
//! [`FeedUpdate`]: crate::model::FeedUpdate
//! [`FeedRequest`]: crate::model::FeedRequest
//! [`EntryView`]: crate::model::EntryView
//! [`FeedView`]: crate::model::FeedView

mod codec;
mod migrations;
mod open;
mod read;
mod sync;
mod write;

pub use codec::{prepare, PreparedFeed};
pub use write::{Batch, PreparedUpdate, StoredUpdate};

/// The database: one SQLite connection. Open it with [`Store::open`]; no handle crosses an
/// `.await` (a refresh moves it to its writer thread).
pub struct Store {
    conn: rusqlite::Connection,
}

#[cfg(test)]
mod tests;
