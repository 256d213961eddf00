//! Guards the landscape (issue #21) through the real binary: the members page and a page per
//! member, each stored post's state with every reason visibility gives (joined late, beyond
//! `max_per_feed`, beyond the archive, hidden by a moderator, a topic filter, a cross-post shown
//! under another member, withdrawn by its author), the feed-quality hints (near `max_bytes`
//! included), the stale banner at a controlled clock, `status.json`, a relative face from the
//! theme folder and a feed's own picture as a face, and `serve` redirecting a folder named
//! without its slash.

mod common;

use common::*;

const NOW: &str = "2026-03-01T12:00:00Z";

/// `n` RSS items of `prefix`, one an hour back from `newest` (a Unix time).
fn rss(prefix: &str, n: usize, newest: i64) -> String {
    let items: String = (0..n)
        .map(|i| {
            let date = chrono::DateTime::from_timestamp(newest - i as i64 * 3600, 0).unwrap();
            format!(
                "<item><title>{prefix} post {i}</title><guid>{prefix}-{i}</guid>\
                 <link>https://{prefix}.example/{i}</link><pubDate>{}</pubDate></item>",
                date.to_rfc2822()
            )
        })
        .collect();
    format!(
        "<rss version=\"2.0\"><channel><title>{prefix}</title><link>https://{prefix}.example/</link>\
         <image><url>https://{prefix}.example/logo.png</url><title>{prefix}</title>\
         <link>https://{prefix}.example/</link></image>{items}</channel></rss>"
    )
}

fn update_at(planet: &Planet, now: &str) {
    let config = planet.write_config();
    let out = mercury_env(&config, &["update"], &[("MERCURY_TEST_NOW", now)]);
    assert!(out.status.success(), "{}", describe(&out));
}

/// The `<li>` of the stored post titled `title` on a member page.
fn state_of(page: &str, title: &str) -> String {
    let page = &page[page
        .find("<ol class=\"stored\">")
        .expect("a list of stored posts")..];
    let at = page
        .find(&format!(">{title}</a>"))
        .unwrap_or_else(|| panic!("{title} not listed"));
    let rest = &page[at..];
    rest[..rest.find("</li>").unwrap()].to_string()
}

#[test]
fn each_stored_post_says_why_it_is_or_is_not_shown() {
    let server = FeedServer::start();
    let newest = 1_772_359_200; // 2026-03-01T10:00:00Z
    server.feed("/busy.xml", &rss("busy", 5, newest), RSS);
    server.feed("/late.xml", &rss("late", 3, newest - 10 * 3600), RSS);
    let mut planet = Planet::new();
    planet.planet_extra =
        "items = 2\narchive_pages = 0\nmax_per_feed = 1\nnew_feed_items = 2".into();
    planet.feed(&server.url("/busy.xml"), "Busy Bee");
    update_at(&planet, NOW);
    planet.feed(&server.url("/late.xml"), "Late Comer");
    update_at(&planet, NOW);

    let busy = planet.read("members/busy-bee/index.html");
    // The cap keeps one post per member; the second slot goes to Late Comer's newest.
    assert!(state_of(&busy, "busy post 0").contains("shown"));
    for i in 1..5 {
        assert!(state_of(&busy, &format!("busy post {i}")).contains("max_per_feed"));
    }
    let late = planet.read("members/late-comer/index.html");
    assert!(state_of(&late, "late post 0").contains("shown"));
    assert!(state_of(&late, "late post 1").contains("archive"));
    assert!(state_of(&late, "late post 2").contains("new_feed_items"));

    // The members page: both members by name, each linking their page, with activity.
    let members = planet.read("members/index.html");
    let b = members.find("busy-bee/index.html").unwrap();
    let l = members.find("late-comer/index.html").unwrap();
    assert!(b < l, "sorted by name");
    assert!(members.contains("aria-label=\"5 posts in the last year\""));
    // Every page links the members page; the sidebar lists last post dates.
    let index = planet.read("index.html");
    assert!(index.contains("href=\"members/index.html\""));
    assert!(index.contains("last post <time"));
    // The feed's own picture stands in for a face nobody configured.
    assert!(busy.contains("src=\"https://busy.example/logo.png\""));

    // A renamed member keeps their page; status.json lists both feeds.
    planet.feeds[0] = planet.feeds[0].replace("Busy Bee", "Bea Busy");
    update_at(&planet, NOW);
    assert!(planet
        .read("members/busy-bee/index.html")
        .contains("Bea Busy"));
    let status: serde_json::Value = serde_json::from_str(&planet.read("status.json")).unwrap();
    assert_eq!(status.as_array().unwrap().len(), 2);
    assert_eq!(status[0]["name"], "Bea Busy");
    assert!(status[0]["history"].as_array().unwrap().len() >= 2);

    // The reasons come from visibility, every one of them: a post a moderator hides says so.
    let config = planet.write_config();
    let out = mercury_env(
        &config,
        &["hide", "https://busy.example/0", "--reason", "spam"],
        &[("MERCURY_TEST_NOW", NOW)],
    );
    assert!(out.status.success(), "{}", describe(&out));
    update_at(&planet, NOW);
    let busy = planet.read("members/busy-bee/index.html");
    let hidden = state_of(&busy, "busy post 0");
    assert!(hidden.contains("hidden by a moderator: spam"), "{hidden}");
    // Its slot goes to the next post, which the page now shows.
    assert!(state_of(&busy, "busy post 1").contains("shown"));
}

