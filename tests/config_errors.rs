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

/// Review round two, finding 7: a member name with control characters (here from OPML,
/// `text="ctrl&#x1;&#x7f;x"`) passed `check`, and `atom.xml`, `rss.xml`, `opml.xml` and
/// `export-opml` stopped being well-formed XML. feeds.toml refuses such text, naming the key;
/// `import-opml` leaves the characters out; the outputs stay well-formed.
#[test]
fn finding_7_control_characters_in_names_are_refused_or_left_out() {
    for (extra, want) in [
        (
            "\n[[feed]]\nurl = \"https://a.example/f\"\nname = \"ctrl\\u0001x\"\n",
            ":7: feed[1].name: \"ctrl\\u{1}x\" holds the control character U+0001",
        ),
        (
            "\n[[feed]]\nurl = \"https://a.example/f\"\nname = \"A\"\ntags = [\"t\\u007f\"]\n",
            ":8: feed[1].tags: \"t\\u{7f}\" holds the control character U+007F",
        ),
        (
            "description = \"evil\\u202Etxt\"\n",
            ":4: planet.description: \"evil\\u{202e}txt\" holds the control character U+202E",
        ),
    ] {
        let (out, _) = run_config(&format!("{PLANET}{extra}"), &["check"]);
        assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(want), "want {want:?} in {stderr}");
    }

    let server = FeedServer::start();
    server.fixture("/f.xml", "rss2.xml", RSS);
    let planet = Planet::new();
    let path = planet.write_config();
    let opml = path.with_file_name("members.opml");
    std::fs::write(
        &opml,
        format!(
            r#"<?xml version="1.0"?><opml version="2.0"><head><title>M</title></head><body>
            <outline text="ctrl&#x1;&#x7f;&#x85;&#x202E;x" type="rss" xmlUrl="{}" category="t&#x1;ag"/>
            </body></opml>"#,
            server.url("/f.xml")
        ),
    )
    .unwrap();
    let out = mercury_with(&path, &["import-opml", opml.to_str().unwrap()]);
    assert!(out.status.success(), "{}", describe(&out));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("name = \"ctrlx\""), "{text}");
    assert!(text.contains("tags = [\"tag\"]"), "{text}");
    let out = mercury_with(&path, &["update"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(planet.read("opml.xml").contains("ctrlx"));
    atom_syndication::Feed::read_from(planet.read("atom.xml").as_bytes()).expect("atom.xml");
    rss::Channel::read_from(planet.read("rss.xml").as_bytes()).expect("rss.xml");
    opml::OPML::from_str(&planet.read("opml.xml")).expect("opml.xml");
    let exported = mercury_with(&path, &["export-opml"]);
    opml::OPML::from_str(&String::from_utf8_lossy(&exported.stdout)).expect("export-opml");
}

/// Review round two, finding 8: `output_dir = "."` (or `""`) passed `check`, and `serve` then
/// answered `/feeds.toml` and `/mercury.db`; `output_dir = "/"` wrote into the root. An
/// output folder may not be the root nor hold the config's folder or the database.
#[test]
fn finding_8_an_output_dir_holding_the_config_or_the_database_is_refused() {
    for (setting, want) in [
        ("output_dir = \".\"", "holds the config's folder"),
        ("output_dir = \"\"", "holds the config's folder"),
        ("output_dir = \"public/..\"", "holds the config's folder"),
        ("output_dir = \"/\"", "is the root of the file system"),
        (
            "output_dir = \"site\"\ndatabase = \"site/data/mercury.db\"",
            "holds the database",
        ),
    ] {
        for cmd in ["check", "update"] {
            let (out, _) = run_config(&format!("{PLANET}{setting}\n"), &[cmd]);
            assert_eq!(out.status.code(), Some(2), "{setting}: {}", describe(&out));
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(stderr.contains("planet.output_dir"), "{stderr}");
            assert!(
                stderr.contains(want),
                "{setting}: want {want:?} in {stderr}"
            );
        }
    }
    // A symbolic link to the config's folder is that folder.
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("public")).unwrap();
    let path = dir.path().join("feeds.toml");
    std::fs::write(&path, PLANET).unwrap();
    let out = mercury_with(&path, &["check"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    // A folder of its own is fine.
    let (out, _) = run_config(
        &format!("{PLANET}output_dir = \"www/public\"\n"),
        &["check"],
    );
    assert!(out.status.success(), "{}", describe(&out));
}

/// Review round two, finding 9: `[fetch] per_host` of 2^61 passed `check`, then every
/// `update` panicked in a semaphore (exit 101). Counts and seconds have upper bounds now.
#[test]
fn finding_9_huge_counts_are_refused_by_check() {
    for (setting, key) in [
        ("[fetch]\nper_host = 2305843009213693952", "fetch.per_host"),
        ("[fetch]\nconcurrency = 100000", "fetch.concurrency"),
        (
            "[fetch]\ntimeout_secs = 9223372036854775807",
            "fetch.timeout_secs",
        ),
        ("[server]\nstale_after = 2147483648", "server.stale_after"),
    ] {
        for cmd in ["check", "update"] {
            let (out, _) = run_config(&format!("{PLANET}\n{setting}\n"), &[cmd]);
            assert_eq!(out.status.code(), Some(2), "{setting}: {}", describe(&out));
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                stderr.contains(key) && stderr.contains("more than the most allowed"),
                "{stderr}"
            );
        }
    }
}

/// Review round two, finding 9: `import-opml` of outlines nested 8,000 deep overflowed the
/// stack and aborted (exit 134). Now it refuses the file, writes nothing and exits 1.
#[test]
fn finding_9_deeply_nested_opml_is_refused_not_a_crash() {
    let planet = Planet::new();
    let path = planet.write_config();
    let before = std::fs::read_to_string(&path).unwrap();
    let opml = path.with_file_name("deep.opml");
    std::fs::write(
        &opml,
        format!(
            "<?xml version=\"1.0\"?><opml version=\"2.0\"><head><title>D</title></head><body>{}\
             <outline text=\"x\" type=\"rss\" xmlUrl=\"https://x.example/f\"/>{}</body></opml>",
            "<outline text=\"f\">".repeat(8_000),
            "</outline>".repeat(8_000)
        ),
    )
    .unwrap();
    let out = mercury_with(&path, &["import-opml", opml.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nested more than 64 levels"),
        "{}",
        describe(&out)
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
}

/// Issue 22: messages that did not say what to do. Each names the file, the line and the key,
/// in plain words: serde's "expected i64" and "expected a sequence", "duplicate key" for
/// `[feed]` written for `[[feed]]`, a multi-line parser dump for a five-field cron expression,
/// and a feed URL with a space that passed `check` and then failed as a 404.
#[test]
fn issue_22_config_messages_say_what_to_do() {
    let feed = "[[feed]]\nurl = \"https://a.example/f\"\nname = \"A\"\n";
    let cases = [
        (
            format!("{PLANET}items = \"ten\"\n"),
            ":4: planet.items: expected a whole number (like 60, without quotes), found the text \"ten\"",
        ),
        (
            format!("{PLANET}\n{feed}tags = \"x\"\n"),
            ":8: feed[1].tags: expected a list in brackets (like [\"a\", \"b\"]), found the text \"x\"",
        ),
        (
            format!("{PLANET}\n[feed]\nurl = \"https://a.example/f\"\nname = \"A\"\n"),
            ":5: feed: `[feed]` opens a single table; write `[[feed]]`",
        ),
        (
            format!(
                "{PLANET}\n[feed]\nurl = \"https://a.example/f\"\nname = \"A\"\n\n[feed]\nurl = \"https://b.example/f\"\nname = \"B\"\n"
            ),
            ":5: feed: `[feed]` opens a single table; write `[[feed]]`",
        ),
        (
            format!("{PLANET}schedule = \"*/30 * * * *\"\n"),
            ":4: planet.schedule: \"*/30 * * * *\" has five fields, as in crontab; Mercury's schedule has six, seconds first: \"0 */30 * * * *\"",
        ),
        (
            format!("{PLANET}\n[[feed]]\nurl = \"https://a.example/my feed.xml\"\nname = \"A\"\n"),
            ":6: feed[1].url: \"https://a.example/my feed.xml\" holds a space (character 21), which URLs may not hold",
        ),
        (
            format!("{PLANET}\n{feed}homepage = \"https://a.example/{{me}}\"\n"),
            ":8: feed[1].homepage: \"https://a.example/{me}\" holds the character '{'",
        ),
    ];
    for (text, want) in cases {
        let (out, path) = run_config(&text, &["check"]);
        assert_eq!(out.status.code(), Some(2), "{text}: {}", describe(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("{}{want}", path.display())),
            "want {want:?} in {stderr}"
        );
        assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
        for jargon in ["i64", "a sequence", "duplicate key", "^"] {
            assert!(!stderr.contains(jargon), "{jargon:?} in {stderr}");
        }
    }
}
