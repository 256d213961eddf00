//! Plain domain types that cross stage boundaries (fetch → parse → store → render). No I/O here.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use url::Url;

mod digest;
mod fetch;
mod members;
mod search;
mod websub;
pub use digest::*;
pub use fetch::*;
pub use members::*;
pub use search::*;
pub use websub::*;

/// `url` as Mercury may show or publish it: without the user name and password an admin may
/// have written into feeds.toml (`http://user:secret@host/feed`). The credentials are sent when
/// fetching, and nowhere else: every page, feed, OPML file, status line, log line and error
/// message shows this form. URLs without credentials come back exactly as written; a text that
/// is not a URL still loses anything between `://` and the last `@` of its authority.
pub fn public_url(url: &str) -> Cow<'_, str> {
    if !url.contains('@') {
        return Cow::Borrowed(url); // no credentials to take out (every post read asks)
    }
    if let Ok(mut parsed) = Url::parse(url.trim()) {
        if parsed.username().is_empty() && parsed.password().is_none() {
            return Cow::Borrowed(url);
        }
        // Cannot fail: a URL with credentials has an authority to take them from.
        let _ = parsed.set_username("");
        let _ = parsed.set_password(None);
        return Cow::Owned(parsed.to_string());
    }
    let Some(start) = url.find("://").map(|i| i + 3) else {
        return Cow::Borrowed(url);
    };
    let rest = &url[start..];
    let authority = &rest[..rest.find(['/', '\\', '?', '#']).unwrap_or(rest.len())];
    match authority.rfind('@') {
        Some(at) => Cow::Owned(format!("{}{}", &url[..start], &rest[at + 1..])),
        None => Cow::Borrowed(url),
    }
}

/// What two feed URLs that lead to the same feed have in common: the URL without its
/// credentials and fragment, with a trailing slash on the path dropped (scheme and host case
/// and the default port are already normalised by parsing). `add` refuses, and `status` and
/// `fix-redirects` warn about, two members whose URLs give the same address.
pub fn same_feed_address(url: &Url) -> String {
    let mut u = url.clone();
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.set_fragment(None);
    let path = u.path().trim_end_matches('/').to_string();
    u.set_path(&path);
    let text = u.to_string();
    // An empty path prints as "/": drop it too, so `http://h` and `http://h/` agree.
    match text.strip_suffix('/') {
        Some(t) if u.query().is_none() => t.to_string(),
        _ => text,
    }
}

/// Whether `url` carries a user name or password (see [`public_url`]).
pub fn has_credentials(url: &Url) -> bool {
    !url.username().is_empty() || url.password().is_some()
}

/// What retention deletes (`[planet] keep_days`, `keep_per_feed`, `forget_after_days`); the
/// store's `prune` reads it, `config` makes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// A post older than this many days is deleted (0: posts are kept forever)...
    pub keep_days: u32,
    /// ...unless it is one of the newest this many of its feed.
    pub keep_per_feed: usize,
    /// A feed removed from feeds.toml keeps its posts this many days (0: forever).
    pub forget_after_days: u32,
}

/// What one prune deleted (or, dry, would delete).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PruneReport {
    /// `(feed URL as shown, posts deleted)` of each listed feed that lost old posts, in
    /// config order.
    pub old_posts: Vec<(String, u64)>,
    /// `(feed URL as shown, posts deleted)` of each feed removed from feeds.toml long enough
    /// ago to be forgotten.
    pub forgotten_feeds: Vec<(String, u64)>,
}

impl PruneReport {
    /// Posts deleted in all.
    pub fn posts(&self) -> u64 {
        self.old_posts
            .iter()
            .chain(&self.forgotten_feeds)
            .map(|(_, n)| n)
            .sum()
    }
}

/// One member's feed as the store keeps it on the feed's row: what the configuration says about
/// it. `config` makes these from feeds.toml; the store reads no configuration itself.
#[derive(Debug, Clone)]
pub struct MemberFeed {
    /// The URL exactly as configured: the feed's identity in the database and outputs.
    pub url: String,
    /// The same URL, parsed: where to fetch from until a permanent redirect says otherwise.
    pub parsed_url: Url,
    pub name: String,
    pub homepage: Option<Url>,
    /// An absolute http(s) URL, or a path relative to the site's root (a theme file).
    pub face: Option<String>,
    pub tags: Vec<String>,
    /// Show only a short excerpt of this member's posts, with a link to read them.
    pub excerpt_only: bool,
}

