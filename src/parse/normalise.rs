//! feed-rs's [`Feed`] → our [`ParsedFeed`]: every field normalised by Mercury's rules.
//!
//! In: the parsed feed, the document URL, what the scan pass saw ([`scan::Extras`]), the link
//! spellings and the fetch time. Out: a [`ParsedFeed`] whose entries ([`NewEntry`]) have
//! deterministic keys, clamped UTC dates, plain-text titles, sanitised HTML and a fingerprint,
//! or an error once the [`Deadline`] has passed.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use feed_rs::model::{Entry, Feed, FeedType, Link, Text};
use url::Url;

use super::raw::RawContext;
use super::{dates, people, scan};
use crate::fingerprint::{fingerprint_of_digest, hash_hex};
use crate::model::{Enclosure, KnownEntries, KnownEntry, NewEntry, ParsedFeed};
use crate::sanitize;
use crate::web_url::WebUrl;

/// Entries kept from one feed document.
pub const MAX_ENTRIES: usize = 500;

/// Characters kept of a title or an author's name.
pub const MAX_TITLE_CHARS: usize = 300;

/// Cuts plain text to `max` characters, with an ellipsis when cut.
fn cap_chars(s: String, max: usize) -> String {
    if s.chars().count() <= max {
        return s;
    }
    let mut cut: String = s.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

/// Which kind of document the entries come from, for the rules that differ.
#[derive(Clone, Copy)]
struct Kind {
    is_atom: bool,
    is_rss: bool,
}

/// When normalising a feed's entries must stop.
#[derive(Clone, Copy)]
pub(super) struct Deadline {
    pub(super) at: Instant,
    pub(super) budget: Duration,
}

/// Normalises a parsed feed and its first [`MAX_ENTRIES`] entries. An entry whose raw
/// fingerprint is one of `known` (the feed's stored entries) is not normalised again: it stands
/// in the result as [`NewEntry::unchanged`], with what the store knew of it.
pub(super) fn normalise(
    feed: Feed,
    base: &Url,
    extras: &scan::Extras,
    spellings: &[(Url, String)],
    fetched_at: DateTime<Utc>,
    deadline: Deadline,
    known: &KnownEntries,
) -> Result<ParsedFeed, String> {
    let is_atom = feed.feed_type == FeedType::Atom;
    let is_rss = matches!(
        feed.feed_type,
        FeedType::RSS0 | FeedType::RSS1 | FeedType::RSS2
    );
    let title = feed
        .title
        .as_ref()
        .map(|t| text_title(t, is_rss))
        .or_else(|| extras.feed_dc_title.as_deref().map(sanitize::html_to_text))
        .map(|t| cap_chars(t, MAX_TITLE_CHARS));
    let site_link = alternate_link(&feed.links, base).map(|u| keep_spelling(u, spellings, &[]));
    let hub = rel_link(&feed.links, "hub", base).map(String::from);
    let self_link = rel_link(&feed.links, "self", base).map(String::from);

    let mut entries: Vec<NewEntry> = Vec::with_capacity(feed.entries.len());
    let mut seen_keys = std::collections::HashSet::new();
    let mut future_dates = 0;
    let raw = RawContext::new(&feed, base, spellings);
    let mut skipped = 0;
    // Bounded work per feed: a document with tens of thousands of entries keeps its first
    // MAX_ENTRIES (feeds list the newest first).
    for (index, entry) in feed.entries.iter().enumerate().take(MAX_ENTRIES) {
        crate::fault::slow("slow-entry", base.as_str());
        if Instant::now() > deadline.at {
            return Err(format!(
                "reading its entries took longer than {} s (timeout_secs) after {index} of {}: \
                 its posts cost too much to read; the feed is tried again later",
                deadline.budget.as_secs(),
                feed.entries.len().min(MAX_ENTRIES)
            ));
        }
        // The scan saw the same document; use it only when it saw the same entries.
        let mut extra = if extras.entries.len() == feed.entries.len() {
            extras.entries.get(index).cloned().unwrap_or_default()
        } else {
            scan::EntryExtras::default()
        };
        if [entry.published, entry.updated]
            .iter()
            .flatten()
            .any(|d| *d > fetched_at)
        {
            future_dates += 1; // clamped by entry_dates; the member page says so
        }
        // The entry's own language, else the document's; a malformed tag is dropped (it would
        // make the page's HTML invalid, and it is untrusted).
        // (feed-rs reads xml:lang on <content> only, where the document's is inherited.)
        extra.lang = extra
            .lang
            .as_deref()
            .or(entry.language.as_deref())
            .or(feed.language.as_deref())
            .and_then(crate::lang::canonical);
        let raw_hash = raw.fingerprint(entry, &extra);
        if let Some(e) = known
            .get(&raw_hash)
            .filter(|k| !seen_keys.contains(&k.key))
            .map(|k| unchanged_entry(k, index, raw_hash.clone()))
        {
            seen_keys.insert(e.key.clone());
            entries.push(e);
            skipped += 1;
            continue;
        }
        let kind = Kind { is_atom, is_rss };
        let mut e = normalise_entry(entry, index, base, &extra, spellings, fetched_at, kind);
        e.raw_hash = raw_hash;
        // One feed may repeat an id for different posts; keep both, deterministically.
        if !seen_keys.insert(e.key.clone()) {
            let salt = e.link.clone().unwrap_or_else(|| e.content_hash.clone());
            e.key = format!("{}#{}", e.key, &hash_hex(salt.as_bytes())[..16]);
            if !seen_keys.insert(e.key.clone()) {
                continue; // an exact duplicate of an entry already in this document
            }
        }
        entries.push(e);
    }
    // The tests read this line to tell which entries went through normalising and sanitising.
    tracing::debug!(
        feed = base.as_str(),
        normalised = entries.len() - skipped,
        skipped,
        "entries read"
    );
    let author = feed
        .authors
        .iter()
        .map(person_name)
        .find(|n| !n.is_empty())
        .map(|a| cap_chars(a, MAX_TITLE_CHARS));
    Ok(ParsedFeed {
        title,
        site_link,
        author,
        image: None,
        future_dates,
        entries,
        hub,
        self_link,
    })
}

/// An entry the document gave exactly as last time, standing in for its stored self.
fn unchanged_entry(known: &KnownEntry, index: usize, raw_hash: String) -> NewEntry {
    NewEntry {
        key: known.key.clone(),
        source_id: None,
        index,
        link: known.link.clone(),
        title: None,
        author: None,
        author_email: None,
        published: None,
        updated: None,
        content: None,
        summary: None,
        categories: Vec::new(),
        enclosures: Vec::new(),
        lang: None,
        content_hash: known.content_hash.clone(),
        raw_hash,
        unchanged: true,
    }
}

/// One entry, field by field. `extra` is what the scan saw of this entry (empty when the scan
/// saw a different list of entries).
fn normalise_entry(
    entry: &Entry,
    index: usize,
    feed_base: &Url,
    extra: &scan::EntryExtras,
    spellings: &[(Url, String)],
    fetched_at: DateTime<Utc>,
    kind: Kind,
) -> NewEntry {
    let base = entry_base(entry, feed_base);
    let (published, updated) = entry_dates(entry, extra);
    let clamp = |d: Option<DateTime<Utc>>| d.map(|d| d.min(fetched_at));
    let (author, author_email) = entry_author(entry, extra);
    let mut e = NewEntry {
        key: String::new(),
        source_id: source_id(entry, extra, &base),
        index,
        link: entry_link(entry, extra, &base, spellings),
        title: entry_title(entry, extra, kind.is_rss),
        author,
        author_email,
        published: clamp(published),
        updated: clamp(updated),
        content: entry_content(entry, extra, &base, kind.is_atom),
        summary: entry_summary(entry, extra, &base),
        categories: entry_categories(entry, extra),
        enclosures: entry_enclosures(entry, &base),
        // Checked and inherited by the caller.
        lang: extra.lang.clone(),
        content_hash: String::new(),
        raw_hash: String::new(),
        unchanged: false,
    };
    // Both read the normalised fields, so they come last. The fingerprint takes the dates as
    // the feed gives them: a post dated in the future is clamped to the fetch time, which moves
    // on every fetch, and must not count as a change (its stored, clamped date stays).
    e.content_hash = content_hash(&e, [published, updated]);
    e.key = entry_key(&e);
    e
}

/// xml:base on the entry, else the document URL, for relative URLs in the content. Only an
/// http(s) base: a `javascript:` one would turn every relative link into script.
fn entry_base(entry: &Entry, feed_base: &Url) -> Url {
    entry
        .base
        .as_deref()
        .and_then(|b| feed_base.join(b.trim()).ok())
        .filter(WebUrl::is_web)
        .unwrap_or_else(|| feed_base.clone())
}

/// The id as the source gives it: Atom id or RSS guid, else RSS 1.0's `rdf:about`.
fn source_id(entry: &Entry, extra: &scan::EntryExtras, base: &Url) -> Option<String> {
    Some(sanitize::plain_text(&entry.id))
        .filter(|s| !s.is_empty())
        .or_else(|| extra.about.as_deref().map(sanitize::plain_text))
        .map(|id| resolve_path_id(id, base))
}

/// The entry's web page, as the feed spelled it when it could.
fn entry_link(
    entry: &Entry,
    extra: &scan::EntryExtras,
    base: &Url,
    spellings: &[(Url, String)],
) -> Option<String> {
    // RSS: a guid that is a permalink (the default) is the link when there is no <link>.
    alternate_link(&entry.links, base)
        .or_else(|| match &extra.guid {
            Some((guid, true)) => Url::parse(guid.trim()).ok().filter(WebUrl::is_web),
            _ => None,
        })
        .map(|u| keep_spelling(u, spellings, &entry.links))
}

/// The entry's key within its feed (DESIGN.md): its source id, else its link, else a SHA-256
/// of title and body, which is stored and so must never change.
fn entry_key(e: &NewEntry) -> String {
    e.source_id
        .clone()
        .or_else(|| e.link.clone())
        .unwrap_or_else(|| {
            let body = format!(
                "{}\u{0}{}",
                e.title.as_deref().unwrap_or(""),
                e.content.as_deref().or(e.summary.as_deref()).unwrap_or("")
            );
            format!("sha256:{}", hash_hex(body.as_bytes()))
        })
}

/// The title, else (RSS 1.0 from repositories and library systems) the scan's `dc:title`.
fn entry_title(entry: &Entry, extra: &scan::EntryExtras, is_rss: bool) -> Option<String> {
    let own = entry.title.as_ref().map(|t| text_title(t, is_rss));
    match own {
        Some(t) if !t.is_empty() => Some(t),
        // An empty title stays an empty title when there is nothing to stand in for it.
        own => (extra.dc_title.as_deref().map(sanitize::html_to_text)).or(own),
    }
    .map(|t| cap_chars(t, MAX_TITLE_CHARS))
}

/// The first author with a name (else an address), else the scan's Dublin Core and iTunes
/// authors: the name to show, without parentheses or the address ([`people::person`]), and
/// that author's address apart, when the feed gave one.
fn entry_author(entry: &Entry, extra: &scan::EntryExtras) -> (Option<String>, Option<String>) {
    entry
        .authors
        .iter()
        .map(person_of)
        .chain(extra.authors.iter().map(|a| people::person(a)))
        .find(|p| !p.name.is_empty())
        .map_or((None, None), |p| {
            let email = p.email.filter(|e| {
                e.len() <= MAX_EMAIL_BYTES && !e.chars().any(|c| c.is_control() || c == '\u{fffd}')
            });
            (Some(cap_chars(p.name, MAX_TITLE_CHARS)), email)
        })
}

/// The longest address kept (RFC 5321's limit on a path).
const MAX_EMAIL_BYTES: usize = 254;

/// A feed-rs person's name to show (without the address, else the address) and address (from
/// the name's text, else Atom's `<email>`).
fn person_of(p: &feed_rs::model::Person) -> people::Person {
    let split = people::person(p.name.as_deref().unwrap_or(""));
    let own_email = || p.email.as_deref().and_then(|e| people::person(e).email);
    if split.name.is_empty() {
        people::Person {
            name: p
                .email
                .as_deref()
                .map(sanitize::plain_text)
                .unwrap_or_default(),
            email: own_email(),
        }
    } else {
        people::Person {
            email: split.email.or_else(own_email),
            name: split.name,
        }
    }
}

/// A feed-rs person's name to show: its name without the address, else its address.
fn person_name(p: &feed_rs::model::Person) -> String {
    person_of(p).name
}

/// Published and updated, from feed-rs else the scan's dcterms, as the feed gives them (the
/// caller clamps them to the fetch time).
fn entry_dates(
    entry: &Entry,
    extra: &scan::EntryExtras,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    let published = entry
        .published
        .or_else(|| extra.issued.as_deref().and_then(dates::parse));
    let updated = entry
        .updated
        .or_else(|| extra.modified.as_deref().and_then(dates::parse));
    (published, updated)
}

/// The content body, sanitised.
fn entry_content(
    entry: &Entry,
    extra: &scan::EntryExtras,
    base: &Url,
    is_atom: bool,
) -> Option<String> {
    entry
        .content
        .as_ref()
        .and_then(|c| {
            let body = c.body.as_deref()?;
            let base = extra.content_base.as_ref().unwrap_or(base);
            Some(html_of(body, c.content_type.as_str(), base))
        })
        .filter(|s| !s.is_empty())
        .or_else(|| {
            // An RSS item with a description and also a `<summary>` (or dc:description) has
            // two bodies: the second is shown as the content, as feedparser does.
            let second =
                (extra.description.as_deref()).filter(|_| !is_atom && entry.summary.is_some())?;
            let base = extra.summary_base.as_ref().unwrap_or(base);
            Some(sanitize::clean_html(second, Some(base))).filter(|s| !s.is_empty())
        })
}

/// The summary body (else the scan's dc:description), sanitised.
fn entry_summary(entry: &Entry, extra: &scan::EntryExtras, base: &Url) -> Option<String> {
    let base = extra.summary_base.as_ref().unwrap_or(base);
    entry
        .summary
        .as_ref()
        .map(|t| html_of(&t.content, t.content_type.as_str(), base))
        .or_else(|| {
            extra
                .description
                .as_deref()
                .map(|d| sanitize::clean_html(d, Some(base)))
        })
        .filter(|s| !s.is_empty())
}

/// Category terms (else labels) and the scan's subjects, plain text, each once, in order.
fn entry_categories(entry: &Entry, extra: &scan::EntryExtras) -> Vec<String> {
    let mut categories: Vec<String> = Vec::new();
    for c in &entry.categories {
        let term = sanitize::plain_text(
            c.label
                .as_deref()
                .filter(|_| c.term.is_empty())
                .unwrap_or(&c.term),
        );
        if !term.is_empty() && !categories.contains(&term) {
            categories.push(term);
        }
    }
    for subject in &extra.subjects {
        let term = sanitize::plain_text(subject);
        if !term.is_empty() && !categories.contains(&term) {
            categories.push(term);
        }
    }
    categories
}

/// Media RSS contents, then `rel="enclosure"` links not already listed; http(s) only.
fn entry_enclosures(entry: &Entry, base: &Url) -> Vec<Enclosure> {
    let mut enclosures = Vec::new();
    for media in &entry.media {
        for mc in &media.content {
            let Some(url) = mc.url.as_ref().filter(|u| WebUrl::is_web(u)) else {
                continue;
            };
            let enc = Enclosure {
                url: url.to_string(),
                mime_type: mc.content_type.as_ref().map(|m| m.to_string()),
                length: mc.size,
            };
            if !enclosures.contains(&enc) {
                enclosures.push(enc);
            }
        }
    }
    for l in entry
        .links
        .iter()
        .filter(|l| l.rel.as_deref() == Some("enclosure"))
    {
        if let Some(url) = resolve(&l.href, base) {
            let enc = Enclosure {
                url: url.to_string(),
                mime_type: l.media_type.clone(),
                length: l.length,
            };
            if !enclosures.iter().any(|e| e.url == enc.url) {
                enclosures.push(enc);
            }
        }
    }
    enclosures
}

/// The entry's fingerprint over every normalised field but its position and key, with the
/// `dates` (published, updated) as the feed gave them, before clamping: equal fingerprints,
/// nothing to write. The fields are hashed one by one with separators, never joined into one
/// buffer.
fn content_hash(e: &NewEntry, dates: [Option<DateTime<Utc>>; 2]) -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for part in [
        e.source_id.as_deref(),
        e.link.as_deref(),
        e.title.as_deref(),
        e.author.as_deref(),
        e.content.as_deref(),
        e.summary.as_deref(),
    ] {
        h.update(part.unwrap_or("\u{0}").as_bytes());
        h.update(&[0xff]);
    }
    for d in dates {
        h.update(&d.map(|d| d.timestamp()).unwrap_or(i64::MIN).to_le_bytes());
    }
    // Only when given, so the fingerprints of entries without an address stay as they were.
    if let Some(email) = &e.author_email {
        h.update(b"email\xfd");
        h.update(email.as_bytes());
    }
    // Only when declared, so the fingerprints of entries without a language stay as they were.
    if let Some(lang) = &e.lang {
        h.update(b"lang\xfd");
        h.update(lang.as_bytes());
    }
    for c in &e.categories {
        h.update(c.as_bytes());
        h.update(&[0xfe]);
    }
    for enc in &e.enclosures {
        h.update(enc.url.as_bytes());
        h.update(&[0xfd]);
    }
    fingerprint_of_digest(h.digest128())
}

