//! The merged RSS 2.0 feed, written by the rss crate. Each item names its member feed in
//! `<source url>` and its author in `dc:creator`, and in `<author>` too (`a@b.example (Name)`) when
//! the member's feed gave the author's address: RSS's own `<author>` must be an e-mail address.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rss::extension::atom::{AtomExtension, Link};
use rss::extension::dublincore::DublinCoreExtension;

use super::view::entry_id;
use crate::model::{EntryView, Site};

/// The merged feed: the planet's channel, then one item per entry.
pub fn rss(site: &Site, now: DateTime<Utc>) -> anyhow::Result<Vec<u8>> {
    let mut namespaces = BTreeMap::new();
    namespaces.insert(
        "atom".to_string(),
        "http://www.w3.org/2005/Atom".to_string(),
    );
    namespaces.insert(
        "dc".to_string(),
        "http://purl.org/dc/elements/1.1/".to_string(),
    );
    let channel = rss::Channel {
        title: site.name.clone(),
        link: site.link.to_string(),
        description: site
            .description
            .clone()
            .unwrap_or_else(|| site.name.clone()),
        generator: Some(format!("Mercury {}", env!("CARGO_PKG_VERSION"))),
        // The planet's language (`[planet] lang`), as RSS 2.0 asks for it.
        language: Some(site.lang.clone()),
        last_build_date: Some(
            site.entries
                .iter()
                .map(|e| e.date)
                .max()
                .unwrap_or(now)
                .to_rfc2822(),
        ),
        atom_ext: Some(AtomExtension {
            links: channel_links(site),
        }),
        namespaces,
        items: site.entries.iter().map(|e| item(site, e)).collect(),
        ..Default::default()
    };
    let mut out = Vec::new();
    channel.pretty_write_to(&mut out, b' ', 1)?;
    Ok(out)
}

/// The channel's `atom:link`s: itself, and the WebSub hub that announces its changes (RSS has
/// no element of its own for either; WebSub §4 names atom:link for RSS).
fn channel_links(site: &Site) -> Vec<Link> {
    let mut links = vec![Link {
        href: super::url_in(site, "rss.xml"),
        rel: "self".into(),
        mime_type: Some("application/rss+xml".into()),
        ..Default::default()
    }];
    if let Some(hub) = &site.hub {
        links.push(Link {
            href: hub.to_string(),
            rel: "hub".into(),
            ..Default::default()
        });
    }
    links
}

/// One item of the merged feed: its guid made from the planet's id base, its member feed in
/// `<source>`, and only its first enclosure (RSS allows one).
fn item(site: &Site, e: &EntryView) -> rss::Item {
    rss::Item {
        title: e.title.clone(),
        link: e.link.clone(),
        description: e.content.clone().or_else(|| e.summary.clone()),
        guid: Some(rss::Guid {
            value: entry_id(&site.id_base, e),
            permalink: false,
        }),
        pub_date: Some(e.date.to_rfc2822()),
        source: Some(rss::Source {
            url: e.member.feed_url.clone(),
            title: Some(e.member.display_title().to_string()),
        }),
        categories: e
            .categories
            .iter()
            .map(|c| rss::Category {
                name: c.clone(),
                domain: None,
            })
            .collect(),
        enclosure: e.enclosures.first().map(|enc| rss::Enclosure {
            url: enc.url.clone(),
            length: enc.length.unwrap_or(0).to_string(),
            mime_type: enc
                .mime_type
                .clone()
                .unwrap_or_else(|| "application/octet-stream".into()),
        }),
        // RSS's own `author` is an address (`a@b.example (Name)`): given only when the member's
        // feed gave one; the name is in `dc:creator` either way.
        author: e
            .author
            .as_ref()
            .zip(e.author_email.as_ref())
            .map(|(name, email)| format!("{email} ({name})")),
        dublin_core_ext: Some(DublinCoreExtension {
            creators: vec![e.author.clone().unwrap_or_else(|| e.member.name.clone())],
            ..Default::default()
        }),
        ..Default::default()
    }
}
