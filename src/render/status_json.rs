//! `status.json` and `status --json`: every feed's health as data for scripts, one object per
//! feed in config order (the fields are listed in the README).
//!
//! In: the feeds, each one's recent fetches, `now`. Out: pretty-printed JSON.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::view::health_notes;
use crate::model::{FeedView, FetchRecord};

#[derive(Serialize)]
struct JsonFeed<'a> {
    url: &'a str,
    name: &'a str,
    title: Option<&'a str>,
    homepage: Option<&'a str>,
    last_fetch: Option<DateTime<Utc>>,
    last_success: Option<DateTime<Utc>>,
    last_status: Option<u16>,
    consecutive_failures: u32,
    error: Option<&'a str>,
    next_attempt: Option<DateTime<Utc>>,
    gone: bool,
    moved_to: Option<&'a str>,
    moved_since: Option<DateTime<Utc>>,
    entries: u64,
    last_post: Option<DateTime<Utc>>,
    /// The WebSub subscription to the feed's hub: state, hub, lease end, error.
    websub: Option<&'a crate::model::PushState>,
    notes: Vec<String>,
    history: &'a [FetchRecord],
}

/// The JSON of `feeds`, each with its fetch history (`histories[i]` for `feeds[i]`).
pub fn status_json(
    feeds: &[FeedView],
    histories: &[&[FetchRecord]],
    now: DateTime<Utc>,
) -> anyhow::Result<String> {
    let out: Vec<JsonFeed> = feeds
        .iter()
        .zip(histories)
        .map(|(f, history)| {
            let h = &f.health;
            JsonFeed {
                url: &f.member.feed_url,
                name: &f.member.name,
                title: f.member.feed_title.as_deref(),
                homepage: f.member.homepage.as_deref(),
                last_fetch: h.last_fetch,
                last_success: h.last_success,
                last_status: h.last_status,
                consecutive_failures: h.consecutive_failures,
                error: h.last_error.as_deref(),
                next_attempt: h.next_due,
                gone: h.gone,
                moved_to: h.moved_to.as_deref(),
                moved_since: h.moved_since,
                entries: h.entries,
                last_post: h.last_post,
                websub: h.push.as_ref(),
                notes: health_notes(f, now),
                history,
            }
        })
        .collect();
    Ok(serde_json::to_string_pretty(&out)? + "\n")
}
