//! One refresh of the whole planet, top-down: read validators, fetch concurrently, parse off the
//! reactor, store each feed in its own transaction.
//!
//! In: a [`Config`] and an open [`Store`]. Out: a [`RefreshSummary`]. A feed that fails is recorded
//! on its row and counted; only a failure of the refresh itself (database unusable) is an `Err`.

use std::time::Instant;

use anyhow::Context;
use chrono::Utc;
use futures_util::StreamExt;
use tokio::sync::mpsc;

use crate::config::{Config, FetchSettings};
use crate::fetch;
use crate::model::{
    FailureKind, FeedRequest, FeedUpdate, FetchFailure, FetchOutcome, FetchedBody, StoreStats,
    UpdateKind,
};
use crate::parse;
use crate::store::Store;

/// Counts for the one summary line of a refresh.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RefreshSummary {
    pub feeds: usize,
    /// Fetched and parsed (a new body).
    pub updated: usize,
    /// 304, or a body identical to the last one.
    pub not_modified: usize,
    pub failed: usize,
    pub new_entries: u64,
    pub updated_entries: u64,
    /// `(feed url, message)` of each failure, in config order.
    pub failures: Vec<(String, String)>,
}

impl std::fmt::Display for RefreshSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} feeds: {} updated, {} not modified, {} failed; {} new entries, {} changed",
            self.feeds,
            self.updated,
            self.not_modified,
            self.failed,
            self.new_entries,
            self.updated_entries
        )
    }
}

/// Refreshes every configured feed once. The store is moved to a writer thread for the duration
/// (no database handle crosses an `.await`) and handed back with the summary.
pub async fn refresh(config: &Config, mut store: Store) -> anyhow::Result<(Store, RefreshSummary)> {
    let requests = store.sync_feeds(&config.feeds)?;
    let mut summary = RefreshSummary {
        feeds: requests.len(),
        ..Default::default()
    };
    // Feed id -> (position in the config, URL): failures are reported in config order.
    let urls: std::collections::HashMap<i64, (usize, String)> = requests
        .iter()
        .enumerate()
        .map(|(i, r)| (r.feed_id, (i, r.url.clone())))
        .collect();
    let mut failures: Vec<(usize, String, String)> = Vec::new();

    // The writer: one thread owns the connection and applies each feed's update as it arrives,
    // so storing overlaps with fetching and parsing.
    let (tx, mut rx) = mpsc::channel::<FeedUpdate>(64);
    let writer = std::thread::spawn(
        move || -> anyhow::Result<(Store, Vec<(FeedUpdate, StoreStats)>)> {
            let mut done = Vec::new();
            while let Some(update) = rx.blocking_recv() {
                let stats = store
                    .apply(&update)
                    .context("cannot store a feed's update")?;
                done.push((strip(update), stats));
            }
            Ok((store, done))
        },
    );

    let client = fetch::build_client(&config.fetch)?;
    let settings = config.fetch.clone();
    let mut updates = futures_util::stream::iter(requests)
        .map(|req| {
            let client = client.clone();
            let settings = settings.clone();
            async move { refresh_feed(&client, &req, &settings).await }
        })
        .buffer_unordered(config.fetch.concurrency);
    while let Some(update) = updates.next().await {
        if tx.send(update).await.is_err() {
            break; // the writer stopped on an error; it is reported below
        }
    }
    drop(tx);
    let (store, done) = writer
        .join()
        .map_err(|_| anyhow::anyhow!("the database writer panicked"))??;

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
    tracing::info!("{summary}");
    Ok((store, summary))
}

/// Drops the parsed entries once stored, so the writer does not hold every feed's content.
fn strip(mut update: FeedUpdate) -> FeedUpdate {
    if let UpdateKind::Parsed { feed, .. } = &mut update.kind {
        feed.entries = Vec::new();
    }
    update
}

/// Fetches and, when there is a new body, parses one feed.
async fn refresh_feed(
    client: &reqwest::Client,
    req: &FeedRequest,
    settings: &FetchSettings,
) -> FeedUpdate {
    let started = Instant::now();
    let fetched_at = Utc::now();
    let kind = match fetch::fetch_one(client, req, settings).await {
        FetchOutcome::NotModified { status } => UpdateKind::NotModified { status },
        FetchOutcome::Failed(f) => UpdateKind::Failed(f),
        FetchOutcome::Fetched(body) => {
            let body = *body;
            let moved_to = body.permanent_redirect.as_ref().map(|u| u.to_string());
            let body_hash = parse::hash_hex(&body.body);
            if req.body_hash.as_deref() == Some(body_hash.as_str()) {
                UpdateKind::Unchanged {
                    status: body.status,
                    etag: body.etag,
                    last_modified: body.last_modified,
                    moved_to,
                }
            } else {
                let FetchedBody {
                    status,
                    etag,
                    last_modified,
                    body,
                    final_url,
                    content_type,
                    content_location,
                    ..
                } = body;
                let base = fetch::logic::document_base(&final_url, content_location.as_deref());
                // Parsing and sanitising are CPU work: keep them off the async reactor. A panic
                // in them is contained to this feed.
                let parsed = tokio::task::spawn_blocking(move || {
                    parse::parse_feed(&body, &base, content_type.as_deref(), fetched_at)
                })
                .await;
                match parsed {
                    Ok(Ok(feed)) => UpdateKind::Parsed {
                        status,
                        etag,
                        last_modified,
                        moved_to,
                        body_hash,
                        feed,
                    },
                    Ok(Err(message)) => UpdateKind::Failed(FetchFailure {
                        kind: FailureKind::Parse,
                        status: Some(status),
                        message,
                    }),
                    Err(join_error) => UpdateKind::Failed(FetchFailure {
                        kind: FailureKind::Parse,
                        status: Some(status),
                        message: format!("internal error while reading the feed: {join_error}"),
                    }),
                }
            }
        }
    };
    let elapsed_ms = started.elapsed().as_millis() as u64;
    match &kind {
        UpdateKind::Failed(f) => {
            tracing::debug!(feed = %req.url, kind = f.kind.as_str(), elapsed_ms, "{}", f.message)
        }
        _ => tracing::debug!(feed = %req.url, elapsed_ms, "fetched"),
    }
    FeedUpdate {
        feed_id: req.feed_id,
        fetched_at,
        elapsed_ms,
        kind,
    }
}
