//! `moderation.toml`, beside feeds.toml: the posts a moderator hid (`mercury hide`), each named
//! by its member's feed URL, its key in that feed and its link, so the file reads well in a
//! review and survives a rebuilt database.
//!
//! In: the config (for the file's place) and, for edits, a [`Decision`]. Out: [`Moderation`],
//! or a located [`ConfigError`] (file, line, key) like feeds.toml's; edits are validated as a
//! whole file, written atomically, and keep the previous version as `moderation.toml.bak`.

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;
use toml_edit::{value, DocumentMut, Item, Table};

use super::locate::{KeyPart, Locator};
use super::types::{Config, ConfigError};

/// The file's name, in the config's folder.
pub const FILE_NAME: &str = "moderation.toml";

/// What a new file starts with.
const HEADER: &str = "\
# Posts hidden by a moderator. `mercury hide POST --reason TEXT` adds one,
# `mercury unhide POST` removes it; hand edits are fine (`mercury check` validates them).
# Each names the member's feed URL, the post's key in that feed and its link.
";

/// Every moderator's decision in force, in the file's order.
#[derive(Debug, Clone, Default)]
pub struct Moderation {
    pub path: PathBuf,
    pub decisions: Vec<Decision>,
}

/// One hidden post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The member's feed URL as shown (without credentials).
    pub feed: String,
    /// The post's key within its feed (its id, else its link).
    pub key: String,
    pub link: Option<String>,
    pub reason: Option<String>,
    pub when: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    hide: Vec<RawDecision>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDecision {
    feed: String,
    key: String,
    link: Option<String>,
    reason: Option<String>,
    when: Option<String>,
}

impl Moderation {
    /// Where `config`'s moderation file is.
    pub fn path_for(config: &Config) -> PathBuf {
        config
            .path
            .parent()
            .unwrap_or(Path::new("."))
            .join(FILE_NAME)
    }

    /// Reads `config`'s moderation file; no file means no decisions.
    pub fn load(config: &Config) -> Result<Moderation, ConfigError> {
        Moderation::load_from(&Moderation::path_for(config))
    }

    pub fn load_from(path: &Path) -> Result<Moderation, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Moderation::parse(&text, path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Moderation {
                path: path.to_path_buf(),
                decisions: Vec::new(),
            }),
            Err(e) => Err(ConfigError {
                file: path.to_path_buf(),
                line: None,
                key: None,
                message: format!("cannot read the moderation file: {e}"),
            }),
        }
    }

    /// Validates moderation `text` as if read from `path`.
    pub fn parse(text: &str, path: &Path) -> Result<Moderation, ConfigError> {
        let loc = Locator::new(text, path)?;
        let raw: RawFile = toml::from_str(text).map_err(|e| loc.serde_error(&e))?;
        let mut decisions = Vec::with_capacity(raw.hide.len());
        for (i, d) in raw.hide.into_iter().enumerate() {
            let key = |k| [KeyPart::Key("hide"), KeyPart::Index(i), KeyPart::Key(k)];
            if crate::web_url::WebUrl::parse(d.feed.trim()).is_err() {
                return Err(loc.error_at(
                    &key("feed"),
                    format!("{:?} is not an http(s) feed URL; write the member's feed URL as in feeds.toml", d.feed),
                ));
            }
            if d.key.trim().is_empty() {
                return Err(loc.error_at(
                    &key("key"),
                    "is empty; give the post's key (`mercury why POST` prints it)".into(),
                ));
            }
            let when = match d.when.as_deref() {
                None => None,
                Some(w) => Some(
                    DateTime::parse_from_rfc3339(w.trim())
                        .map_err(|e| {
                            loc.error_at(
                                &key("when"),
                                format!("{w:?} is not a date and time ({e}); write it like \"2026-03-01T12:00:00Z\""),
                            )
                        })?
                        .with_timezone(&Utc),
                ),
            };
            decisions.push(Decision {
                feed: d.feed,
                key: d.key,
                link: d.link,
                reason: d.reason.filter(|r| !r.trim().is_empty()),
                when,
            });
        }
        Ok(Moderation {
            path: path.to_path_buf(),
            decisions,
        })
    }

    /// The decision about the post `key` of the feed shown as `feed`, if any.
    pub fn decision(&self, feed: &str, key: &str) -> Option<&Decision> {
        self.decisions
            .iter()
            .find(|d| d.key == key && d.feed == feed)
    }
}

/// Appends `decision` to the moderation file at `path` (created when missing); false when the
/// post was already hidden (the file is left as it is).
pub fn add(path: &Path, decision: &Decision) -> anyhow::Result<bool> {
    let mut added = false;
    edit(path, |doc, current| {
        if current.decision(&decision.feed, &decision.key).is_some() {
            return Ok(());
        }
        // Comments at the end of the file (a new file's header) stay above what is appended.
        let trailing = doc.trailing().as_str().unwrap_or("").to_string();
        doc.set_trailing("");
        let list = doc
            .entry("hide")
            .or_insert(Item::ArrayOfTables(Default::default()));
        let Some(list) = list.as_array_of_tables_mut() else {
            anyhow::bail!(
                "`hide` in {} is not a list of [[hide]] tables",
                path.display()
            );
        };
        let mut t = Table::new();
        if trailing.trim().is_empty() {
            t.decor_mut().set_prefix("\n");
        } else {
            t.decor_mut()
                .set_prefix(format!("{}\n\n", trailing.trim_end()));
        }
        t.insert("feed", value(decision.feed.as_str()));
        t.insert("key", value(decision.key.as_str()));
        if let Some(link) = &decision.link {
            t.insert("link", value(link.as_str()));
        }
        if let Some(reason) = &decision.reason {
            t.insert("reason", value(reason.as_str()));
        }
        if let Some(when) = decision.when {
            t.insert(
                "when",
                value(when.to_rfc3339_opts(SecondsFormat::Secs, true)),
            );
        }
        list.push(t);
        added = true;
        Ok(())
    })?;
    Ok(added)
}

