//! Edits of feeds.toml for `add`, `import-opml` and `fix-redirects`, with toml_edit so that the
//! admin's comments, order and formatting stay untouched.
//!
//! In: the config path and the change. Out: the file rewritten atomically, with the previous
//! version kept as `feeds.toml.bak`. Every edit is validated as a whole config before it is
//! written: an edit can never leave an invalid file behind.

use std::path::Path;

use anyhow::Context;
use toml_edit::{value, Array, DocumentMut, Item, Table};

use super::types::Config;

/// A feed to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFeed {
    pub url: String,
    pub name: String,
    pub tags: Vec<String>,
}

/// Appends `feeds` as `[[feed]]` tables at the end of the file.
pub fn append_feeds(path: &Path, feeds: &[NewFeed]) -> anyhow::Result<()> {
    edit(path, |doc| {
        // Comments at the very end of the file (say "# --- members ---") stay where the admin
        // put them: above what is appended.
        let trailing = doc.trailing().as_str().unwrap_or("").to_string();
        doc.set_trailing("");
        let mut first = true;
        let list = doc
            .entry("feed")
            .or_insert(Item::ArrayOfTables(Default::default()));
        let Some(list) = list.as_array_of_tables_mut() else {
            anyhow::bail!("`feed` in the config is not a list of [[feed]] tables");
        };
        for f in feeds {
            let mut t = Table::new();
            if first && !trailing.trim().is_empty() {
                t.decor_mut()
                    .set_prefix(format!("{}\n", trailing.trim_end()));
            } else {
                t.decor_mut().set_prefix("\n");
            }
            first = false;
            t.insert("url", value(f.url.as_str()));
            t.insert("name", value(f.name.as_str()));
            if !f.tags.is_empty() {
                let mut tags = Array::new();
                for tag in &f.tags {
                    tags.push(tag.as_str());
                }
                t.insert("tags", value(tags));
            }
            list.push(t);
        }
        Ok(())
    })
}

/// Replaces the url of the `[[feed]]` whose url is exactly `old` by `new`; false when no feed
/// has that url.
pub fn replace_feed_url(path: &Path, old: &str, new: &str) -> anyhow::Result<bool> {
    let mut found = false;
    edit(path, |doc| {
        if let Some(list) = doc.get_mut("feed").and_then(Item::as_array_of_tables_mut) {
            for t in list.iter_mut() {
                if t.get("url").and_then(Item::as_str) == Some(old) {
                    // Keep the value's surrounding whitespace and any comment after it.
                    let decor = t
                        .get("url")
                        .and_then(Item::as_value)
                        .map(|v| v.decor().clone());
                    let mut v = toml_edit::Value::from(new);
                    if let Some(d) = decor {
                        *v.decor_mut() = d;
                    }
                    t.insert("url", Item::Value(v));
                    found = true;
                }
            }
        }
        Ok(())
    })?;
    Ok(found)
}

/// Removes the `[[feed]]` whose url is exactly `old`; false when no feed has that url.
pub fn remove_feed(path: &Path, old: &str) -> anyhow::Result<bool> {
    let mut found = false;
    edit(path, |doc| {
        if let Some(list) = doc.get_mut("feed").and_then(Item::as_array_of_tables_mut) {
            let before = list.len();
            list.retain(|t| t.get("url").and_then(Item::as_str) != Some(old));
            found = list.len() != before;
        }
        Ok(())
    })?;
    Ok(found)
}

/// The lines (1-based, first and last) of the `[[feed]]` table whose url is exactly `url`, for
/// advice such as "remove lines 12–15": from its header to its last line that is not blank.
pub fn feed_lines(path: &Path, url: &str) -> anyhow::Result<Option<(usize, usize)>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let doc: DocumentMut = text
        .parse()
        .with_context(|| format!("{} is not valid TOML", path.display()))?;
    let Some(index) = doc
        .get("feed")
        .and_then(Item::as_array_of_tables)
        .and_then(|list| {
            list.iter()
                .position(|t| t.get("url").and_then(Item::as_str) == Some(url))
        })
    else {
        return Ok(None);
    };
    let lines: Vec<&str> = text.lines().collect();
    let is_header = |l: &str| l.trim_start().starts_with('[');
    let Some(first) = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("[[feed]]"))
        .nth(index)
        .map(|(i, _)| i)
    else {
        return Ok(None);
    };
    let end = (first + 1..lines.len())
        .find(|&i| is_header(lines[i]))
        .unwrap_or(lines.len());
    let last = (first..end)
        .rev()
        .find(|&i| {
            let l = lines[i].trim();
            !l.is_empty() && !l.starts_with('#')
        })
        .unwrap_or(first);
    Ok(Some((first + 1, last + 1)))
}

