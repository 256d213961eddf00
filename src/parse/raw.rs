//! Raw-entry fingerprints: an entry as the document gave it, before normalising and sanitising,
//! so that an entry the document repeats unchanged need not be normalised again.
//!
//! In: feed-rs's [`Entry`], what the scan saw of it, and the document's context (its base URL,
//! kind, language and link spellings). Out: a fingerprint string ([`RawContext::fingerprint`]),
//! prefixed with the rules' version ([`RULES_VERSION`]) so that a change in Mercury's own rules
//! re-processes every stored entry once.

use std::hash::Hash;
use std::io::Write;

use feed_rs::model::{Entry, Feed};
use url::Url;

use super::scan;
use crate::fingerprint::hex;

/// The version of Mercury's normalising rules (this folder). Bump it with any change to what
/// normalising makes of an entry; the sanitiser's own version ([`crate::sanitize::POLICY_VERSION`])
/// is part of every fingerprint too. Either change makes every stored fingerprint stale, so
/// each feed's next parse goes the full way once (and its body fingerprint changes with them:
/// `body_fingerprint`), then unchanged entries are skipped again.
pub const RULES_VERSION: u32 = 2;

/// What every raw fingerprint starts with: the two versions it was taken under.
pub fn prefix() -> String {
    format!("r{RULES_VERSION}.{}:", crate::sanitize::POLICY_VERSION)
}

/// A body's fingerprint under the current rules: the same bytes under other rules (an upgrade)
/// give another fingerprint, so the body is parsed again and its entries re-processed once.
pub fn body_fingerprint(body: &[u8]) -> String {
    crate::fingerprint::fingerprint(&[prefix().as_bytes(), body])
}

/// What of the document, beyond the entry itself, normalising reads: its base URL (relative
/// links), kind (RSS titles, Atom summaries), language (inherited) and the link spellings the
/// repair stage saw. Hashed once per document.
pub(super) struct RawContext {
    prefix: String,
    seed: u128,
}

impl RawContext {
    pub(super) fn new(feed: &Feed, base: &Url, spellings: &[(Url, String)]) -> RawContext {
        let prefix = prefix();
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.update(prefix.as_bytes());
        h.update(base.as_str().as_bytes());
        h.update(&[0xff]);
        h.update(format!("{:?}", feed.feed_type).as_bytes());
        h.update(&[0xff]);
        feed.language.hash(&mut h);
        for (parsed, written) in spellings {
            h.update(parsed.as_str().as_bytes());
            h.update(&[0xfe]);
            h.update(written.as_bytes());
            h.update(&[0xfd]);
        }
        RawContext {
            prefix,
            seed: h.digest128(),
        }
    }

    /// The fingerprint of `entry` as feed-rs read it (every field it gives, through its own
    /// serialisation, so no field can be left out), with what the scan saw of it (`extra`),
    /// in this document's context.
    pub(super) fn fingerprint(&self, entry: &Entry, extra: &scan::EntryExtras) -> String {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.update(&self.seed.to_le_bytes());
        // serde_json writes into the hasher; it cannot fail but on the writer, which cannot.
        let _ = serde_json::to_writer(HashWriter(&mut h), entry);
        h.update(&[0xff]);
        extra.hash(&mut h);
        let mut s = String::with_capacity(self.prefix.len() + 32);
        s.push_str(&self.prefix);
        s.push_str(&hex(&h.digest128().to_be_bytes()));
        s
    }
}

/// Bytes written into a hash.
struct HashWriter<'a>(&'a mut xxhash_rust::xxh3::Xxh3);

