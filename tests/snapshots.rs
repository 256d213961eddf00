//! Snapshots (insta) of every output file of the showcase planet at a fixed `now`: the page, an
//! archive page, a topic, the members page and a member's page, the status page and its JSON,
//! the merged Atom/RSS/JSON feeds, the OPML list, robots.txt and the digest (its list, a week's
//! page, digest.xml). The feeds are parsed and stored by the real code (parse_feed into a real
//! SQLite file) with fixed fetch times, so the bytes depend only on the code. A change to any output
//! shows up as a reviewable diff (`cargo insta review`, or INSTA_UPDATE=always to accept).

mod common;

use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use common::showcase::{fixtures, MEMBERS, SETTINGS};
use mercury::config::Config;
use mercury::model::{FailureKind, FeedUpdate, FetchFailure, UpdateKind};
use mercury::store::Store;
use url::Url;

const STATIC: &str = "https://static.example.org";

fn at(day: u32, hour: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, min, 0).unwrap()
}

/// Builds the showcase planet (tests/common/showcase.rs: its members and fixtures) under the
/// members' own URLs, with fixed times; returns the output folder.
fn render_showcase(dir: &Path) -> PathBuf {
    let mut config_text = format!(
        r#"[planet]
name = "Library Bloggers"
link = "https://planet.example.org/"
description = "Blogs by librarians, archivists and the libraries they work in"
owner_name = "Planet Admin"
owner_email = "admin@example.org"
timezone = "Europe/London"
{SETTINGS}
"#
    );
    for m in &MEMBERS {
        config_text += &format!(
            "\n[[feed]]\nurl = {:?}\nname = {:?}\n{}",
            m.url,
            m.name,
            m.extra(STATIC)
        );
    }
    let config_path = dir.join("feeds.toml");
    std::fs::write(&config_path, &config_text).unwrap();
    let config = Config::load(&config_path).unwrap();
    let mut store = Store::open(&config.planet.database).unwrap();
    let requests = store.sync_feeds(&config.member_feeds()).unwrap();
    let bodies = MEMBERS.iter().map(|m| m.feed);
    let fetched_at = at(26, 17, 0);
    for (req, body) in requests.iter().zip(bodies) {
        let kind = match body {
            Some((file, content_type)) => {
                let text = std::fs::read_to_string(fixtures().join(file))
                    .unwrap()
                    .replace("{{BASE}}", STATIC);
                let base = Url::parse(&req.url).unwrap();
                let feed = mercury::parse::parse_feed(
                    text.as_bytes(),
                    &base,
                    Some(content_type),
                    fetched_at,
                )
                .unwrap();
                UpdateKind::Parsed {
                    status: 200,
                    etag: None,
                    last_modified: None,
                    moved_to: None,
                    body_hash: file.into(),
                    feed,
                }
            }
            None => UpdateKind::Failed(FetchFailure {
                kind: FailureKind::Http,
                status: Some(404),
                message: "the server answered 404 Not Found".into(),
                retry_after: None,
            }),
        };
        let failed = matches!(kind, UpdateKind::Failed(_));
        let update = FeedUpdate {
            feed_id: req.feed_id,
            fetched_at,
            elapsed_ms: 120,
            bytes: 2048,
            next_due: failed.then(|| at(26, 17, 10)),
            kind,
        };
        store
            .apply_batch(vec![update], None, |_, _| unreachable!("no panic here"))
            .map_err(|(_, e)| e)
            .unwrap();
    }
    let now = at(26, 17, 1);
    let mut site = mercury::site::build_site_at(&config, &store, &Default::default(), now).unwrap();
    // The digest as of a week later, when the posts' week is complete and published.
    site.digest = mercury::digest::build(
        &config,
        &mut store,
        &Default::default(),
        now + chrono::Days::new(6),
    )
    .unwrap();
    let out = dir.join("public");
    // A theme folder that does not exist: the embedded theme.
    mercury::render::render_site(&site, &out, &dir.join("no-theme"), now).unwrap();
    out
}

#[test]
fn every_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = render_showcase(dir.path());
    let files = [
        "index.html",
        "page/2.html",
        "tags/cataloguing/index.html",
        "tags/cataloguing/atom.xml",
        "status.html",
        "status.json",
        "members/index.html",
        "members/ada-lovelace-smith/index.html",
        "atom.xml",
        "rss.xml",
        "feed.json",
        "opml.xml",
        "robots.txt",
        "digest/index.html",
        "digest/2026-W48.html",
        "digest.xml",
    ];
    for file in files {
        let text = std::fs::read_to_string(out.join(file)).unwrap();
        insta::assert_snapshot!(file.replace('/', "__"), text);
    }
    // The same inputs give the same bytes.
    let again = tempfile::tempdir().unwrap();
    let out2 = render_showcase(again.path());
    for file in files {
        assert_eq!(
            std::fs::read(out.join(file)).unwrap(),
            std::fs::read(out2.join(file)).unwrap(),
            "{file} is not reproducible"
        );
    }
}
