//! The policy check on sanitised HTML: what in it breaks the allowlist. The sanitiser never
//! calls it; the property tests and the fuzz targets run it on everything the sanitiser writes.
//!
//! In: sanitised HTML (serialiser output). Out: one message per violation (`Vec<String>`).

use url::Url;

use super::policy::{link_scheme, MATH_TAGS, SVG_TAGS, TAGS};
use crate::markup;

/// What in sanitised HTML breaks the policy: elements outside the allowlist, event
/// attributes, URL attributes with a scheme other than http(s)/mailto, CSS with `url(` or
/// `expression`. Empty for everything [`clean_html`] returns; the property test and the fuzz
/// targets check that.
///
/// [`clean_html`]: crate::sanitize::clean_html
pub fn policy_violations(html: &str) -> Vec<String> {
    // What a browser would make of the URL (the URL parser drops tabs and new lines anywhere,
    // and spaces around): its scheme must be one we allow.
    let web = |u: &str| Url::parse(u).is_ok_and(|u| link_scheme(u.scheme()));
    // A `srcset` candidate: the URL before its descriptor.
    let candidate = |c: &str| web(c.split_whitespace().next().unwrap_or(""));
    let mut found = Vec::new();
    for (tag, attrs) in tags_of(html) {
        let foreign = |t: &str| {
            SVG_TAGS
                .iter()
                .chain(MATH_TAGS)
                .any(|s| s.eq_ignore_ascii_case(t))
        };
        if !TAGS.contains(&tag.as_str()) && !foreign(&tag) && tag != "title" {
            found.push(format!("element <{tag}>"));
        }
        for (name, value) in attrs {
            let v = value.to_ascii_lowercase();
            let bad = name.starts_with("on")
                || (matches!(
                    name.as_str(),
                    "href" | "xlink:href" | "src" | "poster" | "cite"
                ) && !web(&v))
                || (matches!(name.as_str(), "fill" | "stroke") && v.contains("url"))
                || (name == "srcset" && !v.split(',').all(candidate))
                || (name == "style" && (v.contains("url(") || v.contains("expression")));
            if bad {
                found.push(format!("<{tag} {name}=\"{value}\">"));
            }
        }
    }
    found
}

/// The elements of serialised HTML with their attributes, names lowercased and values decoded
/// (read with `crate::markup`, which the serialiser's double-quoted values never mislead).
pub fn tags_of(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    markup::tags(html)
        .filter(|t| !t.closing)
        .map(|t| {
            let attributes = t.attributes().map(|(name, value)| {
                let value = html_escape::decode_html_entities(value).into_owned();
                (name.to_ascii_lowercase(), value)
            });
            (t.name.to_ascii_lowercase(), attributes.collect())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use url::Url;

    use super::*;
    use crate::sanitize::clean_html;

    fn base() -> Url {
        Url::parse("https://blog.example/posts/feed.xml").unwrap()
    }

    #[test]
    fn regression_fuzz_tabs_inside_a_url_are_what_a_browser_drops() {
        // The policy check split the URL at its first tab ("http://", not a URL) and called a
        // kept link unsafe; a browser's URL parser removes tabs, reading an http URL.
        let html = "<p>a <a href=\"\t\t\t\t\thttp://\t`\t\t\t;\t\t\t\t?//o\"> </a><a>!</a></p>";
        let out = clean_html(html, Some(&base()));
        assert!(out.contains("href="), "{out}");
        assert!(policy_violations(&out).is_empty(), "{out}");
        // Tabs cannot smuggle another scheme past either check.
        let out = clean_html("<a href=\"java\tscript:alert(1)\">x</a>", Some(&base()));
        assert!(!out.contains("href"), "{out}");
        assert!(!policy_violations("<a href=\"java\tscript:alert(1)\">x</a>").is_empty());
    }

    #[test]
    fn policy_violations_are_found() {
        let v = policy_violations(
            "<p onclick=\"x\"><script></script><a href=\"javascript:x\">a</a><img srcset=\"data:x 1x\"></p>",
        );
        assert_eq!(v.len(), 4, "{v:?}");
        assert!(policy_violations("<p title=\"<script>\">x &lt;script&gt;</p>").is_empty());
        // Found by the fuzzer: odd but http URLs are http URLs.
        assert!(policy_violations("<img src=\"http:A//\">").is_empty());
        assert_eq!(
            policy_violations("<img src=\"jav&#x09;ascript:x\">").len(),
            1
        );
    }
}
