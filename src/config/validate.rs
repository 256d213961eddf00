//! Validation: the raw serde values become the typed [`Config`], or the first problem becomes a
//! [`ConfigError`] that names the line, the key and what to do. Every check of feeds.toml is
//! here, so "parse, don't validate" holds: nothing downstream re-checks these values.
//!
//! In: [`RawConfig`], the config's path (relative paths resolve against its folder) and the
//! [`Locator`]. Out: [`Config`], with its non-fatal warnings.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use crate::web_url::{WebUrl, WebUrlError};

use super::locate::{KeyPart, Locator};
use super::schema::{RawConfig, RawFeed, RawFetch, RawPlanet, RawServer};
use super::types::{
    default_max_connections, Config, ConfigError, FeedConfig, FetchSettings, Planet,
    ServerSettings, DEFAULT_ARCHIVE_PAGES, DEFAULT_CONCURRENCY, DEFAULT_EXCERPT_CHARS,
    DEFAULT_ITEMS, DEFAULT_MAX_BYTES, DEFAULT_NEW_FEED_ITEMS, DEFAULT_PER_HOST, DEFAULT_SCHEDULE,
    DEFAULT_TIMEOUT_SECS, MAX_CONNECTIONS_CEILING,
};

/// The most `concurrency` and `per_host` may be.
const MAX_CONCURRENCY: i64 = 1024;
/// The most `timeout_secs` may be: an hour.
const MAX_TIMEOUT_SECS: i64 = 3600;

/// The whole config, section by section in the file's order; the first problem found is the
/// one reported.
pub(super) fn validate(raw: RawConfig, path: &Path, loc: &Locator) -> Result<Config, ConfigError> {
    let abs_path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let base_dir = abs_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let planet = planet(raw.planet, &base_dir, path, loc)?;
    let fetch = fetch(raw.fetch, &planet.link, loc)?;
    let server = server(raw.server, loc)?;
    let (feeds, warnings) = feeds(raw.feeds, path, loc)?;
    Ok(Config {
        path: abs_path,
        planet,
        fetch,
        server,
        feeds,
        warnings,
    })
}

/// `[planet]`. Relative paths resolve against `base_dir`, the config file's folder.
fn planet(
    mut p: RawPlanet,
    base_dir: &Path,
    file: &Path,
    loc: &Locator,
) -> Result<Planet, ConfigError> {
    planet_text(&p, loc)?;
    let filters = super::filters::rules(
        p.categories.take(),
        p.require.take(),
        p.ignore.take(),
        &[KeyPart::Key("planet")],
        file,
        loc,
    )?;
    let link = web_url(&p.link, loc, &["planet", "link"])?;
    let schedule = schedule(p.schedule.as_deref(), loc)?;
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
    let max_per_feed = zero_or_more(p.max_per_feed, 0, "no cap", loc, "max_per_feed")?;
    let new_feed_items = zero_or_more(
        p.new_feed_items,
        DEFAULT_NEW_FEED_ITEMS,
        "show all",
        loc,
        "new_feed_items",
    )?;
    let timezone = timezone(p.timezone.as_deref(), loc)?;
    let resolve = |p: Option<&str>, default: &str| -> PathBuf {
        let p = PathBuf::from(p.unwrap_or(default));
        if p.is_absolute() {
            p
        } else {
            base_dir.join(p)
        }
    };
    let database = resolve(p.database.as_deref(), "mercury.db");
    let output_dir = resolve(p.output_dir.as_deref(), "public");
    check_output_dir(&output_dir, base_dir, &database, loc)?;
    let excerpt_chars = zero_or_more(
        p.excerpt_chars,
        DEFAULT_EXCERPT_CHARS,
        "never fold",
        loc,
        "excerpt_chars",
    )?;
    Ok(Planet {
        theme_dir: resolve(p.theme.as_deref(), "templates"),
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
        excerpt_chars,
        timezone,
        filters,
        collapse_duplicates: p.collapse_duplicates.unwrap_or(true),
    })
}

/// The planet's name and the texts shown beside it: present, and safe to put in XML.
fn planet_text(p: &RawPlanet, loc: &Locator) -> Result<(), ConfigError> {
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
    Ok(())
}

/// `[planet] schedule`, a six-field cron expression (seconds first).
fn schedule(src: Option<&str>, loc: &Locator) -> Result<cron::Schedule, ConfigError> {
    let src = src.unwrap_or(DEFAULT_SCHEDULE);
    cron::Schedule::from_str(src).map_err(|e| {
        loc.error(
            &["planet", "schedule"],
            format!(
                "{src:?} is not a valid cron expression ({e}); use six fields with \
                 seconds first, e.g. \"0 */30 * * * *\" for every 30 minutes"
            ),
        )
    })
}

/// `[planet] timezone`, an IANA name; UTC when unset.
fn timezone(tz: Option<&str>, loc: &Locator) -> Result<chrono_tz::Tz, ConfigError> {
    let Some(tz) = tz else {
        return Ok(chrono_tz::UTC);
    };
    tz.parse::<chrono_tz::Tz>().map_err(|_| {
        loc.error(
            &["planet", "timezone"],
            format!(
                "{tz:?} is not a known time zone; use an IANA name such as \
                 \"Europe/London\" or \"UTC\""
            ),
        )
    })
}

