//! Guards against one member listed twice (issue #20): `add` refuses a URL whose address is
//! already listed (slash, scheme-case and redirect variants, and redirect targets Mercury
//! knows), naming the member; `status` warns when two listed URLs lead to the same feed; and
//! `fix-redirects` writes the valid edits and explains the one whose target is already listed,
//! never leaving a partial write behind an error exit.

mod common;

use common::*;

fn refused(planet: &Planet, url: &str, expect: &[&str]) {
    let config = planet.config_path();
    let before = std::fs::read_to_string(&config).unwrap();
    let out = mercury_with(&config, &["add", url]);
    assert_eq!(out.status.code(), Some(1), "{url}: {}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for e in expect {
        assert!(stderr.contains(e), "{url}: {e:?} not in {stderr}");
    }
    assert_eq!(std::fs::read_to_string(&config).unwrap(), before);
}

#[test]
fn add_refuses_slash_case_and_redirect_variants_naming_the_member() {
    let server = FeedServer::start();
    server.fixture("/ivan/feed/", "rss2.xml", RSS);
    server.redirect("/ivan/feed", &server.url("/ivan/feed/"), 301);
    server.redirect("/ivan/rss", &server.url("/ivan/feed/"), 301);
    let mut planet = Planet::new();
    planet.feed(&server.url("/ivan/feed/"), "Ivan");
    planet.write_config();

    let listed = server.url("/ivan/feed/");
    let naming = ["feed[1] \"Ivan\"", listed.as_str(), "already in"];
    refused(&planet, &server.url("/ivan/feed"), &naming);
    refused(
        &planet,
        &server.url("/ivan/feed").replace("http://", "HTTP://"),
        &naming,
    );
    refused(&planet, &server.url("/ivan/rss"), &naming);
    refused(&planet, &server.url("/ivan/rss"), &["redirects to"]);
    assert!(
        server.seen("/ivan/feed").is_empty(),
        "refused before fetching"
    );
}

#[test]
fn add_refuses_a_permanent_redirect_target_mercury_knows() {
    let server = FeedServer::start();
    server.fixture("/b.xml", "rss2.xml", RSS);
    server.redirect("/a.xml", &server.url("/b.xml"), 301);
    let mut planet = Planet::new();
    planet.feed(&server.url("/a.xml"), "Anna");
    planet.update();
    refused(
        &planet,
        &server.url("/b.xml/"),
        &["the new address Mercury knows for feed[1] \"Anna\""],
    );
}

#[test]
fn status_warns_when_two_listed_urls_lead_to_the_same_feed() {
    let server = FeedServer::start();
    server.fixture("/b.xml", "rss2.xml", RSS);
    server.fixture("/c/", "atom.xml", ATOM);
    server.redirect("/a.xml", &server.url("/b.xml"), 301);
    let mut planet = Planet::new();
    planet.feed(&server.url("/a.xml"), "Anna");
    planet.feed(&server.url("/b.xml"), "Anna again");
    planet.feed(&server.url("/c/"), "Carl");
    planet.feed(&server.url("/c"), "Carl again");
    planet.update();
    let out = planet.mercury(&["status"]);
    assert!(out.status.success(), "{}", describe(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let warnings: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(warnings.len(), 2, "{stdout}");
    assert!(warnings[0].contains("\"Anna\"") && warnings[0].contains("\"Anna again\""));
    assert!(warnings[1].contains("\"Carl\"") && warnings[1].contains("\"Carl again\""));
}

#[test]
fn fix_redirects_writes_the_valid_edits_and_explains_a_target_already_listed() {
    let server = FeedServer::start();
    server.fixture("/b.xml", "rss2.xml", RSS);
    server.fixture("/d.xml", "atom.xml", ATOM);
    server.redirect("/a.xml", &server.url("/b.xml"), 301);
    server.redirect("/c.xml", &server.url("/d.xml"), 301);
    let mut planet = Planet::new();
    planet.planet_extra = "items = 100".into();
    let (a, b, c, d) = (
        server.url("/a.xml"),
        server.url("/b.xml"),
        server.url("/c.xml"),
        server.url("/d.xml"),
    );
    planet
        .feed(&a, "Anna")
        .feed(&b, "Anna again")
        .feed(&c, "Carl");
    planet.update();
    let config = planet.config_path();
    let text = std::fs::read_to_string(&config).unwrap();
    let url_line = text
        .lines()
        .position(|l| l == format!("url = {a:?}"))
        .unwrap()
        + 1;

    let out = mercury_with(&config, &["fix-redirects"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains(&format!("{c} -> {d}")), "{said}");
    assert!(
        said.contains(&format!("run `mercury move {a} {b}`")),
        "{said}"
    );
    assert!(
        said.contains(&format!("remove lines {}–{}", url_line - 1, url_line + 1)),
        "{said}"
    );
    let after = std::fs::read_to_string(&config).unwrap();
    assert_eq!(after, text.replace(&c, &d), "only Carl's edit written");
    let check = mercury_with(&config, &["check"]);
    assert!(check.status.success(), "{}", describe(&check));

    // The advice works: one member left, posts shown once.
    let out = mercury_with(&config, &["move", &a, &b]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(!std::fs::read_to_string(&config).unwrap().contains(&a));
    let out = mercury_with(&config, &["update"]);
    assert!(out.status.success(), "{}", describe(&out));
    let anna = planet.items_of(&b);
    let mut ids: Vec<&str> = anna.iter().map(|i| i["id"].as_str().unwrap()).collect();
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert!(n > 0);
    assert_eq!(ids.len(), n, "no post shown twice");
    let status = mercury_with(&config, &["status"]);
    assert!(!String::from_utf8_lossy(&status.stdout).contains("warning:"));
}
