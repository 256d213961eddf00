//! What the digest published: per period, the hash of its feed entry's content and the
//! `updated` the entry went out with (table `digests`), so that a refresh republishes an
//! unchanged entry exactly as before and a changed one with a newer `updated`.
//!
//! In: `(period, content hash, end of period)` of each complete period and `now`. Out: the
//! `updated` of each.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use super::read::time;
use super::Store;

impl Store {
    /// Records what the digest publishes and returns each period's `updated`, in the order
    /// given: a period seen for the first time is published as of its `end`; one whose
    /// content hash is unchanged keeps the `updated` it had; one whose content changed (a post
    /// in it was hidden since) gets `now`, or a second past its old `updated` if that is later,
    /// so readers see it change exactly once. One transaction.
    pub fn publish_digests(
        &mut self,
        periods: &[(String, String, DateTime<Utc>)],
        now: DateTime<Utc>,
    ) -> anyhow::Result<Vec<DateTime<Utc>>> {
        let tx = self.write_transaction()?;
        let mut out = Vec::with_capacity(periods.len());
        {
            let mut read =
                tx.prepare_cached("SELECT content_hash, updated FROM digests WHERE period = ?1")?;
            let mut write = tx.prepare_cached(
                "INSERT INTO digests (period, content_hash, updated) VALUES (?1, ?2, ?3)
                 ON CONFLICT (period) DO UPDATE SET content_hash = ?2, updated = ?3",
            )?;
            for (period, hash, end) in periods {
                let stored: Option<(String, i64)> = read
                    .query_row(params![period], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                let updated = match &stored {
                    Some((old, updated)) if old == hash => time(*updated),
                    // In whole seconds, as stored: the next render reads back what this one wrote.
                    Some((_, updated)) => {
                        time(now.timestamp()).max(time(*updated) + chrono::Duration::seconds(1))
                    }
                    None => *end,
                };
                if stored.is_none_or(|(old, _)| old != *hash) {
                    write.execute(params![period, hash, updated.timestamp()])?;
                }
                out.push(updated);
            }
        }
        tx.commit()?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, TimeZone, Utc};

    use super::Store;

    fn t(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, day, hour, 0, 0).unwrap()
    }

    #[test]
    fn updated_moves_only_when_the_content_does() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("m.db")).unwrap();
        let end = t(1, 0);
        let publish = |store: &mut Store, hash: &str, now| {
            store
                .publish_digests(&[("2026-W48".into(), hash.into(), end)], now)
                .unwrap()[0]
        };
        assert_eq!(publish(&mut store, "a", t(1, 6)), end, "first published");
        assert_eq!(publish(&mut store, "a", t(2, 6)), end, "unchanged");
        assert_eq!(publish(&mut store, "b", t(3, 6)), t(3, 6), "changed");
        assert_eq!(publish(&mut store, "b", t(4, 6)), t(3, 6), "then stable");
        // A clock set back never moves `updated` backwards.
        let back = publish(&mut store, "c", t(1, 6));
        assert_eq!(back, t(3, 6) + chrono::Duration::seconds(1));
        // A `now` with a fraction of a second is published as stored, in whole seconds.
        let fraction = chrono::Duration::milliseconds(367);
        let first = publish(&mut store, "d", t(5, 6) + fraction);
        assert_eq!(first, t(5, 6));
        assert_eq!(publish(&mut store, "d", t(5, 7) + fraction), first);
    }
}
