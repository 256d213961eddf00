//! The showcase planet: three members writing in three formats (Atom, RSS 2.0, JSON Feed) the
//! content real blogs carry (headings, code, a wide table, an image, a podcast enclosure, a long
//! unbroken link, right-to-left text), with faces and tags, plus a member whose feed is gone
//! missing. The validator, feed-reader and browser tests all judge this one planet.
//! Also: where the Nu HTML Checker is (installed by scripts/install-test-tools).

use std::path::{Path, PathBuf};

use crate::common::{FeedServer, Planet, Route, ATOM, JSON, RSS};

pub struct Showcase {
    pub server: FeedServer,
    pub planet: Planet,
}

/// Serves the showcase feeds and images on loopback and configures a planet over them.
pub fn showcase() -> Showcase {
    let server = FeedServer::start();
    let base = server.url("");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/showcase");
    let files = [
        ("metadata.atom", ATOM),
        ("reading-room.rss", RSS),
        ("archives.json", JSON),
        ("chart.svg", "image/svg+xml"),
        ("face-ada.svg", "image/svg+xml"),
        ("face-grace.svg", "image/svg+xml"),
        ("face-mateo.svg", "image/svg+xml"),
    ];
    for (file, content_type) in files {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let body = text.replace("{{BASE}}", &base);
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
    planet.planet_extra = "items = 4\narchive_pages = 2".into();
    planet.feed_with(
        &server.url("/metadata.atom"),
        "Ada Lovelace-Smith",
        &format!(
            "face = {:?}\ntags = [\"Cataloguing\", \"Linked data\"]",
            server.url("/face-ada.svg")
        ),
    );
    planet.feed_with(
        &server.url("/reading-room.rss"),
        "Grace Okafor",
        &format!(
            "face = {:?}\nhomepage = \"https://readingroom.example.net/about\"\ntags = [\"Open access\", \"Cataloguing\"]",
            server.url("/face-grace.svg")
        ),
    );
    planet.feed_with(
        &server.url("/archives.json"),
        "Mateo Ruiz",
        &format!(
            "face = {:?}\ntags = [\"Archives\"]",
            server.url("/face-mateo.svg")
        ),
    );
    planet.feed_with(
        &server.url("/moved-away.xml"),
        "Former Member",
        "homepage = \"https://former.example.org/\"",
    );
    Showcase { server, planet }
}

/// The Nu HTML Checker's jar (npm package vnu-jar), which also carries the Jing RELAX NG
/// validator.
pub fn vnu_jar() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/browser/node_modules/vnu-jar/build/dist/vnu.jar")
}
