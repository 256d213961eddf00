//! Where a key sits in feeds.toml: maps a key path (`feed[3].url`) to its line, and a serde
//! error's byte offset back to a key path, using toml_edit's spans over the original text.
//!
//! In: the config text and its path. Out: [`Locator`], which turns a key path and a message
//! into a located [`ConfigError`] (file, line, key); [`KeyPart`] names one step of a key path.
//! Read by `config::validate` and by `Config::from_str_at` for serde's errors.

use std::ops::Range;
use std::path::{Path, PathBuf};

use super::types::ConfigError;

/// One step of a key path: a table key or an index into an array of tables.
#[derive(Debug, Clone, Copy)]
pub(super) enum KeyPart<'a> {
    Key(&'a str),
    Index(usize),
}

/// Finds lines and key names for errors, using toml_edit's spans over the original text.
pub(super) struct Locator<'t> {
    text: &'t str,
    file: PathBuf,
    doc: toml_edit::Document<String>,
}

impl<'t> Locator<'t> {
    pub(super) fn new(text: &'t str, file: &Path) -> Result<Self, ConfigError> {
        // Before the parser, whose word for a second `[feed]` is "duplicate key".
        if let Some(line) = single_feed_table(text) {
            return Err(ConfigError {
                file: file.to_path_buf(),
                line: Some(line),
                key: Some("feed".into()),
                message: "`[feed]` opens a single table; write `[[feed]]` (double brackets) \
                          for each member's feed"
                    .into(),
            });
        }
        match toml_edit::Document::parse(text.to_string()) {
            Ok(doc) => Ok(Locator {
                text,
                file: file.to_path_buf(),
                doc,
            }),
            Err(e) => {
                let line = e.span().map(|s| line_of(text, s.start));
                Err(ConfigError {
                    file: file.to_path_buf(),
                    line,
                    key: None,
                    message: format!("not valid TOML: {}", e.message()),
                })
            }
        }
    }

    pub(super) fn error(&self, key: &[&str], message: String) -> ConfigError {
        let parts: Vec<KeyPart> = key.iter().map(|k| KeyPart::Key(k)).collect();
        self.error_at(&parts, message)
    }

    pub(super) fn error_at(&self, key: &[KeyPart], message: String) -> ConfigError {
        ConfigError {
            file: self.file.clone(),
            line: self.span_of(key).map(|s| line_of(self.text, s.start)),
            key: Some(display_path(key)),
            message,
        }
    }

    /// The line and the dotted name of `key`, for values that keep their place once validated
    /// (the topic filters name theirs when they hide a post).
    pub(super) fn place(&self, key: &[KeyPart]) -> (Option<usize>, String) {
        let located = self.error_at(key, String::new());
        (located.line, located.key.unwrap_or_default())
    }

    /// Span of the value at `key`, or of the deepest table on the way to it.
    fn span_of(&self, key: &[KeyPart]) -> Option<Range<usize>> {
        let mut table: &toml_edit::Table = self.doc.as_table();
        let mut best = None;
        let mut i = 0;
        while let Some(KeyPart::Key(k)) = key.get(i) {
            let Some(item) = table.get(k) else { break };
            best = item
                .span()
                .or_else(|| table.key(k).and_then(|k| k.span()))
                .or(best);
            match (item, key.get(i + 1)) {
                (toml_edit::Item::Table(t), _) => {
                    table = t;
                    i += 1;
                }
                (toml_edit::Item::ArrayOfTables(a), Some(KeyPart::Index(n))) => {
                    let Some(t) = a.get(*n) else { break };
                    best = t.span().or(best);
                    table = t;
                    i += 2;
                }
                _ => break,
            }
        }
        best
    }

    /// Turns a serde error from `toml` into a located [`ConfigError`].
    pub(super) fn serde_error(&self, e: &toml::de::Error) -> ConfigError {
        let span = e.span();
        let key = span.as_ref().and_then(|s| self.path_at(s.start));
        ConfigError {
            file: self.file.clone(),
            line: span.map(|s| line_of(self.text, s.start)),
            key,
            message: hint_for(e.message()),
        }
    }

    /// The dotted path of the deepest key whose key or value covers `offset`.
    fn path_at(&self, offset: usize) -> Option<String> {
        fn walk(t: &toml_edit::Table, offset: usize, path: &mut Vec<String>) -> bool {
            for (k, item) in t.iter() {
                let key_span = t.key(k).and_then(|k| k.span());
                let covers = |s: Option<Range<usize>>| s.is_some_and(|s| s.contains(&offset));
                match item {
                    toml_edit::Item::Table(sub) => {
                        path.push(k.to_string());
                        if walk(sub, offset, path) || covers(key_span.clone()) {
                            return true;
                        }
                        path.pop();
                    }
                    toml_edit::Item::ArrayOfTables(a) => {
                        for (i, sub) in a.iter().enumerate() {
                            path.push(format!("{k}[{}]", i + 1));
                            if walk(sub, offset, path) || covers(sub.span()) {
                                return true;
                            }
                            path.pop();
                        }
                    }
                    _ => {
                        if covers(key_span) || covers(item.span()) {
                            path.push(k.to_string());
                            return true;
                        }
                    }
                }
            }
            false
        }
        let mut path = Vec::new();
        if walk(self.doc.as_table(), offset, &mut path) {
            Some(path.join("."))
        } else {
            None
        }
    }
}

