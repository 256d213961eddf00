//! The HTTP clients, built from `[fetch]` settings: one per [`Reach`]. Every limit here has a
//! reason.
//!
//! In: [`FetchSettings`]. Out: [`Clients`], which only `fetch/` sees (through
//! [`super::Fetcher`]): reqwest's types stay in this folder.

use std::sync::Arc;
use std::time::Duration;

use super::reach::{Reach, Resolver};
use crate::config::FetchSettings;

/// A client and the reach of the feeds it fetches: `fetch_one` checks each hop against it.
#[derive(Debug, Clone)]
pub(super) struct Client {
    pub(super) http: reqwest::Client,
    pub(super) reach: Reach,
}

/// The two clients of a refresh or an `add`. Two, not one with a per-request switch: a client
/// pools its connections by host, and a public feed must never be handed a connection an
/// internal feed opened to an internal address (no resolver would see that reuse).
#[derive(Debug, Clone)]
pub(super) struct Clients {
    public: Client,
    internal: Client,
}

impl Clients {
    pub(super) fn build(settings: &FetchSettings) -> anyhow::Result<Clients> {
        let client = |reach| -> anyhow::Result<Client> {
            Ok(Client {
                http: build_client(settings, reach)?,
                reach,
            })
        };
        Ok(Clients {
            public: client(Reach::Public)?,
            internal: client(Reach::Internal)?,
        })
    }

    /// The client for feeds of `reach`.
    pub(super) fn get(&self, reach: Reach) -> &Client {
        match reach {
            Reach::Public => &self.public,
            Reach::Internal => &self.internal,
        }
    }

    /// The client for the feed configured as `url` (as written in feeds.toml); a URL that does
    /// not parse (never, after config validation) gets the stricter one.
    pub(super) fn for_feed(&self, url: &str) -> &Client {
        let reach = url::Url::parse(url.trim()).map_or(Reach::Public, |u| Reach::of(&u));
        self.get(reach)
    }
}

/// A member's server that cannot even accept a connection in this long is down; do not let it
/// hold one of the concurrency slots for the whole timeout.
pub(super) const CONNECT_LIMIT: Duration = Duration::from_secs(10);
/// The longest silence between two reads: catches servers that drip a byte now and then, or
/// accept and never answer, which the total timeout alone would let run to its end.
pub(super) const SILENCE_LIMIT: Duration = Duration::from_secs(15);

/// Builds a client for feeds of `reach`. Redirects are followed by hand in `fetch_one` (see
/// there) so that 301/308 can be told from 302/307 and every hop's scheme and address can be
/// checked.
fn build_client(settings: &FetchSettings, reach: Reach) -> anyhow::Result<reqwest::Client> {
    let client = reqwest::Client::builder()
        .user_agent(settings.user_agent.clone())
        .connect_timeout(CONNECT_LIMIT.min(settings.timeout))
        .read_timeout(SILENCE_LIMIT.min(settings.timeout))
        // Per request; the whole fetch (all redirects and the body) is also capped by the caller.
        .timeout(settings.timeout)
        // We follow redirects ourselves: at most five, http(s) only, permanent ones reported.
        .redirect(reqwest::redirect::Policy::none())
        // The system's resolver, with a public feed's internal answers dropped (`reach`).
        .dns_resolver(Arc::new(Resolver { reach }))
        // Connect directly, never through a proxy from the environment (HTTP_PROXY…): the
        // private-address rule holds for the address Mercury itself connects to, and a proxy
        // would connect on our behalf to wherever a member's DNS points.
        .no_proxy()
        .gzip(true)
        .brotli(true)
        // Many members share one blog host; keep a few warm connections per host, not hundreds.
        .pool_max_idle_per_host(4)
        .pool_idle_timeout(Duration::from_secs(30))
        .build()?;
    Ok(client)
}
