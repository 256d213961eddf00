//! The refresh benchmark (issue "Fast at any planet size"): a local feed farm on 127.0.0.1,
//! the real `mercury` binary refreshing it in several scenarios, and two floors measured in the
//! same run on the same machine so that results are ratios:
//!
//! - network floor: a plain concurrent HTTP client fetching the same URLs and reading the
//!   bodies (decompressed), nothing else;
//! - parse floor: feed-rs parsing the same (decompressed) bodies in memory on one thread.
//!
//! Run: `cargo bench --bench refresh -- --feeds 1000` (and `--feeds 10000`); see BENCHMARKS.md.
//! Each scenario reports wall time, the child's CPU time (user+sys) and its peak RSS.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, Response, StatusCode};

const ENTRIES: usize = 20;

/// One feed as served: its gzipped body and validator.
#[derive(Clone)]
struct Served {
    gz: axum::body::Bytes,
    raw_len: usize,
    etag: String,
}

struct Farm {
    feeds: RwLock<Vec<Served>>,
    honour_validators: AtomicBool,
    latency_ms: AtomicU64,
    /// The production mix ([`Mix`]): each feed answers as its share of the farm does.
    mix: AtomicBool,
}

/// What a feed does in the production mix, by its number: of every 100 feeds, 30 ignore
/// validators (200 with the same body), 10 gained a post since the last run, 2 answer 500,
/// 1 never answers (the refresh's short timeout ends it), 2 redirect (302, every time), and the
/// other 55 answer 304.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mix {
    IgnoresValidators,
    GainedAPost,
    ServerError,
    TimesOut,
    Redirects,
    NotModified,
}

impl Mix {
    fn of(i: usize) -> Mix {
        match i % 100 {
            0..30 => Mix::IgnoresValidators,
            30..40 => Mix::GainedAPost,
            40..42 => Mix::ServerError,
            42 => Mix::TimesOut,
            43..45 => Mix::Redirects,
            _ => Mix::NotModified,
        }
    }
}

