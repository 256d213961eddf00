//! The one test harness: a local feed server on 127.0.0.1, a temporary planet with a feeds.toml
//! builder, and a runner for the real `mercury` binary.
#![allow(dead_code)] // each test file uses a different part of the harness

pub mod hostile;
pub mod hub;
pub mod posts;
pub mod showcase;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Response, StatusCode, Uri};

/// What the server answers on one path.
#[derive(Clone, Debug, Default)]
pub struct Route {
    pub status: u16,
    pub body: Vec<u8>,
    pub content_type: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Sent as `Location` (for redirects).
    pub location: Option<String>,
}

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub path: String,
    pub if_none_match: Option<String>,
    pub if_modified_since: Option<String>,
    pub user_agent: Option<String>,
    pub accept_encoding: Option<String>,
    pub authorization: Option<String>,
    pub status: u16,
}

#[derive(Default)]
struct ServerState {
    routes: HashMap<String, Route>,
    seen: Vec<Seen>,
}

/// A feed server of the test's own, on a random loopback port, running on its own thread.
pub struct FeedServer {
    addr: SocketAddr,
    state: Arc<Mutex<ServerState>>,
}

impl FeedServer {
    pub fn start() -> FeedServer {
        FeedServer::start_on("127.0.0.1")
    }

    /// A server on another loopback address (all of 127.0.0.0/8 is loopback on Linux), for
    /// tests that need two hosts told apart by address.
    pub fn start_on(ip: &str) -> FeedServer {
        let listener = std::net::TcpListener::bind((ip, 0)).expect("bind loopback");
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(ServerState::default()));
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(state.clone());
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                axum::serve(listener, app).await.unwrap();
            });
        });
        FeedServer { addr, state }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Serves `body` on `path` with validators derived from the body (so a change changes them).
    pub fn feed(&self, path: &str, body: &str, content_type: &str) {
        let etag = format!("\"{:x}\"", fnv(body.as_bytes()));
        self.route(
            path,
            Route {
                status: 200,
                body: body.as_bytes().to_vec(),
                content_type: content_type.to_string(),
                etag: Some(etag),
                last_modified: Some("Wed, 07 Jan 2026 10:00:00 GMT".to_string()),
                location: None,
            },
        );
    }

    /// Serves a fixture file from tests/fixtures/feeds.
    pub fn fixture(&self, path: &str, file: &str, content_type: &str) {
        self.feed(path, &fixture(file), content_type);
    }

    /// Answers `path` with a redirect to `to`.
    pub fn redirect(&self, path: &str, to: &str, status: u16) {
        self.route(
            path,
            Route {
                status,
                content_type: "text/plain".into(),
                location: Some(to.to_string()),
                ..Default::default()
            },
        );
    }

    pub fn route(&self, path: &str, route: Route) {
        self.state
            .lock()
            .unwrap()
            .routes
            .insert(path.to_string(), route);
    }

    /// Every request the server has seen for `path`, in order.
    pub fn seen(&self, path: &str) -> Vec<Seen> {
        let state = self.state.lock().unwrap();
        state
            .seen
            .iter()
            .filter(|s| s.path == path)
            .cloned()
            .collect()
    }
}

async fn handle(
    State(state): State<Arc<Mutex<ServerState>>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response<Body> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let mut state = state.lock().unwrap();
    let path = uri.path().to_string();
    let route = state.routes.get(&path).cloned();
    let mut seen = Seen {
        path: path.clone(),
        if_none_match: header("if-none-match"),
        if_modified_since: header("if-modified-since"),
        user_agent: header("user-agent"),
        accept_encoding: header("accept-encoding"),
        authorization: header("authorization"),
        status: 404,
    };
    let response = match route {
        None => Response::builder()
            .status(StatusCode::NOT_FOUND)
            .body(Body::from("not found"))
            .unwrap(),
        Some(r) => {
            let fresh = r.etag.is_some() && seen.if_none_match == r.etag;
            let mut b = Response::builder().header("content-type", &r.content_type);
            if let Some(e) = &r.etag {
                b = b.header("etag", e);
            }
            if let Some(lm) = &r.last_modified {
                b = b.header("last-modified", lm);
            }
            if let Some(loc) = &r.location {
                b = b.header("location", loc);
            }
            if fresh && r.status == 200 {
                seen.status = 304;
                b.status(304).body(Body::empty()).unwrap()
            } else {
                seen.status = r.status;
                b.status(r.status).body(Body::from(r.body)).unwrap()
            }
        }
    };
    state.seen.push(seen);
    response
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ *b as u64).wrapping_mul(0x100000001b3)
    })
}

pub fn fixture(file: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/feeds")
        .join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A loopback URL on which nothing listens: connections are refused.
pub fn unreachable_url() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("http://127.0.0.1:{port}/feed.xml")
}

/// A planet in a temporary folder: feeds.toml, mercury.db and public/ live there.
pub struct Planet {
    pub dir: tempfile::TempDir,
    pub planet_extra: String,
    /// Lines for `[fetch]`; the default keeps tests quick.
    pub fetch_extra: String,
    pub feeds: Vec<String>,
}

impl Planet {
    pub fn new() -> Planet {
        Planet {
            dir: tempfile::tempdir().unwrap(),
            planet_extra: String::new(),
            fetch_extra: "concurrency = 4\ntimeout_secs = 5\n".into(),
            feeds: Vec::new(),
        }
    }

    /// Adds a `[[feed]]`.
    pub fn feed(&mut self, url: &str, name: &str) -> &mut Planet {
        self.feeds
            .push(format!("[[feed]]\nurl = {url:?}\nname = {name:?}\n"));
        self
    }

