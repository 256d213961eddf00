//! One small function per CLI command. Each takes the validated config and calls the stages:
//! `fetch` and `update` call `refresh` (with a progress bar and the printed summary), `render`
//! and `update` call `site`, `serve` starts `serve::run` on a runtime of its own.
//!
//! In: a validated [`Config`] and the command's arguments. Out: results on stdout, and an
//! [`Error`] whose exit code `main` uses.

mod add;
mod check;
mod init;
mod moderate;
mod moves;
mod opml_io;
mod progress;
mod prune;
mod redirects;
mod status;

pub use add::add;
pub use check::check;
pub use init::init;
pub use moderate::{hide, unhide, why};
pub use moves::move_feed;
pub use opml_io::{export_opml, import_opml};
pub use prune::prune;
pub use redirects::fix_redirects;
pub use status::status;

use anyhow::Context;

use crate::cli::FetchArgs;
use crate::config::moderation::Moderation;
use crate::config::Config;
use crate::error::Error;
use crate::output::{noteln, outln};
use crate::refresh::{self, RefreshOptions, RefreshSummary};
use crate::site;
use crate::store::Store;
use progress::Progress;

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
pub fn fetch(config: &Config, args: FetchArgs, wait: bool) -> Result<(), Error> {
    let _lock = crate::lock::acquire(&config.planet.database, "fetch", wait)?;
    let store = open_store(config)?;
    run_refresh(config, store, args)?;
    Ok(())
}

/// `render`: write the site from the database.
pub fn render(config: &Config) -> Result<(), Error> {
    let moderation = Moderation::load(config)?;
    let mut store = open_store(config)?;
    store.sync_feeds(&config.member_feeds())?;
    site::write(config, &mut store, &moderation)?;
    Ok(())
}

/// `update`: fetch, then render.
pub fn update(config: &Config, args: FetchArgs, wait: bool) -> Result<(), Error> {
    let _lock = crate::lock::acquire(&config.planet.database, "update", wait)?;
    // Read first: an invalid moderation file stops the update before anything is fetched.
    let moderation = Moderation::load(config)?;
    let store = open_store(config)?;
    let mut store = run_refresh(config, store, args)?;
    site::write(config, &mut store, &moderation)?;
    Ok(())
}

fn open_store(config: &Config) -> anyhow::Result<Store> {
    Store::open(&config.planet.database)
}

fn run_refresh(config: &Config, store: Store, args: FetchArgs) -> anyhow::Result<Store> {
    let progress = Progress::start(config.feeds.len() as u64);
    let options = RefreshOptions { force: args.force };
    let result = refresh::refresh_blocking(config, store, options, &|e| progress.on_feed(e));
    progress.finish();
    let (store, summary) = result?;
    report(&summary);
    Ok(store)
}

/// The summary, once, on stdout (the log does not repeat it); with `--quiet`, only when a
/// feed failed, since then the admin may have something to do.
fn report(summary: &RefreshSummary) {
    if summary.failures.is_empty() {
        noteln!("{summary}");
        return;
    }
    outln!("{summary}");
    for (url, message) in &summary.failures {
        outln!("  failed: {url}: {message}");
    }
}
