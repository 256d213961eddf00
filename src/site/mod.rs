//! The site: refresh the planet, then render it. What `update`, `render` and `serve` share, so
//! that the CLI commands and the server both call down into it and neither into the other.
//!
//! In: a validated [`Config`] and the [`Store`] (for `serve`, also a stop signal). Out: the
//! output folder rewritten (and the WebSub hub told which merged feeds changed); [`build_site`]
//! also hands out the render's input, a [`Site`] assembled from the store (the digest is added
//! to it, as of the render's `now`, by `digest::build`, which records what `digest.xml`
//! publishes).

use std::future::Future;

use chrono::{DateTime, Utc};

mod members;

use crate::config::moderation::Moderation;
use crate::config::Config;
use crate::digest;
use crate::model::{Site, Topic};
use crate::refresh::{self, RefreshOptions, RefreshSummary};
use crate::render;
use crate::store::Store;
use crate::visibility::Visibility;
use crate::web_url::WebUrl;

/// Reads what the page shows from the store and writes every output file (`render`, `update`),
/// with the moderation decisions in force (`moderation.toml`).
pub fn write(config: &Config, store: &mut Store, moderation: &Moderation) -> anyhow::Result<()> {
    let now = crate::clock::now();
    let site = assemble(config, store, moderation, now)?;
    let rendered = render::render_site(
        &site,
        &config.planet.output_dir,
        &config.planet.theme_dir,
        now,
    )?;
    tracing::info!(
        files = rendered.written.len(),
        entries = site.entries.len(),
        "wrote {}",
        config.planet.output_dir.display()
    );
    crate::websub::publish(config, store, &rendered.changed_feeds);
    Ok(())
}

/// One scheduled cycle of `serve`: refresh every due feed, then rewrite the site with `notices`
/// shown on its pages. `in_place` gets the refresh's summary once the pages are in place (their
/// compressed variants follow). When `stop` completes first, the refresh is abandoned between
/// feeds and nothing is rendered.
pub async fn refresh_then_render(
    config: &Config,
    moderation: &Moderation,
    notices: Vec<String>,
    stop: impl Future<Output = ()> + Send + 'static,
    in_place: impl FnOnce(&RefreshSummary) + Send + 'static,
) -> anyhow::Result<()> {
    // One refresh at a time: when a hand-run `update` holds the lock, this cycle is skipped
    // (the next one refreshes) rather than fetching every feed twice.
    let _lock = match crate::lock::acquire(&config.planet.database, "serve", false) {
        Ok(lock) => lock,
        Err(e) => {
            tracing::warn!("this scheduled refresh is skipped: {e:#}");
            return Ok(());
        }
    };
    let store = Store::open(&config.planet.database)?;
    // On a thread and runtime of its own (see `refresh_blocking`): the server's threads keep
    // answering meanwhile. A stop abandons it between feeds; the thread would otherwise keep
    // the process alive until the last feed answered or timed out.
    let refresh_config = config.clone();
    let refreshed = tokio::task::spawn_blocking(move || {
        refresh::on_own_runtime(async move {
            let work = refresh::refresh(&refresh_config, store, RefreshOptions::default(), &|_| {});
            tokio::select! {
                done = work => Some(done),
                _ = stop => None,
            }
        })
    })
    .await??;
    let Some(refreshed) = refreshed else {
        return Ok(()); // stopping
    };
    let (mut store, summary) = refreshed?;
    // The log is serve's only report of a cycle (the commands print theirs on stdout).
    tracing::info!("{summary}");
    let config = config.clone();
    let moderation = moderation.clone();
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let now = crate::clock::now();
        let mut site = assemble(&config, &mut store, &moderation, now)?;
        site.notices.extend(notices);
        let rendered = render::render_site_then(
            &site,
            &config.planet.output_dir,
            &config.planet.theme_dir,
            now,
            || in_place(&summary),
        )?;
        crate::websub::publish(&config, &store, &rendered.changed_feeds);
        Ok(())
    })
    .await??;
    Ok(())
}

