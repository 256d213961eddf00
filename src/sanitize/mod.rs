//! Makes untrusted feed text safe: an HTML allowlist (ammonia) for content, plain text for titles.
//!
//! In: strings from a member's feed and the base URL for relative links. Out: sanitised HTML or
//! plain text, safe to store and to show. This runs once, at ingest; render only escapes (and
//! decorates stored posts for the page with [`decorate_for_page`]).
//!
//! This file is the public API and the map; each job has its own file:
//!
//! ```text
//! clean_html ─► fast        the fast path: one linear pass for plain, well-nested posts
//!           └─► clean       otherwise ammonia, built from policy, in rounds until settled,
//!                 ├ passes    with the pre- and post-passes html5ever leaves to us
//!                 ├ depth     and the guard that shows over-deep markup as text
//!                 ├ urls      relative links made absolute; web schemes only
//!                 └ css       inline styles filtered
//! policy      the one allowlist (elements, attributes, schemes, rel) every path above reads
//! decorate    the page-only attributes on stored posts (fast path, or ammonia)
//! text        plain text out of markup, text as HTML, control characters
//! check       the policy check the property tests and fuzz targets run on the output
//! ```
//!
//! Tags are read with the crate's tolerant tag reader (`crate::markup`) wherever a pass needs
//! names and attributes; the fast path and the depth model keep their own exact tokenizers.

mod check;
mod clean;
mod css;
mod decorate;
mod depth;
mod fast;
mod passes;
mod policy;
mod text;
mod urls;

pub use check::{policy_violations, tags_of};

/// The version of the sanitising rules (this folder's policy and passes). Bump it with any
/// change to what sanitising makes of a body: it is part of every raw-entry fingerprint
/// (`parse::raw`), so every stored post is sanitised again once under the new rules.
pub const POLICY_VERSION: u32 = 1;
pub use clean::{clean_html, clean_html_full};
pub use css::clean_style;
pub use decorate::{decorate_for_page, decorate_full};
pub use depth::MAX_DEPTH;
pub use text::{
    excerpt, html_to_text, loads_http_image, looks_like_html, plain_text, short_excerpt,
    strip_controls, text_of_sanitised, text_prefix_of_sanitised, text_to_html, words_fingerprint,
    SHORT_EXCERPT_CHARS,
};

/// Checks the depth estimate that guards the HTML parser against the parser itself (for the
/// `sanitize` fuzz target): `Err` says by how much the estimate fell short.
#[doc(hidden)]
pub fn check_depth_estimate(html: &str) -> Result<(), String> {
    depth::check_against_parser(html)
}