/// `[fetch]`. The default user agent names the planet's link, so a feed's owner can see who
/// fetches it.
fn fetch(f: RawFetch, link: &WebUrl, loc: &Locator) -> Result<FetchSettings, ConfigError> {
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
            "Mercury/{} (planet aggregator; +{link})",
            env!("CARGO_PKG_VERSION"),
        )
    });
    Ok(FetchSettings {
        concurrency,
        per_host,
        timeout: Duration::from_secs(timeout_secs),
        max_bytes,
        user_agent,
    })
}

/// `[server]`.
fn server(s: RawServer, loc: &Locator) -> Result<ServerSettings, ConfigError> {
    let listen_src = s.listen.unwrap_or_else(|| "127.0.0.1:8080".to_string());
    let listen = listen_src.parse::<SocketAddr>().map_err(|_| {
        loc.error(
            &["server", "listen"],
            format!("{listen_src:?} is not an address and port; write it like \"127.0.0.1:8080\""),
        )
    })?;
    let stale_after = at_most(s.stale_after, 3, 10_000, loc, &["server", "stale_after"])?;
    let max_connections = match s.max_connections {
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
    Ok(ServerSettings {
        listen,
        stale_after: stale_after as u32,
        max_connections,
    })
}

/// The `[[feed]]` list, in order: each feed, no URL twice; credentials in a URL are a warning.
fn feeds(
    raw: Vec<RawFeed>,
    file: &Path,
    loc: &Locator,
) -> Result<(Vec<FeedConfig>, Vec<ConfigError>), ConfigError> {
    let mut feeds = Vec::with_capacity(raw.len());
    let mut warnings = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, rf) in raw.into_iter().enumerate() {
        let url_key = feed_key(i, "url");
        let parsed_url = web_url_at(&rf.url, loc, &url_key)?;
        if let Some(first) = seen.insert(parsed_url.as_str().to_string(), i) {
            return Err(loc.error_at(
                &url_key,
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
                    &url_key,
                    "has a user name and password: they are sent to fetch this feed and never \
                 published (pages, feeds, OPML, status and logs show the URL without them)"
                        .into(),
                ),
            );
        }
        feeds.push(feed(rf, parsed_url, i, file, loc)?);
    }
    Ok((feeds, warnings))
}

/// The key path of `key` in the `i`th (0-based) `[[feed]]`.
fn feed_key(i: usize, key: &str) -> [KeyPart<'_>; 3] {
    [KeyPart::Key("feed"), KeyPart::Index(i), KeyPart::Key(key)]
}

/// One `[[feed]]`, the `i`th (0-based), whose url is already checked.
fn feed(
    mut rf: RawFeed,
    parsed_url: WebUrl,
    i: usize,
    file: &Path,
    loc: &Locator,
) -> Result<FeedConfig, ConfigError> {
    let key = |k| feed_key(i, k);
    let filters = super::filters::rules(
        rf.categories.take(),
        rf.require.take(),
        rf.ignore.take(),
        &[KeyPart::Key("feed"), KeyPart::Index(i)],
        file,
        loc,
    )?;
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
        .map(|h| web_url_at(h, loc, &key("homepage")))
        .transpose()?;
    let face = rf
        .face
        .as_deref()
        .map(|h| web_url_at(h, loc, &key("face")))
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
    Ok(FeedConfig {
        url: rf.url,
        parsed_url,
        name: rf.name,
        homepage,
        face,
        tags: rf.tags,
        excerpt_only: rf.excerpt_only,
        filters,
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

/// A whole number from 0, where 0 means `zero_means` (`[planet] <key>`).
fn zero_or_more(
    v: Option<i64>,
    default: usize,
    zero_means: &str,
    loc: &Locator,
    key: &str,
) -> Result<usize, ConfigError> {
    match v {
        None => Ok(default),
        Some(n) if n >= 0 => Ok(n as usize),
        Some(n) => Err(loc.error(
            &["planet", key],
            format!("{n} must be 0 ({zero_means}) or more"),
        )),
    }
}

fn web_url(s: &str, loc: &Locator, key: &[&str]) -> Result<WebUrl, ConfigError> {
    let parts: Vec<KeyPart> = key.iter().map(|k| KeyPart::Key(k)).collect();
    web_url_at(s, loc, &parts)
}

/// `s` as a [`WebUrl`], or an error that says which rule it breaks.
fn web_url_at(s: &str, loc: &Locator, key: &[KeyPart]) -> Result<WebUrl, ConfigError> {
    // Errors quote the value without credentials: `serve` shows them on status.html.
    let shown = crate::model::public_url(s);
    WebUrl::parse(s.trim()).map_err(|e| match e {
        WebUrlError::NotWeb { scheme } => loc.error_at(
            key,
            format!(
                "{shown:?} is not an http(s) URL (scheme {scheme:?}); only http:// and https:// are fetched"
            ),
        ),
        WebUrlError::Invalid(e) => loc.error_at(
            key,
            format!("{shown:?} is not a valid URL ({e}); write a full address like \"https://example.org/feed.xml\""),
        ),
    })
}
