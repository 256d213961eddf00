//! Guards refreshes that cost what changed (issue #24): when a feed's body changes, only its new
//! and edited entries are normalised and sanitised again (their raw fingerprint, taken before
//! normalising, is new); an edited entry's new text shows; entries stored under other rules
//! (an older Mercury, another sanitiser policy) are all re-processed once; and what depends on
//! reading every entry (withdrawn posts, id changes) still sees the skipped ones.

mod common;

use common::*;

/// An RSS document of `items`: (guid, link path, body), newest first (dated by the guid's
/// first letter).
fn doc(items: &[(&str, &str, &str)]) -> String {
    let items: String = items
        .iter()
        .map(|(guid, link, body)| {
            format!(
                "<item><title>Post {guid}</title><link>https://t.example/{link}</link>\
                 <guid>{guid}</guid><pubDate>Fri, {:02} Jan 2026 10:00:00 GMT</pubDate>\
                 <description>&lt;p&gt;{body}&lt;/p&gt;</description></item>",
                1 + guid.as_bytes()[0] - b'a'
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title>\
         <link>https://t.example/</link>{items}</channel></rss>"
    )
}

/// Runs `mercury update` with the parse step's debug lines, and returns how many entries it
/// normalised and how many it skipped as unchanged.
fn update_counting(planet: &Planet) -> (u64, u64) {
    let config = planet.write_config();
    let out = mercury_env(&config, &["update"], &[("RUST_LOG", "mercury=debug")]);
    assert!(out.status.success(), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr
        .lines()
        .find(|l| l.contains("entries read"))
        .unwrap_or_else(|| panic!("no parse line: {}", describe(&out)));
    let field = |name: &str| -> u64 {
        let at = line.find(&format!("{name}=")).expect(name) + name.len() + 1;
        let digits: String = line[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().unwrap()
    };
    (field("normalised"), field("skipped"))
}

fn planet_of(server: &FeedServer, extra: &str) -> Planet {
    let mut planet = Planet::new();
    planet.feed_with(&server.url("/f.xml"), "T", extra);
    planet
}

fn content_of(planet: &Planet, guid: &str) -> String {
    let items = planet.json_feed()["items"].as_array().unwrap().clone();
    let item = items
        .iter()
        .find(|i| i["title"] == format!("Post {guid}"))
        .unwrap_or_else(|| panic!("no {guid} in {items:?}"));
    item["content_html"].as_str().unwrap().to_string()
}

#[test]
fn only_new_and_edited_entries_are_normalised_again() {
    let server = FeedServer::start();
    server.feed("/f.xml", &doc(&[("b", "b", "two"), ("a", "a", "one")]), RSS);
    let planet = planet_of(&server, "");
    assert_eq!(
        update_counting(&planet),
        (2, 0),
        "a first fetch reads everything"
    );

    // A new post on top and `a` edited: those two only.
    server.feed(
        "/f.xml",
        &doc(&[
            ("c", "c", "three"),
            ("b", "b", "two"),
            ("a", "a", "one, edited"),
        ]),
        RSS,
    );
    assert_eq!(update_counting(&planet), (2, 1));
    assert_eq!(content_of(&planet, "a"), "<p>one, edited</p>");
    assert_eq!(content_of(&planet, "b"), "<p>two</p>");
    assert_eq!(content_of(&planet, "c"), "<p>three</p>");
    assert_eq!(planet.json_feed()["items"].as_array().unwrap().len(), 3);
}

#[test]
fn entries_stored_under_other_rules_are_re_processed_once() {
    let server = FeedServer::start();
    let items = [("b", "b", "two"), ("a", "a", "one")];
    server.feed("/f.xml", &doc(&items), RSS);
    let planet = planet_of(&server, "");
    planet.update();
    // As an older Mercury (or another sanitiser policy) left them: other versions.
    let current: Vec<String> = planet
        .db()
        .prepare("SELECT raw_hash FROM entries ORDER BY key")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(current.iter().all(|h| h.starts_with('r')), "{current:?}");
    planet
        .db()
        .execute_batch(
            "UPDATE entries SET raw_hash = 'r0.0' || substr(raw_hash, instr(raw_hash, ':'));
             UPDATE feeds SET body_hash = 'x3:00'",
        )
        .unwrap();

    // The next changed body re-processes every entry, and stores them under the current rules.
    server.feed(
        "/f.xml",
        &doc(&[("c", "c", "new"), items[0], items[1]]),
        RSS,
    );
    assert_eq!(update_counting(&planet), (3, 0));
    let again: Vec<String> = planet
        .db()
        .prepare("SELECT raw_hash FROM entries WHERE key != 'c' ORDER BY key")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(again, current);
    // Once.
    server.feed(
        "/f.xml",
        &doc(&[("d", "d", "newer"), ("c", "c", "new"), items[0], items[1]]),
        RSS,
    );
    assert_eq!(update_counting(&planet), (1, 3));
}

/// A skipped entry still counts as present: a post that leaves the feed is marked withdrawn,
/// the ones still there are not, and a post the feed gives a new id (matched by its link) is
/// still counted as an id change when it is skipped on a later fetch.
#[test]
fn skipped_entries_still_count_for_withdrawn_posts_and_id_changes() {
    let server = FeedServer::start();
    server.feed(
        "/f.xml",
        &doc(&[("c", "c", "three"), ("b", "b", "two"), ("a", "a", "one")]),
        RSS,
    );
    let planet = planet_of(&server, "");
    planet.update();
    // `b` leaves, `c` comes back under a new id.
    server.feed(
        "/f.xml",
        &doc(&[("d", "d", "four"), ("c2", "c", "three"), ("a", "a", "one")]),
        RSS,
    );
    assert_eq!(update_counting(&planet), (2, 1));
    let state = |planet: &Planet| -> (Vec<String>, i64) {
        let db = planet.db();
        let withdrawn = db
            .prepare("SELECT key FROM entries WHERE withdrawn_at IS NOT NULL ORDER BY key")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let id_changes = db
            .query_row("SELECT id_changes FROM feeds", [], |r| r.get(0))
            .unwrap();
        (withdrawn, id_changes)
    };
    assert_eq!(state(&planet), (vec!["b".to_string()], 1));
    // Another new post: `c2`, `a` and `d` are skipped, and nothing else moves.
    server.feed(
        "/f.xml",
        &doc(&[
            ("e", "e", "five"),
            ("d", "d", "four"),
            ("c2", "c", "three"),
            ("a", "a", "one"),
        ]),
        RSS,
    );
    assert_eq!(update_counting(&planet), (1, 3));
    assert_eq!(state(&planet), (vec!["b".to_string()], 1));
    assert_eq!(planet.json_feed()["items"].as_array().unwrap().len(), 4);
}
