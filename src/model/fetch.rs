//! What `fetch` is handed for one feed, and what it hands back: a body, or a failure as a value.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use url::Url;

use super::public_url;

/// What `fetch` needs to know about one feed: its address and the validators from last time.
#[derive(Debug, Clone)]
pub struct FeedRequest {
    /// Database id of the feed row.
    pub feed_id: i64,
    /// The URL exactly as configured (the feed's identity).
    pub url: String,
    /// Where to fetch from: the configured URL, or the target of a permanent redirect.
    pub fetch_url: Url,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Hash of the last body that was parsed, to skip parsing an identical body.
    pub body_hash: Option<String>,
    /// Failures in a row so far (for the backoff).
    pub consecutive_failures: u32,
    /// Not before this time (backoff or Retry-After), unless forced.
    pub next_due: Option<DateTime<Utc>>,
    /// Answered 410 Gone: not polled unless forced.
    pub gone: bool,
}

impl FeedRequest {
    /// The feed's URL as logs and messages may show it (see [`public_url`]).
    pub fn shown_url(&self) -> Cow<'_, str> {
        public_url(&self.url)
    }

    /// A request for a feed Mercury has never fetched (no validators, no history).
    pub fn fresh(url: &Url) -> FeedRequest {
        FeedRequest {
            feed_id: 0,
            url: url.to_string(),
            fetch_url: url.clone(),
            etag: None,
            last_modified: None,
            body_hash: None,
            consecutive_failures: 0,
            next_due: None,
            gone: false,
        }
    }
}

/// The result of fetching one feed. A failure is a value, recorded on the feed's row.
#[derive(Debug)]
pub enum FetchOutcome {
    /// 304: nothing changed since the validators we sent.
    NotModified { status: u16 },
    /// A body arrived.
    Fetched(Box<FetchedBody>),
    /// The feed could not be fetched; the rest of the planet goes on.
    Failed(FetchFailure),
}

#[derive(Debug)]
pub struct FetchedBody {
    pub status: u16,
    pub body: Vec<u8>,
    /// The URL the body came from, after redirects: the base for relative links.
    pub final_url: Url,
    pub content_type: Option<String>,
    /// `Content-Location`, when sent: the document's own URL for resolving relative links.
    pub content_location: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Set when every redirect on the way was permanent (301/308).
    pub permanent_redirect: Option<Url>,
    /// The WebSub hub and topic of the HTTP `Link` header (`rel="hub"`, `rel="self"`), which
    /// win over the document's (W3C WebSub §4).
    pub hub_link: Option<Url>,
    pub self_link: Option<Url>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The server answered with an error status.
    Http,
    /// Connect, DNS, TLS or read failure.
    Network,
    /// Took longer than the configured timeout.
    Timeout,
    /// Larger than `max_bytes`.
    TooLarge,
    /// Too many redirects, or a redirect to a non-http(s) URL.
    Redirect,
    /// The body is not a feed Mercury can read.
    Parse,
    /// 410 Gone: the feed was removed for good; it is not polled again.
    Gone,
    /// A bug in Mercury (a panic) while handling this feed; the rest of the refresh went on.
    Internal,
}

impl FailureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Http => "http",
            FailureKind::Network => "network",
            FailureKind::Timeout => "timeout",
            FailureKind::TooLarge => "too-large",
            FailureKind::Redirect => "redirect",
            FailureKind::Parse => "parse",
            FailureKind::Gone => "gone",
            FailureKind::Internal => "internal",
        }
    }
}

#[derive(Debug, Clone)]
pub struct FetchFailure {
    pub kind: FailureKind,
    pub status: Option<u16>,
    pub message: String,
    /// How long the server asked us to wait (429/503 `Retry-After`), in seconds.
    pub retry_after: Option<u64>,
}
