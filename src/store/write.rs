//! The writer: feeds' refresh results stored in batches (one transaction for many feeds, each
//! feed all or nothing, savepoints after a panic), entries inserted or updated in place, and
//! the log of fetches.
//!
//! In: [`PreparedUpdate`]s (a [`FeedUpdate`] whose feed was [`prepare`]d; the one write path).
//! Out: each result back, without its posts, with the [`StoreStats`] of what storing it
//! changed.

use std::any::Any;
use std::collections::HashSet;
use std::panic::AssertUnwindSafe;

use rusqlite::{params, CachedStatement, Connection, OptionalExtension, Transaction};

use super::codec::{prepare, PreparedEntry, PreparedFeed};
use super::Store;
use crate::model::{FailureKind, FeedUpdate, FetchFailure, NewEntry, StoreStats, UpdateKind};

/// A feed's result as the writer takes it: a new body's feed [`prepare`]d.
pub type PreparedUpdate = FeedUpdate<PreparedFeed>;

/// A feed's result as the writer hands it back once stored: without its posts.
pub type StoredUpdate = FeedUpdate<()>;

/// Fetch records kept per feed (the health history).
const FETCH_HISTORY: i64 = 100;

impl Store {
    /// Starts storing feeds' refresh results in one write transaction (far fewer commits than
    /// one per feed): [`Batch::apply`] each as it arrives, then [`Batch::commit`]. Dropping a
    /// batch rolls all of it back.
    pub fn begin_batch(&mut self, new_feed_items: Option<usize>) -> rusqlite::Result<Batch<'_>> {
        Ok(Batch {
            tx: self.write_transaction()?,
            options: Options {
                new_feed_items,
                follow_deletions: false,
            },
            done: Vec::new(),
            careful: false,
        })
    }

    /// Stores `updates` in one batch (see [`Batch`]) and commits it, [`prepare`]ing each feed
    /// here (a refresh prepares them on its parse threads and uses [`Batch`] itself).
    pub fn apply_batch(
        &mut self,
        updates: Vec<FeedUpdate>,
        new_feed_items: Option<usize>,
        on_panic: impl Fn(&PreparedUpdate, &(dyn Any + Send)) -> PreparedUpdate,
    ) -> Result<Vec<(StoredUpdate, StoreStats)>, (i64, anyhow::Error)> {
        let first = updates.first().map_or(0, |u| u.feed_id);
        let mut batch = self
            .begin_batch(new_feed_items)
            .map_err(|e| (first, e.into()))?;
        for update in updates {
            batch.apply(update.map_feed(prepare), &on_panic)?;
        }
        batch.commit()
    }
}

/// Feeds' refresh results being stored in one write transaction. Each feed's result is all
/// stored or not at all: a panic while storing one feed (a bug) leaves none of its writes, and
/// `on_panic`'s failure record is stored in their place; the other feeds are kept. An error (a
/// full disk) ends the batch, and dropping it rolls all of it back. With `new_feed_items`, the
/// first successful parse of a feed that joined a planet already showing posts keeps only that
/// many of its newest entries visible; the others are stored hidden. Every fetch is also
/// logged (the newest `FETCH_HISTORY` per feed are kept).
pub struct Batch<'a> {
    tx: Transaction<'a>,
    options: Options,
    done: Vec<(PreparedUpdate, StoreStats)>,
    /// Set after a panic: each feed's writes get a savepoint of their own from then on.
    careful: bool,
}

/// What a batch does beyond storing: hide a late joiner's older posts, follow deletions.
#[derive(Debug, Clone, Copy)]
struct Options {
    new_feed_items: Option<usize>,
    follow_deletions: bool,
}