/// A feed document after parsing and normalising: everything in it is clean and safe to store.
#[derive(Debug, Clone, Default)]
pub struct ParsedFeed {
    /// Plain-text title from the document.
    pub title: Option<String>,
    /// The feed's home page, absolute.
    pub site_link: Option<String>,
    /// The feed-level author's name, plain text.
    pub author: Option<String>,
    /// The feed's own picture (author avatar, logo or icon), an absolute http(s) URL.
    pub image: Option<String>,
    /// Entries whose date lay after the fetch time and was clamped to it.
    pub future_dates: usize,
    pub entries: Vec<NewEntry>,
    /// The WebSub hub the feed announces (`rel="hub"`, in the document or a `Link` header),
    /// absolute and http(s).
    pub hub: Option<String>,
    /// The feed's own URL as it announces it (`rel="self"`): the WebSub topic.
    pub self_link: Option<String>,
}

/// One normalised entry, as it arrives from a member feed.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEntry {
    /// Identity within its feed: source id, else link, else a hash of title and content.
    pub key: String,
    /// The id as given in the source (Atom id, RSS guid), when there was one.
    pub source_id: Option<String>,
    /// 0-based position in the source document.
    pub index: usize,
    pub link: Option<String>,
    /// Plain text.
    pub title: Option<String>,
    /// Plain text: the name only, never the address ([`NewEntry::author_email`]).
    pub author: Option<String>,
    /// The author's e-mail address, when the feed gave one (`Name <a@b.example>`,
    /// `a@b.example (Name)`, Atom `<email>`): kept apart from the name, for the formats that
    /// have a place for it (Atom `<email>`, RSS `<author>`).
    pub author_email: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    /// Sanitised HTML.
    pub content: Option<String>,
    /// Sanitised HTML.
    pub summary: Option<String>,
    pub categories: Vec<String>,
    pub enclosures: Vec<Enclosure>,
    /// The language its feed declares for it (Atom `xml:lang` on the entry or the feed, RSS
    /// `language`, JSON Feed `language`), a canonical BCP 47 tag.
    pub lang: Option<String>,
    /// Hash over everything above but `index`: equal hash, nothing to write.
    pub content_hash: String,
    /// The fingerprint of the entry as it came, before normalising (`parse::raw`), versioned
    /// with Mercury's rules: equal to the stored one, the entry need not be normalised again.
    pub raw_hash: String,
    /// The document gave this entry exactly as last time (same `raw_hash`), so it was not
    /// normalised: only `key`, `link`, `content_hash`, `index` and `raw_hash` are set, from
    /// what the store knew ([`KnownEntry`]). The store matches it and writes nothing of it.
    pub unchanged: bool,
}

/// What the store knows of one entry it holds, found by its raw fingerprint: enough for an
/// unchanged entry to stand in the parsed feed without being normalised again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownEntry {
    /// The key the document gave it last time (the stored key, unless the feed changed the
    /// entry's id and it was matched by its link).
    pub key: String,
    pub link: Option<String>,
    pub content_hash: String,
}

/// A feed's stored entries by raw fingerprint ([`NewEntry::raw_hash`]).
pub type KnownEntries = std::collections::HashMap<String, KnownEntry>;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Enclosure {
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub mime_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub length: Option<u64>,
}

/// Everything `render` needs: the planet, its newest entries and its members.
#[derive(Debug, Clone)]
pub struct Site {
    pub name: String,
    pub link: Url,
    pub description: Option<String>,
    pub owner_name: Option<String>,
    pub owner_email: Option<String>,
    pub timezone: chrono_tz::Tz,
    /// The planet's language, a canonical BCP 47 tag: the pages' `lang`, their interface
    /// strings and their day and month names.
    pub lang: String,
    /// Newest first: the front page's entries, then the archive pages'.
    pub entries: Vec<EntryView>,
    /// Entries per page (and in the merged feeds).
    pub items_per_page: usize,
    /// Ask search engines not to index the planet.
    pub noindex: bool,
    /// Fold posts longer than this (characters of text) to an excerpt; 0: never.
    pub excerpt_chars: usize,
    /// In config order.
    pub feeds: Vec<FeedView>,
    /// The last time any feed was fetched successfully.
    pub last_success: Option<DateTime<Utc>>,
    /// Set when `last_success` is older than the planet's staleness bound (`stale_after`
    /// schedule intervals): the pages say since when the planet has not been updated.
    pub stale_since: Option<DateTime<Utc>>,
    /// One per feed, in the order of `feeds`: what the member pages show. Empty on copies
    /// made for the sub-planets.
    pub members: Vec<MemberPage>,
    /// Messages for the admin on `status.html` (e.g. an invalid feeds.toml while serving).
    pub notices: Vec<String>,
    /// The sub-planets of the members' tags, in order of first use in the config.
    pub topics: Vec<Topic>,
    /// Set on a topic's own sub-planet: its slug.
    pub current_topic: Option<String>,
    /// The main planet's link: merged-feed entry ids hang off it, so an entry has one id in the
    /// planet's feeds and in its topics' feeds.
    pub id_base: Url,
    /// The WebSub hub the merged feeds announce (`rel="hub"`), when the planet has one.
    pub hub: Option<Url>,
    /// The digest (`digest/`, `digest.xml`), on the main planet when `[planet] digest` is not
    /// `"off"`; `None` on topics.
    pub digest: Option<Digest>,
    /// Every page's header carries the search box (`[server] search`).
    pub search: bool,
}

