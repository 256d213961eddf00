//! Guards the fetcher against hostile and broken servers: slow drip, never answering, a 500 MB
//! body, a gzip bomb, redirect loops and chains, a redirect to file:, a lying Content-Length, an
//! HTML page, 301, 302, 410 and 429. Each is recorded against its feed; the healthy feed still
//! updates; the refresh ends within the configured time limits; memory stays bounded.

mod common;

use std::time::{Duration, Instant};

use common::hostile::HostileServer;
use common::*;

const PATHS: [&str; 15] = [
    "/good.xml",
    "/slow-drip",
    "/never",
    "/huge",
    "/huge-chunked",
    "/gzip-bomb",
    "/loop",
    "/chain/0",
    "/to-file",
    "/moved",
    "/temporary",
    "/gone",
    "/busy",
    "/page",
    "/lies",
];

fn planet(server: &HostileServer) -> Planet {
    let mut planet = Planet::new();
    // The healthy servers all serve the same post: each member's copy is counted here, not
    // shown once as a cross-post.
    planet.planet_extra = "collapse_duplicates = false".into();
    // Tight limits so the test is quick: 3 s per feed, 1 MB per body.
    planet.fetch_extra = "timeout_secs = 3\nmax_bytes = 1_000_000\nconcurrency = 16\n".into();
    for p in PATHS {
        planet.feed(&server.url(p), &format!("Member {p}"));
    }
    planet
}

/// (last_error_kind, last_error, consecutive_failures, gone, next_due - now in seconds)
fn row(planet: &Planet, url: &str) -> (Option<String>, Option<String>, i64, bool, Option<i64>) {
    planet
        .db()
        .query_row(
            "SELECT last_error_kind, last_error, consecutive_failures, gone,
                    next_due - CAST(strftime('%s','now') AS INTEGER)
             FROM feeds WHERE url = ?1",
            [url],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get::<_, i64>(3)? != 0,
                    r.get(4)?,
                ))
            },
        )
        .unwrap()
}

