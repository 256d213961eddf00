//! Search types: one page of a search's results as the store finds them and the results
//! page shows them, and the markers of the highlighted terms in between.

use chrono::{DateTime, Utc};

/// Where a search result's snippet highlights a term: these private-use characters, which
/// the search index never holds (`store`'s indexing drops them), stand for `<mark>` and
/// `</mark>` until render escapes the text and swaps them.
pub const MARK_START: char = '\u{E000}';
pub const MARK_END: char = '\u{E001}';

/// One post a search found, as the results page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit {
    /// The member's name and folder under `members/`.
    pub member: String,
    pub member_slug: String,
    pub link: Option<String>,
    /// The title with the terms between [`MARK_START`] and [`MARK_END`]; empty: untitled.
    pub title: String,
    /// A piece of the text around the terms, marked the same way; empty when a filter alone
    /// was searched for.
    pub snippet: String,
    pub date: DateTime<Utc>,
    /// The post's language, as its feed declared it.
    pub lang: Option<String>,
}

/// A page of search results.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchResults {
    /// How many shown posts match in all; with `more`, how many were ranked (the newest
    /// matches), and more match.
    pub total: usize,
    /// More posts match than a search ranks: the newest `total` were.
    pub more: bool,
    /// This page's, best first (bm25, then newest, then the newest row).
    pub hits: Vec<SearchHit>,
    /// The search was stopped at its time limit: nothing is shown.
    pub timed_out: bool,
}