/// One tag's sub-planet (`tags/<slug>/`): the entries of the members with that tag.
#[derive(Debug, Clone)]
pub struct Topic {
    /// The tag as first written in the config.
    pub tag: String,
    /// Its folder name: lowercase ASCII letters, digits and dashes.
    pub slug: String,
    /// The configured URLs of the feeds with this tag.
    pub feed_urls: Vec<String>,
    /// Newest first; empty on the copies kept for navigation.
    pub entries: Vec<EntryView>,
}

impl Topic {
    /// The folder name of `tag`: ASCII letters and digits lowercased, runs of anything else as
    /// one dash; a tag with no ASCII letter or digit gets a short hash instead.
    pub fn slug_of(tag: &str) -> String {
        let mut slug = String::new();
        for c in tag.chars() {
            if c.is_ascii_alphanumeric() {
                slug.push(c.to_ascii_lowercase());
            } else if !slug.is_empty() && !slug.ends_with('-') {
                slug.push('-');
            }
        }
        while slug.ends_with('-') {
            slug.pop();
        }
        if slug.is_empty() {
            use sha2::Digest;
            let digest = sha2::Sha256::digest(tag.as_bytes());
            slug = crate::fingerprint::hex(&digest[..4]);
            slug.insert_str(0, "tag-");
        }
        slug
    }
}

/// A stored entry with its member's attribution, ready to show.
#[derive(Debug, Clone)]
pub struct EntryView {
    /// The member's public feed URL (see [`Member::feed_url`]): the anchor hashes it, so an
    /// anchor never depends on, or gives away, a password.
    pub feed_url: String,
    pub key: String,
    pub source_id: Option<String>,
    pub index: usize,
    pub link: Option<String>,
    pub title: Option<String>,
    pub author: Option<String>,
    pub author_email: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    /// The date the entry is shown and sorted by (published, else updated, else first seen).
    pub date: DateTime<Utc>,
    pub content: Option<String>,
    pub summary: Option<String>,
    pub categories: Vec<String>,
    pub enclosures: Vec<Enclosure>,
    /// The language its feed declared for it, a canonical BCP 47 tag.
    pub lang: Option<String>,
    /// Its author removed it from their feed (while an older post is still there); cleared
    /// when it reappears.
    pub withdrawn: bool,
    /// The fingerprint of its title and words, taken when it was stored
    /// (`sanitize::words_fingerprint`): cross-posts compare it. `None`: too short to say.
    pub copy_key: Option<String>,
    /// Its short excerpt, taken when it was stored (`sanitize::short_excerpt`): what the digest
    /// shows of it. `None`: no text.
    pub excerpt: Option<String>,
    /// The member (from the config and the feed document).
    pub member: std::sync::Arc<Member>,
    /// The other members whose feeds carry the same post (a cross-post shown once, here);
    /// filled by `visibility`, empty as read from the store.
    pub also: Vec<AlsoOn>,
}

#[cfg(test)]
impl EntryView {
    /// A bare post `key` of `feed` (also its member's name and URL) at `date`, for tests.
    pub fn bare(feed: &str, key: &str, date: DateTime<Utc>) -> EntryView {
        EntryView {
            feed_url: feed.into(),
            key: key.into(),
            source_id: None,
            index: 0,
            link: None,
            title: None,
            author: None,
            author_email: None,
            published: None,
            updated: None,
            date,
            content: None,
            summary: None,
            categories: vec![],
            enclosures: vec![],
            lang: None,
            withdrawn: false,
            copy_key: None,
            excerpt: None,
            member: std::sync::Arc::new(Member {
                name: feed.into(),
                feed_url: feed.into(),
                config_url: feed.into(),
                feed_title: None,
                site_link: None,
                homepage: None,
                face: None,
                excerpt_only: false,
            }),
            also: vec![],
        }
    }
}

