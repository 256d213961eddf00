//! Guards retention (issue #20), at a controlled time (`MERCURY_TEST_NOW`): posts older than
//! `keep_days` are deleted except each feed's newest `keep_per_feed`, and their keys kept so a
//! feed still carrying them never brings them back; `prune --dry-run` says what `prune`
//! deletes; a feed removed from feeds.toml is kept `forget_after_days`, restored whole if put
//! back, then forgotten; and the database's size stays bounded over many add-and-prune cycles.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::*;

const NOW: &str = "2026-03-01T12:00:00Z";

fn at(t: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(t).unwrap().with_timezone(&Utc)
}

/// An RSS feed of `(guid, date)` items, each with `body` as its description.
fn rss(items: &[(String, DateTime<Utc>)], body: &str) -> String {
    let items: String = items
        .iter()
        .map(|(guid, date)| {
            format!(
                "<item><title>Post {guid}</title><guid>{guid}</guid>\
                 <link>https://blog.example/{guid}</link><pubDate>{}</pubDate>\
                 <description>{body}</description></item>",
                date.to_rfc2822()
            )
        })
        .collect();
    format!("<rss version=\"2.0\"><channel><title>T</title><link>https://blog.example/</link>{items}</channel></rss>")
}

fn days(list: &[(&str, &str)]) -> Vec<(String, DateTime<Utc>)> {
    list.iter()
        .map(|(g, d)| (g.to_string(), at(&format!("{d}T10:00:00Z"))))
        .collect()
}

/// A has four posts of late February and six of January; B three of January.
fn two_feeds(server: &FeedServer, planet: &mut Planet) -> (String, String) {
    let a = days(&[
        ("a-f23", "2026-02-23"),
        ("a-f22", "2026-02-22"),
        ("a-f21", "2026-02-21"),
        ("a-f20", "2026-02-20"),
        ("a-j6", "2026-01-06"),
        ("a-j5", "2026-01-05"),
        ("a-j4", "2026-01-04"),
        ("a-j3", "2026-01-03"),
        ("a-j2", "2026-01-02"),
        ("a-j1", "2026-01-01"),
    ]);
    let b = days(&[
        ("b-j3", "2026-01-03"),
        ("b-j2", "2026-01-02"),
        ("b-j1", "2026-01-01"),
    ]);
    server.feed("/a.xml", &rss(&a, "a"), RSS);
    server.feed("/b.xml", &rss(&b, "b"), RSS);
    let (a, b) = (server.url("/a.xml"), server.url("/b.xml"));
    planet.feed(&a, "A").feed(&b, "B");
    (a, b)
}

fn run(planet: &Planet, args: &[&str], now: &str) -> std::process::Output {
    let out = mercury_env(&planet.write_config(), args, &[("MERCURY_TEST_NOW", now)]);
    assert!(out.status.success(), "{args:?}: {}", describe(&out));
    out
}

fn count(planet: &Planet, sql: &str) -> i64 {
    planet.db().query_row(sql, [], |r| r.get(0)).unwrap()
}

fn guids(planet: &Planet, url: &str) -> Vec<String> {
    let mut ids: Vec<String> = planet
        .items_of(url)
        .iter()
        .map(|i| {
            i["title"]
                .as_str()
                .unwrap()
                .trim_start_matches("Post ")
                .to_string()
        })
        .collect();
    ids.sort();
    ids
}

