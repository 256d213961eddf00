//! Guards isolation of failures: a feed that answers 500, one that is unreachable and one that is
//! a web page are recorded and shown, while the healthy feed renders and `update` exits 0.

mod common;

use common::*;

#[test]
fn broken_feeds_are_recorded_and_shown_while_others_render() {
    let server = FeedServer::start();
    server.fixture("/good.xml", "rss2.xml", RSS);
    server.route(
        "/broken.xml",
        Route {
            status: 500,
            body: b"oops".to_vec(),
            content_type: "text/plain".into(),
            etag: None,
            last_modified: None,
            location: None,
        },
    );
    server.feed(
        "/page.html",
        "<!DOCTYPE html><html><head><title>Blog</title></head><body>Hi</body></html>",
        "text/html",
    );
    let dead = unreachable_url();
    let mut planet = Planet::new();
    planet
        .feed(&server.url("/good.xml"), "Good Member")
        .feed(&server.url("/broken.xml"), "Broken Member")
        .feed(&dead, "Dead Member")
        .feed(&server.url("/page.html"), "Page Member");

    let out = planet.mercury(&["update"]);
    assert!(
        out.status.success(),
        "update exits 0 when feeds fail: {}",
        describe(&out)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("4 feeds: 1 updated, 0 not modified, 3 failed"),
        "{stdout}"
    );

    // The healthy feed rendered.
    assert_eq!(planet.items_of(&server.url("/good.xml")).len(), 3);
    // Every member is still listed, the failing ones marked.
    let feed = planet.json_feed();
    assert_eq!(feed["_mercury"]["feeds"].as_array().unwrap().len(), 4);
    let html = planet.read("index.html");
    assert_eq!(html.matches("class=\"failing\"").count(), 3, "{html}");
    assert!(html.contains("Broken Member"));

    // Each failure is recorded on its feed with what happened.
    let status = planet.mercury(&["status"]);
    assert!(status.status.success(), "{}", describe(&status));
    let table = String::from_utf8_lossy(&status.stdout);
    assert!(table.contains("HTTP 500"), "{table}");
    assert!(table.contains("web page, not a feed"), "{table}");
    assert!(table.contains("3 failing"), "{table}");
    let errors: Vec<(String, i64)> = {
        let db = planet.db();
        let mut stmt = db
            .prepare("SELECT url, consecutive_failures FROM feeds WHERE last_error IS NOT NULL ORDER BY position")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(
        errors,
        vec![
            (server.url("/broken.xml"), 1),
            (dead.clone(), 1),
            (server.url("/page.html"), 1)
        ]
    );
}
