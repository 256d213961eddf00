//! The parse pool: one thread per core that parses fetched documents off the async runtime,
//! skips a body identical to the one stored last time, and packs entries' bodies for the store.
//!
//! In: a [`ParseJob`] (a fetched body, its base URL and what is known of it). Out: [`Parsed`]
//! for that job. Each thread reads the feed's stored entries (by raw fingerprint) on a
//! database connection of its own, so that the entries a changed body repeats unchanged are not
//! normalised again. A panic while parsing one document is that feed's failure; the thread goes on.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, Utc};
use tokio::sync::oneshot;

use super::panic::internal_error;
use crate::model::{FetchFailure, KnownEntries};
use crate::parse;
use crate::store::codec::PreparedFeed;
use crate::store::known::KnownReader;

/// A fetched document for the parse threads, and what they need to know about it.
pub(super) struct ParseJob {
    /// The feed's row, whose stored entries the parse may skip.
    pub(super) feed_id: i64,
    pub(super) body: Vec<u8>,
    pub(super) base: url::Url,
    pub(super) content_type: Option<String>,
    /// The hash of the body stored last time: the same body is not parsed again.
    pub(super) known_hash: Option<String>,
    pub(super) fetched_at: DateTime<Utc>,
    /// How long normalising its entries may take (`timeout_secs`).
    pub(super) budget: std::time::Duration,
    /// The WebSub hub and topic of the response's `Link` header, which win over the
    /// document's.
    pub(super) hub_link: Option<url::Url>,
    pub(super) self_link: Option<url::Url>,
}

/// What the parse threads made of a [`ParseJob`].
pub(super) enum Parsed {
    /// The body is the one stored last time.
    Unchanged,
    /// Parsed, normalised, sanitised, and its bodies packed for the store.
    Feed {
        body_hash: String,
        feed: PreparedFeed,
    },
    /// The document cannot be read as a feed; why.
    Failed(String),
    /// Reading it panicked (a bug): logged, and this feed's failure.
    Crashed(FetchFailure),
}

/// The threads that parse fetched documents: one per core, each taking the next document from a
/// queue the moment it is done with one. (With a blocking task per document, started by the
/// thread that drives the fetches, a parsed document's successor waited until that thread got
/// the CPU back: BENCHMARKS.md, "A parse pool".) The queue holds at most one document per
/// fetch in flight, as each fetch waits for its result.
pub(super) struct ParsePool {
    jobs: Option<std::sync::mpsc::Sender<(ParseJob, oneshot::Sender<Parsed>)>>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl ParsePool {
    /// Starts the threads; with `database`, each reads the stored entries of the feeds it
    /// parses from it.
    pub(super) fn start(database: Option<&std::path::Path>) -> anyhow::Result<ParsePool> {
        let (jobs, queue) = std::sync::mpsc::channel::<(ParseJob, oneshot::Sender<Parsed>)>();
        let queue = Arc::new(std::sync::Mutex::new(queue));
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let threads = (0..cores)
            .map(|_| {
                let queue = queue.clone();
                let database = database.map(std::path::Path::to_path_buf);
                std::thread::Builder::new()
                    .name("mercury-parser".into())
                    .spawn(move || {
                        let mut known = Known::new(database);
                        loop {
                            let next = queue.lock().unwrap_or_else(|e| e.into_inner()).recv();
                            let Ok((job, reply)) = next else {
                                return; // the refresh is over
                            };
                            // A panic (a bug) fails that feed; the thread goes on.
                            let feed = job.base.clone();
                            let parsed = std::panic::catch_unwind(AssertUnwindSafe(|| {
                                parse_job(job, &mut known)
                            }))
                            .unwrap_or_else(|panic| {
                                Parsed::Crashed(internal_error("parsing", &*panic, &feed))
                            });
                            let _ = reply.send(parsed);
                        }
                    })
            })
            .collect::<Result<_, _>>()
            .context("cannot start the parser threads")?;
        Ok(ParsePool {
            jobs: Some(jobs),
            threads,
        })
    }

    /// Parses `job` on the pool.
    pub(super) async fn parse(&self, job: ParseJob) -> Parsed {
        let (reply, result) = oneshot::channel();
        let sent = self
            .jobs
            .as_ref()
            .is_some_and(|jobs| jobs.send((job, reply)).is_ok());
        if !sent {
            return stopped();
        }
        result.await.unwrap_or_else(|_| stopped())
    }
}

impl Drop for ParsePool {
    fn drop(&mut self) {
        self.jobs = None; // the threads see the queue close once it is empty
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// What a feed gets if the parse threads are gone (they only stop when the refresh ends).
fn stopped() -> Parsed {
    Parsed::Crashed(internal_error(
        "parsing",
        &"the parser threads stopped",
        &"?",
    ))
}

/// What a parse thread does with one document: skip it if it is the body stored last time, else
/// parse it and pack its entries' bodies for the store.
fn parse_job(job: ParseJob, known: &mut Known) -> Parsed {
    let body_hash = parse::raw::body_fingerprint(&job.body);
    if job.known_hash.as_deref() == Some(body_hash.as_str()) {
        return Parsed::Unchanged;
    }
    // A feed never parsed before (every feed of a cold refresh) has no entries to skip.
    let known_entries = match job.known_hash {
        Some(_) => known.entries(job.feed_id),
        None => KnownEntries::new(),
    };
    match parse::parse_owned_feed(
        job.body,
        &job.base,
        job.content_type.as_deref(),
        job.fetched_at,
        job.budget,
        &known_entries,
    ) {
        Ok(mut feed) => {
            if let Some(hub) = job.hub_link {
                feed.hub = Some(hub.into());
                feed.self_link = job.self_link.map(String::from).or(feed.self_link);
            }
            crate::fault::point("pack", job.base.as_str());
            let feed = crate::store::codec::prepare(feed);
            Parsed::Feed { body_hash, feed }
        }
        Err(message) => Parsed::Failed(message),
    }
}

/// A parse thread's read-only view of the stored entries, opened on first use.
struct Known {
    database: Option<std::path::PathBuf>,
    reader: Option<KnownReader>,
}

impl Known {
    fn new(database: Option<std::path::PathBuf>) -> Known {
        Known {
            database,
            reader: None,
        }
    }

    /// Feed `feed_id`'s stored entries by raw fingerprint. None when they cannot be read: the
    /// feed's entries then all take the full path, as on a first fetch.
    fn entries(&mut self, feed_id: i64) -> KnownEntries {
        if self.reader.is_none() {
            let Some(path) = &self.database else {
                return KnownEntries::new();
            };
            match KnownReader::open(path) {
                Ok(reader) => self.reader = Some(reader),
                Err(e) => {
                    tracing::debug!("cannot read the stored entries: {e}");
                    self.database = None; // not tried again this refresh
                    return KnownEntries::new();
                }
            }
        }
        let reader = self.reader.as_ref().expect("opened above");
        reader.known_entries(feed_id).unwrap_or_else(|e| {
            tracing::debug!(feed_id, "cannot read the stored entries: {e}");
            KnownEntries::new()
        })
    }
}
