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

use crate::model::{Cadence, Retention};
use crate::web_url::{WebUrl, WebUrlError};

use super::locate::{KeyPart, Locator};
use super::schema::{RawConfig, RawFeed, RawFetch, RawPlanet, RawServer};
use super::types::{
    default_max_connections, Config, ConfigError, Face, FeedConfig, FetchSettings, Planet,
    ServerSettings, DEFAULT_ARCHIVE_PAGES, DEFAULT_CONCURRENCY, DEFAULT_EXCERPT_CHARS,
    DEFAULT_FORGET_AFTER_DAYS, DEFAULT_ITEMS, DEFAULT_KEEP_PER_FEED, DEFAULT_MAX_BYTES,
    DEFAULT_NEW_FEED_ITEMS, DEFAULT_PER_HOST, DEFAULT_SCHEDULE, DEFAULT_SUBSCRIBED_POLL_HOURS,
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
    let (feeds, mut warnings) = feeds(raw.feeds, path, &planet.theme_dir, loc)?;
    if crate::lang::built_in(&planet.lang).is_none() {
        warnings.insert(
            0,
            loc.error(
                &["planet", "lang"],
                format!(
                    "Mercury has no built-in interface strings for {:?} (it has {}); the pages \
                     use English ones, with day and month names in {:?} where known. Translate \
                     them in {}",
                    planet.lang,
                    crate::lang::BUILT_IN.join(", "),
                    planet.lang,
                    planet.theme_dir.join("strings.toml").display()
                ),
            ),
        );
    }
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
    let retention = Retention {
        keep_days: zero_or_more(p.keep_days, 0, "keep everything", loc, "keep_days")? as u32,
        keep_per_feed: zero_or_more(
            p.keep_per_feed,
            DEFAULT_KEEP_PER_FEED,
            "no minimum",
            loc,
            "keep_per_feed",
        )?,
        forget_after_days: zero_or_more(
            p.forget_after_days,
            DEFAULT_FORGET_AFTER_DAYS,
            "never forget",
            loc,
            "forget_after_days",
        )? as u32,
    };
    let timezone = timezone(p.timezone.as_deref(), loc)?;
    let digest = digest(p.digest.as_deref(), loc)?;
    let hub = p
        .hub
        .as_deref()
        .map(|h| web_url(h, loc, &["planet", "hub"]))
        .transpose()?;
    let lang = lang(p.lang.as_deref(), loc)?;
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
        retention,
        follow_deletions: p.follow_deletions.unwrap_or(true),
        excerpt_chars,
        timezone,
        digest,
        hub,
        lang,
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
        let fields = src.split_whitespace().count();
        let message = if fields == 5 {
            // The classic crontab form: say so in one line, with the fix.
            format!(
                "{src:?} has five fields, as in crontab; Mercury's schedule has six, seconds \
                 first: \"0 {}\" runs at second 0 of the same times",
                src.split_whitespace().collect::<Vec<_>>().join(" ")
            )
        } else {
            // The parser's own message may be a multi-line picture of the input: first line only.
            let why = e.to_string();
            let why = why.lines().next().unwrap_or_default().trim();
            let why = if why.is_empty() || why == src.trim() {
                String::new()
            } else {
                format!(" ({why})")
            };
            format!(
                "{src:?} is not a valid cron expression{why}; use six fields with seconds \
                 first, e.g. \"0 */30 * * * *\" for every 30 minutes"
            )
        };
        loc.error(&["planet", "schedule"], message)
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

/// `[planet] digest`: `"weekly"` (the default), `"daily"`, `"monthly"` or `"off"`.
fn digest(value: Option<&str>, loc: &Locator) -> Result<Option<Cadence>, ConfigError> {
    match value.unwrap_or("weekly") {
        "weekly" => Ok(Some(Cadence::Weekly)),
        "daily" => Ok(Some(Cadence::Daily)),
        "monthly" => Ok(Some(Cadence::Monthly)),
        "off" => Ok(None),
        other => Err(loc.error(
            &["planet", "digest"],
            format!(
                "{other:?} is not a digest period; use \"weekly\", \"daily\", \"monthly\" \
                 or \"off\""
            ),
        )),
    }
}

/// `[planet] lang`, a BCP 47 tag; `en` when unset.
fn lang(tag: Option<&str>, loc: &Locator) -> Result<String, ConfigError> {
    let Some(tag) = tag else {
        return Ok("en".to_string());
    };
    crate::lang::canonical(tag).ok_or_else(|| {
        loc.error(
            &["planet", "lang"],
            format!(
                "{tag:?} is not a language tag; use a BCP 47 tag such as \"en\", \"fr\", \
                 \"de-AT\" or \"pt-BR\""
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
    let public_url = s
        .public_url
        .as_deref()
        .map(|u| web_url(u, loc, &["server", "public_url"]))
        .transpose()?;
    let subscribed_poll_hours = match s.subscribed_poll_hours {
        None => DEFAULT_SUBSCRIBED_POLL_HOURS,
        Some(n) if (0..=24 * 30).contains(&n) => n,
        Some(n) => {
            return Err(loc.error(
                &["server", "subscribed_poll_hours"],
                format!(
                    "{n} must be between 0 (poll on the schedule) and 720 (30 days); a feed \
                     whose hub pushes is still polled this often in case the hub misses a post"
                ),
            ))
        }
    };
    Ok(ServerSettings {
        listen,
        stale_after: stale_after as u32,
        max_connections,
        public_url,
        subscribed_poll: chrono::Duration::hours(subscribed_poll_hours),
        search: s.search.unwrap_or(true),
    })
}

/// The `[[feed]]` list, in order: each feed, no URL twice; credentials in a URL are a warning.
fn feeds(
    raw: Vec<RawFeed>,
    file: &Path,
    theme_dir: &Path,
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
        feeds.push(feed(rf, parsed_url, i, file, theme_dir, loc)?);
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
    theme_dir: &Path,
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
        .map(|f| face(f, theme_dir, loc, &key("face")))
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

/// A `face`: an http(s) URL, or a relative path to a file of the theme folder (`faces/bob.png`).
/// Anything with a scheme is a URL (so `javascript:` and `file:` get the URL error).
fn face(s: &str, theme_dir: &Path, loc: &Locator, key: &[KeyPart]) -> Result<Face, ConfigError> {
    let s = s.trim();
    let scheme = s.find(':').is_some_and(|c| !s[..c].contains('/'));
    if scheme {
        return web_url_at(s, loc, key).map(Face::Web);
    }
    let parts: Vec<&str> = s.split('/').collect();
    let plain = parts
        .iter()
        .all(|p| !p.is_empty() && !p.starts_with('.') && !p.contains(['\\', '\0', '?', '#', '%']));
    if !plain {
        return Err(loc.error_at(
            key,
            format!(
                "{s:?} is neither an http(s) URL nor a plain path inside the theme folder; \
                 write a path such as \"faces/bob.png\" (no leading \"/\", no \"..\")"
            ),
        ));
    }
    let file = theme_dir.join(s);
    if !file.is_file() {
        return Err(loc.error_at(
            key,
            format!(
                "{s:?} is not a file in the theme folder ({}); put the picture there \
                 or give an http(s) URL",
                file.display()
            ),
        ));
    }
    Ok(Face::Theme(s.to_string()))
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
    if let Some((at, c)) = WebUrl::unwritable_char(s.trim()) {
        let what = match c {
            ' ' => "a space".to_string(),
            c if c.is_whitespace() || c.is_control() => format!("the character U+{:04X}", c as u32),
            c => format!("the character {c:?}"),
        };
        return Err(loc.error_at(
            key,
            format!(
                "{shown:?} holds {what} (character {}), which URLs may not hold; copy the \
                 address again from the browser, or write it percent-encoded (a space is %20)",
                at + 1
            ),
        ));
    }
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
