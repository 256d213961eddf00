//! `fix-redirects`: the new URL of every permanently redirected feed written into feeds.toml,
//! each feed on its own. An edit that is valid is applied (with the feed's history carried to
//! the new URL); one that is not, such as a new URL already listed for another member, is left
//! out with what to do instead. Nothing is half-written: each edit is whole, and the command
//! does not fail because another feed's edit was left out.

use std::path::Path;

use url::Url;

use crate::config::edit as config_edit;
use crate::config::Config;
use crate::error::Error;
use crate::model::{public_url, same_feed_address};
use crate::output::{noteln, outln};
use crate::store::Store;

pub fn fix_redirects(config: &Config, config_path: &Path, wait: bool) -> Result<(), Error> {
    let _lock = crate::lock::acquire(&config.planet.database, "fix-redirects", wait)?;
    let mut store = Store::open(&config.planet.database)?;
    store.sync_feeds(&config.member_feeds())?;
    let moved = store.permanent_moves()?;
    if moved.is_empty() {
        noteln!("no feed has moved permanently; nothing to change");
        return Ok(());
    }
    let listed: Vec<String> = config
        .feeds
        .iter()
        .map(|f| same_feed_address(&f.parsed_url))
        .collect();
    let mut left_out = Vec::new();
    for (from, to) in moved {
        let (shown_from, shown_to) = (public_url(&from), public_url(&to));
        let index = config.feeds.iter().position(|f| f.url == from);
        let taken_by = Url::parse(&to).ok().and_then(|to| {
            let address = same_feed_address(&to);
            (0..listed.len()).find(|&j| Some(j) != index && listed[j] == address)
        });
        if let Some(j) = taken_by {
            let other = &config.feeds[j];
            // Advice only: a file that cannot be read again here just gets a vaguer one.
            let lines = match config_edit::feed_lines(config_path, &from).ok().flatten() {
                Some((n, m)) => format!("lines {n}–{m}"),
                None => "the [[feed]]".to_string(),
            };
            left_out.push(format!(
                "{shown_from} moved to {shown_to}, which {} already lists as feed[{}] \"{}\": \
                 run `mercury move {shown_from} {shown_to}` to keep one member with both \
                 histories, or remove {lines} of {} (the [[feed]] of {shown_from})",
                config_path.display(),
                j + 1,
                other.name,
                config_path.display(),
            ));
            continue;
        }
        let moved = store.move_feed(&from, &to, || {
            config_edit::replace_feed_url(config_path, &from, &to).map(|_| ())
        });
        match moved {
            Ok(_) => {
                outln!("{shown_from} -> {shown_to}");
                if let Err(e) = super::moves::move_decisions(config, &from, &to) {
                    tracing::warn!("{e:#}");
                }
            }
            Err(e) => left_out.push(format!(
                "{shown_from} -> {shown_to} not written: {e:#}; edit its [[feed]] by hand"
            )),
        }
    }
    if !left_out.is_empty() {
        outln!(
            "{} left unchanged (the other edits were written):",
            left_out.len()
        );
        for line in left_out {
            outln!("  {line}");
        }
    }
    Ok(())
}
