//! The stored posts as `visibility` reads them: every post of the configured feeds newest
//! first, with whether it joined late, read row by row until the reader has enough; and the
//! light list of every post's identity that `hide`, `unhide` and `why` resolve a POST against.
//!
//! In: a [`Store`] and a [`PostScan`]. Out: [`EntryView`]s handed to a callback, [`PostRef`]s.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::read::{entry_columns, entry_from_with, time, Members, ENTRY_COLUMN_COUNT};
use super::Store;
use crate::model::EntryView;

/// A scan of at most this many feeds reads their rows by feed, not the newest-first index.
const FEED_DRIVEN_MAX: usize = 16;

/// Which stored posts a scan reads.
#[derive(Debug, Clone, Copy, Default)]
pub struct PostScan<'a> {
    /// Only the posts of these feeds (configured URLs).
    pub only: Option<&'a [String]>,
    /// Also the posts stored hidden because their feed joined late (`new_feed_items`).
    pub joined_late: bool,
    /// Only posts dated at or after this.
    pub since: Option<DateTime<Utc>>,
    /// Only posts dated before this.
    pub before: Option<DateTime<Utc>>,
    /// Without their bodies (`content` and `summary` read as `None`): for readers that show
    /// none and decide nothing from them.
    pub without_bodies: bool,
    /// Read the table in its own order, then sort: for a scan that reads most of the posts
    /// (see [`Store::share_dated_between`]). The newest-first index visits the table's pages
    /// out of order, reading each many times over; a reader that stops early wants it.
    pub in_table_order: bool,
}

/// What a member's page says of a stored post beyond what its entry holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PostFlags {
    /// Stored hidden because its feed joined late (`new_feed_items`).
    pub joined_late: bool,
    /// It has a summary and no content.
    pub summary_only: bool,
    /// A body loads an image over plain http (`sanitize::loads_http_image`).
    pub http_images: bool,
}

/// A stored post's identity, without its body.
#[derive(Debug, Clone)]
pub struct PostRef {
    /// The feed's URL as configured, and as shown.
    pub config_url: String,
    pub feed_url: String,
    pub member: String,
    pub key: String,
    pub link: Option<String>,
    pub title: Option<String>,
    pub date: DateTime<Utc>,
}

impl Store {
    /// Hands the posts `scan` selects to `each`, newest first (ties: feed, position, row), with
    /// whether the post joined late; stops when `each` returns false. Rows are read one at a
    /// time from the newest-first index, so a reader that stops early reads only what it kept.
    pub fn scan_posts(
        &self,
        scan: &PostScan,
        each: &mut dyn FnMut(EntryView, bool) -> bool,
    ) -> anyhow::Result<()> {
        let drive = if scan.only.is_some_and(|o| o.len() <= FEED_DRIVEN_MAX) {
            Drive::Feeds
        } else if scan.in_table_order {
            Drive::Table
        } else {
            Drive::NewestFirst
        };
        let mut stmt = self
            .conn
            .prepare_cached(&scan_sql(drive, !scan.without_bodies))?;
        let only = scan.only.map(serde_json::to_string).transpose()?;
        let mut rows = stmt.query(params![
            only,
            scan.joined_late,
            scan.since.map(|t| t.timestamp()),
            scan.before.map(|t| t.timestamp()),
        ])?;
        let mut members = Members::default();
        while let Some(row) = rows.next()? {
            let entry = entry_from_with(row, &mut members)?;
            let joined_late = row.get::<_, i64>(ENTRY_COLUMN_COUNT)? != 0;
            if !each(entry, joined_late) {
                break;
            }
        }
        Ok(())
    }