/// Another member who carries a cross-post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlsoOn {
    pub name: String,
    /// Their public feed URL.
    pub feed_url: String,
}

#[derive(Debug, Clone)]
pub struct Member {
    pub name: String,
    /// The feed's URL as pages, feeds, OPML and status show it: [`public_url`] of the
    /// configured one. Everything that is shown or published reads this field.
    pub feed_url: String,
    /// The URL exactly as configured: the feed's identity (database lookups, feeds.toml
    /// edits). It may carry credentials, so it is never shown or published.
    pub config_url: String,
    pub feed_title: Option<String>,
    /// The home page link given by the feed document itself.
    pub site_link: Option<String>,
    /// Where the member's name links: the configured homepage, else the feed's own link.
    pub homepage: Option<String>,
    pub face: Option<String>,
    /// The member wants only short excerpts shown.
    pub excerpt_only: bool,
}

impl Member {
    /// The feed's own title when it has a non-empty one, else the member's name.
    pub fn display_title(&self) -> &str {
        self.feed_title
            .as_deref()
            .filter(|t| !t.is_empty())
            .unwrap_or(&self.name)
    }
}

/// One configured feed with its health, for the sidebar, OPML and `status`.
#[derive(Debug, Clone)]
pub struct FeedView {
    pub member: Member,
    /// The member's folder under `members/` (kept with the feed's row; see `slug_base`).
    pub slug: String,
    pub tags: Vec<String>,
    pub health: Health,
}

#[derive(Debug, Clone, Default)]
pub struct Health {
    pub last_fetch: Option<DateTime<Utc>>,
    pub last_success: Option<DateTime<Utc>>,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    pub consecutive_failures: u32,
    pub entries: u64,
    /// The URL a permanent redirect pointed to, and since when.
    pub moved_to: Option<String>,
    pub moved_since: Option<DateTime<Utc>>,
    pub next_due: Option<DateTime<Utc>>,
    pub gone: bool,
    /// The date of the newest entry.
    pub last_post: Option<DateTime<Utc>>,
    /// Posts whose date lay in the future at the last parse (clamped to the fetch time).
    pub future_dates: u64,
    /// Posts that came back under a new id at the last parse (recognised by their link).
    pub id_changes: u64,
    /// The planet's WebSub subscription to the feed's hub, if it has one.
    pub push: Option<PushState>,
}

impl Health {
    /// A feed is failing when its last fetch failed.
    pub fn is_failing(&self) -> bool {
        self.consecutive_failures > 0
    }
}

/// One feed's result of a refresh, handed from the fetch/parse workers to the store. `F` is
/// what a new body was parsed into: a [`ParsedFeed`], or the form the store prepares of one
/// on the parse threads on its way to the writer (`store::codec::PreparedFeed`); the store hands
/// back `FeedUpdate<()>`, the result without its posts.
#[derive(Debug)]
pub struct FeedUpdate<F = ParsedFeed> {
    pub feed_id: i64,
    pub fetched_at: DateTime<Utc>,
    pub elapsed_ms: u64,
    /// Body bytes received (after decompression); 0 for a 304 or a failure.
    pub bytes: u64,
    /// When a failed feed may be tried again (backoff, Retry-After); `None` after a success.
    pub next_due: Option<DateTime<Utc>>,
    pub kind: UpdateKind<F>,
}

impl<F> FeedUpdate<F> {
    /// The same result with its parsed feed (if any) turned into `G` by `f`.
    pub fn map_feed<G>(self, f: impl FnOnce(F) -> G) -> FeedUpdate<G> {
        let kind = match self.kind {
            UpdateKind::NotModified { status } => UpdateKind::NotModified { status },
            UpdateKind::Unchanged {
                status,
                etag,
                last_modified,
                moved_to,
            } => UpdateKind::Unchanged {
                status,
                etag,
                last_modified,
                moved_to,
            },
            UpdateKind::Parsed {
                status,
                etag,
                last_modified,
                moved_to,
                body_hash,
                feed,
            } => UpdateKind::Parsed {
                status,
                etag,
                last_modified,
                moved_to,
                body_hash,
                feed: f(feed),
            },
            UpdateKind::Failed(failure) => UpdateKind::Failed(failure),
        };
        FeedUpdate {
            feed_id: self.feed_id,
            fetched_at: self.fetched_at,
            elapsed_ms: self.elapsed_ms,
            bytes: self.bytes,
            next_due: self.next_due,
            kind,
        }
    }
}

