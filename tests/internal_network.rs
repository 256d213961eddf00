//! Guards the internal network against members (review finding 6): `add` tries at most ten
//! candidate feeds within a time budget, and a feed configured with a public address never
//! reaches a loopback, private or link-local address, neither through a redirect nor through
//! DNS; a feed the admin configured with an internal address (an intranet planet) may.
//!
//! Tests have no internet: every server here listens on loopback. Two switches of the debug
//! build (`src/fetch/reach.rs`, compiled out of release builds, like `MERCURY_FAULT`) stand in
//! for what is missing, and nothing else is pretended:
//! - `MERCURY_TEST_RESOLVE=name=ip` answers a name with an address inside Mercury's resolver,
//!   as a DNS server would: the answer then goes through the same check and the same connect
//!   as a real one (`/etc/hosts` is not the test's to edit, and `*.localhost` names would count
//!   as internal by their spelling).
//! - `MERCURY_TEST_PUBLIC=127.0.0.2` makes that one loopback address count as public, standing
//!   in for a member's server on the internet; a second feed server listens there, so that a
//!   "public" feed can be fetched and can redirect to 127.0.0.1, the real loopback target.

mod common;

use std::time::{Duration, Instant};

use common::hostile::HostileServer;
use common::*;

const FEED: &str = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Inside</title>
<link>https://inside.example/</link><item><title>Internal post</title><guid>in-1</guid>
<link>https://inside.example/1</link><pubDate>Mon, 05 Jan 2026 08:00:00 GMT</pubDate></item>
</channel></rss>"#;

const PUBLIC_IP: &str = "127.0.0.2";

fn output(out: &std::process::Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `status --json`'s error for the feed configured as `url`.
fn error_of(planet: &Planet, env: &[(&str, &str)], url: &str) -> String {
    let out = mercury_env(&planet.config_path(), &["status", "--json"], env);
    assert!(out.status.success(), "{}", describe(&out));
    let feeds: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let feed = feeds
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["url"] == url)
        .unwrap_or_else(|| panic!("{url} not in {feeds}"));
    feed["error"].as_str().unwrap_or("").to_string()
}

fn page_advertising(links: &[String]) -> String {
    let links: String = links
        .iter()
        .map(|l| format!("<link rel=\"alternate\" type=\"application/rss+xml\" href=\"{l}\">\n"))
        .collect();
    format!("<html><head><title>Blog</title>\n{links}</head><body>hi</body></html>")
}

#[test]
fn a_public_feed_cannot_redirect_to_loopback() {
    let inside = FeedServer::start();
    inside.feed("/feed.xml", FEED, RSS);
    let outside = FeedServer::start_on(PUBLIC_IP);
    let public_feed = FEED
        .replace("in-1", "out-1")
        .replace("Internal post", "Outside post");
    outside.feed("/ok.xml", &public_feed, RSS);
    outside.redirect("/to-ip.xml", &inside.url("/feed.xml"), 301);
    let by_name = inside.url("/feed.xml").replace("127.0.0.1", "localhost");
    outside.redirect("/to-name.xml", &by_name, 302);
    let mut planet = Planet::new();
    planet
        .feed(&outside.url("/ok.xml"), "Outside")
        .feed(&outside.url("/to-ip.xml"), "To an address")
        .feed(&outside.url("/to-name.xml"), "To a name");
    planet.write_config();
    let env = [("MERCURY_TEST_PUBLIC", PUBLIC_IP)];
    let out = mercury_env(&planet.config_path(), &["update"], &env);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(
        inside.seen("/feed.xml").len(),
        0,
        "a public feed reached loopback: {}",
        output(&out)
    );
    assert_eq!(error_of(&planet, &env, &outside.url("/ok.xml")), "");
    for path in ["/to-ip.xml", "/to-name.xml"] {
        let error = error_of(&planet, &env, &outside.url(path));
        assert!(
            error.contains("private address") && error.contains("public address"),
            "{path}: {error}"
        );
    }
    let page = planet.read("index.html");
    assert!(page.contains("Outside post") && !page.contains("Internal post"));
}

#[test]
fn a_public_name_resolving_to_loopback_is_refused() {
    let inside = FeedServer::start();
    inside.feed("/feed.xml", FEED, RSS);
    let port = inside.url("").rsplit(':').next().unwrap().to_string();
    let url = format!("http://blog.example:{port}/feed.xml");
    let mut planet = Planet::new();
    planet.feed(&url, "Rebinding");
    planet.write_config();
    let env = [("MERCURY_TEST_RESOLVE", "blog.example=127.0.0.1")];
    let out = mercury_env(&planet.config_path(), &["update"], &env);
    assert!(out.status.success(), "{}", describe(&out));
    let error = error_of(&planet, &env, &url);
    assert!(
        error.contains("resolves only to a private address")
            && error.contains("configured with a public address"),
        "{error}"
    );
    // `add` of that address is refused the same way, and writes nothing.
    let empty = Planet::new();
    let config = empty.write_config();
    let before = std::fs::read_to_string(&config).unwrap();
    let add = mercury_env(&config, &["add", &url], &env);
    assert!(!add.status.success(), "{}", describe(&add));
    assert!(
        output(&add).contains("resolves only to a private address"),
        "{}",
        describe(&add)
    );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), before);
    assert!(inside.seen("/feed.xml").is_empty(), "loopback was reached");
}

