//! Panic conversion: a panic (a bug in Mercury) while one feed is fetched, parsed or stored
//! becomes that feed's failure, so one bad feed never ends the refresh of the others.
//!
//! In: the stage's name, the panic's payload and the feed. Out: a logged [`FetchFailure`] of kind
//! [`FailureKind::Internal`], or a whole failed [`FeedUpdate`]; the feed is tried again at the
//! next refresh.

use std::any::Any;

use chrono::{DateTime, Utc};

use crate::model::{FailureKind, FeedUpdate, FetchFailure, UpdateKind};

/// A feed's failure after a panic (a bug in Mercury) while `stage` handled it. The panic is
/// logged; the feed is tried again at the next refresh.
pub(crate) fn internal_failure<F>(
    feed_id: i64,
    fetched_at: DateTime<Utc>,
    stage: &str,
    panic: &(dyn Any + Send),
) -> FeedUpdate<F> {
    FeedUpdate {
        feed_id,
        fetched_at,
        elapsed_ms: 0,
        bytes: 0,
        next_due: None,
        kind: UpdateKind::Failed(internal_error(stage, panic, &feed_id)),
    }
}

/// A panic (a bug) while `stage` one feed, logged, as that feed's failure.
pub(crate) fn internal_error(
    stage: &str,
    panic: &(dyn Any + Send),
    feed: &dyn std::fmt::Display,
) -> FetchFailure {
    let what = panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic");
    tracing::error!(%feed, "internal error while {stage} the feed: {what}");
    FetchFailure {
        retry_after: None,
        kind: FailureKind::Internal,
        status: None,
        message: format!(
            "internal error while {stage} the feed (a bug in Mercury, logged; the feed is \
             tried again at the next refresh): {what}"
        ),
    }
}
