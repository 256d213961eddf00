//! Render: turns a [`Site`] into the files of the output folder, each replaced atomically.
//!
//! Every page is built by one function, [`layout`] (`html.rs`), around the [`Parts`] a page
//! gives it, so the planet's language ([`Theme::strings`] from `strings.rs`, its locale) and
//! the admin's fragments (`assets.rs`) reach every page alike; a new kind of page calls it too.
//!
//! In: a [`Site`] (read from the store), the theme folder, and `now`. Out: `index.html`,
//! `atom.xml`, `rss.xml`, `feed.json`, `opml.xml`, `members/` (the landscape and a page per
//! member), `status.html` and `status.json`, the digest (`digest/`, `digest.xml`) and the
//! theme's files (with the faces it holds). Every output is built in memory first, so a
//! failure writes nothing; each file is then written to a temporary file in the same folder
//! and renamed over the old one, so a reader never sees half a file. Text files get compressed
//! variants beside them when they change (`precompress`).

mod assets;
mod atom;
mod digest;
mod html;
mod json_feed;
mod opml;
pub mod precompress;
mod rss;
mod status_json;
pub mod strings;
pub mod view;

pub use status_json::status_json;

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{DateTime, Utc};

use crate::atomic::{remove_stale_temp_files, write_if_changed};
use crate::model::{Cadence, DigestPeriod, EntryView, Site, Topic};
pub use html::{layout, search_page, Parts, SearchView};
use strings::{fill, Strings};

/// The planet's look beyond the style sheet: its interface strings in its language (with the
/// overrides of `strings.toml`), the locale that names its days and months, and the admin's
/// page fragments.
#[derive(Debug, Clone)]
pub struct Theme {
    pub strings: Strings,
    pub locale: chrono::Locale,
    pub fragments: assets::Fragments,
}

impl Theme {
    /// Reads the theme folder's `strings.toml` and fragments for a planet in `lang`.
    pub fn load(lang: &str, theme_dir: &Path) -> anyhow::Result<Theme> {
        Ok(Theme {
            strings: Strings::load(lang, theme_dir)?,
            locale: crate::lang::chrono_locale(lang),
            fragments: assets::fragments(theme_dir)?,
        })
    }
}

/// What a render did.
#[derive(Debug, Default)]
pub struct Rendered {
    /// Every file of the site (rewritten or already as it should be).
    pub written: Vec<PathBuf>,
    /// The merged Atom and RSS feeds (the planet's and each topic's) whose bytes changed, as
    /// paths under the output folder (`atom.xml`, `tags/<slug>/rss.xml`), in render order: the
    /// feeds a WebSub hub is told about. A feed's bytes change only when what it carries does
    /// (its dates come from its entries, not from `now`).
    pub changed_feeds: Vec<String>,
}

/// Whether `rel` (a path under the output folder, `/`-separated) is one of the merged Atom and
/// RSS feeds that announce the planet's WebSub hub: `atom.xml`, `rss.xml`, and the same in
/// `tags/<slug>/`.
pub fn is_merged_feed(rel: &str) -> bool {
    let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
    let in_topic = dir
        .strip_prefix("tags/")
        .is_some_and(|slug| !slug.is_empty() && !slug.contains('/'));
    matches!(name, "atom.xml" | "rss.xml") && (dir.is_empty() || in_topic)
}

/// Writes the whole site into `out_dir` and says what it wrote.
pub fn render_site(
    site: &Site,
    out_dir: &Path,
    theme_dir: &Path,
    now: DateTime<Utc>,
) -> anyhow::Result<Rendered> {
    render_site_then(site, out_dir, theme_dir, now, || {})
}

