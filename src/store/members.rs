//! The queries behind the member pages: one member's stored posts (newest first, with what
//! their state and the feed-quality hints need) and every member's post dates for the activity
//! strips.
//!
//! In: a [`Store`], a feed's configured URL, a time. Out: [`StoredPost`]s, `(URL, date)` pairs.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::codec::unpack;
use super::read::time;
use super::Store;
use crate::model::StoredPost;

/// The newest posts of a member whose bodies are checked for `http:` images.
const IMAGE_CHECKED_POSTS: usize = 20;

impl Store {
    /// The newest `limit` posts stored for the feed configured as `url`, in the planet's order
    /// (date, then position in the feed).
    pub fn stored_posts(&self, url: &str, limit: usize) -> anyhow::Result<Vec<StoredPost>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.key, e.link, e.title, e.sort_date, e.hidden,
                    e.published IS NULL AND e.updated IS NULL,
                    e.content IS NULL AND e.summary IS NOT NULL, e.content, e.summary
             FROM entries e JOIN feeds f ON f.id = e.feed_id
             WHERE f.url = ?1
             ORDER BY e.sort_date DESC, e.entry_index, e.id
             LIMIT ?2",
        )?;
        let mut row = 0;
        let rows = stmt.query_map(params![url, limit as i64], |r| {
            // Only the newest bodies are read for images: a render makes every member's page,
            // and decoding 100 bodies each would cost more than the rest of it.
            row += 1;
            let http_images = row <= IMAGE_CHECKED_POSTS
                && [unpack(r, 7)?, unpack(r, 8)?]
                    .iter()
                    .flatten()
                    .any(|b| loads_http_image(b));
            Ok(StoredPost {
                key: r.get(0)?,
                link: r.get(1)?,
                title: r.get(2)?,
                date: time(r.get(3)?),
                joined_late: r.get::<_, i64>(4)? != 0,
                undated: r.get::<_, i64>(5)? != 0,
                summary_only: r.get::<_, i64>(6)? != 0,
                http_images,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
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

/// Whether sanitised HTML loads an image over plain http (browsers block it on an https
/// page). The sanitiser writes attributes double-quoted, so a byte search suffices.
fn loads_http_image(html: &str) -> bool {
    html.contains("src=\"http://") || html.contains("srcset=\"http://")
}
