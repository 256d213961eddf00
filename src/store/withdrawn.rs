//! Posts their authors withdrew: a post that disappears from its feed while an older post of
//! the same feed is still in it did not scroll off the end, it was removed (issue #20). It is
//! marked (`entries.withdrawn_at`) and not shown; it is unmarked when it reappears.
//!
//! In: one feed's successfully parsed document, as the ids of the stored entries it holds
//! (the writer calls this only for a parsed, non-empty document: never for a failed,
//! unchanged or empty fetch). Out: the marks updated in the caller's transaction.

use rusqlite::{params, Connection};

/// Marks the entries of `feed_id` that the document no longer holds although an older one of
/// them (by the date shown) is still in it, and unmarks those it holds again. `seen` are the
/// ids of the stored entries the document holds.
pub(super) fn follow(tx: &Connection, feed_id: i64, at: i64, seen: &[i64]) -> anyhow::Result<()> {
    // An empty document says nothing about what was removed (a feed emptied by mistake, or a
    // document whose every entry failed to parse).
    if seen.is_empty() {
        return Ok(());
    }
    let seen = serde_json::to_string(seen)?;
    tx.prepare_cached(
        "UPDATE entries SET withdrawn_at = NULL
         WHERE withdrawn_at IS NOT NULL AND id IN (SELECT value FROM json_each(?1))",
    )?
    .execute([&seen])?;
    // The oldest post still in the document: anything newer that is gone was withdrawn;
    // anything older simply scrolled off the end of the feed.
    tx.prepare_cached(
        "UPDATE entries SET withdrawn_at = ?3
         WHERE feed_id = ?1 AND withdrawn_at IS NULL
           AND id NOT IN (SELECT value FROM json_each(?2))
           AND sort_date > (SELECT MIN(sort_date) FROM entries
                            WHERE id IN (SELECT value FROM json_each(?2)))",
    )?
    .execute(params![feed_id, seen, at])?;
    Ok(())
}