/// [`render_site`], calling `in_place` once every file is in place, before the compressed
/// variants of the changed ones are made (which takes longer than writing them: `serve` says
/// the planet is refreshed from then on).
pub fn render_site_then(
    site: &Site,
    out_dir: &Path,
    theme_dir: &Path,
    now: DateTime<Utc>,
    in_place: impl FnOnce(),
) -> anyhow::Result<Rendered> {
    let theme = Theme::load(&site.lang, theme_dir)?;
    // The digest's pages and feed (a year of posts) are made on other threads, beside the rest.
    let mut files = Vec::new();
    let (pages, digest) = crate::parallel::join(
        || site_files(site, &theme, out_dir, now, &mut files),
        || digest_files(site, &theme, now),
    );
    let pages = pages?;
    files.extend(digest?);
    for (name, bytes) in assets::theme_files(theme_dir)? {
        files.push((name, bytes));
    }
    files.extend(assets::theme_faces(theme_dir, &site.feeds)?);
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("cannot create the output folder {}", out_dir.display()))?;
    remove_stale_temp_files(out_dir);
    remove_stale_temp_files(&out_dir.join("page"));
    remove_stale_temp_files(&out_dir.join("digest"));
    for folder in ["tags", "members"] {
        for sub in std::fs::read_dir(out_dir.join(folder))
            .into_iter()
            .flatten()
            .flatten()
        {
            remove_stale_temp_files(&sub.path());
            remove_stale_temp_files(&sub.path().join("page"));
        }
    }
    remove_stale_temp_files(&out_dir.join("members"));
    let written: Vec<PathBuf> = files.iter().map(|(name, _)| out_dir.join(name)).collect();
    let mut changed = vec![false; files.len()];
    // Pages last: once a page is there, the feeds and the style sheet it links to are too (a
    // first render used to show the page a moment before its atom.xml existed).
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by_key(|&i| files[i].0.ends_with(".html"));
    for i in order {
        let path = &written[i];
        if let Some(dir) = path.parent().filter(|d| !d.exists()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        changed[i] = write_if_changed(path, &files[i].1)?;
    }
    remove_old_archive_pages(&out_dir.join("page"), pages);
    let topics: Vec<&str> = site.topics.iter().map(|t| t.slug.as_str()).collect();
    remove_old_folders(&out_dir.join("tags"), &topics);
    let members: Vec<&str> = site.members.iter().map(|m| m.slug.as_str()).collect();
    remove_old_folders(&out_dir.join("members"), &members);
    remove_old_digests(out_dir, &files);
    in_place();
    let changed_feeds = files
        .iter()
        .zip(&changed)
        .filter(|((name, _), changed)| **changed && is_merged_feed(name))
        .map(|((name, _), _)| name.clone())
        .collect();
    // The variants once every file is in place, so the site changes all at once as before;
    // meanwhile a changed file is sent uncompressed (its old variants no longer match it).
    for ((path, (_, bytes)), changed) in written.iter().zip(&files).zip(changed) {
        precompress::write_variants(path, bytes, changed)?;
    }
    Ok(Rendered {
        written,
        changed_feeds,
    })
}

/// Adds every page and feed but the digest's and the theme's to `files`: the planet's and each
/// topic's pages and merged feeds, the members' pages, the status page and JSON, the OPML list
/// and `robots.txt`. Returns the number of the planet's pages.
fn site_files(
    site: &Site,
    theme: &Theme,
    out_dir: &Path,
    now: DateTime<Utc>,
    files: &mut Vec<(String, Vec<u8>)>,
) -> anyhow::Result<usize> {
    let pages = planet_files(site, theme, "", now, files)?;
    for topic in &site.topics {
        let sub = topic_site(site, topic, &theme.strings);
        let dir = format!("tags/{}/", topic.slug);
        let pages = planet_files(&sub, theme, &dir, now, files)?;
        remove_old_archive_pages(&out_dir.join(&dir).join("page"), pages);
    }
    files.push((
        "members/index.html".into(),
        html::members_index(site, theme, now).into_bytes(),
    ));
    for (i, m) in site.members.iter().enumerate() {
        files.push((
            format!("members/{}/index.html", m.slug),
            html::member_page(site, theme, i, now).into_bytes(),
        ));
    }
    let histories: Vec<&[crate::model::FetchRecord]> =
        site.members.iter().map(|m| m.history.as_slice()).collect();
    files.extend([
        (
            "status.html".into(),
            html::status_page(site, theme, now).into_bytes(),
        ),
        (
            "status.json".into(),
            status_json(&site.feeds, &histories, now)
                .context("writing status.json")?
                .into_bytes(),
        ),
        (
            "opml.xml".into(),
            opml::opml(site, now).context("writing opml.xml")?,
        ),
        ("robots.txt".into(), robots(site).into_bytes()),
    ]);
    Ok(pages)
}

