//! Guards the page as readers see it, in a real browser: the showcase planet served by the real
//! `mercury serve` and opened in Debian's headless Chromium (tests/browser/check-page.mjs, with
//! playwright-core and axe-core) at phone and desktop widths and in dark mode: no console error
//! (the page's CSP included), no horizontal overflow on a phone, no serious or critical axe-core
//! violation (WCAG AA contrast included), and a visible skip link for keyboard users. The
//! screenshots go to target/screenshots/ (MERCURY_SCREENSHOTS=docs writes the README's).

mod common;
#[path = "common/showcase.rs"]
mod showcase;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{free_addr, http_get, runs, serve, tool_present, wait_for};
use showcase::showcase;

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

#[test]
fn the_page_reads_well_on_a_phone_and_a_desktop() {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !tool_present("Debian's chromium", Path::new(&chromium).exists())
        || !tool_present(
            "node with playwright-core and axe-core (npm, tests/browser)",
            runs("node", "--version")
                && browser_dir().join("node_modules/playwright-core").exists()
                && browser_dir().join("node_modules/axe-core").exists(),
        )
    {
        return;
    }
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
    ] {
        let out = Command::new("node")
            .arg(browser_dir().join("check-page.mjs"))
            .arg(format!("http://{addr}{path}"))
            .arg(&shots)
            .arg(name)
            .env("CHROMIUM", &chromium)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "check-page.mjs failed on {path}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        for view in report["views"].as_array().unwrap() {
            let v = view["view"].as_str().unwrap();
            assert_eq!(view["status"], 200, "{path} {v}");
            assert_eq!(
                view["errors"],
                serde_json::json!([]),
                "{path} {v}: console errors"
            );
            assert_eq!(view["overflow"], 0, "{path} {v}: wider than the screen");
            let serious: Vec<&serde_json::Value> = view["violations"]
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
