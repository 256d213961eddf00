//! Guards "hidden posts are never found": under the real `serve`, a post hidden for each reason
//! the planet gives (a topic filter, a moderator, the other copy of a cross-post, withdrawn by
//! its author, joined late, beyond `max_per_feed`, beyond the archive, pruned by retention) is
//! not in any search result, while the posts the planet shows are. `why` first confirms each
//! post is stored and hidden for exactly that reason, so the test cannot pass on a post that
//! was simply never stored.

mod common;

use common::posts::{post, rss, Post};
use common::*;

fn titles(addr: &str, q: &str) -> Vec<String> {
    try_titles(addr, q).expect("serve answers")
}

/// The titles a search for `q` finds, in order; `None` while `serve` does not answer yet.
fn try_titles(addr: &str, q: &str) -> Option<Vec<String>> {
    let r = http_get(addr, &format!("/search?q={q}"), &[]).ok()?;
    assert_eq!(r.status, 200, "{q}");
    let found = r
        .body
        .split("<h2 class=\"title\">")
        .skip(1)
        .map(|s| {
            let s = &s[..s.find("</h2>").unwrap()];
            let mut out = String::new();
            let mut tag = false;
            for c in s.chars() {
                match c {
                    '<' => tag = true,
                    '>' => tag = false,
                    c if !tag => out.push(c),
                    _ => {}
                }
            }
            out.trim().to_string()
        })
        .collect();
    Some(found)
}

