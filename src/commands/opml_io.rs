//! `import-opml FILE` (append every new feed of a subscription list) and `export-opml`
//! (print the planet's feeds as OPML).

use std::collections::HashSet;
use std::path::Path;

use crate::config::edit::{self as config_edit, NewFeed};
use crate::config::Config;
use crate::error::Error;
use crate::model::{has_credentials, public_url, safe_text};
use crate::output::{noteln, outln};
use crate::store::Store;
use crate::web_url::WebUrl;

pub fn import_opml(config: &Config, config_path: &Path, file: &Path) -> Result<(), Error> {
    let doc = read_opml(file)?;
    let mut outlines = Vec::new();
    collect(&doc.body.outlines, &[], &mut outlines);
    let mut known: HashSet<WebUrl> = config.feeds.iter().map(|f| f.parsed_url.clone()).collect();
    let mut added = Vec::new();
    let mut skipped = Vec::new();
    for (o, folders) in outlines {
        match import_outline(o, &folders, &mut known, file)? {
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
    check_xml(&text).map_err(|e| anyhow::anyhow!("{}{e}", file.display()))?;
    opml::OPML::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}: not a readable OPML file ({e}); export the subscription list from the \
             reader again, as OPML, and import that",
            file.display()
        )
    })
}

/// What one outline of the file comes to.
enum Outline {
    /// A folder or a non-feed outline: not counted.
    NotAFeed,
    /// A feed left out, with the reason shown to the admin.
    Skipped(String),
    New(NewFeed),
}

/// Turns one outline into a feed to add, or says why not; `folders` are the titles of the
/// folders it sits in, `known` holds the feeds already listed or added, and gains this one. A
/// feed URL with credentials stops the whole import.
fn import_outline(
    o: &opml::Outline,
    folders: &[String],
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
    if let Some((_, c)) = WebUrl::unwritable_char(xml_url) {
        return Ok(Outline::Skipped(format!(
            "{} (holds {c:?}, which URLs may not hold)",
            public_url(xml_url)
        )));
    }
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
        tags: outline_tags(o, folders),
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

/// The outline's tags: the titles of the folders it sits in (outermost first; most readers
/// export folders, not categories), then its comma-separated categories without the leading
/// `/` of a path. Each once, and only those feeds.toml accepts as tags (a letter or a digit).
fn outline_tags(o: &opml::Outline, folders: &[String]) -> Vec<String> {
    let categories = o.category.as_deref().unwrap_or_default().split(',');
    let mut tags: Vec<String> = Vec::new();
    for tag in folders.iter().map(String::as_str).chain(categories) {
        let tag = safe_text(tag)
            .trim()
            .trim_start_matches('/')
            .trim()
            .to_string();
        if tag.chars().any(char::is_alphanumeric) && !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    tags
}

/// Prints what was added and what was skipped, and why.
fn report(config_path: &Path, added: &[NewFeed], skipped: &[String]) {
    outln!(
        "added {} feed{} to {}, skipped {}",
        added.len(),
        if added.len() == 1 { "" } else { "s" },
        config_path.display(),
        skipped.len()
    );
    for f in added {
        noteln!("  added: {} <{}>", f.name, f.url);
    }
    for s in skipped {
        noteln!("  skipped: {s}");
    }
}

/// Folders nested deeper than this are refused before the OPML reader sees them: it recurses
/// once per level, and 8,000 levels overflowed the stack (the process aborted).
const MAX_OPML_DEPTH: usize = 64;

/// Refuses, in one pass that keeps only a counter, a document whose elements nest deeper than
/// [`MAX_OPML_DEPTH`] or that is not well-formed XML, saying where (`:LINE: …`, to follow
/// the file's name): the OPML reader says only "Failed to process XML file".
fn check_xml(text: &str) -> Result<(), String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut depth = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Start(_)) => {
                depth += 1;
                if depth > MAX_OPML_DEPTH {
                    return Err(format!(
                        ":{}: outlines nested more than {MAX_OPML_DEPTH} levels deep; nothing \
                         imported (flatten the folders and import again)",
                        line_at(text, reader.buffer_position())
                    ));
                }
            }
            Ok(Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(Event::Eof) if depth == 0 => return Ok(()),
            Ok(Event::Eof) => {
                return Err(format!(
                    ":{}: the file ends with {depth} element{} still open (cut short?); \
                     nothing imported (export the subscription list from the reader again)",
                    line_at(text, text.len() as u64),
                    if depth == 1 { "" } else { "s" }
                ))
            }
            Err(e) => {
                return Err(format!(
                    ":{}: not well-formed XML ({e}); nothing imported (fix the file there, or \
                     export the subscription list from the reader again)",
                    line_at(text, reader.error_position())
                ))
            }
            Ok(_) => {}
        }
    }
}

/// The 1-based line of byte `offset` in `text`.
fn line_at(text: &str, offset: u64) -> usize {
    let end = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(text.len());
    memchr::memchr_iter(b'\n', &text.as_bytes()[..end]).count() + 1
}

/// Every outline, depth first, with the titles of the folders it sits in. A folder is an
/// outline that holds others; its text (else its title) names it.
fn collect<'a>(
    outlines: &'a [opml::Outline],
    folders: &[String],
    out: &mut Vec<(&'a opml::Outline, Vec<String>)>,
) {
    for o in outlines {
        out.push((o, folders.to_vec()));
        if !o.outlines.is_empty() {
            let mut inner = folders.to_vec();
            let title = [Some(o.text.as_str()), o.title.as_deref()]
                .into_iter()
                .flatten()
                .map(str::trim)
                .find(|t| !t.is_empty());
            inner.extend(title.map(str::to_string));
            collect(&o.outlines, &inner, out);
        }
    }
}

pub fn export_opml(config: &Config) -> Result<(), Error> {
    let mut store = Store::open(&config.planet.database)?;
    store.sync_feeds(&config.member_feeds())?;
    // Only the feeds are exported: no moderation decision changes them.
    let none = crate::config::moderation::Moderation::default();
    let site = crate::site::build_site(config, &store, &none)?;
    let bytes = crate::render::opml_bytes(&site)?;
    crate::output::bytes(&bytes);
    Ok(())
}
