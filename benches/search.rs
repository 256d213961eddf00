//! The search benchmark (issue #25): what the full-text index costs and how fast it answers,
//! through the store's own API on real database files (no HTTP, no feed parsing):
//!
//! - **writes**: `--feeds` N feeds × 20 posts (1–5 KB of HTML each, the refresh benchmark's
//!   sizes) stored into an empty database by the batch writer, with the index's triggers and
//!   without them, in alternating rounds; the best of `--repeat` each.
//! - **render**: what the render's `set_shown` takes on that database: a cold planet's first
//!   render (the `--shown` newest posts, 660 by default: `items` 60 × 11 pages, all indexed
//!   anew), the next render with nothing changed, and one where 20 posts came and 20 went.
//! - **size**: the database file before and after indexing every one of those posts, per
//!   10,000 posts.
//! - **queries**: `--posts` posts (200,000 by default; the database is kept in
//!   `target/tmp/search-bench-<posts>.db` and reused), all shown, then `--queries` searches of
//!   one or two words drawn from a Zipf-distributed vocabulary (common, middling and rare
//!   words), some with `member:`; p50, p95 and the slowest, each a page of 20 with its count.
//!
//! Run (see BENCHMARKS.md): `cargo bench --bench search`; options `--feeds 1000 --shown 660
//! --posts 200000 --queries 400 --repeat 3`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use mercury::model::{FeedUpdate, MemberFeed, NewEntry, ParsedFeed, UpdateKind};
use mercury::search::Query;
use mercury::store::Store;
use url::Url;

const POSTS_PER_FEED: usize = 20;
/// Feeds stored per write transaction, as the refresh's writer batches them.
const BATCH: usize = 50;

/// A small deterministic generator (xorshift64*): the same corpus every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545F4914F6CDD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A vocabulary of pronounceable made-up words, drawn Zipf-like: word `i` about as often as
/// 1/(i+1), as in natural text; some real words among the first (so "library" is common).
struct Words {
    words: Vec<String>,
    /// Cumulative weights.
    cumulative: Vec<f64>,
}

impl Words {
    fn new(n: usize, rng: &mut Rng) -> Words {
        const SYL: &[&str] = &[
            "ka", "lo", "mi", "ra", "te", "so", "vu", "ne", "bri", "cal", "dor", "fen", "gra",
            "hul", "jin", "kor", "lum", "mar", "nor", "pel", "qua", "ros", "sil", "tam",
        ];
        let real = [
            "library",
            "catalogue",
            "metadata",
            "archive",
            "records",
            "readers",
            "bibframe",
            "linked",
            "open",
            "access",
            "café",
            "collection",
            "digital",
            "preservation",
        ];
        let mut words: Vec<String> = (0..n)
            .map(|_| {
                let syllables = 2 + rng.below(3);
                (0..syllables).map(|_| SYL[rng.below(SYL.len())]).collect()
            })
            .collect();
        // The real words spread over the ranks, from very common to rare.
        for (i, w) in real.iter().enumerate() {
            let at = (3 + i * i * 7).min(n - 1);
            words[at] = w.to_string();
        }
        let mut total = 0.0;
        let cumulative = (0..n)
            .map(|i| {
                total += 1.0 / (i as f64 + 1.0);
                total
            })
            .collect();
        Words { words, cumulative }
    }

    fn pick(&self, rng: &mut Rng) -> &str {
        let x = rng.unit() * self.cumulative.last().unwrap();
        let i = self.cumulative.partition_point(|c| *c < x);
        &self.words[i.min(self.words.len() - 1)]
    }

    fn sentence(&self, rng: &mut Rng, n: usize) -> String {
        (0..n).map(|_| self.pick(rng)).collect::<Vec<_>>().join(" ")
    }
}

/// Feed `f`'s posts: titles of 3–8 words, bodies of 1–5 KB in paragraphs with some markup.
fn posts(f: usize, words: &Words, rng: &mut Rng) -> Vec<NewEntry> {
    (0..POSTS_PER_FEED)
        .map(|i| {
            let paragraphs = 2 + rng.below(6);
            let body: String = (0..paragraphs)
                .map(|p| {
                    let n = 20 + rng.below(60);
                    let text = words.sentence(rng, n);
                    if p % 2 == 0 {
                        format!("<p>{text} <em>{}</em>.</p>", words.pick(rng))
                    } else {
                        format!(
                            "<p><a href=\"https://m{f}.example/{i}/{p}\" rel=\"noopener noreferrer nofollow\">{}</a> {text}.</p>",
                            words.pick(rng)
                        )
                    }
                })
                .collect();
            let key = format!("https://m{f}.example/{i}");
            let title_words = 3 + rng.below(6);
            NewEntry {
                key: key.clone(),
                source_id: Some(key.clone()),
                index: i,
                link: Some(key),
                title: Some(words.sentence(rng, title_words)),
                author: None,
                author_email: None,
                published: Utc
                    .timestamp_opt(1_767_225_600 - (f * POSTS_PER_FEED + i) as i64 * 60, 0)
                    .single(),
                updated: None,
                content: Some(body),
                summary: None,
                categories: vec![],
                enclosures: vec![],
                lang: None,
                content_hash: format!("h{f}-{i}"),
                raw_hash: String::new(),
                unchanged: false,
            }
        })
        .collect()
}

