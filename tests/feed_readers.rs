//! Guards what validators and feed readers make of Mercury's output, on the showcase planet:
//! every generated page passes the Nu HTML Checker with no error; every Atom file is valid
//! against RFC 4287's RELAX NG schema (Jing); Python's feedparser reads atom.xml and rss.xml with
//! bozo = 0 and every entry's title, link, date, author, content and source survive the round
//! trip; feed.json is valid against a JSON Feed 1.1 schema; rss.xml keeps RSS 2.0's rules; the
//! digest's pages, and its digest.xml as feedparser and the schema see it.
//! The tools come from scripts/install-test-tools (CI runs it; elsewhere these tests say they
//! were skipped when a tool is missing).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::showcase::{nu_checker_ready, nu_errors, showcase, vnu_jar, NOW};
use common::tool_present;

/// Every HTML file in the output folder, recursively.
fn html_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(html_files(&path));
        } else if path.extension().is_some_and(|e| e == "html") {
            found.push(path);
        }
    }
    found.sort();
    found
}

fn java_ready() -> bool {
    nu_checker_ready()
}

fn python_ready() -> bool {
    tool_present(
        "Python feedparser and jsonschema",
        Command::new("python3")
            .args(["-c", "import feedparser, jsonschema, rfc3339_validator"])
            .status()
            .is_ok_and(|s| s.success()),
    )
}

#[test]
fn every_page_passes_the_nu_html_checker() {
    if !java_ready() {
        return;
    }
    let s = showcase();
    s.planet.update_at(NOW);
    let pages = html_files(&s.planet.out(""));
    let names: Vec<String> = pages
        .iter()
        .map(|p| {
            p.strip_prefix(s.planet.out(""))
                .unwrap()
                .display()
                .to_string()
        })
        .collect();
    for expected in [
        "index.html",
        "page/2.html",
        "status.html",
        "tags/cataloguing/index.html",
        "members/index.html",
        "members/ada-lovelace-smith/index.html",
        "digest/index.html",
        "digest/2026-W48.html",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} not written: {names:?}"
        );
    }
    let errors = nu_errors(&pages);
    assert!(
        errors.is_empty(),
        "{} HTML errors:\n{}",
        errors.len(),
        serde_json::to_string_pretty(&errors).unwrap()
    );
}

#[test]
fn the_checker_and_schema_catch_broken_output() {
    // The tools this file relies on do fail on bad input (so a pass above means something).
    if !java_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("bad.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html lang=en><title>x</title><p><div></p>",
    )
    .unwrap();
    assert!(!nu_errors(&[page]).is_empty());
    let atom = dir.path().join("bad.xml");
    std::fs::write(
        &atom,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>x</title><entry><title>t</title></entry></feed>",
    )
    .unwrap();
    assert!(!jing(&atom).0);
}

