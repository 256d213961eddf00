//! The database writer: one thread owns the [`Store`] for the length of a refresh and stores
//! each feed's update as it arrives, so that storing overlaps with fetching and parsing (and no
//! database handle crosses an `.await`).
//!
//! In: the store and, through [`Writer::send`], one [`PreparedUpdate`] per feed. Out, from
//! [`Writer::finish`]: the store back and each update as stored with its [`StoreStats`]. A panic
//! while storing one feed is that feed's failure; an error (database unusable) ends the refresh.

use std::any::Any;
use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::sync::mpsc;

use super::panic::internal_failure;
use crate::model::{StoreStats, UpdateKind};
use crate::store::write::{PreparedUpdate, StoredUpdate};
use crate::store::Store;

/// Feeds' results waiting for the writer, at most. The writer stops for the disk when it
/// checkpoints the database; a queue that holds more than arrives meanwhile keeps fetching and
/// parsing going (BENCHMARKS.md, "A deeper queue to the writer"). Each waiting result holds one
/// feed's parsed posts.
const WRITE_QUEUE: usize = 256;
/// At most this many feeds' results are stored in one transaction...
const WRITE_BATCH: usize = 64;
/// ...and a transaction stays open at most this long for more to arrive.
const COMMIT_EVERY: Duration = Duration::from_secs(1);

/// What the writer thread hands back: the store, and each update as stored.
type Written = anyhow::Result<(Store, Vec<(StoredUpdate, StoreStats)>)>;

/// The writer thread and the queue that feeds it.
pub(super) struct Writer {
    queue: mpsc::Sender<PreparedUpdate>,
    thread: std::thread::JoinHandle<Written>,
}

impl Writer {
    /// Moves `store` to a new writer thread. `urls` (feed id -> (position in the config, URL as
    /// shown)) names the feed in an error. Must be called on the refresh's runtime: the writer
    /// waits for the next update with a time limit through that runtime's timer.
    pub(super) fn start(
        store: Store,
        new_feed_items: Option<usize>,
        follow_deletions: bool,
        urls: HashMap<i64, (usize, String)>,
    ) -> anyhow::Result<Writer> {
        let (queue, rx) = mpsc::channel::<PreparedUpdate>(WRITE_QUEUE);
        // On the runtime of `refresh_blocking` the timer turns while the refresh runs: the
        // writer is joined only after the channel is closed, which wakes it without the timer.
        let runtime = tokio::runtime::Handle::current();
        // Named, so `top -H` and profilers tell the threads apart.
        let thread = std::thread::Builder::new()
            .name("mercury-writer".into())
            .spawn(move || {
                write_updates(
                    store,
                    rx,
                    runtime,
                    (new_feed_items, follow_deletions),
                    &urls,
                )
            })
            .context("cannot start the database writer thread")?;
        Ok(Writer { queue, thread })
    }

    /// Queues one feed's update, waiting while the queue is full. False if the writer stopped
    /// on an error ([`Writer::finish`] reports it).
    pub(super) async fn send(&self, update: PreparedUpdate) -> bool {
        self.queue.send(update).await.is_ok()
    }

    /// Closes the queue, waits for the writer to store what is left, and takes the store back.
    pub(super) fn finish(self) -> Written {
        drop(self.queue);
        self.thread
            .join()
            .map_err(|_| anyhow::anyhow!("the database writer panicked"))?
    }
}

/// The writer thread's loop: stores each update as it arrives, until the channel closes. An
/// open batch (one transaction) takes what arrives for up to [`COMMIT_EVERY`] or
/// [`WRITE_BATCH`] feeds, then commits: few commits, and a crash loses at most that much. A
/// panic while storing one feed stays with that feed (see [`crate::store::write::Batch`]); an error
/// ends the refresh.
fn write_updates(
    mut store: Store,
    mut rx: mpsc::Receiver<PreparedUpdate>,
    runtime: tokio::runtime::Handle,
    (new_feed_items, follow_deletions): (Option<usize>, bool),
    urls: &HashMap<i64, (usize, String)>,
) -> Written {
    let on_panic = |update: &PreparedUpdate, panic: &(dyn Any + Send)| {
        internal_failure(update.feed_id, update.fetched_at, "storing", panic)
    };
    let failed = |(feed_id, e): (i64, anyhow::Error)| {
        let url = urls.get(&feed_id).map_or("?", |(_, u)| u);
        e.context(format!(
            "cannot store the update of {url} (everything stored before is kept; the site is \
             not rewritten)"
        ))
    };
    let mut done = Vec::new();
    while let Some(first) = rx.blocking_recv() {
        let id = first.feed_id;
        let mut batch = store
            .begin_batch(new_feed_items)
            .map_err(|e| failed((id, e.into())))?
            .following_deletions(follow_deletions);
        batch.apply(first, &on_panic).map_err(failed)?;
        let deadline = Instant::now() + COMMIT_EVERY;
        while batch.len() < WRITE_BATCH {
            let wait = deadline.saturating_duration_since(Instant::now());
            let next = match rx.try_recv() {
                Ok(update) => Some(update),
                Err(mpsc::error::TryRecvError::Disconnected) => None,
                Err(mpsc::error::TryRecvError::Empty) if wait.is_zero() => None,
                Err(mpsc::error::TryRecvError::Empty) => runtime
                    .block_on(async { tokio::time::timeout(wait, rx.recv()).await })
                    .ok()
                    .flatten(),
            };
            match next {
                Some(update) => batch.apply(update, &on_panic).map_err(failed)?,
                None => break,
            }
        }
        let stored = batch.commit().map_err(failed)?;
        for (update, stats) in &stored {
            log_stored(update, stats, urls);
        }
        done.extend(stored);
    }
    Ok((store, done))
}

/// The debug line of one stored feed (`RUST_LOG=mercury=debug`): what the server said, how
/// much it sent, and what changed in the store.
fn log_stored(update: &StoredUpdate, stats: &StoreStats, urls: &HashMap<i64, (usize, String)>) {
    let feed = urls.get(&update.feed_id).map_or("?", |(_, u)| u.as_str());
    let (outcome, status) = match &update.kind {
        UpdateKind::NotModified { status } => ("not modified", Some(*status)),
        UpdateKind::Unchanged { status, .. } => ("unchanged", Some(*status)),
        UpdateKind::Parsed { status, .. } => ("updated", Some(*status)),
        UpdateKind::Failed(f) => (f.kind.as_str(), f.status),
    };
    tracing::debug!(
        feed,
        status,
        bytes = update.bytes,
        new = stats.new_entries,
        changed = stats.updated_entries,
        elapsed_ms = update.elapsed_ms,
        "{outcome}"
    );
}
