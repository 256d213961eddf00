//! Guards posts withdrawn by their authors (issue #20): a post that disappears from its feed
//! while an older post is still there is hidden, and comes back when it reappears; a post that
//! only scrolled off the end stays; a failed, unparsable or empty fetch withdraws nothing; and
//! `follow_deletions = false` turns it off.

mod common;

use common::*;

/// An RSS feed of the posts numbered `ids` (post N is dated N days into February).
fn feed(ids: &[u32]) -> String {
    let items: String = ids
        .iter()
        .rev()
        .map(|n| {
            format!(
                "<item><title>Post {n}</title><guid>p{n}</guid><link>https://blog.example/{n}</link>\
                 <pubDate>{n:02} Feb 2026 10:00:00 GMT</pubDate></item>"
            )
        })
        .collect();
    format!("<rss version=\"2.0\"><channel><title>Blog</title><link>https://blog.example/</link>{items}</channel></rss>")
}

fn shown(planet: &Planet, url: &str) -> Vec<u32> {
    let mut ids: Vec<u32> = planet
        .items_of(url)
        .iter()
        .map(|i| {
            i["title"].as_str().unwrap()["Post ".len()..]
                .parse()
                .unwrap()
        })
        .collect();
    ids.sort();
    ids
}

fn setup(extra: &str) -> (FeedServer, Planet, String) {
    let server = FeedServer::start();
    let mut planet = Planet::new();
    planet.planet_extra = format!("items = 100\n{extra}");
    server.feed("/blog.xml", &feed(&[1, 2, 3, 4, 5]), RSS);
    let url = server.url("/blog.xml");
    planet.feed(&url, "Blogger");
    planet.update();
    assert_eq!(shown(&planet, &url), [1, 2, 3, 4, 5]);
    (server, planet, url)
}

#[test]
fn a_post_removed_between_older_and_newer_ones_is_hidden_until_it_reappears() {
    let (server, planet, url) = setup("");
    server.feed("/blog.xml", &feed(&[1, 2, 4, 5]), RSS);
    planet.update();
    assert_eq!(shown(&planet, &url), [1, 2, 4, 5]);
    let withdrawn: i64 = planet
        .db()
        .query_row(
            "SELECT COUNT(*) FROM entries WHERE withdrawn_at IS NOT NULL AND key = 'p3'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(withdrawn, 1, "kept in the store, marked");

    // The newest post withdrawn too: still newer than post 1, which is there.
    server.feed("/blog.xml", &feed(&[1, 2, 4]), RSS);
    planet.update();
    assert_eq!(shown(&planet, &url), [1, 2, 4]);

    server.feed("/blog.xml", &feed(&[1, 2, 3, 4, 5]), RSS);
    planet.update();
    assert_eq!(
        shown(&planet, &url),
        [1, 2, 3, 4, 5],
        "back when it reappears"
    );
}

#[test]
fn a_post_that_scrolls_off_the_end_is_not_withdrawn() {
    let (server, planet, url) = setup("");
    server.feed("/blog.xml", &feed(&[3, 4, 5, 6, 7]), RSS);
    planet.update();
    assert_eq!(shown(&planet, &url), [1, 2, 3, 4, 5, 6, 7]);
}

#[test]
fn failed_unparsable_or_empty_fetches_withdraw_nothing() {
    let (server, planet, url) = setup("");
    server.route(
        "/blog.xml",
        Route {
            status: 500,
            body: b"oops".to_vec(),
            content_type: "text/plain".into(),
            ..Route::default()
        },
    );
    planet.update();
    server.feed("/blog.xml", "<rss version=\"2.0\"><channel><title>Bl", RSS);
    planet.update();
    server.feed(
        "/blog.xml",
        "<rss version=\"2.0\"><channel><title>Blog</title></channel></rss>",
        RSS,
    );
    planet.update();
    assert_eq!(shown(&planet, &url), [1, 2, 3, 4, 5]);
}

#[test]
fn follow_deletions_false_keeps_showing_removed_posts() {
    let (server, planet, url) = setup("follow_deletions = false");
    server.feed("/blog.xml", &feed(&[1, 2, 4, 5]), RSS);
    planet.update();
    assert_eq!(shown(&planet, &url), [1, 2, 3, 4, 5]);
}
