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
//! - `write.rs`: the batch writer ([`write::Batch`]), entry upserts, the fetch log;
//! - `read.rs`: the queries and row mapping for render and status;
//! - `members.rs`: the queries behind the member pages (stored posts, activity);
//! - `digest.rs`: what the digest published of each period (its content hash and `updated`);
//! - `hub.rs`: the WebSub publisher's queue of pings the hub is owed; `subscriptions.rs`: the
//!   WebSub subscriber's hubs, subscriptions and their states;
//! - `retention.rs`: `prune` (old posts deleted, their keys kept as tombstones; removed feeds
//!   forgotten) and giving the freed pages back;
//! - `known.rs`: each feed's stored entries by raw fingerprint, read by the parse threads on
//!   connections of their own ([`known::KnownReader`]);
//! - `withdrawn.rs`: posts their authors removed from their feeds, marked and unmarked;
//! - `moves.rs`: a member's feed moved to a new URL, with everything stored of it;
//! - `search.rs`: the full-text index of the posts the last render showed, and the search
//!   over it (edits and deletions reach the index by triggers: migration 14);
//! - `posts.rs`: every stored post newest first for `visibility`, and the posts' identities;
//! - `codec.rs`: post bodies as stored (LZ4 pack and unpack), and [`codec::prepare`], which
//!   encodes a parsed feed's bodies on the parse threads: the writer stores only
//!   [`codec::PreparedFeed`]s.
//!
//! [`MemberFeed`]: crate::model::MemberFeed
//! [`FeedUpdate`]: crate::model::FeedUpdate
//! [`FeedRequest`]: crate::model::FeedRequest
//! [`EntryView`]: crate::model::EntryView
//! [`FeedView`]: crate::model::FeedView

// Only the files whose types callers name are public; the others add methods to `Store`.
// Nothing here re-exports from them: they import `Store` from this module, never the reverse.
pub mod codec;
mod digest;
mod hub;
pub mod known;
mod members;
mod migrations;
mod moves;
mod open;
pub mod posts;
mod read;
mod retention;
pub mod search;
mod subscriptions;
mod sync;
mod withdrawn;
pub mod write;

/// The database: one SQLite connection. Open it with [`Store::open`]; no handle crosses an
/// `.await` (a refresh moves it to its writer thread).
pub struct Store {
    conn: rusqlite::Connection,
}

#[cfg(test)]
mod tests;