/// The timeout of the production mix's refreshes and its floor (`timeout_secs`): short, so that
/// the feeds that never answer keep the run short.
const MIX_TIMEOUT_SECS: u64 = 1;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = flag(&args, "--feeds").unwrap_or(1000);
    let concurrency: usize = flag(&args, "--concurrency").unwrap_or(32);
    let mercury = find_mercury();
    eprintln!(
        "benchmark: {n} feeds, concurrency {concurrency}, binary {}",
        mercury.display()
    );

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let started = Instant::now();
    let feeds: Vec<Served> = (0..n).map(|i| serve_body(&generate(i, 0))).collect();
    let raw_total: usize = feeds.iter().map(|f| f.raw_len).sum();
    let gz_total: usize = feeds.iter().map(|f| f.gz.len()).sum();
    eprintln!(
        "generated {} MB of feeds ({} MB gzipped) in {:.1} s",
        raw_total / 1_000_000,
        gz_total / 1_000_000,
        started.elapsed().as_secs_f64()
    );
    let farm = Arc::new(Farm {
        feeds: RwLock::new(feeds),
        honour_validators: AtomicBool::new(true),
        latency_ms: AtomicU64::new(0),
        mix: AtomicBool::new(false),
    });
    let addr = rt.block_on(start_farm(farm.clone()));
    let urls: Vec<String> = (0..n).map(|i| format!("http://{addr}/f/{i}.xml")).collect();
    if args.iter().any(|a| a == "--hold") {
        hold(&urls, concurrency, &farm);
    }

    // The machine is shared and noisy (the same work varies by ±30% from minute to minute), so
    // every figure is the fastest of `--repeat` runs, floors and Mercury alike, with all runs
    // listed. The two targets' scenarios run in rounds, each right after its floor (network
    // floor, parse floor, cold, warm), and their ratios are also given round by round: a floor
    // and a refresh measured seconds apart saw the same machine.
    let repeat: usize = flag(&args, "--repeat").unwrap_or(3).max(1);
    let dir = tempfile::tempdir().unwrap();
    if std::env::var_os("BENCH_KEEP").is_some() {
        eprintln!("keeping {}", dir.path().display());
    }
    write_config(dir.path(), &urls, concurrency, 60);
    let fetch = || run_mercury(&mercury, dir.path(), &["fetch"]);
    let mut rounds: [Vec<Measure>; 4] = Default::default();
    for round in 1..=repeat {
        let net = rt.block_on(network_floor(&urls, concurrency, None));
        let parse = parse_floor(&farm, false);
        for file in ["mercury.db", "mercury.db-wal", "mercury.db-shm"] {
            let _ = std::fs::remove_file(dir.path().join(file));
        }
        let cold = fetch();
        let warm = fetch();
        eprintln!(
            "round {round}: network floor {:.2} s, parse floor {:.2} s, cold {:.2} s ({:.2}×), \
             warm {:.2} s ({:.2}×)",
            net.wall,
            parse.wall,
            cold.wall,
            cold.wall / parse.wall,
            warm.wall,
            warm.wall / net.wall
        );
        for (runs, m) in rounds.iter_mut().zip([net, parse, cold, warm]) {
            runs.push(m);
        }
    }
    let paired = |a: usize, b: usize| -> Vec<f64> {
        rounds[a]
            .iter()
            .zip(&rounds[b])
            .map(|(x, y)| x.wall / y.wall)
            .collect()
    };
    let (cold_ratios, warm_ratios) = (paired(2, 1), paired(3, 0));
    let [net, parse, cold, warm] = rounds.map(Best::of);
    let mut rows: Vec<Row> = Vec::new();
    rows.push(Row::new("network floor (plain client)", &net));
    rows.push(Row::new("parse floor (feed-rs, 1 thread)", &parse));
    let normalise = best(repeat, "mercury parse stage", || parse_floor(&farm, true));
    rows.push(Row::new(
        "Mercury's parse stage in process (repair, feed-rs, sanitise; 1 thread)",
        &normalise,
    ));
    rows.push(Row::new("cold (empty database)", &cold));
    let (net, parse) = (net.best, parse.best);
    if args.iter().any(|a| a == "--python-reader") {
        let m = python_reader(&urls, 1);
        rows.push(Row::new(
            "Python `reader` 3.26, cold (its default: one worker)",
            &Best::once(m),
        ));
    }
    rows.push(Row::new("warm (every feed 304)", &warm));
    farm.honour_validators.store(false, Ordering::SeqCst);
    let unchanged = best(repeat, "unchanged", fetch);
    rows.push(Row::new("unchanged bodies, validators ignored", &unchanged));
    farm.honour_validators.store(true, Ordering::SeqCst);
    // Each run finds one more new entry in every tenth feed.
    let mut versions = vec![0usize; n];
    let mut bump = |feeds: &mut Vec<Served>, i: usize| {
        versions[i] += 1;
        feeds[i] = serve_body(&generate(i, versions[i]));
    };
    let changed = best(repeat, "10% new", || {
        {
            let mut feeds = farm.feeds.write().unwrap();
            for i in (0..n).step_by(10) {
                bump(&mut feeds, i);
            }
        }
        fetch()
    });
    rows.push(Row::new("10% of feeds with one new entry", &changed));
    // The production mix, in rounds: its network floor (the plain client, same timeout, same
    // answers), then a refresh, each run with one more post in its tenth of the feeds.
    write_config(dir.path(), &urls, concurrency, MIX_TIMEOUT_SECS);
    farm.mix.store(true, Ordering::SeqCst);
    let mut mix_rounds: [Vec<Measure>; 2] = Default::default();
    for round in 1..=repeat {
        {
            let mut feeds = farm.feeds.write().unwrap();
            for i in (0..n).filter(|&i| Mix::of(i) == Mix::GainedAPost) {
                bump(&mut feeds, i);
            }
        }
        let floor = rt.block_on(network_floor(
            &urls,
            concurrency,
            Some(Duration::from_secs(MIX_TIMEOUT_SECS)),
        ));
        // Forced: the failing feeds would otherwise be backing off after the first run.
        let refresh = run_mercury(&mercury, dir.path(), &["fetch", "--force"]);
        eprintln!(
            "mix round {round}: network floor {:.2} s, refresh {:.2} s ({:.2}×)",
            floor.wall,
            refresh.wall,
            refresh.wall / floor.wall
        );
        mix_rounds[0].push(floor);
        mix_rounds[1].push(refresh);
    }
    let mix_ratios: Vec<f64> = mix_rounds[1]
        .iter()
        .zip(&mix_rounds[0])
        .map(|(x, y)| x.wall / y.wall)
        .collect();
    let [mix_floor, mix] = mix_rounds.map(Best::of);
    rows.push(Row::new(
        &format!("production mix: network floor (plain client, {MIX_TIMEOUT_SECS} s timeout)"),
        &mix_floor,
    ));
    rows.push(Row::new("production mix", &mix));
    farm.mix.store(false, Ordering::SeqCst);
    write_config(dir.path(), &urls, concurrency, 60);
    // One run: it waits on the network, not the CPU, and a long one at 10,000 feeds.
    farm.latency_ms.store(50, Ordering::SeqCst);
    // Forced: the production mix's failing feeds would otherwise be backing off.
    let latency = best(1, "50 ms latency", || {
        run_mercury(&mercury, dir.path(), &["fetch", "--force"])
    });
    rows.push(Row::new("warm with 50 ms latency per response", &latency));
    farm.latency_ms.store(0, Ordering::SeqCst);
    let entries = n * ENTRIES + versions.iter().sum::<usize>();
    let render = best(repeat, "render", || {
        run_mercury(&mercury, dir.path(), &["render"])
    });
    rows.push(Row::new(
        &format!("render ({entries} entries in the database)"),
        &render,
    ));
    if std::env::var_os("BENCH_KEEP").is_some() {
        let _ = dir.keep();
        return;
    }
    let db_size = std::fs::metadata(dir.path().join("mercury.db"))
        .map(|m| m.len())
        .unwrap_or(0)
        + std::fs::metadata(dir.path().join("mercury.db-wal"))
            .map(|m| m.len())
            .unwrap_or(0);

    println!("\n## {n} feeds, concurrency {concurrency}\n");
    println!(
        "Corpus: {n} feeds × {ENTRIES} entries, {} MB of XML ({} MB gzipped on the wire).\n",
        raw_total / 1_000_000,
        gz_total / 1_000_000
    );
    println!(
        "| scenario | wall | CPU | peak RSS | × network floor | × parse floor | all runs (wall) |"
    );
    println!("|---|---|---|---|---|---|---|");
    for row in &rows {
        let m = &row.best;
        println!(
            "| {} | {:.2} s | {:.2} s | {} | {:.2} | {:.2} | {} |",
            row.name,
            m.wall,
            m.cpu,
            if m.rss_mb > 0 {
                format!("{} MB", m.rss_mb)
            } else {
                "-".into()
            },
            m.wall / net.wall,
            m.wall / parse.wall,
            row.runs
        );
    }
    let list = |v: &[f64]| {
        let mut sorted = v.to_vec();
        sorted.sort_by(f64::total_cmp);
        let runs: Vec<String> = v.iter().map(|r| format!("{r:.2}")).collect();
        format!(
            "{} (median {:.2})",
            runs.join(", "),
            sorted[sorted.len() / 2]
        )
    };
    println!(
        "\nRound by round (each refresh over the floor measured just before it): cold / parse \
         floor {}; warm / network floor {}.",
        list(&cold_ratios),
        list(&warm_ratios)
    );
    println!(
        "Production mix, round by round (each refresh over the mix's network floor measured \
         just before it): {}.",
        list(&mix_ratios)
    );
    println!(
        "\nEach figure is the fastest of {repeat} runs (`--repeat`), but the one with 50 ms latency. \
         Latency target: N / concurrency × 50 ms = {:.2} s. Database: {:.1} MB for {} entries \
         ({:.1} MB per 10,000 entries).",
        n as f64 / concurrency as f64 * 0.05,
        db_size as f64 / 1e6,
        entries,
        db_size as f64 / 1e6 / (entries as f64 / 10_000.0)
    );
}