/// Adds one planet's pages and merged feeds to `files`, under `dir` (`""` or `tags/<slug>/`):
/// the front page, its archive pages, and the feeds of the front page's
/// entries. Returns the number of pages.
fn planet_files(
    site: &Site,
    theme: &Theme,
    dir: &str,
    now: DateTime<Utc>,
    files: &mut Vec<(String, Vec<u8>)>,
) -> anyhow::Result<usize> {
    let per_page = site.items_per_page.max(1);
    // The merged feeds carry the front page's entries; archive pages carry the rest.
    let front = with_entries(
        site,
        site.entries.iter().take(per_page).map(feed_entry).collect(),
    );
    let chunks: Vec<&[EntryView]> = if site.entries.is_empty() {
        vec![&[]]
    } else {
        site.entries.chunks(per_page).collect()
    };
    // From a page to the site's root: topics live two folders down, archive pages one more.
    let root = if dir.is_empty() { "" } else { "../../" };
    for (i, entries) in chunks.iter().enumerate() {
        let page_root = if i == 0 {
            root.to_string()
        } else {
            format!("{root}../")
        };
        let page = html::Page {
            number: i + 1,
            count: chunks.len(),
            entries,
            root: &page_root,
        };
        let name = if i == 0 {
            format!("{dir}index.html")
        } else {
            format!("{dir}page/{}.html", i + 1)
        };
        files.push((name, html::index(site, theme, &page).into_bytes()));
    }
    files.extend([
        (
            format!("{dir}atom.xml"),
            atom::atom(&front, now).with_context(|| format!("writing {dir}atom.xml"))?,
        ),
        (
            format!("{dir}rss.xml"),
            rss::rss(&front, now).with_context(|| format!("writing {dir}rss.xml"))?,
        ),
        (
            format!("{dir}feed.json"),
            json_feed::json_feed(&front, now).with_context(|| format!("writing {dir}feed.json"))?,
        ),
    ]);
    Ok(chunks.len())
}

/// The digest's files: a page per period with posts, the list of them, and `digest.xml`.
/// None with `digest = "off"`.
fn digest_files(
    site: &Site,
    theme: &Theme,
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let Some(d) = &site.digest else {
        return Ok(Vec::new());
    };
    // The pages on this thread, the feed on another: each shows every post of the year.
    let (mut files, feed) = crate::parallel::join(
        || {
            let mut files: Vec<(String, Vec<u8>)> = d
                .periods
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let page = digest::page(site, theme, d, i).into_bytes();
                    (format!("digest/{}.html", p.label), page)
                })
                .collect();
            let index = digest::index(site, theme, d).into_bytes();
            files.push(("digest/index.html".into(), index));
            files
        },
        || atom::digest_atom(site, theme, d, now).context("writing digest.xml"),
    );
    files.push(("digest.xml".into(), feed?));
    Ok(files)
}

/// The fingerprint of a period's entry in `digest.xml` (its title and content), which
/// `digest::build` records when it publishes the period.
pub fn digest_entry_hash(cadence: Cadence, p: &DigestPeriod, tz: chrono_tz::Tz) -> String {
    digest::entry_hash(cadence, p, tz)
}

/// An entry as the merged feeds carry it: members who want links only are not republished in
/// full anywhere.
fn feed_entry(e: &EntryView) -> EntryView {
    let mut e = e.clone();
    if e.member.excerpt_only {
        let body = e.content.as_deref().or(e.summary.as_deref()).unwrap_or("");
        let text = crate::sanitize::text_prefix_of_sanitised(body, view::SHORT_EXCERPT_CHARS);
        e.content = view::excerpt(&text, view::SHORT_EXCERPT_CHARS, true)
            .map(|x| crate::sanitize::text_to_html(&x));
        e.summary = None;
    }
    e
}

/// The sub-planet of one topic: its entries and members, under `tags/<slug>/`.
fn topic_site(site: &Site, topic: &Topic, t: &Strings) -> Site {
    let mut sub = with_entries(site, topic.entries.clone());
    sub.name = fill(&t.topic_title, &[("site", &site.name), ("tag", &topic.tag)]);
    sub.link = site
        .link
        .join(&format!("tags/{}/", topic.slug))
        .unwrap_or_else(|_| site.link.clone());
    sub.description = Some(fill(
        &t.topic_description,
        &[("site", &site.name), ("tag", &topic.tag)],
    ));
    sub.feeds
        .retain(|f| topic.feed_urls.contains(&f.member.config_url));
    sub.current_topic = Some(topic.slug.clone());
    sub
}

