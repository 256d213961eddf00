//! The `feeds.toml` schema: parsed once, validated once, into a [`Config`] of typed values.
//!
//! In: a path. Out: [`Config`] (URLs parsed, cron schedule compiled, paths resolved against the
//! config file's folder) or a [`ConfigError`] that names the file, the line, the key and what to do.
//! Nothing downstream re-checks these values ("parse, don't validate").
//!
//! The folder reads in the order a config travels:
//!
//! - `schema`: the raw serde structs, `deny_unknown_fields` (what keys the file may hold);
//! - `locate`: key path ↔ line in the file, so every error is located;
//! - `validate`: raw values → typed values, one function per section;
//! - `types`: the validated [`Config`] and its sections, the defaults, [`ConfigError`];
//! - [`filters`]: the topic filters' keys, regexes compiled and bounded;
//! - [`moderation`]: `moderation.toml` beside feeds.toml, read and written;
//! - [`edit`]: in-place edits of the file for `add`, `import-opml` and `fix-redirects`.
//!
//! This file only ties them together ([`Config::load`], [`Config::from_str_at`]); the children
//! import `types` and each other, never this file, so no import goes in a circle.

use std::path::Path;

pub mod edit;
pub mod filters;
mod locate;
pub mod moderation;
mod schema;
mod types;
mod validate;

use locate::Locator;
pub use types::{
    default_max_connections, Config, ConfigError, Face, FeedConfig, FetchSettings, FilterKind,
    FilterRule, Planet, ServerSettings, DEFAULT_ARCHIVE_PAGES, DEFAULT_CONCURRENCY,
    DEFAULT_EXCERPT_CHARS, DEFAULT_ITEMS, DEFAULT_MAX_BYTES, DEFAULT_NEW_FEED_ITEMS,
    DEFAULT_PER_HOST, DEFAULT_SCHEDULE, DEFAULT_TIMEOUT_SECS, MAX_CONNECTIONS_CEILING,
};

impl Config {
    /// Reads and validates the config file at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: path.to_path_buf(),
            line: None,
            key: None,
            message: if e.kind() == std::io::ErrorKind::NotFound {
                format!(
                    "cannot read the config file: {e}; to start a planet here, run `mercury \
                     init` (it writes a starter feeds.toml), or pass --config PATH or set \
                     MERCURY_CONFIG"
                )
            } else {
                format!(
                    "cannot read the config file: {e} (pass --config PATH or set MERCURY_CONFIG)"
                )
            },
        })?;
        Config::from_str_at(&text, path)
    }

    /// Validates config `text` as if it had been read from `path` (paths resolve against its folder).
    pub fn from_str_at(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let locator = Locator::new(text, path)?;
        let raw: schema::RawConfig = toml::from_str(text).map_err(|e| locator.serde_error(&e))?;
        validate::validate(raw, path, &locator)
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

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
        assert_eq!(c.planet.digest, Some(crate::model::Cadence::Weekly));
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
            (
                "timezone = \"Europe/London\"",
                "digest = \"fortnightly\"",
                5,
                "planet.digest",
            ),
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
