//! `opml.xml`: every member feed as an OPML 2.0 subscription list, written by the opml crate
//! and indented (one outline a line, as people read and diff it) by quick-xml.

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
    let mut xml = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".to_vec();
    xml.extend(indented(&doc.to_string()?)?);
    xml.push(b'\n');
    Ok(xml)
}

/// `xml` (one line, as the opml crate writes it) with each element on a line of its own,
/// indented two spaces a level. Events are copied as they are, so nothing is re-escaped.
fn indented(xml: &str) -> anyhow::Result<Vec<u8>> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut writer = quick_xml::Writer::new_with_indent(Vec::new(), b' ', 2);
    loop {
        match reader.read_event()? {
            Event::Eof => break,
            event => writer.write_event(event)?,
        }
    }
    Ok(writer.into_inner())
}
