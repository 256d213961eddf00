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

/// Whether this build has the fault points (`src/fault.rs`): debug builds only. Says so when
/// the test that needs them is skipped.
fn fault_points_built() -> bool {
    if !cfg!(debug_assertions) {
        eprintln!("SKIPPED: fault points exist in debug builds only");
    }
    cfg!(debug_assertions)
}

/// A panic (a bug in Mercury) while fetching, parsing or storing one feed stays with that feed:
/// the others are stored and rendered, the crashed feed's half-done transaction is rolled back,
/// and the next refresh stores it normally. The panics come from the debug build's fault points
/// (`src/fault.rs`, `MERCURY_FAULT`), so the real binary's own containment is what is tested.
#[test]
fn a_panic_stays_with_its_feed() {
    if !fault_points_built() {
        return;
    }
    let server = FeedServer::start();
    server.fixture("/good.xml", "rss2.xml", RSS);
    let feed = |title: &str, guid: &str| {
        format!(
            "<rss version=\"2.0\"><channel><title>{title}</title><link>https://m.example/</link>\
             <item><guid>{guid}</guid><title>Post {guid}</title><description>Body</description>\
             </item></channel></rss>"
        )
    };
    server.feed("/fetch-bomb.xml", &feed("Fetch bomb", "f1"), RSS);
    server.feed("/parse-bomb.xml", &feed("Parse bomb", "p1"), RSS);
    server.feed("/store-bomb.xml", &feed("Store bomb", "s1"), RSS);
    let mut planet = Planet::new();
    planet
        .feed(&server.url("/good.xml"), "Good")
        .feed(&server.url("/fetch-bomb.xml"), "Fetch")
        .feed(&server.url("/parse-bomb.xml"), "Parse")
        .feed(&server.url("/store-bomb.xml"), "Store");
    let config = planet.write_config();

    let (out, stdout, stderr) = update_with_faults(
        &config,
        "fetch:/fetch-bomb,parse:/parse-bomb,store:Store bomb",
    );
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        stdout.contains("4 feeds: 1 updated, 0 not modified, 3 failed"),
        "{}",
        describe(&out)
    );
    assert!(
        stderr.contains("injected fault"),
        "the panic is logged: {stderr}"
    );
    assert_eq!(planet.items_of(&server.url("/good.xml")).len(), 3);

    let db = planet.db();
    let row = |path: &str| -> (Option<String>, String, i64) {
        db.query_row(
            "SELECT last_error_kind, COALESCE(last_error, ''),
                    (SELECT COUNT(*) FROM entries e WHERE e.feed_id = f.id)
             FROM feeds f WHERE url = ?1",
            [server.url(path)],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
    };
    let (kind, error, entries) = row("/fetch-bomb.xml");
    assert_eq!((kind.as_deref(), entries), (Some("internal"), 0), "{error}");
    assert!(error.contains("while fetching the feed"), "{error}");
    let (kind, error, entries) = row("/parse-bomb.xml");
    assert_eq!((kind.as_deref(), entries), (Some("parse"), 0), "{error}");
    assert!(error.contains("parser crashed"), "{error}");
    let (kind, error, entries) = row("/store-bomb.xml");
    assert_eq!(
        (kind.as_deref(), entries),
        (Some("internal"), 0),
        "the entries written before the panic are rolled back: {error}"
    );
    assert!(error.contains("while storing the feed"), "{error}");
    let check: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let status = planet.mercury(&["status"]);
    assert!(
        String::from_utf8_lossy(&status.stdout).contains("internal error while storing"),
        "{}",
        describe(&status)
    );

    // Without the faults the next refresh stores every feed (forced: a parse failure backs off).
    let out = planet.mercury(&["update", "--force"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("4 feeds: 3 updated, 1 not modified, 0 failed"),
        "{}",
        describe(&out)
    );
    for path in ["/fetch-bomb.xml", "/parse-bomb.xml", "/store-bomb.xml"] {
        assert_eq!(planet.items_of(&server.url(path)).len(), 1, "{path}");
    }
}

/// A panic on a parse thread outside the parser's own guard (packing a parsed feed's bodies)
/// fails that feed as an internal error, logged; the thread goes on parsing the others.
#[test]
fn a_panic_on_a_parse_thread_stays_with_its_feed() {
    if !fault_points_built() {
        return;
    }
    let server = FeedServer::start();
    server.fixture("/good.xml", "rss2.xml", RSS);
    server.fixture("/pack-bomb.xml", "rss2.xml", RSS);
    let mut planet = Planet::new();
    planet
        .feed(&server.url("/pack-bomb.xml"), "Pack")
        .feed(&server.url("/good.xml"), "Good");
    let config = planet.write_config();
    let (out, stdout, stderr) = update_with_faults(&config, "pack:/pack-bomb");
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        stdout.contains("2 feeds: 1 updated, 0 not modified, 1 failed"),
        "{}",
        describe(&out)
    );
    assert!(
        stderr.contains("internal error while parsing the feed")
            && stderr.contains("injected fault: pack"),
        "the panic is logged: {stderr}"
    );
    assert_eq!(planet.items_of(&server.url("/good.xml")).len(), 3);
    let (kind, error): (Option<String>, String) = planet
        .db()
        .query_row(
            "SELECT last_error_kind, COALESCE(last_error, '') FROM feeds WHERE url = ?1",
            [server.url("/pack-bomb.xml")],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(kind.as_deref(), Some("internal"), "{error}");
    assert!(error.contains("while parsing the feed"), "{error}");
}