/// A scenario's fastest run, and the wall times of all its runs.
struct Best {
    best: Measure,
    walls: Vec<f64>,
}

impl Best {
    /// The fastest of `runs`.
    fn of(mut runs: Vec<Measure>) -> Best {
        let walls: Vec<f64> = runs.iter().map(|m| m.wall).collect();
        runs.sort_by(|a, b| a.wall.total_cmp(&b.wall));
        Best {
            best: runs.swap_remove(0),
            walls,
        }
    }

    fn once(m: Measure) -> Best {
        Best {
            walls: vec![m.wall],
            best: m,
        }
    }
}

/// Runs `f` `repeat` times and keeps the fastest run.
fn best(repeat: usize, name: &str, mut f: impl FnMut() -> Measure) -> Best {
    let b = Best::of((0..repeat).map(|_| f()).collect());
    eprintln!(
        "{name}: {:.2} s wall, {:.2} s cpu, {} MB (runs: {:.2?})",
        b.best.wall, b.best.cpu, b.best.rss_mb, b.walls
    );
    b
}

struct Row {
    name: String,
    best: Measure,
    runs: String,
}

impl Row {
    fn new(name: &str, b: &Best) -> Row {
        let runs: Vec<String> = b.walls.iter().map(|w| format!("{w:.2}")).collect();
        Row {
            name: name.to_string(),
            best: b.best.clone(),
            runs: runs.join(", "),
        }
    }
}