#[test]
fn an_internal_feed_may_use_private_addresses() {
    let inside = FeedServer::start();
    inside.feed("/feed.xml", FEED, RSS);
    let by_name = inside.url("/feed.xml").replace("127.0.0.1", "localhost");
    inside.redirect("/moved.xml", &by_name, 302);
    inside.feed("/other.xml", &FEED.replace("in-1", "in-2"), RSS);
    let port = inside.url("").rsplit(':').next().unwrap().to_string();
    let intranet = format!("http://planet.internal:{port}/other.xml");
    let mut planet = Planet::new();
    planet
        .feed(&inside.url("/moved.xml"), "By address")
        .feed(&intranet, "By intranet name");
    planet.write_config();
    let env = [("MERCURY_TEST_RESOLVE", "planet.internal=127.0.0.1")];
    let out = mercury_env(&planet.config_path(), &["update"], &env);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(error_of(&planet, &env, &inside.url("/moved.xml")), "");
    assert_eq!(error_of(&planet, &env, &intranet), "");
    assert_eq!(inside.seen("/feed.xml").len(), 1);
    assert_eq!(inside.seen("/other.xml").len(), 1);
}

#[test]
fn add_from_a_public_page_never_reaches_loopback() {
    let inside = FeedServer::start();
    inside.feed("/feed.xml", FEED, RSS);
    let outside = FeedServer::start_on(PUBLIC_IP);
    // An open port, the same by name, and a closed one: all answered alike, so the output
    // tells nothing about which internal ports are open.
    let closed = unreachable_url();
    let by_name = inside.url("/feed.xml").replace("127.0.0.1", "localhost");
    outside.feed(
        "/",
        &page_advertising(&[inside.url("/feed.xml"), by_name, closed.clone()]),
        "text/html",
    );
    let planet = Planet::new();
    let config = planet.write_config();
    let before = std::fs::read_to_string(&config).unwrap();
    let env = [("MERCURY_TEST_PUBLIC", PUBLIC_IP)];
    let out = mercury_env(&config, &["add", &outside.url("/")], &env);
    assert!(!out.status.success(), "{}", describe(&out));
    assert!(inside.seen("/feed.xml").is_empty(), "{}", describe(&out));
    assert_eq!(std::fs::read_to_string(&config).unwrap(), before);
    let text = output(&out);
    assert!(!text.contains("Connection refused"), "{text}");
    assert!(!text.contains("Inside"), "{text}");
    assert_eq!(
        text.matches("configured with a public address").count(),
        3,
        "{text}"
    );
}

#[test]
fn add_tries_at_most_ten_candidates() {
    let server = FeedServer::start();
    let links: Vec<String> = (0..1000)
        .map(|i| server.url(&format!("/f{i}.xml")))
        .collect();
    server.feed("/", &page_advertising(&links), "text/html");
    let planet = Planet::new();
    let config = planet.write_config();
    let out = mercury_with(&config, &["add", &server.url("/")]);
    assert!(!out.status.success(), "{}", describe(&out));
    let tried = (0..1000)
        .filter(|i| !server.seen(&format!("/f{i}.xml")).is_empty())
        .count();
    assert!(tried <= 10, "{tried} candidates fetched");
    assert!(
        output(&out).contains("advertises 1000 feeds"),
        "{}",
        describe(&out)
    );
}

#[test]
fn add_stops_at_its_time_budget() {
    let server = FeedServer::start();
    let hostile = HostileServer::start();
    let links: Vec<String> = (0..10)
        .map(|i| hostile.url(&format!("/never{i}")))
        .collect();
    server.feed("/", &page_advertising(&links), "text/html");
    let mut planet = Planet::new();
    // A budget of 2 × timeout_secs: 2 s here; trying all ten would take ten.
    planet.fetch_extra = "timeout_secs = 1\n".into();
    let config = planet.write_config();
    let started = Instant::now();
    let out = mercury_with(&config, &["add", &server.url("/")]);
    let took = started.elapsed();
    assert!(!out.status.success(), "{}", describe(&out));
    assert!(took < Duration::from_secs(6), "add ran {took:?}");
    assert!(hostile.seen().len() < 10, "{:?}", hostile.seen());
    assert!(output(&out).contains("stopped after"), "{}", describe(&out));
}
