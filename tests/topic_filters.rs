//! Guards the topic filters (`categories`, `require`, `ignore`, planet-wide and per member):
//! categories from RSS, Atom and JSON Feed; applied and lifted at render time without
//! refetching, without taking the page's slots, on tag pages too; invalid and pathological
//! regexes refused with file, line and key; a 1 MB post matched on a bounded part; `check`'s
//! counts of what each rule hides.

mod common;

use common::posts::{atom, json_feed, post, rss, titles_on, Post};
use common::*;

struct Setup {
    server: FeedServer,
    planet: Planet,
}

/// Alice (RSS), Bob (Atom) and Carol (JSON Feed), each with an on-topic and an off-topic post;
/// Alice and Bob are tagged `work`.
fn setup(alice_extra: &str) -> Setup {
    let server = FeedServer::start();
    let alice = [
        post("Alice on libraries", "https://alice.example/1", 1).tagged(&["Libraries "]),
        post("Alice bakes bread", "https://alice.example/2", 2).tagged(&["Food"]),
    ];
    let bob = [
        post("Bob on cataloguing", "https://bob.example/1", 3).tagged(&["libraries"]),
        post("Bob's holiday recipe", "https://bob.example/2", 4).tagged(&["travel"]),
    ];
    let carol = [
        post("Carol on archives", "https://carol.example/1", 5).tagged(&["LIBRARIES"]),
        post("Carol's cat", "https://carol.example/2", 6),
    ];
    server.feed("/alice.xml", &rss("Alice", &alice), "application/rss+xml");
    server.feed("/bob.xml", &atom("Bob", &bob), "application/atom+xml");
    server.feed(
        "/carol.json",
        &json_feed("Carol", &carol),
        "application/feed+json",
    );
    let mut planet = Planet::new();
    planet
        .feed_with(
            &server.url("/alice.xml"),
            "Alice",
            &format!("tags = [\"work\"]\n{alice_extra}"),
        )
        .feed_with(&server.url("/bob.xml"), "Bob", "tags = [\"work\"]")
        .feed(&server.url("/carol.json"), "Carol");
    Setup { server, planet }
}

fn titles(planet: &Planet, file: &str) -> Vec<String> {
    titles_on(&planet.read(file))
}

