//! The fast path against the policy and against the full sanitiser: it accepts nothing the
//! policy refuses, and what it accepts it writes byte for byte as the full sanitiser does.

use url::Url;

use super::*;

fn base() -> Url {
    Url::parse("https://blog.example/posts/feed.xml").unwrap()
}

/// Candidates the policy refuses, fed to the fast path beside everything the policy allows.
#[rustfmt::skip]
const REFUSED_TAGS: &[&str] = &[
    "script", "style", "iframe", "frame", "object", "embed", "applet", "form", "input", "button",
    "select", "textarea", "meta", "link", "base", "noscript", "title", "template",
    "foreignObject", "use", "image", "animate", "set", "annotation-xml", "x",
];

#[rustfmt::skip]
const REFUSED_ATTRIBUTES: &[&str] = &[
    "onclick", "onerror", "onload", "id", "name", "style", "width", "height", "href", "src",
    "srcset", "poster", "action", "formaction", "data", "background", "lowsrc", "xlink:href",
    "tabindex", "loading",
];

#[rustfmt::skip]
const SCHEMES: &[&str] = &[
    "http", "https", "mailto", "javascript", "vbscript", "data", "file", "ftp", "tel", "sms",
    "blob", "about", "ws", "irc", "news", "feed", "jar", "view-source", "x-y",
];

/// The fast path knows no element the policy refuses (STYLE.md, convention 15): every
/// candidate, allowed or not, in either case.
#[test]
fn fast_path_accepts_no_element_the_policy_refuses() {
    use crate::sanitize::policy::{MATH_TAGS, SVG_TAGS, TAGS};
    for name in TAGS
        .iter()
        .chain(SVG_TAGS)
        .chain(MATH_TAGS)
        .chain(REFUSED_TAGS)
    {
        for spelled in [name.to_string(), name.to_ascii_uppercase()] {
            if let Some(kept) = element(&spelled) {
                assert!(TAGS.contains(&kept), "fast path keeps <{spelled}>");
            }
        }
    }
}

/// The fast path keeps no attribute the policy refuses on the element, and what it keeps the
/// full sanitiser keeps alike.
#[test]
fn fast_path_accepts_no_attribute_the_policy_refuses() {
    use crate::sanitize::policy::{
        GENERIC_ATTRIBUTES, MATH_ATTRIBUTES, SVG_ATTRIBUTES, URL_ATTRIBUTES,
    };
    let base = base();
    let attributes = GENERIC_ATTRIBUTES.iter().chain(SVG_ATTRIBUTES);
    for attr in attributes.chain(MATH_ATTRIBUTES).chain(REFUSED_ATTRIBUTES) {
        for (tag, html) in [
            ("p", format!("<p {attr}=\"v\">x</p>")),
            ("a", format!("<a {attr}=\"https://o.example/\">x</a>")),
            ("img", format!("<img {attr}=\"https://o.example/i.png\">")),
        ] {
            let Some(fast) = clean(&html, Some(&base)) else {
                continue;
            };
            let by_element = URL_ATTRIBUTES
                .iter()
                .any(|(t, attrs)| *t == tag && attrs.contains(attr));
            assert!(
                !fast.contains(&format!(" {attr}="))
                    || GENERIC_ATTRIBUTES.contains(attr)
                    || by_element,
                "fast path keeps {attr} on <{tag}>: {fast:?}"
            );
            assert_eq!(fast, crate::sanitize::clean_html_full(&html, Some(&base)));
        }
    }
}

/// Each scheme, fed to both paths: the fast path keeps a URL only with a scheme the policy
/// allows, as the full sanitiser does, and takes the links the policy allows.
#[test]
fn fast_path_accepts_no_url_scheme_the_policy_refuses() {
    use crate::sanitize::policy::{link_scheme, URL_SCHEMES};
    let base = base();
    for scheme in SCHEMES {
        for html in [
            format!("<a href=\"{scheme}:x\">l</a>"),
            format!("<a href=\"{scheme}://host.example/x\">l</a>"),
            format!("<img src=\"{scheme}://host.example/i.png\">"),
        ] {
            let full = crate::sanitize::clean_html_full(&html, Some(&base));
            match clean(&html, Some(&base)) {
                Some(fast) => {
                    if fast.contains("href=") || fast.contains("src=") {
                        assert!(link_scheme(scheme), "fast path keeps {scheme}: in {fast:?}");
                    }
                    assert_eq!(fast, full);
                }
                None => assert!(
                    !URL_SCHEMES.contains(scheme) || html.contains("img"),
                    "{html}"
                ),
            }
        }
    }
}

