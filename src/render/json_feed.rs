//! The merged JSON Feed 1.1 (https://jsonfeed.org/version/1.1), as serde structs. Items carry
//! `authors` and a `_mercury` extension object with the member feed, the source entry's id and
//! position, and `also` (the other members' feed URLs of a cross-post shown once); the top level lists every member feed in `_mercury.feeds` (the conformance
//! harness in shared/corpus reads these).

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use super::view::entry_id;
use crate::model::Site;

#[derive(Serialize)]
struct JsonFeed<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: String,
    feed_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    /// The planet's language (`[planet] lang`), JSON Feed 1.1's top-level `language`.
    language: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<Author>,
    items: Vec<Item<'a>>,
    _mercury: FeedExt<'a>,
}

#[derive(Serialize)]
struct Author {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

#[derive(Serialize)]
struct Item<'a> {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    content_html: &'a str,
    /// The language the member's feed declared for the post.
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_published: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_modified: Option<String>,
    authors: Vec<Author>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attachments: Vec<Attachment<'a>>,
    _mercury: ItemExt<'a>,
}

#[derive(Serialize)]
struct Attachment<'a> {
    url: &'a str,
    mime_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    size_in_bytes: Option<u64>,
}

#[derive(Serialize)]
struct ItemExt<'a> {
    feed_url: &'a str,
    feed_title: &'a str,
    member: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    entry_id: Option<&'a str>,
    entry_index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary_html: Option<&'a str>,
    /// The other members' feed URLs when this is a cross-post shown once, here.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    also: Vec<&'a str>,
}

#[derive(Serialize)]
struct FeedExt<'a> {
    feeds: Vec<MemberFeed<'a>>,
}

#[derive(Serialize)]
struct MemberFeed<'a> {
    url: &'a str,
    name: &'a str,
    title: Option<&'a str>,
    link: Option<&'a str>,
}

pub fn json_feed(site: &Site, _now: DateTime<Utc>) -> anyhow::Result<Vec<u8>> {
    let rfc = |d: DateTime<Utc>| d.to_rfc3339_opts(SecondsFormat::Secs, true);
    let items = site
        .entries
        .iter()
        .map(|e| Item {
            id: entry_id(&site.id_base, e),
            url: e.link.as_deref(),
            title: e.title.as_deref(),
            content_html: e.content.as_deref().or(e.summary.as_deref()).unwrap_or(""),
            language: e.lang.as_deref(),
            date_published: e.published.map(rfc),
            date_modified: e.updated.map(rfc),
            authors: vec![Author {
                name: e.author.clone().unwrap_or_else(|| e.member.name.clone()),
                url: if e.author.is_none() {
                    e.member.homepage.clone()
                } else {
                    None
                },
            }],
            tags: e.categories.iter().map(String::as_str).collect(),
            attachments: e
                .enclosures
                .iter()
                .map(|a| Attachment {
                    url: &a.url,
                    mime_type: a.mime_type.as_deref().unwrap_or("application/octet-stream"),
                    size_in_bytes: a.length,
                })
                .collect(),
            _mercury: ItemExt {
                feed_url: &e.member.feed_url,
                feed_title: e.member.display_title(),
                member: &e.member.name,
                entry_id: e.source_id.as_deref(),
                entry_index: e.index,
                summary_html: e.summary.as_deref(),
                also: e.also.iter().map(|a| a.feed_url.as_str()).collect(),
            },
        })
        .collect();
    let feed = JsonFeed {
        version: "https://jsonfeed.org/version/1.1",
        title: &site.name,
        home_page_url: site.link.to_string(),
        feed_url: super::url_in(site, "feed.json"),
        description: site.description.as_deref(),
        language: &site.lang,
        authors: site
            .owner_name
            .iter()
            .map(|n| Author {
                name: n.clone(),
                url: None,
            })
            .collect(),
        items,
        _mercury: FeedExt {
            feeds: site
                .feeds
                .iter()
                .map(|f| MemberFeed {
                    url: &f.member.feed_url,
                    name: &f.member.name,
                    title: f.member.feed_title.as_deref(),
                    link: f.member.site_link.as_deref(),
                })
                .collect(),
        },
    };
    let mut out = serde_json::to_vec_pretty(&feed)?;
    out.push(b'\n');
    Ok(out)
}
