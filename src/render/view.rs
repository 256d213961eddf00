//! Pure view logic: stable anchors and ids for entries, grouping by day in the planet's timezone.

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use chrono::{DateTime, Utc};

use crate::model::{EntryView, FeedView};

pub use crate::sanitize::{excerpt, SHORT_EXCERPT_CHARS};

/// A feed is called quiet after this many days without a new post.
pub const QUIET_DAYS: i64 = 30;

/// The WebSub subscription of a feed, in words: pending, active until when, or failed and why.
pub fn push_note(push: &crate::model::PushState) -> String {
    match push.state.as_str() {
        "active" => match push.lease_end {
            Some(end) => format!(
                "pushed by its WebSub hub {} (subscription active until {}, renewed before)",
                push.hub,
                end.format("%Y-%m-%d %H:%M UTC")
            ),
            None => format!("pushed by its WebSub hub {}", push.hub),
        },
        "failed" => format!(
            "WebSub subscription to {} failed: {}; polled as usual, asked again within the hour",
            push.hub,
            push.error.as_deref().unwrap_or("unknown error")
        ),
        _ => format!(
            "WebSub subscription to {} pending: waiting for the hub to verify it (the \
             callback under [server] public_url must be reachable from the hub)",
            push.hub
        ),
    }
}

/// What the admin should know about a feed, most urgent first; empty when all is well.
pub fn health_notes(f: &FeedView, now: DateTime<Utc>) -> Vec<String> {
    let h = &f.health;
    let mut notes = Vec::new();
    if h.gone {
        notes.push(
            "gone (HTTP 410): no longer polled; remove it from feeds.toml \
             (`mercury update --force` checks it again)"
                .to_string(),
        );
    } else if h.consecutive_failures > 0 {
        let since = h
            .last_success
            .map(|t| format!(", last success {}", ago(t, now)))
            .unwrap_or_else(|| ", never fetched successfully".into());
        notes.push(format!(
            "failing ({} in a row{since}): {}",
            h.consecutive_failures,
            h.last_error.as_deref().unwrap_or("unknown error")
        ));
    }
    if let Some(to) = &h.moved_to {
        let since = h
            .moved_since
            .map(|t| format!(" {}", ago(t, now)))
            .unwrap_or_default();
        // Both URLs are the public forms; a feed configured with credentials keeps them
        // across the edit, which `fix-redirects` makes without ever showing them.
        let keep = if f.member.feed_url != f.member.config_url {
            " (with your user name and password; `mercury fix-redirects` keeps them)"
        } else {
            ""
        };
        notes.push(format!(
            "moved permanently{since}: in feeds.toml change url = \"{}\" to url = \"{to}\"{keep}",
            f.member.feed_url
        ));
    }
    // An active subscription needs nothing from the admin (`status` has a column for it).
    if let Some(push) = h.push.as_ref().filter(|p| p.state != "active") {
        notes.push(push_note(push));
    }
    if let Some(last) = h.last_post {
        let days = (now - last).num_days();
        if days >= QUIET_DAYS {
            notes.push(format!("no new posts in {days} days"));
        }
    }
    notes
}

/// A short relative time: `42s ago`, `5m ago`, `3h ago`, `12d ago`.
pub fn ago(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - t).num_seconds().max(0);
    match secs {
        0..=59 => format!("{secs}s ago"),
        60..=3599 => format!("{}m ago", secs / 60),
        3600..=86_399 => format!("{}h ago", secs / 3600),
        _ => format!("{}d ago", secs / 86_400),
    }
}

/// A short, stable anchor for an entry, unique across feeds: `e-` and 16 hex digits of
/// SHA-256 over the feed URL and the entry's key. Used as the HTML id on the page and in the
/// merged feeds' entry ids, so that one member's `http://example.com/1` never collides with another's.
pub fn entry_anchor(feed_url: &str, key: &str) -> String {
    let mut h = Sha256::new();
    h.update(feed_url.as_bytes());
    h.update([0]);
    h.update(key.as_bytes());
    let digest = h.finalize();
    format!("e-{}", crate::fingerprint::hex(&digest[..8]))
}

/// The merged feeds' id for an entry: the planet's URL with the entry's anchor.
pub fn entry_id(planet_link: &url::Url, entry: &EntryView) -> String {
    let mut u = planet_link.clone();
    u.set_fragment(Some(&entry_anchor(&entry.feed_url, &entry.key)));
    u.to_string()
}

/// Groups entries (already newest first) into days as seen in `tz`, keeping their order.
pub fn group_by_day(entries: &[EntryView], tz: chrono_tz::Tz) -> Vec<(NaiveDate, Vec<&EntryView>)> {
    let mut days: Vec<(NaiveDate, Vec<&EntryView>)> = Vec::new();
    for e in entries {
        let day = e.date.with_timezone(&tz).date_naive();
        match days.last_mut() {
            Some((d, list)) if *d == day => list.push(e),
            _ => days.push((day, vec![e])),
        }
    }
    days
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn entry(ts: (u32, u32)) -> EntryView {
        let date = Utc.with_ymd_and_hms(2026, 3, ts.0, ts.1, 30, 0).unwrap();
        let mut e = EntryView::bare("https://a.example/feed", &format!("{ts:?}"), date);
        std::sync::Arc::make_mut(&mut e.member).name = "A".into();
        e
    }

    #[test]
    fn days_follow_the_planet_timezone() {
        // 23:30 UTC on the 2nd is already the 3rd in Tokyo, still the 2nd in London (GMT in March).
        let entries = vec![entry((3, 10)), entry((2, 23)), entry((2, 1))];
        let london = group_by_day(&entries, chrono_tz::Europe::London);
        assert_eq!(
            london.iter().map(|(_, l)| l.len()).collect::<Vec<_>>(),
            vec![1, 2]
        );
        let tokyo = group_by_day(&entries, chrono_tz::Asia::Tokyo);
        assert_eq!(
            tokyo.iter().map(|(_, l)| l.len()).collect::<Vec<_>>(),
            vec![2, 1]
        );
        assert_eq!(tokyo[0].0, NaiveDate::from_ymd_opt(2026, 3, 3).unwrap());
    }

    #[test]
    fn excerpts_fold_long_posts_at_a_word() {
        assert_eq!(excerpt("short post", 100, false), None);
        assert_eq!(
            excerpt("one two three four five", 12, false).as_deref(),
            Some("one two…")
        );
        assert_eq!(excerpt("short", 3000, true).as_deref(), Some("short"));
        assert_eq!(excerpt("anything at all", 0, false), None);
        let long = "word ".repeat(200);
        assert!(excerpt(&long, 3000, true).unwrap().chars().count() <= SHORT_EXCERPT_CHARS + 1);
    }

    #[test]
    fn anchors_are_stable_and_scoped_by_feed() {
        let a = entry_anchor("https://a.example/feed", "http://example.com/1");
        assert_eq!(
            a,
            entry_anchor("https://a.example/feed", "http://example.com/1")
        );
        assert_ne!(
            a,
            entry_anchor("https://b.example/feed", "http://example.com/1")
        );
        assert_eq!(a.len(), 18);
    }
}
