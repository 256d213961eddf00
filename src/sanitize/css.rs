//! The filter for inline `style` attributes: a list of harmless properties and a plain grammar,
//! so no `url(…)`, `expression()`, escape or comment survives.
//!
//! In: the text of a `style` attribute. Out: the declarations kept (`String`, empty for none).

/// CSS properties kept in `style` attributes: text and colour presentation, no positioning.
const CSS_PROPERTIES: &[&str] = &[
    "azimuth",
    "background-color",
    "border-bottom-color",
    "border-collapse",
    "border-color",
    "border-left-color",
    "border-right-color",
    "border-top-color",
    "clear",
    "color",
    "cursor",
    "direction",
    "display",
    "elevation",
    "float",
    "font",
    "font-family",
    "font-size",
    "font-style",
    "font-variant",
    "font-weight",
    "height",
    "letter-spacing",
    "line-height",
    "overflow",
    "pause",
    "pause-after",
    "pause-before",
    "pitch",
    "pitch-range",
    "richness",
    "speak",
    "speak-header",
    "speak-numeral",
    "speak-punctuation",
    "speech-rate",
    "stress",
    "text-align",
    "text-decoration",
    "text-indent",
    "unicode-bidi",
    "vertical-align",
    "voice-family",
    "volume",
    "white-space",
    "width",
];

/// Keywords allowed in the shorthand families (background, border, margin, padding).
const CSS_KEYWORDS: &[&str] = &[
    "aqua",
    "auto",
    "black",
    "block",
    "blue",
    "bold",
    "both",
    "bottom",
    "brown",
    "center",
    "collapse",
    "dashed",
    "dotted",
    "fuchsia",
    "gray",
    "green",
    "!important",
    "italic",
    "left",
    "lime",
    "maroon",
    "medium",
    "none",
    "navy",
    "normal",
    "nowrap",
    "olive",
    "pointer",
    "purple",
    "red",
    "right",
    "silver",
    "solid",
    "teal",
    "top",
    "transparent",
    "underline",
    "white",
    "yellow",
];

/// Keeps only harmless declarations of an inline style: listed properties, and the box
/// shorthands when every word is a plain keyword, colour or length. Any `url(...)` is removed
/// first; a style with characters outside a plain grammar (quotes around non-words, parentheses
/// around anything but numbers, backslashes, comments) is dropped whole, which also stops
/// `expression()` and escapes.
pub fn clean_style(style: &str) -> String {
    let without_urls = remove_css_urls(style);
    if !plain_css(&without_urls) {
        return String::new();
    }
    let mut clean = Vec::new();
    for decl in without_urls.split(';') {
        let Some((prop, value)) = decl.split_once(':') else {
            if decl.trim().is_empty() {
                continue;
            }
            return String::new();
        };
        let prop = prop.trim();
        let value = value.trim();
        if value.is_empty()
            || value.contains(':')
            || !prop
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            continue;
        }
        let lower = prop.to_ascii_lowercase();
        let family = lower.split('-').next().unwrap_or("");
        // `overflow` only when it clips: `visible` lets a drawing paint (and take clicks) far
        // outside the post's box, over the page's header and other members' posts.
        let clips = |v: &str| {
            v.split_whitespace().all(|w| {
                ["hidden", "clip", "auto", "scroll"].contains(&w.to_ascii_lowercase().as_str())
            })
        };
        let ok = (CSS_PROPERTIES.contains(&lower.as_str())
            && (lower != "overflow" || clips(value)))
            || (matches!(family, "background" | "border" | "margin" | "padding")
                && value
                    .split_whitespace()
                    .all(|w| CSS_KEYWORDS.contains(&w) || css_value(w)));
        if ok {
            clean.push(format!("{prop}: {value};"));
        }
    }
    clean.join(" ")
}

fn remove_css_urls(style: &str) -> String {
    let lower = style.to_ascii_lowercase();
    let mut out = String::with_capacity(style.len());
    let mut i = 0;
    while let Some(pos) = lower[i..].find("url") {
        let start = i + pos;
        let after = start + 3;
        let paren = lower[after..]
            .find(|c: char| !c.is_whitespace())
            .filter(|&k| lower[after + k..].starts_with('('));
        match (paren, lower[after..].find(')')) {
            (Some(_), Some(close)) => {
                out.push_str(&style[i..start]);
                out.push(' ');
                i = after + close + 1;
            }
            _ => {
                out.push_str(&style[i..after]);
                i = after;
            }
        }
    }
    out.push_str(&style[i..]);
    out
}

/// The character gauntlet: letters, digits, `:,;#%.!` and space, `word-word`, quoted words and
/// parenthesised number lists only.
fn plain_css(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_alphanumeric() || b":,;#%. \t\n\r!-_".contains(&c) {
            i += 1;
        } else if c == b'\'' || c == b'"' {
            let Some(end) = b[i + 1..].iter().position(|&x| x == c) else {
                return false;
            };
            let inner = &b[i + 1..i + 1 + end];
            if !inner
                .iter()
                .all(|x| x.is_ascii_alphanumeric() || *x == b' ' || *x == b'_' || *x == b'-')
            {
                return false;
            }
            i += end + 2;
        } else if c == b'(' {
            let Some(end) = b[i + 1..].iter().position(|&x| x == b')') else {
                return false;
            };
            let inner = &b[i + 1..i + 1 + end];
            if !inner
                .iter()
                .all(|x| x.is_ascii_digit() || *x == b',' || *x == b' ' || *x == b'%' || *x == b'.')
            {
                return false;
            }
            i += end + 2;
        } else {
            return false;
        }
    }
    true
}

/// A colour (`#fff`, `rgb(1,2,3)`, possibly split at its commas) or a short length (`1.5em`,
/// `10px`, `50%`): at most two digits each side of the point, so `99999em` is refused.
fn css_value(w: &str) -> bool {
    if let Some(hex) = w.strip_prefix('#') {
        return !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit());
    }
    if let Some(args) = w.strip_prefix("rgb(") {
        return args
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '%' | ',' | ')'));
    }
    let number_len = w
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(w.len());
    let (number, unit) = w.split_at(number_len);
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    int.len() <= 2
        && frac.len() <= 2
        && !frac.contains('.')
        && matches!(
            unit,
            "" | "cm" | "em" | "ex" | "in" | "mm" | "pc" | "pt" | "px" | "%" | "," | ")"
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sanitize::clean_html;

    #[test]
    fn inline_css_keeps_only_harmless_declarations() {
        let cases = [
            (
                "color: red; font-weight: bold",
                "color: red; font-weight: bold;",
            ),
            ("background: url(http://x/y.png) #fff", "background: #fff;"),
            (
                "margin: 0 auto; padding: 1em",
                "margin: 0 auto; padding: 1em;",
            ),
            ("position: absolute; top: 0", ""),
            ("width: expression(alert(1))", ""),
            ("color: red; background-image: url(javascript:alert(1))", ""),
            (
                "font-family: 'Times New Roman'",
                "font-family: 'Times New Roman';",
            ),
            ("color: \\72 ed", ""),
            ("border: 1px solid javascript", ""),
            (
                "border: 1px solid rgb(0, 0, 0)",
                "border: 1px solid rgb(0, 0, 0);",
            ),
            ("margin: 99999em", ""),
        ];
        for (style, want) in cases {
            assert_eq!(clean_style(style), want, "{style}");
        }
        let html = clean_html(
            "<span style=\"color: blue; position: fixed\">x</span>",
            None,
        );
        assert_eq!(html, "<span style=\"color: blue;\">x</span>");
    }
}
