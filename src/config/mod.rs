//! The `feeds.toml` schema: parsed once, validated once, into a [`Config`] of typed values.
//!
//! In: a path. Out: [`Config`] (URLs parsed, cron schedule compiled, paths resolved against the
//! config file's folder) or a [`ConfigError`] that names the file, the line, the key and what to do.
//! Nothing downstream re-checks these values ("parse, don't validate").

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use url::Url;

mod locate;
mod schema;

use locate::{KeyPart, Locator};
use schema::RawConfig;

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
/// The most `concurrency` and `per_host` may be.
const MAX_CONCURRENCY: i64 = 1024;
/// The most `timeout_secs` may be: an hour.
const MAX_TIMEOUT_SECS: i64 = 3600;
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
        let raw: RawConfig = toml::from_str(text).map_err(|e| locator.serde_error(&e))?;
        validate(raw, path, &locator)
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

fn validate(raw: RawConfig, path: &Path, loc: &Locator) -> Result<Config, ConfigError> {
    let abs_path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let base_dir = abs_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let resolve = |p: &str| -> PathBuf {
        let p = PathBuf::from(p);
        if p.is_absolute() {
            p
        } else {
            base_dir.join(p)
        }
    };

    let p = raw.planet;
    non_empty(&p.name, loc, &["planet", "name"])?;
    for (value, key) in [
        (Some(&p.name), "name"),
        (p.description.as_ref(), "description"),
        (p.owner_name.as_ref(), "owner_name"),
        (p.owner_email.as_ref(), "owner_email"),
    ] {
        if let Some(value) = value {
            xml_safe(value, loc, &[KeyPart::Key("planet"), KeyPart::Key(key)])?;
        }
    }
    let link = http_url(&p.link, loc, &["planet", "link"])?;
    let schedule_src = p.schedule.unwrap_or_else(|| DEFAULT_SCHEDULE.to_string());
    let schedule = cron::Schedule::from_str(&schedule_src).map_err(|e| {
        loc.error(
            &["planet", "schedule"],
            format!(
                "{schedule_src:?} is not a valid cron expression ({e}); use six fields with \
                 seconds first, e.g. \"0 */30 * * * *\" for every 30 minutes"
            ),
        )
    })?;
    let items = positive(p.items, DEFAULT_ITEMS as i64, loc, &["planet", "items"])? as usize;
    let archive_pages = match p.archive_pages {
        None => DEFAULT_ARCHIVE_PAGES,
        Some(n) if (0..=1000).contains(&n) => n as usize,
        Some(n) => {
            return Err(loc.error(
                &["planet", "archive_pages"],
                format!("{n} must be between 0 and 1000"),
            ))
        }
    };
    let max_per_feed = match p.max_per_feed {
        None => 0,
        Some(n) if n >= 0 => n as usize,
        Some(n) => {
            return Err(loc.error(
                &["planet", "max_per_feed"],
                format!("{n} must be 0 (no cap) or more"),
            ))
        }
    };
    let new_feed_items = match p.new_feed_items {
        None => DEFAULT_NEW_FEED_ITEMS,
        Some(n) if n >= 0 => n as usize,
        Some(n) => {
            return Err(loc.error(
                &["planet", "new_feed_items"],
                format!("{n} must be 0 (show all) or more"),
            ))
        }
    };
    let timezone = match p.timezone {
        None => chrono_tz::UTC,
        Some(tz) => tz.parse::<chrono_tz::Tz>().map_err(|_| {
            loc.error(
                &["planet", "timezone"],
                format!("{tz:?} is not a known time zone; use an IANA name such as \"Europe/London\" or \"UTC\""),
            )
        })?,
    };
    let database = resolve(p.database.as_deref().unwrap_or("mercury.db"));
    let output_dir = resolve(p.output_dir.as_deref().unwrap_or("public"));
    check_output_dir(&output_dir, &base_dir, &database, loc)?;
    let planet = Planet {
        name: p.name,
        link,
        description: p.description,
        owner_name: p.owner_name,
        owner_email: p.owner_email,
        database,
        output_dir,
        schedule,
        items,
        archive_pages,
        max_per_feed,
        new_feed_items,
        noindex: p.noindex.unwrap_or(false),
        excerpt_chars: match p.excerpt_chars {
            None => DEFAULT_EXCERPT_CHARS,
            Some(n) if n >= 0 => n as usize,
            Some(n) => {
                return Err(loc.error(
                    &["planet", "excerpt_chars"],
                    format!("{n} must be 0 (never fold) or more"),
                ))
            }
        },
        timezone,
        theme_dir: resolve(p.theme.as_deref().unwrap_or("templates")),
    };

    let f = raw.fetch;
    // Upper bounds: a count of tasks or seconds past these is a typo, and some would overflow
    // further on (a semaphore of 2^61 permits panics).
    let concurrency = at_most(
        f.concurrency,
        DEFAULT_CONCURRENCY as i64,
        MAX_CONCURRENCY,
        loc,
        &["fetch", "concurrency"],
    )? as usize;
    let per_host = at_most(
        f.per_host,
        DEFAULT_PER_HOST as i64,
        MAX_CONCURRENCY,
        loc,
        &["fetch", "per_host"],
    )? as usize;
    let timeout_secs = at_most(
        f.timeout_secs,
        DEFAULT_TIMEOUT_SECS as i64,
        MAX_TIMEOUT_SECS,
        loc,
        &["fetch", "timeout_secs"],
    )? as u64;
    let max_bytes = positive(
        f.max_bytes,
        DEFAULT_MAX_BYTES as i64,
        loc,
        &["fetch", "max_bytes"],
    )? as u64;
    let user_agent = f.user_agent.unwrap_or_else(|| {
        format!(
            "Mercury/{} (planet aggregator; +{})",
            env!("CARGO_PKG_VERSION"),
            planet.link
        )
    });
    let fetch = FetchSettings {
        concurrency,
        per_host,
        timeout: Duration::from_secs(timeout_secs),
        max_bytes,
        user_agent,
    };

    let listen_src = raw
        .server
        .listen
        .clone()
        .unwrap_or_else(|| "127.0.0.1:8080".to_string());
    let listen = listen_src.parse::<SocketAddr>().map_err(|_| {
        loc.error(
            &["server", "listen"],
            format!("{listen_src:?} is not an address and port; write it like \"127.0.0.1:8080\""),
        )
    })?;

    let stale_after = at_most(
        raw.server.stale_after,
        3,
        10_000,
        loc,
        &["server", "stale_after"],
    )?;
    let max_connections = match raw.server.max_connections {
        None => default_max_connections(),
        Some(n) if (1..=MAX_CONNECTIONS_CEILING as i64).contains(&n) => n as usize,
        Some(n) => {
            return Err(loc.error(
                &["server", "max_connections"],
                format!(
                    "{n} must be between 1 and {MAX_CONNECTIONS_CEILING}; leave it out for a \
                     quarter of the open-file limit ({} here)",
                    default_max_connections()
                ),
            ))
        }
    };

    let mut feeds = Vec::with_capacity(raw.feeds.len());
    let mut warnings = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, rf) in raw.feeds.into_iter().enumerate() {
        let key = |k: &'static str| [KeyPart::Key("feed"), KeyPart::Index(i), KeyPart::Key(k)];
        let parsed_url = http_url_at(&rf.url, loc, &key("url"))?;
        if let Some(first) = seen.insert(parsed_url.as_str().to_string(), i) {
            return Err(loc.error_at(
                &key("url"),
                format!(
                    "{:?} is already listed as feed[{}]; remove one of the two entries",
                    crate::model::public_url(&rf.url),
                    first + 1
                ),
            ));
        }
        if crate::model::has_credentials(&parsed_url) {
            warnings.push(
                loc.error_at(
                    &key("url"),
                    "has a user name and password: they are sent to fetch this feed and never \
                 published (pages, feeds, OPML, status and logs show the URL without them)"
                        .into(),
                ),
            );
        }
        if rf.name.trim().is_empty() {
            return Err(loc.error_at(
                &key("name"),
                "is empty; give the member's name as it should be shown".into(),
            ));
        }
        xml_safe(&rf.name, loc, &key("name"))?;
        for tag in &rf.tags {
            xml_safe(tag, loc, &key("tags"))?;
        }
        let homepage = rf
            .homepage
            .as_deref()
            .map(|h| http_url_at(h, loc, &key("homepage")))
            .transpose()?;
        let face = rf
            .face
            .as_deref()
            .map(|h| http_url_at(h, loc, &key("face")))
            .transpose()?;
        // A tag names a sub-planet and its link text: it needs a letter or a digit.
        if let Some(tag) = rf
            .tags
            .iter()
            .find(|t| !t.chars().any(char::is_alphanumeric))
        {
            return Err(loc.error_at(
                &key("tags"),
                format!("{tag:?} is not a tag; a tag needs at least one letter or digit"),
            ));
        }
        feeds.push(FeedConfig {
            url: rf.url,
            parsed_url,
            name: rf.name,
            homepage,
            face,
            tags: rf.tags,
            excerpt_only: rf.excerpt_only,
        });
    }

    Ok(Config {
        path: abs_path,
        planet,
        fetch,
        server: ServerSettings {
            listen,
            stale_after: stale_after as u32,
            max_connections,
        },
        feeds,
        warnings,
    })
}

