//! HTTP: fetches feeds with conditional GET, a byte cap, timeouts, hand-followed redirects and
//! the private-address rule (`reach`). The clients are built in `client`, the pure decisions
//! live in `logic`, and `politeness` keeps a refresh from crowding one host; `hub` pings the
//! planet's WebSub hub.
//!
//! In: `[fetch]` settings, from which [`Fetcher::new`] builds the HTTP clients, then one
//! [`FeedRequest`] per call. Out: one [`FetchOutcome`] per feed, never an `Err`: a failed feed is
//! a value that the refresh records on the feed's row. No reqwest type leaves this folder.

mod client;
pub mod hub;
pub mod logic;
pub(crate) mod politeness;
pub mod reach;

pub use reach::Reach;

use std::error::Error as _;
use std::time::Duration;

use reqwest::header;

use client::{Client, Clients};

use crate::config::FetchSettings;
use crate::model::{public_url, FailureKind, FeedRequest, FetchFailure, FetchOutcome, FetchedBody};

/// What the rest of Mercury fetches with: the HTTP clients of a refresh or an `add` (one per
/// [`Reach`]) and the `[fetch]` settings that bound every fetch.
#[derive(Debug, Clone)]
pub struct Fetcher {
    clients: Clients,
    settings: FetchSettings,
}

impl Fetcher {
    /// Builds the clients for `settings` (see `client::build_client`).
    pub fn new(settings: &FetchSettings) -> anyhow::Result<Fetcher> {
        Ok(Fetcher {
            clients: Clients::build(settings)?,
            settings: settings.clone(),
        })
    }

    /// Fetches a configured feed. The URL as written in feeds.toml (`req.url`), not where a
    /// permanent redirect led, sets the reach.
    pub async fn fetch_feed(&self, req: &FeedRequest) -> FetchOutcome {
        fetch_one(self.clients.for_feed(&req.url), req, &self.settings).await
    }

    /// Fetches `req` as a feed of `reach`, whatever its URL names (`add`: the URL the admin
    /// typed sets the reach of every candidate its page advertises).
    pub async fn fetch_with_reach(&self, reach: Reach, req: &FeedRequest) -> FetchOutcome {
        fetch_one(self.clients.get(reach), req, &self.settings).await
    }
}

/// Fetches one feed with `client`, whose reach every hop must keep to. The whole exchange
/// (redirects and body) is bounded by `settings.timeout`.
async fn fetch_one(client: &Client, req: &FeedRequest, settings: &FetchSettings) -> FetchOutcome {
    let timed_out = || {
        FetchOutcome::Failed(FetchFailure {
            retry_after: None,
            kind: FailureKind::Timeout,
            status: None,
            message: format!(
                "no complete answer within {} s (fetch.timeout_secs): the server is too slow \
                 or not answering",
                settings.timeout.as_secs()
            ),
        })
    };
    let started = std::time::Instant::now();
    match tokio::time::timeout(settings.timeout, fetch_inner(client, req, settings)).await {
        Ok(Ok(outcome)) => outcome,
        // The client's connect and silence limits say which fired; when the whole time was
        // spent, it is fetch.timeout_secs (which the other two never exceed).
        Ok(Err(failure))
            if failure.kind == FailureKind::Timeout
                && started.elapsed() + Duration::from_millis(100) >= settings.timeout =>
        {
            timed_out()
        }
        Ok(Err(failure)) => FetchOutcome::Failed(failure),
        Err(_) => timed_out(),
    }
}

/// Follows at most [`logic::MAX_REDIRECTS`] redirects from `req.fetch_url` by hand, checking
/// every hop against the client's reach, and reads the final answer.
async fn fetch_inner(
    client: &Client,
    req: &FeedRequest,
    settings: &FetchSettings,
) -> Result<FetchOutcome, FetchFailure> {
    let mut url = req.fetch_url.clone();
    let mut all_permanent = true;
    let mut redirected = false;
    for _hop in 0..=logic::MAX_REDIRECTS {
        let response = send(client, req, &url, redirected).await?;
        let status = response.status().as_u16();
        if logic::is_redirect(status) {
            let location = response
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok());
            url = logic::redirect_target(&url, location)?;
            all_permanent &= logic::is_permanent_redirect(status);
            redirected = true;
            continue;
        }
        if status == 304 {
            return Ok(FetchOutcome::NotModified { status });
        }
        if !response.status().is_success() {
            return Err(refused(&response));
        }
        let permanent_redirect = (redirected && all_permanent).then(|| url.clone());
        return fetched(response, url, permanent_redirect, settings.max_bytes).await;
    }
    Err(FetchFailure {
        retry_after: None,
        kind: FailureKind::Redirect,
        status: None,
        message: format!(
            "more than {} redirects; the last pointed to {}",
            logic::MAX_REDIRECTS,
            public_url(url.as_str())
        ),
    })
}