/// `--hold`: keeps the farm serving, with a planet configured for it, until interrupted, so a
/// profiler can be run on single refreshes (`perf record mercury --config DIR/feeds.toml fetch`).
/// Typing a scenario's name on standard input switches the farm: `validators on|off`,
/// `mix on|off` (the production mix; its feeds that never answer need a short `timeout_secs`),
/// `latency MS`.
fn hold(urls: &[String], concurrency: usize, farm: &Farm) -> ! {
    let dir = tempfile::tempdir().unwrap().keep();
    write_config(&dir, urls, concurrency, 60);
    eprintln!(
        "holding: the farm serves {} feeds; planet: {}/feeds.toml (Ctrl-C ends)",
        urls.len(),
        dir.display()
    );
    for line in std::io::stdin().lines() {
        let line = line.unwrap_or_default();
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["validators", v] => farm.honour_validators.store(*v == "on", Ordering::SeqCst),
            ["mix", v] => farm.mix.store(*v == "on", Ordering::SeqCst),
            ["latency", ms] => farm
                .latency_ms
                .store(ms.parse().unwrap_or(0), Ordering::SeqCst),
            _ => eprintln!("commands: validators on|off, mix on|off, latency MS"),
        }
    }
    loop {
        std::thread::park();
    }
}

fn flag(args: &[String], name: &str) -> Option<usize> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
}

/// The release binary next to this benchmark (cargo bench builds it).
fn find_mercury() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    let bin = dir.join("mercury");
    if !bin.exists() {
        eprintln!(
            "{} not found: run `cargo build --release` first",
            bin.display()
        );
        std::process::exit(1);
    }
    bin
}

#[derive(Clone, Debug, Default)]
struct Measure {
    wall: f64,
    cpu: f64,
    rss_mb: i64,
}

/// Runs the real binary and measures it with wait4 (its own CPU time and peak RSS).
#[allow(unsafe_code)] // wait4 through libc: the child's own CPU time and peak RSS
fn run_mercury(bin: &Path, dir: &Path, args: &[&str]) -> Measure {
    let started = Instant::now();
    // Reaped with wait4 below (to read the child's own rusage), not with Child::wait.
    #[allow(clippy::zombie_processes)]
    let child = std::process::Command::new(bin)
        .arg("--config")
        .arg(dir.join("feeds.toml"))
        .args(args)
        .env("RUST_LOG", "mercury=warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("run mercury");
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    // The child's ru_maxrss would include the pages it shared with this (large) process before
    // exec, so peak RSS is read from /proc (VmHWM, reset by exec) while it runs.
    let mut peak_kb = 0i64;
    loop {
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break;
        }
        assert_eq!(r, 0, "wait4");
        if let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
            if let Some(kb) = s
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<i64>().ok())
            {
                peak_kb = peak_kb.max(kb);
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "mercury failed"
    );
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Measure {
        wall: started.elapsed().as_secs_f64(),
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        rss_mb: peak_kb / 1024,
    }
}

fn write_config(dir: &Path, urls: &[String], concurrency: usize, timeout_secs: u64) {
    let mut f = std::fs::File::create(dir.join("feeds.toml")).unwrap();
    writeln!(
        f,
        "[planet]\nname = \"Bench\"\nlink = \"https://bench.example/\"\nitems = 60\n\n\
         [fetch]\nconcurrency = {concurrency}\nper_host = {concurrency}\n\
         timeout_secs = {timeout_secs}\n"
    )
    .unwrap();
    for (i, u) in urls.iter().enumerate() {
        writeln!(f, "[[feed]]\nurl = \"{u}\"\nname = \"Member {i}\"\n").unwrap();
    }
}

