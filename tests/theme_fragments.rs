//! Guards the planet's own look: the theme folder's `head.html`, `header.html` (in place of the
//! default banner), `sidebar.html` and `footer.html` are written as they are into every kind of
//! page (front page, archive page, a tag's page, the status page), with `{{root}}` turned into
//! the path to the site's root; the fragments themselves are not published, the files they
//! reference are; the pages stay valid HTML (the Nu checker, when installed); and the example
//! theme in `contrib/` works as shipped.

mod common;

use std::path::Path;

use common::showcase::{nu_checker_ready, nu_errors};
use common::*;

fn posts(n: usize) -> String {
    let items: String = (0..n)
        .map(|i| {
            format!(
                "<item><title>Post {i}</title><guid>g{i}</guid><link>https://blog.example/{i}</link>\
                 <pubDate>Sun, 01 Mar 2026 0{i}:00:00 GMT</pubDate></item>"
            )
        })
        .collect();
    format!("<rss version=\"2.0\"><channel><title>Blog</title><link>https://blog.example/</link>{items}</channel></rss>")
}

/// A planet with an archive page and a tag, and the given theme files.
fn themed_planet(server: &FeedServer, theme: &[(&str, &str)]) -> Planet {
    server.feed("/feed.xml", &posts(3), RSS);
    let mut planet = Planet::new();
    planet.planet_extra = "items = 2".into();
    planet.feed_with(
        &server.url("/feed.xml"),
        "Alice",
        "tags = [\"Cataloguing\"]",
    );
    let dir = planet.dir.path().join("templates");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in theme {
        std::fs::write(dir.join(name), text).unwrap();
    }
    planet
}

const PAGES: [(&str, &str); 4] = [
    ("index.html", ""),
    ("page/2.html", "../"),
    ("tags/cataloguing/index.html", "../../"),
    ("status.html", ""),
];

#[test]
fn every_fragment_on_every_kind_of_page() {
    let server = FeedServer::start();
    let planet = themed_planet(
        &server,
        &[
            ("head.html", "<link rel=\"stylesheet\" href=\"{{root}}ours.css\">\n"),
            (
                "header.html",
                "<header class=\"site-header\"><a href=\"https://club.example/\"><img src=\"{{root}}logo.svg\" alt=\"The Club\" width=\"40\" height=\"40\"></a> <a href=\"https://club.example/join\">How to join</a></header>\n",
            ),
            ("sidebar.html", "<section><h2>Meetings</h2><p>Every first Tuesday.</p></section>\n"),
            ("footer.html", "<p>Hosted by the Club.</p>\n"),
            ("logo.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1 1\"/>"),
            ("ours.css", "body { color: black; }"),
        ],
    );
    planet.update();
    for (page, root) in PAGES {
        let html = planet.read(page);
        let head = &html[..html.find("</head>").unwrap()];
        assert!(
            head.contains(&format!(
                "<link rel=\"stylesheet\" href=\"{root}ours.css\">"
            )),
            "{page}: head.html in the head, {{{{root}}}} resolved"
        );
        assert!(
            html.contains(&format!("<img src=\"{root}logo.svg\" alt=\"The Club\"")),
            "{page}: header.html"
        );
        assert!(html.contains("How to join"), "{page}: header.html");
        assert!(
            !html.contains("<h1><a href=\"https://planet.example.org/"),
            "{page}: header.html replaces the default banner"
        );
        let aside = &html[html.find("<aside").unwrap()..html.find("</aside>").unwrap()];
        assert!(aside.contains("<h2>Meetings</h2>"), "{page}: sidebar.html");
        let footer = &html[html.find("<footer").unwrap()..];
        assert!(
            footer.contains("<p>Hosted by the Club.</p>"),
            "{page}: footer.html"
        );
        assert!(!html.contains("{{root}}"), "{page}");
    }
    // The status page keeps its heading, now at the top of its content.
    assert!(planet.read("status.html").contains("<h1>Feed status</h1>"));
    // What the fragments reference is published; the fragments are not.
    for published in ["logo.svg", "ours.css", "style.css"] {
        assert!(planet.out(published).exists(), "{published}");
    }
    for fragment in ["head.html", "header.html", "sidebar.html", "footer.html"] {
        assert!(!planet.out(fragment).exists(), "{fragment} is published");
    }
    nu_check_zero_errors(&planet.out(""));
}

#[test]
fn without_fragments_the_default_banner_and_footer_stay() {
    let server = FeedServer::start();
    let planet = themed_planet(&server, &[]);
    planet.update();
    for (page, _) in PAGES {
        let html = planet.read(page);
        assert!(
            html.contains("<header class=\"site-header\"><h1>"),
            "{page}"
        );
        assert!(html.contains("Made with Mercury."), "{page}");
    }
}

#[test]
fn the_example_theme_in_contrib_works_as_shipped() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("contrib/theme");
    let server = FeedServer::start();
    let planet = themed_planet(&server, &[]);
    let theme = planet.dir.path().join("templates");
    for entry in std::fs::read_dir(&example).unwrap().flatten() {
        std::fs::copy(entry.path(), theme.join(entry.file_name())).unwrap();
    }
    let check = planet.mercury(&["check"]);
    assert!(check.status.success(), "{}", describe(&check));
    planet.update();
    let index = planet.read("index.html");
    for fragment in ["header.html", "footer.html", "sidebar.html"] {
        let text = std::fs::read_to_string(example.join(fragment)).unwrap();
        let first_line = text.lines().find(|l| l.contains('<')).unwrap().trim();
        assert!(
            index.contains(&first_line.replace("{{root}}", "")),
            "{fragment} on the page"
        );
    }
    assert!(planet.out("logo.svg").exists());
    nu_check_zero_errors(&planet.out(""));
}

/// Every page in `dir` passes the Nu HTML Checker with no error (skipped without the tools).
fn nu_check_zero_errors(dir: &Path) {
    if !nu_checker_ready() {
        return;
    }
    let pages: Vec<_> = PAGES.iter().map(|(p, _)| dir.join(p)).collect();
    let errors = nu_errors(&pages);
    assert!(
        errors.is_empty(),
        "{} HTML errors:\n{}",
        errors.len(),
        serde_json::to_string_pretty(&errors).unwrap()
    );
}
