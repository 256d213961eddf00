//! Guards members' feeds as they really are, through the real binary: an author written as
//! `email (Name)` shows as the name on the page and in every merged feed; a plain-text title
//! (JSON Feed, Atom `type="text"`) is shown as exactly its words; a post dated in the future is
//! clamped once and keeps that date (not "changed" on every fetch, not moving in the feeds).

mod common;

use common::*;

fn update_at(planet: &Planet, now: &str) -> String {
    let config = planet.write_config();
    let out = mercury_env(
        &config,
        &["update", "--force"],
        &[("MERCURY_TEST_NOW", now)],
    );
    assert!(out.status.success(), "{}", describe(&out));
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn future_feed(other_body: &str) -> String {
    format!(
        r#"<rss version="2.0"><channel><title>F</title><link>https://f.example/</link>
        <item><title>From the future</title><guid>https://f.example/future</guid>
          <pubDate>Fri, 01 Jan 2100 10:00:00 GMT</pubDate><description>soon</description></item>
        <item><title>Other</title><guid>https://f.example/other</guid>
          <pubDate>Thu, 01 Jan 2026 10:00:00 GMT</pubDate><description>{other_body}</description></item>
        </channel></rss>"#
    )
}

#[test]
fn future_dated_post_is_clamped_once() {
    let server = FeedServer::start();
    server.feed("/f.xml", &future_feed("one"), RSS);
    let mut planet = Planet::new();
    planet.feed(&server.url("/f.xml"), "F");
    update_at(&planet, "2026-03-01T12:00:00Z");
    let date_of = |p: &Planet| -> (String, String) {
        let item = p
            .json_feed()
            .get("items")
            .and_then(|i| i.as_array())
            .and_then(|i| i.iter().find(|i| i["title"] == "From the future").cloned())
            .expect("the future post is listed");
        let atom = p.read("atom.xml");
        let at = atom.find("From the future").expect("in atom.xml");
        let published = atom[at..]
            .split("<published>")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .unwrap_or_default()
            .to_string();
        (
            item["date_published"].as_str().unwrap().to_string(),
            published,
        )
    };
    let (json_date, atom_date) = date_of(&planet);
    assert!(json_date.starts_with("2026-03-01T12:00:00"), "{json_date}");
    assert!(atom_date.starts_with("2026-03-01T12:00:00"), "{atom_date}");

    // A day later the same document (and then one where only the other post changed) is read
    // again: the future post is not counted as changed and its date does not move.
    let out = update_at(&planet, "2026-03-02T12:00:00Z");
    assert!(out.contains("0 changed"), "{out}");
    server.feed("/f.xml", &future_feed("two"), RSS);
    let out = update_at(&planet, "2026-03-03T12:00:00Z");
    assert!(
        out.contains("1 changed"),
        "only the other post changed: {out}"
    );
    assert_eq!(date_of(&planet), (json_date, atom_date));
}

#[test]
fn author_with_address_shows_the_name_and_keeps_the_address_apart() {
    let server = FeedServer::start();
    server.feed(
        "/a.xml",
        r#"<rss version="2.0"><channel><title>A</title><link>https://a.example/</link>
        <item><title>Post</title><guid>https://a.example/1</guid>
          <pubDate>Thu, 01 Jan 2026 10:00:00 GMT</pubDate>
          <author>erin@example.org (Zoë Erin Haddad)</author><description>x</description></item>
        </channel></rss>"#,
        RSS,
    );
    let mut planet = Planet::new();
    planet.feed(&server.url("/a.xml"), "A");
    planet.update();
    // The page and the JSON Feed (which has no place for an address) show the name alone.
    for file in ["index.html", "feed.json"] {
        let text = planet.read(file);
        assert!(text.contains("Zoë Erin Haddad"), "{file}");
        assert!(
            !text.contains("(Zoë Erin Haddad)"),
            "{file} shows the parentheses"
        );
        assert!(
            !text.contains("erin@example.org"),
            "{file} shows the address"
        );
    }
    // Atom and RSS keep the address apart, each where it has a place for it.
    let atom = planet.read("atom.xml");
    let squeezed: String = atom.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        squeezed.contains("<author> <name>Zoë Erin Haddad</name> <email>erin@example.org</email>"),
        "{atom}"
    );
    let rss = planet.read("rss.xml");
    assert!(
        rss.contains("<author>erin@example.org (Zoë Erin Haddad)</author>"),
        "{rss}"
    );
    assert!(
        rss.contains("<dc:creator>Zoë Erin Haddad</dc:creator>"),
        "{rss}"
    );
}

#[test]
fn plain_text_titles_are_shown_as_written() {
    let server = FeedServer::start();
    server.feed(
        "/j.json",
        r#"{"version": "https://jsonfeed.org/version/1.1", "title": "J",
            "home_page_url": "https://j.example/",
            "items": [{"id": "https://j.example/1", "url": "https://j.example/1",
                       "title": "Why <iframe> is bad", "content_text": "x",
                       "date_published": "2026-01-01T10:00:00Z"}]}"#,
        JSON,
    );
    server.feed(
        "/t.xml",
        r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>urn:t</id>
        <updated>2026-01-02T10:00:00Z</updated>
        <entry><id>urn:t:1</id><title type="text">Why &lt;object&gt; is bad</title>
          <link href="https://t.example/1"/><updated>2026-01-02T10:00:00Z</updated>
          <content type="text">y</content></entry></feed>"#,
        ATOM,
    );
    let mut planet = Planet::new();
    planet.feed(&server.url("/j.json"), "J");
    planet.feed(&server.url("/t.xml"), "T");
    planet.update();
    let titles: Vec<String> = planet.json_feed()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(
        titles.contains(&"Why <iframe> is bad".to_string()),
        "{titles:?}"
    );
    assert!(
        titles.contains(&"Why <object> is bad".to_string()),
        "{titles:?}"
    );
    for file in ["index.html", "atom.xml", "rss.xml"] {
        let text = planet.read(file);
        for word in ["iframe", "object"] {
            assert!(
                text.contains(&format!("Why &lt;{word}&gt; is bad")),
                "{file}: {word}"
            );
            assert!(
                !text.contains(&format!("<{word}")),
                "{file}: a real <{word}>"
            );
        }
    }
}