fn feed_titles(planet: &Planet) -> Vec<String> {
    planet.json_feed()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn planet_categories_keep_on_topic_posts_from_rss_atom_and_json_feed() {
    let mut s = setup("");
    s.planet.planet_extra = "categories = [\"libraries\"]".into();
    s.planet.update();
    let want = [
        "Alice on libraries",
        "Bob on cataloguing",
        "Carol on archives",
    ];
    assert_eq!(titles(&s.planet, "index.html"), want);
    assert_eq!(feed_titles(&s.planet), want);
    assert!(!s.planet.read("atom.xml").contains("bread"));
    assert!(!s.planet.read("rss.xml").contains("recipe"));
    // The tag sub-planet obeys them too.
    assert_eq!(
        titles(&s.planet, "tags/work/index.html"),
        ["Alice on libraries", "Bob on cataloguing"]
    );
}

#[test]
fn a_members_filters_apply_to_that_member_only() {
    let s = setup("ignore = \"(?i)bread|recipe\"");
    s.planet.update();
    let shown = titles(&s.planet, "index.html");
    assert!(
        !shown.contains(&"Alice bakes bread".to_string()),
        "{shown:?}"
    );
    // Bob's recipe is not Alice's: her rule does not touch it.
    assert!(
        shown.contains(&"Bob's holiday recipe".to_string()),
        "{shown:?}"
    );
    assert_eq!(shown.len(), 5);

    let s = setup("categories = [\"food\"]");
    s.planet.update();
    let shown = titles(&s.planet, "index.html");
    assert!(
        !shown.contains(&"Alice on libraries".to_string()),
        "{shown:?}"
    );
    assert!(shown.contains(&"Carol's cat".to_string()), "{shown:?}");
}

#[test]
fn require_matches_the_title_or_the_text() {
    let server = FeedServer::start();
    let posts = [
        post("About cataloguing", "https://a.example/1", 1),
        post("Untitled thoughts", "https://a.example/2", 2)
            .body("<p>Today I worked on <em>cataloguing</em> rules.</p>"),
        post("Weekend", "https://a.example/3", 3),
    ];
    server.feed("/a.xml", &rss("A", &posts), "application/rss+xml");
    let mut planet = Planet::new();
    planet.planet_extra = "require = \"(?i)catalogu\"".into();
    planet.feed(&server.url("/a.xml"), "A");
    planet.update();
    assert_eq!(
        titles(&planet, "index.html"),
        ["About cataloguing", "Untitled thoughts"]
    );
}

#[test]
fn rules_apply_and_lift_at_render_without_refetching_or_taking_slots() {
    let server = FeedServer::start();
    // Newest first: three off-topic posts, then five on-topic ones.
    let mut posts: Vec<Post> = (0..3)
        .map(|i| {
            post(
                &format!("Sponsored {i}"),
                &format!("https://a.example/s{i}"),
                i,
            )
        })
        .collect();
    posts.extend((0..5).map(|i| {
        post(
            &format!("Post {i}"),
            &format!("https://a.example/p{i}"),
            10 + i,
        )
    }));
    server.feed("/a.xml", &rss("A", &posts), "application/rss+xml");
    let mut planet = Planet::new();
    planet.planet_extra = "items = 2\narchive_pages = 1".into();
    planet.feed_with(&server.url("/a.xml"), "A", "tags = [\"t\"]");
    planet.update();
    assert_eq!(
        titles(&planet, "index.html"),
        ["Sponsored 0", "Sponsored 1"]
    );
    let fetches = server.seen("/a.xml").len();

    planet.planet_extra = "items = 2\narchive_pages = 1\nignore = \"^Sponsored\"".into();
    let out = planet.mercury(&["render"]);
    assert!(out.status.success(), "{}", describe(&out));
    // The hidden posts take no slot: the page, its archive and the tag page are full.
    assert_eq!(titles(&planet, "index.html"), ["Post 0", "Post 1"]);
    assert_eq!(titles(&planet, "page/2.html"), ["Post 2", "Post 3"]);
    assert_eq!(titles(&planet, "tags/t/index.html"), ["Post 0", "Post 1"]);
    assert_eq!(feed_titles(&planet), ["Post 0", "Post 1"]);

    planet.planet_extra = "items = 2\narchive_pages = 1".into();
    let out = planet.mercury(&["render"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(
        titles(&planet, "index.html"),
        ["Sponsored 0", "Sponsored 1"]
    );
    assert_eq!(
        server.seen("/a.xml").len(),
        fetches,
        "render fetched nothing"
    );
}

#[test]
fn an_invalid_regex_is_a_config_error_with_file_line_and_key() {
    let s = setup("ignore = \"(unclosed\"");
    let out = s.planet.mercury(&["check"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let config = s.planet.config_path().display().to_string();
    // The planet's lines, [fetch], then Alice's table: url, name, tags, ignore.
    let line = s
        .planet
        .config_text()
        .lines()
        .position(|l| l.starts_with("ignore"))
        .unwrap()
        + 1;
    assert!(
        stderr.contains(&format!(
            "{config}:{line}: feed[1].ignore: \"(unclosed\" is not a valid regular expression"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("unclosed group"),
        "the regex error itself: {stderr}"
    );

    let mut p = Planet::new();
    p.planet_extra = "require = \"[z-a]\"".into();
    let out = p.mercury(&["check"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(": planet.require: "),
        "{}",
        describe(&out)
    );
}

#[test]
fn a_pathological_regex_is_refused_and_a_megabyte_post_is_matched_on_a_bounded_part() {
    // Too big once compiled: refused at load, never run against a post.
    let mut p = Planet::new();
    p.planet_extra = "ignore = \"((a{100}){100}){100}\"".into();
    let out = p.mercury(&["check"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("planet.ignore") && stderr.contains("size limit"),
        "{stderr}"
    );

    // A 1 MB post: the filters read its title and the start of its text only (64 KiB of its
    // body), so a word past that never decides anything; a word at its start does.
    let server = FeedServer::start();
    let filler = "<p>plain filler words for a very long post</p>".repeat(22_000);
    let body = format!("<p>early-marker</p>{filler}<p>late-marker</p>");
    assert!(body.len() > 1_000_000);
    let posts = [post("Huge", "https://a.example/huge", 1).body(&body)];
    server.feed("/a.xml", &rss("A", &posts), "application/rss+xml");
    let mut planet = Planet::new();
    planet.planet_extra = "ignore = \"late-marker\"".into();
    planet.feed(&server.url("/a.xml"), "A");
    planet.update();
    assert_eq!(titles(&planet, "index.html"), ["Huge"]);
    // The classic catastrophic-backtracking pattern is linear with this engine.
    planet.planet_extra = "ignore = \"(e+)+arly-marker|(a|aa)+$\"".into();
    let out = planet.mercury(&["render"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(titles(&planet, "index.html").is_empty());
}

#[test]
fn check_says_how_many_stored_posts_each_rule_hides() {
    let s = setup("ignore = \"bread\"");
    let mut planet = s.planet;
    planet.planet_extra = "categories = [\"libraries\"]".into();
    let out = planet.mercury(&["check"]);
    assert!(out.status.success(), "{}", describe(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("no database yet"), "{stdout}");

    planet.update();
    let out = planet.mercury(&["check"]);
    assert!(out.status.success(), "{}", describe(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout
            .contains("planet.categories: categories = [\"libraries\"] hides 3 of 6 stored posts"),
        "{stdout}"
    );
    assert!(
        stdout.contains("feed[1].ignore: ignore = \"bread\" hides 1 of 2 stored posts"),
        "{stdout}"
    );
    drop(s.server);
}
