//! Retention (issue #20): what the database keeps and for how long. `prune` deletes the posts
//! older than `keep_days` except each listed feed's newest `keep_per_feed`, keeping each
//! deleted post's key as a tombstone so that a feed still carrying it never brings it back as
//! new; it forgets feeds removed from feeds.toml `forget_after_days` ago; and it gives the
//! freed pages back to the file system (incremental vacuum).
//!
//! In: a [`Retention`] and the time. Out: a [`PruneReport`] of what was (or, dry, would be)
//! deleted. [`Tombstones`] is what the writer asks before storing a post as new.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};

use super::Store;
use crate::model::{public_url, NewEntry, PruneReport, Retention};

const DAY: i64 = 86_400;

impl Store {
    /// Deletes what `retention` says is no longer kept, as of `now`, in one transaction; with
    /// `dry_run` the same work is done and rolled back, so the report says exactly what a real
    /// prune would delete. After a real prune that deleted anything, the freed pages are
    /// returned to the file system.
    pub fn prune(
        &mut self,
        retention: &Retention,
        now: DateTime<Utc>,
        dry_run: bool,
    ) -> anyhow::Result<PruneReport> {
        let at = now.timestamp();
        let tx = self.write_transaction()?;
        let mut report = PruneReport::default();
        if retention.keep_days > 0 {
            let cutoff = at - i64::from(retention.keep_days) * DAY;
            report.old_posts = prune_old_posts(&tx, retention.keep_per_feed, cutoff, at)?;
        }
        if retention.forget_after_days > 0 {
            let cutoff = at - i64::from(retention.forget_after_days) * DAY;
            report.forgotten_feeds = forget_feeds(&tx, cutoff)?;
        }
        if dry_run {
            tx.rollback()?;
            return Ok(report);
        }
        tx.commit()?;
        if report.posts() > 0 || !report.forgotten_feeds.is_empty() {
            // The search index keeps deleted posts' markers in its segments until they are
            // merged: merged now, so that their pages are given back too. It holds only the
            // shown posts, so this takes milliseconds.
            self.conn.execute(
                "INSERT INTO search_index (search_index) VALUES ('optimize')",
                [],
            )?;
            self.give_back_free_pages()?;
        }
        Ok(report)
    }

    /// Returns the free pages to the file system. A database made before retention existed
    /// has no auto-vacuum bookkeeping: it is switched to incremental auto-vacuum once, with a
    /// full VACUUM (which rewrites the file, so it happens here, under the refresh lock, and
    /// never when a reader such as `render` or `status` opens the database). A failed switch
    /// (another process reading through the whole VACUUM) is logged and tried again next time:
    /// meanwhile SQLite reuses the free pages, so the file still does not grow.
    fn give_back_free_pages(&mut self) -> anyhow::Result<()> {
        let mode: i64 = self
            .conn
            .pragma_query_value(None, "auto_vacuum", |r| r.get(0))?;
        if mode == 0 {
            let switched = self
                .conn
                .pragma_update(None, "auto_vacuum", "INCREMENTAL")
                .and_then(|()| self.conn.execute_batch("VACUUM"));
            if let Err(e) = switched {
                tracing::warn!("cannot switch the database to incremental vacuum yet: {e}");
            }
            return Ok(());
        }
        // `incremental_vacuum` returns a row per page freed; stepping through them all is
        // what frees them.
        let mut stmt = self.conn.prepare("PRAGMA incremental_vacuum")?;
        let mut rows = stmt.query([])?;
        while rows.next()?.is_some() {}
        Ok(())
    }
}

