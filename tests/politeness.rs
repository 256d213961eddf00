//! Guards politeness to shared blog hosts (many members on one host are fetched at most
//! `[fetch] per_host` at a time, whatever the global concurrency) and compressed transfers.

mod common;

use common::hostile::HostileServer;
use common::*;

#[test]
fn one_host_never_gets_more_than_per_host_requests_at_once() {
    let server = HostileServer::start();
    let mut planet = Planet::new();
    planet.fetch_extra = "concurrency = 16\nper_host = 2\ntimeout_secs = 10\n".into();
    for i in 0..10 {
        planet.feed(
            &server.url(&format!("/slow-ok/{i}")),
            &format!("Member {i}"),
        );
    }
    let out = planet.update();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("10 feeds: 10 updated"),
        "{}",
        describe(&out)
    );
    let max = server.max_in_flight();
    assert!(max <= 2, "{max} requests at once to one host");
    assert!(max >= 1);
}

#[test]
fn gzip_and_brotli_bodies_are_decoded() {
    let server = HostileServer::start();
    let mut planet = Planet::new();
    // Both encodings carry the same post: each member's copy is counted, not collapsed.
    planet.planet_extra = "collapse_duplicates = false".into();
    planet.feed(&server.url("/gzipped.xml"), "Gzip");
    planet.feed(&server.url("/brotli.xml"), "Brotli");
    planet.update();
    for p in ["/gzipped.xml", "/brotli.xml"] {
        let items = planet.items_of(&server.url(p));
        assert_eq!(items.len(), 1, "{p}");
        assert_eq!(items[0]["title"], "Healthy post");
    }
}
