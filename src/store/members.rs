//! The queries behind the member pages, each one pass over every configured feed (a render
//! makes every member's page; a query per member made 10,000 members cost 10,000 queries of
//! each kind): every member's newest stored posts (with what their state and the feed-quality
//! hints need), their newest fetch records, and their post dates for the activity strips.
//!
//! In: a [`Store`], a limit or a time. Out: [`StoredPost`]s and [`FetchRecord`]s by configured
//! feed URL, `(URL, date)` pairs.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::read::{fetch_record_from, time, FETCH_COLUMNS};
use super::Store;
use crate::model::{FetchRecord, StoredPost};

impl Store {
    /// The newest `limit` posts stored for each configured feed, by its configured URL, in
    /// the planet's order (date, then position in the feed). A feed with no post is absent.
    pub fn stored_posts_by_feed(
        &self,
        limit: usize,
    ) -> anyhow::Result<HashMap<String, Vec<StoredPost>>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT f.url, e.key, e.link, e.title, e.sort_date, e.hidden,
                    e.published IS NULL AND e.updated IS NULL,
                    e.content IS NULL AND e.summary IS NOT NULL, e.http_images
             FROM (SELECT e.id, ROW_NUMBER() OVER (PARTITION BY e.feed_id
                          ORDER BY e.sort_date DESC, e.entry_index, e.id) AS n
                   FROM entries e JOIN feeds f ON f.id = e.feed_id WHERE f.active = 1) w
             JOIN entries e ON e.id = w.id JOIN feeds f ON f.id = e.feed_id
             WHERE w.n <= ?1
             ORDER BY e.feed_id, w.n",
        )?;
        let mut out: HashMap<String, Vec<StoredPost>> = HashMap::new();
        let mut rows = stmt.query(params![limit as i64])?;
        while let Some(r) = rows.next()? {
            let post = StoredPost {
                key: r.get(1)?,
                link: r.get(2)?,
                title: r.get(3)?,
                date: time(r.get(4)?),
                joined_late: r.get::<_, i64>(5)? != 0,
                undated: r.get::<_, i64>(6)? != 0,
                summary_only: r.get::<_, i64>(7)? != 0,
                http_images: r.get(8)?,
            };
            let url = r.get_ref(0)?.as_str()?;
            match out.get_mut(url) {
                Some(posts) => posts.push(post),
                None => {
                    out.insert(url.to_string(), vec![post]);
                }
            }
        }
        Ok(out)
    }

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
