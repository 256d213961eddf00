//! Guards the whole pipeline: RSS 2.0, RSS 1.0, Atom and JSON Feed members fetched over real HTTP
//! land in every output (page, Atom, RSS, JSON Feed, OPML), newest first, each attributed.

mod common;

use common::*;

struct Farm {
    server: FeedServer,
    planet: Planet,
    urls: [String; 4],
}

fn farm() -> Farm {
    let server = FeedServer::start();
    server.fixture("/alice/rss.xml", "rss2.xml", RSS);
    server.fixture("/bob/index.rdf", "rss1.rdf", "application/rdf+xml");
    server.fixture("/carol/atom.xml", "atom.xml", ATOM);
    server.fixture("/dan/feed.json", "feed.json", JSON);
    let urls = [
        server.url("/alice/rss.xml"),
        server.url("/bob/index.rdf"),
        server.url("/carol/atom.xml"),
        server.url("/dan/feed.json"),
    ];
    let mut planet = Planet::new();
    planet
        .feed_with(
            &urls[0],
            "Alice",
            "face = \"https://alice.example/me.png\"\ntags = [\"cataloguing\"]",
        )
        .feed(&urls[1], "Bob")
        .feed_with(&urls[2], "Carol", "homepage = \"https://carol.example/\"")
        .feed(&urls[3], "Dan");
    Farm {
        server,
        planet,
        urls,
    }
}

