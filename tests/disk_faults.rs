//! Guards "nothing lost" when the disk fails under `mercury update`: a full disk (a small tmpfs
//! holding both the database and the output folder) and a read-only output folder each give a
//! clear error and exit 1, leave the database passing `PRAGMA integrity_check` with everything
//! stored before, and leave the last good site in place, byte for byte, with no temporary files;
//! once there is room again the next update completes.
//! The mounts are made in a private mount namespace (`unshare -rm`, util-linux), so the test
//! needs no root and touches nothing outside its temporary folder.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

fn feed(prefix: &str, n: usize, body_len: usize) -> String {
    // Words that do not repeat, so that the store's compression cannot shrink a big feed into
    // a small disk.
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut words = |len: usize| {
        let mut text = String::with_capacity(len + 20);
        while text.len() < len {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            text.push_str(&format!("{:x} ", seed));
        }
        text
    };
    let items: String = (0..n)
        .map(|i| {
            let body = words(body_len);
            format!(
                "<item><title>{prefix} {i}</title><guid>{prefix}-{i}</guid>\
                 <link>https://{prefix}.example/{i}</link>\
                 <pubDate>Mon, 02 Nov 2026 10:{:02}:00 GMT</pubDate>\
                 <description>&lt;p&gt;{i} {body}&lt;/p&gt;</description></item>",
                i % 60
            )
        })
        .collect();
    format!(
        "<rss version=\"2.0\"><channel><title>{prefix}</title><link>https://{prefix}.example/</link>\
         <description>d</description>{items}</channel></rss>"
    )
}

fn namespaces_work() -> bool {
    tool_present(
        "private mount namespaces (unshare -rm, util-linux)",
        Command::new("unshare")
            .args(["-rm", "true"])
            .status()
            .is_ok_and(|s| s.success()),
    )
}

/// Runs `script` with `sh` inside a private mount namespace; returns its combined output.
fn in_namespace(dir: &Path, script: &str) -> String {
    let out = Command::new("unshare")
        .args(["-rm", "sh", "-c", script])
        .env("MERCURY", env!("CARGO_BIN_EXE_mercury"))
        .env("DIR", dir)
        .env("RUST_LOG", "mercury=warn")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "namespace script failed:\n{text}");
    eprintln!("{text}");
    text
}

fn config(dir: &Path, name: &str, database: &str, output: &str, feeds: &[String]) {
    let mut text = format!(
        "[planet]\nname = \"Disk\"\nlink = \"https://planet.example.org/\"\n\
         database = {database:?}\noutput_dir = {output:?}\nitems = 500\nnew_feed_items = 0\n\n[fetch]\ntimeout_secs = 10\n"
    );
    for (i, url) in feeds.iter().enumerate() {
        text += &format!("\n[[feed]]\nurl = {url:?}\nname = \"Member {i}\"\n");
    }
    std::fs::write(dir.join(name), text).unwrap();
}

fn integrity(db: &Path) -> (String, i64) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    let entries: i64 = conn
        .query_row("SELECT COUNT(*) FROM entries", [], |r| r.get(0))
        .unwrap();
    (check, entries)
}

/// The names in a folder, sorted.
fn names_in(dir: &Path) -> Vec<std::ffi::OsString> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    names.sort();
    names
}

fn same_files(a: &Path, b: &Path) {
    let names = names_in(a);
    assert_eq!(names, names_in(b), "the output folder's files changed");
    for name in names {
        let (pa, pb) = (a.join(&name), b.join(&name));
        if pa.is_file() {
            assert_eq!(
                std::fs::read(&pa).unwrap(),
                std::fs::read(&pb).unwrap(),
                "{name:?} changed"
            );
        }
    }
}

#[test]
fn a_full_disk_keeps_the_last_good_site_and_database() {
    if !namespaces_work() {
        return;
    }
    let server = FeedServer::start();
    server.feed("/small.xml", &feed("small", 3, 200), RSS);
    // Far more than the disk holds.
    server.feed("/big.xml", &feed("big", 400, 8000), RSS);
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("disk")).unwrap();
    let db = "disk/mercury.db";
    config(
        dir.path(),
        "small.toml",
        db,
        "disk/public",
        &[server.url("/small.xml")],
    );
    config(
        dir.path(),
        "big.toml",
        db,
        "disk/public",
        &[server.url("/small.xml"), server.url("/big.xml")],
    );
    // Room for the small planet (its pages, member pages, digest, feeds and their compressed
    // variants: tmpfs gives every file at least a 4 KiB page), not for the big one.
    let log = in_namespace(
        dir.path(),
        r#"set -e
        mount -t tmpfs -o size=2m tmpfs "$DIR/disk"
        "$MERCURY" --config "$DIR/small.toml" update
        cp -a "$DIR/disk" "$DIR/before"
        set +e
        "$MERCURY" --config "$DIR/big.toml" update
        echo "second exit: $?"
        set -e
        cp -a "$DIR/disk" "$DIR/after"
        mount -o remount,size=64m "$DIR/disk"
        "$MERCURY" --config "$DIR/big.toml" update
        echo "third exit: $?"
        cp -a "$DIR/disk" "$DIR/roomy"
        "#,
    );
    assert!(log.contains("second exit: 1"), "{log}");
    assert!(
        log.contains("No space left on device") || log.contains("database or disk is full"),
        "a clear error: {log}"
    );
    // The database is whole and holds what the first update stored.
    let (check, entries) = integrity(&dir.path().join("after/mercury.db"));
    assert_eq!(check, "ok");
    assert!(entries >= 3, "{entries} entries");
    // The site is the last good one, with no temporary files left behind.
    same_files(
        &dir.path().join("before/public"),
        &dir.path().join("after/public"),
    );
    // With room again, the next update completes and shows everything.
    assert!(log.contains("third exit: 0"), "{log}");
    let (check, entries) = integrity(&dir.path().join("roomy/mercury.db"));
    assert_eq!((check.as_str(), entries), ("ok", 403));
    let json = std::fs::read_to_string(dir.path().join("roomy/public/feed.json")).unwrap();
    assert!(json.contains("big 399"));
}

#[test]
fn a_read_only_output_folder_is_a_clear_error() {
    if !namespaces_work() {
        return;
    }
    let server = FeedServer::start();
    server.feed("/a.xml", &feed("alpha", 3, 100), RSS);
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("public")).unwrap();
    config(
        dir.path(),
        "feeds.toml",
        "mercury.db",
        "public",
        &[server.url("/a.xml")],
    );
    let log = in_namespace(
        dir.path(),
        r#"set -e
        mount -t tmpfs -o size=4m tmpfs "$DIR/public"
        "$MERCURY" --config "$DIR/feeds.toml" update
        cp -a "$DIR/public" "$DIR/before"
        mount -o remount,ro "$DIR/public"
        set +e
        "$MERCURY" --config "$DIR/feeds.toml" update --force
        echo "second exit: $?"
        set -e
        cp -a "$DIR/public" "$DIR/after"
        "#,
    );
    assert!(log.contains("second exit: 1"), "{log}");
    assert!(log.contains("Read-only file system"), "{log}");
    assert!(log.contains("public"), "the error names the folder: {log}");
    same_files(&dir.path().join("before"), &dir.path().join("after"));
    let (check, entries) = integrity(&dir.path().join("mercury.db"));
    assert_eq!((check.as_str(), entries), ("ok", 3));
}
