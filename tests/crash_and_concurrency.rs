//! Guards "nothing lost": `update` killed with SIGKILL at random points leaves a database that
//! passes `PRAGMA integrity_check` (and a search index in step with the posts that passes FTS5's
//! `integrity-check`) and an output folder of complete files, and the next update
//! completes; two `update --wait`s at once on one database both finish, one after the other,
//! without duplicates; and an `update --wait` during `serve`'s own refreshes finishes with both
//! intact.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;

fn farm(n: usize) -> (FeedServer, Planet) {
    let server = FeedServer::start();
    let mut planet = Planet::new();
    planet.planet_extra = "items = 100000".into();
    planet.fetch_extra = "concurrency = 8\ntimeout_secs = 10\n".into();
    for i in 0..n {
        let items: String = (0..10)
            .map(|k| {
                format!(
                    "<item><title>Post {k} of {i}</title><guid>g{i}-{k}</guid><link>https://m{i}.example/{k}</link>\
                     <pubDate>Mon, 0{d} Feb 2026 10:00:00 GMT</pubDate><description>{body}</description></item>",
                    d = 1 + k % 9,
                    body = "&lt;p&gt;text &lt;b&gt;bold&lt;/b&gt;&lt;/p&gt;".repeat(50)
                )
            })
            .collect();
        let body = format!("<rss version=\"2.0\"><channel><title>M{i}</title><link>https://m{i}.example/</link>{items}</channel></rss>");
        server.feed(&format!("/m{i}.xml"), &body, RSS);
        planet.feed(&server.url(&format!("/m{i}.xml")), &format!("Member {i}"));
    }
    (server, planet)
}

fn assert_consistent(planet: &Planet) {
    let check: String = planet
        .db()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    // The search index (kept by the render and by triggers in the same transactions) holds
    // exactly the shown posts and passes FTS5's own check, once the schema has it.
    let db = planet.db();
    let count = |sql: &str| -> i64 { db.query_row(sql, [], |r| r.get(0)).unwrap() };
    if count("SELECT COUNT(*) FROM sqlite_master WHERE name = 'search_index'") == 1 {
        db.execute(
            "INSERT INTO search_index (search_index) VALUES ('integrity-check')",
            [],
        )
        .expect("the search index passes its integrity check");
        let missing = count(
            "SELECT COUNT(*) FROM search_shown
             WHERE entry_id NOT IN (SELECT rowid FROM search_index)",
        );
        let extra = count(
            "SELECT COUNT(*) FROM search_index
             WHERE rowid NOT IN (SELECT entry_id FROM search_shown)",
        );
        let gone = count(
            "SELECT COUNT(*) FROM search_shown WHERE entry_id NOT IN (SELECT id FROM entries)",
        );
        assert_eq!((missing, extra, gone), (0, 0, 0), "index and posts in step");
    }
    // Whatever is in the output folder is a complete file.
    if let Ok(html) = std::fs::read_to_string(planet.out("index.html")) {
        assert!(
            html.trim_end().ends_with("</html>"),
            "half-written index.html"
        );
    }
    if let Ok(json) = std::fs::read_to_string(planet.out("feed.json")) {
        serde_json::from_str::<serde_json::Value>(&json).expect("complete feed.json");
    }
    if let Ok(atom) = std::fs::read_to_string(planet.out("atom.xml")) {
        atom_syndication::Feed::read_from(atom.as_bytes()).expect("complete atom.xml");
    }
}

/// Whether a run got as far as creating the schema.
fn has_entries_table(planet: &Planet) -> bool {
    planet
        .db()
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'entries'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .unwrap()
        == 1
}

#[test]
fn sigkill_at_random_points_never_corrupts() {
    let (_server, planet) = farm(60);
    let config = planet.write_config();
    let mut rng: u64 = 0x2545F4914F6CDD1D;
    for round in 0..12 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let delay = Duration::from_millis(20 + rng % 400);
        let mut child = Command::new(env!("CARGO_BIN_EXE_mercury"))
            .arg("--config")
            .arg(&config)
            .args(["update", "--force"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        assert_consistent(&planet);
        // Wipe the fetch state of some rounds so that later kills land in inserts again. On a
        // loaded machine the kill may come before the first run created the schema: nothing to
        // wipe then.
        if round % 4 == 3 && has_entries_table(&planet) {
            planet
                .db()
                .execute("DELETE FROM entries WHERE id % 2 = 0", [])
                .unwrap();
            planet
                .db()
                .execute("UPDATE feeds SET body_hash = NULL, etag = NULL", [])
                .unwrap();
        }
    }
    let out = mercury_with(&config, &["update", "--force"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_consistent(&planet);
    let count: i64 = planet
        .db()
        .query_row("SELECT COUNT(*) FROM entries", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 600, "every entry once after the interrupted runs");
    assert_eq!(planet.json_feed()["items"].as_array().unwrap().len(), 600);
    let leftovers: Vec<_> = std::fs::read_dir(planet.dir.path().join("public"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn two_updates_at_once_both_finish_without_duplicates() {
    let (_server, planet) = farm(40);
    let config = planet.write_config();
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_mercury"))
            .arg("--config")
            .arg(&config)
            .args(["update", "--force", "--wait"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let a = spawn();
    let b = spawn();
    let a = a.wait_with_output().unwrap();
    let b = b.wait_with_output().unwrap();
    assert!(a.status.success(), "{}", describe(&a));
    assert!(b.status.success(), "{}", describe(&b));
    assert_consistent(&planet);
    let count: i64 = planet
        .db()
        .query_row("SELECT COUNT(*) FROM entries", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 400);
}

#[test]
fn unwritable_output_is_a_clear_error_and_keeps_the_database() {
    let (_server, mut planet) = farm(3);
    // The output folder would have to be inside a regular file: it cannot be created. (A
    // read-only folder proves nothing when tests run as root.)
    std::fs::write(planet.dir.path().join("blocker"), "not a folder").unwrap();
    planet.planet_extra = "items = 100000\noutput_dir = \"blocker/public\"".into();
    let out = planet.mercury(&["update"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot create the output folder") && stderr.contains("blocker/public"),
        "{stderr}"
    );
    let count: i64 = planet
        .db()
        .query_row("SELECT COUNT(*) FROM entries", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 30, "the refresh itself was stored");
    let check: String = planet
        .db()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
}

/// `update --wait` run by hand while `serve` refreshes the same planet every second: every
/// update finishes (the refresh lock is waited for, not failed on), the server keeps answering, and
/// the database and site stay whole.
#[test]
fn update_while_serve_refreshes() {
    let (_server, mut planet) = farm(30);
    let addr = free_addr();
    planet.planet_extra =
        format!("items = 100000\nschedule = \"* * * * * *\"\n\n[server]\nlisten = \"{addr}\"\n");
    let config = planet.write_config();
    let _serving = serve(&config);
    assert!(
        wait_for(30, || http_get(&addr, "/healthz", &[])
            .is_ok_and(|r| r.status == 200)),
        "serve never became healthy"
    );
    for round in 0..4 {
        let out = mercury_with(&config, &["update", "--force", "--wait"]);
        assert!(out.status.success(), "round {round}: {}", describe(&out));
        assert_consistent(&planet);
        let page = http_get(&addr, "/", &[]).expect("serve answers during updates");
        assert_eq!(page.status, 200);
        assert!(page.body.trim_end().ends_with("</html>"));
    }
    let count: i64 = planet
        .db()
        .query_row("SELECT COUNT(*) FROM entries", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 300, "no entry lost or stored twice");
}
