//! Guards the planet's full-text search under the real `serve`: bm25 ranking with the title
//! first and a recency tie-break, snippets with the terms in `<mark>` and never a post's
//! markup, diacritics folded both ways, `member:` and `tag:`, pages of 20 with their links and
//! count, hostile queries all answered 200 (with valid HTML), `HEAD` and refused methods, the
//! search box in every page's header (and none with `search = false`), and a database from
//! before search gaining its index when the new binary opens it.

mod common;

use std::io::{Read, Write};

use common::posts::{post, rss};
use common::*;

/// A raw HTTP/1.1 request with `method` (the harness's `http_get` sends GET only): the
/// status line's code and the whole response.
fn request(addr: &str, method: &str, path: &str) -> (u16, String) {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

/// The titles of the results, in order, as text.
fn result_titles(html: &str) -> Vec<String> {
    html.split("<h2 class=\"title\">")
        .skip(1)
        .map(|s| strip_tags(&s[..s.find("</h2>").unwrap()]))
        .collect()
}

fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.trim().to_string()
}

fn search(addr: &str, q: &str) -> HttpResponse {
    let r = http_get(addr, &format!("/search?q={q}"), &[]).unwrap();
    assert_eq!(r.status, 200, "{q}: {}", r.body);
    r
}

/// Starts `serve` on `planet` and waits until its first render shows `marker`.
fn serving(planet: &mut Planet, marker: &str) -> (Serving, String) {
    let addr = free_addr();
    planet.planet_extra += &format!("\n\n[server]\nlisten = \"{addr}\"\n");
    let config = planet.write_config();
    let serving = serve(&config);
    assert!(
        wait_for(30, || http_get(&addr, "/", &[])
            .is_ok_and(|r| r.status == 200 && r.body.contains(marker))),
        "serve never showed {marker}"
    );
    (serving, addr)
}

fn library() -> (FeedServer, Planet) {
    let server = FeedServer::start();
    let alice = [
        post("BIBFRAME in practice", "https://alice.example/1", 1)
            .body("<p>How we moved our catalogue to linked data.</p>"),
        post("Weekly notes", "https://alice.example/2", 2)
            .body("<p>Also a word on bibframe and <b>other</b> things, at length, with more words around it.</p>"),
        post("Café society", "https://alice.example/3", 3)
            .body("<p>Meeting at the café on Tuesday.</p>"),
    ];
    let bob = [post("Outreach day", "https://bob.example/1", 4)
        .body("<p>A cafe meetup <em>about</em> bibframe, with <a href=\"https://x.example/\">a link</a>.</p>")];
    server.feed("/alice.xml", &rss("Alice", &alice), RSS);
    server.feed("/bob.xml", &rss("Bob", &bob), RSS);
    let mut planet = Planet::new();
    planet
        .feed_with(
            &server.url("/alice.xml"),
            "Alice Émond",
            "tags = [\"Metadata\"]",
        )
        .feed_with(
            &server.url("/bob.xml"),
            "Bob Smith",
            "tags = [\"outreach\"]",
        );
    (server, planet)
}

#[test]
fn ranking_snippets_diacritics_and_filters() {
    let (_server, mut planet) = library();
    let (_serving, addr) = serving(&mut planet, "BIBFRAME in practice");

    let r = search(&addr, "bibframe");
    let titles = result_titles(&r.body);
    assert_eq!(titles.len(), 3, "{titles:?}");
    assert_eq!(titles[0], "BIBFRAME in practice", "the title counts most");
    assert!(r.body.contains("3 posts found."));
    assert!(r.body.contains("<mark>BIBFRAME</mark> in practice"));
    assert!(
        r.body.contains("<mark>bibframe</mark>"),
        "snippets mark the term: {}",
        r.body
    );
    // The posts' text only, escaped: none of their markup.
    assert!(!r.body.contains("<b>other</b>") && !r.body.contains("<em>about</em>"));
    assert!(!r.body.contains("href=\"https://x.example/\""));
    assert_eq!(
        r.header("content-security-policy")
            .map(|c| c.contains("default-src 'none'")),
        Some(true)
    );
    // The same frame as every page: language, header box with the query, footer.
    assert!(r.body.contains("<html lang=\"en\""));
    assert!(r.body.contains("value=\"bibframe\""));
    assert!(r.body.contains("Made with Mercury."));

    // Diacritics folded both ways, any case.
    for q in ["cafe", "caf%C3%A9", "CAF%C3%89"] {
        let titles = result_titles(&search(&addr, q).body);
        assert_eq!(titles, ["Café society", "Outreach day"], "{q}");
    }
    // The member's name is searched too, folded.
    assert_eq!(
        result_titles(&search(&addr, "emond+society").body),
        ["Café society"]
    );

    // member: and tag: narrow, case-insensitive, a part of the name, quoted with spaces.
    let cases: [(&str, &[&str]); 6] = [
        (
            "bibframe+member%3Aalice",
            &["BIBFRAME in practice", "Weekly notes"],
        ),
        ("bibframe+member%3A%22bob+smith%22", &["Outreach day"]),
        ("bibframe+member%3ASMI", &["Outreach day"]),
        ("bibframe+tag%3AOutreach", &["Outreach day"]),
        (
            "tag%3Ametadata",
            &["BIBFRAME in practice", "Weekly notes", "Café society"],
        ),
        ("bibframe+member%3Anobody", &[]),
    ];
    for (q, want) in cases {
        assert_eq!(result_titles(&search(&addr, q).body), want, "{q}");
    }
    let none = search(&addr, "bibframe+member%3Anobody");
    assert!(none.body.contains("Nothing found."));
}

