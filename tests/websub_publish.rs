//! Guards WebSub publishing: with `[planet] hub`, the merged Atom and RSS feeds (the planet's
//! and each tag's) announce the hub and themselves, `serve` sends the same as `Link` headers,
//! and after a render that changed a merged feed the hub gets a `hub.mode=publish` ping naming
//! it; a hub that fails is retried after the next render and never fails the refresh.

mod common;

use common::hub::Hub;
use common::*;

const LINK: &str = "https://planet.example.org/";

fn feed(posts: &[&str]) -> String {
    let items: String = posts
        .iter()
        .map(|p| {
            format!(
                "<item><title>{p}</title><guid>{p}</guid><link>https://alpha.example/{p}</link>\
                 <pubDate>Mon, 05 Jan 2026 08:00:00 GMT</pubDate></item>"
            )
        })
        .collect();
    format!(
        r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Alpha</title>
        <link>https://alpha.example/</link>{items}</channel></rss>"#
    )
}

/// The four merged feeds of a planet with one tag, `rust`, as public URLs.
fn all_topics() -> Vec<String> {
    let mut topics: Vec<String> = [
        "atom.xml",
        "rss.xml",
        "tags/rust/atom.xml",
        "tags/rust/rss.xml",
    ]
    .iter()
    .map(|f| format!("{LINK}{f}"))
    .collect();
    topics.sort();
    topics
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn planet_with_hub(server: &FeedServer, hub: &str) -> Planet {
    let mut planet = Planet::new();
    planet.planet_extra = format!("hub = {hub:?}\n");
    planet.feed_with(&server.url("/a.xml"), "Alpha", "tags = [\"rust\"]");
    planet
}

#[test]
fn merged_feeds_announce_the_hub_and_the_hub_is_told_what_changed() {
    let server = FeedServer::start();
    server.feed("/a.xml", &feed(&["one"]), RSS);
    let hub = Hub::start();
    let planet = planet_with_hub(&server, &hub.url());
    planet.update();

    let hub_link = format!(r#"<link href="{}" rel="hub"/>"#, hub.url());
    for file in ["atom.xml", "tags/rust/atom.xml"] {
        let atom = planet.read(file);
        assert!(atom.contains(&hub_link), "{file} names no hub:\n{atom}");
        assert!(
            atom.contains(&format!(r#"<link href="{LINK}{file}" rel="self""#)),
            "{file} names no self link:\n{atom}"
        );
    }
    for file in ["rss.xml", "tags/rust/rss.xml"] {
        let rss = planet.read(file);
        assert!(
            rss.contains(&format!(r#"<atom:link href="{}" rel="hub"/>"#, hub.url())),
            "{file} names no hub:\n{rss}"
        );
        assert!(
            rss.contains(&format!(r#"<atom:link href="{LINK}{file}" rel="self""#)),
            "{file} names no self link:\n{rss}"
        );
    }
    assert!(!planet.read("feed.json").contains(&hub.url()));

    // The first render changed every merged feed: one ping each, form-encoded, to the hub.
    assert_eq!(sorted(hub.published()), all_topics());
    assert!(hub.seen().iter().all(|r| r.path == "/hub"));

    // Nothing changed: the hub is not bothered.
    hub.clear();
    planet.update();
    assert_eq!(hub.published(), Vec::<String>::new());

    // A new post changes every merged feed that carries it.
    server.feed("/a.xml", &feed(&["one", "two"]), RSS);
    planet.update();
    assert_eq!(sorted(hub.published()), all_topics());
}

#[test]
fn a_failing_hub_never_fails_the_refresh_and_is_told_after_the_next_render() {
    let server = FeedServer::start();
    server.feed("/a.xml", &feed(&["one"]), RSS);
    let hub = Hub::start();
    hub.answer(503);
    let planet = planet_with_hub(&server, &hub.url());
    let out = planet.update();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the WebSub hub was not told of a change: the hub answered 503"),
        "{}",
        describe(&out)
    );
    assert_eq!(sorted(hub.published()), all_topics());

    // The next render changes nothing, but the pings still owed are sent...
    hub.answer(204);
    hub.clear();
    planet.update();
    assert_eq!(sorted(hub.published()), all_topics());
    // ...once.
    hub.clear();
    planet.update();
    assert_eq!(hub.published(), Vec::<String>::new());

    // A hub nobody answers at: the refresh still succeeds, and says why.
    let planet = planet_with_hub(&server, &unreachable_url());
    let out = planet.update();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot connect"),
        "{}",
        describe(&out)
    );
    assert!(planet.read("index.html").contains("one"));
}

#[test]
fn a_hub_that_is_not_http_is_a_config_error() {
    let mut planet = Planet::new();
    planet.planet_extra = "hub = \"ftp://hub.example.org/\"\n".into();
    let out = planet.mercury(&["check"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("planet.hub") && stderr.contains("not an http(s) URL"),
        "{stderr}"
    );
}

#[test]
fn without_a_hub_the_feeds_name_none() {
    let server = FeedServer::start();
    server.feed("/a.xml", &feed(&["one"]), RSS);
    let mut planet = Planet::new();
    planet.feed(&server.url("/a.xml"), "Alpha");
    planet.update();
    assert!(!planet.read("atom.xml").contains(r#"rel="hub""#));
    assert!(!planet.read("rss.xml").contains(r#"rel="hub""#));
}

#[test]
fn serve_sends_link_headers_on_the_merged_feeds_and_pings_the_hub() {
    let server = FeedServer::start();
    server.feed("/a.xml", &feed(&["one"]), RSS);
    let hub = Hub::start();
    let addr = free_addr();
    let mut planet = planet_with_hub(&server, &hub.url());
    planet.planet_extra = format!(
        "hub = {:?}\nschedule = \"0 0 0 1 1 *\"\n\n[server]\nlisten = \"{addr}\"\n",
        hub.url()
    );
    let config = planet.write_config();
    let _serving = serve(&config);
    assert!(
        wait_for(30, || http_get(&addr, "/atom.xml", &[])
            .is_ok_and(|r| r.status == 200)),
        "serve never served atom.xml"
    );
    for file in [
        "atom.xml",
        "rss.xml",
        "tags/rust/atom.xml",
        "tags/rust/rss.xml",
    ] {
        let r = http_get(&addr, &format!("/{file}"), &[]).unwrap();
        assert_eq!(r.status, 200, "{file}");
        assert_eq!(
            r.header("link"),
            Some(format!(r#"<{}>; rel="hub", <{LINK}{file}>; rel="self""#, hub.url()).as_str()),
            "{file}"
        );
    }
    for path in ["/", "/feed.json", "/opml.xml"] {
        let r = http_get(&addr, path, &[]).unwrap();
        assert_eq!(r.header("link"), None, "{path}");
    }
    assert!(
        wait_for(30, || sorted(hub.published()) == all_topics()),
        "the hub got {:?}",
        hub.published()
    );
}
