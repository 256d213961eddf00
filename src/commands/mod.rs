//! One small function per CLI command. Each takes the validated config and calls the stages:
//! `fetch` and `update` call `refresh` (with a progress bar and the printed summary), `render`
//! and `update` call `site`, `serve` starts `serve::run` on a runtime of its own.
//!
//! In: a validated [`Config`] and the command's arguments. Out: results on stdout, and an
//! [`Error`] whose exit code `main` uses.

mod add;
mod check;
mod moderate;
mod opml_io;
mod status;

pub use add::add;
pub use check::check;
pub use moderate::{hide, unhide, why};
pub use opml_io::{export_opml, fix_redirects, import_opml};
pub use status::status;

use anyhow::Context;

use crate::cli::FetchArgs;
use crate::config::moderation::Moderation;
use crate::config::Config;
use crate::error::Error;
use crate::refresh::{self, RefreshOptions, RefreshSummary};
use crate::site;
use crate::store::Store;

/// `serve`: refresh on the schedule and serve the site until a signal.
pub fn serve(config: &Config, config_path: &std::path::Path) -> Result<(), Error> {
    let moderation = Moderation::load(config)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .thread_name("mercury-worker")
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(crate::serve::run(
        config_path.to_path_buf(),
        config.clone(),
        moderation,
    ))?;
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
    let moderation = Moderation::load(config)?;
    let mut store = open_store(config)?;
    store.sync_feeds(&config.member_feeds())?;
    site::write(config, &store, &moderation)?;
    Ok(())
}

/// `update`: fetch, then render.
pub fn update(config: &Config, args: FetchArgs) -> Result<(), Error> {
    // Read first: an invalid moderation file stops the update before anything is fetched.
    let moderation = Moderation::load(config)?;
    let store = open_store(config)?;
    let store = run_refresh(config, store, args)?;
    site::write(config, &store, &moderation)?;
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