async fn start_farm(farm: Arc<Farm>) -> SocketAddr {
    let app = axum::Router::new()
        .route("/f/{file}", axum::routing::get(serve_feed))
        .route("/g/{file}", axum::routing::get(serve_redirected))
        .with_state(farm);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// Where a feed that redirects in the production mix ([`Mix::Redirects`]) sends its readers.
async fn serve_redirected(
    State(farm): State<Arc<Farm>>,
    UrlPath(file): UrlPath<String>,
    headers: HeaderMap,
) -> Response<Body> {
    serve(farm, file, headers, true).await
}

async fn serve_feed(
    State(farm): State<Arc<Farm>>,
    UrlPath(file): UrlPath<String>,
    headers: HeaderMap,
) -> Response<Body> {
    serve(farm, file, headers, false).await
}

async fn serve(
    farm: Arc<Farm>,
    file: String,
    headers: HeaderMap,
    redirected: bool,
) -> Response<Body> {
    let latency = farm.latency_ms.load(Ordering::Relaxed);
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let i: usize = file.trim_end_matches(".xml").parse().unwrap_or(usize::MAX);
    let Some(feed) = farm.feeds.read().unwrap().get(i).cloned() else {
        return Response::builder().status(404).body(Body::empty()).unwrap();
    };
    let mix = farm.mix.load(Ordering::Relaxed).then(|| Mix::of(i));
    match mix {
        Some(Mix::ServerError) => {
            return Response::builder().status(500).body(Body::empty()).unwrap();
        }
        Some(Mix::TimesOut) => {
            // Longer than any client here waits.
            tokio::time::sleep(Duration::from_secs(60)).await;
            return Response::builder().status(500).body(Body::empty()).unwrap();
        }
        Some(Mix::Redirects) if !redirected => {
            return Response::builder()
                .status(StatusCode::FOUND)
                .header("location", format!("/g/{i}.xml"))
                .body(Body::empty())
                .unwrap();
        }
        _ => {}
    }
    let honour =
        farm.honour_validators.load(Ordering::Relaxed) && mix != Some(Mix::IgnoresValidators);
    let inm = headers.get("if-none-match").and_then(|v| v.to_str().ok());
    if honour && inm == Some(feed.etag.as_str()) {
        return Response::builder()
            .status(StatusCode::NOT_MODIFIED)
            .header("etag", &feed.etag)
            .body(Body::empty())
            .unwrap();
    }
    let mut b = Response::builder()
        .header("content-type", "application/xml")
        .header("content-encoding", "gzip");
    if honour {
        b = b.header("etag", &feed.etag);
    }
    b.body(Body::from(feed.gz)).unwrap()
}

fn serve_body(xml: &str) -> Served {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(xml.as_bytes()).unwrap();
    let gz = enc.finish().unwrap();
    let etag = format!("\"{:016x}\"", fnv(xml.as_bytes()));
    Served {
        gz: gz.into(),
        raw_len: xml.len(),
        etag,
    }
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ *b as u64).wrapping_mul(0x100000001b3)
    })
}

/// A synthetic blog feed: half RSS 2.0 with content:encoded, half Atom; 20 entries of 1–5 KB of
/// realistic HTML. `version` > 0 adds that many new entries on top.
fn generate(i: usize, version: usize) -> String {
    let mut rng = (i as u64 + 1).wrapping_mul(0x9E3779B97F4A7C15);
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let words = [
        "library",
        "catalogue",
        "metadata",
        "archive",
        "reader",
        "collection",
        "digital",
        "preservation",
        "community",
        "open",
        "access",
        "research",
        "public",
        "service",
        "books",
        "shelves",
        "patrons",
        "records",
        "search",
        "learning",
    ];
    let mut entries = Vec::new();
    for n in 0..ENTRIES + version {
        let size = 1000 + (next() % 4000) as usize;
        let mut html = String::with_capacity(size + 200);
        while html.len() < size {
            html.push_str("<p>");
            for _ in 0..30 {
                html.push_str(words[(next() % words.len() as u64) as usize]);
                html.push(' ');
            }
            html.push_str(&format!(
                "<a href=\"/posts/{n}\">more</a> <em>emphasis</em> and <code>code</code>.</p>\n<img src=\"img/{n}.png\" alt=\"figure\">"
            ));
        }
        let day = 1 + (n % 28);
        entries.push((n, html, day));
    }
    if i.is_multiple_of(2) {
        let items: String = entries
            .iter()
            .rev()
            .map(|(n, html, day)| {
                format!(
                    "<item><title>Post {n} of member {i}</title><link>https://m{i}.example/posts/{n}</link>\
                     <guid>https://m{i}.example/posts/{n}</guid><pubDate>{day:02} Jan 2026 10:00:00 GMT</pubDate>\
                     <description>Summary of post {n}</description><content:encoded><![CDATA[{html}]]></content:encoded></item>\n"
                )
            })
            .collect();
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">\
             <channel><title>Member {i}</title><link>https://m{i}.example/</link><description>Blog {i}</description>\n{items}</channel></rss>"
        )
    } else {
        let items: String = entries
            .iter()
            .rev()
            .map(|(n, html, day)| {
                let escaped = html.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
                format!(
                    "<entry><title>Post {n} of member {i}</title><link href=\"https://m{i}.example/posts/{n}\"/>\
                     <id>tag:m{i}.example,2026:{n}</id><updated>2026-01-{day:02}T10:00:00Z</updated>\
                     <content type=\"html\">{escaped}</content></entry>\n"
                )
            })
            .collect();
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\
             <title>Member {i}</title><id>tag:m{i}.example,2026:feed</id><updated>2026-01-28T10:00:00Z</updated>\
             <link href=\"https://m{i}.example/\"/>\n{items}</feed>"
        )
    }
}

