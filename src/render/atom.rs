//! The merged Atom 1.0 feed (RFC 4287), written by atom_syndication. Each entry keeps its
//! attribution in `<source>` (§4.2.11): the member feed's id, title and links.

use atom_syndication as atom;
use chrono::{DateTime, Utc};

use super::view::entry_id;
use crate::model::{EntryView, Site};

/// The merged feed: the planet's own metadata, then every entry with its `<source>`.
pub fn atom(site: &Site, now: DateTime<Utc>) -> anyhow::Result<Vec<u8>> {
    let feed = atom::Feed {
        title: atom::Text::plain(site.name.clone()),
        id: site.link.to_string(),
        updated: newest(site, now).fixed_offset(),
        subtitle: site.description.clone().map(atom::Text::plain),
        links: feed_links(site),
        authors: vec![atom::Person {
            name: site.owner_name.clone().unwrap_or_else(|| site.name.clone()),
            email: site.owner_email.clone(),
            uri: None,
            ..Default::default()
        }],
        generator: Some(atom::Generator {
            value: "Mercury".into(),
            uri: None,
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
        entries: site.entries.iter().map(|e| entry(site, e)).collect(),
        ..Default::default()
    };
    let out = feed.write_with_config(
        Vec::new(),
        atom::WriteConfig {
            write_document_declaration: true,
            indent_size: Some(1),
        },
    )?;
    Ok(out)
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
