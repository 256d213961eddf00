//! Guards `mercury why POST`: for a shown post, where it shows (page, archive page, tag pages,
//! merged feeds); for a hidden one, every reason: a topic filter (with its feeds.toml line and
//! key), a moderator, joined late (`new_feed_items`), `max_per_feed`, beyond the archive.
//! (Cross-posts: tests/cross_posts.rs; the moderator's reason: tests/moderation.rs.)

mod common;

use common::posts::{post, rss, Post};
use common::*;

fn ok(out: &std::process::Output) -> String {
    assert!(out.status.success(), "{}", describe(out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Alice's posts, newest first: "Post 0" (today) … "Post {n-1}".
fn posts(n: u32) -> Vec<Post> {
    (0..n)
        .map(|i| post(&format!("Post {i}"), &format!("https://a.example/{i}"), i))
        .collect()
}

fn planet_with(server: &FeedServer, extra: &str) -> Planet {
    server.feed("/a.xml", &rss("A", &posts(4)), "application/rss+xml");
    let mut planet = Planet::new();
    planet.planet_extra = extra.into();
    planet.feed_with(&server.url("/a.xml"), "Alice", "tags = [\"work\"]");
    planet.update();
    planet
}

#[test]
fn a_shown_post_says_where() {
    let server = FeedServer::start();
    let planet = planet_with(&server, "items = 2\narchive_pages = 1");
    let why = ok(&planet.mercury(&["why", "https://a.example/0"]));
    assert!(why.starts_with("Post 0 by Alice ("), "{why}");
    assert!(
        why.contains("shown: yes, on index.html and in atom.xml, rss.xml and feed.json"),
        "{why}"
    );
    assert!(why.contains("tag pages: tags/work/index.html"), "{why}");
    let why = ok(&planet.mercury(&["why", "https://a.example/3"]));
    assert!(why.contains("shown: yes, on page/2.html\n"), "{why}");
    assert!(
        !why.contains("tag pages"),
        "past the tag page's items: {why}"
    );
}

#[test]
fn filters_moderators_max_per_feed_and_the_archive_are_reasons() {
    let server = FeedServer::start();
    let mut planet = planet_with(&server, "items = 2\narchive_pages = 0");
    let why = ok(&planet.mercury(&["why", "https://a.example/3"]));
    assert!(why.contains("shown: no"), "{why}");
    assert!(
        why.contains("  - older than the archive pages hold"),
        "{why}"
    );

    planet.planet_extra = "max_per_feed = 1\nignore = \"Post [12]\"".into();
    let line = planet
        .config_text()
        .lines()
        .position(|l| l.starts_with("ignore"))
        .unwrap()
        + 1;
    let why = ok(&planet.mercury(&["why", "https://a.example/3"]));
    assert!(
        why.contains("  - beyond `max_per_feed`: newer posts of the same member fill its share"),
        "{why}"
    );
    let why = ok(&planet.mercury(&["why", "https://a.example/1"]));
    assert!(
        why.contains(&format!(
            "  - hidden by the topic filter ignore = \"Post [12]\" (feeds.toml:{line} planet.ignore)"
        )),
        "{why}"
    );
    // Every reason is listed: the filter and the moderator.
    ok(&planet.mercury(&["hide", "https://a.example/1", "--reason", "duplicate"]));
    let why = ok(&planet.mercury(&["why", "https://a.example/1"]));
    assert!(why.contains("hidden by the topic filter"), "{why}");
    assert!(
        why.contains("  - hidden by a moderator: duplicate"),
        "{why}"
    );
}

#[test]
fn a_member_who_joined_late_shows_its_newest_posts_only() {
    let server = FeedServer::start();
    let mut planet = planet_with(&server, "");
    server.feed(
        "/b.xml",
        &rss("B", &{
            let mut p = posts(7);
            for (i, x) in p.iter_mut().enumerate() {
                x.title = format!("Bob {i}");
                x.link = format!("https://b.example/{i}");
            }
            p
        }),
        "application/rss+xml",
    );
    planet.feed(&server.url("/b.xml"), "Bob");
    planet.update();
    let why = ok(&planet.mercury(&["why", "https://b.example/6"]));
    assert!(why.contains("shown: no"), "{why}");
    assert!(
        why.contains("stored when its feed joined the planet"),
        "{why}"
    );
    let why = ok(&planet.mercury(&["why", "https://b.example/4"]));
    assert!(why.contains("shown: yes"), "{why}");
}
