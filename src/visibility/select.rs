//! The selection: read stored posts newest first, decide each, and stop once enough are kept.
//! Hidden posts take no slot: reading goes on until `limit` posts are kept (as it already did
//! for `max_per_feed`), a cross-post counting once. Reading stops there, not further back: a
//! copy older than the last page holds could never show, and reading on (two weeks of a
//! 10,000-member planet is half its database) would cost the render its speed.
//!
//! In: the [`Store`], the [`Rules`], a [`PostScan`], the limit and `max_per_feed`. Out: the
//! candidates read, in order, each with its reasons ([`Decided`]); posts with reasons of their
//! own (filters, moderator, joined late) are dropped as they are read.

use std::collections::{HashMap, HashSet};

use super::{crosspost, Hidden, Rules};
use crate::model::{AlsoOn, EntryView};
use crate::store::posts::PostScan;
use crate::store::Store;

/// A candidate and its reasons (empty: shown).
pub(super) struct Decided {
    pub entry: EntryView,
    pub hidden: Vec<Hidden>,
}

/// Reads and decides the candidates of `scan` (see the module's doc). With no `limit`, every
/// post the scan selects is read.
pub(super) fn decide(
    store: &Store,
    rules: &Rules,
    scan: &PostScan,
    limit: Option<usize>,
    max_per_feed: usize,
) -> anyhow::Result<Vec<Decided>> {
    let mut read: Vec<EntryView> = Vec::new();
    let mut keys: Vec<Vec<String>> = Vec::new();
    // A provisional count of what will show, to know when to stop reading (the keys by
    // their hashes: `crosspost::groups` decides on the keys themselves).
    let mut seen_keys: HashSet<u64> = HashSet::new();
    let mut per_feed: HashMap<String, usize> = HashMap::new();
    let mut kept = 0usize;
    store.scan_posts(scan, &mut |e, late| {
        if !rules.own_reasons(&e, late).is_empty() {
            return true;
        }
        let ks = if rules.collapse_duplicates {
            crosspost::keys(&e)
        } else {
            Vec::new()
        };
        let mut copy = false;
        for k in &ks {
            copy |= !seen_keys.insert(xxhash_rust::xxh3::xxh3_64(k.as_bytes()));
        }
        let n = match per_feed.get_mut(e.member.config_url.as_str()) {
            Some(n) => n,
            None => per_feed.entry(e.member.config_url.clone()).or_default(),
        };
        if !copy && (max_per_feed == 0 || *n < max_per_feed) {
            *n += 1;
            kept += 1;
        }
        read.push(e);
        keys.push(ks);
        limit.is_none_or(|l| kept < l)
    })?;

    let mut hidden: Vec<Vec<Hidden>> = vec![Vec::new(); read.len()];
    let mut also: Vec<Vec<AlsoOn>> = vec![Vec::new(); read.len()];
    if rules.collapse_duplicates {
        let refs: Vec<&EntryView> = read.iter().collect();
        for group in crosspost::groups(rules, &refs, &keys) {
            let shown = &read[group.shown];
            for &i in &group.hidden {
                hidden[i].push(Hidden::CrossPost {
                    shown_under: shown.member.name.clone(),
                    feed_url: shown.member.feed_url.clone(),
                });
                let other = &read[i].member;
                let on = AlsoOn {
                    name: other.name.clone(),
                    feed_url: other.feed_url.clone(),
                };
                if other.config_url != shown.member.config_url && !also[group.shown].contains(&on) {
                    also[group.shown].push(on);
                }
            }
        }
    }
    let mut per_feed: HashMap<&str, usize> = HashMap::new();
    let mut shown = 0usize;
    for (i, e) in read.iter().enumerate() {
        if !hidden[i].is_empty() {
            continue;
        }
        let n = per_feed.entry(e.member.config_url.as_str()).or_default();
        if max_per_feed > 0 && *n >= max_per_feed {
            hidden[i].push(Hidden::BeyondMaxPerFeed);
        } else if limit.is_some_and(|l| shown >= l) {
            hidden[i].push(Hidden::BeyondArchive);
        } else {
            *n += 1;
            shown += 1;
        }
    }
    Ok(read
        .into_iter()
        .zip(hidden)
        .zip(also)
        .map(|((mut entry, hidden), also)| {
            entry.also = also;
            Decided { entry, hidden }
        })
        .collect())
}

#[cfg(test)]
pub(super) mod tests {
    use chrono::{TimeZone, Utc};

    use crate::model::EntryView;

    /// A bare entry of the feed `feed`, `days` days before 1 March 2026.
    pub(crate) fn entry(feed: &str, key: &str, days: i64) -> EntryView {
        let date =
            Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap() - chrono::Duration::days(days);
        EntryView::bare(feed, key, date)
    }
}
