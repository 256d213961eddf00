//! The validated configuration: the typed values every other module reads ([`Config`] and its
//! sections), the defaults, and the located [`ConfigError`]. Plain data, no parsing: `validate`
//! builds these from the raw schema, so they hold only checked values.
//!
//! In: nothing (the types are built in `config::validate`). Out: [`Config`] for every command;
//! [`FeedConfig::member_feed`] turns a feed into the `model::MemberFeed` the store records.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::web_url::WebUrl;

/// A config problem, located in the file. Its `Display` is the whole message the admin sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: PathBuf,
    /// 1-based line, when the problem has a place in the file.
    pub line: Option<usize>,
    /// Dotted key path such as `feed[3].url` (1-based feed numbers, as a reader counts them).
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": ")?;
        if let Some(key) = &self.key {
            write!(f, "{key}: ")?;
        }
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for ConfigError {}

/// The validated configuration of one planet.
#[derive(Debug, Clone)]
pub struct Config {
    /// The config file itself (absolute when it could be made so).
    pub path: PathBuf,
    pub planet: Planet,
    pub fetch: FetchSettings,
    pub server: ServerSettings,
    pub feeds: Vec<FeedConfig>,
    /// What the admin should know but that does not stop the config from loading, located
    /// like errors; every command logs them (`check` included).
    pub warnings: Vec<ConfigError>,
}

#[derive(Debug, Clone)]
pub struct Planet {
    pub name: String,
    pub link: WebUrl,
    pub description: Option<String>,
    pub owner_name: Option<String>,
    pub owner_email: Option<String>,
    pub database: PathBuf,
    pub output_dir: PathBuf,
    pub schedule: cron::Schedule,
    pub items: usize,
    /// Archive pages after the front page (`page/2.html` …).
    pub archive_pages: usize,
    /// At most this many entries of one member across the page and its archive (0: no cap).
    pub max_per_feed: usize,
    /// A feed that joins an established planet shows at most this many of the posts its first
    /// fetch finds (0: all); the rest are stored but never shown.
    pub new_feed_items: usize,
    /// What retention deletes (`keep_days`, `keep_per_feed`, `forget_after_days`).
    pub retention: crate::model::Retention,
    /// A post that disappears from its feed while an older one is still there was withdrawn
    /// by its author and is hidden (`follow_deletions`, default true).
    pub follow_deletions: bool,
    /// `<meta name="robots" content="noindex">` and a robots.txt that disallows everything.
    pub noindex: bool,
    /// Posts longer than this many characters of text are folded to an excerpt on the page
    /// (0: never).
    pub excerpt_chars: usize,
    pub timezone: chrono_tz::Tz,
    /// The digest's period (`digest/`, `digest.xml`); `None`: `digest = "off"`.
    pub digest: Option<crate::model::Cadence>,
    /// Folder whose files override the embedded theme (`theme` key, else `<config dir>/templates`).
    pub theme_dir: PathBuf,
    /// The WebSub hub (`hub`) that the merged feeds announce and that is told when they
    /// change; none: no announcement, no ping.
    pub hub: Option<WebUrl>,
    /// The planet's language, a canonical BCP 47 tag (`lang` key, default `en`): the pages'
    /// `lang`, their day and month names and their interface strings.
    pub lang: String,
    /// Topic filters every member's posts must pass (`categories`, `require`, `ignore`).
    pub filters: Vec<FilterRule>,
    /// Show a post that several members carry once (`collapse_duplicates`, default true).
    pub collapse_duplicates: bool,
}

/// One topic filter rule, compiled, with the place it is written (shown by `why`, `check` and
/// the member pages).
#[derive(Debug, Clone)]
pub struct FilterRule {
    pub kind: FilterKind,
    /// The rule as written: `ignore = "(?i)sponsored"`.
    pub written: String,
    /// File, line and key: `feeds.toml:12 feed[2].ignore`.
    pub location: String,
    /// The dotted key alone: `feed[2].ignore`.
    pub key: String,
}

#[derive(Debug, Clone)]
pub enum FilterKind {
    /// Show only posts with at least one of these categories (trimmed, lowercase).
    Categories(Vec<String>),
    /// Show only posts whose title or text matches.
    Require(regex::Regex),
    /// Hide posts whose title or text matches.
    Ignore(regex::Regex),
}

#[derive(Debug, Clone)]
pub struct FetchSettings {
    pub concurrency: usize,
    /// At most this many requests to one host at once.
    pub per_host: usize,
    pub timeout: Duration,
    pub max_bytes: u64,
    pub user_agent: String,
}

#[derive(Debug, Clone)]
pub struct ServerSettings {
    pub listen: SocketAddr,
    /// `/healthz` fails when the last good refresh is older than this many schedule intervals.
    pub stale_after: u32,
    /// At most this many connections open at once (see `serve::conn`).
    pub max_connections: usize,
    /// Where hubs reach this server from outside (`public_url`): set, `serve` subscribes to the
    /// hubs members' feeds announce, with callbacks under `<public_url>/websub/`.
    pub public_url: Option<WebUrl>,
    /// A feed with an active subscription is polled at most this often (`subscribed_poll_hours`);
    /// zero: polled on the schedule like the others.
    pub subscribed_poll: chrono::Duration,
    /// `search` (default true): every page's header carries the search box and `serve`
    /// answers `/search`. A planet published only as static files (`update`) sets it to false.
    pub search: bool,
}

