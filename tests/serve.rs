//! Guards `mercury serve`, the main job: it refreshes at start and on its schedule, serves the
//! output with the right types and validators (304s), picks up feeds added to feeds.toml while
//! running, keeps the last good config when an edit is invalid (and says so on status.html),
//! reports health on /healthz, and exits cleanly on SIGTERM with the database intact.

mod common;

use common::*;

fn feed(title: &str, guid: &str) -> String {
    format!(
        r#"<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>
        <link>https://{guid}.example/</link><item><title>{title} post</title><guid>{guid}-1</guid>
        <link>https://{guid}.example/1</link><pubDate>Mon, 05 Jan 2026 08:00:00 GMT</pubDate></item>
        </channel></rss>"#
    )
}

#[test]
fn serve_refreshes_serves_reloads_and_stops_cleanly() {
    let server = FeedServer::start();
    server.feed("/a.xml", &feed("Alpha", "alpha"), RSS);
    server.feed("/b.xml", &feed("Beta", "beta"), RSS);
    let addr = free_addr();
    let mut planet = Planet::new();
    planet.planet_extra = format!("schedule = \"* * * * * *\"\n\n[server]\nlisten = \"{addr}\"\n");
    planet.feed(&server.url("/a.xml"), "Alpha");
    let config = planet.write_config();

    let mut serving = serve(&config);

    // Refreshed at start and served.
    assert!(
        wait_for(20, || http_get(&addr, "/", &[])
            .is_ok_and(|r| r.status == 200 && r.body.contains("Alpha post"))),
        "the page never showed the first feed"
    );
    let page = http_get(&addr, "/", &[]).unwrap();
    assert!(page
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    assert!(page
        .header("content-security-policy")
        .unwrap()
        .contains("default-src 'none'"));
    assert!(page.header("cache-control").unwrap().contains("max-age="));

    // Conditional GET on the page.
    let atom = http_get(&addr, "/atom.xml", &[]).unwrap();
    assert!(atom
        .header("content-type")
        .unwrap()
        .starts_with("application/atom+xml"));
    let etag = atom.header("etag").unwrap().to_string();
    let again = http_get(&addr, "/atom.xml", &[("If-None-Match", &etag)]).unwrap();
    // The merged feed only changes when entries do: its validator holds across refreshes.
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    let modified = atom.header("last-modified").unwrap().to_string();
    let since = http_get(&addr, "/atom.xml", &[("If-Modified-Since", &modified)]).unwrap();
    assert_eq!(since.status, 304);
    // The page changes at each refresh (its "last refreshed" line), so it is revalidated
    // within a schedule interval; retry if a refresh rewrote it in between.
    assert!(
        wait_for(10, || {
            let page = http_get(&addr, "/", &[]).unwrap();
            let tag = page.header("etag").unwrap_or("").to_string();
            http_get(&addr, "/", &[("If-None-Match", &tag)]).is_ok_and(|r| r.status == 304)
        }),
        "the page never answered 304"
    );
    let types = [
        ("/rss.xml", "application/rss+xml"),
        ("/feed.json", "application/feed+json"),
        ("/opml.xml", "text/x-opml"),
        ("/style.css", "text/css"),
    ];
    for (path, want) in types {
        let r = http_get(&addr, path, &[]).unwrap();
        assert_eq!(r.status, 200, "{path}");
        assert!(
            r.header("content-type").unwrap().starts_with(want),
            "{path}"
        );
    }
    assert_eq!(http_get(&addr, "/../feeds.toml", &[]).unwrap().status, 404);
    assert_eq!(http_get(&addr, "/healthz", &[]).unwrap().status, 200);

    // The schedule fires (every second here).
    assert!(
        wait_for(10, || server.seen("/a.xml").len() >= 3),
        "the schedule did not fire"
    );
    let seen = server.seen("/a.xml");
    assert!(
        seen.iter().skip(1).any(|s| s.status == 304),
        "later refreshes are conditional"
    );

    // A feed added to the file while serving appears without a restart.
    planet.feed(&server.url("/b.xml"), "Beta");
    planet.write_config();
    assert!(
        wait_for(15, || http_get(&addr, "/feed.json", &[])
            .is_ok_and(|r| r.body.contains("Beta post"))),
        "the added feed never appeared"
    );

    // An invalid edit keeps the last good config running and is shown on status.html.
    let good = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        format!("{good}\n[[feed]]\nurl = \"ftp://bad.example/\"\nname = \"Bad\"\n"),
    )
    .unwrap();
    assert!(
        wait_for(15, || http_get(&addr, "/status.html", &[])
            .is_ok_and(|r| r.body.contains("feeds.toml has an error")
                && r.body.contains("is not an http(s) URL"))),
        "the config error was not shown"
    );
    let still = http_get(&addr, "/feed.json", &[]).unwrap();
    assert!(still.body.contains("Alpha post") && still.body.contains("Beta post"));
    std::fs::write(&config, good).unwrap();

    // SIGTERM: a clean exit, the database intact.
    let exited = serving
        .terminate(15)
        .expect("serve did not stop on SIGTERM");
    assert!(exited.success(), "exit status {exited:?}");
    let check: String = planet
        .db()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
}

/// A stop while a refresh waits on a member that never answers ends `serve` at once, not when
/// that fetch times out: the refresh is abandoned between feeds, as DESIGN.md says.
#[test]
fn a_stop_does_not_wait_for_a_feed_that_never_answers() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    // Accepts connections and never answers them.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_url = format!("http://{}/feed.xml", silent.local_addr().unwrap());
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in silent.incoming().flatten() {
            counter.fetch_add(1, Ordering::SeqCst);
            held.push(stream);
        }
    });
    let addr = free_addr();
    let mut planet = Planet::new();
    planet.planet_extra = format!("[server]\nlisten = \"{addr}\"\n");
    planet.fetch_extra = "timeout_secs = 120\n".into();
    planet.feed(&silent_url, "Silent");
    let config = planet.write_config();

    let mut serving = serve(&config);
    assert!(
        wait_for(20, || accepted.load(Ordering::SeqCst) > 0),
        "serve never fetched the feed"
    );
    let exited = serving
        .terminate(10)
        .expect("serve waited for the silent feed instead of stopping");
    assert!(exited.success(), "exit status {exited:?}");
}