impl Batch<'_> {
    /// With `on`, a post that disappears from its feed while an older post of the feed is
    /// still there is marked withdrawn (and unmarked when it reappears): see `withdrawn.rs`.
    pub fn following_deletions(mut self, on: bool) -> Self {
        self.options.follow_deletions = on;
        self
    }

    /// How many feeds' results the batch holds.
    pub fn len(&self) -> usize {
        self.done.len()
    }

    /// Whether the batch holds no feed's result yet.
    pub fn is_empty(&self) -> bool {
        self.done.is_empty()
    }

    /// Stores one feed's result. Feeds are written straight into the transaction, without a
    /// savepoint each: a savepoint copies every page the feed touches, a large part of the
    /// writer's time in a cold refresh (BENCHMARKS.md, "The writer"). Should storing one panic,
    /// its half-done writes are mixed with the others', so the whole transaction is rolled back
    /// and the batch stored again, from then on with a savepoint per feed.
    pub fn apply(
        &mut self,
        update: PreparedUpdate,
        on_panic: &dyn Fn(&PreparedUpdate, &(dyn Any + Send)) -> PreparedUpdate,
    ) -> Result<(), (i64, anyhow::Error)> {
        if self.careful {
            return self.apply_in_savepoint(update, on_panic);
        }
        let id = update.feed_id;
        let applied = std::panic::catch_unwind(AssertUnwindSafe(|| {
            apply_in(&self.tx, &update, self.options)
        }));
        match applied {
            Ok(result) => {
                let stats = result.map_err(|e| (id, e))?;
                self.done.push((update, stats));
                Ok(())
            }
            Err(panic) => {
                self.tx
                    .execute_batch("ROLLBACK; BEGIN IMMEDIATE")
                    .map_err(|e| (id, e.into()))?;
                self.careful = true;
                for (earlier, _) in std::mem::take(&mut self.done) {
                    self.apply_in_savepoint(earlier, on_panic)?;
                }
                self.store_failure(&update, &*panic, on_panic)
            }
        }
    }

    /// [`Batch::apply`] with the feed's writes in a savepoint, rolled back alone on a panic.
    fn apply_in_savepoint(
        &mut self,
        update: PreparedUpdate,
        on_panic: &dyn Fn(&PreparedUpdate, &(dyn Any + Send)) -> PreparedUpdate,
    ) -> Result<(), (i64, anyhow::Error)> {
        let id = update.feed_id;
        let named = |e: anyhow::Error| (id, e);
        // Through cached statements: `Transaction::savepoint` parses its SQL anew each time.
        let step = |sql: &str| -> rusqlite::Result<()> {
            self.tx.prepare_cached(sql)?.execute([]).map(|_| ())
        };
        step("SAVEPOINT feed").map_err(|e| named(e.into()))?;
        let applied = std::panic::catch_unwind(AssertUnwindSafe(|| {
            apply_in(&self.tx, &update, self.options)
        }));
        match applied {
            Ok(result) => {
                // An error ends the batch: dropping the transaction rolls all of it back.
                let stats = result.map_err(named)?;
                step("RELEASE feed").map_err(|e| named(e.into()))?;
                self.done.push((update, stats));
            }
            Err(panic) => {
                step("ROLLBACK TO feed")
                    .and_then(|()| step("RELEASE feed"))
                    .map_err(|e| named(e.into()))?;
                self.store_failure(&update, &*panic, on_panic)?;
            }
        }
        Ok(())
    }

    /// Stores `on_panic`'s failure record in place of the feed whose storing panicked (its
    /// writes already rolled back).
    fn store_failure(
        &mut self,
        update: &PreparedUpdate,
        panic: &(dyn Any + Send),
        on_panic: &dyn Fn(&PreparedUpdate, &(dyn Any + Send)) -> PreparedUpdate,
    ) -> Result<(), (i64, anyhow::Error)> {
        let failed = on_panic(update, panic);
        let stats = apply_in(&self.tx, &failed, self.options).map_err(|e| (update.feed_id, e))?;
        self.done.push((failed, stats));
        Ok(())
    }

    /// Commits the batch and hands back each feed's result with what storing it changed. The
    /// posts are dropped: the caller (a refresh's writer thread) need not hold every feed's
    /// content.
    pub fn commit(self) -> Result<Vec<(StoredUpdate, StoreStats)>, (i64, anyhow::Error)> {
        let first = self.done.first().map_or(0, |(u, _)| u.feed_id);
        self.tx.commit().map_err(|e| (first, e.into()))?;
        let done = self.done.into_iter();
        Ok(done.map(|(u, stats)| (u.map_feed(drop), stats)).collect())
    }
}