#[test]
fn results_come_in_pages_of_twenty() {
    let server = FeedServer::start();
    let posts: Vec<_> = (1..=25)
        .map(|i| {
            post(
                &format!("Zebra note {i}"),
                &format!("https://z.example/{i}"),
                i,
            )
        })
        .collect();
    server.feed("/z.xml", &rss("Z", &posts), RSS);
    let mut planet = Planet::new();
    planet.planet_extra = "items = 100".into();
    planet.feed(&server.url("/z.xml"), "Zed");
    let (_serving, addr) = serving(&mut planet, "Zebra note 1<");

    let first = search(&addr, "zebra");
    let titles = result_titles(&first.body);
    assert_eq!(titles.len(), 20);
    assert_eq!(titles[0], "Zebra note 1");
    assert!(first.body.contains("25 posts found."));
    assert!(first.body.contains("Page 1 of 2"));
    assert!(first
        .body
        .contains("rel=\"next\" href=\"search?q=zebra&amp;page=2\""));
    assert!(!first.body.contains("rel=\"prev\""));

    let second = http_get(&addr, "/search?q=zebra&page=2", &[]).unwrap();
    let titles = result_titles(&second.body);
    assert_eq!(titles.len(), 5);
    assert_eq!(titles[4], "Zebra note 25");
    assert!(second.body.contains("rel=\"prev\" href=\"search?q=zebra\""));
    assert!(!second.body.contains("rel=\"next\""));
    assert!(second
        .body
        .contains("<ol class=\"results\" aria-label=\"Search results\" start=\"21\">"));
}

