//! Guards entry identity over time: a changed entry is updated in place (not duplicated, not moved
//! to the top, first-seen kept), and a feed that changes guids but keeps links does not duplicate.

mod common;

use common::*;

fn feed(first_body: &str, guid_prefix: &str) -> String {
    format!(
        r#"<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://t.example/</link>
        <item><title>Newer</title><link>https://t.example/2</link><guid>{guid_prefix}2</guid>
          <pubDate>Fri, 09 Jan 2026 10:00:00 GMT</pubDate><description>second</description></item>
        <item><title>Older</title><link>https://t.example/1</link><guid>{guid_prefix}1</guid>
          <pubDate>Thu, 01 Jan 2026 10:00:00 GMT</pubDate><description>{first_body}</description></item>
        </channel></rss>"#
    )
}

#[test]
fn changed_entry_is_updated_in_place() {
    let server = FeedServer::start();
    server.feed("/f.xml", &feed("first version", "g"), RSS);
    let mut planet = Planet::new();
    planet.feed(&server.url("/f.xml"), "T");
    planet.update();
    let first_seen = |p: &Planet| -> i64 {
        p.db()
            .query_row("SELECT first_seen FROM entries WHERE key = 'g1'", [], |r| {
                r.get(0)
            })
            .unwrap()
    };
    let seen_before = first_seen(&planet);

    std::thread::sleep(std::time::Duration::from_millis(1100));
    server.feed("/f.xml", &feed("edited version", "g"), RSS);
    let out = planet.update();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("1 changed"),
        "{}",
        describe(&out)
    );

    let items = planet.json_feed()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2, "not duplicated");
    assert_eq!(
        items[0]["title"], "Newer",
        "the edited entry did not move to the top"
    );
    assert_eq!(items[1]["title"], "Older");
    assert_eq!(items[1]["content_html"], "edited version");
    assert_eq!(first_seen(&planet), seen_before, "first-seen time kept");
}

#[test]
fn changing_guids_with_stable_links_do_not_duplicate() {
    let server = FeedServer::start();
    server.feed("/f.xml", &feed("body", "run1-"), RSS);
    let mut planet = Planet::new();
    planet.feed(&server.url("/f.xml"), "T");
    planet.update();
    server.feed("/f.xml", &feed("body", "run2-"), RSS);
    planet.update();
    let items = planet.json_feed()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2, "{items:?}");
}

#[test]
fn feed_removed_from_config_disappears_from_outputs() {
    let server = FeedServer::start();
    server.feed("/a.xml", &feed("a", "a"), RSS);
    server.fixture("/b.json", "feed.json", JSON);
    let mut planet = Planet::new();
    planet.feed(&server.url("/a.xml"), "A");
    planet.feed(&server.url("/b.json"), "B");
    planet.update();
    assert_eq!(planet.json_feed()["items"].as_array().unwrap().len(), 3);

    let mut smaller = Planet {
        dir: planet.dir,
        planet_extra: String::new(),
        ..Planet::new()
    };
    smaller.feed(&server.url("/b.json"), "B");
    let out = smaller.mercury(&["render"]);
    assert!(out.status.success(), "{}", describe(&out));
    let feed = smaller.json_feed();
    assert_eq!(feed["items"].as_array().unwrap().len(), 1);
    assert_eq!(feed["_mercury"]["feeds"].as_array().unwrap().len(), 1);
    assert!(!smaller.read("index.html").contains(">A<"));
}