/// Accepted input gives exactly the full sanitiser's output.
#[test]
fn accepted_markup_matches_the_full_sanitiser() {
    let base = base();
    for html in [
        "<p>Hello <em>world</em> &amp; friends</p>",
        "  <p>Trimmed</p>\n",
        "<p><a href=\"/x?a=1&amp;b=2\" title='T &quot;q&quot;'>rel</a> <a href=\"https://o.example/\">abs</a></p>",
        "<ul>\n<li>one</li>\n<li><p>two</p><ol><li>three</li></ol></li>\n</ul>",
        "<h2 class=\"x\" lang=\"fr\" dir=\"rtl\">Titre</h2><hr><hr/><br/><img src=\"a.png\" alt=\"A\">",
        "<pre><code>fn main() {\n    x &lt; y &gt; z\n}</code></pre>",
        "<blockquote><div><p>q&nbsp;r\u{a0}s “t” &hellip;&#8230;&#x2026;&#39;</p></div></blockquote>",
        "<p>open <b>bold <i>both",
        "<P>Upper <STRONG>case</STRONG></P>",
        "a & b &, c &; d",
        "<a href=\"mailto:x@y.example\">mail</a>",
        "<p>quote \" and ' and > in text</p>",
        "<img src='//cdn.example/i.png'>",
        "éàü 日本語 \u{202e}",
    ] {
        let fast = clean(html, Some(&base)).unwrap_or_else(|| panic!("refused {html:?}"));
        let full = crate::sanitize::clean_html_full(html, Some(&base));
        assert_eq!(fast, full, "for {html:?}");
    }
}

/// The pieces generated fragments are made of: the fast path's own markup, and pieces just
/// outside it.
#[rustfmt::skip]
const GENERATED_PIECES: &[&str] = &[
    "<p>", "</p>", "<em>", "</em>", "<strong>", "</strong>", "<code>", "</code>", "<ul>", "</ul>",
    "<ol>", "</ol>", "<li>", "</li>", "<blockquote>", "</blockquote>", "<div>", "</div>", "<pre>",
    "</pre>", "<h2>", "</h2>", "<a href=\"/rel?a=1&amp;b\">", "<a href='https://x.example/p'>",
    "<a href=\"mailto:m@x.example\" title=\"t\">", "</a>", "<br>", "<hr/>",
    "<img src=\"i.png\" alt=\"&lt;alt&gt;\">", "<span class=\"c\">", "</span>", "word ", "\n",
    "  ", "&amp;", "&lt;", "&gt;", "&nbsp;", "&#233;", "&#x1F600;", "&quot;", "\"", "'", ">", "& ",
    "é", "\u{a0}", "<b>", "</b>", "<i>", "</i>",
    // Just outside the fast path.
    "<", "<table>", "<td>", "&copy", "&foo;", "<p style=\"color:red\">", "\r",
    "<img src=\"x.gif\" width=\"1\" height=\"1\">", "<!-- c -->", "<P>", "</P >",
];

/// Property: on thousands of generated fragments built from the fast path's own markup
/// (and pieces just outside it), whatever the fast path accepts is byte-identical to the
/// full sanitiser's output, and it accepts a good share of them.
#[test]
fn generated_markup_matches_the_full_sanitiser() {
    let base = base();
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut accepted = 0;
    let mut decorations = 0;
    const RUNS: usize = 6000;
    for run in 0..RUNS {
        let input = if run % 2 == 0 {
            let len = 1 + next() % 16;
            (0..len)
                .map(|_| GENERATED_PIECES[(next() % GENERATED_PIECES.len() as u64) as usize])
                .collect()
        } else {
            let mut html = String::new();
            tree(&mut html, &mut next, 0, (false, false), GENERATED_PIECES);
            html
        };
        if let Some(fast) = clean(&input, Some(&base)) {
            accepted += 1;
            let full = crate::sanitize::clean_html_full(&input, Some(&base));
            assert_eq!(fast, full, "for {input:?}");
            assert_eq!(
                crate::sanitize::text_of_sanitised(&fast),
                crate::sanitize::html_to_text(&fast),
                "text of {fast:?}"
            );
            if let Some(decorated) = crate::sanitize::decorate::fast_path(&fast) {
                decorations += 1;
                let full = crate::sanitize::decorate_full(&fast);
                assert_eq!(decorated, full, "decorating {fast:?}");
            }
        }
    }
    assert!(accepted > RUNS / 4, "only {accepted} of {RUNS} accepted");
    assert!(decorations > accepted / 2, "only {decorations} decorated");
}

