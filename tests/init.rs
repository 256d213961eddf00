//! Guards `mercury init [DIR]`: the starter feeds.toml it writes passes `check` as written and
//! teaches the admin what to fill in; it never overwrites a config; and a command run where
//! there is no config yet (`add` in an empty folder) suggests `mercury init`.

mod common;

use std::process::Command;

use common::*;

fn mercury_in(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_mercury"))
        .current_dir(dir)
        .args(args)
        .env_remove("MERCURY_CONFIG")
        .output()
        .expect("run mercury")
}

#[test]
fn init_then_check_passes() {
    let dir = tempfile::tempdir().unwrap();
    let out = mercury_in(dir.path(), &["init", "planet"]);
    assert!(out.status.success(), "{}", describe(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("wrote planet/feeds.toml"), "{stdout}");
    assert!(
        stdout.contains("mercury add"),
        "says what to do next: {stdout}"
    );

    let config = dir.path().join("planet/feeds.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.contains("name = ") && text.contains("link = "));
    assert!(text.contains("# lang = \"en\""), "commented optional keys");

    let check = mercury_in(&dir.path().join("planet"), &["check"]);
    assert!(check.status.success(), "{}", describe(&check));
    assert!(String::from_utf8_lossy(&check.stdout).contains("OK, 0 feeds"));
    assert!(check.stderr.is_empty(), "no warning: {}", describe(&check));

    // Defaults to the current folder.
    let here = tempfile::tempdir().unwrap();
    let out = mercury_in(here.path(), &["init"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(here.path().join("feeds.toml").exists());
}

#[test]
fn init_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("feeds.toml");
    std::fs::write(&config, "# mine\n").unwrap();
    let out = mercury_in(dir.path(), &["init"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("feeds.toml already exists"));
    assert_eq!(std::fs::read_to_string(&config).unwrap(), "# mine\n");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "no temporary file left: {names:?}");
}

#[test]
fn add_in_an_empty_folder_suggests_init() {
    let dir = tempfile::tempdir().unwrap();
    let out = mercury_in(dir.path(), &["add", "https://blog.example/"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("run `mercury init`"), "{err}");
    assert!(!dir.path().join("feeds.toml").exists());
}
