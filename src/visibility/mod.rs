//! What the landscape shows: the one place that decides whether a stored post is shown and,
//! when it is not, every reason why ([`Hidden`]). The page, the archives, the tag sub-planets
//! and the merged feeds (through `site::build_site`), `mercury why`, `mercury check`, the member
//! pages (through `site`) and the digest all ask [`Visibility`]; none decides on its own.
//!
//! Hiding is decided at render time from what is stored, so a rule edited in feeds.toml or a
//! decision in moderation.toml takes effect at the next render, without refetching.
//!
//! In: the [`Config`] (topic filters, `max_per_feed`, `items`, `archive_pages`,
//! `collapse_duplicates`), the [`Moderation`] file and the [`Store`]. Out: shown
//! [`EntryView`]s, and posts with their reasons.
//!
//! - `rules`: a post's own reasons (filters, moderator, joined late), text matched bounded;
//! - `crosspost`: link normalisation, content fingerprints, which copy of a cross-post shows;
//! - `select`: read candidates newest first until enough are kept, then decide;
//! - `why`: one post resolved from a URL, id or anchor, and everything `why` prints.

mod crosspost;
mod rules;
mod select;
#[cfg(test)]
mod tests;
mod why;

pub use crosspost::normalise_link;
pub use rules::{Rules, MATCHED_BODY_BYTES};
pub use why::{resolve, Placement, Why};

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use crate::config::moderation::Moderation;
use crate::config::Config;
use crate::model::{EntryView, Message};
use crate::render::strings::Strings;
pub use crate::store::posts::PostFlags;
use crate::store::posts::PostScan;
use crate::store::Store;
use select::Decided;

/// Why a stored post is not shown. A post can have several; an empty list means shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hidden {
    /// A `categories`, `require` or `ignore` rule: the rule as written, and its place
    /// (`feeds.toml:12 feed[2].ignore`).
    Filter { rule: String, location: String },
    /// A decision in moderation.toml, with its reason if one was given.
    Moderator { reason: Option<String> },
    /// The same post is shown under another member: that member's name and (public) feed URL.
    CrossPost {
        shown_under: String,
        feed_url: String,
    },
    /// Removed by its author from their feed (not yet produced).
    Withdrawn,
    /// Stored when its feed joined the planet, past `new_feed_items`.
    JoinedLate,
    /// Newer posts of its member fill `max_per_feed`.
    BeyondMaxPerFeed,
    /// Older than the archive pages hold.
    BeyondArchive,
    /// Deleted by retention; only a tombstone remains (not yet produced).
    Pruned,
}

impl Hidden {
    /// The reason in English words, as `why` shows it.
    pub fn describe(&self) -> String {
        static ENGLISH: std::sync::OnceLock<Strings> = std::sync::OnceLock::new();
        ENGLISH
            .get_or_init(|| Strings::built_in("en"))
            .message(&self.message())
    }

    /// The reason as a message of the interface strings, for pages in the planet's language.
    pub fn message(&self) -> Message {
        match self {
            Hidden::Filter { rule, location } => Message::with(
                "hidden_by_filter",
                &[("rule", rule.clone()), ("location", location.clone())],
            ),
            Hidden::Moderator { reason: Some(r) } => {
                Message::with("hidden_by_a_moderator_reason", &[("reason", r.clone())])
            }
            Hidden::Moderator { reason: None } => Message::plain("hidden_by_a_moderator"),
            Hidden::CrossPost {
                shown_under,
                feed_url,
            } => Message::with(
                "a_cross_post",
                &[("member", shown_under.clone()), ("feed", feed_url.clone())],
            ),
            Hidden::Withdrawn => Message::plain("removed_by_its_author"),
            Hidden::JoinedLate => Message::plain("joined_late"),
            Hidden::BeyondMaxPerFeed => Message::plain("beyond_max_per_feed"),
            Hidden::BeyondArchive => Message::plain("older_than_the_archive"),
            Hidden::Pruned => Message::plain("deleted_by_retention"),
        }
    }
}

/// A stored post with every reason it is not shown (none: shown).
pub type Reasoned = (EntryView, Vec<Hidden>);

/// A [`Reasoned`] post with what its member's page says of it besides.
pub type Flagged = (EntryView, Vec<Hidden>, PostFlags);

/// Cross-posts found by their content are copies published within this many days of each
/// other; so are those found by their link (see `crosspost`).
pub const CROSS_POST_DAYS: i64 = 14;

/// A scan that reads more than this share of the stored posts reads them in the table's
/// order ([`PostScan::in_table_order`]).
const TABLE_ORDER_SHARE: f64 = 0.25;

/// The planet's visibility: its rules over its store.
pub struct Visibility<'a> {
    store: &'a Store,
    config: &'a Config,
    rules: Rules<'a>,
}

impl<'a> Visibility<'a> {
    pub fn new(config: &'a Config, store: &'a Store, moderation: &'a Moderation) -> Self {
        Visibility {
            store,
            config,
            rules: Rules::new(config, moderation),
        }
    }

