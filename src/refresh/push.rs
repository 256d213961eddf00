//! A body a WebSub hub pushed to the planet, taken through the refresh's own per-feed
//! processing: parsed on the parse pool, sanitised, and stored by the same write path as a
//! fetched body (`parse_fetched`, then one [`Batch`](crate::store::write::Batch)). There is no
//! second pipeline: a pushed post is stored exactly as the same post fetched would be.
//!
//! In: the store, the feed's id, the body and its type. Out: the store back and what storing
//! changed, or why the body was refused. A body that does not parse is refused and stores
//! nothing: a push never marks a feed as failing, and never changes a stored post unless it
//! parses as that feed's document.

use std::time::Instant;

use anyhow::Context;

use super::panic::internal_failure;
use super::parse_pool::ParsePool;
use super::{parse_fetched, PreparedKind};
use crate::config::Config;
use crate::model::{FeedUpdate, FetchedBody, StoreStats};
use crate::store::Store;

/// One pushed body.
pub struct Pushed {
    pub feed_id: i64,
    pub body: Vec<u8>,
    pub content_type: Option<String>,
    /// The hub and topic of the subscription it came by: the feed keeps announcing them even
    /// when a pushed document (a fat ping of only the new entries) leaves its links out.
    pub hub: url::Url,
    pub topic: Option<url::Url>,
}

/// What became of a pushed body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushOutcome {
    /// Stored (or identical to the last body): what changed.
    Stored(StoreStats),
    /// Not a document Mercury can read as the feed: nothing stored, and why.
    Refused(String),
}

/// Parses and stores `push` for its feed, blocking the calling thread (a runtime of its own
/// drives the parse pool). An `Err` is the store's (database unusable), not the body's.
pub fn ingest_push(
    config: &Config,
    mut store: Store,
    push: Pushed,
) -> anyhow::Result<(Store, PushOutcome)> {
    let req = store
        .feed_request(push.feed_id)?
        .context("the pushed feed has no row in the database")?;
    let started = Instant::now();
    let fetched_at = crate::clock::now();
    let bytes = push.body.len() as u64;
    // As if fetched from where the feed is fetched, with the validators of the last poll kept
    // (a push is not an answer to our conditional GET).
    let body = FetchedBody {
        status: 200,
        body: push.body,
        final_url: req.fetch_url.clone(),
        content_type: push.content_type,
        content_location: None,
        etag: req.etag.clone(),
        last_modified: req.last_modified.clone(),
        permanent_redirect: None,
        hub_link: Some(push.hub),
        self_link: push.topic,
    };
    let kind = super::on_own_runtime(async {
        let parsers = ParsePool::start(Some(&config.planet.database))?;
        anyhow::Ok(parse_fetched(body, &req, fetched_at, config.fetch.timeout, &parsers).await)
    })??;
    if let PreparedKind::Failed(failure) = kind {
        return Ok((store, PushOutcome::Refused(failure.message)));
    }
    let update = FeedUpdate {
        feed_id: req.feed_id,
        fetched_at,
        elapsed_ms: started.elapsed().as_millis() as u64,
        bytes,
        next_due: None,
        kind,
    };
    let on_panic = |_: &_, panic: &(dyn std::any::Any + Send)| {
        internal_failure(req.feed_id, fetched_at, "storing a push", panic)
    };
    let new_feed_items = Some(config.planet.new_feed_items).filter(|&n| n > 0);
    let stats = {
        let mut batch = store.begin_batch(new_feed_items)?;
        batch.apply(update, &on_panic).map_err(|(_, e)| e)?;
        let stored = batch.commit().map_err(|(_, e)| e)?;
        stored.first().map(|(_, stats)| *stats).unwrap_or_default()
    };
    Ok((store, PushOutcome::Stored(stats)))
}