/// `[server] subscribed_poll_hours` when unset: pushes bring the news, a poll every six hours
/// catches what a hub missed.
pub const DEFAULT_SUBSCRIBED_POLL_HOURS: i64 = 6;

/// One member's feed.
#[derive(Debug, Clone)]
pub struct FeedConfig {
    /// The URL exactly as written in feeds.toml: the feed's identity in the database and outputs.
    pub url: String,
    /// The same URL, parsed.
    pub parsed_url: WebUrl,
    pub name: String,
    pub homepage: Option<WebUrl>,
    pub face: Option<Face>,
    pub tags: Vec<String>,
    /// Show only a short excerpt of this member's posts, with a link to read them.
    pub excerpt_only: bool,
    /// This member's own topic filters (the planet's apply too).
    pub filters: Vec<FilterRule>,
}

/// A member's picture as configured: a web address, or a file of the theme folder (Planet
/// Venus's `faces/` habit) that the render publishes at the same path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Face {
    Web(WebUrl),
    /// A relative path inside the theme folder, `/`-separated, checked to exist when loaded.
    Theme(String),
}

impl Face {
    /// How the store records it: the URL, or the path relative to the site's root.
    pub fn as_stored(&self) -> String {
        match self {
            Face::Web(url) => url.as_str().to_string(),
            Face::Theme(path) => path.clone(),
        }
    }
}

pub const DEFAULT_SCHEDULE: &str = "0 */30 * * * *";
pub const DEFAULT_ITEMS: usize = 60;
pub const DEFAULT_ARCHIVE_PAGES: usize = 10;
pub const DEFAULT_EXCERPT_CHARS: usize = 3000;
/// Posts of a new member shown from its first fetch (Planet Venus calls it the same).
pub const DEFAULT_NEW_FEED_ITEMS: usize = 5;
/// `[planet] keep_per_feed`: the newest posts of each feed that retention always keeps.
pub const DEFAULT_KEEP_PER_FEED: usize = 50;
/// `[planet] forget_after_days`: how long a feed removed from feeds.toml keeps its posts.
pub const DEFAULT_FORGET_AFTER_DAYS: usize = 30;
pub const DEFAULT_CONCURRENCY: usize = 32;
pub const DEFAULT_PER_HOST: usize = 4;
pub const DEFAULT_TIMEOUT_SECS: u64 = 30;
pub const DEFAULT_MAX_BYTES: u64 = 5_000_000;
/// The most `[server] max_connections` may say: far beyond what a planet needs, low enough that
/// a typo (an extra zero or three) is caught.
pub const MAX_CONNECTIONS_CEILING: usize = 100_000;

/// `[server] max_connections` when unset: a quarter of the process's open-file limit (its soft
/// RLIMIT_NOFILE; 256 under systemd's default of 1,024), at least 8 and at most 16,384. A
/// connection can hold two descriptors (its socket and the file it is sending), and the
/// refresh needs its own (up to `[fetch] concurrency` sockets, the database and its journal):
/// a quarter leaves half the table to spare, so the cap is met before the descriptors run out.
pub fn default_max_connections() -> usize {
    let (soft, _hard) = rlimit::getrlimit(rlimit::Resource::NOFILE).unwrap_or((1024, 1024));
    (soft / 4).clamp(8, 16_384) as usize
}

impl Config {
    /// The time between the schedule's next two runs after `now` (at least a second).
    pub fn schedule_interval(&self, now: chrono::DateTime<chrono::Utc>) -> chrono::Duration {
        let now = now.with_timezone(&self.planet.timezone);
        let mut upcoming = self.planet.schedule.after(&now);
        match (upcoming.next(), upcoming.next()) {
            (Some(a), Some(b)) => (b - a).max(chrono::Duration::seconds(1)),
            _ => chrono::Duration::days(1),
        }
    }

    /// How old the last good refresh may be before the planet counts as stale: `stale_after`
    /// schedule intervals (`/healthz` fails, and the pages show a banner).
    pub fn stale_bound(&self, now: chrono::DateTime<chrono::Utc>) -> chrono::Duration {
        self.schedule_interval(now) * self.server.stale_after as i32
    }

    /// The configured feeds as the store records them, in config order.
    pub fn member_feeds(&self) -> Vec<crate::model::MemberFeed> {
        self.feeds.iter().map(FeedConfig::member_feed).collect()
    }
}

impl FeedConfig {
    /// This feed as the store records it (the store reads no configuration itself).
    pub fn member_feed(&self) -> crate::model::MemberFeed {
        crate::model::MemberFeed {
            url: self.url.clone(),
            parsed_url: self.parsed_url.to_url(),
            name: self.name.clone(),
            homepage: self.homepage.as_ref().map(WebUrl::to_url),
            face: self.face.as_ref().map(Face::as_stored),
            tags: self.tags.clone(),
            excerpt_only: self.excerpt_only,
        }
    }
}
