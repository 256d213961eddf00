//! Guards the digest (`[planet] digest`): periods in the planet's time zone (ISO weeks from
//! Monday; a post at 23:30 on Sunday belongs to that week), pages only for periods with posts,
//! `digest.xml` holding complete periods only, with ids and content that stay the same across
//! refreshes; a post a moderator hides later changes its period's entry once; daily and monthly periods;
//! `off` writing nothing. Runs the real binary at controlled times (`MERCURY_TEST_NOW`).

mod common;

use std::process::Output;

use common::*;

/// An RSS feed of `(title, date)` posts, each with a long body.
fn rss(name: &str, posts: &[(&str, &str)]) -> String {
    let items: String = posts
        .iter()
        .map(|(title, date)| {
            let date = chrono::DateTime::parse_from_rfc3339(date).unwrap().to_rfc2822();
            let slug = title.to_lowercase().replace(' ', "-");
            format!(
                "<item><title>{title}</title><guid>{name}-{slug}</guid>\
                 <link>https://{name}.example/{slug}</link><pubDate>{date}</pubDate>\
                 <description>&lt;p&gt;About &lt;b&gt;{title}&lt;/b&gt;. {}&lt;/p&gt;</description></item>",
                "Many words follow here. ".repeat(40)
            )
        })
        .collect();
    format!(
        "<rss version=\"2.0\"><channel><title>{name}</title><link>https://{name}.example/</link>\
         {items}</channel></rss>"
    )
}

/// A planet of two members (Zoe listed first, Adam second) in `timezone`, with `extra`
/// `[planet]` lines.
fn planet(server: &FeedServer, timezone: &str, extra: &str) -> Planet {
    let mut planet = Planet::new();
    planet.planet_extra = extra.into();
    planet.feed(&server.url("/zoe.xml"), "Zoe Zed");
    planet.feed(&server.url("/adam.xml"), "Adam Ash");
    let config = planet.config_text().replace(
        "timezone = \"Europe/London\"",
        &format!("timezone = {timezone:?}"),
    );
    std::fs::write(planet.config_path(), config).unwrap();
    planet
}

/// `mercury update` at `now`, with the config as written by [`planet`].
fn update_at(planet: &Planet, now: &str) -> Output {
    let out = mercury_env(
        &planet.config_path(),
        &["update"],
        &[("MERCURY_TEST_NOW", now)],
    );
    assert!(out.status.success(), "update failed: {}", describe(&out));
    out
}

/// digest.xml's entries: (id, updated, title, content, link).
fn digest_entries(planet: &Planet) -> Vec<(String, String, String, String, String)> {
    let xml = planet.read("digest.xml");
    let feed = atom_syndication::Feed::read_from(xml.as_bytes()).expect("digest.xml is Atom");
    feed.entries()
        .iter()
        .map(|e| {
            (
                e.id().to_string(),
                e.updated().to_rfc3339(),
                e.title().value.clone(),
                e.content()
                    .and_then(|c| c.value())
                    .unwrap_or("")
                    .to_string(),
                e.links()[0].href().to_string(),
            )
        })
        .collect()
}

fn ids(entries: &[(String, String, String, String, String)]) -> Vec<&str> {
    entries.iter().map(|e| e.0.as_str()).collect()
}

