//! The passes around ammonia: what html5ever does not do, or does in a way that would make
//! sanitising change its own output. Before the allowlist: declarations left open, tracking
//! pixels. After it: the newline after `<pre>`, namespace declarations of drawings and formulas.
//!
//! In and out: HTML text (`&str` or `String`); each pass returns its input untouched (borrowed
//! where it can) when there is nothing to do.

use std::borrow::Cow;

use crate::markup;

/// Markup declarations a post opens and never closes are read as the member most likely meant
/// them, instead of hiding the rest of the post as a browser would:
/// - a comment with no `-->` ends at the first `>` (`sa<!-- -- x >fe` reads "safe"), unless
///   a tag comes first;
/// - `<!DOCTYPE ~` or another declaration with no `>` before the next `<` is text;
/// - `<![CDATA[` in HTML (a feed that wrapped its CDATA twice) is text: HTML has no CDATA
///   outside drawings, and a browser would hide everything up to the next `>`.
///
/// This only turns markup into text or ends a comment sooner: the allowlist still runs on the
/// result, so it can never let anything through.
pub(super) fn unclosed_declarations(html: &str) -> Cow<'_, str> {
    if !html.contains("<!") {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len() + 16);
    let mut copied = 0;
    let mut from = 0;
    while let Some(at) = html[from..].find("<!").map(|p| p + from) {
        let rest = &html[at..];
        // The construct's text up to its first `>`, if no other tag starts before it.
        let first_gt = rest[2..]
            .find(['>', '<'])
            .map(|p| p + 2)
            .filter(|&p| rest.as_bytes()[p] == b'>');
        if rest.starts_with("<![CDATA[") {
            out.push_str(&html[copied..at]);
            out.push_str("&lt;");
            copied = at + 1;
            from = at + 1;
        } else if rest.starts_with("<!--") {
            match (rest.find("-->"), first_gt) {
                (Some(end), _) => from = at + end + 3,
                (None, Some(gt)) if gt >= 4 => {
                    out.push_str(&html[copied..at + gt]);
                    out.push_str("--");
                    copied = at + gt;
                    from = at + gt;
                }
                _ => from = at + 4,
            }
        } else if first_gt.is_none() {
            out.push_str(&html[copied..at]);
            out.push_str("&lt;");
            copied = at + 1;
            from = at + 1;
        } else {
            from = at + 2;
        }
    }
    if copied == 0 {
        return Cow::Borrowed(html);
    }
    out.push_str(&html[copied..]);
    Cow::Owned(out)
}

/// Removes 1×1 (or 0×0) images, the tracking pixels of newsletters and analytics: they show
/// nothing and tell a third party who read the planet. This runs on the input, before the
/// allowlist: a tag it misreads is still sanitised afterwards, so it can only fail to remove a
/// pixel, never let anything through. Tags are read as the tokenizer reads them
/// (`crate::markup`): a `>` inside a quoted `alt` does not end the `<img>`.
pub(super) fn drop_tracking_pixels(html: &str) -> Cow<'_, str> {
    if !html
        .as_bytes()
        .windows(4)
        .any(|w| w.eq_ignore_ascii_case(b"<img"))
    {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut copied = 0;
    for tag in markup::tags(html).filter(|t| !t.closing && t.is("img")) {
        let tiny = |name: &str| {
            tag.attribute(name).is_some_and(|v| {
                v.trim()
                    .to_ascii_lowercase()
                    .trim_end_matches("px")
                    .parse::<f32>()
                    .is_ok_and(|n| n <= 1.0)
            })
        };
        if tiny("width") && tiny("height") {
            out.push_str(&html[copied..tag.start]);
            copied = tag.end;
        }
    }
    if copied == 0 {
        return Cow::Borrowed(html);
    }
    out.push_str(&html[copied..]);
    Cow::Owned(out)
}

/// Phrasing elements whose text a drawing's caption keeps ([`svg_caption_text`]).
const CAPTION_PHRASING: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "i", "kbd", "mark", "q",
    "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var",
];

