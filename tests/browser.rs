//! Guards the page as readers see it, in a real browser: the showcase planet served by the real
//! `mercury serve` and opened in Debian's headless Chromium (tests/browser/check-page.mjs, with
//! playwright-core and axe-core) at phone and desktop widths and in dark mode: no console error
//! (the page's CSP included), no horizontal overflow on a phone, no serious or critical axe-core
//! violation (WCAG AA contrast included), and a visible skip link for keyboard users. The
//! screenshots go to target/screenshots/ (MERCURY_SCREENSHOTS=docs writes the README's).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::showcase::showcase;
use common::{free_addr, http_get, runs, serve, tool_present, wait_for, FeedServer, Planet, RSS};
use serde_json::Value;

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// Chromium and the node packages, when present (a missing tool fails under CI, see
/// `tool_present`).
fn chromium() -> Option<String> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let present = tool_present("Debian's chromium", Path::new(&chromium).exists())
        && tool_present(
            "node with playwright-core and axe-core (npm, tests/browser)",
            runs("node", "--version")
                && browser_dir().join("node_modules/playwright-core").exists()
                && browser_dir().join("node_modules/axe-core").exists(),
        );
    present.then_some(chromium)
}

/// Runs check-page.mjs on one page and returns its report, one entry per view.
fn check_page(chromium: &str, addr: &str, path: &str, shots: &Path, name: &str) -> Vec<Value> {
    let out = Command::new("node")
        .arg(browser_dir().join("check-page.mjs"))
        .arg(format!("http://{addr}{path}"))
        .arg(shots)
        .arg(name)
        .env("CHROMIUM", chromium)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "check-page.mjs failed on {path}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    report["views"].as_array().unwrap().clone()
}

#[test]
fn the_page_reads_well_on_a_phone_and_a_desktop() {
    let Some(chromium) = chromium() else {
        return;
    };
    let mut s = showcase();
    let addr = free_addr();
    s.planet.planet_extra += &format!("\n\n[server]\nlisten = \"{addr}\"\n");
    let config = s.planet.write_config();
    let _serving = serve(&config);
    assert!(
        wait_for(30, || http_get(&addr, "/", &[])
            .is_ok_and(|r| r.status == 200 && r.body.contains("BIBFRAME"))),
        "mercury serve never showed the planet"
    );

    let shots = match std::env::var("MERCURY_SCREENSHOTS") {
        Ok(dir) => Path::new(env!("CARGO_MANIFEST_DIR")).join(dir),
        Err(_) => Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots"),
    };
    std::fs::create_dir_all(&shots).unwrap();
    for (path, name) in [
        ("/", "planet"),
        ("/page/2.html", "archive"),
        ("/tags/cataloguing/index.html", "topic"),
        ("/status.html", "status"),
        ("/members/", "members"),
        ("/members/ada-lovelace-smith/", "member"),
        ("/search?q=bibframe", "search"),
        ("/search?q=a&page=2", "search-more"),
    ] {
        for view in check_page(&chromium, &addr, path, &shots, name) {
            let v = view["view"].as_str().unwrap();
            assert_eq!(view["status"], 200, "{path} {v}");
            assert_eq!(
                view["errors"],
                serde_json::json!([]),
                "{path} {v}: console errors"
            );
            assert_eq!(view["overflow"], 0, "{path} {v}: wider than the screen");
            assert_eq!(view["escapes"], serde_json::json!([]), "{path} {v}");
            let serious: Vec<&Value> = view["violations"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|x| x["impact"] == "serious" || x["impact"] == "critical")
                .collect();
            assert!(serious.is_empty(), "{path} {v}: axe-core: {serious:#?}");
            assert_eq!(
                view["focus"],
                serde_json::json!({"skip_link": true, "on_screen": true, "outline": true}),
                "{path} {v}: keyboard focus"
            );
            let shot = view["screenshot"].as_str().unwrap();
            assert!(
                std::fs::metadata(shot).is_ok_and(|m| m.len() > 5_000),
                "{path} {v}: no screenshot"
            );
        }
    }
}

/// Review round two, finding 2: a drawing with `overflow: visible` and a 20,000-pixel link
/// covered the whole page, so clicks on the header, the subscribe links or other members'
/// titles went to the member's site. A post now paints and takes clicks only in its own box.
#[test]
fn finding_2_a_post_cannot_cover_the_page_with_a_link() {
    let Some(chromium) = chromium() else {
        return;
    };
    let server = FeedServer::start();
    let cover = r#"<svg style="overflow: visible" width="1" height="1"><a href="https://evil.example/"><rect x="-5000" y="-5000" width="20000" height="20000" fill-opacity="0.01"/></a></svg>"#;
    let big = r#"<div style="overflow: visible; height: 1px; width: 1px"><p style="margin-top: -600px; height: 3000px; width: 3000px; font-size: 400px; line-height: 2">covering</p></div>"#;
    let feed = format!(
        r#"<rss version="2.0"><channel><title>Cover</title><link>https://cover.example/</link>
        <item><guid>c1</guid><title>Cover</title><pubDate>Mon, 05 Jan 2026 08:00:00 GMT</pubDate>
        <description><![CDATA[<p>Drawing</p>{cover}]]></description></item>
        <item><guid>c2</guid><title>Big</title><pubDate>Mon, 05 Jan 2026 07:00:00 GMT</pubDate>
        <description><![CDATA[{big}]]></description></item></channel></rss>"#
    );
    server.feed("/cover.xml", &feed, RSS);
    server.fixture("/good.xml", "rss2.xml", RSS);
    let addr = free_addr();
    let mut planet = Planet::new();
    planet.planet_extra = format!("[server]\nlisten = \"{addr}\"\n");
    planet
        .feed(&server.url("/cover.xml"), "Cover")
        .feed(&server.url("/good.xml"), "Good");
    let config = planet.write_config();
    let _serving = serve(&config);
    assert!(
        wait_for(30, || http_get(&addr, "/", &[])
            .is_ok_and(|r| r.status == 200 && r.body.contains("Drawing"))),
        "mercury serve never showed the planet"
    );
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    for view in check_page(&chromium, &addr, "/", &shots, "cover") {
        let v = view["view"].as_str().unwrap();
        assert_eq!(view["escapes"], serde_json::json!([]), "{v}");
    }
}