fn member(f: usize) -> MemberFeed {
    let url = format!("https://m{f}.example/feed.xml");
    MemberFeed {
        parsed_url: Url::parse(&url).unwrap(),
        url,
        name: format!("Member {f}"),
        homepage: None,
        face: None,
        tags: vec![],
        excerpt_only: false,
    }
}

fn update(feed_id: i64, entries: Vec<NewEntry>) -> FeedUpdate {
    FeedUpdate {
        feed_id,
        fetched_at: Utc.timestamp_opt(1_767_225_600, 0).unwrap(),
        elapsed_ms: 1,
        bytes: 1,
        next_due: None,
        kind: UpdateKind::Parsed {
            status: 200,
            etag: None,
            last_modified: None,
            moved_to: None,
            body_hash: format!("b{feed_id}"),
            feed: ParsedFeed {
                entries,
                ..Default::default()
            },
        },
    }
}

/// Stores `feeds` feeds' posts into a new database at `path` (the index's triggers dropped
/// first when `index` is false); the time the writes took (the corpus is generated before),
/// and the store.
fn write(path: &Path, feeds: usize, index: bool, seed: u64) -> (Duration, Store) {
    let _ = std::fs::remove_file(path);
    let mut store = Store::open(path).unwrap();
    if !index {
        let conn = rusqlite::Connection::open(path).unwrap();
        conn.execute_batch(
            "DROP TRIGGER search_entry_changed; DROP TRIGGER search_entry_removed;
             DROP TRIGGER search_member_renamed;",
        )
        .unwrap();
    }
    let members: Vec<MemberFeed> = (0..feeds).map(member).collect();
    let ids: Vec<i64> = store
        .sync_feeds(&members)
        .unwrap()
        .iter()
        .map(|r| r.feed_id)
        .collect();
    let mut rng = Rng(seed);
    let words = Words::new(20_000, &mut rng);
    let corpus: Vec<Vec<FeedUpdate>> = ids
        .chunks(BATCH)
        .enumerate()
        .map(|(c, chunk)| {
            chunk
                .iter()
                .enumerate()
                .map(|(k, id)| update(*id, posts(c * BATCH + k, &words, &mut rng)))
                .collect()
        })
        .collect();
    let started = Instant::now();
    for batch in corpus {
        store
            .apply_batch(batch, None, |_, _| panic!("no panics here"))
            .map_err(|e| e.1)
            .unwrap();
    }
    (started.elapsed(), store)
}

/// The (feed URL, key) of the posts of feeds `from..to`, newest first.
fn identities(from: usize, to: usize) -> Vec<(String, String)> {
    (from..to)
        .flat_map(|f| {
            (0..POSTS_PER_FEED).map(move |i| {
                (
                    format!("https://m{f}.example/feed.xml"),
                    format!("https://m{f}.example/{i}"),
                )
            })
        })
        .collect()
}

/// How long `set_shown` takes for `posts`.
fn show(store: &mut Store, posts: &[(String, String)]) -> Duration {
    let started = Instant::now();
    store
        .set_shown(posts.iter().map(|(u, k)| (u.as_str(), k.as_str())))
        .unwrap();
    started.elapsed()
}

/// The database file's size once its log is folded in.
fn size(path: &Path) -> u64 {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    drop(conn);
    std::fs::metadata(path).unwrap().len()
}

