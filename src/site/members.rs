//! What each member's page shows, read from the store: their stored posts, each with every
//! reason it is not shown as `visibility` (the one place that decides) gives them, their
//! activity by week, their last fetches and the feed-quality hints.
//!
//! In: the config, the [`Store`], the planet's [`Visibility`], the feeds, `now`. Out: one
//! [`MemberPage`] per feed.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use crate::config::Config;
use crate::model::{
    FeedView, Hint, MemberPage, Message, StoredPost, ACTIVITY_WEEKS, FETCHES_SHOWN, RECENT_DAYS,
    STORED_POSTS_SHOWN,
};
use crate::store::Store;
use crate::visibility::{Flagged, Hidden, Visibility};

/// A feed with no post for this many days gets a hint.
const SILENT_DAYS: i64 = 180;
/// A body this close to `max_bytes` (percent) gets a hint: the next long post may not fit.
const NEAR_MAX_BYTES_PERCENT: u64 = 80;

/// One page per feed, in the order of `feeds`.
pub(super) fn member_pages(
    config: &Config,
    store: &Store,
    visibility: &Visibility,
    feeds: &[FeedView],
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<MemberPage>> {
    let urls: Vec<&str> = feeds.iter().map(|f| f.member.config_url.as_str()).collect();
    let mut decided = visibility
        .feeds_posts(&urls, STORED_POSTS_SHOWN)?
        .into_iter();
    let first_week = now - Duration::weeks(ACTIVITY_WEEKS as i64);
    let mut dates: HashMap<String, Vec<DateTime<Utc>>> = HashMap::new();
    for (url, date) in store.post_dates_since(first_week)? {
        dates.entry(url).or_default().push(date);
    }
    let mut histories = store.fetch_histories(FETCHES_SHOWN)?;
    let mut pages = Vec::with_capacity(feeds.len());
    for f in feeds {
        let url = f.member.config_url.as_str();
        let decided = decided.next().unwrap_or_default();
        let stored: Vec<StoredPost> = decided.iter().map(stored_post).collect();
        let history = histories.remove(url).unwrap_or_default();
        let own = dates.get(url).map(Vec::as_slice).unwrap_or_default();
        let (weeks, recent) = activity(own, now);
        let last_post = stored
            .first()
            .map(|p| (p.title.clone(), p.link.clone(), p.date));
        let hints = hints(config, f, &stored, &history, now);
        let reasons = decided
            .iter()
            .map(|(_, hidden, _)| hidden.iter().map(Hidden::message).collect());
        let posts = stored.iter().cloned().zip(reasons).collect();
        pages.push(MemberPage {
            slug: f.slug.clone(),
            weeks,
            recent,
            last_post,
            posts,
            history,
            hints,
        });
    }
    Ok(pages)
}

/// What the member's page and its hints say of one of their stored posts.
fn stored_post((e, _, flags): &Flagged) -> StoredPost {
    StoredPost {
        key: e.key.clone(),
        link: e.link.clone(),
        title: e.title.clone(),
        date: e.date,
        joined_late: flags.joined_late,
        undated: e.published.is_none() && e.updated.is_none(),
        summary_only: flags.summary_only,
        http_images: flags.http_images,
    }
}

/// Posts per week over the last [`ACTIVITY_WEEKS`] weeks, oldest first, and the posts of the
/// last [`RECENT_DAYS`] days.
fn activity(dates: &[DateTime<Utc>], now: DateTime<Utc>) -> (Vec<u32>, u32) {
    let mut weeks = vec![0u32; ACTIVITY_WEEKS];
    let mut recent = 0;
    for d in dates {
        let age = now - *d;
        if age < Duration::zero() {
            continue;
        }
        let week = age.num_weeks() as usize;
        if week < ACTIVITY_WEEKS {
            weeks[ACTIVITY_WEEKS - 1 - week] += 1;
        }
        if age < Duration::days(RECENT_DAYS) {
            recent += 1;
        }
    }
    (weeks, recent)
}

/// What the member could improve, from what the store recorded.
fn hints(
    config: &Config,
    f: &FeedView,
    posts: &[StoredPost],
    history: &[crate::model::FetchRecord],
    now: DateTime<Utc>,
) -> Vec<Hint> {
    let mut hints = Vec::new();
    let h = &f.health;
    // Each hint's strings are `hint_<kind>` (what was seen) and `hint_<kind>_todo`.
    let mut add = |kind: &'static str,
                   seen: &'static str,
                   todo: &'static str,
                   values: &[(&'static str, String)]| {
        hints.push(Hint {
            kind,
            seen: Message::with(seen, values),
            todo: Message::plain(todo),
        })
    };
    if let Some(err) = h
        .last_error
        .as_deref()
        .filter(|e| e.contains("a web page, not a feed"))
    {
        add(
            "web-page",
            "hint_web_page",
            "hint_web_page_todo",
            &[("error", err.to_string())],
        );
    }
    let undated = posts.iter().filter(|p| p.undated).count();
    if undated > 0 {
        add(
            "undated",
            "hint_undated",
            "hint_undated_todo",
            &[("n", undated.to_string())],
        );
    }
    if h.future_dates > 0 {
        add(
            "future-dates",
            "hint_future_dates",
            "hint_future_dates_todo",
            &[("n", h.future_dates.to_string())],
        );
    }
    if h.id_changes > 0 {
        add(
            "changing-ids",
            "hint_changing_ids",
            "hint_changing_ids_todo",
            &[("n", h.id_changes.to_string())],
        );
    }
    let planet_https = config.planet.link.as_str().starts_with("https:");
    let http_images = posts.iter().filter(|p| p.http_images).count();
    if planet_https && http_images > 0 {
        add(
            "http-images",
            "hint_http_images",
            "hint_http_images_todo",
            &[("n", http_images.to_string())],
        );
    }
    if !posts.is_empty() && posts.iter().all(|p| p.summary_only) {
        add("excerpts", "hint_excerpts", "hint_excerpts_todo", &[]);
    }
    let max = config.fetch.max_bytes;
    if let Some(bytes) = history.iter().find(|x| x.bytes > 0).map(|x| x.bytes) {
        if max > 0 && bytes * 100 >= max * NEAR_MAX_BYTES_PERCENT {
            add(
                "near-max-bytes",
                "hint_near_max_bytes",
                "hint_near_max_bytes_todo",
                &[("bytes", bytes.to_string()), ("max", max.to_string())],
            );
        }
    }
    if let Some(last) = h.last_post {
        let days = (now - last).num_days();
        if days >= SILENT_DAYS {
            add(
                "silent",
                "hint_silent",
                "hint_silent_todo",
                &[("days", days.to_string())],
            );
        }
    }
    hints
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn activity_counts_weeks_back_from_now() {
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        let dates = [
            now - Duration::hours(1),
            now - Duration::days(8),
            now - Duration::days(100),
            now - Duration::days(400),
            now + Duration::days(1),
        ];
        let (weeks, recent) = activity(&dates, now);
        assert_eq!(weeks.len(), ACTIVITY_WEEKS);
        assert_eq!(weeks[ACTIVITY_WEEKS - 1], 1);
        assert_eq!(weeks[ACTIVITY_WEEKS - 2], 1);
        assert_eq!(weeks.iter().sum::<u32>(), 3);
        assert_eq!(recent, 2);
    }
}
