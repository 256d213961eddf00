//! One refresh of the whole planet, top-down in [`refresh`]: read what is known of each feed,
//! decide which are due, fetch them concurrently (globally bounded and per host), parse on one
//! thread per core (`parse_pool`), store on one writer thread (`writer`: many feeds per
//! transaction, each feed all or nothing), count (`summary`). A body a WebSub hub pushed takes
//! the same per-feed path (`push`).
//!
//! In: a [`Config`] and an open [`Store`]. Out: the store back and a [`RefreshSummary`]. A feed
//! that fails is recorded on its row and counted; only a failure of the refresh itself (database
//! unusable) is an `Err`. A panic in one feed's processing is that feed's failure (`panic`).

mod panic;
mod parse_pool;
mod push;
mod summary;
mod writer;

pub use push::{ingest_push, PushOutcome, Pushed};
pub use summary::RefreshSummary;

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{DateTime, Utc};
use futures_util::{FutureExt, StreamExt};

use crate::config::Config;
use crate::fetch::politeness::{interleave_by_host, HostLimits};
use crate::fetch::{logic, Fetcher};
use crate::model::{FailureKind, FeedRequest, FeedUpdate, FetchFailure, FetchOutcome, FetchedBody};
use crate::store::codec::PreparedFeed;
use crate::store::write::PreparedUpdate;
use crate::store::Store;
use panic::internal_failure;
use parse_pool::{ParseJob, ParsePool, Parsed};
use writer::Writer;

/// What a feed's update says happened, once parsed and packed for the store.
type PreparedKind = crate::model::UpdateKind<PreparedFeed>;

/// Options of one refresh.
#[derive(Debug, Clone, Copy, Default)]
pub struct RefreshOptions {
    /// Fetch every feed now, ignoring backoff, Retry-After and gone marks.
    pub force: bool,
}

/// What a refresh tells its watcher (the progress bar) about each due feed, named by its URL
/// as shown (without credentials).
#[derive(Debug, Clone, Copy)]
pub enum FeedProgress<'a> {
    /// This many feeds are due and will be fetched (the rest wait: backing off, or gone).
    Due(usize),
    /// Its fetch starts (it had its turn under the global and per-host limits).
    Started(&'a str),
    /// Fetched and parsed, or failed: on its way to the store.
    Done(&'a str),
}

/// Watches a refresh: called once as each due feed starts and once as it is done.
pub type OnFeed<'a> = &'a (dyn Fn(FeedProgress) + Sync);

/// [`refresh`] on a runtime of its own that runs on the calling thread, which it blocks until
/// the refresh is done. The fetches, their connections and the decompression of what arrives
/// share that one thread, while parsing and storing have threads of their own: on the
/// multi-threaded runtime, each response woke its fetch across threads, which cost more CPU
/// than it saved (BENCHMARKS.md, "A runtime of its own for each refresh").
pub fn refresh_blocking(
    config: &Config,
    store: Store,
    options: RefreshOptions,
    on_feed: OnFeed,
) -> anyhow::Result<(Store, RefreshSummary)> {
    on_own_runtime(refresh(config, store, options, on_feed))?
}

/// Runs `work` (a refresh, perhaps raced against a stop signal) to the end on a current-thread
/// runtime made for it, blocking the calling thread: see [`refresh_blocking`].
pub fn on_own_runtime<F: std::future::Future>(work: F) -> anyhow::Result<F::Output> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    Ok(runtime.block_on(work))
}