#[test]
fn member_pages_say_what_the_feed_could_do_better() {
    let server = FeedServer::start();
    let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>Q</title><id>q</id>
        <entry><id>q1</id><title>Undated</title><link href="https://q.example/1"/>
          <summary>Just a summary.</summary></entry>
        <entry><id>q2</id><title>Future</title><link href="https://q.example/2"/>
          <published>2099-01-01T00:00:00Z</published>
          <summary type="html">&lt;img src="http://q.example/a.png" alt="a"&gt;</summary></entry>
        </feed>"#;
    server.feed("/q.xml", atom, ATOM);
    server.feed(
        "/page.html",
        r#"<!doctype html><html><head><title>Blog</title>
           <link rel="alternate" type="application/rss+xml" href="/real.xml"></head><body></body></html>"#,
        "text/html",
    );
    // Old posts only: silent for more than 180 days.
    server.feed("/old.xml", &rss("old", 2, 1_735_700_000), RSS);
    let ids = |id: &str| {
        format!(
            "<rss version=\"2.0\"><channel><title>I</title><item><guid>{id}</guid>\
             <link>https://i.example/1</link><title>One</title>\
             <pubDate>Sun, 01 Mar 2026 09:00:00 GMT</pubDate></item></channel></rss>"
        )
    };
    server.feed("/ids.xml", &ids("first-id"), RSS);
    let mut planet = Planet::new();
    planet.feed(&server.url("/q.xml"), "Quinn");
    planet.feed(&server.url("/page.html"), "Paige");
    planet.feed(&server.url("/old.xml"), "Olde");
    planet.feed(&server.url("/ids.xml"), "Ida");
    update_at(&planet, NOW);
    assert!(!planet
        .read("members/ida/index.html")
        .contains("data-hint=\"changing-ids\""));
    server.feed("/ids.xml", &ids("second-id"), RSS);
    update_at(&planet, "2026-03-01T13:00:00Z");
    assert!(planet
        .read("members/ida/index.html")
        .contains("data-hint=\"changing-ids\""));

    let quinn = planet.read("members/quinn/index.html");
    for hint in ["undated", "future-dates", "http-images", "excerpts"] {
        assert!(
            quinn.contains(&format!("data-hint=\"{hint}\"")),
            "{hint}: {quinn}"
        );
    }
    let paige = planet.read("members/paige/index.html");
    assert!(paige.contains("data-hint=\"web-page\""));
    assert!(paige.contains("/real.xml"), "names the advertised feed");
    let olde = planet.read("members/olde/index.html");
    assert!(olde.contains("data-hint=\"silent\""));
    assert!(!olde.contains("data-hint=\"undated\""));
    assert!(!olde.contains("data-hint=\"http-images\""));
}

