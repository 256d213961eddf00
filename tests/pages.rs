//! Guards the page set: archive pages of `items` entries up to `archive_pages`, linked in both
//! directions; merged feeds holding the front page only; `max_per_feed` keeping one prolific
//! member from flooding the planet; robots.txt and `noindex`.

mod common;

use common::*;

fn feed(prefix: &str, n: usize) -> String {
    let items: String = (0..n)
        .map(|i| {
            format!(
                "<item><title>{prefix} post {i}</title><guid>{prefix}-{i}</guid><link>https://{prefix}.example/{i}</link>\
                 <pubDate>{}</pubDate></item>",
                // One post an hour, newest first.
                chrono::DateTime::from_timestamp(1_767_225_600 - (i as i64) * 3600, 0).unwrap().to_rfc2822()
            )
        })
        .collect();
    format!("<rss version=\"2.0\"><channel><title>{prefix}</title><link>https://{prefix}.example/</link>{items}</channel></rss>")
}

#[test]
fn archive_pages_and_front_page_feeds() {
    let server = FeedServer::start();
    server.feed("/a.xml", &feed("alpha", 25), RSS);
    let mut planet = Planet::new();
    planet.planet_extra = "items = 10\narchive_pages = 1".into();
    planet.feed(&server.url("/a.xml"), "Alpha");
    planet.update();

    let front = planet.read("index.html");
    assert_eq!(front.matches("<article").count(), 10);
    assert!(front.contains("alpha post 0<") && !front.contains("alpha post 10<"));
    assert!(
        front.contains("href=\"page/2.html\""),
        "front page links the archive"
    );
    let second = std::fs::read_to_string(planet.out("page/2.html")).unwrap();
    assert_eq!(second.matches("<article").count(), 10);
    assert!(second.contains("alpha post 10<") && second.contains("alpha post 19<"));
    assert!(second.contains("href=\"../index.html\"") && second.contains("href=\"../style.css\""));
    assert!(
        !planet.out("page/3.html").exists(),
        "archive_pages = 1 caps the archive"
    );
    assert_eq!(
        planet.json_feed()["items"].as_array().unwrap().len(),
        10,
        "feeds hold the front page"
    );

    // robots.txt keeps crawlers off the admin's status page and its JSON only.
    assert_eq!(
        planet.read("robots.txt"),
        "User-agent: *\nDisallow: /status.html\nDisallow: /status.json\n"
    );
    assert!(!front.contains("noindex"));

    // When the planet shrinks, stale archive pages go away.
    planet.planet_extra = "items = 20\narchive_pages = 0\nnoindex = true".into();
    planet.update();
    assert!(!planet.out("page/2.html").exists());
    assert!(planet
        .read("index.html")
        .contains("<meta name=\"robots\" content=\"noindex\">"));
    assert_eq!(planet.read("robots.txt"), "User-agent: *\nDisallow: /\n");
}

#[test]
fn one_prolific_member_cannot_flood_the_page() {
    let server = FeedServer::start();
    server.feed("/busy.xml", &feed("busy", 30), RSS);
    server.feed("/quiet.xml", &feed("quiet", 3), RSS);
    let mut planet = Planet::new();
    planet.planet_extra = "items = 10\nmax_per_feed = 4".into();
    planet.feed(&server.url("/busy.xml"), "Busy");
    planet.feed(&server.url("/quiet.xml"), "Quiet");
    planet.update();
    let items = planet.json_feed()["items"].as_array().unwrap().clone();
    let busy = items
        .iter()
        .filter(|i| i["_mercury"]["member"] == "Busy")
        .count();
    let quiet = items
        .iter()
        .filter(|i| i["_mercury"]["member"] == "Quiet")
        .count();
    assert_eq!((busy, quiet), (4, 3));
}

#[test]
fn long_posts_fold_and_links_only_members_get_excerpts() {
    let server = FeedServer::start();
    let long = "<p>".to_string() + &"Cataloguing is a craft. ".repeat(100) + "</p>";
    let body = |who: &str| {
        format!(
            "<rss version=\"2.0\"><channel><title>{who}</title><link>https://{who}.example/</link>\
             <item><title>Long read</title><guid>{who}-long</guid><link>https://{who}.example/long</link>\
             <description><![CDATA[{long}]]></description></item>\
             <item><title>Short note</title><guid>{who}-short</guid><link>https://{who}.example/short</link>\
             <description><![CDATA[<p>Just a <b>short</b> note.</p>]]></description></item></channel></rss>"
        )
    };
    server.feed("/full.xml", &body("full"), RSS);
    server.feed("/links.xml", &body("links"), RSS);
    let mut planet = Planet::new();
    // Both members publish the same posts: each copy is shown here, not collapsed.
    planet.planet_extra = "excerpt_chars = 500\ncollapse_duplicates = false".into();
    planet.feed(&server.url("/full.xml"), "Full");
    planet.feed_with(&server.url("/links.xml"), "Links", "excerpt_only = true");
    planet.update();
    let html = planet.read("index.html");
    // The long post of a normal member is folded, its short post shown whole.
    assert!(
        html.contains("href=\"https://full.example/long\">Read more"),
        "{html}"
    );
    assert!(html.contains("<p>Just a <b>short</b> note.</p>"));
    // The links-only member's posts are excerpts, even the short one.
    assert!(html.contains("href=\"https://links.example/short\">Read more"));
    assert!(
        html.matches("Cataloguing is a craft.").count() < 60,
        "folded, not whole"
    );
    // The merged feeds still carry the full content for feed readers.
    let items = planet.items_of(&server.url("/full.xml"));
    assert!(items
        .iter()
        .any(|i| i["content_html"].as_str().unwrap().len() > 2000));
    // ...but not for the member who wants links only.
    let items = planet.items_of(&server.url("/links.xml"));
    assert!(
        items
            .iter()
            .all(|i| i["content_html"].as_str().unwrap().len() < 400),
        "{items:?}"
    );
}

