//! The topic filters (`categories`, `require`, `ignore` in `[planet]` and `[[feed]]`): raw
//! values become [`FilterRule`]s that know where they are written, with their regexes compiled
//! once and bounded.
//!
//! In: the raw keys of one table and its key path. Out: the table's rules, in the order
//! `categories`, `require`, `ignore`, or a located [`ConfigError`] (an invalid regex carries the
//! regex crate's own message).

use std::path::Path;

use super::locate::{KeyPart, Locator};
use super::types::{ConfigError, FilterKind, FilterRule};

/// The most memory one compiled filter regex may take (the regex crate's `size_limit`): ample
/// for any hand-written pattern, small enough that a pattern like `(a{1000}){1000}` is refused
/// at load time instead of taking the refresh's memory.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// The rules of one table (`[planet]` or one `[[feed]]`) whose key path is `table`.
pub(super) fn rules(
    categories: Option<Vec<String>>,
    require: Option<String>,
    ignore: Option<String>,
    table: &[KeyPart],
    file: &Path,
    loc: &Locator,
) -> Result<Vec<FilterRule>, ConfigError> {
    let key_of = |k: &'static str| {
        let mut key = table.to_vec();
        key.push(KeyPart::Key(k));
        key
    };
    let mut rules = Vec::new();
    if let Some(list) = categories {
        let key = key_of("categories");
        let wanted: Vec<String> = list
            .iter()
            .map(|c| c.trim().to_lowercase())
            .filter(|c| !c.is_empty())
            .collect();
        if wanted.is_empty() {
            return Err(loc.error_at(
                &key,
                "lists no category, which would hide every post; name at least one, or remove \
                 the key to show posts of any category"
                    .into(),
            ));
        }
        let written = format!("categories = {list:?}");
        rules.push(rule(
            FilterKind::Categories(wanted),
            written,
            &key,
            file,
            loc,
        ));
    }
    for (value, name) in [(require, "require"), (ignore, "ignore")] {
        let Some(pattern) = value else { continue };
        let key = key_of(name);
        let regex = compile(&pattern).map_err(|e| {
            loc.error_at(
                &key,
                format!(
                    "{pattern:?} is not a valid regular expression: {e}; see \
                     https://docs.rs/regex/#syntax (write (?i) at its start to ignore case)"
                ),
            )
        })?;
        let kind = if name == "require" {
            FilterKind::Require(regex)
        } else {
            FilterKind::Ignore(regex)
        };
        rules.push(rule(kind, format!("{name} = {pattern:?}"), &key, file, loc));
    }
    Ok(rules)
}

/// A filter's regex, its compiled size bounded by [`REGEX_SIZE_LIMIT`].
pub fn compile(pattern: &str) -> Result<regex::Regex, regex::Error> {
    regex::RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
}

fn rule(
    kind: FilterKind,
    written: String,
    key: &[KeyPart],
    file: &Path,
    loc: &Locator,
) -> FilterRule {
    let (line, key) = loc.place(key);
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.display().to_string());
    FilterRule {
        kind,
        written,
        location: match line {
            Some(line) => format!("{name}:{line} {key}"),
            None => format!("{name} {key}"),
        },
        key,
    }
}
