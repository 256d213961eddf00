//! The merged Atom 1.0 feed (RFC 4287), written by atom_syndication. Each entry keeps its
//! attribution in `<source>` (§4.2.11): the member feed's id, title and links. Also the
//! digest's feed, `digest.xml`: one entry per complete period.

use atom_syndication as atom;
use chrono::{DateTime, Utc};

use super::view::entry_id;
use crate::model::{Digest, EntryView, Site};

/// The merged feed: the planet's own metadata, then every entry with its `<source>`.
pub fn atom(site: &Site, now: DateTime<Utc>) -> anyhow::Result<Vec<u8>> {
    let feed = atom::Feed {
        title: atom::Text::plain(site.name.clone()),
        id: site.link.to_string(),
        updated: newest(site, now).fixed_offset(),
        subtitle: site.description.clone().map(atom::Text::plain),
        links: feed_links(site),
        authors: vec![owner(site)],
        generator: Some(generator()),
        entries: site.entries.iter().map(|e| entry(site, e)).collect(),
        ..Default::default()
    };
    write(&feed)
}

/// `digest.xml`: one entry per complete period, newest first, its id the planet's link with
/// `#digest-<period>` (stable forever), `updated` as published (see `digest::build`), its
/// content the period's posts by member as HTML.
pub fn digest_atom(
    site: &Site,
    theme: &super::Theme,
    digest: &Digest,
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<u8>> {
    let strings = &theme.strings;
    let name = super::digest::digest_name(digest.cadence, strings);
    let published: Vec<_> = digest.periods.iter().filter(|p| p.complete).collect();
    let entries = published
        .iter()
        .map(|p| {
            let (title, content) =
                super::digest::entry_text(digest.cadence, p, site.timezone, strings, theme.locale);
            let mut id = site.id_base.clone();
            id.set_fragment(Some(&format!("digest-{}", p.label)));
            atom::Entry {
                title: atom::Text::plain(title),
                id: id.to_string(),
                updated: p.updated.fixed_offset(),
                // The planet's owner, as on the feed: readers that show an entry's author
                // do not look at the feed's.
                authors: vec![owner(site)],
                links: vec![link(
                    &super::url_in(site, &format!("digest/{}.html", p.label)),
                    "alternate",
                    Some("text/html"),
                )],
                content: Some(atom::Content {
                    value: Some(content),
                    content_type: Some("html".into()),
                    ..Default::default()
                }),
                ..Default::default()
            }
        })
        .collect();
    let feed = atom::Feed {
        title: atom::Text::plain(format!("{} · {name}", site.name)),
        id: super::url_in(site, "digest.xml"),
        updated: published
            .iter()
            .map(|p| p.updated)
            .max()
            .unwrap_or(now)
            .fixed_offset(),
        subtitle: Some(atom::Text::plain(format!(
            "{name} of the posts of {}",
            site.name
        ))),
        links: vec![
            link(
                &super::url_in(site, "digest/index.html"),
                "alternate",
                Some("text/html"),
            ),
            link(
                &super::url_in(site, "digest.xml"),
                "self",
                Some("application/atom+xml"),
            ),
        ],
        authors: vec![owner(site)],
        generator: Some(generator()),
        entries,
        ..Default::default()
    };
    write(&feed)
}

fn write(feed: &atom::Feed) -> anyhow::Result<Vec<u8>> {
    let out = feed.write_with_config(
        Vec::new(),
        atom::WriteConfig {
            write_document_declaration: true,
            indent_size: Some(1),
        },
    )?;
    Ok(out)
}

/// The planet's owner, the author of its feeds.
fn owner(site: &Site) -> atom::Person {
    atom::Person {
        name: site.owner_name.clone().unwrap_or_else(|| site.name.clone()),
        email: site.owner_email.clone(),
        uri: None,
        ..Default::default()
    }
}

fn generator() -> atom::Generator {
    atom::Generator {
        value: "Mercury".into(),
        uri: None,
        version: Some(env!("CARGO_PKG_VERSION").into()),
    }
}

/// The feed's own links: the page, itself, and the WebSub hub that announces its changes
/// (W3C WebSub §4: `rel="hub"` with `rel="self"`, the topic URL subscribers give the hub).
fn feed_links(site: &Site) -> Vec<atom::Link> {
    let mut links = vec![
        link(site.link.as_str(), "alternate", Some("text/html")),
        link(
            &super::url_in(site, "atom.xml"),
            "self",
            Some("application/atom+xml"),
        ),
    ];
    if let Some(hub) = &site.hub {
        links.push(link(hub.as_str(), "hub", None));
    }
    links
}

/// One entry of the merged feed, its id made from the planet's id base.
fn entry(site: &Site, e: &EntryView) -> atom::Entry {
    let updated = e
        .updated
        .unwrap_or(e.date)
        .max(e.published.unwrap_or(e.date));
    atom::Entry {
        title: atom::Text::plain(e.title.clone().unwrap_or_default()),
        id: entry_id(&site.id_base, e),
        updated: updated.fixed_offset(),
        published: e.published.map(|d| d.fixed_offset()),
        authors: vec![atom::Person {
            name: e.author.clone().unwrap_or_else(|| e.member.name.clone()),
            // The post's own author's address, which the member's feed published.
            email: e.author.as_ref().and(e.author_email.clone()),
            ..Default::default()
        }],
        links: entry_links(e),
        categories: e
            .categories
            .iter()
            .map(|c| atom::Category {
                term: c.clone(),
                ..Default::default()
            })
            .collect(),
        content: e.content.as_ref().map(|c| atom::Content {
            value: Some(c.clone()),
            content_type: Some("html".into()),
            ..Default::default()
        }),
        summary: e.summary.clone().map(atom::Text::html),
        source: Some(source(e, updated)),
        ..Default::default()
    }
}

/// An entry's links: the post itself, then its enclosures with their lengths.
fn entry_links(e: &EntryView) -> Vec<atom::Link> {
    let mut links = Vec::new();
    if let Some(l) = &e.link {
        links.push(link(l, "alternate", Some("text/html")));
    }
    for enc in &e.enclosures {
        let mut l = link(&enc.url, "enclosure", enc.mime_type.as_deref());
        l.length = enc.length.map(|n| n.to_string());
        links.push(l);
    }
    links
}

/// An entry's `<source>` (RFC 4287 §4.2.11): the member feed it came from, so the attribution
/// survives the merge.
fn source(e: &EntryView, updated: DateTime<Utc>) -> atom::Source {
    let mut links = vec![link(&e.member.feed_url, "self", None)];
    if let Some(site_link) = &e.member.site_link {
        links.push(link(site_link, "alternate", Some("text/html")));
    }
    atom::Source {
        title: atom::Text::plain(e.member.display_title().to_string()),
        id: e.member.feed_url.clone(),
        updated: updated.fixed_offset(),
        links,
        authors: vec![atom::Person {
            name: e.member.name.clone(),
            ..Default::default()
        }],
        ..Default::default()
    }
}

/// The feed's `updated`: the newest entry's date, else `now` (an empty planet).
fn newest(site: &Site, now: DateTime<Utc>) -> DateTime<Utc> {
    site.entries
        .iter()
        .map(|e| e.updated.unwrap_or(e.date).max(e.date))
        .max()
        .unwrap_or(now)
}

fn link(href: &str, rel: &str, mime: Option<&str>) -> atom::Link {
    atom::Link {
        href: href.to_string(),
        rel: rel.to_string(),
        mime_type: mime.map(str::to_string),
        ..Default::default()
    }
}
