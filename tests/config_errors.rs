//! Guards config validation from the command line: an invalid feeds.toml exits 2 with a message
//! naming the file, the line and the key; a valid one passes `check`.

mod common;

use common::*;

fn run_config(text: &str, args: &[&str]) -> (std::process::Output, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap().keep();
    let path = dir.join("feeds.toml");
    std::fs::write(&path, text).unwrap();
    (mercury_with(&path, args), path)
}

const PLANET: &str = "[planet]\nname = \"P\"\nlink = \"https://p.example/\"\n";

#[test]
fn bad_configs_exit_2_naming_file_line_and_key() {
    let cases = [
        (
            format!("{PLANET}\n[[feed]]\nurl = \"ftp://x.example/feed\"\nname = \"X\"\n"),
            ":6: feed[1].url: \"ftp://x.example/feed\" is not an http(s) URL",
        ),
        (
            format!("{PLANET}colour = \"blue\"\n"),
            ":4: planet.colour: unknown field `colour`",
        ),
        (
            format!("{PLANET}schedule = \"often\"\n"),
            ":4: planet.schedule: \"often\" is not a valid cron expression",
        ),
        (
            format!(
                "{PLANET}\n[[feed]]\nurl = \"https://a.example/f\"\nname = \"A\"\n\n[[feed]]\nurl = \"https://a.example/f\"\nname = \"B\"\n"
            ),
            ":10: feed[2].url: \"https://a.example/f\" is already listed as feed[1]",
        ),
        (
            "[planet]\nlink = \"https://p.example/\"\n".to_string(),
            "missing field `name`",
        ),
    ];
    for (text, want) in cases {
        for cmd in ["check", "update"] {
            let (out, path) = run_config(&text, &[cmd]);
            assert_eq!(out.status.code(), Some(2), "{cmd}: {}", describe(&out));
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                stderr.contains(&path.display().to_string()),
                "names the file: {stderr}"
            );
            assert!(stderr.contains(want), "{cmd}: want {want:?} in {stderr}");
        }
    }
}

#[test]
fn missing_config_file_exits_2_with_a_hint() {
    let out = mercury_with(std::path::Path::new("/nonexistent/feeds.toml"), &["check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--config"));
}

#[test]
fn good_config_passes_check() {
    let mut planet = Planet::new();
    planet.feed("https://a.example/feed.xml", "A");
    let out = planet.mercury(&["check"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("OK, 1 feed"));
}
