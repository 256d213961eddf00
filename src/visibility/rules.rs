//! A post's own reasons to be hidden, which depend on no other post: the planet's and its
//! member's topic filters, a moderator's decision, and joining late. The text a regex reads
//! is bounded, so no post, however long, makes a render slow.
//!
//! In: the [`Config`], the [`Moderation`] file, one [`EntryView`]. Out: its [`Hidden`] reasons.

use std::collections::HashMap;

use crate::config::moderation::{Decision, Moderation};
use crate::config::{Config, FilterKind, FilterRule};
use crate::model::EntryView;

use super::Hidden;

/// The most of a post's body (HTML, before its text is taken) that `require` and `ignore`
/// read, after its title: a 1 MB post costs what a 64 KiB one does. Topic words sit near the
/// start of a post; the regex crate's matching is linear in this text, whatever the pattern.
pub const MATCHED_BODY_BYTES: usize = 64 * 1024;

/// The rules of one planet, compiled once per render.
pub struct Rules<'a> {
    config: &'a Config,
    planet: &'a [FilterRule],
    /// Each member's own filters, by configured feed URL.
    per_feed: HashMap<&'a str, &'a [FilterRule]>,
    /// Each member's home page host (configured), by configured feed URL.
    pub(super) homes: HashMap<&'a str, String>,
    /// The moderator's decisions by (feed, key): the first for a post counts, as in
    /// [`Moderation::decision`]. Every post a render reads is looked up.
    decisions: HashMap<(&'a str, &'a str), &'a Decision>,
    pub(super) collapse_duplicates: bool,
}

impl<'a> Rules<'a> {
    pub fn new(config: &'a Config, moderation: &'a Moderation) -> Self {
        Rules {
            config,
            planet: &config.planet.filters,
            per_feed: config
                .feeds
                .iter()
                .map(|f| (f.url.as_str(), f.filters.as_slice()))
                .collect(),
            homes: config
                .feeds
                .iter()
                .filter_map(|f| {
                    let host = f.homepage.as_ref()?.to_url().host_str()?.to_lowercase();
                    Some((f.url.as_str(), host))
                })
                .collect(),
            decisions: moderation
                .decisions
                .iter()
                .rev()
                .map(|d| ((d.feed.as_str(), d.key.as_str()), d))
                .collect(),
            collapse_duplicates: config.planet.collapse_duplicates,
        }
    }

    /// Every filter rule of the planet, planet-wide first, then each member's in config order.
    pub fn all_filters(&self) -> impl Iterator<Item = &'a FilterRule> + '_ {
        let feeds = self.config.feeds.iter().flat_map(|f| f.filters.iter());
        self.planet.iter().chain(feeds)
    }

    /// Whether any rule reads a post's body (`require`, `ignore`): without one, the posts are
    /// decided from their titles, categories and keys, and read without their bodies.
    pub fn read_bodies(&self) -> bool {
        self.all_filters()
            .any(|r| matches!(r.kind, FilterKind::Require(_) | FilterKind::Ignore(_)))
    }

    /// The filters that apply to the member configured as `config_url`.
    fn filters_of(&self, config_url: &str) -> impl Iterator<Item = &'a FilterRule> + '_ {
        let own = self.per_feed.get(config_url).copied().unwrap_or(&[]);
        self.planet.iter().chain(own.iter())
    }

    /// `e`'s own reasons to be hidden, in the order filters, moderator, joined late.
    pub fn own_reasons(&self, e: &EntryView, joined_late: bool) -> Vec<Hidden> {
        let mut hidden = Vec::new();
        let mut text: Option<String> = None;
        for rule in self.filters_of(&e.member.config_url) {
            if hides(rule, e, &mut text) {
                hidden.push(Hidden::Filter {
                    rule: rule.written.clone(),
                    location: rule.location.clone(),
                });
            }
        }
        if let Some(d) = self.decisions.get(&(e.feed_url.as_str(), e.key.as_str())) {
            hidden.push(Hidden::Moderator {
                reason: d.reason.clone(),
            });
        }
        // Marked by the store when the post left its feed while an older one stayed.
        if e.withdrawn {
            hidden.push(Hidden::Withdrawn);
        }
        if joined_late {
            hidden.push(Hidden::JoinedLate);
        }
        hidden
    }

    /// Whether `rule` alone hides `e` (for `check`'s counts).
    pub fn rule_hides(&self, rule: &FilterRule, e: &EntryView) -> bool {
        hides(rule, e, &mut None)
    }

    /// Whether `rule` applies to the member configured as `config_url`.
    pub fn applies(&self, rule: &FilterRule, config_url: &str) -> bool {
        self.filters_of(config_url).any(|r| std::ptr::eq(r, rule))
    }
}

/// Whether `rule` hides `e`; `text` caches the matched text across a post's rules.
fn hides(rule: &FilterRule, e: &EntryView, text: &mut Option<String>) -> bool {
    match &rule.kind {
        FilterKind::Categories(wanted) => !e
            .categories
            .iter()
            .any(|c| wanted.contains(&c.trim().to_lowercase())),
        FilterKind::Require(re) => !re.is_match(text.get_or_insert_with(|| matched_text(e))),
        FilterKind::Ignore(re) => re.is_match(text.get_or_insert_with(|| matched_text(e))),
    }
}

/// What `require` and `ignore` read: the title, a line break, then the text of the first
/// [`MATCHED_BODY_BYTES`] of the body (content, else summary).
pub(super) fn matched_text(e: &EntryView) -> String {
    let body = e.content.as_deref().or(e.summary.as_deref()).unwrap_or("");
    let body = &body[..floor_char_boundary(body, MATCHED_BODY_BYTES)];
    let mut text = e.title.clone().unwrap_or_default();
    text.push('\n');
    text.push_str(&crate::sanitize::text_of_sanitised(body));
    text
}

/// The largest index ≤ `at` that starts a character of `s`.
pub(super) fn floor_char_boundary(s: &str, at: usize) -> usize {
    if at >= s.len() {
        return s.len();
    }
    let mut i = at;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_megabyte_post_is_matched_on_its_first_64_kib() {
        let mut e = crate::visibility::select::tests::entry("https://a.example/feed", "k", 1);
        let big = format!("<p>{}</p>", "é".repeat(600_000));
        assert!(big.len() > 1_000_000);
        e.content = Some(big);
        e.title = Some("Title".into());
        let text = matched_text(&e);
        // Title, a line break, and at most the bounded body (text is never longer than its HTML).
        assert!(
            text.len() <= "Title\n".len() + MATCHED_BODY_BYTES,
            "{}",
            text.len()
        );
        assert!(text.starts_with("Title\n"));
    }

    #[test]
    fn a_pathological_pattern_is_refused_by_its_size_limit() {
        // Nested counted repetition: exponential for a backtracking engine, and too big for
        // the compiled-size bound here, so it is a config error rather than a slow render.
        let err = crate::config::filters::compile("((a{100}){100}){100}").unwrap_err();
        assert!(err.to_string().contains("size limit"), "{err}");
        // The classic catastrophic-backtracking pattern compiles and runs in linear time.
        let re = crate::config::filters::compile("(a+)+$").unwrap();
        assert!(!re.is_match(&format!("{}!", "a".repeat(MATCHED_BODY_BYTES))));
    }

    #[test]
    fn char_boundaries_are_respected() {
        let s = "aé";
        assert_eq!(floor_char_boundary(s, 2), 1);
        assert_eq!(floor_char_boundary(s, 3), 3);
        assert_eq!(floor_char_boundary(s, 99), 3);
    }
}
