//! Guards `mercury move OLD_URL NEW_URL` (issue #20): feeds.toml gets the new URL (comments
//! kept, a `.bak`) and the member keeps its stored posts and history, so nothing is shown as
//! new and `new_feed_items` does not cut it to a few posts; run after the admin already edited
//! the URL by hand, it brings the history back.

mod common;

use common::*;

fn posts(n: u32) -> String {
    let items: String = (1..=n)
        .rev()
        .map(|i| {
            format!(
                "<item><title>Ivan {i}</title><guid>ivan-{i}</guid><link>https://ivan.example/{i}</link>\
                 <pubDate>{:02} Jan 2026 10:00:00 GMT</pubDate></item>",
                i.min(28)
            )
        })
        .collect();
    format!("<rss version=\"2.0\"><channel><title>Ivan</title><link>https://ivan.example/</link>{items}</channel></rss>")
}

/// Ivan (25 posts) and Xenia (on the planet first, so a newcomer would join late).
fn planet() -> (FeedServer, Planet, String, String) {
    let server = FeedServer::start();
    server.fixture("/xenia.xml", "rss2.xml", RSS);
    server.feed("/ivan/old.xml", &posts(25), RSS);
    server.feed("/ivan/new.xml", &posts(25), RSS);
    let mut planet = Planet::new();
    planet.planet_extra = "items = 200".into();
    planet.feed(&server.url("/xenia.xml"), "Xenia");
    planet.feed_with(
        &server.url("/ivan/old.xml"),
        "Ivan",
        "# Ivan's blog, since 2019",
    );
    planet.update();
    let (old, new) = (server.url("/ivan/old.xml"), server.url("/ivan/new.xml"));
    assert_eq!(planet.items_of(&old).len(), 25);
    (server, planet, old, new)
}

fn feed_stat(planet: &Planet, url: &str, sql: &str) -> i64 {
    planet
        .db()
        .query_row(sql, [url], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[test]
fn move_keeps_the_history_and_shows_nothing_as_new() {
    let (server, planet, old, new) = planet();
    let config = planet.config_path();
    let before = std::fs::read_to_string(&config).unwrap();
    let out = mercury_with(&config, &["move", &old, &new]);
    assert!(out.status.success(), "{}", describe(&out));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains(&format!("{old} -> {new}")), "{said}");
    assert!(said.contains("moved 25 stored posts"), "{said}");
    let after = std::fs::read_to_string(&config).unwrap();
    assert_eq!(after, before.replace(&old, &new), "only the URL changed");
    assert!(after.contains("# Ivan's blog, since 2019"));
    assert_eq!(
        std::fs::read_to_string(config.with_extension("toml.bak")).unwrap(),
        before
    );

    let out = mercury_with(&config, &["update"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(server.seen("/ivan/new.xml").len(), 1);
    assert_eq!(planet.items_of(&new).len(), 25, "every post still shown");
    assert!(planet.items_of(&old).is_empty());
    let last_new = "SELECT x.new_entries FROM fetches x JOIN feeds f ON f.id = x.feed_id
                    WHERE f.url = ?1 ORDER BY x.id DESC LIMIT 1";
    assert_eq!(feed_stat(&planet, &new, last_new), 0, "nothing new");
    let history = "SELECT COUNT(*) FROM fetches x JOIN feeds f ON f.id = x.feed_id
                   WHERE f.url = ?1";
    assert_eq!(
        feed_stat(&planet, &new, history),
        2,
        "the fetch history came along"
    );
}

/// The report: the admin edited `url` by hand and the member dropped from 25 visible
/// posts to 5 (a newly joined member); `move` afterwards restores them.
#[test]
fn move_after_a_hand_edit_brings_the_history_back() {
    let (_server, planet, old, new) = planet();
    let config = planet.config_path();
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text.replace(&old, &new)).unwrap();
    let out = mercury_with(&config, &["update"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(
        planet.items_of(&new).len(),
        5,
        "the bug: a newcomer's few posts"
    );

    let out = mercury_with(&config, &["move", &old, &new]);
    assert!(out.status.success(), "{}", describe(&out));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("already lists"), "{said}");
    assert!(said.contains("merged"), "{said}");
    let out = mercury_with(&config, &["update"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(planet.items_of(&new).len(), 25);
    let feeds: i64 = planet
        .db()
        .query_row("SELECT COUNT(*) FROM feeds", [], |r| r.get(0))
        .unwrap();
    assert_eq!(feeds, 2);
}

#[test]
fn move_of_an_unlisted_url_changes_nothing() {
    let (server, planet, _old, new) = planet();
    let config = planet.config_path();
    let before = std::fs::read_to_string(&config).unwrap();
    let out = mercury_with(&config, &["move", &server.url("/nobody.xml"), &new]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not listed in"));
    assert_eq!(std::fs::read_to_string(&config).unwrap(), before);
}

/// A post a moderator hid stays hidden when its feed moves: the decision follows the feed.
#[test]
fn move_carries_the_moderators_decisions() {
    let (_server, planet, old, new) = planet();
    let config = planet.config_path();
    let out = mercury_with(
        &config,
        &["hide", "https://ivan.example/3", "--reason", "spam"],
    );
    assert!(out.status.success(), "{}", describe(&out));
    let out = mercury_with(&config, &["move", &old, &new]);
    assert!(out.status.success(), "{}", describe(&out));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("1 moderation decision in "), "{said}");
    let moderation = std::fs::read_to_string(planet.dir.path().join("moderation.toml")).unwrap();
    assert!(
        moderation.contains(&format!("feed = \"{new}\"")),
        "{moderation}"
    );
    assert!(!moderation.contains(&old), "{moderation}");

    let out = mercury_with(&config, &["update"]);
    assert!(out.status.success(), "{}", describe(&out));
    let items = planet.items_of(&new);
    assert_eq!(items.len(), 24, "the hidden post stays hidden");
    assert!(items.iter().all(|i| i["url"] != "https://ivan.example/3"));
    let why = mercury_with(&config, &["why", "https://ivan.example/3"]);
    assert!(
        String::from_utf8_lossy(&why.stdout).contains("hidden by a moderator: spam"),
        "{}",
        describe(&why)
    );
}
