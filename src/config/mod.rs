//! The `feeds.toml` schema: parsed once, validated once, into a [`Config`] of typed values.
//!
//! In: a path. Out: [`Config`] (URLs parsed, cron schedule compiled, paths resolved against the
//! config file's folder) or a [`ConfigError`] that names the file, the line, the key and what to do.
//! Nothing downstream re-checks these values ("parse, don't validate").

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use url::Url;

mod locate;
mod schema;
mod validate;

use locate::Locator;

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
    pub link: Url,
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
    /// `<meta name="robots" content="noindex">` and a robots.txt that disallows everything.
    pub noindex: bool,
    /// Posts longer than this many characters of text are folded to an excerpt on the page
    /// (0: never).
    pub excerpt_chars: usize,
    pub timezone: chrono_tz::Tz,
    /// Folder whose files override the embedded theme (`theme` key, else `<config dir>/templates`).
    pub theme_dir: PathBuf,
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
}

/// One member's feed.
#[derive(Debug, Clone)]
pub struct FeedConfig {
    /// The URL exactly as written in feeds.toml: the feed's identity in the database and outputs.
    pub url: String,
    /// The same URL, parsed (always http or https).
    pub parsed_url: Url,
    pub name: String,
    pub homepage: Option<Url>,
    pub face: Option<Url>,
    pub tags: Vec<String>,
    /// Show only a short excerpt of this member's posts, with a link to read them.
    pub excerpt_only: bool,
}