#[test]
fn weeks_follow_the_planets_zone_and_only_complete_ones_are_published() {
    let server = FeedServer::start();
    // New York, EST (UTC-5). 23:30 on Sunday 29 November is 04:30 on Monday in UTC: still
    // week 48 there. Week 47 has no posts.
    server.feed(
        "/zoe.xml",
        &rss(
            "zoe",
            &[
                ("Late on Sunday", "2026-11-29T23:30:00-05:00"),
                ("Week forty-six", "2026-11-10T12:00:00-05:00"),
            ],
        ),
        RSS,
    );
    server.feed(
        "/adam.xml",
        &rss("adam", &[("Midweek", "2026-11-25T12:00:00-05:00")]),
        RSS,
    );
    let planet = planet(&server, "America/New_York", "");
    // 23:45 on that Sunday in New York: week 48 is not over.
    update_at(&planet, "2026-11-30T04:45:00Z");
    let entries = digest_entries(&planet);
    assert_eq!(
        ids(&entries),
        ["https://planet.example.org/#digest-2026-W46"],
        "only complete weeks are published"
    );
    assert_eq!(
        entries[0].1, "2026-11-16T05:00:00+00:00",
        "updated = end of the week"
    );
    assert_eq!(
        entries[0].4,
        "https://planet.example.org/digest/2026-W46.html"
    );
    let w48 = planet.read("digest/2026-W48.html");
    assert!(w48.contains("2 posts by 2 members so far"), "{w48}");
    assert!(
        !planet.out("digest/2026-W47.html").exists(),
        "no page for an empty week"
    );
    assert!(!planet.out("digest/2026-W49.html").exists());

    // The next Monday: week 48 is complete and published, a Monday post starts week 49.
    server.feed(
        "/zoe.xml",
        &rss(
            "zoe",
            &[
                ("Monday morning", "2026-11-30T00:30:00-05:00"),
                ("Late on Sunday", "2026-11-29T23:30:00-05:00"),
                ("Week forty-six", "2026-11-10T12:00:00-05:00"),
            ],
        ),
        RSS,
    );
    update_at(&planet, "2026-12-01T12:00:00Z");
    let entries = digest_entries(&planet);
    assert_eq!(
        ids(&entries),
        [
            "https://planet.example.org/#digest-2026-W48",
            "https://planet.example.org/#digest-2026-W46"
        ]
    );
    let (_, updated, title, content, _) = &entries[0];
    assert_eq!(updated, "2026-11-30T05:00:00+00:00");
    assert_eq!(title, "Week 48, 2026: 23 – 29 November 2026");
    // Members in name order, their posts with links, dates and short plain-text excerpts.
    let adam = content.find("Adam Ash").unwrap();
    let zoe = content.find("Zoe Zed").unwrap();
    assert!(adam < zoe, "members in name order: {content}");
    assert!(content.contains("href=\"https://zoe.example/late-on-sunday\""));
    assert!(content.contains("29 November 2026, 23:30"), "{content}");
    assert!(!content.contains("Monday morning"), "{content}");
    assert!(content.contains("About Midweek."));
    assert!(!content.contains("<b>"), "excerpts are text: {content}");
    let excerpt = content
        .split("<br>")
        .nth(1)
        .unwrap()
        .split("</li>")
        .next()
        .unwrap();
    assert!(
        excerpt.ends_with('…') && excerpt.chars().count() <= 301,
        "short excerpts: {excerpt}"
    );
    let w49 = planet.read("digest/2026-W49.html");
    assert!(w49.contains("Monday morning") && w49.contains("1 post by 1 member so far"));
    // Pages link their neighbours and the list, which holds every digest newest first.
    let w48 = planet.read("digest/2026-W48.html");
    assert!(w48.contains("href=\"2026-W46.html\"") && w48.contains("href=\"2026-W49.html\""));
    let index = planet.read("digest/index.html");
    let order: Vec<usize> = ["2026-W49.html", "2026-W48.html", "2026-W46.html"]
        .iter()
        .map(|p| index.find(p).unwrap_or_else(|| panic!("{p} not listed")))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{index}");

    // Later refreshes publish both entries exactly as before.
    let before = planet.read("digest.xml");
    update_at(&planet, "2026-12-03T09:00:00Z");
    assert_eq!(digest_entries(&planet), entries);
    update_at(&planet, "2026-12-05T09:00:00Z");
    assert_eq!(planet.read("digest.xml"), before, "byte for byte");

    // The page links the digest, in its header and as an alternate feed.
    let front = planet.read("index.html");
    assert!(front.contains(
        "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Weekly digest\" href=\"digest.xml\">"
    ));
    assert!(front.contains("<a href=\"digest/index.html\">Weekly digest</a>"));
}

