//! `prune [--dry-run]`: retention by hand, saying what it deletes (a refresh prunes too).

use crate::cli::PruneArgs;
use crate::config::Config;
use crate::error::Error;
use crate::model::{PruneReport, Retention};
use crate::store::Store;

pub fn prune(config: &Config, args: PruneArgs, wait: bool) -> Result<(), Error> {
    let _lock = crate::lock::acquire(&config.planet.database, "prune", wait)?;
    let mut store = Store::open(&config.planet.database)?;
    // Which feeds are listed now decides which are kept whole and which are forgotten.
    store.sync_feeds(&config.member_feeds())?;
    let retention = config.planet.retention;
    let report = store.prune(&retention, crate::clock::now(), args.dry_run)?;
    crate::output::bytes(describe(&report, &retention, args.dry_run).as_bytes());
    Ok(())
}

/// What a prune deleted (or would delete), for the admin.
pub(crate) fn describe(report: &PruneReport, retention: &Retention, dry_run: bool) -> String {
    let verb = if dry_run { "would delete" } else { "deleted" };
    let mut out = String::new();
    if retention.keep_days == 0 {
        out.push_str("keep_days = 0: posts of listed feeds are kept forever\n");
    } else if report.old_posts.is_empty() {
        out.push_str(&format!(
            "no post is older than {} days beyond each feed's newest {}\n",
            retention.keep_days, retention.keep_per_feed
        ));
    } else {
        let n: u64 = report.old_posts.iter().map(|(_, n)| n).sum();
        out.push_str(&format!(
            "{verb} {n} post{} older than {} days (each feed keeps its newest {}):\n",
            plural(n),
            retention.keep_days,
            retention.keep_per_feed
        ));
        for (url, n) in &report.old_posts {
            out.push_str(&format!("  {url}: {n} post{}\n", plural(*n)));
        }
    }
    if !report.forgotten_feeds.is_empty() {
        out.push_str(&format!(
            "{verb} {} feed{} removed from feeds.toml more than {} days ago:\n",
            report.forgotten_feeds.len(),
            plural(report.forgotten_feeds.len() as u64),
            retention.forget_after_days
        ));
        for (url, n) in &report.forgotten_feeds {
            out.push_str(&format!("  {url}: {n} post{}\n", plural(*n)));
        }
    }
    out
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