/// The plain client fetching every URL (with `timeout` for each, when given).
async fn network_floor(urls: &[String], concurrency: usize, timeout: Option<Duration>) -> Measure {
    use futures_util::StreamExt;
    let mut client = reqwest::Client::builder().gzip(true);
    if let Some(t) = timeout {
        client = client.timeout(t);
    }
    let client = client.build().unwrap();
    let bytes = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    futures_util::stream::iter(urls.iter().cloned())
        .map(|u| {
            let client = client.clone();
            let bytes = bytes.clone();
            async move {
                if let Ok(r) = client.get(u).send().await {
                    if let Ok(b) = r.bytes().await {
                        bytes.fetch_add(b.len() as u64, Ordering::Relaxed);
                    }
                }
            }
        })
        .buffer_unordered(concurrency)
        .collect::<Vec<()>>()
        .await;
    Measure {
        wall: started.elapsed().as_secs_f64(),
        ..Default::default()
    }
}

/// Python's `reader` library refreshing the same farm from an empty database
/// (`benches/python/reader_refresh.py`; `scripts/install-bench-tools` installs it).
fn python_reader(urls: &[String], workers: usize) -> Measure {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("urls.txt");
    std::fs::write(&list, urls.join("\n")).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/python/reader_refresh.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(&list)
        .arg(dir.path().join("reader.sqlite"))
        .arg(workers.to_string())
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "reader failed (scripts/install-bench-tools installs it): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("reader's JSON line");
    eprintln!("python reader: {v}");
    assert_eq!(v["entries"].as_u64(), Some((urls.len() * ENTRIES) as u64));
    Measure {
        wall: v["wall"].as_f64().unwrap(),
        cpu: v["cpu"].as_f64().unwrap(),
        rss_mb: v["rss_mb"].as_i64().unwrap(),
    }
}

/// One thread parsing every (decompressed) body in memory: feed-rs alone (the parse floor),
/// or with `mercury` Mercury's whole parse stage (repair, feed-rs, normalise, sanitise).
fn parse_floor(farm: &Farm, mercury: bool) -> Measure {
    use std::io::Read;
    let feeds = farm.feeds.read().unwrap();
    let base = url::Url::parse("https://m.example/feed.xml").unwrap();
    let now = chrono::Utc::now();
    let mut entries = 0;
    let mut wall = 0.0;
    // Each body is inflated just before it is parsed and dropped after, as in Mercury: holding
    // all 700 MB of a 10,000-feed corpus made feed-rs itself 40% slower per feed, which would
    // flatter every ratio.
    let mut raw = Vec::new();
    for f in feeds.iter() {
        raw.clear();
        flate2::read::GzDecoder::new(&f.gz[..])
            .read_to_end(&mut raw)
            .unwrap();
        let started = Instant::now();
        entries += if mercury {
            mercury::parse::parse_feed(&raw, &base, None, now).map_or(0, |f| f.entries.len())
        } else {
            feed_rs::parser::parse(&raw[..]).map_or(0, |f| f.entries.len())
        };
        wall += started.elapsed().as_secs_f64();
    }
    assert_eq!(entries, feeds.len() * ENTRIES);
    Measure {
        wall,
        cpu: wall,
        rss_mb: 0,
    }
}
