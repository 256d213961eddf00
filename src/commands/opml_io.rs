//! `import-opml FILE` (append every new feed of a subscription list) and `export-opml`
//! (print the planet's feeds as OPML).

use std::collections::HashSet;
use std::path::Path;

use crate::config::edit::{self as config_edit, NewFeed};
use crate::config::Config;
use crate::error::Error;
use crate::model::{has_credentials, public_url, safe_text};
use crate::store::Store;
use crate::web_url::WebUrl;

pub fn import_opml(config: &Config, config_path: &Path, file: &Path) -> Result<(), Error> {
    let doc = read_opml(file)?;
    let mut outlines = Vec::new();
    collect(&doc.body.outlines, &mut outlines);
    let mut known: HashSet<WebUrl> = config.feeds.iter().map(|f| f.parsed_url.clone()).collect();
    let mut added = Vec::new();
    let mut skipped = Vec::new();
    for o in outlines {
        match import_outline(o, &mut known, file)? {
            Outline::NotAFeed => {}
            Outline::Skipped(reason) => skipped.push(reason),
            Outline::New(feed) => added.push(feed),
        }
    }
    if !added.is_empty() {
        config_edit::append_feeds(config_path, &added)?;
    }
    report(config_path, &added, &skipped);
    Ok(())
}

/// Reads `file` as OPML, refusing first what would overflow the reader's stack.
fn read_opml(file: &Path) -> anyhow::Result<opml::OPML> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    check_nesting(&text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    opml::OPML::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{} is not a readable OPML file: {e}", file.display()))
}

/// What one outline of the file comes to.
enum Outline {
    /// A folder or a non-feed outline: not counted.
    NotAFeed,
    /// A feed left out, with the reason shown to the admin.
    Skipped(String),
    New(NewFeed),
}

/// Turns one outline into a feed to add, or says why not; `known` holds the feeds already
/// listed or added, and gains this one. A feed URL with credentials stops the whole import.
fn import_outline(
    o: &opml::Outline,
    known: &mut HashSet<WebUrl>,
    file: &Path,
) -> anyhow::Result<Outline> {
    let Some(xml_url) = o
        .xml_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
    else {
        return Ok(Outline::NotAFeed);
    };
    let Ok(url) = WebUrl::parse(xml_url) else {
        return Ok(Outline::Skipped(format!(
            "{} (not an http(s) URL)",
            public_url(xml_url)
        )));
    };
    // Credentials are the admin's to write, by hand: a subscription list exported from
    // someone's reader must not put them into feeds.toml, where `add` and the like would
    // take them for the planet's own.
    if has_credentials(&url) {
        anyhow::bail!(
            "{}: the outline {:?} has a feed URL with a user name or password ({}); nothing \
             imported: remove it from the file and import again, or write that [[feed]] \
             by hand (Mercury then uses the credentials to fetch and never publishes them)",
            file.display(),
            o.text.trim(),
            public_url(xml_url)
        );
    }
    if !known.insert(url) {
        return Ok(Outline::Skipped(format!(
            "{} (already listed)",
            public_url(xml_url)
        )));
    }
    // Names and tags go into the page, the feeds and OPML as text: control characters and
    // bidi overrides from someone's export are left out (outline_name, outline_tags).
    Ok(Outline::New(NewFeed {
        url: xml_url.to_string(),
        name: outline_name(o, xml_url),
        tags: outline_tags(o),
    }))
}

/// The outline's text, else its title, else the feed's URL (without credentials).
fn outline_name(o: &opml::Outline, xml_url: &str) -> String {
    [Some(o.text.as_str()), o.title.as_deref()]
        .into_iter()
        .flatten()
        .map(|n| safe_text(n).trim().to_string())
        .find(|n| !n.is_empty())
        .unwrap_or_else(|| public_url(xml_url).into_owned())
}

/// The outline's comma-separated categories as tags, without the leading `/` of a path.
fn outline_tags(o: &opml::Outline) -> Vec<String> {
    o.category
        .as_deref()
        .map(|c| {
            c.split(',')
                .map(|t| safe_text(t).trim().trim_start_matches('/').to_string())
                .filter(|t| !t.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Prints what was added and what was skipped, and why.
fn report(config_path: &Path, added: &[NewFeed], skipped: &[String]) {
    println!(
        "added {} feed{} to {}, skipped {}",
        added.len(),
        if added.len() == 1 { "" } else { "s" },
        config_path.display(),
        skipped.len()
    );
    for f in added {
        println!("  added: {} <{}>", f.name, f.url);
    }
    for s in skipped {
        println!("  skipped: {s}");
    }
}

/// Folders nested deeper than this are refused before the OPML reader sees them: it recurses
/// once per level, and 8,000 levels overflowed the stack (the process aborted).
const MAX_OPML_DEPTH: usize = 64;

/// Refuses a document whose elements nest deeper than [`MAX_OPML_DEPTH`], in one pass that
/// keeps only a counter.
fn check_nesting(text: &str) -> Result<(), String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut depth = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Start(_)) => {
                depth += 1;
                if depth > MAX_OPML_DEPTH {
                    return Err(format!(
                        "outlines nested more than {MAX_OPML_DEPTH} levels deep; nothing \
                         imported (flatten the folders and import again)"
                    ));
                }
            }
            Ok(Event::End(_)) => depth = depth.saturating_sub(1),
            // Malformed XML: the OPML reader says what is wrong with it.
            Ok(Event::Eof) | Err(_) => return Ok(()),
            Ok(_) => {}
        }
    }
}

fn collect<'a>(outlines: &'a [opml::Outline], out: &mut Vec<&'a opml::Outline>) {
    for o in outlines {
        out.push(o);
        collect(&o.outlines, out);
    }
}

pub fn export_opml(config: &Config) -> Result<(), Error> {
    let mut store = Store::open(&config.planet.database)?;
    store.sync_feeds(&config.member_feeds())?;
    // Only the feeds are exported: no moderation decision changes them.
    let none = crate::config::moderation::Moderation::default();
    let site = crate::site::build_site(config, &store, &none)?;
    let bytes = crate::render::opml_bytes(&site)?;
    use std::io::Write;
    std::io::stdout()
        .write_all(&bytes)
        .map_err(anyhow::Error::from)?;
    Ok(())
}

/// `fix-redirects`: for every feed that moved permanently, write its new URL into feeds.toml
/// (and keep its history under the new URL).
pub fn fix_redirects(config: &Config, config_path: &Path) -> Result<(), Error> {
    let mut store = Store::open(&config.planet.database)?;
    store.sync_feeds(&config.member_feeds())?;
    let moved = store.permanent_moves()?;
    if moved.is_empty() {
        println!("no feed has moved permanently; nothing to change");
        return Ok(());
    }
    for (from, to) in moved {
        if config_edit::replace_feed_url(config_path, &from, &to)? {
            store.rename_feed(&from, &to)?;
            println!("{} -> {}", public_url(&from), public_url(&to));
        }
    }
    Ok(())
}