/// Removes every decision about the post `key` of `feed`; false when there was none.
pub fn remove(path: &Path, feed: &str, key: &str) -> anyhow::Result<bool> {
    let mut removed = false;
    edit(path, |doc, current| {
        let Some(list) = doc.get_mut("hide").and_then(Item::as_array_of_tables_mut) else {
            return Ok(());
        };
        // The parsed decisions are in the same order as the tables.
        for (i, d) in current.decisions.iter().enumerate().rev() {
            if d.feed == feed && d.key == key {
                list.remove(i);
                removed = true;
            }
        }
        Ok(())
    })?;
    Ok(removed)
}

/// A member's feed moved from `old` to `new` (both as shown, without credentials): the
/// decisions about its posts follow it, as the store carries the posts' keys over. Returns how
/// many decisions now name `new`; a missing file is nothing to do.
pub fn move_feed(path: &Path, old: &str, new: &str) -> anyhow::Result<usize> {
    if !path.exists() {
        return Ok(0);
    }
    let mut moved = 0;
    edit(path, |doc, current| {
        let Some(list) = doc.get_mut("hide").and_then(Item::as_array_of_tables_mut) else {
            return Ok(());
        };
        // The parsed decisions are in the same order as the tables.
        for (d, table) in current.decisions.iter().zip(list.iter_mut()) {
            if d.feed == old {
                table.insert("feed", value(new));
                moved += 1;
            }
        }
        Ok(())
    })?;
    Ok(moved)
}

/// Reads and validates the file (an invalid one is not edited: it is reported), applies
/// `change`, validates the result, keeps a backup and replaces the file atomically.
fn edit(
    path: &Path,
    change: impl FnOnce(&mut DocumentMut, &Moderation) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let source = text.clone().unwrap_or_else(|| HEADER.to_string());
    let current = Moderation::parse(&source, path).map_err(|e| {
        anyhow::anyhow!(
            "{e}\nfix {} by hand first (or restore its .bak)",
            path.display()
        )
    })?;
    let mut doc: DocumentMut = source
        .parse()
        .with_context(|| format!("{} is not valid TOML", path.display()))?;
    change(&mut doc, &current)?;
    let new_text = doc.to_string();
    if Some(&new_text) == text.as_ref() {
        return Ok(());
    }
    Moderation::parse(&new_text, path)
        .map_err(|e| anyhow::anyhow!("the edit would make the moderation file invalid: {e}"))?;
    if let Some(old) = &text {
        let backup = path.with_extension("toml.bak");
        std::fs::write(&backup, old)
            .with_context(|| format!("cannot write the backup {}", backup.display()))?;
    }
    crate::atomic::write_atomic(path, new_text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision(key: &str) -> Decision {
        Decision {
            feed: "https://a.example/feed".into(),
            key: key.into(),
            link: Some(format!("https://a.example/{key}")),
            reason: Some("off \"topic\"".into()),
            when: Some(chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 3, 1, 12, 0, 0).unwrap()),
        }
    }

    #[test]
    fn decisions_round_trip_and_keep_a_backup() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        assert!(add(&path, &decision("1")).unwrap());
        assert!(!add(&path, &decision("1")).unwrap());
        assert!(add(&path, &decision("2")).unwrap());
        let m = Moderation::load_from(&path).unwrap();
        assert_eq!(m.decisions, vec![decision("1"), decision("2")]);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with(HEADER), "{text}");
        assert!(remove(&path, "https://a.example/feed", "1").unwrap());
        assert!(!remove(&path, "https://a.example/feed", "1").unwrap());
        let m = Moderation::load_from(&path).unwrap();
        assert_eq!(m.decisions, vec![decision("2")]);
        let backup = std::fs::read_to_string(path.with_extension("toml.bak")).unwrap();
        assert_eq!(
            Moderation::parse(&backup, &path).unwrap().decisions.len(),
            2
        );
    }

    #[test]
    fn errors_name_line_and_key() {
        let path = Path::new("/tmp/p/moderation.toml");
        let cases = [
            (
                "[[hide]]\nfeed = \"ftp://x\"\nkey = \"k\"\n",
                2,
                "hide[1].feed",
            ),
            (
                "[[hide]]\nfeed = \"https://a/\"\nkey = \"\"\n",
                3,
                "hide[1].key",
            ),
            (
                "[[hide]]\nfeed = \"https://a/\"\nkey = \"k\"\nwhen = \"yesterday\"\n",
                4,
                "hide[1].when",
            ),
            (
                "[[hide]]\nfeed = \"https://a/\"\nkey = \"k\"\ncolour = 1\n",
                4,
                "hide[1].colour",
            ),
        ];
        for (text, line, key) in cases {
            let err = Moderation::parse(text, path).expect_err(text);
            assert_eq!(err.line, Some(line), "{err}");
            assert_eq!(err.key.as_deref(), Some(key), "{err}");
        }
    }
}
