//! One small function per CLI command. Each takes the validated config and calls the stages.

mod add;
mod opml_io;
mod status;

pub use add::add;
pub use opml_io::{export_opml, fix_redirects, import_opml};
pub use status::status;

use anyhow::Context;
use chrono::Utc;

use crate::cli::FetchArgs;
use crate::config::Config;
use crate::model::{Site, Topic};
use crate::refresh::{self, RefreshOptions, RefreshSummary};
use crate::render;
use crate::store::Store;
use crate::Error;

/// `check`: the config was loaded and validated by the caller; say so.
pub fn check(config: &Config) -> Result<(), Error> {
    println!(
        "{}: OK, {} feed{}",
        config.path.display(),
        config.feeds.len(),
        if config.feeds.len() == 1 { "" } else { "s" }
    );
    Ok(())
}

/// `serve`: refresh on the schedule and serve the site until a signal.
pub fn serve(config: &Config, config_path: &std::path::Path) -> Result<(), Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .thread_name("mercury-worker")
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(crate::serve::run(config_path.to_path_buf(), config.clone()))?;
    Ok(())
}

/// `fetch`: poll every due feed once.
pub fn fetch(config: &Config, args: FetchArgs) -> Result<(), Error> {
    let store = open_store(config)?;
    run_refresh(config, store, args)?;
    Ok(())
}

/// `render`: write the site from the database.
pub fn render(config: &Config) -> Result<(), Error> {
    let mut store = open_store(config)?;
    store.sync_feeds(&config.member_feeds())?;
    write_site(config, &store)?;
    Ok(())
}

/// `update`: fetch, then render.
pub fn update(config: &Config, args: FetchArgs) -> Result<(), Error> {
    let store = open_store(config)?;
    let store = run_refresh(config, store, args)?;
    write_site(config, &store)?;
    Ok(())
}

fn open_store(config: &Config) -> anyhow::Result<Store> {
    Store::open(&config.planet.database)
}

fn run_refresh(config: &Config, store: Store, args: FetchArgs) -> anyhow::Result<Store> {
    let progress = progress_bar(config.feeds.len() as u64);
    let options = RefreshOptions { force: args.force };
    let tick = || progress.inc(1);
    let result = refresh::refresh_blocking(config, store, options, &tick);
    progress.finish_and_clear();
    let (store, summary) = result?;
    report(&summary);
    Ok(store)
}

/// A progress bar on stderr when it is a terminal; hidden otherwise (cron, CI, pipes).
fn progress_bar(len: u64) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} fetching {pos}/{len} feeds {wide_bar} {elapsed}",
    ) {
        bar.set_style(style);
    }
    bar
}

fn report(summary: &RefreshSummary) {
    println!("{summary}");
    for (url, message) in &summary.failures {
        println!("  failed: {url}: {message}");
    }
}

/// Reads what the page shows from the store and writes every output file.
fn write_site(config: &Config, store: &Store) -> anyhow::Result<()> {
    let site = build_site(config, store)?;
    let now = Utc::now();
    let written = render::render_site(
        &site,
        &config.planet.output_dir,
        &config.planet.theme_dir,
        now,
    )?;
    tracing::info!(
        files = written.len(),
        entries = site.entries.len(),
        "wrote {}",
        config.planet.output_dir.display()
    );
    Ok(())
}

pub fn build_site(config: &Config, store: &Store) -> anyhow::Result<Site> {
    let p = &config.planet;
    let total = p.items.saturating_mul(p.archive_pages + 1);
    let entries = store.recent_entries(total, p.max_per_feed, None)?;
    let feeds = store.feed_views()?;
    // Tags that share a folder name share a sub-planet.
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
    for topic in &mut topics {
        topic.entries = store.recent_entries(p.items, p.max_per_feed, Some(&topic.feed_urls))?;
    }
    let last_success = feeds.iter().filter_map(|f| f.health.last_success).max();
    Ok(Site {
        name: p.name.clone(),
        link: p.link.to_url(),
        description: p.description.clone(),
        owner_name: p.owner_name.clone(),
        owner_email: p.owner_email.clone(),
        timezone: p.timezone,
        entries,
        items_per_page: p.items,
        noindex: p.noindex,
        excerpt_chars: p.excerpt_chars,
        feeds,
        last_success,
        notices: Vec::new(),
        topics,
        current_topic: None,
        id_base: p.link.to_url(),
    })
}