/// Keeps the words of a drawing's captions. SVG `desc` and `title` hold HTML (they are HTML
/// integration points), but the allowlist lets HTML back into a drawing only through
/// `foreignObject`, which the policy drops: phrasing inside a caption (`<desc>A <abbr>LoC</abbr>
/// chart</desc>`) lost its words with its tags. This removes the tags of harmless phrasing
/// elements inside a caption, so their text stays in it; the emphasis and the `abbr` tooltip
/// are lost, the words are not. Any other element in a caption is left to the allowlist, which
/// drops it as before. Like the passes before it, this only removes tags from the input and the
/// allowlist runs on the result, so a misread tag can never let anything through.
pub(super) fn svg_caption_text(html: &str) -> Cow<'_, str> {
    if !html.contains("<svg") && !html.contains("<SVG") {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut copied = 0;
    let (mut svg_depth, mut caption) = (0usize, None::<&str>);
    for tag in markup::tags(html) {
        if tag.cut_off {
            break;
        }
        let name = tag.name.to_ascii_lowercase();
        match (&caption, tag.closing) {
            (Some(c), true) if name == *c => caption = None,
            (Some(_), _) if CAPTION_PHRASING.contains(&name.as_str()) => {
                out.push_str(&html[copied..tag.start]);
                copied = tag.end;
            }
            (Some(_), true) if name == "svg" => {
                caption = None;
                svg_depth = svg_depth.saturating_sub(1);
            }
            (Some(_), _) => {}
            (None, false) if name == "svg" => svg_depth += 1,
            (None, true) if name == "svg" => svg_depth = svg_depth.saturating_sub(1),
            (None, false) if svg_depth > 0 && (name == "desc" || name == "title") => {
                caption = Some(if name == "desc" { "desc" } else { "title" });
            }
            (None, _) => {}
        }
    }
    if copied == 0 {
        return Cow::Borrowed(html);
    }
    out.push_str(&html[copied..]);
    Cow::Owned(out)
}

/// An HTML parser drops a newline right after `<pre>`, and html5ever's serialiser does not
/// make up for it, so preformatted text that starts with a blank line lost one on every round
/// (found by fuzzing: sanitising was not idempotent). As the HTML standard's serialiser does,
/// this writes one more newline after each `<pre>` start tag whose text starts with one.
/// `html` is serialiser output: `<` in text and attribute values is escaped there, so the tag
/// reader finds every `<pre>` tag.
pub(super) fn keep_pre_newline(html: String) -> String {
    if !html.contains("<pre") {
        return html;
    }
    let mut out = String::with_capacity(html.len() + 8);
    let mut copied = 0;
    for tag in markup::tags(&html) {
        if !tag.closing && tag.name == "pre" && html[tag.end..].starts_with('\n') {
            out.push_str(&html[copied..tag.end]);
            out.push('\n');
            copied = tag.end;
        }
    }
    if copied == 0 {
        return html;
    }
    out.push_str(&html[copied..]);
    out
}