fn non_empty(value: &str, loc: &Locator, key: &[&str]) -> Result<(), ConfigError> {
    if value.trim().is_empty() {
        return Err(loc.error(key, "must not be empty".into()));
    }
    Ok(())
}

/// Text that goes into the page, the merged feeds and OPML as it is: no control characters
/// (XML 1.0 forbids most; C1 and DEL are as unwelcome) and no bidi embeddings or overrides,
/// which would reorder the page's own text around a member's name.
fn xml_safe(value: &str, loc: &Locator, key: &[KeyPart]) -> Result<(), ConfigError> {
    match value.chars().find(|&c| !crate::model::is_safe_text_char(c)) {
        None => Ok(()),
        Some(c) => Err(loc.error_at(
            key,
            format!(
                "{value:?} holds the control character U+{:04X}; remove it (names, tags and \
                 descriptions are shown as text in the page, the feeds and OPML)",
                c as u32
            ),
        )),
    }
}

/// `output_dir` is served as it is and rewritten on every render: it must not hold the
/// config, the database or the whole file system.
fn check_output_dir(
    output_dir: &Path,
    config_dir: &Path,
    database: &Path,
    loc: &Locator,
) -> Result<(), ConfigError> {
    let out = normalise_path(output_dir);
    let problem = if out.parent().is_none() {
        Some("is the root of the file system".to_string())
    } else if normalise_path(config_dir).starts_with(&out) {
        Some(format!(
            "holds the config's folder ({})",
            config_dir.display()
        ))
    } else if normalise_path(database).starts_with(&out) {
        Some(format!("holds the database ({})", database.display()))
    } else {
        None
    };
    match problem {
        None => Ok(()),
        Some(problem) => Err(loc.error(
            &["planet", "output_dir"],
            format!(
                "{} {problem}: everything in it is served and rewritten; use a folder of its \
                 own, such as \"public\"",
                output_dir.display()
            ),
        )),
    }
}