/// Reads the file, applies `change`, validates the result as a config, keeps a backup, and
/// replaces the file atomically.
fn edit(
    path: &Path,
    change: impl FnOnce(&mut DocumentMut) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut doc: DocumentMut = text
        .parse()
        .with_context(|| format!("{} is not valid TOML", path.display()))?;
    change(&mut doc)?;
    let new_text = doc.to_string();
    if new_text == text {
        return Ok(());
    }
    Config::from_str_at(&new_text, path)
        .map_err(|e| anyhow::anyhow!("the edit would make the config invalid: {e}"))?;
    let backup = path.with_extension("toml.bak");
    std::fs::write(&backup, &text)
        .with_context(|| format!("cannot write the backup {}", backup.display()))?;
    crate::atomic::write_atomic(path, new_text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = r#"# My planet
[planet]
name = "P"   # the name
link = "https://p.example/"

# Members, alphabetically
[[feed]]
url = "https://a.example/feed"   # Alice
name = "Alice"
"#;

    #[test]
    fn feed_lines_span_one_table() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("feeds.toml");
        let text = format!(
            "{CONFIG}\n[[feed]]\nurl = \"https://b.example/rss\"\nname = \"Bob\"\n\n# Carol\n\
             [[feed]]\nurl = \"https://c.example/rss\"\nname = \"Carol\"\n"
        );
        std::fs::write(&path, &text).unwrap();
        assert_eq!(
            feed_lines(&path, "https://a.example/feed").unwrap(),
            Some((7, 9))
        );
        assert_eq!(
            feed_lines(&path, "https://b.example/rss").unwrap(),
            Some((11, 13))
        );
        assert_eq!(
            feed_lines(&path, "https://c.example/rss").unwrap(),
            Some((16, 18))
        );
        assert_eq!(feed_lines(&path, "https://x.example/").unwrap(), None);
    }

    #[test]
    fn append_keeps_comments_and_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("feeds.toml");
        std::fs::write(&path, CONFIG).unwrap();
        append_feeds(
            &path,
            &[NewFeed {
                url: "https://b.example/rss".into(),
                name: "Bob \"B\"".into(),
                tags: vec!["x".into()],
            }],
        )
        .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with(CONFIG), "{text}");
        assert!(
            text.ends_with(
                "\n[[feed]]\nurl = \"https://b.example/rss\"\nname = 'Bob \"B\"'\ntags = [\"x\"]\n"
            ),
            "{text}"
        );
        assert_eq!(
            std::fs::read_to_string(path.with_extension("toml.bak")).unwrap(),
            CONFIG
        );
        let config = Config::load(&path).unwrap();
        assert_eq!(config.feeds[1].name, "Bob \"B\"");
    }

    #[test]
    fn replace_keeps_the_comment() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("feeds.toml");
        std::fs::write(&path, CONFIG).unwrap();
        assert!(
            replace_feed_url(&path, "https://a.example/feed", "https://a.example/new").unwrap()
        );
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("url = \"https://a.example/new\"   # Alice"),
            "{text}"
        );
        assert!(!replace_feed_url(&path, "https://nope.example/", "https://x.example/").unwrap());
    }

    #[test]
    fn an_edit_that_would_be_invalid_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("feeds.toml");
        std::fs::write(&path, CONFIG).unwrap();
        let err = append_feeds(
            &path,
            &[NewFeed {
                url: "https://a.example/feed".into(),
                name: "Again".into(),
                tags: vec![],
            }],
        )
        .unwrap_err();
        assert!(err.to_string().contains("already listed"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), CONFIG);
    }
}