/// One feed's result, written inside the caller's transaction or savepoint.
fn apply_in(
    tx: &Connection,
    update: &PreparedUpdate,
    options: Options,
) -> anyhow::Result<StoreStats> {
    let at = update.fetched_at.timestamp();
    let id = update.feed_id;
    let mut stats = StoreStats::default();
    let (status, outcome, error): (Option<u16>, &str, Option<&str>) = match &update.kind {
        UpdateKind::NotModified { status } => {
            record_success(tx, id, at, *status, None)?;
            (Some(*status), "not-modified", None)
        }
        UpdateKind::Unchanged {
            status,
            etag,
            last_modified,
            moved_to,
        } => {
            record_success(tx, id, at, *status, Some((etag, last_modified, moved_to)))?;
            (Some(*status), "unchanged", None)
        }
        UpdateKind::Parsed {
            status,
            etag,
            last_modified,
            moved_to,
            body_hash,
            feed,
        } => {
            // Asked before record_success sets last_success, and only when there is a cap.
            let shown = match options.new_feed_items {
                Some(n) if joins_late(tx, id)? => Some(n),
                _ => None,
            };
            record_success(tx, id, at, *status, Some((etag, last_modified, moved_to)))?;
            tx.prepare_cached(
                "UPDATE feeds SET title = ?2, site_link = ?3, body_hash = ?4, hub = ?5,
                     topic = ?6, image = ?7, future_dates = ?8
                 WHERE id = ?1",
            )?
            .execute(params![
                id,
                feed.title,
                feed.site_link,
                body_hash,
                feed.hub,
                feed.self_link,
                feed.image,
                feed.future_dates as i64
            ])?;
            let seen;
            (stats, seen) = upsert_entries(tx, id, at, &feed.entries, shown)?;
            if options.follow_deletions {
                super::withdrawn::follow(tx, id, at, &seen)?;
            }
            crate::fault::point("store", feed.title.as_deref().unwrap_or_default());
            (Some(*status), "updated", None)
        }
        UpdateKind::Failed(failure) => {
            record_failure(tx, update, failure)?;
            (
                failure.status,
                failure.kind.as_str(),
                Some(failure.message.as_str()),
            )
        }
    };
    log_fetch(tx, update, (status, outcome, error), stats)?;
    Ok(stats)
}

/// Marks a failed fetch: the failure shown, counted for the backoff, and when to try again.
fn record_failure(
    tx: &Connection,
    update: &PreparedUpdate,
    failure: &FetchFailure,
) -> rusqlite::Result<usize> {
    tx.prepare_cached(
        "UPDATE feeds SET last_fetch = ?2, last_status = ?3, last_error = ?4,
             last_error_kind = ?5, consecutive_failures = consecutive_failures + 1,
             next_due = ?6, gone = ?7
         WHERE id = ?1",
    )?
    .execute(params![
        update.feed_id,
        update.fetched_at.timestamp(),
        failure.status,
        failure.message,
        failure.kind.as_str(),
        update.next_due.map(|d| d.timestamp()),
        failure.kind == FailureKind::Gone,
    ])
}

/// Logs the fetch (status, outcome and error as recorded) in the feed's health history,
/// keeping the newest [`FETCH_HISTORY`].
fn log_fetch(
    tx: &Connection,
    update: &PreparedUpdate,
    (status, outcome, error): (Option<u16>, &str, Option<&str>),
    stats: StoreStats,
) -> rusqlite::Result<()> {
    let id = update.feed_id;
    tx.prepare_cached(
        "INSERT INTO fetches (feed_id, at, status, duration_ms, bytes, new_entries,
             updated_entries, outcome, error)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        id,
        update.fetched_at.timestamp(),
        status,
        update.elapsed_ms as i64,
        update.bytes as i64,
        stats.new_entries as i64,
        stats.updated_entries as i64,
        outcome,
        error
    ])?;
    tx.prepare_cached(
        "DELETE FROM fetches WHERE feed_id = ?1 AND id <= (
             SELECT id FROM fetches WHERE feed_id = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)",
    )?
    .execute(params![id, FETCH_HISTORY])?;
    Ok(())
}