/// A copy of `site` showing `entries`: its settings, members and topic list are copied, its own
/// entries and its topics' entries are not (a render copies the site once per topic).
fn with_entries(site: &Site, entries: Vec<EntryView>) -> Site {
    Site {
        name: site.name.clone(),
        link: site.link.clone(),
        description: site.description.clone(),
        owner_name: site.owner_name.clone(),
        owner_email: site.owner_email.clone(),
        timezone: site.timezone,
        lang: site.lang.clone(),
        entries,
        items_per_page: site.items_per_page,
        noindex: site.noindex,
        excerpt_chars: site.excerpt_chars,
        feeds: site.feeds.clone(),
        last_success: site.last_success,
        stale_since: site.stale_since,
        members: Vec::new(),
        notices: site.notices.clone(),
        topics: site
            .topics
            .iter()
            .map(|t| Topic {
                tag: t.tag.clone(),
                slug: t.slug.clone(),
                feed_urls: t.feed_urls.clone(),
                entries: Vec::new(),
            })
            .collect(),
        current_topic: site.current_topic.clone(),
        id_base: site.id_base.clone(),
        digest: None,
        hub: site.hub.clone(),
        search: site.search,
    }
}

/// `robots.txt`: everything may be crawled but the admin's status page and its JSON, or
/// nothing at all with `noindex = true`.
fn robots(site: &Site) -> String {
    if site.noindex {
        "User-agent: *\nDisallow: /\n".to_string()
    } else {
        "User-agent: *\nDisallow: /status.html\nDisallow: /status.json\n".to_string()
    }
}

/// Archive pages past the current count (the planet shrank) are removed, so no page links to
/// a stale one.
fn remove_old_archive_pages(dir: &Path, pages: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        // `3.html` and its variants `3.html.gz`, `3.html.br`.
        let number = name
            .to_str()
            .map(|n| n.trim_end_matches(".gz").trim_end_matches(".br"))
            .and_then(|n| n.strip_suffix(".html"))
            .and_then(|n| n.parse::<usize>().ok());
        if number.is_some_and(|n| n > pages) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Digest files this render did not write are removed with their compressed variants: pages of
/// periods that left the digest or lost their posts, and everything once `digest = "off"`.
fn remove_old_digests(out_dir: &Path, files: &[(String, Vec<u8>)]) {
    let written = |name: &str| files.iter().any(|(n, _)| n == name);
    let variants = |name: &str| [name.to_string(), format!("{name}.gz"), format!("{name}.br")];
    if !written("digest.xml") {
        for v in variants("digest.xml") {
            let _ = std::fs::remove_file(out_dir.join(v));
        }
    }
    let Ok(entries) = std::fs::read_dir(out_dir.join("digest")) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let page = name.trim_end_matches(".gz").trim_end_matches(".br");
        if page.ends_with(".html") && !written(&format!("digest/{page}")) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    let _ = std::fs::remove_dir(out_dir.join("digest")); // only when empty
}

/// Topic and member folders no longer used (a tag dropped, a member gone) are removed with
/// their files.
fn remove_old_folders(dir: &Path, current: &[&str]) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let current: std::collections::HashSet<&str> = current.iter().copied().collect();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let current = name.to_str().is_some_and(|n| current.contains(n));
        if !current && entry.path().join("index.html").exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The OPML list of the planet's feeds (as written to `opml.xml`).
pub fn opml_bytes(site: &Site) -> anyhow::Result<Vec<u8>> {
    opml::opml(site, crate::clock::now())
}

/// The public URL of a file in the output folder.
fn url_in(site: &Site, file: &str) -> String {
    site.link
        .join(file)
        .map(|u| u.to_string())
        .unwrap_or_else(|_| format!("{}{file}", site.link))
}

#[cfg(test)]
mod tests {
    use super::is_merged_feed;

    #[test]
    fn the_merged_feeds_are_the_planets_and_each_topics_atom_and_rss() {
        for yes in [
            "atom.xml",
            "rss.xml",
            "tags/rust/atom.xml",
            "tags/a-b/rss.xml",
        ] {
            assert!(is_merged_feed(yes), "{yes}");
        }
        for no in [
            "feed.json",
            "index.html",
            "opml.xml",
            "tags/atom.xml",
            "tags//rss.xml",
            "tags/a/b/atom.xml",
            "page/atom.xml",
            "atom.xml.gz",
        ] {
            assert!(!is_merged_feed(no), "{no}");
        }
    }
}