/// A title as plain text. Atom says whether it is text or HTML, and JSON Feed titles are text;
/// RSS titles often carry escaped markup, so those are treated as HTML when they look like it.
fn text_title(t: &Text, is_rss: bool) -> String {
    let is_markup = matches!(t.content_type.subty().as_str(), "html" | "xhtml")
        || (is_rss && sanitize::looks_like_html(&t.content));
    if is_markup {
        sanitize::html_to_text(&t.content)
    } else {
        sanitize::plain_text(&t.content)
    }
}

/// Sanitised HTML for a body of the given media type.
fn html_of(body: &str, media_type: &str, base: &Url) -> String {
    let mt = media_type.to_ascii_lowercase();
    if mt.starts_with("text/plain") {
        sanitize::text_to_html(body.trim())
    } else {
        sanitize::clean_html(body, Some(base))
    }
}

/// The first alternate link (no rel, or rel="alternate"), absolute and http(s).
fn alternate_link<'a>(links: &'a [Link], base: &Url) -> Option<Url> {
    links
        .iter()
        .filter(|l| matches!(l.rel.as_deref(), None | Some("alternate")))
        .find_map(|l| resolve(&l.href, base))
        .or_else(|| {
            // Some feeds give only typed links; any non-self, non-enclosure link will do.
            links
                .iter()
                .filter(|l| !matches!(l.rel.as_deref(), Some("self" | "enclosure" | "hub")))
                .find_map(|l: &'a Link| resolve(&l.href, base))
        })
}

/// The first link with `rel` (WebSub's `hub` and `self`, W3C WebSub §4), absolute and http(s).
fn rel_link(links: &[Link], rel: &str, base: &Url) -> Option<Url> {
    links
        .iter()
        .filter(|l| l.rel.as_deref() == Some(rel))
        .find_map(|l| resolve(&l.href, base))
}

/// An id that is a path (`/2024/post`) is a relative URI reference: resolve it against the
/// base, as feed readers do. Opaque ids (`tag:…`, `urn:…`, `1234`) are left alone.
fn resolve_path_id(id: String, base: &Url) -> String {
    if id.starts_with('/') && !id.starts_with("//") {
        if let Ok(u) = base.join(&id) {
            return u.to_string();
        }
    }
    id
}

/// The link as the feed spelled it when that was already absolute (no case or escaping changes),
/// else the resolved URL. `spellings` are the RSS link texts the parser changed
/// ([`scan::link_spellings`]); `links` are feed-rs's.
fn keep_spelling(resolved: Url, spellings: &[(Url, String)], links: &[Link]) -> String {
    if let Some((_, written)) = spellings.iter().find(|(parsed, _)| *parsed == resolved) {
        return written.clone();
    }
    links
        .iter()
        .map(|l| l.href.trim())
        .find(|href| {
            Url::parse(href).is_ok_and(|u| u == resolved)
                && !href.chars().any(|c| c.is_whitespace() || c.is_control())
        })
        .map(str::to_string)
        .unwrap_or_else(|| resolved.to_string())
}

fn resolve(href: &str, base: &Url) -> Option<Url> {
    let href = sanitize::strip_controls(href);
    base.join(href.trim()).ok().filter(WebUrl::is_web)
}
