//! Guards the planet at scale: a farm of 300 generated feeds (RSS 2.0, Atom, JSON Feed, some
//! sharing entry ids across feeds) refreshed three times; every entry is present exactly once,
//! attributed to its own feed, in every merged output.

mod common;

use std::collections::{HashMap, HashSet};

use common::*;

const FEEDS: usize = 300;
const ENTRIES: usize = 5;

fn generated(i: usize) -> (String, &'static str, String) {
    let mut items = String::new();
    match i % 3 {
        0 => {
            for n in 0..ENTRIES {
                // Ids repeat across feeds on purpose: keys are scoped per feed.
                items.push_str(&format!(
                    "<item><title>Feed {i} post {n}</title><link>https://m{i}.example/p/{n}</link>\
                     <guid>http://example.com/{n}</guid><pubDate>Mon, 0{d} Feb 2026 1{h}:00:00 GMT</pubDate>\
                     <description>&lt;p&gt;Body {i}-{n}&lt;/p&gt;</description></item>",
                    d = 1 + n,
                    h = i % 10
                ));
            }
            let body = format!(
                "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Member {i}</title>\
                 <link>https://m{i}.example/</link><description>d</description>{items}</channel></rss>"
            );
            (format!("/m{i}/rss.xml"), RSS, body)
        }
        1 => {
            for n in 0..ENTRIES {
                items.push_str(&format!(
                    "<entry><title>Feed {i} post {n}</title><link href=\"https://m{i}.example/p/{n}\"/>\
                     <id>http://example.com/{n}</id><updated>2026-02-0{d}T0{h}:30:00Z</updated>\
                     <content type=\"html\">&lt;p&gt;Body {i}-{n}&lt;/p&gt;</content></entry>",
                    d = 1 + n,
                    h = i % 10
                ));
            }
            let body = format!(
                "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Member {i}</title>\
                 <id>urn:m{i}</id><updated>2026-02-06T00:00:00Z</updated>\
                 <link href=\"https://m{i}.example/\"/>{items}</feed>"
            );
            (format!("/m{i}/atom.xml"), ATOM, body)
        }
        _ => {
            let items: Vec<String> = (0..ENTRIES)
                .map(|n| {
                    format!(
                        "{{\"id\":\"{n}\",\"url\":\"https://m{i}.example/p/{n}\",\"title\":\"Feed {i} post {n}\",\
                         \"content_html\":\"<p>Body {i}-{n}</p>\",\"date_published\":\"2026-02-0{d}T12:00:00Z\"}}",
                        d = 1 + n
                    )
                })
                .collect();
            let body = format!(
                "{{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"Member {i}\",\
                 \"home_page_url\":\"https://m{i}.example/\",\"items\":[{}]}}",
                items.join(",")
            );
            (format!("/m{i}/feed.json"), JSON, body)
        }
    }
}

#[test]
fn three_hundred_feeds_every_entry_once_and_attributed() {
    let server = FeedServer::start();
    let mut planet = Planet::new();
    planet.planet_extra = "items = 100000".into();
    let mut urls = Vec::new();
    for i in 0..FEEDS {
        let (path, ctype, body) = generated(i);
        server.feed(&path, &body, ctype);
        let url = server.url(&path);
        planet.feed(&url, &format!("Member {i}"));
        urls.push(url);
    }
    for round in 0..3 {
        let out = planet.update();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let want = if round == 0 {
            format!(
                "{FEEDS} feeds: {FEEDS} updated, 0 not modified, 0 failed; {} new entries",
                FEEDS * ENTRIES
            )
        } else {
            format!("{FEEDS} feeds: 0 updated, {FEEDS} not modified, 0 failed; 0 new entries")
        };
        assert!(stdout.contains(&want), "round {round}: {stdout}");
    }

    let feed = planet.json_feed();
    let items = feed["items"].as_array().unwrap();
    assert_eq!(items.len(), FEEDS * ENTRIES);
    let mut per_feed: HashMap<&str, HashSet<&str>> = HashMap::new();
    for item in items {
        let url = item["_mercury"]["feed_url"].as_str().unwrap();
        let title = item["title"].as_str().unwrap();
        let i: usize = title.split(' ').nth(1).unwrap().parse().unwrap();
        assert_eq!(url, urls[i], "{title} attributed to the wrong feed");
        assert!(
            per_feed.entry(url).or_default().insert(title),
            "{title} twice"
        );
    }
    assert_eq!(per_feed.len(), FEEDS);
    assert!(per_feed.values().all(|t| t.len() == ENTRIES));
    // Newest first throughout.
    let dates: Vec<String> = items
        .iter()
        .map(|i| {
            i["date_published"]
                .as_str()
                .or(i["date_modified"].as_str())
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "not newest first");

    let atom = atom_syndication::Feed::read_from(planet.read("atom.xml").as_bytes()).unwrap();
    assert_eq!(atom.entries.len(), FEEDS * ENTRIES);
    let rss = rss::Channel::read_from(planet.read("rss.xml").as_bytes()).unwrap();
    assert_eq!(rss.items.len(), FEEDS * ENTRIES);
    let opml = opml::OPML::from_str(&planet.read("opml.xml")).unwrap();
    assert_eq!(opml.body.outlines.len(), FEEDS);
    let html = planet.read("index.html");
    assert_eq!(html.matches("<article").count(), FEEDS * ENTRIES);
}