/// Marks a successful fetch: failures cleared, and (for a 200) the new validators and a
/// permanent redirect target recorded. A 304 keeps the stored validators.
fn record_success(
    tx: &Connection,
    feed_id: i64,
    at: i64,
    status: u16,
    body: Option<(&Option<String>, &Option<String>, &Option<String>)>,
) -> rusqlite::Result<usize> {
    tx.prepare_cached(
        "UPDATE feeds SET last_fetch = ?2, last_success = ?2, last_status = ?3, last_error = NULL,
             last_error_kind = NULL, consecutive_failures = 0, next_due = NULL, gone = 0
         WHERE id = ?1",
    )?
    .execute(params![feed_id, at, status])?;
    let Some((etag, last_modified, moved_to)) = body else {
        return Ok(0);
    };
    tx.prepare_cached(
        "UPDATE feeds SET etag = ?2, last_modified = ?3,
             moved_since = CASE WHEN ?4 IS NOT NULL AND fetch_url IS NOT ?4 THEN ?5
                                ELSE moved_since END,
             fetch_url = COALESCE(?4, fetch_url)
         WHERE id = ?1",
    )?
    .execute(params![feed_id, etag, last_modified, moved_to, at])
}

/// Inserts new entries and updates changed ones in place. An updated entry keeps its first-seen
/// time and its place in the order; an unchanged one (same content hash) is not written; one
/// that retention deleted (a tombstone) is not stored again. Returns what changed and the ids
/// of the stored entries the document holds.
fn upsert_entries(
    tx: &Connection,
    feed_id: i64,
    at: i64,
    entries: &[PreparedEntry],
    shown: Option<usize>,
) -> anyhow::Result<(StoreStats, Vec<i64>)> {
    let mut stats = StoreStats::default();
    let mut stale = false;
    let mut seen = Vec::with_capacity(entries.len());
    let pruned = super::retention::Tombstones::new(tx, feed_id)?;
    let hidden = hidden_entries(entries, shown);
    let mut stored = StoredEntries::new(tx, feed_id, entries)?;
    let mut set_index = tx.prepare_cached("UPDATE entries SET entry_index = ?2 WHERE id = ?1")?;
    let mut update = tx.prepare_cached(
        "UPDATE entries SET source_id = ?2, entry_index = ?3, link = ?4, title = ?5, author = ?6,
             published = ?7, updated = ?8, content = ?9, summary = ?10, categories = ?11,
             enclosures = ?12, content_hash = ?13, lang = ?14, raw_hash = ?15, doc_key = ?16,
             author_email = ?17, copy_key = ?18, excerpt = ?19, http_images = ?20
         WHERE id = ?1",
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO entries (feed_id, key, source_id, entry_index, link, title, author, published,
             updated, first_seen, sort_date, content, summary, categories, enclosures, content_hash,
             hidden, lang, raw_hash, author_email, copy_key, excerpt, http_images)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
                 ?19, ?20, ?21, ?22, ?23)",
    )?;
    let mut set_raw = tx.prepare_cached(
        "UPDATE entries SET entry_index = ?2, raw_hash = ?3, doc_key = ?4 WHERE id = ?1",
    )?;
    for (i, prepared) in entries.iter().enumerate() {
        let e = &prepared.entry;
        let index = e.index as i64;
        let raw_hash = Some(e.raw_hash.as_str()).filter(|h| !h.is_empty());
        match stored.find(e)? {
            Some(row) if row.hash == e.content_hash => {
                seen.push(row.id);
                let doc_key = row.doc_key(e);
                if row.raw_hash.as_deref() != raw_hash || row.doc_key.as_deref() != doc_key {
                    set_raw.execute(params![row.id, index, raw_hash, doc_key])?;
                } else if row.index != index {
                    set_index.execute(params![row.id, index])?;
                }
            }
            // An entry the parse step took as unchanged from what was committed when it read
            // it, and the row changed or went since (a push stored in between): nothing of it
            // to write. Its fingerprints are dropped, so the next parse takes the full path.
            Some(row) if e.unchanged => {
                seen.push(row.id);
                stale = true;
            }
            Some(row) => {
                seen.push(row.id);
                update.execute(params![
                    row.id,
                    e.source_id,
                    index,
                    e.link,
                    e.title,
                    e.author,
                    e.published.map(|d| d.timestamp()),
                    e.updated.map(|d| d.timestamp()),
                    prepared.content(),
                    prepared.summary(),
                    serde_json::to_string(&e.categories)?,
                    serde_json::to_string(&e.enclosures)?,
                    e.content_hash,
                    e.lang,
                    raw_hash,
                    row.doc_key(e),
                    e.author_email,
                    prepared.copy_key,
                    prepared.excerpt,
                    prepared.http_images,
                ])?;
                // A hash from before fingerprints (SHA-256) cannot say whether the entry changed:
                // it is rewritten once with its fingerprint, and not counted as an update.
                if row.hash.starts_with(crate::fingerprint::FINGERPRINT_PREFIX) {
                    stats.updated_entries += 1;
                }
            }
            None if e.unchanged => stale = true,
            None if pruned.holds(e)? => {}
            None => {
                insert_entry(&mut insert, feed_id, at, prepared, hidden.contains(&i))?;
                seen.push(tx.last_insert_rowid());
                stats.new_entries += 1;
            }
        }
    }
    if stale {
        tracing::debug!(feed_id, "stored entries changed while the feed was parsed");
        tx.prepare_cached("UPDATE entries SET raw_hash = NULL WHERE feed_id = ?1")?
            .execute([feed_id])?;
        tx.prepare_cached("UPDATE feeds SET body_hash = NULL WHERE id = ?1")?
            .execute([feed_id])?;
    }
    tx.prepare_cached("UPDATE feeds SET id_changes = ?2 WHERE id = ?1")?
        .execute(params![feed_id, stored.new_ids as i64])?;
    Ok((stats, seen))
}

