//! Guards the messages of failures outside feeds.toml, with the real binary: each says what
//! happened, where (the file, the line) and what to do (issue 22).

mod common;

use common::*;

/// Issue 22: a database file that is not SQLite gave "cannot switch the database to
/// write-ahead logging", with no path and nothing to do.
#[test]
fn issue_22_a_database_that_is_not_sqlite_is_named_with_what_to_do() {
    let planet = Planet::new();
    let db = planet.dir.path().join("mercury.db");
    std::fs::write(&db, "these are my notes, not a database\n".repeat(200)).unwrap();
    for cmd in ["update", "status", "render"] {
        let out = planet.mercury(&[cmd]);
        assert_eq!(out.status.code(), Some(1), "{cmd}: {}", describe(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("{} is not a SQLite database", db.display())),
            "{cmd}: {stderr}"
        );
        assert!(stderr.contains("[planet] database"), "what to do: {stderr}");
        assert!(!stderr.contains("write-ahead"), "{stderr}");
    }
    // Nothing of the file was lost.
    assert!(std::fs::read_to_string(&db)
        .unwrap()
        .starts_with("these are my notes"));
}

/// Issue 22: a bad OPML file gave "Failed to process XML file", with no line.
#[test]
fn issue_22_a_bad_opml_file_is_named_with_its_line() {
    let planet = Planet::new();
    let config = planet.write_config();
    let cases = [
        (
            "<opml version=\"2.0\"><head/><body>\n<outline text=\"A\" xmlUrl=\"https://a.example/f\">\n\n</bod></opml>\n",
            ":4: not well-formed XML (",
        ),
        (
            "<opml version=\"2.0\"><head/><body>\n<outline text=\"A\" xmlUrl=\"https://a.example/f\">\n",
            ":3: the file ends with 3 elements still open",
        ),
    ];
    for (opml, want) in cases {
        let file = planet.dir.path().join("members.opml");
        std::fs::write(&file, opml).unwrap();
        let out = mercury_with(&config, &["import-opml", file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("{}{want}", file.display())),
            "want {want:?} in {stderr}"
        );
        assert!(stderr.contains("nothing imported"), "{stderr}");
        assert_eq!(
            std::fs::read_to_string(&config).unwrap(),
            planet.config_text()
        );
    }
}

/// Issue 22: an https URL for an http-only site failed with rustls's "received corrupt message
/// of type InvalidContentType".
#[test]
fn issue_22_https_to_a_plain_http_port_says_try_http() {
    let server = FeedServer::start();
    server.fixture("/feed.xml", "rss2.xml", RSS);
    let url = server.url("/feed.xml").replace("http://", "https://");
    let mut planet = Planet::new();
    planet.feed(&url, "Plain");
    let out = planet.mercury(&["update"]);
    assert!(out.status.success(), "{}", describe(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!(
            "failed: {url}: the server does not speak TLS (https) on this port; try the same \
             address with http://"
        )),
        "{}",
        describe(&out)
    );
    assert!(!stdout.contains("InvalidContentType"), "{stdout}");
}

/// Issue 22: a server that accepted and then said nothing failed after the 15 s silence
/// limit, but the message blamed "30 s (fetch.timeout_secs)", a setting that would not help.
/// (This test waits out the silence limit once.)
#[test]
fn issue_22_a_timeout_names_the_limit_that_fired() {
    let server = common::hostile::HostileServer::start();
    let mut planet = Planet::new();
    planet.fetch_extra = "timeout_secs = 40\n".into();
    let url = server.url("/never");
    planet.feed(&url, "Silent");
    let out = planet.mercury(&["update"]);
    assert!(out.status.success(), "{}", describe(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!(
            "failed: {url}: the server sent nothing for 15 s (Mercury's limit for a silent \
             connection; a longer fetch.timeout_secs would not help)"
        )),
        "{}",
        describe(&out)
    );
    assert!(!stdout.contains("within 40 s"), "{stdout}");
}
