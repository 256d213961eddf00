//! Guards moderation: `hide` and `unhide` by a post's link, its merged-feed id and its page
//! anchor, with `--reason` and `--render`; moderation.toml as written (feed URL, key, link,
//! reason, when; a `.bak` kept); ambiguous and unknown posts refused with the candidates; a
//! hand-broken moderation.toml refused with its line and key, and under `serve` the last good
//! decisions kept in force.

mod common;

use common::posts::{post, rss, titles_on};
use common::*;

fn setup() -> (FeedServer, Planet) {
    let server = FeedServer::start();
    let a = [
        post("Good post", "https://a.example/good", 1),
        post("Spam post", "https://a.example/spam", 2),
        post("Older post", "https://a.example/older", 3),
    ];
    // Bob carries Alice's good post too, under the same link.
    let b = [post("Good post", "https://a.example/good", 1)];
    server.feed("/a.xml", &rss("A", &a), "application/rss+xml");
    server.feed("/b.xml", &rss("B", &b), "application/rss+xml");
    let mut planet = Planet::new();
    planet.planet_extra = "collapse_duplicates = false".into();
    planet
        .feed(&server.url("/a.xml"), "Alice")
        .feed(&server.url("/b.xml"), "Bob");
    planet.update();
    (server, planet)
}

fn ok(out: &std::process::Output) -> String {
    assert!(out.status.success(), "{}", describe(out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn shown(planet: &Planet) -> Vec<String> {
    titles_on(&planet.read("index.html"))
}

fn moderation_file(planet: &Planet) -> std::path::PathBuf {
    planet.dir.path().join("moderation.toml")
}

#[test]
fn hide_and_unhide_by_link_id_and_anchor() {
    let (server, planet) = setup();
    let items = planet.json_feed()["items"].as_array().unwrap().clone();
    let spam_id = items.iter().find(|i| i["title"] == "Spam post").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let anchor = format!("#{}", spam_id.split('#').nth(1).unwrap());
    assert!(planet
        .read("index.html")
        .contains(&format!("id=\"{}\"", &anchor[1..])));

    // By link, with a reason, rendered at once.
    let out = ok(&planet.mercury(&[
        "hide",
        "https://a.example/spam",
        "--reason",
        "selling pills",
        "--render",
    ]));
    assert!(out.contains("hidden: Alice: Spam post"), "{out}");
    assert!(!shown(&planet).contains(&"Spam post".to_string()));
    assert!(!planet.read("atom.xml").contains("Spam post"));
    let text = std::fs::read_to_string(moderation_file(&planet)).unwrap();
    let feed = format!("feed = \"{}\"", server.url("/a.xml"));
    for want in [
        feed.as_str(),
        "key = \"https://a.example/spam\"",
        "link = \"https://a.example/spam\"",
        "reason = \"selling pills\"",
        "when = \"",
    ] {
        assert!(text.contains(want), "{want} in {text}");
    }
    let why = ok(&planet.mercury(&["why", &anchor]));
    assert!(why.contains("shown: no"), "{why}");
    assert!(
        why.contains("hidden by a moderator: selling pills"),
        "{why}"
    );

    // By anchor: shown again, at the next render.
    let out = ok(&planet.mercury(&["unhide", &anchor]));
    assert!(out.contains("shown again"), "{out}");
    assert!(
        !shown(&planet).contains(&"Spam post".to_string()),
        "not yet rendered"
    );
    ok(&planet.mercury(&["render"]));
    assert!(shown(&planet).contains(&"Spam post".to_string()));
    assert!(moderation_file(&planet).with_extension("toml.bak").exists());

    // By the merged feeds' id.
    ok(&planet.mercury(&["hide", &spam_id, "--render"]));
    assert!(!shown(&planet).contains(&"Spam post".to_string()));
    let out = ok(&planet.mercury(&["unhide", &spam_id, "--render"]));
    assert!(out.contains("shown again"), "{out}");
    assert!(shown(&planet).contains(&"Spam post".to_string()));
}

#[test]
fn ambiguous_and_unknown_posts_are_errors_listing_the_candidates() {
    let (_server, planet) = setup();
    let out = planet.mercury(&["hide", "https://a.example/good"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("names 2 stored posts"), "{stderr}");
    assert!(
        stderr.contains("Alice: Good post") && stderr.contains("Bob: Good post"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("  #e-").count(), 2, "{stderr}");
    assert!(!moderation_file(&planet).exists(), "nothing written");

    let out = planet.mercury(&["why", "https://a.example/typo"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no stored post is \"https://a.example/typo\""),
        "{stderr}"
    );
    assert!(
        stderr.contains("Alice: Spam post"),
        "same-site candidates: {stderr}"
    );

    let out = planet.mercury(&["unhide", "#e-0000000000000000"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
}

#[test]
fn a_hand_broken_moderation_file_names_its_line_and_key() {
    let (_server, planet) = setup();
    ok(&planet.mercury(&["hide", "https://a.example/spam", "--render"]));
    let path = moderation_file(&planet);
    let good = std::fs::read_to_string(&path).unwrap();
    let broken = good.replace("key = ", "kee = ");
    std::fs::write(&path, &broken).unwrap();
    let line = broken.lines().position(|l| l.starts_with("kee")).unwrap() + 1;
    for args in [
        &["render"][..],
        &["check"],
        &["hide", "https://a.example/older"],
    ] {
        let out = planet.mercury(args);
        assert_ne!(out.status.code(), Some(0), "{args:?}: {}", describe(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("moderation.toml:{line}: hide[1].kee")),
            "{args:?}: {stderr}"
        );
    }
    assert_eq!(planet.mercury(&["render"]).status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        broken,
        "left as it was"
    );
}

#[test]
fn serve_keeps_the_last_good_decisions_when_the_file_breaks() {
    let (_server, mut planet) = setup();
    ok(&planet.mercury(&["hide", "https://a.example/spam"]));
    let addr = free_addr();
    planet.planet_extra = format!(
        "collapse_duplicates = false\nschedule = \"* * * * * *\"\n\n[server]\nlisten = \"{addr}\"\n"
    );
    let config = planet.write_config();
    let mut serving = serve(&config);
    // The page `update` wrote still shows it; serve's first render hides it.
    assert!(
        wait_for(20, || http_get(&addr, "/", &[])
            .is_ok_and(
                |r| r.body.contains("Good post") && !r.body.contains("Spam post")
            )),
        "serve never rendered the decision"
    );
    let path = moderation_file(&planet);
    std::fs::write(&path, "[[hide]]\nfeed = 3\n").unwrap();
    assert!(
        wait_for(15, || http_get(&addr, "/status.html", &[])
            .is_ok_and(|r| r.body.contains("moderation.toml has an error"))),
        "the moderation error was not shown"
    );
    assert!(
        !http_get(&addr, "/", &[])
            .unwrap()
            .body
            .contains("Spam post"),
        "the last good decisions stay in force"
    );
    serving.terminate(15).expect("serve did not stop");
}