fn flag(args: &[String], name: &str) -> Option<usize> {
    let i = args.iter().position(|a| a == name)?;
    args.get(i + 1)?.parse().ok()
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let feeds = flag(&args, "--feeds").unwrap_or(1000);
    let total_posts = flag(&args, "--posts").unwrap_or(200_000);
    let queries = flag(&args, "--queries").unwrap_or(400);
    let repeat = flag(&args, "--repeat").unwrap_or(3).max(1);
    let shown = flag(&args, "--shown").unwrap_or(660);
    let tmp = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/tmp");
    std::fs::create_dir_all(&tmp).unwrap();

    // Writes with and without the triggers, in alternating rounds; then the render's side.
    if feeds > 0 {
        let posts = feeds * POSTS_PER_FEED;
        let shown_feeds = shown.div_ceil(POSTS_PER_FEED).min(feeds);
        let (mut with, mut without) = (Vec::new(), Vec::new());
        let (mut cold, mut same, mut moved, mut all) = (vec![], vec![], vec![], vec![]);
        let (mut size_before, mut size_after) = (0, 0);
        let path = tmp.join("search-bench-write.db");
        for _ in 0..repeat {
            without.push(write(&path, feeds, false, 7).0);
            let (took, mut store) = write(&path, feeds, true, 7);
            with.push(took);
            cold.push(show(&mut store, &identities(0, shown_feeds)));
            same.push(show(&mut store, &identities(0, shown_feeds)));
            moved.push(show(&mut store, &identities(1, shown_feeds + 1)));
            show(&mut store, &[]);
            drop(store);
            size_before = size(&path);
            let mut store = Store::open(&path).unwrap();
            all.push(show(&mut store, &identities(0, feeds)));
            drop(store);
            size_after = size(&path);
        }
        let _ = std::fs::remove_file(&path);
        let best = |v: &[Duration]| *v.iter().min().unwrap();
        let all_runs = |v: &[Duration]| v.iter().map(|d| ms(*d)).collect::<Vec<_>>().join(", ");
        println!("## {feeds} feeds × {POSTS_PER_FEED} posts ({posts} posts)\n");
        println!("| step | best of {repeat} | all runs |");
        println!("|---|---|---|");
        for (what, v) in [
            ("store them, without the index's triggers", &without),
            ("store them, with the triggers", &with),
            ("first render: index the newest posts shown", &cold),
            ("next render, nothing changed", &same),
            ("next render, 20 posts in and 20 out", &moved),
            ("index every post (all shown)", &all),
        ] {
            println!("| {what} | {} | {} |", ms(best(v)), all_runs(v));
        }
        println!(
            "\nShown: the newest {} posts. Database: {:.1} MB without an indexed post, {:.1} MB \
             with all {posts} indexed: {:.1} MB per 10,000 indexed posts.\n",
            shown_feeds * POSTS_PER_FEED,
            size_before as f64 / 1e6,
            size_after as f64 / 1e6,
            (size_after.saturating_sub(size_before)) as f64 / 1e6 * 10_000.0 / posts as f64,
        );
    }

    if total_posts == 0 {
        return;
    }
    // Query latency on a large planet, every post shown.
    let feeds = total_posts.div_ceil(POSTS_PER_FEED);
    let path = tmp.join(format!("search-bench-{total_posts}.db"));
    let started = Instant::now();
    if !path.exists() {
        let building = tmp.join(format!("search-bench-{total_posts}.db.part"));
        let (_, mut store) = write(&building, feeds, true, 11);
        show(&mut store, &identities(0, feeds));
        drop(store);
        size(&building);
        std::fs::rename(&building, &path).unwrap();
        eprintln!(
            "built {} ({total_posts} posts) in {:.0} s",
            path.display(),
            started.elapsed().as_secs_f64()
        );
    }
    let store = Store::open_read_only(&path).unwrap();
    let mut rng = Rng(99);
    let words = Words::new(20_000, &mut Rng(11));
    let mut times = Vec::with_capacity(queries);
    let mut slowest = (Duration::ZERO, String::new(), 0);
    // Warm the page cache as a running server's would be.
    for _ in 0..20 {
        let q = Query::parse(words.pick(&mut rng));
        store.search(&q, 0, 20, Duration::from_secs(10)).unwrap();
    }
    for n in 0..queries {
        let text = match n % 4 {
            0 => words.pick(&mut rng).to_string(),
            1 => format!("{} {}", words.pick(&mut rng), words.pick(&mut rng)),
            2 => words.words[rng.below(words.words.len())].clone(),
            _ => format!(
                "{} member:\"member {}\"",
                words.pick(&mut rng),
                rng.below(feeds)
            ),
        };
        let q = Query::parse(&text);
        let started = Instant::now();
        let r = store.search(&q, 0, 20, Duration::from_secs(10)).unwrap();
        let took = started.elapsed();
        assert!(!r.timed_out);
        if took > slowest.0 {
            slowest = (took, text, r.total);
        }
        times.push(took);
    }
    times.sort();
    let pct = |p: f64| times[((times.len() as f64 * p).ceil() as usize).saturating_sub(1)];
    println!("## Queries: {total_posts} posts, {queries} searches\n");
    println!(
        "p50 {}, p95 {}, p99 {}, slowest {} (\"{}\", {} matches). Database {:.0} MB.",
        ms(pct(0.50)),
        ms(pct(0.95)),
        ms(pct(0.99)),
        ms(slowest.0),
        slowest.1,
        slowest.2,
        std::fs::metadata(&path).unwrap().len() as f64 / 1e6
    );
}