pub const DEFAULT_SCHEDULE: &str = "0 */30 * * * *";
pub const DEFAULT_ITEMS: usize = 60;
pub const DEFAULT_ARCHIVE_PAGES: usize = 10;
pub const DEFAULT_EXCERPT_CHARS: usize = 3000;
/// Posts of a new member shown from its first fetch (Planet Venus calls it the same).
pub const DEFAULT_NEW_FEED_ITEMS: usize = 5;
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
    /// Reads and validates the config file at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: path.to_path_buf(),
            line: None,
            key: None,
            message: format!(
                "cannot read the config file: {e} (pass --config PATH or set MERCURY_CONFIG)"
            ),
        })?;
        Config::from_str_at(&text, path)
    }

    /// Validates config `text` as if it had been read from `path` (paths resolve against its folder).
    pub fn from_str_at(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let locator = Locator::new(text, path)?;
        let raw: schema::RawConfig = toml::from_str(text).map_err(|e| locator.serde_error(&e))?;
        validate::validate(raw, path, &locator)
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
            parsed_url: self.parsed_url.clone(),
            name: self.name.clone(),
            homepage: self.homepage.clone(),
            face: self.face.clone(),
            tags: self.tags.clone(),
            excerpt_only: self.excerpt_only,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[planet]
name = "Test Planet"
link = "https://planet.example.org/"
timezone = "Europe/London"

[[feed]]
url = "https://a.example.org/feed.xml"
name = "A"

[[feed]]
url = "https://b.example.org/feed"
name = "B"
tags = ["x"]
"#;

    fn load(text: &str) -> Result<Config, ConfigError> {
        Config::from_str_at(text, Path::new("/tmp/p/feeds.toml"))
    }

    #[test]
    fn good_config_parses_with_defaults() {
        let c = load(GOOD).unwrap();
        assert_eq!(c.feeds.len(), 2);
        assert_eq!(c.planet.items, DEFAULT_ITEMS);
        assert_eq!(c.planet.database, PathBuf::from("/tmp/p/mercury.db"));
        assert_eq!(c.planet.output_dir, PathBuf::from("/tmp/p/public"));
        assert_eq!(c.planet.timezone, chrono_tz::Europe::London);
        assert_eq!(c.fetch.concurrency, DEFAULT_CONCURRENCY);
        assert_eq!(c.feeds[1].tags, vec!["x".to_string()]);
        assert!(c.fetch.user_agent.contains("https://planet.example.org/"));
    }

    #[test]
    fn feed_url_kept_exactly_as_written() {
        let text = GOOD.replace("https://b.example.org/feed\"", "HTTPS://B.example.org\"");
        let c = load(&text).unwrap();
        assert_eq!(c.feeds[1].url, "HTTPS://B.example.org");
        assert_eq!(c.feeds[1].parsed_url.as_str(), "https://b.example.org/");
    }

    #[test]
    fn errors_name_line_and_key() {
        let cases: &[(&str, &str, usize, &str)] = &[
            (
                "https://b.example.org/feed\"",
                "ftp://b.example.org/feed\"",
                12,
                "feed[2].url",
            ),
            (
                "name = \"B\"",
                "name = \"B\"\ncolour = \"red\"",
                14,
                "feed[2].colour",
            ),
            (
                "timezone = \"Europe/London\"",
                "timezone = \"Mars/Olympus\"",
                5,
                "planet.timezone",
            ),
            (
                "timezone = \"Europe/London\"",
                "schedule = \"every day\"",
                5,
                "planet.schedule",
            ),
            (
                "https://b.example.org/feed\"",
                "https://a.example.org/feed.xml\"",
                12,
                "feed[2].url",
            ),
            ("name = \"A\"", "name = \"\"", 9, "feed[1].name"),
            (
                "timezone = \"Europe/London\"",
                "new_feed_items = -1",
                5,
                "planet.new_feed_items",
            ),
            (
                "tags = [\"x\"]",
                "tags = [\"x\", \" \"]",
                14,
                "feed[2].tags",
            ),
            ("tags = [\"x\"]", "tags = [\"!!!\"]", 14, "feed[2].tags"),
        ];
        for (from, to, line, key) in cases {
            let text = GOOD.replacen(from, to, 1);
            let err = load(&text).expect_err(to);
            assert_eq!(err.line, Some(*line), "{err}");
            assert_eq!(err.key.as_deref(), Some(*key), "{err}");
            assert!(err.to_string().starts_with("/tmp/p/feeds.toml:"), "{err}");
        }
    }

    #[test]
    fn credentials_in_a_feed_url_are_a_warning_that_does_not_show_them() {
        let text = GOOD.replace(
            "https://b.example.org/feed",
            "https://u:s3cret@b.example.org/f",
        );
        let c = load(&text).unwrap();
        assert_eq!(c.warnings.len(), 1);
        let w = &c.warnings[0];
        assert_eq!(
            (w.line, w.key.as_deref()),
            (Some(12), Some("feed[2].url")),
            "{w}"
        );
        assert!(w.message.contains("never published"), "{w}");
        assert!(load(GOOD).unwrap().warnings.is_empty());
        // An error that quotes such a URL does not show the credentials either.
        let twice = text.replace(
            "https://a.example.org/feed.xml",
            "https://u:s3cret@b.example.org/f",
        );
        let err = load(&twice).unwrap_err();
        assert!(err.message.contains("already listed"), "{err}");
        assert!(!err.to_string().contains("s3cret"), "{err}");
    }

    #[test]
    fn max_connections_is_checked() {
        let with = |v: &str| load(&format!("{GOOD}\n[server]\nmax_connections = {v}\n"));
        assert_eq!(with("64").unwrap().server.max_connections, 64);
        let default = load(GOOD).unwrap().server.max_connections;
        assert!((8..=16_384).contains(&default), "{default}");
        for bad in ["0", "-3", "1000000"] {
            let err = with(bad).expect_err(bad);
            assert_eq!(err.key.as_deref(), Some("server.max_connections"), "{err}");
            assert_eq!(err.line, Some(17), "{err}");
            assert!(err.message.contains("between 1 and 100000"), "{err}");
        }
    }

    #[test]
    fn missing_required_key_is_named() {
        let text = GOOD.replace("name = \"A\"\n", "");
        let err = load(&text).unwrap_err();
        assert!(err.message.contains("missing field `name`"), "{err}");
        assert_eq!(err.key.as_deref(), Some("feed[1]"), "{err}");
        assert_eq!(err.line, Some(7), "{err}");
    }

    #[test]
    fn toml_syntax_error_has_a_line() {
        let err = load("[planet]\nname = \"x\nlink = 1\n").unwrap_err();
        assert_eq!(err.line, Some(2), "{err}");
        assert!(err.message.starts_with("not valid TOML"), "{err}");
    }
}
