//! Full-text search of the planet: the index of the posts the last render showed
//! ([`Store::set_shown`]) and the search over them ([`Store::search`]). The index
//! (`search_index`, FTS5) holds only those posts, so a post that any rule hides (a filter, a
//! moderator, a cross-post, withdrawn, joined late, `max_per_feed`, the archive) is never
//! found, without a visibility pass per query; the triggers of migration 14 keep the indexed
//! posts in step with every write, in its transaction (an edit, a deletion by retention).
//!
//! In: the shown posts' identities from `site`; a [`Query`], a page and a time limit from
//! `serve`. Out: [`SearchResults`].

use std::time::{Duration, Instant};

use rusqlite::{params, OptionalExtension};

use super::read::time;
use super::Store;
use crate::model::{SearchHit, SearchResults, Topic};
use crate::search::Query;

/// A search ranks at most this many matches, the newest (see `run_search`); the pages of
/// results end there.
pub const RANKED: usize = 1_000;

/// SQLite's virtual machine checks the time limit every this many steps.
const PROGRESS_STEPS: i32 = 1_000;

/// bm25 weights of the columns: a term in the title counts most, in the member's name next.
const RANK: &str = "bm25(search_index, 10.0, 1.0, 4.0)";

impl Store {
    /// Records the posts the planet now shows, by (configured feed URL, key), in one
    /// transaction: the newly shown ones are indexed, the ones no longer shown leave the index,
    /// the others are left as they are (a render usually changes a few). Searches find these
    /// posts and no other.
    pub fn set_shown<'a>(
        &mut self,
        shown: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> anyhow::Result<()> {
        let tx = self.write_transaction()?;
        tx.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS shown_now (
                 entry_id INTEGER PRIMARY KEY, feed_id INTEGER NOT NULL, sort_date INTEGER NOT NULL);
             DELETE FROM temp.shown_now;",
        )?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT OR IGNORE INTO temp.shown_now (entry_id, feed_id, sort_date)
                 SELECT e.id, e.feed_id, e.sort_date FROM entries e JOIN feeds f ON f.id = e.feed_id
                 WHERE f.url = ?1 AND e.key = ?2",
            )?;
            for (url, key) in shown {
                insert.execute(params![url, key])?;
            }
        }
        tx.execute_batch(
            "DELETE FROM search_index WHERE rowid IN (
                 SELECT entry_id FROM search_shown
                 WHERE entry_id NOT IN (SELECT entry_id FROM temp.shown_now));
             DELETE FROM search_shown
                 WHERE entry_id NOT IN (SELECT entry_id FROM temp.shown_now);
             INSERT INTO search_index (rowid, title, body, member)
                 SELECT e.id, COALESCE(e.title, ''),
                        mercury_search_text(COALESCE(e.content, e.summary)), f.name
                 FROM temp.shown_now n JOIN entries e ON e.id = n.entry_id
                 JOIN feeds f ON f.id = e.feed_id
                 WHERE n.entry_id NOT IN (SELECT entry_id FROM search_shown);
             INSERT INTO search_shown (entry_id, feed_id, sort_date)
                 SELECT entry_id, feed_id, sort_date FROM temp.shown_now
                 WHERE entry_id NOT IN (SELECT entry_id FROM search_shown);
             DELETE FROM temp.shown_now;",
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Page `page` (from 0) of `per_page` shown posts matching `query`, best first, and how
    /// many match in all. Stopped after `limit`: then `timed_out` is set and nothing is found.
    pub fn search(
        &self,
        query: &Query,
        page: usize,
        per_page: usize,
        limit: Duration,
    ) -> anyhow::Result<SearchResults> {
        let feeds = self.filtered_feeds(query)?;
        if feeds.as_ref().is_some_and(|f| f.is_empty()) {
            return Ok(SearchResults::default());
        }
        let feeds = feeds.map(|f| serde_json::to_string(&f)).transpose()?;
        let deadline = Instant::now() + limit;
        self.conn
            .progress_handler(PROGRESS_STEPS, Some(move || Instant::now() > deadline))?;
        let found = self.run_search(query, feeds.as_deref(), page, per_page);
        self.conn.progress_handler(0, None::<fn() -> bool>)?;
        match found {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::OperationInterrupted =>
            {
                Ok(SearchResults {
                    timed_out: true,
                    ..SearchResults::default()
                })
            }
            other => Ok(other?),
        }
    }

    fn run_search(
        &self,
        query: &Query,
        feeds: Option<&str>,
        page: usize,
        per_page: usize,
    ) -> rusqlite::Result<SearchResults> {
        let (limit, offset) = (per_page as i64, page.saturating_mul(per_page) as i64);
        let Some(fts) = query.fts() else {
            // A filter alone: the member's (or tag's) shown posts, newest first.
            let total: i64 = self
                .conn
                .prepare_cached(
                    "SELECT count(*) FROM search_shown s
                     WHERE s.feed_id IN (SELECT value FROM json_each(?1))",
                )?
                .query_row([feeds], |r| r.get(0))?;
            let mut stmt = self.conn.prepare_cached(
                "SELECT COALESCE(e.title, ''), '', e.link, e.sort_date, f.name, f.slug, e.lang
                 FROM search_shown s JOIN entries e ON e.id = s.entry_id
                 JOIN feeds f ON f.id = e.feed_id
                 WHERE s.feed_id IN (SELECT value FROM json_each(?1))
                 ORDER BY s.sort_date DESC, s.entry_id DESC LIMIT ?2 OFFSET ?3",
            )?;
            let hits = stmt
                .query_map(params![feeds, limit, offset], hit)?
                .collect::<Result<_, _>>()?;
            return Ok(SearchResults {
                total: total as usize,
                hits,
                more: false,
                timed_out: false,
            });
        };
        // The newest RANKED matches are the candidates: ranking costs about the same for each
        // match (bm25 reads every position of the terms), so a word that most posts hold would
        // otherwise take a second to rank on a large planet (BENCHMARKS.md, "Search").
        let (source, newest) = (
            "search_index JOIN search_shown s ON s.entry_id = search_index.rowid",
            "search_index.rowid",
        );
        let filter = "(?2 IS NULL OR s.feed_id IN (SELECT value FROM json_each(?2)))";
        let (total, floor): (i64, Option<i64>) = self
            .conn
            .prepare_cached(&format!(
                "SELECT count(*), min(id) FROM (
                     SELECT s.entry_id AS id FROM {source}
                     WHERE search_index MATCH ?1 AND {filter}
                     ORDER BY {newest} DESC LIMIT ?3)"
            ))?
            .query_row(params![fts, feeds, RANKED as i64], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        let Some(floor) = floor else {
            return Ok(SearchResults::default());
        };
        let more = total as usize == RANKED
            && self
                .conn
                .prepare_cached(&format!(
                    "SELECT EXISTS (SELECT 1 FROM {source}
                     WHERE search_index MATCH ?1 AND {newest} < ?3 AND {filter})"
                ))?
                .query_row(params![fts, feeds, floor], |r| r.get(0))?;
        // Ranked: without a filter, in the index alone (its rowid range pushed down), then
        // joined; with one, the filter first, so only kept posts are scored.
        let ranked = if feeds.is_none() {
            format!(
                "SELECT ranked.id AS id, ranked.score AS score, s.sort_date AS sort_date
                 FROM (SELECT rowid AS id, {RANK} AS score FROM search_index
                       WHERE search_index MATCH ?1 AND rowid >= ?5) ranked
                 JOIN search_shown s ON s.entry_id = ranked.id"
            )
        } else {
            format!(
                "SELECT s.entry_id AS id, {RANK} AS score, s.sort_date AS sort_date
                 FROM {source}
                 WHERE search_index MATCH ?1 AND search_index.rowid >= ?5 AND {filter}"
            )
        };
        // The page's posts first (ranked, without snippets), then the snippets of those alone:
        // SQLite would otherwise make a snippet of every match before sorting.
        let mut stmt = self.conn.prepare_cached(&format!(
            "WITH page AS (
                 SELECT id, score, sort_date FROM ({ranked})
                 ORDER BY score, sort_date DESC, id DESC LIMIT ?3 OFFSET ?4)
             SELECT highlight(search_index, 0, char(57344), char(57345)),
                    snippet(search_index, 1, char(57344), char(57345), '…', 24),
                    e.link, e.sort_date, f.name, f.slug, e.lang
             FROM page
             JOIN search_index ON search_index.rowid = page.id
             JOIN entries e ON e.id = page.id
             JOIN feeds f ON f.id = e.feed_id
             WHERE search_index MATCH ?1
             ORDER BY page.score, page.sort_date DESC, page.id DESC"
        ))?;
        let hits = stmt
            .query_map(params![fts, feeds, limit, offset, floor], hit)?
            .collect::<Result<_, _>>()?;
        Ok(SearchResults {
            total: total as usize,
            hits,
            more,
            timed_out: false,
        })
    }

    /// The ids of the active feeds `query`'s `member:` and `tag:` select; `None`: no filter.
    /// Matched here rather than in SQL, whose `lower()` knows only ASCII.
    fn filtered_feeds(&self, query: &Query) -> anyhow::Result<Option<Vec<i64>>> {
        if query.member.is_none() && query.tag.is_none() {
            return Ok(None);
        }
        let member = query.member.as_deref().map(str::to_lowercase);
        let tag = query.tag.as_deref().map(Topic::slug_of);
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, name, tags FROM feeds WHERE active = 1 ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut ids = Vec::new();
        for row in rows {
            let (id, name, tags) = row?;
            let tags: Vec<String> = serde_json::from_str(&tags).unwrap_or_default();
            let by_member = member
                .as_deref()
                .is_none_or(|m| name.to_lowercase().contains(m));
            let by_tag = tag
                .as_deref()
                .is_none_or(|t| tags.iter().any(|x| Topic::slug_of(x) == t));
            if by_member && by_tag {
                ids.push(id);
            }
        }
        Ok(Some(ids))
    }

    /// Whether the search index passes FTS5's own check and holds exactly the shown posts.
    pub fn search_index_check(&self) -> anyhow::Result<()> {
        self.conn.execute(
            "INSERT INTO search_index (search_index) VALUES ('integrity-check')",
            [],
        )?;
        let astray: Option<i64> = self
            .conn
            .query_row(
                "SELECT entry_id FROM search_shown
                 WHERE entry_id NOT IN (SELECT rowid FROM search_index)
                 UNION ALL
                 SELECT rowid FROM search_index
                 WHERE rowid NOT IN (SELECT entry_id FROM search_shown)
                 LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        anyhow::ensure!(
            astray.is_none(),
            "post {astray:?} is in only one of the search index and the shown posts"
        );
        Ok(())
    }
}

/// A result row: title, snippet, link, date, member's name and folder, language.
fn hit(r: &rusqlite::Row) -> rusqlite::Result<SearchHit> {
    Ok(SearchHit {
        title: r.get(0)?,
        snippet: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
        link: r.get(2)?,
        date: time(r.get(3)?),
        member: r.get(4)?,
        member_slug: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
        lang: r.get(6)?,
    })
}