/// Everything a render shows as of `now`: the site read from the store ([`build_site_at`])
/// with its digest, after recording which posts it shows (for search) and the digest's
/// complete periods as published. The digest, which reads a year of posts, reads on a
/// connection of its own on a second thread, beside the rest of the reading.
fn assemble(
    config: &Config,
    store: &mut Store,
    moderation: &Moderation,
    now: DateTime<Utc>,
) -> anyhow::Result<Site> {
    let (site, digest) = crate::parallel::join(
        || build_site_at(config, store, moderation, now),
        || {
            if config.planet.digest.is_none() {
                return Ok(Some(None)); // nothing to read
            }
            match Store::open_read_only(&config.planet.database) {
                Ok(own) => digest::read(config, &own, moderation, now).map(Some),
                Err(e) => {
                    tracing::debug!("the digest reads after the pages: {e:#}");
                    Ok(None)
                }
            }
        },
    );
    let mut site = site?;
    let digest = match digest? {
        Some(read) => read,
        None => digest::read(config, store, moderation, now)?,
    };
    record_shown(store, &site)?;
    site.digest = digest.map(|d| digest::publish(store, d, now)).transpose()?;
    Ok(site)
}

/// The render's input: the newest shown entries of the planet and of each tag's sub-planet
/// (as `visibility` decides them), the feeds' health, each member's page (`members`), whether
/// the planet is stale, and the planet's settings.
pub fn build_site(config: &Config, store: &Store, moderation: &Moderation) -> anyhow::Result<Site> {
    build_site_at(config, store, moderation, crate::clock::now())
}

/// [`build_site`] as of `now` (what counts as stale, the activity strips' weeks).
pub fn build_site_at(
    config: &Config,
    store: &Store,
    moderation: &Moderation,
    now: DateTime<Utc>,
) -> anyhow::Result<Site> {
    let p = &config.planet;
    let total = p.items.saturating_mul(p.archive_pages + 1);
    let visibility = Visibility::new(config, store, moderation);
    let entries = visibility.shown(total, None)?;
    let feeds = store.feed_views()?;
    let mut topics = topics(config);
    for topic in &mut topics {
        topic.entries = visibility.shown(total, Some(&topic.feed_urls))?;
    }
    let last_success = feeds.iter().filter_map(|f| f.health.last_success).max();
    let members = members::member_pages(config, store, &visibility, &feeds, now)?;
    Ok(Site {
        entries,
        feeds,
        members,
        topics,
        ..frame(config, last_success, now)
    })
}

/// The planet's settings as every page's frame shows them (name, language, footer, stale
/// banner), without posts or members: what the search results page is rendered in.
pub fn frame_site(config: &Config, store: &Store, now: DateTime<Utc>) -> anyhow::Result<Site> {
    Ok(frame(config, store.last_success()?, now))
}

fn frame(config: &Config, last_success: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Site {
    let p = &config.planet;
    // As `serve`'s /healthz judges it: the last refresh that got any feed through.
    let stale_since = last_success.filter(|t| now - *t > config.stale_bound(now));
    Site {
        name: p.name.clone(),
        link: p.link.to_url(),
        description: p.description.clone(),
        owner_name: p.owner_name.clone(),
        owner_email: p.owner_email.clone(),
        timezone: p.timezone,
        lang: p.lang.clone(),
        entries: Vec::new(),
        items_per_page: p.items,
        noindex: p.noindex,
        excerpt_chars: p.excerpt_chars,
        feeds: Vec::new(),
        last_success,
        stale_since,
        members: Vec::new(),
        notices: Vec::new(),
        topics: Vec::new(),
        current_topic: None,
        id_base: p.link.to_url(),
        digest: None,
        hub: p.hub.as_ref().map(WebUrl::to_url),
        search: config.server.search,
    }
}

/// Tells the store which posts the render shows (the planet's pages and its topics'), so that
/// a search finds those and no other.
fn record_shown(store: &mut Store, site: &Site) -> anyhow::Result<()> {
    let shown = site
        .entries
        .iter()
        .chain(site.topics.iter().flat_map(|t| &t.entries))
        .map(|e| (e.member.config_url.as_str(), e.key.as_str()));
    store.set_shown(shown)
}

/// The sub-planets, in the order their tags first appear in feeds.toml, each with its feeds
/// (entries not yet read). Tags that share a folder name share a sub-planet.
pub fn topics(config: &Config) -> Vec<Topic> {
    let mut topics: Vec<Topic> = Vec::new();
    for feed in &config.feeds {
        for tag in &feed.tags {
            let slug = Topic::slug_of(tag);
            let i = match topics.iter().position(|t| t.slug == slug) {
                Some(i) => i,
                None => {
                    topics.push(Topic {
                        tag: tag.clone(),
                        slug,
                        feed_urls: Vec::new(),
                        entries: Vec::new(),
                    });
                    topics.len() - 1
                }
            };
            if !topics[i].feed_urls.contains(&feed.url) {
                topics[i].feed_urls.push(feed.url.clone());
            }
        }
    }
    topics
}