    pub fn rules(&self) -> &Rules<'a> {
        &self.rules
    }

    /// The page's and its archives' posts (`only`: a tag's feeds), newest first: at most
    /// `limit`, read newest first until that many are kept, so hidden posts take no slot.
    pub fn shown(&self, limit: usize, only: Option<&[String]>) -> anyhow::Result<Vec<EntryView>> {
        Ok(shown_of(self.decide(limit, only)?))
    }

    /// The newest `n` stored posts of the feed configured as `config_url`, each with its
    /// reasons (empty: shown on the planet's page or archive).
    pub fn feed_posts(&self, config_url: &str, n: usize) -> anyhow::Result<Vec<Reasoned>> {
        let planet = self.decide(self.planet_total(), None)?;
        let placed = placed(&planet);
        let only = [config_url.to_string()];
        let scan = PostScan {
            only: Some(&only),
            joined_late: true,
            ..PostScan::default()
        };
        let mut out = Vec::new();
        if n > 0 {
            self.store.scan_posts(&scan, &mut |e, late| {
                let hidden = self.reasons(&e, late, &placed);
                out.push((e, hidden));
                out.len() < n
            })?;
        }
        Ok(out)
    }

    /// [`Visibility::feed_posts`] of each feed in `config_urls`, in their order, with their
    /// [`PostFlags`], deciding the planet once for all of them and reading every feed's posts
    /// in one pass (the member pages ask for every feed at each render).
    pub fn feeds_posts(&self, config_urls: &[&str], n: usize) -> anyhow::Result<Vec<Vec<Flagged>>> {
        let planet = self.decide(self.planet_total(), None)?;
        let placed = placed(&planet);
        let mut by_feed: HashMap<String, Vec<Flagged>> = HashMap::new();
        if n > 0 {
            let bodies = self.rules.read_bodies();
            self.store
                .newest_posts_by_feed(n, bodies, &mut |e, flags| {
                    let hidden = self.reasons(&e, flags.joined_late, &placed);
                    by_feed
                        .entry(e.member.config_url.clone())
                        .or_default()
                        .push((e, hidden, flags));
                })?;
        }
        Ok(config_urls
            .iter()
            .map(|url| by_feed.remove(*url).unwrap_or_default())
            .collect())
    }

    /// The shown posts dated in `since..before`, newest first (for the digest): the rules and
    /// cross-posts apply; `max_per_feed` and the archive's length do not. Read without their
    /// bodies unless a rule reads them: the digest shows each post's stored excerpt.
    pub fn shown_between(
        &self,
        since: DateTime<Utc>,
        before: DateTime<Utc>,
    ) -> anyhow::Result<Vec<EntryView>> {
        // Copies of a cross-post just outside the range still decide which one shows.
        let margin = Duration::days(CROSS_POST_DAYS);
        let (from, to) = (since - margin, before + margin);
        let scan = PostScan {
            since: Some(from),
            before: Some(to),
            without_bodies: !self.rules.read_bodies(),
            // A weekly digest's year is often most of the database.
            in_table_order: self.store.share_dated_between(from, to)? > TABLE_ORDER_SHARE,
            ..PostScan::default()
        };
        let decided = select::decide(self.store, &self.rules, &scan, None, 0)?;
        Ok(shown_of(decided)
            .into_iter()
            .filter(|e| e.date >= since && e.date < before)
            .collect())
    }

    /// Every reason a post of a member page is not shown: its own, else where the planet's
    /// decision (`placed`) put it; a post the planet did not read is beyond the archive.
    fn reasons(&self, e: &EntryView, late: bool, placed: &Placed) -> Vec<Hidden> {
        let hidden = self.rules.own_reasons(e, late);
        if !hidden.is_empty() {
            return hidden;
        }
        match placed.get(&(e.member.config_url.as_str(), e.key.as_str())) {
            Some(h) => h.to_vec(),
            None => vec![Hidden::BeyondArchive],
        }
    }

    /// How many entries the page and its archive pages hold.
    fn planet_total(&self) -> usize {
        let p = &self.config.planet;
        p.items.saturating_mul(p.archive_pages + 1)
    }

    fn decide(&self, limit: usize, only: Option<&[String]>) -> anyhow::Result<Vec<Decided>> {
        let scan = PostScan {
            only,
            ..PostScan::default()
        };
        select::decide(
            self.store,
            &self.rules,
            &scan,
            Some(limit),
            self.config.planet.max_per_feed,
        )
    }
}

/// The planet's decision by (configured feed URL, key).
type Placed<'d> = HashMap<(&'d str, &'d str), &'d [Hidden]>;

fn placed(planet: &[Decided]) -> Placed<'_> {
    planet
        .iter()
        .map(|d| {
            let at = (d.entry.member.config_url.as_str(), d.entry.key.as_str());
            (at, d.hidden.as_slice())
        })
        .collect()
}

fn shown_of(decided: Vec<Decided>) -> Vec<EntryView> {
    decided
        .into_iter()
        .filter(|d| d.hidden.is_empty())
        .map(|d| d.entry)
        .collect()
}
