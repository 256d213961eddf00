//! WebSub publishing (W3C WebSub §4, §7): after a render, the planet's hub (`[planet] hub`) is
//! told which merged feeds changed, so that their subscribers get the new posts at once
//! instead of at their next poll.
//!
//! In: the config, the store, and the merged feeds the render changed (`render::Rendered`).
//! Out: pings sent; those that failed stay queued in the store and are sent again after the
//! next render. Nothing here fails a refresh: a hub that is down is logged and retried.

use url::Url;

use crate::config::Config;
use crate::fetch::Fetcher;
use crate::store::Store;

/// The public URLs (WebSub topics) of the merged feeds at `changed` (paths under the output
/// folder), which the planet's `link` roots.
pub fn topics(link: &Url, changed: &[String]) -> Vec<String> {
    changed
        .iter()
        .filter_map(|rel| link.join(rel).ok())
        .map(String::from)
        .collect()
}

/// Queues a ping for each changed merged feed and sends every ping owed, blocking the calling
/// thread (a render's) for at most a few seconds per ping. Without a hub, nothing happens.
pub fn publish(config: &Config, store: &Store, changed: &[String]) {
    let Some(hub) = config.planet.hub.as_ref().map(|h| h.to_url()) else {
        return;
    };
    if let Err(e) = try_publish(config, store, &hub, changed) {
        tracing::warn!(hub = %hub, "cannot notify the WebSub hub: {e:#}; trying again after the next render");
    }
}

fn try_publish(
    config: &Config,
    store: &Store,
    hub: &Url,
    changed: &[String],
) -> anyhow::Result<()> {
    let now = crate::clock::now();
    store.queue_hub_pings(&topics(&config.planet.link.to_url(), changed), now)?;
    let owed = store.hub_pings()?;
    if owed.is_empty() {
        return Ok(());
    }
    let fetcher = Fetcher::new(&config.fetch)?;
    let results = crate::refresh::on_own_runtime(async {
        let pings = owed.iter().map(|p| fetcher.ping_hub(hub, &p.topic));
        futures_util::future::join_all(pings).await
    })?;
    let mut failed = 0;
    for (ping, result) in owed.iter().zip(results) {
        match &result {
            Ok(()) => tracing::info!(hub = %hub, topic = %ping.topic, "told the WebSub hub"),
            Err(why) => {
                failed += 1;
                tracing::warn!(
                    hub = %hub,
                    topic = %ping.topic,
                    attempts = ping.attempts + 1,
                    "the WebSub hub was not told of a change: {why}; trying again after the next render"
                );
            }
        }
        store.hub_pinged(
            &ping.topic,
            result.as_ref().map(|_| ()).map_err(String::as_str),
        )?;
    }
    tracing::debug!(sent = owed.len(), failed, "WebSub pings");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::topics;

    #[test]
    fn topics_are_the_changed_feeds_public_urls() {
        let link = url::Url::parse("https://planet.example.org/sub/").unwrap();
        let changed = ["atom.xml".to_string(), "tags/rust/rss.xml".to_string()];
        assert_eq!(
            topics(&link, &changed),
            [
                "https://planet.example.org/sub/atom.xml",
                "https://planet.example.org/sub/tags/rust/rss.xml"
            ]
        );
    }
}