/// One hop: a conditional GET of `url` (reached through a redirect when `redirected`), sent only
/// if the URL keeps to the client's reach, and answered only from an address that does too.
async fn send(
    client: &Client,
    req: &FeedRequest,
    url: &url::Url,
    redirected: bool,
) -> Result<reqwest::Response, FetchFailure> {
    // An address written in the URL (the first hop's, a redirect's) never goes through the
    // resolver: it is checked here.
    client.reach.check_url(url).map_err(|why| FetchFailure {
        retry_after: None,
        kind: if redirected {
            FailureKind::Redirect
        } else {
            FailureKind::Network
        },
        status: None,
        message: if redirected {
            format!("redirect to {}: {why}", public_url(url.as_str()))
        } else {
            why
        },
    })?;
    let mut request = client.http.get(url.clone()).header(
        header::ACCEPT,
        "application/atom+xml, application/rss+xml, application/feed+json, \
         application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5",
    );
    for (name, value) in
        logic::conditional_headers(req.etag.as_deref(), req.last_modified.as_deref())
    {
        request = request.header(name, value);
    }
    let response = request.send().await.map_err(network_failure)?;
    // Belt and braces: the address actually connected to, whatever led there.
    if let Some(addr) = response.remote_addr() {
        client
            .reach
            .check_addr(addr.ip())
            .map_err(|why| FetchFailure {
                retry_after: None,
                kind: FailureKind::Network,
                status: None,
                message: format!("connected to {}: {why}", public_url(url.as_str())),
            })?;
    }
    Ok(response)
}

/// The failure for an error status, with the server's Retry-After on 429 and 503.
fn refused(response: &reqwest::Response) -> FetchFailure {
    let status = response.status().as_u16();
    let mut failure = logic::status_failure(status, response.status().canonical_reason());
    if matches!(status, 429 | 503) {
        failure.retry_after = response
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| logic::parse_retry_after(v, crate::clock::now()));
    }
    failure
}

/// A successful answer from `url`: its validators and type, and its body up to `max_bytes`.
async fn fetched(
    response: reqwest::Response,
    url: url::Url,
    permanent_redirect: Option<url::Url>,
    max_bytes: u64,
) -> Result<FetchOutcome, FetchFailure> {
    let header_text = |name: header::HeaderName| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let etag = header_text(header::ETAG);
    let last_modified = header_text(header::LAST_MODIFIED);
    let content_type = header_text(header::CONTENT_TYPE);
    let content_location = header_text(header::CONTENT_LOCATION);
    let (hub_link, self_link) = logic::websub_links(
        response
            .headers()
            .get_all(header::LINK)
            .iter()
            .filter_map(|v| v.to_str().ok()),
        &url,
    );
    let status = response.status().as_u16();
    let body = read_capped(response, max_bytes).await?;
    Ok(FetchOutcome::Fetched(Box::new(FetchedBody {
        status,
        body,
        permanent_redirect,
        final_url: url,
        content_type,
        content_location,
        etag,
        last_modified,
        hub_link,
        self_link,
    })))
}

/// Reads the (already decompressed) body chunk by chunk and stops at `max` bytes, so a huge body
/// or a compression bomb is cut off instead of filling memory.
async fn read_capped(mut response: reqwest::Response, max: u64) -> Result<Vec<u8>, FetchFailure> {
    let too_large = || FetchFailure {
        retry_after: None,
        kind: FailureKind::TooLarge,
        status: None,
        message: format!("the feed is larger than {max} bytes (fetch.max_bytes)"),
    };
    // Content-Length describes the encoded body; a plain one above the cap fails at once.
    let encoded = response.headers().contains_key(header::CONTENT_ENCODING);
    if !encoded && response.content_length().is_some_and(|n| n > max) {
        return Err(too_large());
    }
    let mut body = Vec::with_capacity(response.content_length().unwrap_or(0).min(max) as usize);
    while let Some(chunk) = response.chunk().await.map_err(network_failure)? {
        if body.len() as u64 + chunk.len() as u64 > max {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Which of the client's own limits fired (not fetch.timeout_secs: `fetch_one` says when
/// that one did), and that raising fetch.timeout_secs would not help.
fn timeout_message(connecting: bool) -> String {
    if connecting {
        format!(
            "no connection within {} s (Mercury's limit for connecting; a longer \
             fetch.timeout_secs would not help): the server is down or unreachable",
            client::CONNECT_LIMIT.as_secs()
        )
    } else {
        format!(
            "the server sent nothing for {} s (Mercury's limit for a silent connection; a \
             longer fetch.timeout_secs would not help): it is stalled or overloaded",
            client::SILENCE_LIMIT.as_secs()
        )
    }
}

fn network_failure(e: reqwest::Error) -> FetchFailure {
    let kind = if e.is_timeout() {
        FailureKind::Timeout
    } else {
        FailureKind::Network
    };
    // reqwest's own message is terse ("error sending request"); the innermost cause says what
    // happened ("Connection refused", "failed to lookup address information: ...").
    let e = e.without_url();
    let mut root = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        root = s.to_string();
        source = s.source();
    }
    if e.is_timeout() {
        return FetchFailure {
            retry_after: None,
            kind,
            status: None,
            message: timeout_message(e.is_connect()),
        };
    }
    // rustls reading an HTTP answer as a TLS record: an https:// URL for a plain-HTTP port.
    if root.contains("InvalidContentType") {
        return FetchFailure {
            retry_after: None,
            kind,
            status: None,
            message: "the server does not speak TLS (https) on this port; try the same \
                      address with http://"
                .into(),
        };
    }
    let what = if e.is_connect() {
        "cannot connect"
    } else if e.is_body() || e.is_decode() {
        "the body could not be read"
    } else {
        "request failed"
    };
    FetchFailure {
        retry_after: None,
        kind,
        status: None,
        message: format!("{what}: {root}"),
    }
}
