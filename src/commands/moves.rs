//! `move OLD_URL NEW_URL`: a member's feed moved. feeds.toml gets the new URL (comments and
//! order kept, a `.bak`, validated) and the store carries the feed's posts, keys, validators
//! and history over, so nothing is shown as new and `new_feed_items` does not apply.

use std::path::Path;

use crate::cli::MoveArgs;
use crate::config::edit as config_edit;
use crate::config::moderation;
use crate::config::Config;
use crate::error::Error;
use crate::model::public_url;
use crate::output::outln;
use crate::store::Store;

pub fn move_feed(
    config: &Config,
    config_path: &Path,
    args: &MoveArgs,
    wait: bool,
) -> Result<(), Error> {
    let (old, new) = (args.old_url.as_str(), args.new_url.as_str());
    let listed = |url: &str| config.feeds.iter().any(|f| f.url.as_str() == url);
    if old == new {
        return Err(anyhow::anyhow!("OLD_URL and NEW_URL are the same; nothing to move").into());
    }
    let _lock = crate::lock::acquire(&config.planet.database, "move", wait)?;
    let mut store = Store::open(&config.planet.database)?;
    let edit = || -> anyhow::Result<String> {
        match (listed(old), listed(new)) {
            // Both listed: the old [[feed]] goes, its history joins the new one's.
            (true, true) => {
                config_edit::remove_feed(config_path, old)?;
                Ok(format!("removed the [[feed]] of {}", public_url(old)))
            }
            (true, false) => {
                config_edit::replace_feed_url(config_path, old, new)?;
                Ok(format!("{} -> {}", public_url(old), public_url(new)))
            }
            // The URL was already changed by hand: only the history is left to carry over.
            (false, true) => Ok(format!(
                "feeds.toml already lists {} (unchanged)",
                public_url(new)
            )),
            (false, false) => anyhow::bail!(
                "{} is not listed in {}: give the feed's URL exactly as the file lists it",
                public_url(old),
                config_path.display()
            ),
        }
    };
    let mut said = String::new();
    let report = store.move_feed(old, new, || {
        said = edit()?;
        Ok(())
    })?;
    outln!("{said}");
    if report.had_history {
        outln!(
            "moved {} stored post{} and the feed's history to {}{}",
            report.posts,
            if report.posts == 1 { "" } else { "s" },
            public_url(new),
            if report.merged {
                " (merged with what was stored under it)"
            } else {
                ""
            }
        );
    } else {
        outln!("nothing was stored under {} yet", public_url(old));
    }
    // The feeds table follows the file at once (names, order), as the next refresh would.
    let moved_config = Config::load(config_path)?;
    store.sync_feeds(&moved_config.member_feeds())?;
    move_decisions(config, old, new)?;
    Ok(())
}

/// The moderator's decisions about the feed's posts follow it to its new URL (moderation.toml
/// keys them on the feed URL and the post's key, which the store carried over). Run once the
/// move is written: a failure here leaves the move in place and says what to edit by hand.
pub(super) fn move_decisions(config: &Config, old: &str, new: &str) -> anyhow::Result<()> {
    let path = moderation::Moderation::path_for(config);
    let (old, new) = (public_url(old), public_url(new));
    match moderation::move_feed(&path, &old, &new) {
        Ok(0) => Ok(()),
        Ok(n) => {
            outln!(
                "{n} moderation decision{} in {} now name{} {new}",
                if n == 1 { "" } else { "s" },
                path.display(),
                if n == 1 { "s" } else { "" }
            );
            Ok(())
        }
        Err(e) => Err(anyhow::anyhow!(
            "the feed moved, but {} was not updated: {e:#}; change `feed = \"{old}\"` to \
             `feed = \"{new}\"` there by hand, or the posts it hides will show again",
            path.display()
        )),
    }
}
