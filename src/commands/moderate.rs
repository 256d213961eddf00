//! `why`, `hide` and `unhide`: one post, named by its link, its id in the merged feeds or its
//! page anchor, explained, hidden by a moderator or shown again. Decisions go to
//! moderation.toml beside feeds.toml; `--render` writes the site at once.
//!
//! In: the validated [`Config`] and the POST argument. Out: a report on stdout, the moderation
//! file edited; an unknown or ambiguous POST is an error listing the candidates.

use crate::cli::{ModerateArgs, UnhideArgs};
use crate::config::moderation::{self, Decision, Moderation};
use crate::config::Config;
use crate::error::Error;
use crate::output::{noteln, outln};
use crate::site;
use crate::store::posts::PostRef;
use crate::store::Store;
use crate::visibility::{resolve, Visibility};

/// `why POST`: whether the post shows, where, and every reason it does not.
pub fn why(config: &Config, post: &str) -> Result<(), Error> {
    let moderation = Moderation::load(config)?;
    let store = open(config)?;
    let refs = store.post_refs()?;
    let post = resolve(&refs, post, &config.planet.link.to_url())?;
    let visibility = Visibility::new(config, &store, &moderation);
    let why = visibility.why(&post, &site::topics(config))?;
    crate::output::bytes(why.to_string().as_bytes());
    Ok(())
}

/// `hide POST [--reason TEXT] [--render]`.
pub fn hide(config: &Config, args: &ModerateArgs) -> Result<(), Error> {
    let mut store = open(config)?;
    let refs = store.post_refs()?;
    let post = resolve(&refs, &args.post, &config.planet.link.to_url())?;
    let decision = Decision {
        feed: post.feed_url.clone(),
        key: post.key.clone(),
        link: post.link.clone(),
        reason: args.reason.clone().filter(|r| !r.trim().is_empty()),
        when: Some(crate::clock::now()),
    };
    let path = Moderation::path_for(config);
    if moderation::add(&path, &decision)? {
        outln!("hidden: {} ({})", describe(&post), path.display());
    } else {
        outln!("already hidden: {}", describe(&post));
    }
    finish(config, &mut store, args.render)
}

/// `unhide POST [--render]`: also for a post no longer stored, named as moderation.toml does.
pub fn unhide(config: &Config, args: &UnhideArgs) -> Result<(), Error> {
    let mut store = open(config)?;
    let current = Moderation::load(config)?;
    let mut refs = store.post_refs()?;
    for d in &current.decisions {
        if !refs.iter().any(|r| r.feed_url == d.feed && r.key == d.key) {
            refs.push(PostRef {
                config_url: d.feed.clone(),
                feed_url: d.feed.clone(),
                member: d.feed.clone(),
                key: d.key.clone(),
                link: d.link.clone(),
                title: None,
                date: d.when.unwrap_or_default(),
            });
        }
    }
    let post = resolve(&refs, &args.post, &config.planet.link.to_url())?;
    if moderation::remove(&current.path, &post.feed_url, &post.key)? {
        outln!("shown again: {}", describe(&post));
    } else {
        outln!(
            "not hidden by a moderator: {} (`mercury why` says what hides it)",
            describe(&post)
        );
    }
    finish(config, &mut store, args.render)
}

fn describe(post: &PostRef) -> String {
    format!(
        "{}: {} ({})",
        post.member,
        post.title.as_deref().unwrap_or("(untitled)"),
        post.link.as_deref().unwrap_or(&post.key)
    )
}

fn open(config: &Config) -> anyhow::Result<Store> {
    let mut store = Store::open(&config.planet.database)?;
    store.sync_feeds(&config.member_feeds())?;
    Ok(store)
}

/// With `--render`, the site rewritten with the decisions now in force.
fn finish(config: &Config, store: &mut Store, render: bool) -> Result<(), Error> {
    if render {
        site::write(config, store, &Moderation::load(config)?)?;
    } else {
        noteln!("the next render shows the change (or run `mercury render`)");
    }
    Ok(())
}