#[test]
fn a_new_member_shows_only_a_few_old_posts() {
    let server = FeedServer::start();
    server.feed("/old.xml", &feed("old", 4), RSS);
    server.feed("/new.xml", &feed("new", 12), RSS);
    server.feed("/big.xml", &feed("big", 9), RSS);
    let mut planet = Planet::new();
    planet.planet_extra = "new_feed_items = 3".into();
    // The planet's own first refresh shows everything it finds.
    planet.feed(&server.url("/old.xml"), "Old");
    planet.feed(&server.url("/big.xml"), "Big");
    planet.update();
    assert_eq!(planet.items_of(&server.url("/big.xml")).len(), 9);

    // A member joining later shows its three newest posts, not its whole history.
    planet.feed(&server.url("/new.xml"), "New");
    planet.update();
    let titles: Vec<String> = planet
        .items_of(&server.url("/new.xml"))
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(titles, ["new post 0", "new post 1", "new post 2"]);
    assert!(!planet.read("index.html").contains("new post 3<"));
    // The hidden posts are stored, so they never come back as "new" on the next fetch...
    let stored: i64 = planet
        .db()
        .query_row(
            "SELECT COUNT(*) FROM entries e JOIN feeds f ON f.id = e.feed_id WHERE f.name = 'New'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored, 12);
    // ...while a genuinely new post shows up as usual.
    let mut newer = feed("new", 12);
    newer = newer.replacen(
        "<item>",
        "<item><title>new post fresh</title><guid>new-fresh</guid><link>https://new.example/fresh</link></item><item>",
        1,
    );
    server.feed("/new.xml", &newer, RSS);
    planet.update();
    assert_eq!(planet.items_of(&server.url("/new.xml")).len(), 4);

    // 0 turns the cap off.
    server.feed("/zero.xml", &feed("zero", 7), RSS);
    planet.planet_extra = "new_feed_items = 0".into();
    planet.feed(&server.url("/zero.xml"), "Zero");
    planet.update();
    assert_eq!(planet.items_of(&server.url("/zero.xml")).len(), 7);
}

#[test]
fn every_tag_gets_a_sub_planet_with_its_own_feeds() {
    let server = FeedServer::start();
    server.feed("/cat.xml", &feed("cat", 3), RSS);
    server.feed("/oa.xml", &feed("oa", 2), RSS);
    server.feed("/both.xml", &feed("both", 1), RSS);
    let mut planet = Planet::new();
    planet.feed_with(&server.url("/cat.xml"), "Cat", "tags = [\"Cataloguing\"]");
    planet.feed_with(&server.url("/oa.xml"), "Oa", "tags = [\"Open Access\"]");
    planet.feed_with(
        &server.url("/both.xml"),
        "Both",
        "tags = [\"open-access\", \"Cataloguing\"]",
    );
    planet.update();

    // "Open Access" and "open-access" share one folder; each topic holds only its members.
    let oa = std::fs::read_to_string(planet.out("tags/open-access/index.html")).unwrap();
    assert!(oa.contains("oa post 0<") && oa.contains("both post 0<"));
    assert!(!oa.contains("cat post 0<"));
    assert!(oa.contains("href=\"../../style.css\"") && oa.contains("href=\"atom.xml\""));
    assert!(oa.contains("aria-current=\"page\""));
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(planet.out("tags/open-access/feed.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(json["items"].as_array().unwrap().len(), 3);
    assert_eq!(
        json["feed_url"],
        "https://planet.example.org/tags/open-access/feed.json"
    );
    // An entry has the same id in the planet's feed and in its topic's feed.
    let main = planet.json_feed();
    let id_in_topic = json["items"][0]["id"].as_str().unwrap();
    assert!(main["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["id"] == id_in_topic));
    let atom = std::fs::read_to_string(planet.out("tags/cataloguing/atom.xml")).unwrap();
    assert_eq!(atom.matches("<entry>").count(), 4);
    assert!(atom.contains("href=\"https://planet.example.org/tags/cataloguing/atom.xml\""));
    assert!(planet.out("tags/cataloguing/rss.xml").exists());
    // The front page links every topic.
    let front = planet.read("index.html");
    assert!(front.contains("href=\"tags/cataloguing/index.html\""));
    assert!(front.contains("href=\"tags/open-access/index.html\""));

    // A tag nobody uses any more loses its folder.
    planet.feeds.clear();
    planet.feed_with(&server.url("/cat.xml"), "Cat", "tags = [\"Cataloguing\"]");
    planet.update();
    assert!(!planet.out("tags/open-access").exists());
    assert!(planet.out("tags/cataloguing/index.html").exists());
}