#[test]
fn hostile_servers_are_contained_and_explained() {
    let server = HostileServer::start();
    let planet = planet(&server);

    let started = Instant::now();
    let out = planet.mercury(&["update"]);
    let elapsed = started.elapsed();
    assert!(out.status.success(), "{}", describe(&out));
    // Not a speed claim: without working timeouts this would hang for minutes.
    assert!(elapsed < Duration::from_secs(30), "took {elapsed:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("15 feeds: 3 updated, 0 not modified, 12 failed"),
        "{stdout}"
    );

    // The healthy feeds updated (the 301 and the 302 both lead to a good feed).
    for p in ["/good.xml", "/moved", "/temporary"] {
        assert_eq!(planet.items_of(&server.url(p)).len(), 1, "{p}");
    }

    let expect = [
        ("/slow-drip", "timeout", "within 3 s"),
        ("/never", "timeout", "within 3 s"),
        ("/huge", "too-large", "larger than 1000000 bytes"),
        ("/huge-chunked", "too-large", "larger than 1000000 bytes"),
        ("/gzip-bomb", "too-large", "larger than 1000000 bytes"),
        ("/loop", "redirect", "more than 5 redirects"),
        ("/chain/0", "redirect", "more than 5 redirects"),
        ("/to-file", "redirect", "only http and https are followed"),
        ("/gone", "gone", "HTTP 410"),
        ("/busy", "http", "HTTP 429"),
        (
            "/page",
            "parse",
            "this is a web page, not a feed; it advertises the feed",
        ),
        ("/lies", "network", "body"),
    ];
    for (p, kind, message) in expect {
        let (k, m, fails, _, _) = row(&planet, &server.url(p));
        assert_eq!(k.as_deref(), Some(kind), "{p}: {m:?}");
        assert!(m.as_deref().unwrap_or("").contains(message), "{p}: {m:?}");
        assert_eq!(fails, 1, "{p}");
    }
    let (_, page_error, ..) = row(&planet, &server.url("/page"));
    assert!(page_error.unwrap().contains(&server.url("/good.xml")));
    assert!(
        row(&planet, &server.url("/gone")).3,
        "410 marks the feed gone"
    );
    let busy_wait = row(&planet, &server.url("/busy")).4.unwrap();
    assert!(
        (3500..=3700).contains(&busy_wait),
        "Retry-After honoured: {busy_wait}"
    );
    let drip_wait = row(&planet, &server.url("/slow-drip")).4.unwrap();
    assert!(
        (500..=700).contains(&drip_wait),
        "first backoff is 10 minutes: {drip_wait}"
    );

    // The permanent move is remembered and reported with the exact edit; the 302 is not.
    let moved_to: Option<String> = planet
        .db()
        .query_row(
            "SELECT fetch_url FROM feeds WHERE url = ?1",
            [server.url("/moved")],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(moved_to, Some(server.url("/new-home.xml")));
    let temp_to: Option<String> = planet
        .db()
        .query_row(
            "SELECT fetch_url FROM feeds WHERE url = ?1",
            [server.url("/temporary")],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(temp_to, None);
    let status = planet.mercury(&["status"]);
    let table = String::from_utf8_lossy(&status.stdout);
    assert!(
        table.contains(&format!(
            "change url = \"{}\" to url = \"{}\"",
            server.url("/moved"),
            server.url("/new-home.xml")
        )),
        "{table}"
    );
    assert!(table.contains("gone (HTTP 410)"), "{table}");

    // status.html lists every member with its health; the page marks gone and failing members.
    let status_html = planet.read("status.html");
    assert_eq!(
        status_html.matches("<tr class=\"failing\">").count(),
        11,
        "{status_html}"
    );
    assert_eq!(status_html.matches("<tr class=\"gone\">").count(), 1);
    let index = planet.read("index.html");
    assert!(index.contains("✖ gone") && index.contains("⚠ not updating"));

    // Second run: failing feeds back off, the gone one is left alone, the moved one is fetched
    // at its new address directly.
    let before = server.seen().len();
    let out = planet.mercury(&["update"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("15 feeds: 0 updated, 3 not modified, 0 failed, 12 skipped"),
        "{stdout}"
    );
    let second: Vec<String> = server.seen()[before..].to_vec();
    assert!(second.contains(&"/new-home.xml".to_string()), "{second:?}");
    assert!(!second.contains(&"/moved".to_string()), "{second:?}");
    assert!(!second.contains(&"/gone".to_string()), "{second:?}");

    // --force tries everything again, gone included.
    let before = server.seen().len();
    let out = planet.mercury(&["update", "--force"]);
    assert!(out.status.success());
    assert!(server.seen()[before..].contains(&"/gone".to_string()));
    let (_, _, fails, gone, _) = row(&planet, &server.url("/gone"));
    assert_eq!((fails, gone), (2, true));

    // The fetch log keeps each attempt.
    let logged: i64 = planet
        .db()
        .query_row(
            "SELECT COUNT(*) FROM fetches x JOIN feeds f ON f.id = x.feed_id WHERE f.url = ?1",
            [server.url("/gone")],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(logged, 2);
}

#[test]
#[allow(unsafe_code)] // getrusage through libc: the children's peak RSS
fn memory_stays_bounded_against_huge_bodies() {
    let server = HostileServer::start();
    let mut planet = Planet::new();
    // The default 5 MB cap, against a 500 MB body, a chunked flood and a gzip bomb.
    planet.fetch_extra = "timeout_secs = 5\n".into();
    for p in ["/huge", "/huge-chunked", "/gzip-bomb", "/good.xml"] {
        planet.feed(&server.url(p), p);
    }
    let out = planet.mercury(&["update"]);
    assert!(out.status.success(), "{}", describe(&out));
    // Peak RSS of the finished child processes of this test binary (this test is the only one
    // here that runs mercury concurrently with nothing else big).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    assert_eq!(
        unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) },
        0
    );
    let peak_mb = usage.ru_maxrss / 1024;
    assert!(peak_mb < 150, "peak RSS {peak_mb} MB");
    assert_eq!(planet.items_of(&server.url("/good.xml")).len(), 1);
}