    /// Adds a `[[feed]]` with extra lines (homepage, face, tags...).
    pub fn feed_with(&mut self, url: &str, name: &str, extra: &str) -> &mut Planet {
        self.feeds.push(format!(
            "[[feed]]\nurl = {url:?}\nname = {name:?}\n{extra}\n"
        ));
        self
    }

    pub fn config_text(&self) -> String {
        format!(
            "[planet]\nname = \"Test Planet\"\nlink = \"https://planet.example.org/\"\n\
             description = \"Blogs of our members\"\nowner_name = \"Admin\"\n\
             owner_email = \"admin@example.org\"\ntimezone = \"Europe/London\"\n{}\n\
             [fetch]\n{}\n{}",
            self.planet_extra,
            self.fetch_extra,
            self.feeds.join("\n")
        )
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("feeds.toml")
    }

    pub fn write_config(&self) -> PathBuf {
        let path = self.config_path();
        std::fs::write(&path, self.config_text()).unwrap();
        path
    }

    /// Runs the real binary with this planet's config (written first).
    pub fn mercury(&self, args: &[&str]) -> Output {
        let config = self.write_config();
        mercury_with(&config, args)
    }

    /// Runs `mercury update` and asserts that it succeeded.
    pub fn update(&self) -> Output {
        let out = self.mercury(&["update"]);
        assert!(out.status.success(), "update failed: {}", describe(&out));
        out
    }

    /// Runs `mercury update` at the controlled time `now` (`MERCURY_TEST_NOW`, RFC 3339) and
    /// asserts that it succeeded.
    pub fn update_at(&self, now: &str) -> Output {
        let config = self.write_config();
        let out = mercury_env(&config, &["update"], &[("MERCURY_TEST_NOW", now)]);
        assert!(out.status.success(), "update failed: {}", describe(&out));
        out
    }

    pub fn out(&self, file: &str) -> PathBuf {
        self.dir.path().join("public").join(file)
    }

    pub fn read(&self, file: &str) -> String {
        std::fs::read_to_string(self.out(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
    }

    pub fn json_feed(&self) -> serde_json::Value {
        serde_json::from_str(&self.read("feed.json")).expect("feed.json is JSON")
    }

    /// The JSON Feed items that came from the feed configured with `url`.
    pub fn items_of(&self, url: &str) -> Vec<serde_json::Value> {
        self.json_feed()["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["_mercury"]["feed_url"] == url)
            .cloned()
            .collect()
    }

    pub fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.dir.path().join("mercury.db")).unwrap()
    }
}

/// Runs the real binary with `--config PATH` and `args`.
pub fn mercury_with(config: &Path, args: &[&str]) -> Output {
    mercury_env(config, args, &[])
}

/// Runs the real binary with `--config PATH`, `args` and extra environment variables.
pub fn mercury_env(config: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mercury"))
        .arg("--config")
        .arg(config)
        .args(args)
        .env("RUST_LOG", "mercury=info")
        .envs(env.iter().copied())
        .output()
        .expect("run mercury")
}

pub fn describe(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub const RSS: &str = "application/rss+xml";
pub const ATOM: &str = "application/atom+xml";
pub const JSON: &str = "application/feed+json";

/// A response read off the wire by [`http_get`].
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The body as sent (compressed bodies are not text).
    pub raw: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A plain HTTP/1.1 GET over a fresh loopback connection (no client library in between).
pub fn http_get(addr: &str, path: &str, headers: &[(&str, &str)]) -> std::io::Result<HttpResponse> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(10)))?;
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    stream.write_all(req.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(raw.len(), |i| i + 4);
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let body = raw[split..].to_vec();
    let mut lines = head.trim_end().lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Ok(HttpResponse {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        raw: body,
    })
}

/// A loopback address with a port nothing listens on right now.
pub fn free_addr() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().to_string()
}

/// Polls `check` every 200 ms until it holds or `secs` pass.
pub fn wait_for(secs: u64, mut check: impl FnMut() -> bool) -> bool {
    let end = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while std::time::Instant::now() < end {
        if check() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    false
}

/// A running `mercury serve`, killed when dropped (also when the test fails).
pub struct Serving(pub Child);

impl Serving {
    /// Sends SIGTERM, then waits up to `secs` seconds for the exit: its status, or `None` while
    /// `serve` still runs.
    #[allow(unsafe_code)] // SIGTERM through libc: std can only SIGKILL
    pub fn terminate(&mut self, secs: u64) -> Option<std::process::ExitStatus> {
        let pid = self.0.id() as i32;
        assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
        let mut exited = None;
        wait_for(secs, || {
            exited = self.0.try_wait().unwrap();
            exited.is_some()
        });
        exited
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs the real `mercury update` with `config` and the debug build's injected `faults`
/// (`src/fault.rs`): its output, with stdout and stderr as text.
pub fn update_with_faults(config: &Path, faults: &str) -> (Output, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mercury"))
        .arg("--config")
        .arg(config)
        .arg("update")
        .env("MERCURY_FAULT", faults)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stdout, stderr)
}

/// Starts the real `mercury serve` with `config`, its output discarded.
pub fn serve(config: &Path) -> Serving {
    let child = Command::new(env!("CARGO_BIN_EXE_mercury"))
        .arg("--config")
        .arg(config)
        .arg("serve")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start mercury serve");
    Serving(child)
}

/// Whether an outside tool the test needs is there. When it is not, the test fails under CI
/// (which installs every tool) and is skipped elsewhere with a message saying how to get it.
pub fn tool_present(what: &str, present: bool) -> bool {
    if present {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{what} is missing: scripts/install-test-tools installs it (CI runs it first)"
    );
    eprintln!(
        "SKIPPED: {what} is missing; run scripts/install-test-tools (CI always runs this test)"
    );
    false
}

/// Whether `program arg` runs and succeeds.
pub fn runs(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}