fn why(planet: &Planet, link: &str) -> String {
    let out = planet.mercury(&["why", link]);
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn no_hidden_post_is_ever_found() {
    let server = FeedServer::start();
    let ann = |with_koala: bool| -> Vec<Post> {
        let mut posts = vec![
            post("Shown quokka", "https://ann.example/quokka", 1),
            post("Filtered wombat", "https://ann.example/wombat", 2),
            post("Moderated numbat", "https://ann.example/numbat", 3),
            post("Shown emu", "https://ann.example/emu", 4),
            post("Capped dingo", "https://ann.example/dingo", 5),
        ];
        if with_koala {
            posts.insert(0, post("Withdrawn koala", "https://ann.example/koala", 0));
        }
        posts
    };
    server.feed("/ann.xml", &rss("Ann", &ann(true)), RSS);
    let shared = |days| {
        post(
            "Crosspost platypus",
            "https://shared.example/platypus",
            days,
        )
    };
    server.feed("/ben.xml", &rss("Ben", &[shared(2)]), RSS);
    server.feed("/cat.xml", &rss("Cat", &[shared(3)]), RSS);
    server.feed(
        "/dan.xml",
        &rss(
            "Dan",
            &[
                post("Late bilby", "https://dan.example/bilby", 1),
                post("Late bandicoot", "https://dan.example/bandicoot", 8),
            ],
        ),
        RSS,
    );
    server.feed(
        "/eve.xml",
        &rss("Eve", &[post("Eve lyrebird", "https://eve.example/1", 10)]),
        RSS,
    );
    server.feed(
        "/fay.xml",
        &rss("Fay", &[post("Fay cassowary", "https://fay.example/1", 9)]),
        RSS,
    );
    server.feed(
        "/gus.xml",
        &rss(
            "Gus",
            &[post("Archived echidna", "https://gus.example/1", 12)],
        ),
        RSS,
    );

    let mut planet = Planet::new();
    planet.planet_extra = "items = 3\narchive_pages = 1\nmax_per_feed = 2\nnew_feed_items = 1\n\
                           schedule = \"0 0 0 1 1 *\""
        .into();
    planet
        .feed_with(&server.url("/ann.xml"), "Ann", "ignore = \"wombat\"")
        .feed(&server.url("/ben.xml"), "Ben")
        .feed(&server.url("/cat.xml"), "Cat")
        .feed(&server.url("/eve.xml"), "Eve")
        .feed(&server.url("/fay.xml"), "Fay")
        .feed(&server.url("/gus.xml"), "Gus");
    planet.update();
    // Dan joins a planet that already shows posts; Ann removes her newest post; a moderator
    // hides one of Ann's.
    planet.feed(&server.url("/dan.xml"), "Dan");
    server.feed("/ann.xml", &rss("Ann", &ann(false)), RSS);
    planet.update();
    let out = planet.mercury(&["hide", "https://ann.example/numbat", "--render"]);
    assert!(out.status.success(), "{}", describe(&out));

    let reasons = [
        ("https://ann.example/wombat", "wombat", "topic filter"),
        ("https://ann.example/numbat", "numbat", "moderator"),
        (
            "https://ann.example/koala",
            "koala",
            "removed by its author",
        ),
        (
            "https://dan.example/bandicoot",
            "bandicoot",
            "joined the planet",
        ),
        ("https://ann.example/dingo", "dingo", "max_per_feed"),
        ("https://gus.example/1", "echidna", "older than the archive"),
    ];
    for (link, _, reason) in reasons {
        let why = why(&planet, link);
        assert!(why.contains(reason), "{link}: want {reason:?}:\n{why}");
    }

    let addr = free_addr();
    planet.planet_extra += &format!("\n\n[server]\nlisten = \"{addr}\"\n");
    let config = planet.write_config();
    let _serving = serve(&config);
    assert!(
        wait_for(30, || try_titles(&addr, "quokka")
            .is_some_and(|t| t == ["Shown quokka"])),
        "serve never found a shown post"
    );
    for (link, word, reason) in reasons {
        assert_eq!(
            titles(&addr, word),
            Vec::<String>::new(),
            "{link} ({reason}) was found"
        );
    }
    // Shown posts are found; a cross-post once, under the member it shows under.
    for (word, title) in [
        ("emu", "Shown emu"),
        ("bilby", "Late bilby"),
        ("lyrebird", "Eve lyrebird"),
        ("cassowary", "Fay cassowary"),
        ("platypus", "Crosspost platypus"),
    ] {
        assert_eq!(titles(&addr, word), [title], "{word}");
    }
    let page = http_get(&addr, "/search?q=platypus", &[]).unwrap().body;
    assert!(
        page.contains(">Ben</a>") != page.contains(">Cat</a>"),
        "under one member: {page}"
    );
}

/// Retention deletes a post: it leaves the index in the same transaction.
#[test]
fn a_pruned_post_is_never_found() {
    let server = FeedServer::start();
    server.feed(
        "/a.xml",
        &rss(
            "A",
            &[
                post("Recent kiwi", "https://a.example/kiwi", 1),
                post("Old gecko", "https://a.example/gecko", 40),
            ],
        ),
        RSS,
    );
    let mut planet = Planet::new();
    let addr = free_addr();
    let server_table = format!("\n\n[server]\nlisten = \"{addr}\"\n");
    planet.planet_extra = format!("schedule = \"0 0 0 1 1 *\"{server_table}");
    planet.feed(&server.url("/a.xml"), "Ann");
    let config = planet.write_config();
    let mut serving = serve(&config);
    assert!(
        wait_for(30, || try_titles(&addr, "gecko")
            .is_some_and(|t| t == ["Old gecko"])),
        "the old post was never found before the prune"
    );
    serving.terminate(10).expect("serve stops");
    planet.planet_extra =
        format!("keep_days = 30\nkeep_per_feed = 1\nschedule = \"0 0 0 1 1 *\"{server_table}");
    let out = planet.mercury(&["prune"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("deleted 1 post"),
        "{}",
        describe(&out)
    );
    assert!(why(&planet, "https://a.example/gecko").contains("no stored post"));
    let _serving = serve(&config);
    assert!(
        wait_for(30, || try_titles(&addr, "kiwi")
            .is_some_and(|t| t == ["Recent kiwi"])),
        "serve never came back"
    );
    assert_eq!(titles(&addr, "gecko"), Vec::<String>::new());
}
