//! A member's feed moved to a new URL (`mercury move`): its row, and so its posts, keys,
//! validators, tombstones and fetch history, carried over to the new URL, so that nothing is
//! shown as new and `new_feed_items` does not apply. When the new URL already has a row (the
//! admin edited feeds.toml by hand and a refresh ran, or both URLs were listed), the two are
//! merged: the posts only the new row has join the old history.
//!
//! In: the old and new URL as written in feeds.toml, and the config edit to make before the
//! commit. Out: a [`MoveReport`].

use rusqlite::{params, OptionalExtension};

use super::Store;

/// What a move carried over.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MoveReport {
    /// Whether anything was stored under the old URL.
    pub had_history: bool,
    /// Posts stored for the feed under the new URL, once moved.
    pub posts: u64,
    /// Whether the new URL already had a row, merged into the moved one.
    pub merged: bool,
}

impl Store {
    /// Moves everything stored of the feed at `old` to `new`, in one transaction that commits
    /// only if `before_commit` (the feeds.toml edit) succeeds: the database and the file
    /// change together or not at all.
    pub fn move_feed(
        &mut self,
        old: &str,
        new: &str,
        before_commit: impl FnOnce() -> anyhow::Result<()>,
    ) -> anyhow::Result<MoveReport> {
        let tx = self.write_transaction()?;
        let id_of = |url: &str| -> rusqlite::Result<Option<i64>> {
            tx.query_row("SELECT id FROM feeds WHERE url = ?1", [url], |r| r.get(0))
                .optional()
        };
        let (old_id, new_id) = (id_of(old)?, id_of(new)?);
        let mut report = MoveReport::default();
        if let Some(old_id) = old_id {
            report.had_history = true;
            if let Some(new_id) = new_id {
                report.merged = true;
                merge_into(&tx, old_id, new_id)?;
            }
            // The new URL is where the feed is now: no redirect left to report.
            tx.execute(
                "UPDATE feeds SET url = ?2, fetch_url = NULL, moved_since = NULL WHERE id = ?1",
                params![old_id, new],
            )?;
            report.posts = tx.query_row(
                "SELECT COUNT(*) FROM entries WHERE feed_id = ?1",
                [old_id],
                |r| r.get::<_, i64>(0),
            )? as u64;
        }
        before_commit()?;
        tx.commit()?;
        Ok(report)
    }
}

/// Moves into `old_id` the posts that only `new_id` holds (shown: they are the member's posts,
/// hidden only because the new URL looked like a new member), and its fetch state (its
/// validators are the new URL's), then deletes `new_id` with what is left of it.
fn merge_into(tx: &rusqlite::Connection, old_id: i64, new_id: i64) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE entries SET feed_id = ?1, hidden = 0
         WHERE feed_id = ?2
           AND key NOT IN (SELECT key FROM entries WHERE feed_id = ?1)
           AND key NOT IN (SELECT key FROM tombstones WHERE feed_id = ?1)
           AND (link IS NULL OR link NOT IN (
                SELECT link FROM entries WHERE feed_id = ?1 AND link IS NOT NULL))",
        params![old_id, new_id],
    )?;
    tx.execute(
        "UPDATE feeds SET
             (etag, last_modified, body_hash, last_fetch, last_success, last_status, last_error,
              last_error_kind, consecutive_failures, next_due, gone, title, site_link,
              active, position, name, homepage, face, tags, excerpt_only, inactive_since) =
             (SELECT etag, last_modified, body_hash, last_fetch, last_success, last_status,
                     last_error, last_error_kind, consecutive_failures, next_due, gone,
                     COALESCE(n.title, feeds.title), COALESCE(n.site_link, feeds.site_link),
                     MAX(n.active, feeds.active), n.position, n.name, n.homepage, n.face,
                     n.tags, n.excerpt_only, n.inactive_since
              FROM feeds n WHERE n.id = ?2)
         WHERE id = ?1 AND (SELECT last_fetch FROM feeds WHERE id = ?2) IS NOT NULL",
        params![old_id, new_id],
    )?;
    tx.execute("DELETE FROM feeds WHERE id = ?1", [new_id])?;
    Ok(())
}
