//! Guards conditional GET: the second refresh sends the stored validators, gets 304, and nothing
//! is duplicated; a server that ignores validators does not duplicate either.

mod common;

use common::*;

#[test]
fn second_update_sends_validators_and_gets_304() {
    let server = FeedServer::start();
    server.fixture("/feed.xml", "rss2.xml", RSS);
    let mut planet = Planet::new();
    planet.feed(&server.url("/feed.xml"), "Alice");
    planet.update();
    let first = planet.json_feed();
    planet.update();

    let seen = server.seen("/feed.xml");
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].if_none_match, None);
    assert!(
        seen[1]
            .if_none_match
            .as_deref()
            .is_some_and(|e| e.starts_with('"')),
        "{seen:?}"
    );
    assert_eq!(
        seen[1].if_modified_since.as_deref(),
        Some("Wed, 07 Jan 2026 10:00:00 GMT")
    );
    assert_eq!(seen[1].status, 304);
    // A polite client: it names itself and the planet, and accepts compressed bodies.
    let ua = seen[0].user_agent.clone().unwrap_or_default();
    assert!(
        ua.starts_with("Mercury/") && ua.contains("https://planet.example.org/"),
        "{ua}"
    );
    let ae = seen[0].accept_encoding.clone().unwrap_or_default();
    assert!(ae.contains("gzip") && ae.contains("br"), "{ae}");

    let second = planet.json_feed();
    assert_eq!(first["items"], second["items"], "a 304 changes nothing");
    let count: i64 = planet
        .db()
        .query_row("SELECT COUNT(*) FROM entries", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 3);
    let status = planet.mercury(&["status"]);
    assert!(
        String::from_utf8_lossy(&status.stdout).contains("304"),
        "{}",
        describe(&status)
    );
}

#[test]
fn server_ignoring_validators_does_not_duplicate() {
    let server = FeedServer::start();
    server.route(
        "/feed.xml",
        Route {
            status: 200,
            body: fixture("atom.xml").into_bytes(),
            content_type: ATOM.into(),
            etag: None,
            last_modified: None,
            location: None,
        },
    );
    let mut planet = Planet::new();
    planet.feed(&server.url("/feed.xml"), "Carol");
    for _ in 0..3 {
        planet.update();
    }
    assert_eq!(server.seen("/feed.xml").len(), 3);
    assert!(server
        .seen("/feed.xml")
        .iter()
        .all(|s| s.if_none_match.is_none()));
    assert_eq!(planet.json_feed()["items"].as_array().unwrap().len(), 2);
}
