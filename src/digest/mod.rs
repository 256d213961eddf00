//! The digest: the planet's posts by period (a day, an ISO week, a month in the planet's time
//! zone), for readers who check back rarely. This module decides which periods and posts it
//! holds and what `updated` each published period carries; `render` writes `digest/` and
//! `digest.xml` from that.
//!
//! In: the [`Config`] (`[planet] digest`, `timezone`), the [`Store`], the [`Moderation`]
//! decisions and `now`; the posts are chosen by `visibility`. Out: a
//! [`Digest`] for the render's [`crate::model::Site`]. `period` holds the pure calendar rules.
//!
//! Once a period has ended its feed entry is published, and stays as it was: its content is
//! made only from the stored posts, and the store keeps the hash of what went out with its
//! `updated`, which moves only when the content changes (a post in it was hidden since).

pub mod period;

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::config::moderation::Moderation;
use crate::config::Config;
use crate::model::{Cadence, Digest, DigestMember, DigestPeriod, DigestPost, EntryView};
use crate::store::Store;
use crate::visibility::Visibility;
use period::Period;

/// Complete periods the digest holds (pages and feed entries), besides the current one.
pub const PERIODS: u32 = 52;

/// The digest as of `now`: the current period and the [`PERIODS`] before it, those with posts,
/// newest first, with each complete one recorded as published. `None` with `digest = "off"`.
pub fn build(
    config: &Config,
    store: &mut Store,
    moderation: &Moderation,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<Digest>> {
    match read(config, store, moderation, now)? {
        Some(unpublished) => Ok(Some(publish(store, unpublished, now)?)),
        None => Ok(None),
    }
}

/// The digest's periods as [`build`] makes them, before the complete ones are recorded as
/// published: all of the digest's reading, none of its writing, so that it may run on a
/// connection of its own beside the rest of the render's reading.
pub struct Unpublished {
    cadence: Cadence,
    periods: Vec<DigestPeriod>,
    /// Each complete period's label, the fingerprint of its feed entry and its end.
    entries: Vec<(String, String, DateTime<Utc>)>,
}

/// Reads the digest as of `now` (see [`build`]). `None` with `digest = "off"`.
pub fn read(
    config: &Config,
    store: &Store,
    moderation: &Moderation,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<Unpublished>> {
    let Some(cadence) = config.planet.digest else {
        return Ok(None);
    };
    let tz = config.planet.timezone;
    let current = Period::containing(cadence, tz, now);
    let range = current.back(PERIODS).start(tz)..current.end(tz);
    let posts = digest_posts(store, config, moderation, range)?;
    let periods = group(posts, cadence, tz, now);
    // Each fingerprint renders its period's entry: half of them on a second thread.
    let complete: Vec<&DigestPeriod> = periods.iter().filter(|p| p.complete).collect();
    let (first, second) = complete.split_at(complete.len() / 2);
    let entries_of = |periods: &[&DigestPeriod]| -> Vec<(String, String, DateTime<Utc>)> {
        periods
            .iter()
            .map(|p| {
                let hash = crate::render::digest_entry_hash(cadence, p, tz);
                (p.label.clone(), hash, p.end)
            })
            .collect()
    };
    let (mut entries, rest) = crate::parallel::join(|| entries_of(first), || entries_of(second));
    entries.extend(rest);
    Ok(Some(Unpublished {
        cadence,
        periods,
        entries,
    }))
}

/// Records the complete periods of `digest` as published and gives each the `updated` its
/// feed entry carries.
pub fn publish(
    store: &mut Store,
    digest: Unpublished,
    now: DateTime<Utc>,
) -> anyhow::Result<Digest> {
    let Unpublished {
        cadence,
        mut periods,
        entries,
    } = digest;
    let updated = store.publish_digests(&entries, now)?;
    for (p, updated) in periods.iter_mut().filter(|p| p.complete).zip(updated) {
        p.updated = updated;
    }
    Ok(Digest { cadence, periods })
}

/// The posts the digest shows from `range` (in any order: `group` sorts them), as
/// `visibility` decides: topic filters, moderation and cross-posts (shown once) apply, as does
/// every other reason that hides a post from the planet; `max_per_feed` and the archive's
/// length do not, as they limit the page, not the planet.
pub fn digest_posts(
    store: &Store,
    config: &Config,
    moderation: &Moderation,
    range: Range<DateTime<Utc>>,
) -> anyhow::Result<Vec<EntryView>> {
    Visibility::new(config, store, moderation).shown_between(range.start, range.end)
}

/// Groups posts into their periods, newest period first; within one, members in name order
/// (then feed URL), each member's posts oldest first (ties: place in the feed, then key), in
/// whatever order the posts came. A period is complete once `now` has reached its end;
/// `updated` is its end until it is published.
pub fn group(
    mut posts: Vec<EntryView>,
    cadence: Cadence,
    tz: Tz,
    now: DateTime<Utc>,
) -> Vec<DigestPeriod> {
    posts.sort_by(|a, b| {
        (a.date, &a.feed_url, a.index, &a.key).cmp(&(b.date, &b.feed_url, b.index, &b.key))
    });
    let mut by_period: BTreeMap<Period, HashMap<String, DigestMember>> = BTreeMap::new();
    for mut e in posts {
        let period = Period::containing(cadence, tz, e.date);
        // What the digest shows of a post is the excerpt taken when it was stored.
        let excerpt = e.excerpt.take();
        e.content = None;
        e.summary = None;
        let members = by_period.entry(period).or_default();
        let post = DigestPost { entry: e, excerpt };
        match members.get_mut(post.entry.member.feed_url.as_str()) {
            Some(m) => m.entries.push(post),
            None => {
                let member = (*post.entry.member).clone();
                let m = DigestMember {
                    member,
                    entries: vec![post],
                };
                members.insert(m.member.feed_url.clone(), m);
            }
        }
    }
    by_period
        .into_iter()
        .rev()
        .map(|(period, members)| {
            let end = period.end(tz);
            let mut members: Vec<DigestMember> = members.into_values().collect();
            members.sort_by_cached_key(|m| {
                let m = &m.member;
                (m.name.to_lowercase(), m.name.clone(), m.feed_url.clone())
            });
            DigestPeriod {
                label: period.label(),
                first_day: period.first_day,
                last_day: period.last_day(),
                end,
                complete: end <= now,
                updated: end,
                members,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Member;

    fn post(member: &str, at: &str) -> EntryView {
        EntryView {
            feed_url: format!("https://{member}.example/feed"),
            key: at.into(),
            source_id: None,
            index: 0,
            link: None,
            title: Some(at.into()),
            author: None,
            author_email: None,
            published: None,
            updated: None,
            date: DateTime::parse_from_rfc3339(at)
                .unwrap()
                .with_timezone(&Utc),
            content: None,
            summary: None,
            categories: vec![],
            enclosures: vec![],
            also: vec![],
            lang: None,
            withdrawn: false,
            copy_key: None,
            excerpt: None,
            member: std::sync::Arc::new(Member {
                name: member.into(),
                feed_url: format!("https://{member}.example/feed"),
                config_url: format!("https://{member}.example/feed"),
                feed_title: None,
                site_link: None,
                homepage: None,
                face: None,
                excerpt_only: false,
            }),
        }
    }

    #[test]
    fn periods_newest_first_members_by_name_posts_oldest_first() {
        let now = DateTime::parse_from_rfc3339("2026-12-02T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        // In any order: newest first, as the page reads them.
        let posts = vec![
            post("adam", "2026-12-01T09:00:00Z"),
            post("zoe", "2026-11-26T09:00:00Z"),
            post("Adam", "2026-11-25T09:00:00Z"),
            post("zoe", "2026-11-24T09:00:00Z"),
        ];
        let periods = group(posts, Cadence::Weekly, chrono_tz::UTC, now);
        let labels: Vec<_> = periods.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels, ["2026-W49", "2026-W48"]);
        assert!(!periods[0].complete && periods[1].complete);
        let w48 = &periods[1];
        let names: Vec<_> = w48.members.iter().map(|m| m.member.name.as_str()).collect();
        assert_eq!(names, ["Adam", "zoe"]);
        let zoe: Vec<_> = w48.members[1]
            .entries
            .iter()
            .map(|p| p.entry.key.as_str())
            .collect();
        assert_eq!(zoe, ["2026-11-24T09:00:00Z", "2026-11-26T09:00:00Z"]);
        assert_eq!((w48.posts(), w48.updated), (3, w48.end));
    }
}
