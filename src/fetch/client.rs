//! The one HTTP client, built from `[fetch]` settings. Every limit here has a reason.

use std::time::Duration;

use crate::config::FetchSettings;

/// Builds the shared client. Redirects are followed by hand in `fetch_one` (see there) so that
/// 301/308 can be told from 302/307 and every hop's scheme can be checked.
pub fn build_client(settings: &FetchSettings) -> anyhow::Result<reqwest::Client> {
    let client = reqwest::Client::builder()
        .user_agent(settings.user_agent.clone())
        // A member's server that cannot even accept a connection in 10 s is down; do not let it
        // hold one of the concurrency slots for the whole timeout.
        .connect_timeout(Duration::from_secs(10).min(settings.timeout))
        // Between two reads: catches servers that drip a byte now and then, which the total
        // timeout alone would let run to its end.
        .read_timeout(Duration::from_secs(15).min(settings.timeout))
        // Per request; the whole fetch (all redirects and the body) is also capped by the caller.
        .timeout(settings.timeout)
        // We follow redirects ourselves: at most five, http(s) only, permanent ones reported.
        .redirect(reqwest::redirect::Policy::none())
        .gzip(true)
        .brotli(true)
        // Many members share one blog host; keep a few warm connections per host, not hundreds.
        .pool_max_idle_per_host(4)
        .pool_idle_timeout(Duration::from_secs(30))
        .build()?;
    Ok(client)
}
