//! Guards the admin's commands that edit feeds.toml: `add` (a feed URL, a home page with several
//! advertised feeds, a page with none, duplicates), `import-opml`, `export-opml` and
//! `fix-redirects` — each keeping the file's comments and order.

mod common;

use common::*;

const COMMENTED: &str =
    "# The planet of the Test Society\n[planet]\nname = \"Test\"  # shown on top\n\
    link = \"https://planet.example.org/\"\n\n# --- members ---\n";

fn feed(title: &str, author: Option<&str>) -> String {
    let author = author
        .map(|a| format!("<author><name>{a}</name></author>"))
        .unwrap_or_default();
    format!(
        r#"<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>{title}</title>{author}
        <id>urn:{title}</id><updated>2026-01-02T00:00:00Z</updated>
        <entry><title>Post of {title}</title><id>urn:{title}:1</id><updated>2026-01-02T00:00:00Z</updated></entry></feed>"#
    )
}

fn planet_file(extra: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feeds.toml");
    std::fs::write(&path, format!("{COMMENTED}{extra}")).unwrap();
    (dir, path)
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn add_a_feed_url_keeps_it_exactly_and_keeps_comments() {
    let server = FeedServer::start();
    server.feed(
        "/Feeds/Atom.xml",
        &feed("Alice Writes", Some("Alice Archivist")),
        ATOM,
    );
    let (_dir, path) = planet_file("");
    let given = format!("{}?format=atom", server.url("/Feeds/Atom.xml"));
    server.feed(
        "/Feeds/Atom.xml",
        &feed("Alice Writes", Some("Alice Archivist")),
        ATOM,
    );
    let out = mercury_with(&path, &["add", &given, "--tag", "archives"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        stdout(&out).contains("\"Alice Writes\", 1 entries"),
        "{}",
        stdout(&out)
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with(COMMENTED), "{text}");
    assert!(text.contains(&format!("url = \"{given}\"")), "{text}");
    assert!(
        text.contains("name = \"Alice Archivist\""),
        "the author's name by default: {text}"
    );
    assert!(text.contains("tags = [\"archives\"]"), "{text}");
    assert!(path.with_extension("toml.bak").exists());

    // The same feed again is refused, and the file is not touched.
    let out = mercury_with(&path, &["add", &given]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("already in"),
        "{}",
        describe(&out)
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn add_a_home_page_finds_its_advertised_feeds() {
    let server = FeedServer::start();
    let page = format!(
        "<!DOCTYPE html><html><head><title>Bob</title>\
         <link rel=\"alternate\" type=\"application/rss+xml\" href=\"/missing.xml\">\
         <link rel=\"alternate\" type=\"application/atom+xml\" href=\"{}\">\
         <link rel=\"alternate\" type=\"application/atom+xml\" href=\"/comments.xml\"></head><body>Hi</body></html>",
        server.url("/bob/atom.xml")
    );
    server.feed("/bob/", &page, "text/html; charset=utf-8");
    server.feed("/bob/atom.xml", &feed("Bob's Stacks", None), ATOM);
    server.feed(
        "/comments.xml",
        &feed("Comments on Bob's Stacks", None),
        ATOM,
    );
    let (_dir, path) = planet_file("");
    let out = mercury_with(&path, &["add", &server.url("/bob/"), "--name", "Bob"]);
    assert!(out.status.success(), "{}", describe(&out));
    let said = stdout(&out);
    assert!(said.contains("/missing.xml"), "{said}");
    assert!(
        said.contains("\"Comments on Bob's Stacks\""),
        "every candidate is shown: {said}"
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains(&format!("url = \"{}\"", server.url("/bob/atom.xml"))),
        "{text}"
    );
    assert!(text.contains("name = \"Bob\""));
}

#[test]
fn add_a_page_without_feeds_tries_well_known_paths_or_explains() {
    let server = FeedServer::start();
    server.feed(
        "/",
        "<!DOCTYPE html><html><body>No feed links here</body></html>",
        "text/html",
    );
    let (_dir, path) = planet_file("");
    let out = mercury_with(&path, &["add", &server.url("/")]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no feed found"),
        "{}",
        describe(&out)
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        COMMENTED,
        "nothing written"
    );

    server.feed("/feed.xml", &feed("Carol's Notes", None), ATOM);
    let out = mercury_with(&path, &["add", &server.url("/")]);
    assert!(out.status.success(), "{}", describe(&out));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains(&format!("url = \"{}\"", server.url("/feed.xml"))),
        "{text}"
    );
    assert!(
        text.contains("name = \"Carol's Notes\""),
        "the title when there is no author: {text}"
    );
}

#[test]
fn import_and_export_opml() {
    let (dir, path) = planet_file("[[feed]]\nurl = \"https://a.example/feed\"\nname = \"Alice\"\n");
    let opml = dir.path().join("members.opml");
    std::fs::write(
        &opml,
        r#"<?xml version="1.0"?><opml version="2.0"><head><title>Members</title></head><body>
        <outline text="Libraries">
          <outline text="Alice again" type="rss" xmlUrl="https://a.example/feed"/>
          <outline text="Bob" type="rss" xmlUrl="https://b.example/rss" category="cataloguing,/outreach"/>
          <outline text="Gopher" type="rss" xmlUrl="gopher://c.example/"/>
        </outline>
        <outline title="Dan" type="rss" xmlUrl="https://d.example/atom.xml"/>
        </body></opml>"#,
    )
    .unwrap();
    let out = mercury_with(&path, &["import-opml", opml.to_str().unwrap()]);
    assert!(out.status.success(), "{}", describe(&out));
    let said = stdout(&out);
    assert!(said.contains("added 2 feeds"), "{said}");
    assert!(said.contains("skipped 2"), "{said}");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with(COMMENTED));
    assert!(text.contains("url = \"https://b.example/rss\"\nname = \"Bob\"\ntags = [\"Libraries\", \"cataloguing\", \"outreach\"]"), "{text}");
    assert!(text.contains("name = \"Dan\""));
    assert!(!text.contains("gopher"));

    let out = mercury_with(&path, &["export-opml"]);
    assert!(out.status.success(), "{}", describe(&out));
    let exported = opml::OPML::from_str(&stdout(&out)).expect("valid OPML");
    let urls: Vec<String> = exported
        .body
        .outlines
        .iter()
        .filter_map(|o| o.xml_url.clone())
        .collect();
    assert_eq!(
        urls,
        [
            "https://a.example/feed",
            "https://b.example/rss",
            "https://d.example/atom.xml"
        ]
    );
}

#[test]
fn fix_redirects_writes_the_new_url_and_keeps_history() {
    let server = FeedServer::start();
    server.feed("/new.xml", &feed("Moved Blog", None), ATOM);
    let mut planet = Planet::new();
    planet.feed(&server.url("/redirect-to-new"), "Mover");
    server.redirect("/redirect-to-new", &server.url("/new.xml"), 301);
    planet.update();
    let status = stdout(&planet.mercury(&["status"]));
    assert!(status.contains("moved permanently"), "{status}");

    let out = planet.mercury(&["fix-redirects"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(stdout(&out).contains(&format!("-> {}", server.url("/new.xml"))));
    // From here on, run against the edited file (mercury() would rewrite it from the builder).
    let path = planet.config_path();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains(&format!("url = \"{}\"", server.url("/new.xml"))),
        "{text}"
    );
    let out = mercury_with(&path, &["update"]);
    assert!(out.status.success(), "{}", describe(&out));
    let items = planet.items_of(&server.url("/new.xml"));
    assert_eq!(
        items.len(),
        1,
        "history kept, nothing duplicated: {items:?}"
    );
}

/// Issue 22: most readers export folders, not `category`; `import-opml` ignored them. Each
/// folder an outline sits in becomes a tag (its title), before the outline's own categories;
/// a folder title with no letter or digit (not a tag feeds.toml accepts) is left out.
#[test]
fn issue_22_import_opml_turns_folders_into_tags() {
    let (dir, path) = planet_file("");
    let opml = dir.path().join("reader-export.opml");
    std::fs::write(
        &opml,
        r#"<?xml version="1.0"?><opml version="2.0"><head><title>Export</title></head><body>
        <outline text="Libraries" title="Libraries">
          <outline text="" title="Cataloguing">
            <outline text="Ann" xmlUrl="https://ann.example/feed" category="outreach,libraries"/>
          </outline>
          <outline text="***">
            <outline text="Bob" xmlUrl="https://bob.example/feed"/>
          </outline>
        </outline>
        <outline text="Cy" xmlUrl="https://cy.example/feed"/>
        </body></opml>"#,
    )
    .unwrap();
    let out = mercury_with(&path, &["import-opml", opml.to_str().unwrap()]);
    assert!(out.status.success(), "{}", describe(&out));
    let text = std::fs::read_to_string(&path).unwrap();
    for want in [
        "url = \"https://ann.example/feed\"\nname = \"Ann\"\ntags = [\"Libraries\", \"Cataloguing\", \"outreach\", \"libraries\"]\n",
        "url = \"https://bob.example/feed\"\nname = \"Bob\"\ntags = [\"Libraries\"]\n",
    ] {
        assert!(text.contains(want), "{want:?} in {text}");
    }
    assert!(
        text.ends_with("url = \"https://cy.example/feed\"\nname = \"Cy\"\n"),
        "no folder, no tags: {text}"
    );
    let out = mercury_with(&path, &["check"]);
    assert!(out.status.success(), "{}", describe(&out));
}

/// Issue 22: `export-opml` printed the whole list on one line.
#[test]
fn issue_22_export_opml_is_indented() {
    let (_dir, path) = planet_file(
        "[[feed]]\nurl = \"https://a.example/feed?a=1&b=2\"\nname = \"A & B\"\n\n\
         [[feed]]\nurl = \"https://c.example/feed\"\nname = \"C\"\ntags = [\"x\"]\n",
    );
    let out = mercury_with(&path, &["export-opml"]);
    assert!(out.status.success(), "{}", describe(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[1], "<opml version=\"2.0\">", "{text}");
    assert_eq!(lines[2], "  <head>", "{text}");
    let outlines: Vec<&&str> = lines.iter().filter(|l| l.contains("<outline ")).collect();
    assert_eq!(outlines.len(), 2, "one outline a line: {text}");
    assert!(
        outlines.iter().all(|l| l.starts_with("    <outline ")),
        "{text}"
    );
    assert!(
        outlines[0].contains("text=\"A &amp; B\""),
        "escaped once: {text}"
    );
    assert!(outlines[0].contains("?a=1&amp;b=2"), "escaped once: {text}");
    assert_eq!(lines.last(), Some(&"</opml>"), "{text}");
    opml::OPML::from_str(&text).expect("still valid OPML");
}