/// Deletes the posts of listed feeds dated before `cutoff`, except each feed's newest
/// `keep_per_feed`, leaving a tombstone for each; returns `(feed URL, posts)` in config order.
fn prune_old_posts(
    tx: &Connection,
    keep_per_feed: usize,
    cutoff: i64,
    at: i64,
) -> anyhow::Result<Vec<(String, u64)>> {
    tx.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS pruned (id INTEGER PRIMARY KEY);
         DELETE FROM temp.pruned;",
    )?;
    // A feed removed from feeds.toml keeps everything until it is forgotten: putting it back
    // restores it whole.
    tx.execute(
        "INSERT INTO temp.pruned (id)
         SELECT id FROM (
             SELECT e.id, e.sort_date,
                    ROW_NUMBER() OVER (PARTITION BY e.feed_id
                                       ORDER BY e.sort_date DESC, e.entry_index, e.id) AS rank
             FROM entries e JOIN feeds f ON f.id = e.feed_id
             WHERE f.active = 1)
         WHERE rank > ?1 AND sort_date < ?2",
        params![keep_per_feed.min(i64::MAX as usize) as i64, cutoff],
    )?;
    let mut per_feed = tx.prepare(
        "SELECT f.url, COUNT(*) FROM temp.pruned p
             JOIN entries e ON e.id = p.id JOIN feeds f ON f.id = e.feed_id
         GROUP BY f.id ORDER BY f.position, f.id",
    )?;
    let report = per_feed
        .query_map([], |r| {
            Ok((
                public_url(&r.get::<_, String>(0)?).into_owned(),
                r.get::<_, i64>(1)? as u64,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    tx.execute(
        "INSERT OR REPLACE INTO tombstones (feed_id, key, link, pruned_at)
         SELECT feed_id, key, link, ?1 FROM entries
         WHERE id IN (SELECT id FROM temp.pruned)",
        [at],
    )?;
    tx.execute(
        "DELETE FROM entries WHERE id IN (SELECT id FROM temp.pruned)",
        [],
    )?;
    tx.execute("DELETE FROM temp.pruned", [])?;
    Ok(report)
}

/// Deletes the feeds that left feeds.toml before `cutoff`, with their posts, history and
/// tombstones; returns `(feed URL, posts)` of each.
fn forget_feeds(tx: &Connection, cutoff: i64) -> anyhow::Result<Vec<(String, u64)>> {
    let mut stmt = tx.prepare(
        "SELECT f.id, f.url, (SELECT COUNT(*) FROM entries e WHERE e.feed_id = f.id)
         FROM feeds f
         WHERE f.active = 0 AND f.inactive_since IS NOT NULL AND f.inactive_since <= ?1
         ORDER BY f.position, f.id",
    )?;
    let feeds = stmt
        .query_map([cutoff], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)? as u64,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut delete = tx.prepare("DELETE FROM feeds WHERE id = ?1")?;
    let mut report = Vec::with_capacity(feeds.len());
    for (id, url, posts) in feeds {
        // Entries, fetch history and tombstones go with it (ON DELETE CASCADE).
        delete.execute([id])?;
        report.push((public_url(&url).into_owned(), posts));
    }
    Ok(report)
}

/// The tombstones of one feed: whether an incoming post is one that retention deleted.
pub(super) struct Tombstones<'c> {
    tx: &'c Connection,
    feed_id: i64,
    /// Most feeds have none: then nothing is asked per post.
    any: bool,
}

impl<'c> Tombstones<'c> {
    pub(super) fn new(tx: &'c Connection, feed_id: i64) -> rusqlite::Result<Self> {
        let any = tx
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM tombstones WHERE feed_id = ?1)")?
            .query_row([feed_id], |r| r.get(0))?;
        Ok(Tombstones { tx, feed_id, any })
    }

    /// Whether `e` (by its key, or its link, as the writer matches stored posts) was deleted
    /// by retention.
    pub(super) fn holds(&self, e: &NewEntry) -> rusqlite::Result<bool> {
        if !self.any {
            return Ok(false);
        }
        self.tx
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM tombstones WHERE feed_id = ?1 AND key = ?2)
                     OR (?3 IS NOT NULL AND EXISTS (
                         SELECT 1 FROM tombstones WHERE feed_id = ?1 AND link = ?3))",
            )?
            .query_row(params![self.feed_id, e.key, e.link], |r| r.get(0))
    }
}
