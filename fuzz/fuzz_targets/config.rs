//! feeds.toml validation on arbitrary text: never a panic; every error names the file; and what
//! passes is safe to use: names, tags and descriptions are text the XML outputs can carry, the
//! output folder is not the root, and the fetch counts and seconds are within their bounds (a
//! `per_host` of 2^61 once passed and then panicked in every `update`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = std::path::Path::new("/fuzz/feeds.toml");
    let config = match mercury::config::Config::from_str_at(text, path) {
        Ok(config) => config,
        Err(e) => {
            assert!(e.to_string().starts_with("/fuzz/feeds.toml"));
            return;
        }
    };
    let safe = |s: &str| s.chars().all(mercury::model::is_safe_text_char);
    let p = &config.planet;
    assert!(safe(&p.name));
    for s in [&p.description, &p.owner_name, &p.owner_email].into_iter().flatten() {
        assert!(safe(s), "{s:?}");
    }
    for f in &config.feeds {
        assert!(safe(&f.name) && f.tags.iter().all(|t| safe(t)), "{f:?}");
    }
    assert!(p.output_dir.parent().is_some(), "{:?}", p.output_dir);
    assert!((1..=1024).contains(&config.fetch.per_host));
    assert!((1..=1024).contains(&config.fetch.concurrency));
    assert!(config.fetch.timeout.as_secs() <= 3600);
});