/// Inserts an entry seen for the first time, at `at`.
fn insert_entry(
    insert: &mut CachedStatement<'_>,
    feed_id: i64,
    at: i64,
    prepared: &PreparedEntry,
    hidden: bool,
) -> anyhow::Result<()> {
    let e = &prepared.entry;
    let sort_date = e
        .published
        .or(e.updated)
        .map(|d| d.timestamp())
        .unwrap_or(at);
    insert.execute(params![
        feed_id,
        e.key,
        e.source_id,
        e.index as i64,
        e.link,
        e.title,
        e.author,
        e.published.map(|d| d.timestamp()),
        e.updated.map(|d| d.timestamp()),
        at,
        sort_date,
        prepared.content(),
        prepared.summary(),
        serde_json::to_string(&e.categories)?,
        serde_json::to_string(&e.enclosures)?,
        e.content_hash,
        hidden,
        e.lang,
        Some(e.raw_hash.as_str()).filter(|h| !h.is_empty()),
        e.author_email,
        prepared.copy_key,
        prepared.excerpt,
        prepared.http_images,
    ])?;
    Ok(())
}

/// Finds the stored entry an incoming one is, within one feed.
struct StoredEntries<'c> {
    feed_id: i64,
    /// A feed's first fetch (every feed, on a new planet) has nothing to match against.
    has_entries: bool,
    /// The keys of the incoming document's entries.
    keys_in_doc: HashSet<&'c str>,
    /// Entries found by their link under a new key: the feed changed their ids.
    new_ids: u64,
    by_key: CachedStatement<'c>,
    by_link: CachedStatement<'c>,
}

