//! feeds.toml validation on arbitrary text: never a panic; every error names the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = std::path::Path::new("/fuzz/feeds.toml");
    if let Err(e) = mercury::config::Config::from_str_at(text, path) {
        assert!(e.to_string().starts_with("/fuzz/feeds.toml"));
    }
});
