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

/// Adds what to do to serde's terse messages.
fn hint_for(message: &str) -> String {
    let m = message.trim().to_string();
    if m.starts_with("unknown field") {
        format!("{m}; remove it or fix its spelling")
    } else if m.starts_with("missing field") {
        format!("{m}; add it (see the README's config reference)")
    } else {
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
