//! Makes untrusted feed text safe: an HTML allowlist (ammonia) for content, plain text for titles.
//!
//! In: strings from a member's feed and the base URL for relative links. Out: sanitised HTML or
//! plain text, safe to store and to show. This runs once, at ingest; render only escapes.

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
pub use clean::{clean_html, clean_html_full};
pub use css::clean_style;
pub use decorate::{decorate_for_page, decorate_full};
pub use depth::MAX_DEPTH;
pub use text::{
    html_to_text, looks_like_html, plain_text, strip_controls, text_of_sanitised, text_to_html,
};

/// Checks the depth estimate that guards the HTML parser against the parser itself (for the
/// `sanitize` fuzz target): `Err` says by how much the estimate fell short.
#[doc(hidden)]
pub fn check_depth_estimate(html: &str) -> Result<(), String> {
    depth::check_against_parser(html)
}
