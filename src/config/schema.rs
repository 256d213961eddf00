//! The raw shape of feeds.toml as serde reads it: strings and integers, nothing checked yet
//! beyond TOML types. Every table denies unknown keys, so a misspelt key is an error that names
//! it, not a silent default.
//!
//! In: TOML text (through `toml::from_str`). Out: [`RawConfig`], which only
//! `config::validate` reads, turning it into the typed [`super::types::Config`].

use serde::Deserialize;

/// The whole file: `[planet]` is required, the rest has defaults.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    pub(super) planet: RawPlanet,
    #[serde(default)]
    pub(super) fetch: RawFetch,
    #[serde(default)]
    pub(super) server: RawServer,
    #[serde(default, rename = "feed")]
    pub(super) feeds: Vec<RawFeed>,
}

/// `[planet]`: the page, where its files go, and when it refreshes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPlanet {
    pub(super) name: String,
    pub(super) link: String,
    pub(super) description: Option<String>,
    pub(super) owner_name: Option<String>,
    pub(super) owner_email: Option<String>,
    pub(super) database: Option<String>,
    pub(super) output_dir: Option<String>,
    pub(super) schedule: Option<String>,
    pub(super) items: Option<i64>,
    pub(super) archive_pages: Option<i64>,
    pub(super) max_per_feed: Option<i64>,
    pub(super) new_feed_items: Option<i64>,
    pub(super) keep_days: Option<i64>,
    pub(super) keep_per_feed: Option<i64>,
    pub(super) forget_after_days: Option<i64>,
    pub(super) follow_deletions: Option<bool>,
    pub(super) noindex: Option<bool>,
    pub(super) excerpt_chars: Option<i64>,
    pub(super) timezone: Option<String>,
    pub(super) theme: Option<String>,
    /// A WebSub hub the merged feeds announce and that is told when they change.
    pub(super) hub: Option<String>,
    pub(super) lang: Option<String>,
    // The topic filters for every member (see `config::filters`); serde's `flatten` cannot
    // be combined with `deny_unknown_fields`, so `[[feed]]` repeats the three keys.
    pub(super) categories: Option<Vec<String>>,
    pub(super) require: Option<String>,
    pub(super) ignore: Option<String>,
    pub(super) collapse_duplicates: Option<bool>,
    pub(super) digest: Option<String>,
}

/// `[fetch]`: how feeds are fetched.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFetch {
    pub(super) concurrency: Option<i64>,
    pub(super) per_host: Option<i64>,
    pub(super) timeout_secs: Option<i64>,
    pub(super) max_bytes: Option<i64>,
    pub(super) user_agent: Option<String>,
}

/// `[server]`: what `serve` listens on and when it reports itself unhealthy.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawServer {
    pub(super) listen: Option<String>,
    pub(super) stale_after: Option<i64>,
    pub(super) max_connections: Option<i64>,
    /// The server's public URL, as a WebSub hub reaches it (callbacks hang off it).
    pub(super) public_url: Option<String>,
    /// Hours between polls of a feed whose hub pushes to the planet.
    pub(super) subscribed_poll_hours: Option<i64>,
    /// The search box on every page and `/search` under `serve` (default true).
    pub(super) search: Option<bool>,
}

/// One `[[feed]]`: a member.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFeed {
    pub(super) url: String,
    pub(super) name: String,
    pub(super) homepage: Option<String>,
    pub(super) face: Option<String>,
    #[serde(default)]
    pub(super) tags: Vec<String>,
    #[serde(default)]
    pub(super) excerpt_only: bool,
    // This member's topic filters (see `config::filters`).
    pub(super) categories: Option<Vec<String>>,
    pub(super) require: Option<String>,
    pub(super) ignore: Option<String>,
}
