//! The landscape's types: one member's page (`members/<slug>/`) as render draws it, each
//! stored post with why it is hidden, the feed-quality hints, and the member's slug and name sort key.
//! Plain data and pure functions, no I/O.

use chrono::{DateTime, Utc};

use super::FetchRecord;

/// Weeks in a member's activity strip.
pub const ACTIVITY_WEEKS: usize = 52;
/// "Posts lately" counts this many days back.
pub const RECENT_DAYS: i64 = 90;
/// Stored posts listed on a member's page, newest first.
pub const STORED_POSTS_SHOWN: usize = 100;
/// Fetches listed on a member's page.
pub const FETCHES_SHOWN: usize = 10;

/// Everything a member's page and their line on `members/index.html` show beyond the
/// [`FeedView`](super::FeedView) (matched by index: `Site::feeds[i]` is `Site::members[i]`).
#[derive(Debug, Clone, Default)]
pub struct MemberPage {
    /// Their folder under `members/` (see [`slug_base`]).
    pub slug: String,
    /// Posts per week, oldest first, the last being the week that ends at `now`.
    pub weeks: Vec<u32>,
    /// Posts dated in the last [`RECENT_DAYS`] days.
    pub recent: u32,
    /// The newest stored post: its title (if any), link and date.
    pub last_post: Option<(Option<String>, Option<String>, DateTime<Utc>)>,
    /// Newest first, at most [`STORED_POSTS_SHOWN`], each with every reason it is not shown
    /// as `visibility` gives them (none: shown).
    pub posts: Vec<(StoredPost, Vec<Message>)>,
    /// The last fetches, newest first.
    pub history: Vec<FetchRecord>,
    /// What the member could improve in their feed, each with what to do.
    pub hints: Vec<Hint>,
}

/// A stored post as its member's page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPost {
    pub key: String,
    pub link: Option<String>,
    pub title: Option<String>,
    pub date: DateTime<Utc>,
    /// Kept but never shown: it came with the member's first fetch (`new_feed_items`).
    pub joined_late: bool,
    /// The feed gave it no date: `date` is when the planet first saw it.
    pub undated: bool,
    /// It has a summary and no full content.
    pub summary_only: bool,
    /// Its body loads an image over plain `http:`.
    pub http_images: bool,
}

/// A feed-quality hint: what was seen, and what the member can do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    /// A short stable name (`undated`, `future-dates`, …) for tests and `status.json`.
    pub kind: &'static str,
    pub seen: Message,
    pub todo: Message,
}

/// Words for a page, in the planet's language: the key of an interface string
/// (`render::strings`) and the values of its `{placeholders}`. Render fills it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub key: &'static str,
    pub values: Vec<(&'static str, String)>,
}

impl Message {
    /// A message with no placeholders.
    pub fn plain(key: &'static str) -> Message {
        Message {
            key,
            values: Vec::new(),
        }
    }

    /// A message with placeholder values.
    pub fn with(key: &'static str, values: &[(&'static str, String)]) -> Message {
        Message {
            key,
            values: values.to_vec(),
        }
    }
}

/// The ASCII folder name a member's name gives: letters with their accents removed (é → e),
/// lowercased, other runs of characters as one dash; `member` when nothing is left. Unique
/// slugs are made by the store, which adds `-2`, `-3` … and keeps a slug with its feed's row.
pub fn slug_base(name: &str) -> String {
    let mut slug = String::new();
    for c in fold(name).chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    // A folder name of reasonable length on every file system.
    let mut slug: String = slug.chars().take(60).collect();
    while slug.ends_with('-') {
        slug.pop();
    }
    if slug.is_empty() {
        "member".to_string()
    } else {
        slug
    }
}

/// The order of the members list: by name, case and accents aside (Émile between Emil and
/// Emma), then the name as written, so equal names keep a fixed order.
pub fn name_sort_key(name: &str) -> (String, String) {
    (fold(name).to_lowercase(), name.to_string())
}

/// `s` decomposed (NFD) without its combining marks: `Métadonnées` → `Metadonnees`.
fn fold(s: &str) -> String {
    let nfd = icu_normalizer::DecomposingNormalizerBorrowed::new_nfd().normalize(s);
    nfd.chars()
        .filter(|c| !matches!(c, '\u{300}'..='\u{36f}' | '\u{1ab0}'..='\u{1aff}' | '\u{1dc0}'..='\u{1dff}' | '\u{20d0}'..='\u{20ff}' | '\u{fe20}'..='\u{fe2f}'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_plain_ascii_folder_names() {
        assert_eq!(slug_base("Ada Lovelace-Smith"), "ada-lovelace-smith");
        assert_eq!(slug_base("  Zoë Ñúñez! "), "zoe-nunez");
        assert_eq!(slug_base("../../etc"), "etc");
        assert_eq!(slug_base("図書館"), "member");
        assert!(slug_base(&"a".repeat(500)).len() <= 60);
    }

    #[test]
    fn names_sort_without_regard_to_case_or_accents() {
        let mut names = vec!["emma", "Émile", "Emil", "zed", "Ángel", "bob"];
        names.sort_by_key(|n| name_sort_key(n));
        assert_eq!(names, ["Ángel", "bob", "Emil", "Émile", "emma", "zed"]);
    }
}