/// A random well-nested fragment: blocks where blocks may go, phrasing inside phrasing
/// (`inside.0`), no link in a link (`inside.1`), list items in lists; now and then an end
/// tag left out or a piece from `odd` added.
fn tree(
    html: &mut String,
    next: &mut impl FnMut() -> u64,
    depth: usize,
    inside: (bool, bool),
    odd: &[&str],
) {
    let (phrasing, in_link) = inside;
    const TEXT: &[&str] = &[
        "Some words",
        " &amp; more",
        "&#8212;",
        "é\u{a0}x",
        " \"q\" ",
        "\n",
    ];
    const ATTRS: &[&str] = &[
        "",
        "",
        " class=\"k\"",
        " title='a &quot;b&quot;'",
        " lang=\"fr\"",
    ];
    for _ in 0..1 + next() % 3 {
        let pick = next();
        if pick.is_multiple_of(97) {
            html.push_str(odd[(next() % odd.len() as u64) as usize]);
        }
        if depth > 3 || pick.is_multiple_of(3) {
            html.push_str(TEXT[(next() % TEXT.len() as u64) as usize]);
            continue;
        }
        let choices: &[&str] = if phrasing {
            &["em", "strong", "code", "a", "span", "b", "i", "br", "img"]
        } else {
            &[
                "p",
                "div",
                "blockquote",
                "ul",
                "ol",
                "pre",
                "h3",
                "hr",
                "em",
                "a",
            ]
        };
        let name = match choices[(next() % choices.len() as u64) as usize] {
            "a" if in_link => "span",
            other => other,
        };
        let attrs = ATTRS[(next() % ATTRS.len() as u64) as usize];
        match name {
            "br" | "hr" => html.push_str(&format!("<{name}{attrs}>")),
            "img" => html.push_str(&format!(
                "<img src=\"p{}.png\" alt=\"x\"{attrs}>",
                next() % 9
            )),
            "ul" | "ol" => {
                html.push_str(&format!("<{name}{attrs}>"));
                for _ in 0..1 + next() % 3 {
                    html.push_str("<li>");
                    tree(html, next, depth + 2, (false, in_link), odd);
                    html.push_str("</li>");
                }
                html.push_str(&format!("</{name}>"));
            }
            _ => {
                let href = if name == "a" { " href=\"../up/x\"" } else { "" };
                html.push_str(&format!("<{name}{href}{attrs}>"));
                let inner_phrasing = phrasing || !["div", "blockquote"].contains(&name);
                let inner = (inner_phrasing, in_link || name == "a");
                tree(html, next, depth + 1, inner, odd);
                if !next().is_multiple_of(97) {
                    html.push_str(&format!("</{name}>"));
                }
            }
        }
    }
}

/// Input the fast path must leave to the full sanitiser.
#[test]
fn everything_else_goes_to_the_full_sanitiser() {
    let base = base();
    for html in [
        "<script>alert(1)</script>",
        "<p onclick=\"x\">a</p>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<a href=\"&#106;avascript:alert(1)\">x</a>",
        "<img src=x>",
        "<img src=\"p.gif\" width=\"1\" height=\"1\">",
        "<p style=\"color:red\">x</p>",
        "<p>a<div>b</div></p>",
        "<em><p>x</p></em>",
        "<a href=\"/a\">x<a href=\"/b\">y</a></a>",
        "<li>loose</li>",
        "<p>a</b>",
        "</p>",
        "<p>a<!-- c --></p>",
        "a < b",
        "AT&T",
        "&copy2024",
        "&unknown;",
        "&#128;",
        "&#0;",
        "&#xD800;",
        "line\r\nbreak",
        "nul\0",
        "bell\u{7}",
        "c1\u{85}",
        "\u{fffe}",
        "<pre>\nfirst</pre>",
        "<p/>",
        "<p class=x>",
        "<p class=\"a\" class=\"b\">",
        "<p title=\"a<b\">",
        "<p title=\"unclosed>",
        "<table><tr><td>x</td></tr></table>",
        &"<div>".repeat(100),
    ] {
        assert_eq!(clean(html, Some(&base)), None, "accepted {html:?}");
    }
    // Without a base, a relative URL cannot be resolved.
    assert_eq!(clean("<a href=\"/x\">x</a>", None), None);
}

/// Found by the `sanitize` fuzz target (session 11): the parser drops a byte order mark after
/// leading white space too, where the fast path kept it.
#[test]
fn regression_fuzz_a_byte_order_mark_after_white_space_is_the_parsers() {
    let base = base();
    for html in [" \u{feff}=id", "\n\u{feff}<p>x</p>", "<p>a\u{feff}b</p>"] {
        assert_eq!(
            crate::sanitize::clean_html(html, Some(&base)),
            crate::sanitize::clean_html_full(html, Some(&base)),
            "{html:?}"
        );
        assert_eq!(clean(html, Some(&base)), None, "{html:?}");
    }
}
