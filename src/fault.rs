//! Fault injection for the end-to-end tests, compiled into debug builds only.
//!
//! `MERCURY_FAULT="parse:/a.xml,store:Some title"` makes the named stage panic on the matching
//! feed, so a test can prove with the real binary that a panic in one feed's processing stays
//! with that feed. Stages and what their text is matched against: `fetch` (the feed URL),
//! `parse` (the document's base URL), `pack` (the same, on the parse thread after parsing) and
//! `store` (the parsed feed's title, in the middle of its write transaction). `slow-entry:TEXT`
//! (matched against the document's base URL) makes normalising each entry of the matching
//! feeds take 100 ms, for the parse time budget. Release builds compile both to nothing.

/// Panics if `MERCURY_FAULT` names `stage` with a text that `key` contains (debug builds only).
#[cfg(debug_assertions)]
pub fn point(stage: &str, key: &str) {
    if named(stage, key) {
        panic!("injected fault: {stage} of {key}");
    }
}

/// Sleeps 100 ms if `MERCURY_FAULT` names `stage` with a text that `key` contains (debug
/// builds only).
#[cfg(debug_assertions)]
pub fn slow(stage: &str, key: &str) {
    if named(stage, key) {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

#[cfg(debug_assertions)]
fn named(stage: &str, key: &str) -> bool {
    let Ok(spec) = std::env::var("MERCURY_FAULT") else {
        return false;
    };
    spec.split(',').any(|rule| {
        rule.split_once(':')
            .is_some_and(|(s, text)| s == stage && !text.is_empty() && key.contains(text))
    })
}

/// Release builds: no fault injection.
#[cfg(not(debug_assertions))]
#[inline(always)]
pub fn point(_stage: &str, _key: &str) {}

/// Release builds: no fault injection.
#[cfg(not(debug_assertions))]
#[inline(always)]
pub fn slow(_stage: &str, _key: &str) {}