#[test]
fn all_entries_in_all_outputs_newest_first_and_attributed() {
    let f = farm();
    f.planet.update();

    for file in [
        "index.html",
        "atom.xml",
        "rss.xml",
        "feed.json",
        "opml.xml",
        "style.css",
    ] {
        assert!(f.planet.out(file).is_file(), "{file} was not written");
    }

    // JSON Feed: every entry, in date order, attributed to the feed it came from.
    let feed = f.planet.json_feed();
    assert_eq!(feed["version"], "https://jsonfeed.org/version/1.1");
    let items = feed["items"].as_array().unwrap();
    let titles: Vec<&str> = items
        .iter()
        .map(|i| i["title"].as_str().unwrap_or("<none>"))
        .collect();
    assert_eq!(
        titles,
        [
            "Undated thoughts", // no date: first seen (now) is its date
            "Metadata for everyone",
            "Subject headings, revisited",
            "No guid here",
            "Weeding the collection",
            "<none>", // Carol's untitled entry is kept
            "Preserving the web",
        ]
    );
    let owner = |title: &str| -> String {
        let item = items.iter().find(|i| i["title"] == title).unwrap();
        item["_mercury"]["feed_url"].as_str().unwrap().to_string()
    };
    assert_eq!(owner("Subject headings, revisited"), f.urls[0]);
    assert_eq!(owner("Weeding the collection"), f.urls[1]);
    assert_eq!(owner("Metadata for everyone"), f.urls[2]);
    assert_eq!(owner("Preserving the web"), f.urls[3]);
    for item in items {
        assert!(
            item["authors"][0]["name"]
                .as_str()
                .is_some_and(|n| !n.is_empty()),
            "{item}"
        );
        assert!(item["id"]
            .as_str()
            .unwrap()
            .starts_with("https://planet.example.org/#e-"));
    }
    let ids: std::collections::HashSet<&str> =
        items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), items.len(), "merged ids are unique");

    // Feed-level extension: every configured feed, with its parsed title and home page.
    let feeds = feed["_mercury"]["feeds"].as_array().unwrap();
    assert_eq!(feeds.len(), 4);
    assert_eq!(feeds[0]["url"], f.urls[0]);
    assert_eq!(feeds[0]["title"], "Alice & the Catalogue");
    assert_eq!(feeds[0]["link"], f.server.url("/blog/"));
    assert_eq!(feeds[2]["title"], "Carol Reads");

    // Atom: well-formed, one entry each, with <source> naming the member feed.
    let atom = atom_syndication::Feed::read_from(f.planet.read("atom.xml").as_bytes())
        .expect("atom.xml parses");
    assert_eq!(atom.entries.len(), 7);
    for e in &atom.entries {
        let src = e.source.as_ref().expect("atom:source");
        let self_link = src
            .links
            .iter()
            .find(|l| l.rel == "self")
            .expect("source self link");
        assert!(f.urls.contains(&self_link.href), "{}", self_link.href);
    }
    assert!(atom
        .links
        .iter()
        .any(|l| l.rel == "self" && l.href == "https://planet.example.org/atom.xml"));

    // RSS: well-formed, each item with <source url>.
    let rss = rss::Channel::read_from(f.planet.read("rss.xml").as_bytes()).expect("rss.xml parses");
    assert_eq!(rss.items.len(), 7);
    for item in &rss.items {
        assert!(f.urls.contains(&item.source.as_ref().expect("source").url));
    }

    // OPML: every member.
    let opml = opml::OPML::from_str(&f.planet.read("opml.xml")).expect("opml.xml parses");
    let xml_urls: Vec<String> = opml
        .body
        .outlines
        .iter()
        .filter_map(|o| o.xml_url.clone())
        .collect();
    assert_eq!(xml_urls, f.urls.to_vec());

    // The page: every member and title, autodiscovery links, the face.
    let html = f.planet.read("index.html");
    for text in [
        "Alice",
        "Bob",
        "Carol",
        "Dan",
        "Weeding the collection",
        "Preserving the web",
    ] {
        assert!(html.contains(text), "index.html lacks {text}");
    }
    // A post without a title shows its text under no made-up heading (issue #21).
    assert!(!html.contains("(untitled)"));
    assert!(html.contains(r#"<link rel="alternate" type="application/atom+xml""#));
    assert!(html.contains(r#"src="https://alice.example/me.png""#));
    assert!(html.contains(r#"<html lang="en">"#));
}

#[test]
fn relative_urls_are_resolved_against_xml_base_or_the_feed_url() {
    let f = farm();
    f.planet.update();
    let alice = f.planet.items_of(&f.urls[0]);
    let post = alice
        .iter()
        .find(|i| i["title"] == "Subject headings, revisited")
        .unwrap();
    assert_eq!(post["url"], f.server.url("/blog/subject-headings"));
    let html = post["content_html"].as_str().unwrap();
    assert!(
        html.contains(&format!("href=\"{}\"", f.server.url("/blog/lcsh"))),
        "{html}"
    );
    assert!(
        html.contains(&format!("src=\"{}\"", f.server.url("/alice/img/chart.png"))),
        "{html}"
    );
    assert!(
        !html.contains("rel=") && !html.contains("loading="),
        "feeds carry the member's markup: {html}"
    );
    // The page adds its own manners to links and images.
    let page = f.planet.read("index.html");
    assert!(
        page.contains(&format!(
            "<a href=\"{}\" rel=\"noopener noreferrer nofollow\">a relative link</a>",
            f.server.url("/blog/lcsh")
        )),
        "{page}"
    );
    assert!(page.contains("alt=\"chart\" loading=\"lazy\""), "{page}");

    let carol = f.planet.items_of(&f.urls[2]);
    let post = carol
        .iter()
        .find(|i| i["title"] == "Metadata for everyone")
        .unwrap();
    assert_eq!(
        post["url"],
        "https://carol.example/archive/2026/metadata.html"
    );
    let html = post["content_html"].as_str().unwrap();
    assert!(
        html.contains("href=\"https://carol.example/archive/notes.html\""),
        "{html}"
    );
}

#[test]
fn entries_without_guid_title_or_date_are_kept_with_stable_keys() {
    let f = farm();
    f.planet.update();
    f.planet.update();
    let alice = f.planet.items_of(&f.urls[0]);
    assert_eq!(alice.len(), 3, "no duplicates after two updates: {alice:?}");
    let no_guid = alice.iter().find(|i| i["title"] == "No guid here").unwrap();
    assert!(no_guid["_mercury"].get("entry_id").is_none());
    assert_eq!(no_guid["_mercury"]["entry_index"], 1);
    let undated = alice
        .iter()
        .find(|i| i["title"] == "Undated thoughts")
        .unwrap();
    assert!(undated.get("date_published").is_none());
    let summary = no_guid["content_html"].as_str().unwrap();
    assert!(
        summary.contains("<em>HTML</em>"),
        "escaped HTML in RSS is HTML: {summary}"
    );
}

/// The controlled clock (`MERCURY_TEST_NOW`, debug builds) is what a refresh records as the
/// fetch time and what clamps a future post's date: the tests of retention, the stale banner and
/// digests rely on it.
#[test]
fn the_test_clock_dates_fetches_and_clamps_posts() {
    let server = FeedServer::start();
    server.fixture("/alice/rss.xml", "rss2.xml", RSS);
    let mut planet = Planet::new();
    planet.feed(&server.url("/alice/rss.xml"), "Alice");
    let config = planet.write_config();
    let when = "2001-02-03T04:05:06Z";
    let out = mercury_env(&config, &["update"], &[("MERCURY_TEST_NOW", when)]);
    assert!(out.status.success(), "{}", describe(&out));
    let out = mercury_env(
        &config,
        &["status", "--json"],
        &[("MERCURY_TEST_NOW", when)],
    );
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        status[0]["last_fetch"], "2001-02-03T04:05:06Z",
        "{status:#}"
    );
    // Every dated post of the fixture is dated after 2001, so each is clamped to the fetch time.
    let items = planet.json_feed()["items"].as_array().unwrap().clone();
    let dated: Vec<_> = items
        .iter()
        .filter(|i| !i["date_published"].is_null())
        .collect();
    assert!(dated.len() >= 2, "{items:#?}");
    for item in dated {
        assert_eq!(item["date_published"], "2001-02-03T04:05:06Z", "{item:#}");
    }
}