/// `path` absolute with `.` and `..` resolved, and through symbolic links where it exists (a
/// link named `public` pointing at the config's folder is that folder).
fn normalise_path(path: &Path) -> PathBuf {
    if let Ok(real) = std::fs::canonicalize(path) {
        return real;
    }
    let mut out = PathBuf::new();
    for part in std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .components()
    {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    // The nearest folder that exists, through its links, then the rest as written.
    let mut existing = out.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (
            existing.file_name().map(|n| n.to_os_string()),
            existing.parent(),
        ) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                existing = parent.to_path_buf();
            }
            _ => return out,
        }
    }
    let mut real = std::fs::canonicalize(&existing).unwrap_or(existing);
    real.extend(rest.iter().rev());
    real
}

/// A whole number from 1 to `max`.
fn at_most(
    v: Option<i64>,
    default: i64,
    max: i64,
    loc: &Locator,
    key: &[&str],
) -> Result<i64, ConfigError> {
    match positive(v, default, loc, key)? {
        n if n > max => Err(loc.error(key, format!("{n} is more than the most allowed, {max}"))),
        n => Ok(n),
    }
}

fn positive(v: Option<i64>, default: i64, loc: &Locator, key: &[&str]) -> Result<i64, ConfigError> {
    match v {
        None => Ok(default),
        Some(n) if n > 0 => Ok(n),
        Some(n) => Err(loc.error(key, format!("{n} must be a whole number above 0"))),
    }
}

fn http_url(s: &str, loc: &Locator, key: &[&str]) -> Result<Url, ConfigError> {
    let parts: Vec<KeyPart> = key.iter().map(|k| KeyPart::Key(k)).collect();
    http_url_at(s, loc, &parts)
}

fn http_url_at(s: &str, loc: &Locator, key: &[KeyPart]) -> Result<Url, ConfigError> {
    // Errors quote the value without credentials: `serve` shows them on status.html.
    let shown = crate::model::public_url(s);
    match Url::parse(s.trim()) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(u),
        Ok(u) => Err(loc.error_at(
            key,
            format!(
                "{shown:?} is not an http(s) URL (scheme {:?}); only http:// and https:// are fetched",
                u.scheme()
            ),
        )),
        Err(e) => Err(loc.error_at(
            key,
            format!("{shown:?} is not a valid URL ({e}); write a full address like \"https://example.org/feed.xml\""),
        )),
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
