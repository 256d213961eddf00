//! Guards the output habits of a Unix tool, with the real binary: a closed pipe ends a command
//! quietly with status 0 (and loses no work); `--quiet` prints only what needs the admin; the
//! log has no colour escapes off a terminal; the refresh summary is printed once; the debug log
//! gives each feed's HTTP status, bytes and counts.

mod common;

use std::process::{Command, Output, Stdio};

use common::*;

/// Runs the real binary with stdout a pipe whose reading end is already closed, as after
/// `mercury … | head -1` once head has gone: every write to stdout fails with EPIPE.
fn with_closed_stdout(planet: &Planet, args: &[&str]) -> Output {
    let config = planet.write_config();
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let child = Command::new(env!("CARGO_BIN_EXE_mercury"))
        .arg("--config")
        .arg(&config)
        .args(args)
        .env("RUST_LOG", "mercury=info")
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .spawn()
        .expect("run mercury");
    child.wait_with_output().expect("wait for mercury")
}

fn planet_with_one_good_feed(server: &FeedServer) -> Planet {
    server.fixture("/good.xml", "rss2.xml", RSS);
    let mut planet = Planet::new();
    planet.feed(&server.url("/good.xml"), "Good");
    planet
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Issue 22: `status | head -1` panicked ("failed printing to stdout: Broken pipe", exit 101)
/// and `export-opml | true` exited 1.
#[test]
fn issue_22_a_closed_pipe_ends_every_command_quietly_with_status_0() {
    let server = FeedServer::start();
    let planet = planet_with_one_good_feed(&server);
    planet.update();
    for args in [
        &["status"][..],
        &["status", "--json"],
        &["export-opml"],
        &["check"],
        &["fix-redirects"],
    ] {
        let out = with_closed_stdout(&planet, args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", describe(&out));
        let err = stderr(&out);
        assert!(
            !err.contains("Broken pipe") && !err.contains("error") && !err.contains("bug"),
            "{args:?} says nothing of the pipe: {err}"
        );
    }
}

#[test]
fn update_into_a_closed_pipe_still_writes_the_site() {
    let server = FeedServer::start();
    let planet = planet_with_one_good_feed(&server);
    let out = with_closed_stdout(&planet, &["update"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(planet.out("index.html").exists(), "the site was rendered");
    assert!(!planet.items_of(&server.url("/good.xml")).is_empty());
}

#[test]
fn quiet_prints_nothing_when_all_is_well_and_the_failures_when_not() {
    let server = FeedServer::start();
    let mut planet = planet_with_one_good_feed(&server);
    for cmd in [
        &["--quiet", "check"][..],
        &["--quiet", "update"],
        &["-q", "render"],
    ] {
        let out = planet.mercury(cmd);
        assert!(out.status.success(), "{cmd:?}: {}", describe(&out));
        assert!(out.stdout.is_empty(), "{cmd:?}: {}", describe(&out));
        assert!(out.stderr.is_empty(), "{cmd:?}: {}", describe(&out));
    }
    // Without --quiet, the same commands say what they did.
    let out = planet.mercury(&["update"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 feeds: "));
    assert!(stderr(&out).contains("INFO"), "{}", describe(&out));

    // A failing feed needs the admin: --quiet prints the summary and the failure.
    planet.feed(&server.url("/missing.xml"), "Missing");
    let out = planet.mercury(&["--quiet", "update"]);
    assert!(out.status.success(), "{}", describe(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("1 failed"), "{}", describe(&out));
    assert!(
        stdout.contains(&format!("failed: {}", server.url("/missing.xml"))),
        "{}",
        describe(&out)
    );
    assert!(!stderr(&out).contains("INFO"), "{}", describe(&out));
}

#[test]
fn quiet_keeps_warnings() {
    let server = FeedServer::start();
    let mut planet = Planet::new();
    server.fixture("/good.xml", "rss2.xml", RSS);
    // Credentials in a feed URL load with a warning.
    let url = server.url("/good.xml").replace("http://", "http://u:pw@");
    planet.feed(&url, "Good");
    let out = planet.mercury(&["--quiet", "check"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(out.stdout.is_empty(), "{}", describe(&out));
    assert!(stderr(&out).contains("WARN"), "{}", describe(&out));
}

#[test]
fn no_colour_escapes_when_stderr_is_not_a_terminal() {
    let server = FeedServer::start();
    let planet = planet_with_one_good_feed(&server);
    let config = planet.write_config();
    for env in [&[][..], &[("NO_COLOR", "1")]] {
        let out = mercury_env(&config, &["update"], env);
        assert!(out.status.success(), "{}", describe(&out));
        let err = stderr(&out);
        assert!(err.contains("INFO"), "there is a log to look at: {err}");
        assert!(!err.contains('\u{1b}'), "{env:?}: escape codes in {err:?}");
    }
}

#[test]
fn the_refresh_summary_is_printed_once() {
    let server = FeedServer::start();
    let planet = planet_with_one_good_feed(&server);
    let out = planet.update();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.matches("1 feeds: 1 updated").count(), 1, "{stdout}");
    assert!(!stderr(&out).contains("feeds: "), "{}", describe(&out));
}

#[test]
fn the_debug_log_gives_each_feeds_status_bytes_and_counts() {
    let server = FeedServer::start();
    let planet = planet_with_one_good_feed(&server);
    let config = planet.write_config();
    let out = mercury_env(&config, &["update"], &[("RUST_LOG", "mercury=debug")]);
    assert!(out.status.success(), "{}", describe(&out));
    let err = stderr(&out);
    let line = err
        .lines()
        .find(|l| l.contains("updated") && l.contains(&server.url("/good.xml")))
        .unwrap_or_else(|| panic!("no debug line for the feed: {err}"));
    let size = fixture("rss2.xml").len();
    for want in [
        "status=200".to_string(),
        format!("bytes={size}"),
        "new=".into(),
        "changed=0".into(),
    ] {
        assert!(line.contains(&want), "{want} in {line}");
    }
    assert!(
        !line.contains("new=0"),
        "the first fetch stores posts: {line}"
    );
}
