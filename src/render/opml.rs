//! `opml.xml`: every member feed as an OPML 2.0 subscription list, written by the opml crate.

use chrono::{DateTime, Utc};

use crate::model::Site;

pub fn opml(site: &Site, _now: DateTime<Utc>) -> anyhow::Result<Vec<u8>> {
    let outlines = site
        .feeds
        .iter()
        .map(|f| opml::Outline {
            text: f.member.name.clone(),
            title: Some(f.member.display_title().to_string()),
            r#type: Some("rss".into()),
            xml_url: Some(f.member.feed_url.clone()),
            html_url: f.member.homepage.clone(),
            category: (!f.tags.is_empty()).then(|| f.tags.join(",")),
            ..Default::default()
        })
        .collect();
    let doc = opml::OPML {
        version: "2.0".into(),
        head: Some(opml::Head {
            title: Some(site.name.clone()),
            // The newest entry's date rather than the render time: the file only changes when
            // the planet does (stable validators for subscribers).
            date_modified: site
                .entries
                .iter()
                .map(|e| e.date)
                .max()
                .or(site.last_success)
                .map(|d| d.to_rfc2822()),
            owner_name: site.owner_name.clone(),
            owner_email: site.owner_email.clone(),
            ..Default::default()
        }),
        body: opml::Body { outlines },
    };
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    xml.push_str(&doc.to_string()?);
    xml.push('\n');
    Ok(xml.into_bytes())
}
