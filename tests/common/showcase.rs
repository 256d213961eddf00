//! The showcase planet: three members writing in three formats (Atom, RSS 2.0, JSON Feed) the
//! content real blogs carry (headings, code, a wide table, an image, a podcast enclosure, a long
//! unbroken link, right-to-left text), with faces and tags, one who wants excerpts only, plus a
//! member whose feed is gone missing. The snapshot, validator, feed-reader and browser tests all
//! build this one planet ([`MEMBERS`]): served on loopback here, stored under the members' own
//! URLs with fixed times by the snapshot test.
//! Also: the Nu HTML Checker (installed by scripts/install-test-tools), where it is and what
//! it says of a set of pages.

use std::path::{Path, PathBuf};

use crate::common::{FeedServer, Planet, Route, ATOM, JSON, RSS};

pub struct Showcase {
    pub server: FeedServer,
    pub planet: Planet,
}

/// One member of the showcase planet.
pub struct Member {
    pub name: &'static str,
    /// The member's feed as it would be on the web: the snapshot test stores it under this URL.
    pub url: &'static str,
    /// The fixture (in tests/fixtures/showcase) and its type; `None`: the feed is gone (404).
    pub feed: Option<(&'static str, &'static str)>,
    /// The face's fixture, served beside the feeds.
    pub face: Option<&'static str>,
    pub homepage: Option<&'static str>,
    pub tags: &'static [&'static str],
    pub excerpt_only: bool,
}

/// The showcase planet's members, in the order feeds.toml lists them: the one planet that the
/// snapshot, validator, feed-reader and browser tests all build.
pub const MEMBERS: [Member; 4] = [
    Member {
        name: "Ada Lovelace-Smith",
        url: "https://ada.example.org/feed.atom",
        feed: Some(("metadata.atom", ATOM)),
        face: Some("face-ada.svg"),
        homepage: None,
        tags: &["Cataloguing", "Linked data"],
        excerpt_only: false,
    },
    Member {
        name: "Grace Okafor",
        url: "https://readingroom.example.net/feed/",
        feed: Some(("reading-room.rss", RSS)),
        face: Some("face-grace.svg"),
        homepage: Some("https://readingroom.example.net/about"),
        tags: &["Open access", "Cataloguing"],
        excerpt_only: false,
    },
    Member {
        name: "Mateo Ruiz",
        url: "https://archives.example.com/feed.json",
        feed: Some(("archives.json", JSON)),
        face: None,
        homepage: None,
        tags: &["Archives"],
        excerpt_only: true,
    },
    Member {
        name: "Former Member",
        url: "https://former.example.org/rss",
        feed: None,
        face: None,
        homepage: None,
        tags: &[],
        excerpt_only: false,
    },
];

/// A time a week after the showcase's posts (26 November 2026): their week is a complete digest
/// period, and stays one whatever the machine's clock says.
pub const NOW: &str = "2026-12-02T12:00:00Z";

/// The planet's settings besides its members.
pub const SETTINGS: &str = "items = 4\narchive_pages = 2";

/// The fixtures: the feeds and the images their posts and faces show.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/showcase")
}

impl Member {
    /// The `[[feed]]` keys after `url` and `name`, with faces served from `base`.
    pub fn extra(&self, base: &str) -> String {
        let mut extra = String::new();
        if let Some(face) = self.face {
            extra += &format!("face = \"{base}/{face}\"\n");
        }
        if let Some(homepage) = self.homepage {
            extra += &format!("homepage = {homepage:?}\n");
        }
        if self.excerpt_only {
            extra += "excerpt_only = true\n";
        }
        if !self.tags.is_empty() {
            extra += &format!("tags = {:?}\n", self.tags);
        }
        extra
    }
}

/// Serves the showcase feeds and images on loopback and configures a planet over them.
pub fn showcase() -> Showcase {
    let server = FeedServer::start();
    let base = server.url("");
    let base = base.trim_end_matches('/');
    let images = ["chart.svg", "face-ada.svg", "face-grace.svg"];
    let files = MEMBERS
        .iter()
        .filter_map(|m| m.feed)
        .chain(images.iter().map(|i| (*i, "image/svg+xml")));
    for (file, content_type) in files {
        let text = std::fs::read_to_string(fixtures().join(file)).unwrap();
        let body = text.replace("{{BASE}}", base);
        server.route(
            &format!("/{file}"),
            Route {
                status: 200,
                body: body.into_bytes(),
                content_type: content_type.into(),
                ..Default::default()
            },
        );
    }
    let mut planet = Planet::new();
    planet.planet_extra = SETTINGS.into();
    for m in &MEMBERS {
        // A feed that is gone is served nowhere: the server answers 404.
        let url = server.url(&format!("/{}", m.feed.map_or("moved-away.xml", |f| f.0)));
        planet.feed_with(&url, m.name, &m.extra(base));
    }
    Showcase { server, planet }
}

/// The Nu HTML Checker's jar (npm package vnu-jar), which also carries the Jing RELAX NG
/// validator.
pub fn vnu_jar() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/browser/node_modules/vnu-jar/build/dist/vnu.jar")
}

/// Whether java and the Nu HTML Checker are here; a test that needs them and finds them missing
/// says so ([`crate::common::tool_present`]: a failure under CI) and is skipped.
pub fn nu_checker_ready() -> bool {
    crate::common::tool_present(
        "java and the Nu HTML Checker (npm vnu-jar)",
        crate::common::runs("java", "-version") && vnu_jar().exists(),
    )
}

/// The Nu HTML Checker's errors on `pages` (none: empty). Panics when the checker itself fails
/// without saying why, or its report is not JSON.
pub fn nu_errors(pages: &[PathBuf]) -> Vec<serde_json::Value> {
    let out = std::process::Command::new("java")
        .arg("-jar")
        .arg(vnu_jar())
        .args(["--errors-only", "--format", "json"])
        .args(pages)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stderr)
        .unwrap_or_else(|e| panic!("vnu output: {e}: {}", String::from_utf8_lossy(&out.stderr)));
    let messages = report["messages"].as_array().cloned().unwrap_or_default();
    assert!(
        out.status.success() || !messages.is_empty(),
        "the Nu HTML Checker failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    messages
}