impl Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{KnownEntries, KnownEntry, ParsedFeed};
    use chrono::TimeZone;

    fn parse(xml: &str, base: &str, known: &KnownEntries) -> ParsedFeed {
        let now = chrono::Utc.with_ymd_and_hms(2026, 1, 10, 12, 0, 0).unwrap();
        let base = Url::parse(base).unwrap();
        let budget = std::time::Duration::from_secs(30);
        super::super::parse_owned_feed(xml.into(), &base, None, now, budget, known).unwrap()
    }

    fn rss(items: &[(&str, &str)]) -> String {
        let items: String = items
            .iter()
            .map(|(id, body)| {
                format!("<item><guid>{id}</guid><title>T {id}</title><description>{body}</description></item>")
            })
            .collect();
        format!("<rss version=\"2.0\"><channel><title>F</title>{items}</channel></rss>")
    }

    /// What the store would know after storing `feed`.
    fn known_of(feed: &ParsedFeed) -> KnownEntries {
        feed.entries
            .iter()
            .map(|e| {
                let k = KnownEntry {
                    key: e.key.clone(),
                    link: e.link.clone(),
                    content_hash: e.content_hash.clone(),
                };
                (e.raw_hash.clone(), k)
            })
            .collect()
    }

    const BASE: &str = "https://blog.example/feed/";

    #[test]
    fn unchanged_entries_are_not_normalised_again_and_edited_ones_are() {
        let first = parse(
            &rss(&[("a", "one"), ("b", "two")]),
            BASE,
            &KnownEntries::new(),
        );
        assert!(first.entries.iter().all(|e| !e.unchanged));
        assert!(first.entries[0].raw_hash.starts_with(&prefix()));
        let known = known_of(&first);
        // A new entry on top, `b` edited, `a` as it was.
        let second = parse(
            &rss(&[("c", "three"), ("b", "two, edited"), ("a", "one")]),
            BASE,
            &known,
        );
        let [c, b, a] = &second.entries[..] else {
            panic!("{:?}", second.entries)
        };
        assert!(
            !c.unchanged && !b.unchanged,
            "new and edited entries go the full way"
        );
        assert_eq!(b.summary.as_deref(), Some("two, edited"));
        assert!(a.unchanged);
        assert_eq!((a.key.as_str(), a.index), ("a", 2));
        assert_eq!(a.content_hash, first.entries[0].content_hash);
        assert_eq!(a.summary, None, "not sanitised again");
        // Nothing known: the same document is normalised whole, to the same fingerprints.
        let again = parse(
            &rss(&[("a", "one"), ("b", "two")]),
            BASE,
            &KnownEntries::new(),
        );
        assert_eq!(known_of(&again), known);
    }

    #[test]
    fn the_documents_context_is_part_of_the_fingerprint() {
        let doc = rss(&[("a", "<a href=\"p.html\">one</a>")]);
        let here = parse(&doc, BASE, &KnownEntries::new());
        // The same entry read from another address resolves its links differently.
        let moved = parse(&doc, "https://other.example/", &known_of(&here));
        assert!(!moved.entries[0].unchanged);
        assert_ne!(moved.entries[0].raw_hash, here.entries[0].raw_hash);
        // A document language the entry inherits.
        let lang = doc.replace(
            "<title>F</title>",
            "<title>F</title><language>fr</language>",
        );
        let french = parse(&lang, BASE, &known_of(&here));
        assert!(!french.entries[0].unchanged);
        assert_eq!(french.entries[0].lang.as_deref(), Some("fr"));
    }

    #[test]
    fn a_fingerprint_of_other_rules_matches_nothing() {
        let doc = rss(&[("a", "one")]);
        let first = parse(&doc, BASE, &KnownEntries::new());
        let old: KnownEntries = known_of(&first)
            .into_iter()
            .map(|(raw, k)| (raw.replacen(&prefix(), "r0.0:", 1), k))
            .collect();
        assert!(!parse(&doc, BASE, &old).entries[0].unchanged);
        assert!(body_fingerprint(b"x").starts_with(crate::fingerprint::FINGERPRINT_PREFIX));
        assert_ne!(
            body_fingerprint(b"x"),
            crate::fingerprint::fingerprint(&[b"x"])
        );
    }

    #[test]
    fn a_known_key_already_taken_goes_the_full_way() {
        // Two entries with the same id: the second gets a salted key. If the first is new and
        // the second is known under the plain key, the known one must not take the key twice.
        let first = parse(&rss(&[("a", "one")]), BASE, &KnownEntries::new());
        let second = parse(&rss(&[("a", "new"), ("a", "one")]), BASE, &known_of(&first));
        assert_eq!(second.entries.len(), 2);
        assert_ne!(second.entries[0].key, second.entries[1].key);
        assert!(second.entries.iter().all(|e| !e.unchanged));
    }

    /// What Mercury's rules make of a fixed corpus (the test fixtures, the fuzz seeds and a few
    /// samples of what the sanitiser decides), recorded with the rules' versions it was
    /// recorded under. A new fixture or seed changes it too, with no change of rules: then
    /// record the new fingerprint under the same versions.
    const RECORDED: (u32, u32, &str) = (2, 1, "16974dafd09ced76b9d5ec5dab42019a");

    /// A tripwire for the versions: when normalising or sanitising makes something else of
    /// the corpus, stored posts were made under other rules, and only a new version makes
    /// their fingerprints stale so that they are re-processed. Bump `RULES_VERSION` (this
    /// folder's rules) or `sanitize::POLICY_VERSION` (the sanitiser's), then record the new
    /// fingerprint and versions in `RECORDED`.
    #[test]
    fn the_rules_versions_move_with_what_the_rules_make() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files: Vec<std::path::PathBuf> = ["tests/fixtures/feeds", "fuzz/seeds/parse_feed"]
            .iter()
            .flat_map(|d| std::fs::read_dir(root.join(d)).unwrap())
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        let now = chrono::Utc.with_ymd_and_hms(2026, 1, 10, 12, 0, 0).unwrap();
        let base = Url::parse(BASE).unwrap();
        for file in &files {
            let body = std::fs::read(file).unwrap();
            if let Ok(feed) = super::super::parse_feed(&body, &base, None, now) {
                for e in &feed.entries {
                    h.update(e.key.as_bytes());
                    h.update(e.content_hash.as_bytes());
                }
            }
        }
        let samples = [
            "<p onclick=\"x()\">Hi <a href=\"javascript:alert(1)\">there</a><script>bad()</script></p>",
            "<img src=\"a.png\" alt=\"x\"><a href=\"/rel\">rel</a><pre>\ncode</pre>",
            "<svg><desc>A <abbr>LoC</abbr> chart</desc><circle r=\"1\"/></svg>",
            "<table><tr><td>cell</td></tr></table><p style=\"color: red; position: fixed\">s</p>",
            "<iframe src=\"https://x.example/\"></iframe><form><input></form><b><i>misnest</b></i>",
        ];
        let mut seeds: Vec<std::path::PathBuf> =
            std::fs::read_dir(root.join("fuzz/seeds/sanitize"))
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
        seeds.sort();
        let seeds = seeds
            .iter()
            .map(|f| String::from_utf8_lossy(&std::fs::read(f).unwrap()).into_owned());
        for html in samples.iter().map(|s| s.to_string()).chain(seeds) {
            h.update(crate::sanitize::clean_html(&html, Some(&base)).as_bytes());
            h.update(&[0xff]);
        }
        let made = hex(&h.digest128().to_be_bytes());
        assert_eq!(
            (
                RULES_VERSION,
                crate::sanitize::POLICY_VERSION,
                made.as_str()
            ),
            RECORDED,
            "what normalising or sanitising makes of the corpus changed: bump RULES_VERSION \
             or sanitize::POLICY_VERSION, so stored posts are re-processed once, and record \
             the new versions and fingerprint in RECORDED"
        );
    }
}