/// Refreshes every configured feed that is due. The store is moved to a writer thread for the
/// duration (no database handle crosses an `.await`) and handed back with the summary.
/// `on_feed` hears of each due feed as it starts and as it is done (for a progress bar).
pub async fn refresh(
    config: &Config,
    mut store: Store,
    options: RefreshOptions,
    on_feed: OnFeed<'_>,
) -> anyhow::Result<(Store, RefreshSummary)> {
    // What is known of every configured feed (validators, backoff), in config order.
    let requests = store.sync_feeds(&config.member_feeds())?;
    let feeds = requests.len();
    let urls = shown_urls(&requests);
    let now = crate::clock::now();
    let requests = poll_pushed_less(requests, &store, config, options, now)?;
    let (due, skipped) = due_feeds(requests, options, now);
    on_feed(FeedProgress::Due(due.len()));

    // The parse threads, and the writer: one thread owns the connection and applies each
    // feed's update as it arrives, so storing overlaps with fetching and parsing.
    let parsers = ParsePool::start(Some(&config.planet.database))?;
    let new_feed_items = Some(config.planet.new_feed_items).filter(|&n| n > 0);
    let writer = Writer::start(
        store,
        new_feed_items,
        config.planet.follow_deletions,
        urls.clone(),
    )?;

    fetch_and_parse(config, due, &parsers, &writer, on_feed).await?;

    let (mut store, done) = writer.finish()?;
    let summary = RefreshSummary::tally(feeds, skipped, done, &urls);

    // Retention: what is no longer kept goes (`mercury prune` says what).
    let pruned = store.prune(&config.planet.retention, crate::clock::now(), false)?;
    if pruned.posts() > 0 || !pruned.forgotten_feeds.is_empty() {
        tracing::info!(
            posts = pruned.posts(),
            feeds = pruned.forgotten_feeds.len(),
            "retention deleted {} old posts and {} removed feeds",
            pruned.posts(),
            pruned.forgotten_feeds.len()
        );
    }
    Ok((store, summary))
}

/// Feed id -> (position in the config, URL as shown): failures are reported in config order,
/// and without credentials.
fn shown_urls(requests: &[FeedRequest]) -> HashMap<i64, (usize, String)> {
    requests
        .iter()
        .enumerate()
        .map(|(i, r)| (r.feed_id, (i, r.shown_url().into_owned())))
        .collect()
}