fn display_path(key: &[KeyPart]) -> String {
    let mut s = String::new();
    for part in key {
        match part {
            KeyPart::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            KeyPart::Index(i) => s.push_str(&format!("[{}]", i + 1)),
        }
    }
    s
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The 1-based line of the first `[feed]` table header (a single table, where each member
/// needs an array-of-tables entry `[[feed]]`), if any.
fn single_feed_table(text: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let l = l.split('#').next().unwrap_or("").trim();
            l.strip_prefix('[')
                .and_then(|l| l.strip_suffix(']'))
                .is_some_and(|inner| !inner.starts_with('[') && inner.trim() == "feed")
        })
        .map(|i| i + 1)
}

/// Adds what to do to serde's terse messages, and says its type words in plain ones.
fn hint_for(message: &str) -> String {
    let m = message.trim().to_string();
    if m.starts_with("unknown field") {
        format!("{m}; remove it or fix its spelling")
    } else if m.starts_with("missing field") {
        format!("{m}; add it (see the README's config reference)")
    } else if let Some(plain) = plain_type_error(&m) {
        plain
    } else {
        m
    }
}

/// serde's `invalid type: string "ten", expected i64` as `expected a whole number (like 60,
/// without quotes), found the text "ten"`; `None` for any other message.
fn plain_type_error(m: &str) -> Option<String> {
    let rest = m
        .strip_prefix("invalid type: ")
        .or_else(|| m.strip_prefix("invalid value: "))?;
    let (found, expected) = rest.rsplit_once(", expected ")?;
    let expected = match expected.trim() {
        "i64" | "u64" | "i32" | "u32" | "usize" | "an integer" => {
            "a whole number (like 60, without quotes)"
        }
        "a sequence" => "a list in brackets (like [\"a\", \"b\"])",
        "a string" | "a borrowed string" => "text in double quotes (like \"text\")",
        "a boolean" => "true or false (without quotes)",
        e if e.starts_with("struct ") || e == "a map" => "a table (a [section] of keys)",
        _ => return None,
    };
    let found = if let Some(s) = found.strip_prefix("string ") {
        format!("the text {s}")
    } else if let Some(n) = found.strip_prefix("integer ") {
        format!("the number {}", n.trim_matches('`'))
    } else if let Some(n) = found.strip_prefix("floating point ") {
        format!("the number {}", n.trim_matches('`'))
    } else if let Some(b) = found.strip_prefix("boolean ") {
        b.trim_matches('`').to_string()
    } else {
        match found {
            "sequence" => "a list".to_string(),
            "map" => "a table".to_string(),
            other => other.to_string(),
        }
    };
    Some(format!("expected {expected}, found {found}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_type_words_become_plain_ones() {
        let cases = [
            (
                "invalid type: string \"ten\", expected i64",
                "expected a whole number (like 60, without quotes), found the text \"ten\"",
            ),
            (
                "invalid type: string \"x\", expected a sequence",
                "expected a list in brackets (like [\"a\", \"b\"]), found the text \"x\"",
            ),
            (
                "invalid type: integer `3`, expected a string",
                "expected text in double quotes (like \"text\"), found the number 3",
            ),
            (
                "invalid type: string \"yes\", expected a boolean",
                "expected true or false (without quotes), found the text \"yes\"",
            ),
            (
                "invalid type: sequence, expected struct RawPlanet",
                "expected a table (a [section] of keys), found a list",
            ),
        ];
        for (serde, plain) in cases {
            assert_eq!(hint_for(serde), plain);
        }
        assert_eq!(hint_for("something else"), "something else");
    }

    #[test]
    fn a_single_feed_table_is_found_by_its_line() {
        assert_eq!(single_feed_table("[planet]\n\n[feed]\nurl = 1\n"), Some(3));
        assert_eq!(single_feed_table("[ feed ] # one\n"), Some(1));
        assert_eq!(
            single_feed_table("[[feed]]\n[feeds]\n[planet.feed]\n"),
            None
        );
    }

    #[test]
    fn key_paths_count_feeds_from_one() {
        let key = [KeyPart::Key("feed"), KeyPart::Index(2), KeyPart::Key("url")];
        assert_eq!(display_path(&key), "feed[3].url");
        assert_eq!(display_path(&[KeyPart::Key("planet")]), "planet");
    }

    #[test]
    fn lines_count_from_one() {
        let text = "a\nb\nc";
        assert_eq!(line_of(text, 0), 1);
        assert_eq!(line_of(text, 2), 2);
        assert_eq!(line_of(text, 4), 3);
        assert_eq!(line_of(text, 99), 3);
    }

    #[test]
    fn a_located_error_names_the_value_or_its_table() {
        let text = "[planet]\nname = \"x\"\n\n[[feed]]\nurl = \"u\"\n";
        let loc = Locator::new(text, Path::new("/p/feeds.toml")).unwrap();
        let at = |key: &[KeyPart]| loc.error_at(key, "m".into()).line;
        assert_eq!(at(&[KeyPart::Key("planet"), KeyPart::Key("name")]), Some(2));
        let feed = |k| [KeyPart::Key("feed"), KeyPart::Index(0), KeyPart::Key(k)];
        assert_eq!(at(&feed("url")), Some(5));
        assert_eq!(at(&feed("homepage")), Some(4), "absent: its table");
    }
}
