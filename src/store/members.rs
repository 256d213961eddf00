//! The queries behind the member pages besides their posts (`posts.rs`), each one pass over
//! every configured feed (a render makes every member's page; a query per member made 10,000
//! members cost 10,000 queries of each kind): every member's newest fetch records, and their
//! post dates for the activity strips.
//!
//! In: a [`Store`], a limit or a time. Out: [`FetchRecord`]s by configured feed URL,
//! `(URL, date)` pairs.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::read::{fetch_record_from, time, FETCH_COLUMNS};
use super::Store;
use crate::model::FetchRecord;

impl Store {
    /// The newest `limit` fetch records of each configured feed, newest first, by its
    /// configured URL. A feed never fetched is absent.
    pub fn fetch_histories(
        &self,
        limit: usize,
    ) -> anyhow::Result<HashMap<String, Vec<FetchRecord>>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT f.url, {FETCH_COLUMNS}
             FROM (SELECT x.id, ROW_NUMBER() OVER (PARTITION BY x.feed_id ORDER BY x.id DESC) AS n
                   FROM fetches x JOIN feeds f ON f.id = x.feed_id WHERE f.active = 1) w
             JOIN fetches x ON x.id = w.id JOIN feeds f ON f.id = x.feed_id
             WHERE w.n <= ?1
             ORDER BY x.feed_id, w.n"
        ))?;
        let mut out: HashMap<String, Vec<FetchRecord>> = HashMap::new();
        let mut rows = stmt.query(params![limit as i64])?;
        while let Some(r) = rows.next()? {
            let record = fetch_record_from(r, 1)?;
            out.entry(r.get(0)?).or_default().push(record);
        }
        Ok(out)
    }

    /// `(configured URL, date)` of every post of a configured feed dated at or after `since`.
    pub fn post_dates_since(
        &self,
        since: DateTime<Utc>,
    ) -> anyhow::Result<Vec<(String, DateTime<Utc>)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT f.url, e.sort_date FROM entries e JOIN feeds f ON f.id = e.feed_id
             WHERE f.active = 1 AND e.sort_date >= ?1",
        )?;
        let rows = stmt.query_map([since.timestamp()], |r| Ok((r.get(0)?, time(r.get(1)?))))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