#[derive(Debug)]
pub enum UpdateKind<F = ParsedFeed> {
    /// 304 Not Modified.
    NotModified { status: u16 },
    /// 200 with the same body as last time: nothing parsed.
    Unchanged {
        status: u16,
        etag: Option<String>,
        last_modified: Option<String>,
        moved_to: Option<String>,
    },
    /// 200 with a new body, parsed and normalised.
    Parsed {
        status: u16,
        etag: Option<String>,
        last_modified: Option<String>,
        moved_to: Option<String>,
        body_hash: String,
        feed: F,
    },
    /// Could not be fetched or parsed.
    Failed(FetchFailure),
}

/// One logged fetch of a feed, for its health history.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FetchRecord {
    pub at: DateTime<Utc>,
    pub status: Option<u16>,
    pub duration_ms: u64,
    pub bytes: u64,
    pub new_entries: u64,
    pub updated_entries: u64,
    /// `updated`, `unchanged`, `not-modified`, or the failure kind.
    pub outcome: String,
    pub error: Option<String>,
}

/// What storing one [`FeedUpdate`] changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreStats {
    pub new_entries: u64,
    pub updated_entries: u64,
}

/// Whether `c` may stand in text that the page, the merged feeds and OPML show as it is: not a
/// control character other than tab and line breaks (XML 1.0 forbids most, DEL and C1 are
/// controls too), not U+FFFE/U+FFFF, and not a bidi embedding, override or isolate (U+202A–
/// U+202E, U+2066–U+2069), which reorders the text around it.
pub fn is_safe_text_char(c: char) -> bool {
    !(matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
        || matches!(c, '\u{fffe}' | '\u{ffff}')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
}

/// `text` without the characters [`is_safe_text_char`] refuses (for names that come from a
/// subscription list or a member's feed rather than from the admin's hand).
pub fn safe_text(text: &str) -> String {
    text.chars().filter(|&c| is_safe_text_char(c)).collect()
}

#[cfg(test)]
mod tests {
    use super::{public_url, same_feed_address, Topic};

    #[test]
    fn variants_of_one_address_agree() {
        let key = |s: &str| same_feed_address(&url::Url::parse(s).unwrap());
        let same = [
            ("http://host/ivan/feed", "http://host/ivan/feed/"),
            ("HTTP://HOST:80/ivan/feed/", "http://host/ivan/feed"),
            ("https://host:443/f#top", "https://host/f"),
            ("https://u:p@host/f", "https://host/f/"),
            ("http://host", "http://host/"),
            ("http://host/f?x=1", "http://host/f/?x=1"),
        ];
        for (a, b) in same {
            assert_eq!(key(a), key(b), "{a} vs {b}");
        }
        let different = [
            ("http://host/f", "https://host/f"),
            ("http://host:8080/f", "http://host/f"),
            ("http://host/f?x=1", "http://host/f?x=2"),
            ("http://host/Feed", "http://host/feed"),
        ];
        for (a, b) in different {
            assert_ne!(key(a), key(b), "{a} vs {b}");
        }
    }

    #[test]
    fn public_urls_have_no_credentials() {
        let cases = [
            ("https://a.example/feed", "https://a.example/feed"),
            ("HTTP://A.example", "HTTP://A.example"),
            ("http://admin:s3cret@a.example/f", "http://a.example/f"),
            (
                "http://admin@a.example:8080/f?x=1",
                "http://a.example:8080/f?x=1",
            ),
            ("http://:s3cret@a.example/", "http://a.example/"),
            ("http://a:b@c@a.example/p@q", "http://a.example/p@q"),
            ("http:\\\\a:s3cret@a.example/", "http://a.example/"),
            ("not a url://u:s3cret@host/x", "not a url://host/x"),
            ("redirect to an invalid URL", "redirect to an invalid URL"),
        ];
        for (given, shown) in cases {
            assert_eq!(public_url(given), shown, "{given}");
        }
    }

    #[test]
    fn topic_slugs_are_plain_folder_names() {
        assert_eq!(Topic::slug_of("Open Access"), "open-access");
        assert_eq!(Topic::slug_of("  open--access! "), "open-access");
        assert_eq!(Topic::slug_of("Métadonnées"), "m-tadonn-es");
        assert_eq!(Topic::slug_of("../../etc"), "etc");
        let cjk = Topic::slug_of("図書館");
        assert!(cjk.starts_with("tag-") && cjk.len() == 12, "{cjk}");
        assert_ne!(cjk, Topic::slug_of("博物館"));
    }
}