#[test]
fn old_posts_go_except_each_feeds_newest_and_never_come_back() {
    let server = FeedServer::start();
    let mut planet = Planet::new();
    planet.planet_extra = "items = 100\nkeep_days = 30\nkeep_per_feed = 2".into();
    let (a, b) = two_feeds(&server, &mut planet);
    run(&planet, &["update"], NOW);
    // A: its four recent posts (the newest two are among them); B: its newest two.
    assert_eq!(guids(&planet, &a), ["a-f20", "a-f21", "a-f22", "a-f23"]);
    assert_eq!(guids(&planet, &b), ["b-j2", "b-j3"]);
    assert_eq!(count(&planet, "SELECT COUNT(*) FROM entries"), 6);
    assert_eq!(count(&planet, "SELECT COUNT(*) FROM tombstones"), 7);

    // The feeds still carry every deleted post: none comes back as new.
    let out = run(&planet, &["update"], NOW);
    assert_eq!(count(&planet, "SELECT COUNT(*) FROM entries"), 6);
    assert_eq!(guids(&planet, &b), ["b-j2", "b-j3"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("retention deleted"), "{stderr}");
    // A new database gives freed pages back.
    assert_eq!(count(&planet, "PRAGMA auto_vacuum"), 2);
}

#[test]
fn prune_dry_run_says_what_prune_deletes_and_deletes_nothing() {
    let server = FeedServer::start();
    let mut planet = Planet::new();
    planet.planet_extra = "items = 100".into();
    let (a, b) = two_feeds(&server, &mut planet);
    run(&planet, &["update"], NOW); // keep_days = 0: everything is kept
    assert_eq!(count(&planet, "SELECT COUNT(*) FROM entries"), 13);

    planet.planet_extra = "items = 100\nkeep_days = 30\nkeep_per_feed = 2".into();
    let dry = run(&planet, &["prune", "--dry-run"], NOW);
    let said = String::from_utf8_lossy(&dry.stdout).into_owned();
    assert_eq!(
        said,
        format!(
            "would delete 7 posts older than 30 days (each feed keeps its newest 2):\n  \
             {a}: 6 posts\n  {b}: 1 post\n"
        )
    );
    assert_eq!(count(&planet, "SELECT COUNT(*) FROM entries"), 13);
    assert_eq!(count(&planet, "SELECT COUNT(*) FROM tombstones"), 0);

    let done = run(&planet, &["prune"], NOW);
    assert_eq!(
        String::from_utf8_lossy(&done.stdout),
        said.replace("would delete", "deleted")
    );
    assert_eq!(count(&planet, "SELECT COUNT(*) FROM entries"), 6);
    run(&planet, &["render"], NOW);
    assert_eq!(guids(&planet, &b), ["b-j2", "b-j3"]);
}

#[test]
fn a_removed_feed_is_kept_for_forget_after_days_then_forgotten() {
    let server = FeedServer::start();
    let mut planet = Planet::new();
    planet.planet_extra = "items = 100".into();
    let (_a, b) = two_feeds(&server, &mut planet);
    let listed = planet.feeds.clone();
    run(&planet, &["update"], "2026-03-01T12:00:00Z");

    planet.feeds.truncate(1); // B removed from feeds.toml
    run(&planet, &["update"], "2026-03-02T12:00:00Z");
    let kept = run(&planet, &["prune"], "2026-03-31T12:00:00Z");
    assert!(
        !String::from_utf8_lossy(&kept.stdout).contains("removed from feeds.toml"),
        "{}",
        describe(&kept)
    );
    // Put back by the admin: everything is there again.
    planet.feeds = listed.clone();
    run(&planet, &["render"], "2026-03-31T12:00:00Z");
    assert_eq!(guids(&planet, &b), ["b-j1", "b-j2", "b-j3"]);

    planet.feeds.truncate(1); // removed again: the 30 days count from now
    run(&planet, &["render"], "2026-04-01T12:00:00Z");
    run(&planet, &["prune"], "2026-04-30T12:00:00Z");
    assert_eq!(count(&planet, "SELECT COUNT(*) FROM feeds"), 2);
    let gone = run(&planet, &["prune"], "2026-05-01T13:00:00Z");
    assert_eq!(
        String::from_utf8_lossy(&gone.stdout),
        format!(
            "keep_days = 0: posts of listed feeds are kept forever\n\
             deleted 1 feed removed from feeds.toml more than 30 days ago:\n  {b}: 3 posts\n"
        )
    );
    assert_eq!(count(&planet, "SELECT COUNT(*) FROM feeds"), 1);
    assert_eq!(count(&planet, "SELECT COUNT(*) FROM entries"), 10);
}

/// Text that LZ4 cannot shrink much: the database must really hold it.
fn noise(seed: u64, words: usize) -> String {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..words)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            format!("{:x}", x & 0xff_ffff)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn file_size(planet: &Planet) -> u64 {
    let db = planet.dir.path().join("mercury.db");
    let wal = planet.dir.path().join("mercury.db-wal");
    std::fs::metadata(db).unwrap().len() + std::fs::metadata(wal).map_or(0, |m| m.len())
}

#[test]
fn the_database_stays_bounded_over_many_add_and_prune_cycles() {
    let server = FeedServer::start();
    let mut planet = Planet::new();
    planet.planet_extra = "items = 100\nkeep_days = 1\nkeep_per_feed = 0".into();
    let url = server.url("/busy.xml");
    planet.feed(&url, "Busy");
    // A database from before retention: no auto-vacuum bookkeeping (the first prune switches
    // it on).
    {
        let old = rusqlite::Connection::open(planet.dir.path().join("mercury.db")).unwrap();
        old.execute_batch(
            "PRAGMA page_size = 16384; PRAGMA journal_mode = WAL;
             CREATE TABLE t (x); DROP TABLE t;",
        )
        .unwrap();
        let mode: i64 = old
            .query_row("PRAGMA auto_vacuum", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, 0);
    }
    let start = at(NOW);
    const CYCLES: i64 = 30;
    const WARM: i64 = 5;
    let mut served = 0u64;
    let mut warm_size = 0;
    for cycle in 0..CYCLES {
        let now = start + Duration::days(cycle);
        let items: Vec<(String, DateTime<Utc>)> = (0..20)
            .map(|k| (format!("c{cycle}-{k}"), now - Duration::minutes(k + 1)))
            .collect();
        let body = rss(&items, &noise(cycle as u64 + 1, 600));
        served += body.len() as u64;
        server.feed("/busy.xml", &body, RSS);
        run(&planet, &["update"], &now.to_rfc3339());
        // Only the newest cycle's posts are younger than a day.
        assert_eq!(
            count(&planet, "SELECT COUNT(*) FROM entries"),
            20,
            "cycle {cycle}"
        );
        if cycle == WARM {
            warm_size = file_size(&planet);
        }
    }
    let end = file_size(&planet);
    eprintln!(
        "database: {warm_size} bytes after {WARM} cycles, {end} after {CYCLES}; {served} served"
    );
    assert!(
        end <= warm_size + warm_size / 2,
        "grew from {warm_size} bytes after {WARM} cycles to {end} after {CYCLES}"
    );
    // The search index of the shown posts is a bounded overhead (its tables' first pages, the
    // shown posts' text); the posts' own pages are what must be given back.
    let index = count(
        &planet,
        "SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name LIKE 'search%'",
    ) as u64;
    assert!(
        end - index < served / 4,
        "{end} bytes ({index} of them the search index) for {served} bytes served: old posts \
         are not given back"
    );
    assert_eq!(count(&planet, "PRAGMA auto_vacuum"), 2, "switched once");
    assert_eq!(
        count(&planet, "PRAGMA freelist_count"),
        0,
        "freed pages returned"
    );
    assert_eq!(
        count(&planet, "SELECT COUNT(*) FROM tombstones"),
        20 * (CYCLES - 1)
    );
}