#[test]
fn pages_say_when_the_planet_is_stale() {
    let server = FeedServer::start();
    server.feed("/a.xml", &rss("alpha", 2, 1_772_359_200), RSS);
    let mut planet = Planet::new();
    planet.planet_extra = "schedule = \"0 0 * * * *\"".into();
    planet.feed(&server.url("/a.xml"), "Alpha");
    update_at(&planet, NOW);
    let banner = "This planet has not been updated since";
    assert!(!planet.read("index.html").contains(banner));
    // A week later the feed fails: the last good refresh is far older than 3 hourly runs.
    server.route(
        "/a.xml",
        Route {
            status: 500,
            ..Default::default()
        },
    );
    let config = planet.write_config();
    let out = mercury_env(
        &config,
        &["update", "--force"],
        &[("MERCURY_TEST_NOW", "2026-03-08T12:00:00Z")],
    );
    assert!(out.status.success(), "{}", describe(&out));
    for page in [
        "index.html",
        "status.html",
        "members/index.html",
        "members/alpha/index.html",
    ] {
        assert!(planet.read(page).contains(banner), "{page}");
    }
}

#[test]
fn a_relative_face_is_published_from_the_theme_folder() {
    let server = FeedServer::start();
    server.feed("/a.xml", &rss("alpha", 1, 1_772_359_200), RSS);
    let mut planet = Planet::new();
    let faces = planet.dir.path().join("templates/faces");
    std::fs::create_dir_all(&faces).unwrap();
    std::fs::write(
        faces.join("bob.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )
    .unwrap();
    planet.feed_with(&server.url("/a.xml"), "Bob", "face = \"faces/bob.svg\"");
    update_at(&planet, NOW);
    assert!(planet.out("faces/bob.svg").exists());
    assert!(planet.read("index.html").contains("src=\"faces/bob.svg\""));
    assert!(planet
        .read("members/bob/index.html")
        .contains("src=\"../../faces/bob.svg\""));
    // A face that is not there is a config error naming the key.
    planet.feeds[0] = planet.feeds[0].replace("bob.svg", "nobody.svg");
    let out = planet.mercury(&["check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("feed[1].face"));
}

#[test]
fn serve_redirects_a_folder_named_without_its_slash() {
    let server = FeedServer::start();
    server.feed("/a.xml", &rss("alpha", 1, 1_772_359_200), RSS);
    let addr = free_addr();
    let mut planet = Planet::new();
    planet.planet_extra = format!("[server]\nlisten = \"{addr}\"\n");
    planet.feed_with(&server.url("/a.xml"), "Alpha", "tags = [\"Science\"]");
    let config = planet.write_config();
    let _serving = serve(&config);
    // The member pages are written after the topics' pages.
    assert!(wait_for(30, || http_get(&addr, "/members/alpha/", &[])
        .is_ok_and(|r| r.status == 200)));
    for (path, to) in [
        ("/tags/science", "/tags/science/"),
        ("/members/alpha", "/members/alpha/"),
    ] {
        let r = http_get(&addr, path, &[]).unwrap();
        assert_eq!(r.status, 301, "{path}");
        assert_eq!(r.header("location"), Some(to), "{path}");
    }
}

/// An RSS feed of `(guid, title, link, text)` items, one an hour apart back from 2026-03-01 10:00.
fn items(prefix: &str, posts: &[(&str, &str, &str, &str)]) -> String {
    let newest = 1_772_359_200;
    let items: String = posts
        .iter()
        .enumerate()
        .map(|(i, (guid, title, link, text))| {
            let date = chrono::DateTime::from_timestamp(newest - i as i64 * 3600, 0).unwrap();
            format!(
                "<item><title>{title}</title><guid>{guid}</guid><link>{link}</link>\
                 <description>{text}</description><pubDate>{}</pubDate></item>",
                date.to_rfc2822()
            )
        })
        .collect();
    format!(
        "<rss version=\"2.0\"><channel><title>{prefix}</title>\
         <link>https://{prefix}.example/</link>{items}</channel></rss>"
    )
}

#[test]
fn member_pages_name_filter_cross_post_and_withdrawn_reasons() {
    let server = FeedServer::start();
    let shared = (
        "ann-shared",
        "Shared article",
        "https://news.example/2026/shared",
        "A piece both members carry.",
    );
    let ann = [
        (
            "ann-new",
            "Newest note",
            "https://ann.example/new",
            "Fresh.",
        ),
        (
            "ann-dogs",
            "About dogs",
            "https://ann.example/dogs",
            "Dogs.",
        ),
        shared,
        ("ann-old", "Oldest note", "https://ann.example/old", "Old."),
    ];
    server.feed("/ann.xml", &items("ann", &ann), RSS);
    // Ben's copy of the shared article is newer than Ann's: Ann's shows, Ben's is the cross-post.
    let ben = [
        ("ben-own", "Ben writes", "https://ben.example/own", "Mine."),
        ("ben-shared", shared.1, shared.2, shared.3),
    ];
    server.feed("/ben.xml", &items("ben", &ben[..1]), RSS);
    // A feed near max_bytes: padded to about 90% of the 20,000 bytes the planet reads.
    let padding = "x".repeat(17_500);
    let big = items(
        "big",
        &[("big-1", "Big post", "https://big.example/1", &padding)],
    );
    server.feed("/big.xml", &big, RSS);
    let mut planet = Planet::new();
    planet.planet_extra = "items = 20\nnew_feed_items = 20".into();
    planet.fetch_extra.push_str("max_bytes = 20000\n");
    planet.feed_with(&server.url("/ann.xml"), "Ann", "ignore = \"(?i)dogs\"");
    planet.feed(&server.url("/ben.xml"), "Ben");
    planet.feed(&server.url("/big.xml"), "Big");
    update_at(&planet, NOW);
    // Ben's copy arrives a fetch later, so it is stored after Ann's.
    server.feed("/ben.xml", &items("ben", &ben), RSS);
    // Ann removes her newest note while older posts are still in the feed: withdrawn.
    server.feed("/ann.xml", &items("ann", &ann[1..]), RSS);
    update_at(&planet, "2026-03-01T12:30:00Z");

    let ann_page = planet.read("members/ann/index.html");
    let filtered = state_of(&ann_page, "About dogs");
    assert!(
        filtered.contains("hidden by the topic filter"),
        "{filtered}"
    );
    assert!(
        filtered.contains("feed[1].ignore"),
        "names the key: {filtered}"
    );
    let withdrawn = state_of(&ann_page, "Newest note");
    assert!(withdrawn.contains("removed by its author"), "{withdrawn}");
    assert!(state_of(&ann_page, "Shared article").contains("shown"));
    assert!(state_of(&ann_page, "Oldest note").contains("shown"));

    let ben_page = planet.read("members/ben/index.html");
    let copy = state_of(&ben_page, "Shared article");
    assert!(
        copy.contains("a cross-post: the same post is shown under Ann"),
        "{copy}"
    );
    assert!(state_of(&ben_page, "Ben writes").contains("shown"));

    // Only the feed near the limit gets the hint.
    let big_page = planet.read("members/big/index.html");
    assert!(
        big_page.contains("data-hint=\"near-max-bytes\""),
        "{big_page}"
    );
    assert!(big_page.contains("(max_bytes)"));
    assert!(!ann_page.contains("data-hint=\"near-max-bytes\""));
}
