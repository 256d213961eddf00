//! The feeds table made to match the configured feeds: new ones added, removed ones marked
//! inactive (since when: retention forgets them later), names and order refreshed. (A feed's
//! row moved to a new URL is `moves.rs`.)
//!
//! In: [`MemberFeed`]s (config makes them; the store reads no configuration). Out: a
//! [`FeedRequest`] per configured feed, for the fetcher.

use rusqlite::{params, OptionalExtension};
use url::Url;

use super::read::opt_time;
use super::Store;
use crate::model::{slug_base, FeedRequest, MemberFeed};

impl Store {
    /// Makes the feeds table match the configured feeds (new feeds added, removed ones marked
    /// inactive, names and order refreshed) and returns what the fetcher needs for each one.
    pub fn sync_feeds(&mut self, feeds: &[MemberFeed]) -> anyhow::Result<Vec<FeedRequest>> {
        let tx = self.write_transaction()?;
        tx.execute("UPDATE feeds SET active = 0", [])?;
        {
            let mut upsert = tx.prepare(
                "INSERT INTO feeds (url, active, position, name, homepage, face, tags, excerpt_only,
                     joined_late)
                 VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, EXISTS (SELECT 1 FROM entries))
                 ON CONFLICT (url) DO UPDATE SET active = 1, inactive_since = NULL,
                     position = ?2, name = ?3,
                     homepage = ?4, face = ?5, tags = ?6, excerpt_only = ?7",
            )?;
            for (pos, f) in feeds.iter().enumerate() {
                upsert.execute(params![
                    f.url,
                    pos as i64,
                    f.name,
                    f.homepage.as_ref().map(Url::as_str),
                    f.face.as_deref(),
                    serde_json::to_string(&f.tags)?,
                    f.excerpt_only,
                ])?;
            }
        }
        // A feed that left feeds.toml is forgotten `forget_after_days` after this (retention).
        tx.execute(
            "UPDATE feeds SET inactive_since = ?1 WHERE active = 0 AND inactive_since IS NULL",
            [crate::clock::now().timestamp()],
        )?;
        let mut requests = Vec::with_capacity(feeds.len());
        {
            let mut select = tx.prepare(
                "SELECT id, fetch_url, etag, last_modified, body_hash, consecutive_failures,
                        next_due, gone
                 FROM feeds WHERE url = ?1",
            )?;
            for f in feeds {
                let req = select.query_row([&f.url], |r| {
                    let moved: Option<String> = r.get(1)?;
                    Ok(FeedRequest {
                        feed_id: r.get(0)?,
                        url: f.url.clone(),
                        fetch_url: moved
                            .and_then(|m| Url::parse(&m).ok())
                            .unwrap_or_else(|| f.parsed_url.clone()),
                        etag: r.get(2)?,
                        last_modified: r.get(3)?,
                        body_hash: r.get(4)?,
                        consecutive_failures: r.get::<_, i64>(5)? as u32,
                        next_due: opt_time(r.get(6)?),
                        gone: r.get::<_, i64>(7)? != 0,
                    })
                })?;
                requests.push(req);
            }
        }
        assign_slugs(&tx)?;
        tx.commit()?;
        Ok(requests)
    }

    /// What the fetcher would know of the feed `feed_id` (for a pushed body), if it has a row.
    pub fn feed_request(&self, feed_id: i64) -> anyhow::Result<Option<FeedRequest>> {
        let mut select = self.conn.prepare_cached(
            "SELECT id, url, fetch_url, etag, last_modified, body_hash, consecutive_failures,
                    next_due, gone
             FROM feeds WHERE id = ?1",
        )?;
        type Row = (String, Option<String>, Option<String>, Option<String>);
        let row = select
            .query_row([feed_id], |r| {
                let known: Row = (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
                let state: (Option<String>, i64, Option<i64>, i64) =
                    (r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?);
                Ok((known, state))
            })
            .optional()?;
        let Some(((url, moved, etag, last_modified), (body_hash, failures, next_due, gone))) = row
        else {
            return Ok(None);
        };
        let fetch_url = Url::parse(moved.as_deref().unwrap_or(&url))?;
        Ok(Some(FeedRequest {
            feed_id,
            url,
            fetch_url,
            etag,
            last_modified,
            body_hash,
            consecutive_failures: failures as u32,
            next_due: opt_time(next_due),
            gone: gone != 0,
        }))
    }
}

/// Gives every feed row without a slug one, in config order: [`slug_base`] of its member's name,
/// with `-2`, `-3` … when another row (active or not) already has it. A slug stays with its row.
fn assign_slugs(tx: &rusqlite::Transaction) -> anyhow::Result<()> {
    let pending: Vec<(i64, String)> = {
        let mut stmt = tx.prepare(
            "SELECT id, name FROM feeds WHERE slug IS NULL ORDER BY active DESC, position, id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    let mut taken = tx.prepare_cached("SELECT 1 FROM feeds WHERE slug = ?1")?;
    let mut set = tx.prepare_cached("UPDATE feeds SET slug = ?2 WHERE id = ?1")?;
    for (id, name) in pending {
        let base = slug_base(&name);
        let mut slug = base.clone();
        let mut n = 1;
        while taken.exists([&slug])? {
            n += 1;
            slug = format!("{base}-{n}");
        }
        set.execute(params![id, slug])?;
    }
    Ok(())
}
