//! Languages: which BCP 47 tags (RFC 5646) are well formed, which languages the interface has
//! built-in strings for, and which chrono locale names a language's days and months.
//!
//! In: a tag as written (`fr`, `de-AT`, `pt-BR`). Out: its canonical spelling, its built-in
//! interface language if any, and a [`chrono::Locale`]. A leaf: it imports nothing of Mercury,
//! so `config` (which checks `[planet] lang`), `parse` (which checks a feed's declared language)
//! and `render` (which uses it) all read the one rule.

use std::str::FromStr;

/// The languages with built-in interface strings (`render/strings.rs` holds one column each).
pub const BUILT_IN: &[&str] = &["en", "fr", "de", "es", "nl"];

/// The longest language tag kept from a feed: real tags are short (`zh-Hant-TW`), and a feed's
/// value is untrusted.
const MAX_TAG_LEN: usize = 35;

/// `tag` in its canonical spelling (`EN-gb` → `en-GB`) when it is a well-formed BCP 47 tag,
/// else `None`.
pub fn canonical(tag: &str) -> Option<String> {
    let tag = tag.trim();
    if tag.is_empty() || tag.len() > MAX_TAG_LEN {
        return None;
    }
    let parsed = language_tags::LanguageTag::parse(tag).ok()?;
    // An ISO 639 code (2 or 3 letters): the grammar also allows 5 to 8 letters for languages
    // never registered, and private-use-only tags (`x-foo`) name no language at all.
    if !(2..=3).contains(&parsed.primary_language().len()) {
        return None;
    }
    Some(parsed.to_string())
}

/// The primary language subtag of a canonical tag, lowercase (`de-AT` → `de`).
pub fn primary(tag: &str) -> String {
    tag.split('-').next().unwrap_or("").to_ascii_lowercase()
}

/// The built-in interface language of `tag`, when Mercury has one (`fr-CA` → `fr`).
pub fn built_in(tag: &str) -> Option<&'static str> {
    let primary = primary(tag);
    BUILT_IN.iter().copied().find(|l| *l == primary)
}

/// The chrono locale that names days and months for `tag`: its own region when it has one
/// (`fr-CA` → `fr_CA`), else the language's home region (`de` → `de_DE`), else POSIX (English).
pub fn chrono_locale(tag: &str) -> chrono::Locale {
    let primary = primary(tag);
    let region = tag
        .split('-')
        .skip(1)
        .find(|s| s.len() == 2 && s.chars().all(|c| c.is_ascii_alphabetic()))
        .map(str::to_ascii_uppercase);
    let home = match primary.as_str() {
        "en" => "US".to_string(),
        "da" => "DK".to_string(),
        "sv" => "SE".to_string(),
        "nb" | "nn" => "NO".to_string(),
        "cs" => "CZ".to_string(),
        "el" => "GR".to_string(),
        "ja" => "JP".to_string(),
        "ko" => "KR".to_string(),
        "zh" => "CN".to_string(),
        "uk" => "UA".to_string(),
        other => other.to_ascii_uppercase(),
    };
    region
        .iter()
        .chain(std::iter::once(&home))
        .find_map(|r| chrono::Locale::from_str(&format!("{primary}_{r}")).ok())
        .unwrap_or(chrono::Locale::POSIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_tags() {
        for (given, want) in [
            ("en", Some("en")),
            ("fr", Some("fr")),
            ("EN-gb", Some("en-GB")),
            ("zh-Hant-TW", Some("zh-Hant-TW")),
            (" de ", Some("de")),
            ("", None),
            ("english", None),
            ("fr_FR", None),
            ("en-", None),
            ("\"><script>", None),
            ("x-private", None),
        ] {
            assert_eq!(canonical(given).as_deref(), want, "{given:?}");
        }
    }

    #[test]
    fn built_in_languages_by_primary_subtag() {
        assert_eq!(built_in("fr-CA"), Some("fr"));
        assert_eq!(built_in("nl"), Some("nl"));
        assert_eq!(built_in("it"), None);
    }

    #[test]
    fn locales_follow_region_then_home() {
        assert_eq!(chrono_locale("fr"), chrono::Locale::fr_FR);
        assert_eq!(chrono_locale("fr-CA"), chrono::Locale::fr_CA);
        assert_eq!(chrono_locale("de-AT"), chrono::Locale::de_AT);
        assert_eq!(chrono_locale("nl"), chrono::Locale::nl_NL);
        assert_eq!(chrono_locale("es"), chrono::Locale::es_ES);
        assert_eq!(chrono_locale("it"), chrono::Locale::it_IT);
        assert_eq!(chrono_locale("en"), chrono::Locale::en_US);
        assert_eq!(chrono_locale("tlh"), chrono::Locale::POSIX);
    }
}