/// Validates an Atom file against RFC 4287's schema: (valid, messages).
fn jing(file: &Path) -> (bool, String) {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/atom.rnc");
    let out = Command::new("java")
        .arg("-cp")
        .arg(vnu_jar())
        .arg("nu.validator.vendor.thaiopensource.relaxng.util.Driver")
        .arg("-c")
        .arg(schema)
        .arg(file)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn atom_files_are_valid_against_rfc_4287() {
    if !java_ready() {
        return;
    }
    let s = showcase();
    s.planet.update_at(NOW);
    for file in [
        "atom.xml",
        "tags/cataloguing/atom.xml",
        "tags/archives/atom.xml",
        "digest.xml",
    ] {
        let (valid, messages) = jing(&s.planet.out(file));
        assert!(valid, "{file} is not valid Atom:\n{messages}");
    }
}

/// Reads a merged feed with tests/readers/read_feed.py (feedparser).
fn read_feed(kind: &str, file: &Path) -> serde_json::Value {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("python3")
        .arg(root.join("tests/readers/read_feed.py"))
        .arg(kind)
        .arg(file)
        .arg(root.join("tests/schemas/jsonfeed-1.1.schema.json"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "read_feed.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The front page's entries as their members published them: title, link, date (UTC), author,
/// a piece of the content, the member feed's title.
const FRONT: [(&str, &str, &str, &str, &str, &str); 4] = [
    (
        "Migrating 40,000 records to BIBFRAME: what broke",
        "https://ada.example.org/2026/11/bibframe-migration",
        "2026-11-26T15:05:00Z",
        "Ada Lovelace-Smith",
        "Dates are never just dates",
        "Metadata Matters",
    ),
    (
        "Web archiving a city council's website",
        "https://archives.example.com/2026/11/web-archiving",
        "2026-11-26T07:45:00Z",
        "Mateo Ruiz",
        "PDF minutes mattered most",
        "Archives Today",
    ),
    (
        "Open access week: what our patrons asked",
        "https://readingroom.example.net/2026/11/oa-week",
        "2026-11-25T23:20:00Z",
        "Grace Okafor",
        "where to find the free version",
        "The Reading Room",
    ),
    (
        "مجموعة المخطوطات العربية: a new finding aid",
        "https://archives.example.com/2026/11/arabic-collection",
        "2026-11-25T12:00:00Z",
        "Mateo Ruiz",
        "finding aid for the Arabic manuscripts",
        "Archives Today",
    ),
];

#[test]
fn feed_readers_read_every_entry_of_every_merged_feed() {
    if !python_ready() {
        return;
    }
    let s = showcase();
    s.planet.update();
    let mut ids: Vec<Vec<String>> = Vec::new();
    for (kind, file) in [
        ("atom", "atom.xml"),
        ("rss", "rss.xml"),
        ("json", "feed.json"),
    ] {
        let read = read_feed(kind, &s.planet.out(file));
        assert_eq!(read["bozo"], 0, "{file}: {}", read["bozo_exception"]);
        assert_eq!(read["problems"], serde_json::json!([]), "{file}");
        assert_eq!(read["title"], "Test Planet", "{file}");
        let entries = read["entries"].as_array().unwrap();
        assert_eq!(
            entries.len(),
            FRONT.len(),
            "{file}: the front page's entries"
        );
        for (i, (title, link, date, author, text, source)) in FRONT.iter().enumerate() {
            let e = &entries[i];
            assert_eq!(e["title"], *title, "{file} entry {i}");
            assert_eq!(e["link"], *link, "{file} entry {i}");
            assert_eq!(e["published"], *date, "{file} entry {i}");
            assert_eq!(e["author"], *author, "{file} entry {i}");
            assert_eq!(e["source_title"], *source, "{file} entry {i}");
            let content = e["content"].as_str().unwrap_or_default();
            assert!(
                content.contains(text),
                "{file} entry {i} content: {content}"
            );
        }
        // The podcast episode keeps its enclosure in every format.
        assert_eq!(
            entries[2]["enclosures"],
            serde_json::json!(["https://readingroom.example.net/audio/oa-week.mp3"]),
            "{file}"
        );
        // Markup survives: the table of the first post is still a table.
        assert!(
            entries[0]["content"].as_str().unwrap().contains("<table>"),
            "{file}"
        );
        ids.push(
            entries
                .iter()
                .map(|e| e["id"].as_str().unwrap().to_string())
                .collect(),
        );
    }
    // One entry, one id, whichever feed a reader subscribes to.
    assert_eq!(ids[0], ids[1]);
    assert_eq!(ids[0], ids[2]);

    // A topic's feed is read the same way.
    let topic = read_feed("atom", &s.planet.out("tags/cataloguing/atom.xml"));
    assert_eq!(topic["bozo"], 0);
    let titles: Vec<&str> = topic["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.contains(&FRONT[0].0) && titles.contains(&FRONT[2].0),
        "{titles:?}"
    );
    assert!(!titles.contains(&FRONT[1].0), "{titles:?}");
}

#[test]
fn feed_readers_read_the_digest() {
    if !python_ready() {
        return;
    }
    let s = showcase();
    s.planet.update_at(NOW);
    let read = read_feed("atom", &s.planet.out("digest.xml"));
    assert_eq!(read["bozo"], 0, "{}", read["bozo_exception"]);
    assert_eq!(read["problems"], serde_json::json!([]));
    assert_eq!(read["title"], "Test Planet · Weekly digest");
    let entries = read["entries"].as_array().unwrap();
    assert_eq!(
        entries.len(),
        1,
        "the week of the posts, complete: {entries:?}"
    );
    let week = &entries[0];
    assert_eq!(week["id"], "https://planet.example.org/#digest-2026-W48");
    assert_eq!(
        week["link"],
        "https://planet.example.org/digest/2026-W48.html"
    );
    assert_eq!(week["updated"], "2026-11-30T00:00:00Z");
    assert_eq!(week["author"], "Admin (admin@example.org)");
    let content = week["content"].as_str().unwrap();
    for (title, ..) in FRONT {
        assert!(content.contains(title), "{title} in {content}");
    }
    // Titles, links and short excerpts: no member's markup (the table) travels in the digest.
    assert!(!content.contains("<table>"), "{content}");
}

#[test]
fn the_feed_checks_catch_broken_feeds() {
    // read_feed.py's own rules fail on feeds that break them (so a pass above means something).
    if !python_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let rss = dir.path().join("bad.rss");
    std::fs::write(
        &rss,
        "<rss version=\"2.0\"><channel><title>t</title><link>http://x/</link>\
         <item><title>a</title><pubDate>2026-11-26</pubDate></item></channel></rss>",
    )
    .unwrap();
    let read = read_feed("rss", &rss);
    let problems = read["problems"].to_string();
    assert!(
        problems.contains("lacks <description>") && problems.contains("RFC 822"),
        "{problems}"
    );
    let json = dir.path().join("bad.json");
    std::fs::write(
        &json,
        r#"{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[{"id":"1","date_published":"yesterday"}]}"#,
    )
    .unwrap();
    let read = read_feed("json", &json);
    assert!(
        read["problems"].as_array().unwrap().len() >= 2,
        "{}",
        read["problems"]
    );
}
