//! Guards cross-posts: the same post in two members' feeds (same link once normalised, or the
//! same title and text within 14 days) shows once, under the member whose home page is on the link's host,
//! else under the earliest copy; the page says "also on", feed.json carries `_mercury.also`,
//! `why` names where the other copy shows, and `collapse_duplicates = false` shows every copy.

mod common;

use common::posts::{post, rss, titles_on};
use common::*;

fn ok(out: &std::process::Output) -> String {
    assert!(out.status.success(), "{}", describe(out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn members_of(planet: &Planet, title: &str) -> Vec<String> {
    planet.json_feed()["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["title"] == title)
        .map(|i| i["_mercury"]["member"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_cross_post_shows_under_the_member_whose_home_page_is_on_its_host() {
    let server = FeedServer::start();
    // Alice's own copy is the newer one: the home page decides, not the date.
    let alice = [post("Shared", "https://alice.example/shared/", 1)];
    let bob = [post(
        "Shared",
        "https://ALICE.example/shared?utm_source=rss#top",
        2,
    )];
    server.feed("/a.xml", &rss("A", &alice), "application/rss+xml");
    server.feed("/b.xml", &rss("B", &bob), "application/rss+xml");
    let mut planet = Planet::new();
    planet
        .feed_with(
            &server.url("/a.xml"),
            "Alice",
            "homepage = \"https://alice.example/\"",
        )
        .feed(&server.url("/b.xml"), "Bob");
    planet.update();
    assert_eq!(members_of(&planet, "Shared"), ["Alice"]);
    assert_eq!(titles_on(&planet.read("index.html")), ["Shared"]);
    assert!(planet.read("index.html").contains("also on: Bob"));
    let item = &planet.items_of(&server.url("/a.xml"))[0];
    assert_eq!(
        item["_mercury"]["also"],
        serde_json::json!([server.url("/b.xml")])
    );
    // Bob's copy, named by its link as written: hidden under Alice's.
    let why = ok(&planet.mercury(&["why", "https://ALICE.example/shared?utm_source=rss#top"]));
    assert!(why.contains("Shared by Bob"), "{why}");
    assert!(
        why.contains(&format!(
            "the same post is shown under Alice ({})",
            server.url("/a.xml")
        )),
        "{why}"
    );
    // A link that only normalises alike names both copies: an error listing them.
    let out = planet.mercury(&["why", "https://alice.example/shared"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("names 2 stored posts"), "{stderr}");
    let why = ok(&planet.mercury(&["why", "https://alice.example/shared/"]));
    assert!(why.contains("shown: yes, on index.html"), "{why}");
    assert!(why.contains("also on: Bob"), "{why}");
}

#[test]
fn otherwise_the_earliest_copy_shows_and_why_names_it() {
    let server = FeedServer::start();
    let carol = [post("Syndicated", "https://news.example/story", 3)];
    let dan = [post("Syndicated", "https://news.example/story/", 1)];
    server.feed("/c.xml", &rss("C", &carol), "application/rss+xml");
    server.feed("/d.xml", &rss("D", &dan), "application/rss+xml");
    let mut planet = Planet::new();
    planet
        .feed(&server.url("/c.xml"), "Carol")
        .feed(&server.url("/d.xml"), "Dan");
    planet.update();
    assert_eq!(members_of(&planet, "Syndicated"), ["Carol"]);
    assert!(planet.read("index.html").contains("also on: Dan"));

    // Dan's copy: hidden, with where it shows.
    let why = ok(&planet.mercury(&["why", "https://news.example/story/"]));
    assert!(why.contains("Syndicated by Dan"), "{why}");
    assert!(why.contains("shown: no"), "{why}");
    assert!(
        why.contains(&format!(
            "a cross-post: the same post is shown under Carol ({})",
            server.url("/c.xml")
        )),
        "{why}"
    );

    // Turned off, every copy shows.
    planet.planet_extra = "collapse_duplicates = false".into();
    ok(&planet.mercury(&["render"]));
    assert_eq!(members_of(&planet, "Syndicated"), ["Dan", "Carol"]);
    assert!(!planet.read("index.html").contains("also on"));
}

#[test]
fn the_same_text_within_fourteen_days_is_one_post() {
    let server = FeedServer::start();
    let text = "<p>A long enough announcement of the new cataloguing rules, which every member \
                of the planet copied into their own blog word for word.</p>";
    let erin = [post("Announcement", "https://erin.example/a", 10).body(text)];
    let fay = [
        post("ANNOUNCEMENT", "https://fay.example/b", 2).body(text),
        post("Announcement", "https://fay.example/c", 40).body(text),
        // The same body under another title is another post (a template, not a copy).
        post("Minutes", "https://fay.example/d", 3).body(text),
    ];
    server.feed("/e.xml", &rss("E", &erin), "application/rss+xml");
    server.feed("/f.xml", &rss("F", &fay), "application/rss+xml");
    let mut planet = Planet::new();
    planet
        .feed(&server.url("/e.xml"), "Erin")
        .feed(&server.url("/f.xml"), "Fay");
    planet.update();
    // Eight days apart: one post, Erin's (earlier). Thirty days before it: another post.
    let json = planet.json_feed();
    let shown: Vec<(&str, &str)> = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["title"].as_str().unwrap(),
                i["_mercury"]["member"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("Minutes", "Fay"),
            ("Announcement", "Erin"),
            ("Announcement", "Fay")
        ]
    );
}