/// Every query a reader (or a robot) might send: FTS5 syntax, broken quotes, huge and binary
/// input. Each is answered 200 with a page the Nu HTML Checker accepts, and never echoes
/// markup.
#[test]
fn hostile_queries_answer_200_with_valid_pages() {
    let (_server, mut planet) = library();
    let (_serving, addr) = serving(&mut planet, "BIBFRAME in practice");
    let ten_kb = "bibframe%20".repeat(1000);
    let queries = [
        "%22unbalanced",
        "bibframe%22",
        "NEAR(bibframe+cafe%2C+2)",
        "title%3Abibframe",
        "%7Btitle+body%7D%3Abibframe",
        "*",
        "bib*",
        "bibframe+OR+cafe+AND+NOT+x",
        "%5Ebibframe",
        "-bibframe",
        "(((",
        "%22%22%22",
        "member%3A",
        "tag%3A",
        "member%3A%22",
        ten_kb.as_str(),
        "%00%01%1B%5B31m%7F",
        "%FF%FE%C3",
        "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "%27+OR+1%3D1+--",
        "snippet(search_index)",
        "",
        "bibframe&page=abc",
        "bibframe&page=-1",
        "bibframe&page=99999999999999999999999",
        "bibframe&page=100000",
        "%",
        "%E2%80%AE%EF%BF%BF%EE%80%80mark%EE%80%81",
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut pages = Vec::new();
    for (i, q) in queries.iter().enumerate() {
        let r = http_get(&addr, &format!("/search?q={q}"), &[]).unwrap();
        assert_eq!(r.status, 200, "{q}: {}", r.body);
        assert!(r.body.trim_end().ends_with("</html>"), "{q}");
        assert!(!r.body.contains("<script"), "{q}");
        assert!(
            !r.body.contains("<mark>mark"),
            "{q}: a typed marker is text"
        );
        let path = dir.path().join(format!("q{i}.html"));
        std::fs::write(&path, &r.body).unwrap();
        pages.push(path);
    }
    // No `q` at all: the empty search page.
    assert_eq!(http_get(&addr, "/search", &[]).unwrap().status, 200);

    // HEAD answers like GET without a body; other methods are refused like everywhere.
    let (status, head) = request(&addr, "HEAD", "/search?q=bibframe");
    assert_eq!(status, 200);
    assert!(head.ends_with("\r\n\r\n"), "HEAD has no body: {head}");
    for method in ["POST", "PUT", "DELETE"] {
        assert_eq!(request(&addr, method, "/search?q=x").0, 405, "{method}");
    }

    if !common::showcase::nu_checker_ready() {
        return;
    }
    let errors = common::showcase::nu_errors(&pages);
    assert!(
        errors.is_empty(),
        "{}",
        serde_json::to_string_pretty(&errors).unwrap()
    );
}

/// The box is in every page's header, its action relative to the page's root; a planet
/// published only as static files turns it off.
#[test]
fn the_search_box_is_on_every_page_unless_turned_off() {
    let (_server, mut planet) = library();
    planet.update();
    for (page, action) in [
        ("index.html", "search"),
        ("tags/metadata/index.html", "../../search"),
        ("members/index.html", "../search"),
        ("status.html", "search"),
    ] {
        let html = planet.read(page);
        assert!(
            html.contains(&format!(
                "<form class=\"search\" role=\"search\" action=\"{action}\" method=\"get\">"
            )),
            "{page}"
        );
    }
    let member = std::fs::read_dir(planet.out("members"))
        .unwrap()
        .flatten()
        .find(|e| e.path().is_dir())
        .unwrap()
        .path()
        .join("index.html");
    assert!(std::fs::read_to_string(member)
        .unwrap()
        .contains("action=\"../../search\""));

    planet.planet_extra = "\n[server]\nsearch = false\n".into();
    planet.update();
    for page in [
        "index.html",
        "tags/metadata/index.html",
        "members/index.html",
    ] {
        assert!(!planet.read(page).contains("role=\"search\""), "{page}");
    }
}

/// A database written before search (schema 13: the same tables, no index) gains its index
/// when the new binary opens it and renders (which says what is shown), bodies stored
/// compressed included, and `serve` finds them.
#[test]
fn an_old_database_is_indexed_when_opened() {
    let (_server, mut planet) = library();
    let long = format!(
        "<p>{}</p><p>Zanzibar at the end.</p>",
        "Filler words here. ".repeat(60)
    );
    let server2 = FeedServer::start();
    server2.feed(
        "/long.xml",
        &rss(
            "L",
            &[post("A long post", "https://l.example/1", 5).body(&long)],
        ),
        RSS,
    );
    planet.feed(&server2.url("/long.xml"), "Long Writer");
    planet.update();
    {
        // Back to schema 13: what migrations 14 to 17 add, removed.
        let db = planet.db();
        let compressed: i64 = db
            .query_row("SELECT COUNT(*) FROM entries WHERE typeof(content) = 'blob' OR typeof(summary) = 'blob'", [], |r| r.get(0))
            .unwrap();
        assert!(compressed > 0, "the long post is stored compressed");
        db.execute_batch(
            "DROP TRIGGER search_entry_changed; DROP TRIGGER search_entry_removed;
             DROP TRIGGER search_member_renamed; DROP TABLE search_index;
             DROP TABLE search_shown; ALTER TABLE entries DROP COLUMN author_email;
             ALTER TABLE entries DROP COLUMN copy_key; ALTER TABLE entries DROP COLUMN excerpt;
             ALTER TABLE entries DROP COLUMN http_images; PRAGMA user_version = 13;",
        )
        .unwrap();
    }
    let (_serving, addr) = serving(&mut planet, "BIBFRAME in practice");
    let version: i64 = planet
        .db()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 17);
    // The pages on disk are the old render's, so they show the marker before serve's first
    // render has recorded what it shows: the index fills with that render.
    assert!(
        wait_for(30, || result_titles(&search(&addr, "zanzibar").body)
            == ["A long post"]),
        "the old database's posts were never found"
    );
    assert_eq!(
        result_titles(&search(&addr, "linked+data").body),
        ["BIBFRAME in practice"]
    );
    let check: String = planet
        .db()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    planet
        .db()
        .execute(
            "INSERT INTO search_index (search_index) VALUES ('integrity-check')",
            [],
        )
        .unwrap();
}
