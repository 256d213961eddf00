//! The HTML sanitiser on arbitrary text: never a panic; idempotent; no script, event attribute
//! or dangerous URL scheme survives in markup; and the fast path (taken for plain, well-nested
//! markup) writes exactly what the full sanitiser writes; the render's parser-free excerpt text
//! and page decoration of the output equal the parser's; the depth estimate that keeps deep posts
//! from the parser never falls short of the depth the parser builds.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(html) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = mercury::sanitize::check_depth_estimate(html) {
        panic!("{e}");
    }
    let base = url::Url::parse("https://member.example/blog/").unwrap();
    let once = mercury::sanitize::clean_html(html, Some(&base));
    let full = mercury::sanitize::clean_html_full(html, Some(&base));
    assert_eq!(once, full, "the fast path differs from the full sanitiser");
    let twice = mercury::sanitize::clean_html(&once, Some(&base));
    assert_eq!(once, twice, "not idempotent");
    let violations = mercury::sanitize::policy_violations(&once);
    assert!(violations.is_empty(), "{violations:?} in {once}");
    // What the render does with stored HTML, fast or not, is what the parser would do.
    assert_eq!(
        mercury::sanitize::decorate_for_page(&once),
        mercury::sanitize::decorate_full(&once),
        "page decoration differs"
    );
    assert_eq!(
        mercury::sanitize::text_of_sanitised(&once),
        mercury::sanitize::html_to_text(&once),
        "excerpt text differs"
    );
});
