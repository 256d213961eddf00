//! The WebSub publisher's queue: the merged feeds whose change the planet's hub has not yet
//! been told of. A render queues the feeds it changed; a ping that succeeds takes its feed off,
//! one that fails leaves it for the next render.
//!
//! In: topic URLs (the merged feeds' public URLs) and each ping's result. Out: the
//! [`PendingPing`]s still owed, oldest first.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::read::time;
use super::Store;
use crate::model::PendingPing;

impl Store {
    /// Queues a ping for each of `topics` (a topic already queued keeps its first date).
    pub fn queue_hub_pings(&self, topics: &[String], at: DateTime<Utc>) -> anyhow::Result<()> {
        let mut insert = self
            .conn
            .prepare_cached("INSERT OR IGNORE INTO hub_pings (topic, since) VALUES (?1, ?2)")?;
        for topic in topics {
            insert.execute(params![topic, at.timestamp()])?;
        }
        Ok(())
    }

    /// The pings still owed, oldest first (then by topic, for a stable order).
    pub fn hub_pings(&self) -> anyhow::Result<Vec<PendingPing>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT topic, since, attempts, last_error FROM hub_pings ORDER BY since, topic",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(PendingPing {
                topic: r.get(0)?,
                since: time(r.get(1)?),
                attempts: r.get::<_, i64>(2)? as u32,
                last_error: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records a ping's result: done (off the queue), or failed with `error` (kept).
    pub fn hub_pinged(&self, topic: &str, result: Result<(), &str>) -> anyhow::Result<()> {
        match result {
            Ok(()) => self
                .conn
                .prepare_cached("DELETE FROM hub_pings WHERE topic = ?1")?
                .execute([topic])?,
            Err(error) => self
                .conn
                .prepare_cached(
                    "UPDATE hub_pings SET attempts = attempts + 1, last_error = ?2
                     WHERE topic = ?1",
                )?
                .execute(params![topic, error])?,
        };
        Ok(())
    }
}
