//! Guards content safety end to end: a hostile member feed's scripts, event attributes and
//! javascript:/vbscript:/data: URLs never reach any output file.

mod common;

use common::*;

#[test]
fn hostile_feed_reaches_no_output() {
    let server = FeedServer::start();
    server.fixture("/evil.xml", "hostile.xml", RSS);
    let mut planet = Planet::new();
    planet.feed(&server.url("/evil.xml"), "Eve");
    planet.update();

    let items = planet.items_of(&server.url("/evil.xml"));
    assert_eq!(items.len(), 1, "the entry itself is kept");
    assert_eq!(items[0]["title"], "Hello");
    assert!(
        items[0].get("url").is_none(),
        "a javascript: link is dropped"
    );

    for file in ["index.html", "atom.xml", "rss.xml", "feed.json", "opml.xml"] {
        let text = planet.read(file).to_ascii_lowercase();
        for bad in [
            "alert",
            "<script",
            "onerror",
            "onclick",
            "onload",
            "javascript:",
            "vbscript:",
            "data:",
            "<iframe",
            "<object",
            "<form",
            "<style",
            "<svg",
        ] {
            assert!(!text.contains(bad), "{file} contains {bad:?}");
        }
    }
    // Harmless parts of the body survive.
    let html = planet.read("index.html");
    assert!(html.contains("<p>Body</p>"), "{html}");
}
