//! Guards "one refresh at a time" (issue #20): a second `update` while one is running exits 1
//! and says who holds the lock (and every feed is fetched once); with `--wait` it waits and
//! then runs; `render` and `status` never need the lock; and a holder killed with SIGKILL never
//! blocks the next run.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use common::*;

/// A feed whose first request is held until the test opens the gate, so that an `update`
/// fetching it holds the refresh lock for exactly as long as the test wants. Later requests
/// are answered at once.
struct Gate {
    url: String,
    open: mpsc::Sender<()>,
}

impl Gate {
    fn start() -> Gate {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/gated.xml", listener.local_addr().unwrap());
        let (open, opened) = mpsc::channel::<()>();
        std::thread::spawn(move || {
            let body = "<rss version=\"2.0\"><channel><title>Gated</title>\
                <link>https://gated.example/</link><item><title>Held</title>\
                <guid>held-1</guid><pubDate>Mon, 02 Feb 2026 10:00:00 GMT</pubDate></item>\
                </channel></rss>";
            let mut first = true;
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut buf = [0u8; 4096];
                let mut request = Vec::new();
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                if first {
                    first = false;
                    // Held until the gate opens (or the test ends).
                    let _ = opened.recv();
                }
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Gate { url, open }
    }

    fn open(&self) {
        let _ = self.open.send(());
    }
}

fn planet_with_gate() -> (FeedServer, Gate, Planet) {
    let server = FeedServer::start();
    let gate = Gate::start();
    let mut planet = Planet::new();
    planet.fetch_extra = "concurrency = 4\ntimeout_secs = 60\n".into();
    for i in 0..3 {
        server.fixture(&format!("/m{i}.xml"), "rss2.xml", RSS);
        planet.feed(&server.url(&format!("/m{i}.xml")), &format!("Member {i}"));
    }
    planet.feed(&gate.url, "Gated");
    planet.write_config();
    (server, gate, planet)
}

fn spawn(planet: &Planet, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_mercury"))
        .arg("--config")
        .arg(planet.config_path())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn lock_text(planet: &Planet) -> String {
    std::fs::read_to_string(planet.dir.path().join("mercury.db.lock")).unwrap_or_default()
}

/// Waits until `child` holds the refresh lock (its pid is written in the lock file).
fn wait_until_holding(planet: &Planet, child: &Child) {
    let pid = format!("pid={}\n", child.id());
    assert!(
        wait_for(60, || lock_text(planet).contains(&pid)),
        "the first update never took the lock: {:?}",
        lock_text(planet)
    );
}

#[test]
fn a_second_update_exits_naming_the_holder_and_feeds_are_fetched_once() {
    let (server, gate, planet) = planet_with_gate();
    let first = spawn(&planet, &["update"]);
    wait_until_holding(&planet, &first);

    let second = planet.mercury(&["update"]);
    assert_eq!(second.status.code(), Some(1), "{}", describe(&second));
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        stderr.contains(&format!("pid {} (mercury update) since ", first.id())),
        "{stderr}"
    );
    assert!(stderr.contains("--wait"), "{stderr}");
    // Neither does `fetch`, `prune` or `move`.
    for args in [
        &["fetch"][..],
        &["prune"][..],
        &["move", &server.url("/m0.xml"), &server.url("/n0.xml")][..],
    ] {
        let out = planet.mercury(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", describe(&out));
    }
    // `status` and `render` read, and never need the lock.
    let status = planet.mercury(&["status"]);
    assert!(status.status.success(), "{}", describe(&status));
    let render = planet.mercury(&["render"]);
    assert!(render.status.success(), "{}", describe(&render));

    gate.open();
    let first = first.wait_with_output().unwrap();
    assert!(first.status.success(), "{}", describe(&first));
    for i in 0..3 {
        assert_eq!(
            server.seen(&format!("/m{i}.xml")).len(),
            1,
            "feed {i} fetched once"
        );
    }
    assert!(planet.read("index.html").contains("Held"));
}

#[test]
fn with_wait_the_second_update_runs_after_the_first() {
    let (server, gate, planet) = planet_with_gate();
    let first = spawn(&planet, &["update"]);
    wait_until_holding(&planet, &first);

    let mut second = spawn(&planet, &["update", "--wait"]);
    let stderr = Arc::new(Mutex::new(String::new()));
    let reader = {
        let stderr = Arc::clone(&stderr);
        let pipe = second.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                let mut s = stderr.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        })
    };
    let waiting = format!("waiting for pid {} (mercury update)", first.id());
    assert!(
        wait_for(60, || stderr.lock().unwrap().contains(&waiting)),
        "the second update did not say it waits: {}",
        stderr.lock().unwrap()
    );
    gate.open();
    let first = first.wait_with_output().unwrap();
    assert!(first.status.success(), "{}", describe(&first));
    let status = second.wait().unwrap();
    reader.join().unwrap();
    assert!(status.success(), "{}", stderr.lock().unwrap());
    // Each ran in full, one after the other: every feed fetched once by each.
    for i in 0..3 {
        let seen = server.seen(&format!("/m{i}.xml"));
        assert_eq!(seen.len(), 2, "feed {i}");
    }
}

#[test]
fn a_sigkilled_holder_never_blocks_the_next_run() {
    let (_server, gate, planet) = planet_with_gate();
    let mut first = spawn(&planet, &["update"]);
    wait_until_holding(&planet, &first);
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();
    gate.open();
    // Without --wait: the operating system released the dead process's lock.
    let next = planet.mercury(&["update"]);
    assert!(next.status.success(), "{}", describe(&next));
    assert!(planet.read("index.html").contains("Held"));
}
