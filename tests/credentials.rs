//! Guards credentials in feed URLs (review finding 5). An admin may write a user name and
//! password into a feed's URL in feeds.toml (`http://user:secret@host/feed.xml`): `check` warns,
//! the credentials are sent when fetching, and they never appear in anything Mercury writes or
//! prints — the site, the merged feeds, OPML, status, logs, error messages. `add` and
//! `import-opml` never write credentials that came from someone else: they refuse them.

mod common;

use common::*;

const USER: &str = "planetbot";
const PASSWORD: &str = "s3cret";

/// A feed whose post links and content are relative: resolved against the feed's URL, they
/// would carry the credentials if the base kept them.
const RELATIVE_FEED: &str = r#"<?xml version="1.0"?><rss version="2.0"><channel>
<title>Private Notes</title><link>/</link>
<item><title>First note</title><guid>note-1</guid><link>/notes/1</link>
<description>&lt;p&gt;See &lt;a href="/about"&gt;about&lt;/a&gt; and &lt;img src="me.png"&gt;&lt;/p&gt;</description>
<pubDate>Mon, 05 Jan 2026 08:00:00 GMT</pubDate></item>
</channel></rss>"#;

/// `http://127.0.0.1:PORT/path` with the test's credentials in it.
fn with_credentials(server: &FeedServer, path: &str) -> String {
    server
        .url(path)
        .replacen("http://", &format!("http://{USER}:{PASSWORD}@"), 1)
}

/// Every place `text` shows a credential, for the failure message.
fn leaks(what: &str, text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.contains(PASSWORD) || l.contains(USER))
        .map(|l| format!("{what}: {}", l.chars().take(300).collect::<String>()))
        .collect()
}

