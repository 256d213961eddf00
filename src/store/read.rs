//! The queries render and `status` read, and the mapping of their rows to model types.
//!
//! In: a [`Store`]. Out: [`EntryView`]s, [`FeedView`]s, [`FetchRecord`]s, moved feeds and the
//! last success time.

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{params, Row};

use super::codec::unpack;
use super::Store;
use crate::model::{Enclosure, EntryView, FeedView, FetchRecord, Health, Member, PushState};

impl Store {
    /// The newest `limit` entries of configured feeds, newest first, with their members.
    /// With `max_per_feed` > 0, a member's entries past that many are skipped; the rows are read
    /// in index order and reading stops as soon as `limit` entries are kept. With `only`, just
    /// the entries of those feeds (by configured URL).
    pub fn recent_entries(
        &self,
        limit: usize,
        max_per_feed: usize,
        only: Option<&[String]>,
    ) -> anyhow::Result<Vec<EntryView>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ENTRY_COLUMNS}
             FROM entries e JOIN feeds f ON f.id = e.feed_id
             WHERE f.active = 1 AND e.hidden = 0
               AND e.withdrawn_at IS NULL
               AND (?2 IS NULL OR f.url IN (SELECT value FROM json_each(?2)))
             ORDER BY e.sort_date DESC, e.feed_id, e.entry_index, e.id
             LIMIT ?1"
        ))?;
        // Without a cap SQLite stops at the limit; with one, it reads until enough are kept.
        let sql_limit = if max_per_feed == 0 {
            limit
        } else {
            usize::MAX / 2
        };
        let only = only.map(serde_json::to_string).transpose()?;
        let sql_limit = sql_limit.min(i64::MAX as usize) as i64;
        let rows = stmt.query_map(params![sql_limit, only], entry_from)?;
        let mut kept: Vec<EntryView> = Vec::new();
        let mut per_feed: std::collections::HashMap<String, usize> = Default::default();
        for row in rows {
            if kept.len() >= limit {
                break;
            }
            let e = row?;
            if max_per_feed > 0 {
                let n = per_feed.entry(e.member.config_url.clone()).or_default();
                if *n >= max_per_feed {
                    continue;
                }
                *n += 1;
            }
            kept.push(e);
        }
        Ok(kept)
    }

    /// Every configured feed, in config order, with its health.
    pub fn feed_views(&self) -> anyhow::Result<Vec<FeedView>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT f.url, f.name, f.title, f.site_link, f.homepage, COALESCE(f.face, f.image), f.tags,
                    f.last_fetch, f.last_success, f.last_status, f.last_error,
                    f.consecutive_failures, f.fetch_url,
                    (SELECT COUNT(*) FROM entries e WHERE e.feed_id = f.id),
                    f.moved_since, f.next_due, f.gone,
                    (SELECT MAX(e.sort_date) FROM entries e WHERE e.feed_id = f.id),
                    f.excerpt_only, COALESCE(f.slug, ''), f.future_dates, f.id_changes,
                    s.state, s.hub, s.lease_end, s.error
             FROM feeds f LEFT JOIN subscriptions s ON s.feed_id = f.id
             WHERE f.active = 1 ORDER BY f.position, f.id",
        )?;
        let rows = stmt.query_map([], |r| {
            let mut member = member_from(r, 0)?;
            member.excerpt_only = r.get::<_, i64>(18)? != 0;
            Ok(FeedView {
                member,
                slug: r.get(19)?,
                tags: json_list(&r.get::<_, String>(6)?),
                health: Health {
                    last_fetch: opt_time(r.get(7)?),
                    last_success: opt_time(r.get(8)?),
                    last_status: r.get::<_, Option<i64>>(9)?.map(|s| s as u16),
                    last_error: r.get(10)?,
                    consecutive_failures: r.get::<_, i64>(11)? as u32,
                    // Shown to the admin: a redirect relative to a URL with credentials
                    // keeps them (see `permanent_moves` for the URL itself).
                    moved_to: r
                        .get::<_, Option<String>>(12)?
                        .map(|u| crate::model::public_url(&u).into_owned()),
                    entries: r.get::<_, i64>(13)? as u64,
                    moved_since: opt_time(r.get(14)?),
                    next_due: opt_time(r.get(15)?),
                    gone: r.get::<_, i64>(16)? != 0,
                    last_post: opt_time(r.get(17)?),
                    future_dates: r.get::<_, i64>(20)? as u64,
                    id_changes: r.get::<_, i64>(21)? as u64,
                    push: match r.get::<_, Option<String>>(22)? {
                        Some(state) => Some(PushState {
                            state,
                            hub: crate::model::public_url(&r.get::<_, String>(23)?).into_owned(),
                            lease_end: opt_time(r.get(24)?),
                            error: r.get(25)?,
                        }),
                        None => None,
                    },
                },
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// `(configured URL, new URL)` of every configured feed that moved permanently, in config
    /// order: the URLs themselves, credentials included, for `fix-redirects` to write into
    /// feeds.toml (`feed_views` holds the forms that may be shown).
    pub fn permanent_moves(&self) -> anyhow::Result<Vec<(String, String)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT url, fetch_url FROM feeds
             WHERE active = 1 AND fetch_url IS NOT NULL ORDER BY position, id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The last time any configured feed was fetched successfully.
    pub fn last_success(&self) -> anyhow::Result<Option<DateTime<Utc>>> {
        let t: Option<i64> = self.conn.query_row(
            "SELECT MAX(last_success) FROM feeds WHERE active = 1",
            [],
            |r| r.get(0),
        )?;
        Ok(opt_time(t))
    }
}

/// The columns [`fetch_record_from`] reads, in its order (`x` is `fetches`).
pub(super) const FETCH_COLUMNS: &str = "x.at, x.status, x.duration_ms, x.bytes, x.new_entries,
     x.updated_entries, x.outcome, x.error";

/// A fetch record from the row of [`FETCH_COLUMNS`], starting at column `at`.
pub(super) fn fetch_record_from(r: &Row, at: usize) -> rusqlite::Result<FetchRecord> {
    Ok(FetchRecord {
        at: time(r.get(at)?),
        status: r.get::<_, Option<i64>>(at + 1)?.map(|s| s as u16),
        duration_ms: r.get::<_, i64>(at + 2)? as u64,
        bytes: r.get::<_, i64>(at + 3)? as u64,
        new_entries: r.get::<_, i64>(at + 4)? as u64,
        updated_entries: r.get::<_, i64>(at + 5)? as u64,
        outcome: r.get(at + 6)?,
        error: r.get(at + 7)?,
    })
}

/// The columns [`entry_from`] reads, in its order (`e` is `entries`, `f` is `feeds`).
pub(super) const ENTRY_COLUMNS: &str =
    "e.key, e.source_id, e.entry_index, e.link, e.title, e.author, e.published,
     e.updated, e.sort_date, e.content, e.summary, e.categories, e.enclosures,
     f.url, f.name, f.title, f.site_link, f.homepage, COALESCE(f.face, f.image), f.excerpt_only,
     e.lang,
     e.withdrawn_at IS NOT NULL, e.author_email, e.copy_key, e.excerpt";

/// [`ENTRY_COLUMNS`] without the bodies (read as `NULL`): what a reader that shows no body
/// reads, so that it decompresses none (a render's member pages and digest read every post).
pub(super) fn entry_columns(bodies: bool) -> std::borrow::Cow<'static, str> {
    if bodies {
        ENTRY_COLUMNS.into()
    } else {
        ENTRY_COLUMNS
            .replacen("e.content, e.summary", "NULL, NULL", 1)
            .into()
    }
}

/// How many columns [`ENTRY_COLUMNS`] has: a query's own columns follow them.
pub(super) const ENTRY_COLUMN_COUNT: usize = 25;

/// An entry and its member from the row of [`ENTRY_COLUMNS`].
pub(super) fn entry_from(r: &Row) -> rusqlite::Result<EntryView> {
    entry_from_with(r, &mut Members::default())
}

/// The members a query's rows have read so far, by configured URL: a member's columns are the
/// same on each of its rows, and a render reads every post of the planet.
#[derive(Default)]
pub(super) struct Members(std::collections::HashMap<String, Arc<Member>>);

/// [`entry_from`], sharing the member of `members` the row's feed already has.
pub(super) fn entry_from_with(r: &Row, members: &mut Members) -> rusqlite::Result<EntryView> {
    let url = r.get_ref(13)?.as_str()?;
    let member = match members.0.get(url) {
        Some(m) => m.clone(),
        None => {
            let mut member = member_from(r, 13)?;
            member.excerpt_only = r.get::<_, i64>(19)? != 0;
            let member = Arc::new(member);
            members.0.insert(url.to_string(), member.clone());
            member
        }
    };
    Ok(EntryView {
        feed_url: member.feed_url.clone(),
        key: r.get(0)?,
        source_id: r.get(1)?,
        index: r.get::<_, i64>(2)? as usize,
        link: r.get(3)?,
        title: r.get(4)?,
        author: r.get(5)?,
        author_email: r.get(22)?,
        published: opt_time(r.get(6)?),
        updated: opt_time(r.get(7)?),
        date: time(r.get(8)?),
        content: unpack(r, 9)?,
        summary: unpack(r, 10)?,
        categories: json_list(&r.get::<_, String>(11)?),
        enclosures: json_list::<Enclosure>(&r.get::<_, String>(12)?),
        lang: r.get(20)?,
        withdrawn: r.get(21)?,
        copy_key: r.get(23)?,
        excerpt: r.get(24)?,
        member,
        also: Vec::new(),
    })
}

/// Reads url, name, title, site_link, homepage, face from six columns starting at `at`.
fn member_from(r: &Row, at: usize) -> rusqlite::Result<Member> {
    let config_url: String = r.get(at)?;
    Ok(Member {
        feed_url: crate::model::public_url(&config_url).into_owned(),
        config_url,
        name: r.get(at + 1)?,
        feed_title: r.get(at + 2)?,
        site_link: r.get(at + 3)?,
        homepage: r.get::<_, Option<String>>(at + 4)?.or(r.get(at + 3)?),
        face: r.get(at + 5)?,
        excerpt_only: false,
    })
}

pub(super) fn time(ts: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(ts, 0).single().unwrap_or_default()
}

pub(super) fn opt_time(ts: Option<i64>) -> Option<DateTime<Utc>> {
    ts.map(time)
}

fn json_list<T: serde::de::DeserializeOwned>(s: &str) -> Vec<T> {
    serde_json::from_str(s).unwrap_or_default()
}
