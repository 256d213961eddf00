//! The one summary of a refresh: what happened to each feed, counted, and the failures listed
//! in config order.
//!
//! In: each feed's update as the writer stored it, with its [`StoreStats`]. Out: a
//! [`RefreshSummary`], whose `Display` is the INFO line and the first line `fetch` prints.

use std::collections::HashMap;

use crate::model::{StoreStats, UpdateKind};
use crate::store::write::StoredUpdate;

/// Counts for the one summary line of a refresh.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RefreshSummary {
    pub feeds: usize,
    /// Fetched and parsed (a new body).
    pub updated: usize,
    /// 304, or a body identical to the last one.
    pub not_modified: usize,
    pub failed: usize,
    /// Not fetched this time: backing off after failures, or gone (410).
    pub skipped: usize,
    pub new_entries: u64,
    pub updated_entries: u64,
    /// `(feed url, message)` of each failure, in config order.
    pub failures: Vec<(String, String)>,
}

impl std::fmt::Display for RefreshSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} feeds: {} updated, {} not modified, {} failed",
            self.feeds, self.updated, self.not_modified, self.failed
        )?;
        if self.skipped > 0 {
            write!(f, ", {} skipped (backing off or gone)", self.skipped)?;
        }
        write!(
            f,
            "; {} new entries, {} changed",
            self.new_entries, self.updated_entries
        )
    }
}

impl RefreshSummary {
    /// Counts the stored updates of a refresh of `feeds` feeds, `skipped` of which were not due.
    /// `urls` (feed id -> (position in the config, URL as shown)) orders and names the failures.
    pub(super) fn tally(
        feeds: usize,
        skipped: usize,
        done: Vec<(StoredUpdate, StoreStats)>,
        urls: &HashMap<i64, (usize, String)>,
    ) -> RefreshSummary {
        let mut summary = RefreshSummary {
            feeds,
            skipped,
            ..Default::default()
        };
        let mut failures: Vec<(usize, String, String)> = Vec::new();
        for (update, stats) in done {
            summary.new_entries += stats.new_entries;
            summary.updated_entries += stats.updated_entries;
            match update.kind {
                UpdateKind::Parsed { .. } => summary.updated += 1,
                UpdateKind::NotModified { .. } | UpdateKind::Unchanged { .. } => {
                    summary.not_modified += 1
                }
                UpdateKind::Failed(f) => {
                    summary.failed += 1;
                    let (pos, url) = urls.get(&update.feed_id).cloned().unwrap_or_default();
                    failures.push((pos, url, f.message));
                }
            }
        }
        failures.sort();
        summary.failures = failures.into_iter().map(|(_, u, m)| (u, m)).collect();
        summary
    }
}