    /// The newest `n` stored posts of every configured feed (those that joined late too),
    /// handed to `each` feed by feed, each feed's newest first, with their [`PostFlags`]; read
    /// without their bodies when `bodies` is false. One pass for the member pages, which show
    /// every member's newest posts.
    pub fn newest_posts_by_feed(
        &self,
        n: usize,
        bodies: bool,
        each: &mut dyn FnMut(EntryView, PostFlags),
    ) -> anyhow::Result<()> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {columns}, e.hidden, e.content IS NULL AND e.summary IS NOT NULL,
                    e.http_images
             FROM (SELECT e.id, ROW_NUMBER() OVER (PARTITION BY e.feed_id
                          ORDER BY e.sort_date DESC, e.entry_index, e.id) AS n
                   FROM entries e JOIN feeds f ON f.id = e.feed_id WHERE f.active = 1) w
             JOIN entries e ON e.id = w.id JOIN feeds f ON f.id = e.feed_id
             WHERE w.n <= ?1
             ORDER BY e.feed_id, w.n",
            columns = entry_columns(bodies)
        ))?;
        let mut rows = stmt.query(params![n as i64])?;
        let mut members = Members::default();
        while let Some(row) = rows.next()? {
            let flags = PostFlags {
                joined_late: row.get::<_, i64>(ENTRY_COLUMN_COUNT)? != 0,
                summary_only: row.get::<_, i64>(ENTRY_COLUMN_COUNT + 1)? != 0,
                http_images: row.get(ENTRY_COLUMN_COUNT + 2)?,
            };
            each(entry_from_with(row, &mut members)?, flags);
        }
        Ok(())
    }

    /// The share (0 to 1) of the stored posts dated in `since..before`, from the date index
    /// alone: whether a scan of them had better read the table in its order.
    pub fn share_dated_between(
        &self,
        since: DateTime<Utc>,
        before: DateTime<Utc>,
    ) -> anyhow::Result<f64> {
        let (dated, all): (i64, i64) = self.conn.query_row(
            "SELECT (SELECT COUNT(*) FROM entries WHERE sort_date >= ?1 AND sort_date < ?2),
                    (SELECT COUNT(*) FROM entries)",
            params![since.timestamp(), before.timestamp()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(if all == 0 {
            0.0
        } else {
            dated as f64 / all as f64
        })
    }

    /// Every stored post of the configured feeds, newest first, without bodies.
    pub fn post_refs(&self) -> anyhow::Result<Vec<PostRef>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT f.url, f.name, e.key, e.link, e.title, e.sort_date
             FROM entries e JOIN feeds f ON f.id = e.feed_id
             WHERE f.active = 1
             ORDER BY e.sort_date DESC, e.feed_id, e.entry_index, e.id",
        )?;
        let rows = stmt.query_map([], |r| {
            let config_url: String = r.get(0)?;
            Ok(PostRef {
                feed_url: crate::model::public_url(&config_url).into_owned(),
                config_url,
                member: r.get(1)?,
                key: r.get(2)?,
                link: r.get(3)?,
                title: r.get(4)?,
                date: time(r.get(5)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// What drives a scan's query.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Drive {
    /// For all posts, or those of many feeds: the newest-first index, read until the reader
    /// has enough.
    NewestFirst,
    /// For a few feeds (a member's page, `why`): their own rows through the (feed, date)
    /// index, then sorted. The planner cannot tell how many URLs the list holds, and reading
    /// the whole index for one member made a render of N member pages read every post of the
    /// planet N times.
    Feeds,
    /// For most of the posts ([`PostScan::in_table_order`]): the table in its order, then
    /// sorted.
    Table,
}

/// The scan's query, driven as `drive` says.
fn scan_sql(drive: Drive, bodies: bool) -> String {
    let from = match drive {
        Drive::Feeds => "feeds f CROSS JOIN entries e ON e.feed_id = f.id",
        Drive::NewestFirst => "entries e JOIN feeds f ON f.id = e.feed_id",
        Drive::Table => "entries e NOT INDEXED JOIN feeds f ON f.id = e.feed_id",
    };
    format!(
        "SELECT {columns}, e.hidden
         FROM {from}
         WHERE f.active = 1 AND (?2 OR e.hidden = 0)
           AND (?1 IS NULL OR f.url IN (SELECT value FROM json_each(?1)))
           AND (?3 IS NULL OR e.sort_date >= ?3)
           AND (?4 IS NULL OR e.sort_date < ?4)
         ORDER BY e.sort_date DESC, e.feed_id, e.entry_index, e.id",
        columns = entry_columns(bodies)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What SQLite plans for the scan's query.
    fn plan(store: &Store, drive: Drive) -> String {
        let mut stmt = store
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {}", scan_sql(drive, true)))
            .unwrap();
        let only = serde_json::to_string(&["https://a.example/feed"]).unwrap();
        let rows = stmt
            .query_map(params![only, true, None::<i64>, None::<i64>], |r| {
                r.get::<_, String>(3)
            })
            .unwrap();
        rows.map(Result::unwrap).collect::<Vec<_>>().join("\n")
    }

    /// A member's page reads that member's rows, never the whole newest-first index.
    #[test]
    fn a_scan_of_a_few_feeds_reads_only_their_rows() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("m.db")).unwrap();
        let few = plan(&store, Drive::Feeds);
        assert!(few.contains("entries_by_feed_date"), "{few}");
        assert!(!few.contains("entries_newest"), "{few}");
        // The whole planet's scan keeps the index that lets it stop early.
        let all = plan(&store, Drive::NewestFirst);
        assert!(all.contains("entries_newest"), "{all}");
        // The digest's year walks the table, not the index (`in_table_order`).
        let year = plan(&store, Drive::Table);
        assert!(year.lines().any(|l| l == "SCAN e"), "{year}");
        assert!(!year.contains("entries_"), "{year}");
    }
}