impl<'c> StoredEntries<'c> {
    fn new(
        tx: &'c Connection,
        feed_id: i64,
        entries: &'c [PreparedEntry],
    ) -> rusqlite::Result<Self> {
        let has_entries: bool = tx
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM entries WHERE feed_id = ?1)")?
            .query_row([feed_id], |r| r.get(0))?;
        Ok(StoredEntries {
            feed_id,
            has_entries,
            keys_in_doc: entries.iter().map(|p| p.entry.key.as_str()).collect(),
            new_ids: 0,
            by_key: tx.prepare_cached(
                "SELECT id, content_hash, entry_index, key, raw_hash, doc_key
                 FROM entries WHERE feed_id = ?1 AND key = ?2",
            )?,
            by_link: tx.prepare_cached(
                "SELECT id, content_hash, entry_index, key, raw_hash, doc_key
                 FROM entries WHERE feed_id = ?1 AND link = ?2 ORDER BY id",
            )?,
        })
    }

    /// The stored entry `e` is: the one with its key, else one with its link.
    fn find(&mut self, e: &NewEntry) -> rusqlite::Result<Option<StoredRow>> {
        if !self.has_entries {
            return Ok(None);
        }
        let found = self
            .by_key
            .query_row(params![self.feed_id, e.key], StoredRow::read)
            .optional()?;
        if found.is_some() {
            return Ok(found);
        }
        // A feed that changes guids but keeps links must not duplicate (DESIGN.md), unless
        // the stored entry with that link is itself still in the document.
        let Some(link) = &e.link else {
            return Ok(None);
        };
        let mut rows = self.by_link.query(params![self.feed_id, link])?;
        while let Some(r) = rows.next()? {
            let row = StoredRow::read(r)?;
            if !self.keys_in_doc.contains(row.key.as_str()) {
                self.new_ids += 1;
                return Ok(Some(row));
            }
        }
        Ok(None)
    }
}

/// What the writer reads of a stored entry to match an incoming one.
struct StoredRow {
    id: i64,
    hash: String,
    index: i64,
    key: String,
    raw_hash: Option<String>,
    doc_key: Option<String>,
}

impl StoredRow {
    /// Reads the columns of `StoredEntries`' queries, in their order.
    fn read(r: &rusqlite::Row) -> rusqlite::Result<StoredRow> {
        Ok(StoredRow {
            id: r.get(0)?,
            hash: r.get(1)?,
            index: r.get(2)?,
            key: r.get(3)?,
            raw_hash: r.get(4)?,
            doc_key: r.get(5)?,
        })
    }

    /// The key to remember for `e` beside the stored one: its own, when the document gives
    /// this entry another key than the stored one (matched by its link).
    fn doc_key<'e>(&self, e: &'e NewEntry) -> Option<&'e str> {
        (e.key != self.key).then_some(e.key.as_str())
    }
}

/// Whether this parse is the first of a feed that joined a planet already showing posts.
fn joins_late(tx: &Connection, feed_id: i64) -> rusqlite::Result<bool> {
    tx.prepare_cached(
        "SELECT joined_late AND last_success IS NULL
             AND NOT EXISTS (SELECT 1 FROM entries WHERE feed_id = ?1)
         FROM feeds WHERE id = ?1",
    )?
    .query_row([feed_id], |r| r.get(0))
}

/// The positions of the entries a first fetch hides: all but the `shown` newest (undated
/// entries count as newest, in document order, since they would be dated "now").
fn hidden_entries(entries: &[PreparedEntry], shown: Option<usize>) -> HashSet<usize> {
    let Some(shown) = shown else {
        return HashSet::new();
    };
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by_key(|&i| {
        let e = &entries[i].entry;
        std::cmp::Reverse(
            e.published
                .or(e.updated)
                .map_or(i64::MAX, |d| d.timestamp()),
        )
    });
    order.into_iter().skip(shown).collect()
}