/// The feeds whose hub pushes their posts to the planet are polled at most every
/// `[server] subscribed_poll_hours` (a safety net for what a hub misses); until then they wait
/// as if backing off. Forced refreshes poll them too.
fn poll_pushed_less(
    mut requests: Vec<FeedRequest>,
    store: &Store,
    config: &Config,
    options: RefreshOptions,
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<FeedRequest>> {
    let every = config.server.subscribed_poll;
    if options.force || every <= chrono::Duration::zero() {
        return Ok(requests);
    }
    let pushed = store.pushed_feeds(now)?;
    for r in &mut requests {
        if let Some(Some(last)) = pushed.get(&r.feed_id) {
            let next = *last + every;
            r.next_due = Some(r.next_due.map_or(next, |due| due.max(next)));
        }
    }
    Ok(requests)
}

/// The feeds to fetch now, interleaved by host, and how many wait (backing off, or gone).
fn due_feeds(
    requests: Vec<FeedRequest>,
    options: RefreshOptions,
    now: DateTime<Utc>,
) -> (Vec<FeedRequest>, usize) {
    let (due, skipped): (Vec<FeedRequest>, Vec<FeedRequest>) = requests
        .into_iter()
        .partition(|r| logic::is_due(r.gone, r.next_due, now, options.force));
    for r in &skipped {
        tracing::debug!(feed = %r.shown_url(), gone = r.gone, next_due = ?r.next_due, "not due");
    }
    (interleave_by_host(due), skipped.len())
}

/// The one concurrent step: refreshes the `due` feeds, at most `fetch.concurrency` at once and
/// `fetch.per_host` per host, and hands each feed's update to the writer as it is ready. Stops
/// early if the writer stopped on an error ([`Writer::finish`] reports it).
async fn fetch_and_parse(
    config: &Config,
    due: Vec<FeedRequest>,
    parsers: &ParsePool,
    writer: &Writer,
    on_feed: OnFeed<'_>,
) -> anyhow::Result<()> {
    let fetcher = &Fetcher::new(&config.fetch)?;
    let budget = config.fetch.timeout;
    let hosts = HostLimits::new(config.fetch.per_host);
    let mut updates = futures_util::stream::iter(due)
        .map(|req| {
            let host = hosts.for_url(&req.fetch_url);
            async move {
                // Many members share one blog host: at most `per_host` requests to it at once.
                let _permit = host.acquire_owned().await;
                let shown = req.shown_url();
                on_feed(FeedProgress::Started(&shown));
                // A panic in this feed's fetch stays with this feed.
                let update = AssertUnwindSafe(refresh_feed(fetcher, &req, budget, parsers))
                    .catch_unwind()
                    .await
                    .unwrap_or_else(|panic| {
                        internal_failure(req.feed_id, crate::clock::now(), "fetching", &*panic)
                    });
                on_feed(FeedProgress::Done(&shown));
                update
            }
        })
        .buffer_unordered(config.fetch.concurrency);
    while let Some(update) = updates.next().await {
        if !writer.send(update).await {
            break;
        }
    }
    Ok(())
}

/// One feed, top-down: fetch it, parse a new body on the pool (within `budget`), and say when
/// to try again after a failure.
async fn refresh_feed(
    fetcher: &Fetcher,
    req: &FeedRequest,
    budget: Duration,
    parsers: &ParsePool,
) -> PreparedUpdate {
    let started = Instant::now();
    let fetched_at = crate::clock::now();
    crate::fault::point("fetch", &req.shown_url());
    let (kind, bytes) = match fetcher.fetch_feed(req).await {
        FetchOutcome::NotModified { status } => (PreparedKind::NotModified { status }, 0),
        FetchOutcome::Failed(f) => (PreparedKind::Failed(f), 0),
        FetchOutcome::Fetched(body) => {
            let bytes = body.body.len() as u64;
            let kind = parse_fetched(*body, req, fetched_at, budget, parsers).await;
            (kind, bytes)
        }
    };
    let elapsed_ms = started.elapsed().as_millis() as u64;
    let next_due = match &kind {
        PreparedKind::Failed(f) => {
            tracing::debug!(feed = %req.shown_url(), kind = f.kind.as_str(), elapsed_ms, "{}", f.message);
            Some(logic::next_due_after_failure(
                req.consecutive_failures + 1,
                f.retry_after,
                fetched_at,
            ))
        }
        _ => None,
    };
    FeedUpdate {
        feed_id: req.feed_id,
        fetched_at,
        elapsed_ms,
        bytes,
        next_due,
        kind,
    }
}

/// Parses a fetched body on the pool (normalising its entries within `budget`) and says what
/// the feed's update is: a new feed, the body stored last time, or a failure that keeps the
/// HTTP status.
async fn parse_fetched(
    fetched: FetchedBody,
    req: &FeedRequest,
    fetched_at: DateTime<Utc>,
    budget: Duration,
    parsers: &ParsePool,
) -> PreparedKind {
    let FetchedBody {
        status,
        etag,
        last_modified,
        body,
        final_url,
        content_type,
        content_location,
        permanent_redirect,
        hub_link,
        self_link,
    } = fetched;
    let moved_to = permanent_redirect.as_ref().map(|u| u.to_string());
    let job = ParseJob {
        feed_id: req.feed_id,
        base: logic::document_base(&final_url, content_location.as_deref()),
        body,
        content_type,
        known_hash: req.body_hash.clone(),
        fetched_at,
        budget,
        hub_link,
        self_link,
    };
    match parsers.parse(job).await {
        Parsed::Unchanged => PreparedKind::Unchanged {
            status,
            etag,
            last_modified,
            moved_to,
        },
        Parsed::Feed { body_hash, feed } => PreparedKind::Parsed {
            status,
            etag,
            last_modified,
            moved_to,
            body_hash,
            feed,
        },
        Parsed::Failed(message) => PreparedKind::Failed(FetchFailure {
            retry_after: None,
            kind: FailureKind::Parse,
            status: Some(status),
            message,
        }),
        Parsed::Crashed(failure) => PreparedKind::Failed(FetchFailure {
            status: Some(status),
            ..failure
        }),
    }
}