/// Finishes drawings and formulas: writes their namespace declarations where the markup left
/// them out (`xmlns` on `<svg>` and `<math>`, `xmlns:xlink` on an element with `xlink:`
/// attributes), and removes `<title>` tags outside a drawing (an HTML `<title>` hides its text;
/// only SVG's tooltip is kept). An HTML parser places these elements without declarations, but
/// the stored HTML is also carried in the merged feeds, where a reader may treat it as XML.
/// `html` is serialiser output: `<` in text is escaped and attribute values are double-quoted,
/// so the tags are read reliably; an HTML `<title>` holds only text, so the next `</title>`
/// ends it.
pub(super) fn finish_foreign(html: String) -> String {
    if !(html.contains("<svg") || html.contains("<math") || html.contains("<title")) {
        return html;
    }
    let mut out = String::with_capacity(html.len() + 64);
    let mut copied = 0;
    let (mut svg_depth, mut in_html_title, mut cut_off) = (0usize, false, false);
    for tag in markup::tags(&html) {
        if tag.cut_off {
            cut_off = true; // not serialiser output: leave it as it is
            break;
        }
        if tag.closing {
            if tag.name == "svg" {
                svg_depth = svg_depth.saturating_sub(1);
            } else if tag.name == "title" && in_html_title {
                in_html_title = false;
                out.push_str(&html[copied..tag.start]);
                copied = tag.end;
            }
            continue;
        }
        if tag.name == "title" && svg_depth == 0 {
            in_html_title = true;
            out.push_str(&html[copied..tag.start]);
            copied = tag.end;
            continue;
        }
        let has = |n: &str| tag.attributes().any(|(a, _)| a == n);
        let mut add = String::new();
        match tag.name {
            "svg" => {
                svg_depth += 1;
                if !has("xmlns") {
                    add.push_str(" xmlns=\"http://www.w3.org/2000/svg\"");
                }
            }
            "math" if !has("xmlns") => {
                add.push_str(" xmlns=\"http://www.w3.org/1998/Math/MathML\"")
            }
            _ => {}
        }
        if tag.attributes().any(|(a, _)| a.starts_with("xlink:")) && !has("xmlns:xlink") {
            add.push_str(" xmlns:xlink=\"http://www.w3.org/1999/xlink\"");
        }
        if !add.is_empty() {
            let gt = tag.end - 1;
            out.push_str(&html[copied..gt]);
            out.push_str(&add);
            copied = gt;
        }
    }
    if copied == 0 || cut_off {
        return html;
    }
    out.push_str(&html[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use url::Url;

    use super::svg_caption_text;

    use crate::sanitize::{clean_html, decorate_for_page, html_to_text, policy_violations};

    fn base() -> Url {
        Url::parse("https://blog.example/posts/feed.xml").unwrap()
    }

    /// Sanitising the sanitised `html` changes nothing.
    fn assert_settled(html: &str) {
        let once = clean_html(html, Some(&base()));
        assert_eq!(clean_html(&once, Some(&base())), once);
    }

    #[test]
    fn drawings_and_formulas_are_kept_with_their_namespaces() {
        // A diagram drawn inline, as written in an HTML description (no declarations).
        let svg = clean_html(
            "<svg width=\"30\" viewBox=\"0 0 30 30\"><title>A dot</title>\
             <a xlink:href=\"/about\"><circle cx=\"5\" cy=\"5\" r=\"4\" fill=\"#f00\"/></a>\
             <rect width=\"3\" height=\"3\" fill=\"url(https://tracker.example/p.svg#g)\"/></svg>",
            Some(&base()),
        );
        assert_eq!(
            svg,
            "<svg width=\"30\" viewBox=\"0 0 30 30\" xmlns=\"http://www.w3.org/2000/svg\">\
             <title>A dot</title><a xlink:href=\"https://blog.example/about\" \
             xmlns:xlink=\"http://www.w3.org/1999/xlink\"><circle cx=\"5\" cy=\"5\" r=\"4\" \
             fill=\"#f00\"></circle></a><rect width=\"3\" height=\"3\"></rect></svg>"
        );
        let math = clean_html(
            "<math display=\"block\"><mfrac><mi>a</mi><mn>2</mn></mfrac></math>",
            None,
        );
        assert_eq!(
            math,
            "<math display=\"block\" xmlns=\"http://www.w3.org/1998/Math/MathML\">\
             <mfrac><mi>a</mi><mn>2</mn></mfrac></math>"
        );
        for out in [&svg, &math] {
            assert_eq!(&clean_html(out, Some(&base())), out, "settled");
            assert!(policy_violations(out).is_empty(), "{out}");
        }
        // An HTML <title> (a whole page pasted into a post) shows its text, in a post with or
        // without a drawing.
        for post in [
            "<title>Hello</title> world",
            "<title>Hello</title> world<svg></svg>",
        ] {
            let out = clean_html(post, None);
            assert!(out.starts_with("Hello world"), "{post:?} -> {out:?}");
        }
    }

    #[test]
    fn declarations_left_open_do_not_hide_the_post() {
        // A comment with no end ends at the first `>`; the script after it is still removed.
        assert_eq!(
            html_to_text("sa<!-- -- nonwhitespace >fe<script>alert(1);</script>"),
            "safe"
        );
        assert_eq!(
            clean_html("<p>a<!-- typo </p><p>b</p>", None),
            "<p>a</p>",
            "a tag before the `>`: the browser's reading"
        );
        assert_eq!(
            clean_html("<p>a<!-- typo ></p><p>b</p>", None),
            "<p>a</p><p>b</p>"
        );
        // A declaration with no `>` is text; so is CDATA in HTML.
        assert_eq!(html_to_text("<!DOCTYPE ~"), "<!DOCTYPE ~");
        assert_eq!(
            clean_html("<![CDATA[<script></script>]]&gt;", None),
            "&lt;![CDATA[]]&gt;"
        );
        // Closed comments and doctypes are untouched.
        assert_eq!(
            clean_html("<!DOCTYPE html><p>x<!-- c --></p>", None),
            "<p>x</p>"
        );
        for s in ["a<!--", "<!", "<!-->", "x<!- y >z", "<!--<!-- >"] {
            let out = clean_html(s, None);
            assert_eq!(clean_html(&out, None), out, "{s:?}");
        }
    }

    /// Found by the `sanitize` fuzz target: a `<pre>` whose text starts with a newline lost one
    /// newline each time it was sanitised again.
    #[test]
    fn regression_fuzz_pre_leading_newline_is_stable() {
        for html in [
            "<pre>\n\n\nx</pre>",
            "<p>a</p><pre><pre>\n\n\n</pre></pre>",
            "<pre class=\"c\">\n\ncode</pre>",
            "<p>a>\0\0orrc=<geq><pre af,a><pt><scrip<t\nrrc=<geq><pre af,a><pt><scrip<t\n\n\n</>\n\n\n</>\n",
        ] {
            assert_settled(html);
        }
        // The text keeps its blank line: a parser reading the output sees "\nx".
        assert_eq!(clean_html("<pre>\n\nx</pre>", None), "<pre>\n\nx</pre>");
        assert!(decorate_for_page("<pre>\n\nx</pre>").contains("<pre>\n\nx</pre>"));
    }

    #[test]
    fn tracking_pixels_are_dropped() {
        let html = "<p>Hi<img src=\"https://t.example/p.gif\" width=\"1\" height=\"1\"><IMG SRC=x.gif WIDTH=0 HEIGHT='0px'>\
                    <img src=\"a.png\" width=\"1\" height=\"300\"></p>";
        let out = clean_html(html, Some(&base()));
        assert_eq!(
            out,
            "<p>Hi<img src=\"https://blog.example/posts/a.png\" width=\"1\" height=\"300\"></p>"
        );
    }

    #[test]
    fn captions_keep_their_words_and_nothing_else_changes() {
        assert_eq!(
            svg_caption_text("<svg><desc>a <EM>b</EM> <abbr title=\"c\">C</abbr></desc></svg>"),
            "<svg><desc>a b C</desc></svg>"
        );
        // Not in a drawing, not a caption, or not phrasing: untouched.
        for html in [
            "<p><em>x</em></p><title><em>y</em></title>",
            "<svg><text><em>x</em></text></svg><em>y</em>",
            "<svg><desc><div>x</div></desc></svg>",
        ] {
            assert!(matches!(svg_caption_text(html), Cow::Borrowed(_)), "{html}");
        }
        // After the drawing ends, phrasing keeps its tags again.
        assert_eq!(
            svg_caption_text("<svg><title><b>t</b></svg><b>u</b>"),
            "<svg><title>t</svg><b>u</b>"
        );
    }
}