fn text(out: &std::process::Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn credentials_in_feeds_toml_never_reach_any_output() {
    let server = FeedServer::start();
    server.feed("/feed.xml", RELATIVE_FEED, RSS);
    // Moved for good, relative to the URL with credentials: the new URL keeps them.
    server.redirect("/old.xml", "/feed2.xml", 301);
    server.feed(
        "/feed2.xml",
        &RELATIVE_FEED.replace("note-1", "note-2"),
        RSS,
    );
    server.redirect("/loop.xml", "/loop.xml", 302);
    let mut planet = Planet::new();
    planet
        .feed(&with_credentials(&server, "/feed.xml"), "Private")
        .feed(&with_credentials(&server, "/old.xml"), "Moved")
        .feed(&with_credentials(&server, "/missing.xml"), "Missing")
        .feed(&with_credentials(&server, "/loop.xml"), "Looping");
    let config = planet.write_config();
    let mut found = Vec::new();
    let debug = |args: &[&str]| mercury_env(&config, args, &[("RUST_LOG", "mercury=debug")]);
    let update = debug(&["update"]);
    assert!(update.status.success(), "{}", describe(&update));
    found.extend(leaks("update", &text(&update)));
    // Twice: the second run fetches the moved feed from its new address.
    let again = debug(&["update"]);
    found.extend(leaks("update again", &text(&again)));

    // The credentials were used: the server got them as HTTP basic auth.
    let basic = format!(
        "Basic {}",
        base64_of(format!("{USER}:{PASSWORD}").as_bytes())
    );
    let seen = server.seen("/feed.xml");
    assert!(!seen.is_empty(), "the feed was not fetched");
    assert!(
        seen.iter()
            .all(|s| s.authorization.as_deref() == Some(basic.as_str())),
        "{seen:?}"
    );

    for entry in walk(&planet.dir.path().join("public")) {
        let content = String::from_utf8_lossy(&std::fs::read(&entry).unwrap()).into_owned();
        found.extend(leaks(&entry.display().to_string(), &content));
    }
    for args in [
        &["status"][..],
        &["status", "--json"],
        &["export-opml"],
        &["check"],
        &["render"],
    ] {
        let out = debug(args);
        assert!(out.status.success(), "{args:?}: {}", describe(&out));
        found.extend(leaks(&args.join(" "), &text(&out)));
    }
    // `fix-redirects` writes the new URL, credentials kept, into feeds.toml, and says so
    // without showing them.
    let fix = debug(&["fix-redirects"]);
    assert!(fix.status.success(), "{}", describe(&fix));
    found.extend(leaks("fix-redirects", &text(&fix)));
    let toml = std::fs::read_to_string(&config).unwrap();
    assert!(
        toml.contains(&with_credentials(&server, "/feed2.xml")),
        "{toml}"
    );
    assert!(found.is_empty(), "credentials shown:\n{}", found.join("\n"));
    let page = planet.read("index.html");
    assert!(page.contains("First note"), "the feed's post is shown");
    assert!(page.contains(&server.url("/feed.xml")), "its public URL is");
}

#[test]
fn check_warns_about_credentials_in_feeds_toml() {
    let server = FeedServer::start();
    let mut planet = Planet::new();
    planet
        .feed(&server.url("/a.xml"), "Public")
        .feed(&with_credentials(&server, "/b.xml"), "Private");
    let out = planet.mercury(&["check"]);
    assert!(out.status.success(), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let config = planet.config_path();
    let line = std::fs::read_to_string(&config)
        .unwrap()
        .lines()
        .position(|l| l.contains(PASSWORD))
        .unwrap()
        + 1;
    let place = format!("{}:{line}: feed[2].url:", config.display());
    assert!(stderr.contains("WARN"), "{stderr}");
    assert!(stderr.contains(&place), "wants {place:?} in: {stderr}");
    assert!(
        stderr.contains("never published") || stderr.contains("never shown"),
        "{stderr}"
    );
    assert!(leaks("check", &text(&out)).is_empty(), "{}", text(&out));
    // The feed without credentials draws no warning.
    assert_eq!(stderr.matches("feed[").count(), 1, "{stderr}");
}

#[test]
fn add_refuses_a_url_with_credentials() {
    let server = FeedServer::start();
    server.feed("/feed.xml", RELATIVE_FEED, RSS);
    let planet = Planet::new();
    let config = planet.write_config();
    let before = std::fs::read_to_string(&config).unwrap();
    let out = mercury_with(&config, &["add", &with_credentials(&server, "/feed.xml")]);
    assert!(!out.status.success(), "{}", describe(&out));
    assert!(text(&out).contains("password"), "{}", describe(&out));
    assert!(leaks("add", &text(&out)).is_empty(), "{}", describe(&out));
    assert_eq!(std::fs::read_to_string(&config).unwrap(), before);
    assert!(server.seen("/feed.xml").is_empty(), "nothing was fetched");
}

#[test]
fn add_refuses_an_advertised_feed_with_credentials() {
    let server = FeedServer::start();
    let page = format!(
        r#"<html><head><title>Blog</title>
        <link rel="alternate" type="application/rss+xml" href="{}">
        </head><body>hi</body></html>"#,
        with_credentials(&server, "/private/notes.xml")
    );
    server.feed("/", &page, "text/html");
    server.feed("/private/notes.xml", RELATIVE_FEED, RSS);
    let planet = Planet::new();
    let config = planet.write_config();
    let before = std::fs::read_to_string(&config).unwrap();
    let out = mercury_with(&config, &["add", &server.url("/")]);
    assert!(!out.status.success(), "{}", describe(&out));
    assert!(text(&out).contains("password"), "{}", describe(&out));
    assert!(leaks("add", &text(&out)).is_empty(), "{}", describe(&out));
    assert_eq!(std::fs::read_to_string(&config).unwrap(), before);
    assert!(server.seen("/private/notes.xml").is_empty());
}

#[test]
fn import_opml_refuses_a_feed_with_credentials() {
    let server = FeedServer::start();
    let planet = Planet::new();
    let config = planet.write_config();
    let before = std::fs::read_to_string(&config).unwrap();
    let opml = planet.dir.path().join("subs.opml");
    std::fs::write(
        &opml,
        format!(
            r#"<?xml version="1.0"?><opml version="2.0"><head><title>s</title></head><body>
            <outline text="Open" type="rss" xmlUrl="{}"/>
            <outline text="Private" type="rss" xmlUrl="{}"/>
            </body></opml>"#,
            server.url("/open.xml"),
            with_credentials(&server, "/private.xml")
        ),
    )
    .unwrap();
    let out = mercury_with(&config, &["import-opml", opml.to_str().unwrap()]);
    assert!(!out.status.success(), "{}", describe(&out));
    assert!(text(&out).contains("password"), "{}", describe(&out));
    assert!(
        leaks("import-opml", &text(&out)).is_empty(),
        "{}",
        describe(&out)
    );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), before);
}

/// Every file under `dir`.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