#[test]
fn a_post_a_moderator_hides_later_changes_its_entry_once() {
    let server = FeedServer::start();
    server.feed(
        "/zoe.xml",
        &rss("zoe", &[("Kept", "2026-11-24T10:00:00Z")]),
        RSS,
    );
    server.feed(
        "/adam.xml",
        &rss("adam", &[("Withdrawn later", "2026-11-25T10:00:00Z")]),
        RSS,
    );
    let planet = planet(&server, "Europe/London", "");
    update_at(&planet, "2026-12-01T12:00:00Z");
    let first = digest_entries(&planet);
    assert_eq!(first.len(), 1);
    assert!(first[0].3.contains("Withdrawn later"));
    assert_eq!(first[0].1, "2026-11-30T00:00:00+00:00");

    // A moderator hides the post after its week was published.
    let out = mercury_env(
        &planet.config_path(),
        &[
            "hide",
            "https://adam.example/withdrawn-later",
            "--reason",
            "spam",
        ],
        &[("MERCURY_TEST_NOW", "2026-12-02T07:00:00Z")],
    );
    assert!(out.status.success(), "{}", describe(&out));
    update_at(&planet, "2026-12-02T08:00:00Z");
    let second = digest_entries(&planet);
    assert_eq!(second[0].0, first[0].0, "the same entry");
    assert!(!second[0].3.contains("Withdrawn later"), "{}", second[0].3);
    assert!(second[0].3.contains("1 post by 1 member."));
    assert_eq!(
        second[0].1, "2026-12-02T08:00:00+00:00",
        "updated moved once"
    );
    let page = planet.read("digest/2026-W48.html");
    assert!(!page.contains("Withdrawn later"));

    update_at(&planet, "2026-12-03T08:00:00Z");
    assert_eq!(digest_entries(&planet), second, "and stays");

    // A period all of whose posts are hidden (here: the store's flag for posts that joined
    // late) has no entry and no page.
    planet
        .db()
        .execute("UPDATE entries SET hidden = 1", [])
        .unwrap();
    update_at(&planet, "2026-12-04T08:00:00Z");
    assert!(digest_entries(&planet).is_empty());
    assert!(!planet.out("digest/2026-W48.html").exists());
    assert!(planet.read("digest/index.html").contains("No digests yet"));
}

#[test]
fn daily_and_monthly_digests() {
    let server = FeedServer::start();
    server.feed(
        "/zoe.xml",
        &rss(
            "zoe",
            &[
                ("December first", "2026-12-01T09:00:00Z"),
                ("Late November", "2026-11-30T23:30:00Z"),
                ("October", "2026-10-15T09:00:00Z"),
            ],
        ),
        RSS,
    );
    server.feed("/adam.xml", &rss("adam", &[]), RSS);

    let daily = planet(&server, "Europe/London", "digest = \"daily\"");
    update_at(&daily, "2026-12-01T12:00:00Z");
    assert_eq!(
        ids(&digest_entries(&daily)),
        [
            "https://planet.example.org/#digest-2026-11-30",
            "https://planet.example.org/#digest-2026-10-15"
        ]
    );
    assert!(daily
        .read("digest/2026-12-01.html")
        .contains("December first"));
    assert!(daily
        .read("digest/2026-11-30.html")
        .contains("Monday, 30 November 2026"));
    assert!(daily.read("index.html").contains("title=\"Daily digest\""));

    let monthly = planet(&server, "Europe/London", "digest = \"monthly\"");
    update_at(&monthly, "2026-12-01T12:00:00Z");
    let entries = digest_entries(&monthly);
    assert_eq!(
        ids(&entries),
        [
            "https://planet.example.org/#digest-2026-11",
            "https://planet.example.org/#digest-2026-10"
        ]
    );
    assert_eq!(entries[0].2, "November 2026");
    assert_eq!(entries[0].1, "2026-12-01T00:00:00+00:00");
    assert!(monthly.read("digest/2026-12.html").contains("so far"));
    assert!(monthly.read("index.html").contains(">Monthly digest</a>"));
}

#[test]
fn off_writes_nothing_and_removes_an_earlier_digest() {
    let server = FeedServer::start();
    server.feed(
        "/zoe.xml",
        &rss("zoe", &[("A post", "2026-11-24T10:00:00Z")]),
        RSS,
    );
    server.feed("/adam.xml", &rss("adam", &[]), RSS);
    let planet = planet(&server, "Europe/London", "");
    update_at(&planet, "2026-12-01T12:00:00Z");
    assert!(planet.out("digest/2026-W48.html").exists());

    let off = planet.config_text().replace(
        "timezone = \"Europe/London\"",
        "timezone = \"Europe/London\"\ndigest = \"off\"",
    );
    std::fs::write(planet.config_path(), off).unwrap();
    update_at(&planet, "2026-12-02T12:00:00Z");
    assert!(!planet.out("digest").exists());
    assert!(!planet.out("digest.xml").exists());
    assert!(!planet.read("index.html").contains("digest"));
}

#[test]
fn a_digest_value_that_is_not_a_period_is_a_located_error() {
    let mut planet = Planet::new();
    planet.planet_extra = "digest = \"fortnightly\"".into();
    let out = planet.mercury(&["check"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("feeds.toml:8: planet.digest: \"fortnightly\" is not a digest period"),
        "{err}"
    );
}
