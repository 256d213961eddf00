//! The questions other parts of Mercury ask `visibility` beyond the page (a member's posts with
//! their reasons, the shown posts of a date range), through a real database file.

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::{Hidden, Visibility};
use crate::config::moderation::Moderation;
use crate::config::Config;
use crate::model::{FeedUpdate, NewEntry, ParsedFeed, UpdateKind};
use crate::store::Store;

fn day(n: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap() - Duration::days(n)
}

fn entry(key: &str, days_ago: i64) -> NewEntry {
    NewEntry {
        key: key.into(),
        source_id: Some(key.into()),
        index: 0,
        link: Some(format!("https://a.example/{key}")),
        title: Some(key.into()),
        author: None,
        author_email: None,
        published: Some(day(days_ago)),
        updated: None,
        content: Some(format!("<p>{key}</p>")),
        summary: None,
        categories: vec![],
        enclosures: vec![],
        lang: None,
        content_hash: format!("{}{key}", crate::fingerprint::FINGERPRINT_PREFIX),
        raw_hash: String::new(),
        unchanged: false,
    }
}

/// A planet of one member, Alice, whose posts `p0` … `p5` are 0 … 5 days old, `ignore`ing `p1`.
fn planet(dir: &std::path::Path) -> (Config, Store) {
    let text = "[planet]\nname = \"P\"\nlink = \"https://p.example/\"\nitems = 2\n\
                archive_pages = 0\nignore = \"^p1\"\n\n\
                [[feed]]\nurl = \"https://a.example/feed\"\nname = \"Alice\"\n";
    let config = Config::from_str_at(text, &dir.join("feeds.toml")).unwrap();
    let mut store = Store::open(&config.planet.database).unwrap();
    let ids = store.sync_feeds(&config.member_feeds()).unwrap();
    let update = FeedUpdate {
        feed_id: ids[0].feed_id,
        fetched_at: day(0),
        elapsed_ms: 1,
        bytes: 1,
        next_due: None,
        kind: UpdateKind::Parsed {
            status: 200,
            etag: None,
            last_modified: None,
            moved_to: None,
            body_hash: "b".into(),
            feed: ParsedFeed {
                entries: (0..6).map(|i| entry(&format!("p{i}"), i)).collect(),
                ..ParsedFeed::default()
            },
        },
    };
    store
        .apply_batch(vec![update], None, |_, _| unreachable!())
        .map_err(|e| e.1)
        .unwrap();
    (config, store)
}

#[test]
fn a_members_posts_come_with_their_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let (config, store) = planet(dir.path());
    let moderation = Moderation::default();
    let v = Visibility::new(&config, &store, &moderation);
    let posts = v.feed_posts("https://a.example/feed", 4).unwrap();
    let got: Vec<(&str, &[Hidden])> = posts
        .iter()
        .map(|(e, h)| (e.key.as_str(), h.as_slice()))
        .collect();
    assert_eq!(got.len(), 4);
    assert_eq!(got[0], ("p0", &[][..]));
    assert!(matches!(got[1].1, [Hidden::Filter { rule, .. }] if rule == "ignore = \"^p1\""));
    // The filtered post took no slot: p2 is the page's second post.
    assert_eq!(got[2], ("p2", &[][..]));
    assert_eq!(got[3], ("p3", &[Hidden::BeyondArchive][..]));
}

#[test]
fn the_shown_posts_of_a_date_range() {
    let dir = tempfile::tempdir().unwrap();
    let (config, store) = planet(dir.path());
    let moderation = Moderation::default();
    let v = Visibility::new(&config, &store, &moderation);
    // Days 4 to 0 (the page holds two posts; the range is not limited by it).
    let shown = v
        .shown_between(day(4), day(0) + Duration::hours(1))
        .unwrap();
    let keys: Vec<&str> = shown.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["p0", "p2", "p3", "p4"]);
}

#[test]
fn every_reason_has_words() {
    let all = [
        Hidden::Filter {
            rule: "ignore = \"x\"".into(),
            location: "feeds.toml:3 planet.ignore".into(),
        },
        Hidden::Moderator { reason: None },
        Hidden::CrossPost {
            shown_under: "Bea".into(),
            feed_url: "https://b.example/feed".into(),
        },
        Hidden::Withdrawn,
        Hidden::JoinedLate,
        Hidden::BeyondMaxPerFeed,
        Hidden::BeyondArchive,
        Hidden::Pruned,
    ];
    let words: Vec<String> = all.iter().map(Hidden::describe).collect();
    assert!(words[0].contains("feeds.toml:3 planet.ignore"));
    assert!(words[2].contains("https://b.example/feed"));
    let distinct: std::collections::HashSet<&String> = words.iter().collect();
    assert_eq!(distinct.len(), all.len());
}

/// The member pages' one pass over every feed decides as the one-feed question does, and a
/// moderator's first decision about a post is the one that counts.
#[test]
fn every_members_posts_come_with_the_reasons_one_member_gets() {
    let dir = tempfile::tempdir().unwrap();
    let (config, store) = planet(dir.path());
    let decision = |reason: &str| crate::config::moderation::Decision {
        feed: "https://a.example/feed".into(),
        key: "p3".into(),
        link: None,
        reason: Some(reason.into()),
        when: None,
    };
    let moderation = Moderation {
        decisions: vec![decision("first"), decision("second")],
        ..Moderation::default()
    };
    let v = Visibility::new(&config, &store, &moderation);
    let one = v.feed_posts("https://a.example/feed", 5).unwrap();
    let all = v
        .feeds_posts(&["https://b.example/none", "https://a.example/feed"], 5)
        .unwrap();
    let reasons: Vec<(&str, &[Hidden])> = one
        .iter()
        .map(|(e, h)| (e.key.as_str(), h.as_slice()))
        .collect();
    let each: Vec<(&str, &[Hidden])> = all[1]
        .iter()
        .map(|(e, h, _)| (e.key.as_str(), h.as_slice()))
        .collect();
    assert!(all[0].is_empty());
    assert_eq!(each, reasons);
    assert_eq!(one.len(), 5);
    assert_eq!(one[3].0.key, "p3");
    assert_eq!(
        one[3].1,
        [Hidden::Moderator {
            reason: Some("first".into())
        }]
    );
}
