//! Makes untrusted feed text safe: an HTML allowlist (ammonia) for content, plain text for titles.
//!
//! In: strings from a member's feed and the base URL for relative links. Out: sanitised HTML or
//! plain text, safe to store and to show. This runs once, at ingest; render only escapes.

use std::borrow::Cow;
use std::collections::HashSet;

use url::Url;

mod depth;
mod fast;

/// URL schemes allowed in links and images (DESIGN.md: http, https, mailto only).
const URL_SCHEMES: [&str; 3] = ["http", "https", "mailto"];

/// Elements kept: ammonia's default set of harmless markup, plus the media and layout elements
/// blogs use (audio/video with sources, sections, tfoot, font, big). Never: script, style,
/// iframe/frame, object/embed/applet, form controls, meta, link, base, noscript. Drawings and
/// formulas come from [`SVG_TAGS`] and [`MATH_TAGS`].
const TAGS: &[&str] = &[
    "a",
    "abbr",
    "acronym",
    "address",
    "area",
    "article",
    "aside",
    "audio",
    "b",
    "bdi",
    "bdo",
    "big",
    "blockquote",
    "br",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "data",
    "dd",
    "del",
    "details",
    "dfn",
    "dir",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "font",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "map",
    "mark",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "q",
    "rp",
    "rt",
    "rtc",
    "ruby",
    "s",
    "samp",
    "section",
    "small",
    "source",
    "span",
    "strike",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
    "video",
    "wbr",
];

/// SVG kept: static shapes and text (what feeds embed to draw a diagram). Never: `script`,
/// `style`, `foreignObject` (HTML inside a drawing), `use`/`image` (they load other documents),
/// animation (`animate`, `set`: they rewrite attributes after sanitising), filters and anything
/// that refers to an `id` (ids are dropped; they could clash with the page's).
const SVG_TAGS: &[&str] = &[
    "svg", "g", "desc", "circle", "ellipse", "line", "path", "polygon", "polyline", "rect", "text",
    "tspan",
];

/// SVG presentation and geometry attributes (`fill`/`stroke` lose any `url(…)` reference, see
/// [`filter_attribute`]). `xmlns` and `xlink` (that is `xmlns:xlink`) are the namespace
/// declarations feeds write; the parser has already placed the elements in SVG.
const SVG_ATTRIBUTES: &[&str] = &[
    "baseProfile",
    "version",
    "viewBox",
    "preserveAspectRatio",
    "xmlns",
    "xlink",
    "x",
    "y",
    "x1",
    "x2",
    "y1",
    "y2",
    "cx",
    "cy",
    "r",
    "rx",
    "ry",
    "d",
    "points",
    "pathLength",
    "transform",
    "fill",
    "fill-opacity",
    "fill-rule",
    "stroke",
    "stroke-width",
    "stroke-opacity",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-dasharray",
    "stroke-dashoffset",
    "stroke-miterlimit",
    "opacity",
    "font-family",
    "font-size",
    "font-style",
    "font-weight",
    "text-anchor",
    "dominant-baseline",
    "dx",
    "dy",
];

/// MathML kept: presentation markup, and `semantics`/`annotation` (text only). Never
/// `annotation-xml` (HTML or SVG inside a formula) or `maction` (interaction).
const MATH_TAGS: &[&str] = &[
    "math",
    "mi",
    "mn",
    "mo",
    "ms",
    "mtext",
    "mspace",
    "mrow",
    "mfrac",
    "msqrt",
    "mroot",
    "mstyle",
    "merror",
    "mpadded",
    "mphantom",
    "mfenced",
    "menclose",
    "msub",
    "msup",
    "msubsup",
    "munder",
    "mover",
    "munderover",
    "mmultiscripts",
    "mprescripts",
    "none",
    "mtable",
    "mtr",
    "mtd",
    "mlabeledtr",
    "semantics",
    "annotation",
];

/// MathML presentation attributes, the namespace declarations, and links (`href`, also as
/// `xlink:href`, whose scheme ammonia checks like any link).
const MATH_ATTRIBUTES: &[&str] = &[
    "xmlns",
    "xlink",
    "href",
    "show",
    "display",
    "mathvariant",
    "mathsize",
    "mathcolor",
    "mathbackground",
    "fence",
    "separator",
    "separators",
    "stretchy",
    "symmetric",
    "largeop",
    "movablelimits",
    "accent",
    "accentunder",
    "lspace",
    "rspace",
    "linethickness",
    "scriptlevel",
    "displaystyle",
    "columnalign",
    "rowalign",
    "columnlines",
    "rowlines",
    "columnspacing",
    "rowspacing",
    "frame",
    "open",
    "close",
    "notation",
    "encoding",
    "depth",
    "voffset",
    "mathvariant",
];

/// Attributes kept on any allowed element: presentational and descriptive ones, none that runs
/// code or names a target for script (no `on*`, no `id`/`name`, which could clash with the page).
const GENERIC_ATTRIBUTES: &[&str] = &[
    "abbr",
    "align",
    "alt",
    "axis",
    "bgcolor",
    "border",
    "cellpadding",
    "cellspacing",
    "char",
    "charoff",
    "cite",
    "class",
    "clear",
    "color",
    "cols",
    "colspan",
    "compact",
    "controls",
    "coords",
    "datetime",
    "dir",
    "face",
    "headers",
    "height",
    "hreflang",
    "hspace",
    "lang",
    "loop",
    "nowrap",
    "noshade",
    "rel",
    "rev",
    "rows",
    "rowspan",
    "rules",
    "scope",
    "shape",
    "size",
    "span",
    "start",
    "style",
    "summary",
    "target",
    "title",
    "type",
    "valign",
    "value",
    "vspace",
    "width",
    "xml:lang",
];

/// Attributes that hold URLs, per element (ammonia checks schemes and resolves these; `cite` and
/// `srcset` are handled in [`filter_attribute`]).
const URL_ATTRIBUTES: &[(&str, &[&str])] = &[
    ("a", &["href"]),
    ("area", &["href"]),
    ("img", &["src", "srcset"]),
    ("audio", &["src"]),
    ("video", &["src", "poster"]),
    ("source", &["src", "srcset"]),
];

fn builder(base: Option<&Url>) -> ammonia::Builder<'static> {
    let mut tag_attributes: std::collections::HashMap<&str, HashSet<&str>> = Default::default();
    for (tag, attrs) in URL_ATTRIBUTES {
        tag_attributes.insert(tag, attrs.iter().copied().collect());
    }
    for tag in SVG_TAGS {
        tag_attributes.insert(tag, SVG_ATTRIBUTES.iter().copied().collect());
    }
    for tag in MATH_TAGS {
        tag_attributes.insert(tag, MATH_ATTRIBUTES.iter().copied().collect());
    }
    // A link inside a drawing: `<a xlink:href>` (ammonia checks its scheme as for `href`).
    tag_attributes
        .entry("a")
        .or_default()
        .extend(["xlink", "show"]);
    // `title` for a drawing's tooltip; an HTML `<title>` is unwrapped afterwards
    // ([`finish_foreign`]).
    let tags = TAGS
        .iter()
        .chain(SVG_TAGS)
        .chain(MATH_TAGS)
        .chain(&["title"]);
    let mut b = ammonia::Builder::default();
    b.tags(tags.copied().collect())
        .generic_attributes(GENERIC_ATTRIBUTES.iter().copied().collect())
        .tag_attributes(tag_attributes)
        .url_schemes(HashSet::from(URL_SCHEMES))
        .link_rel(None)
        .strip_comments(true)
        .url_relative(match base {
            Some(base) => ammonia::UrlRelative::Custom(Box::new(Resolve(base.clone()))),
            // Without a base a relative URL cannot be made absolute: drop it rather than let it
            // point somewhere on the planet's own site.
            None => ammonia::UrlRelative::Deny,
        });
    let base = base.cloned();
    b.attribute_filter(move |element, attribute, value| {
        filter_attribute(element, attribute, value, base.as_ref())
    });
    b
}

/// Sanitises an HTML fragment with the allowlist, resolving relative URLs against `base`.
///
/// Scripts, styles, event attributes, frames, forms and objects are dropped; only http, https
/// and mailto URLs survive; inline `style` keeps only harmless CSS ([`clean_style`]).
pub fn clean_html(html: &str, base: Option<&Url>) -> String {
    fast::clean(&unclosed_declarations(html), base).unwrap_or_else(|| clean_html_full(html, base))
}

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
fn unclosed_declarations(html: &str) -> Cow<'_, str> {
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

/// Checks the depth estimate that guards the HTML parser against the parser itself (for the
/// `sanitize` fuzz target): `Err` says by how much the estimate fell short.
#[doc(hidden)]
pub fn check_depth_estimate(html: &str) -> Result<(), String> {
    depth::check_against_parser(html)
}

/// [`clean_html`] without its fast path: always the HTML parser and the allowlist. Public for
/// the `sanitize` fuzz target, which checks that both paths give the same output.
#[doc(hidden)]
pub fn clean_html_full(html: &str, base: Option<&Url>) -> String {
    let html = unclosed_declarations(html);
    let html = strip_controls(&html);
    if depth::may_exceed(&html, MAX_DEPTH) {
        // HTML tree building is quadratic in nesting depth: 100,000 nested <div>s take minutes.
        // Such a post is shown as its text (tags dropped in one linear pass).
        return text_to_html(&strip_tags(&html));
    }
    let html = drop_tracking_pixels(&html);
    with_builder(base, |builder| {
        // One round: parse, allowlist, serialise. References such as `&#1;` decode to
        // characters XML forbids: they are stripped from the output too, or a merged feed
        // would stop being well-formed.
        let round = |html: &str| {
            let out = finish_foreign(keep_pre_newline(builder.clean(html).to_string()));
            strip_controls(&out).trim().to_string()
        };
        // Removing an element, or markup a parser repairs, can leave a tree that parses
        // differently once serialised (`<p><select><blockquote>` becomes `<p><blockquote>`,
        // which HTML splits; a heading left inside a heading). More rounds settle it, so the
        // stored HTML is what browsers will build and sanitising it again changes nothing.
        // Settled is checked cheaply when the output is plain enough for the fast path.
        let mut out = round(&html);
        for _ in 0..MAX_ROUNDS {
            let again = fast::clean(&out, base).unwrap_or_else(|| round(&out));
            if again == out {
                // The parser adds elements no tag asked for (`tbody`…): what it built is
                // checked too, since every render parses the stored post again.
                if written_depth(&out) > MAX_DEPTH {
                    return text_to_html(&strip_tags(&html));
                }
                return out;
            }
            out = again;
        }
        // Never seen: markup that keeps changing. Its text is stable.
        round(&text_to_html(&strip_tags(&html)))
    })
}

/// Sanitising rounds after the first before a post that will not settle is shown as text.
const MAX_ROUNDS: usize = 4;

/// Removes 1×1 (or 0×0) images, the tracking pixels of newsletters and analytics: they show
/// nothing and tell a third party who read the planet. This runs on the input, before the
/// allowlist: a tag it misreads is still sanitised afterwards, so it can only fail to remove a
/// pixel, never let anything through.
fn drop_tracking_pixels(html: &str) -> Cow<'_, str> {
    let lower = html.to_ascii_lowercase();
    if !lower.contains("<img") {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut at = 0;
    let mut from = 0;
    while let Some(pos) = lower[from..].find("<img").map(|p| p + from) {
        let end = lower[pos..]
            .find('>')
            .map(|e| pos + e + 1)
            .unwrap_or(lower.len());
        from = end;
        let tag = &lower[pos..end];
        let tiny = |name: &str| {
            crate::discover::attribute(tag, name).is_some_and(|v| {
                v.trim()
                    .trim_end_matches("px")
                    .parse::<f32>()
                    .is_ok_and(|n| n <= 1.0)
            })
        };
        if tiny("width") && tiny("height") {
            out.push_str(&html[at..pos]);
            at = end;
        }
    }
    if at == 0 {
        return Cow::Borrowed(html);
    }
    out.push_str(&html[at..]);
    Cow::Owned(out)
}

/// Deeper markup than this is not parsed as HTML (see [`clean_html`]); real posts stay far
/// below it.
pub const MAX_DEPTH: usize = 512;

/// The element nesting depth of HTML that the serialiser wrote (every element closed, in
/// order): start tags minus end tags, as a linear scan. Void elements (`<br>`, `<img>`) open
/// nothing. For HTML from a feed, see [`depth::may_exceed`]: a stray end tag there closes
/// nothing.
fn written_depth(html: &str) -> usize {
    const VOID: &[&[u8]] = &[
        b"area", b"base", b"br", b"col", b"embed", b"hr", b"img", b"input", b"link", b"meta",
        b"source", b"track", b"wbr",
    ];
    let b = html.as_bytes();
    let (mut depth, mut max) = (0usize, 0usize);
    let mut i = 0;
    while let Some(p) = b[i..].iter().position(|&c| c == b'<') {
        i += p + 1;
        match b.get(i) {
            Some(b'/') => depth = depth.saturating_sub(1),
            Some(c) if c.is_ascii_alphabetic() => {
                let name_len = b[i..]
                    .iter()
                    .position(|c| !c.is_ascii_alphanumeric())
                    .unwrap_or(b.len() - i);
                let name = &b[i..i + name_len];
                if !VOID.iter().any(|v| v.eq_ignore_ascii_case(name)) {
                    depth += 1;
                    max = max.max(depth);
                }
            }
            _ => {}
        }
    }
    max
}

/// Text with everything between `<` and `>` removed (linear; for pathological input only).
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    html_escape::decode_html_entities(&out).into_owned()
}

/// The page's extra safety and manners on already-clean HTML: links get
/// `rel="noopener noreferrer nofollow"`, images load lazily. The merged feeds carry the member's
/// markup without these page-only attributes.
pub fn decorate_for_page(clean: &str) -> String {
    if written_depth(clean) > MAX_DEPTH {
        // Stored by an earlier version without today's depth rule: parsing it again on every
        // render would cost what it cost at ingest.
        return text_to_html(&strip_tags(clean));
    }
    fast::decorate(clean).unwrap_or_else(|| decorate_full(clean))
}

/// [`decorate_for_page`] through the HTML parser and allowlist, for any stored HTML. Public for
/// the `sanitize` fuzz target, which checks that the fast path decorates identically.
#[doc(hidden)]
pub fn decorate_full(clean: &str) -> String {
    let mut b = builder(None);
    b.url_relative(ammonia::UrlRelative::PassThrough)
        .rm_generic_attributes(&["rel"])
        .link_rel(Some("noopener noreferrer nofollow"))
        .set_tag_attribute_value("img", "loading", "lazy")
        // A wide table scrolls sideways on a phone; keyboard users must be able to scroll it.
        .set_tag_attribute_value("table", "tabindex", "0");
    keep_pre_newline(b.clean(clean).to_string())
}

/// An HTML parser drops a newline right after `<pre>`, and html5ever's serialiser does not
/// make up for it, so preformatted text that starts with a blank line lost one on every round
/// (found by fuzzing: sanitising was not idempotent). As the HTML standard's serialiser does,
/// this writes one more newline after each `<pre>` start tag whose text starts with one.
/// `html` is serialiser output: `<` in text and attribute values is escaped there, so every
/// `<pre` is a tag and its first `>` ends it.
fn keep_pre_newline(html: String) -> String {
    if !html.contains("<pre") {
        return html;
    }
    let mut out = String::with_capacity(html.len() + 8);
    let mut rest = html.as_str();
    while let Some(pos) = rest.find("<pre") {
        let name_end = pos + 4;
        if !rest[name_end..].starts_with(['>', ' ']) {
            out.push_str(&rest[..name_end]);
            rest = &rest[name_end..];
            continue;
        }
        let Some(gt) = rest[name_end..].find('>').map(|g| name_end + g + 1) else {
            break;
        };
        out.push_str(&rest[..gt]);
        rest = &rest[gt..];
        if rest.starts_with('\n') {
            out.push('\n');
        }
    }
    out.push_str(rest);
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
fn finish_foreign(html: String) -> String {
    if !(html.contains("<svg") || html.contains("<math") || html.contains("<title")) {
        return html;
    }
    let mut out = String::with_capacity(html.len() + 64);
    let mut copied = 0;
    let (mut svg_depth, mut in_html_title, mut cut_off) = (0usize, false, false);
    for tag in serial_tags(&html) {
        if tag.gt >= html.len() {
            cut_off = true; // not serialiser output: leave it as it is
            break;
        }
        let after = tag.gt + 1;
        if tag.closing {
            if tag.name == "svg" {
                svg_depth = svg_depth.saturating_sub(1);
            } else if tag.name == "title" && in_html_title {
                in_html_title = false;
                out.push_str(&html[copied..tag.lt]);
                copied = after;
            }
            continue;
        }
        if tag.name == "title" && svg_depth == 0 {
            in_html_title = true;
            out.push_str(&html[copied..tag.lt]);
            copied = after;
            continue;
        }
        let has = |n: &str| tag.attributes.iter().any(|(a, _)| *a == n);
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
        if tag.attributes.iter().any(|(a, _)| a.starts_with("xlink:")) && !has("xmlns:xlink") {
            add.push_str(" xmlns:xlink=\"http://www.w3.org/1999/xlink\"");
        }
        if !add.is_empty() {
            out.push_str(&html[copied..tag.gt]);
            out.push_str(&add);
            copied = tag.gt;
        }
    }
    if copied == 0 || cut_off {
        return html;
    }
    out.push_str(&html[copied..]);
    out
}

/// Per-attribute rules ammonia does not have: CSS in `style`, URLs in `cite` and `srcset`, and
/// no 1×1 tracking images; no `target` on links and no `opener` in `rel`, which together give
/// the member's page a handle on the reader's window (reverse tabnabbing) in a feed reader
/// that shows the merged feeds' markup.
fn filter_attribute<'u>(
    element: &str,
    attribute: &str,
    value: &'u str,
    base: Option<&Url>,
) -> Option<Cow<'u, str>> {
    match attribute {
        "target" if matches!(element, "a" | "area") => None,
        "rel"
            if value
                .split_ascii_whitespace()
                .any(|w| w.eq_ignore_ascii_case("opener")) =>
        {
            let kept: Vec<&str> = value
                .split_ascii_whitespace()
                .filter(|w| !w.eq_ignore_ascii_case("opener"))
                .collect();
            (!kept.is_empty()).then(|| Cow::Owned(kept.join(" ")))
        }
        "style" => {
            let css = clean_style(value);
            (!css.is_empty()).then_some(Cow::Owned(css))
        }
        "cite" => web_url(value, base).map(Cow::Owned),
        // A paint server is named by `url(#id)`, and ids are dropped: a `url(…)` can only point
        // at another document.
        "fill" | "stroke" => {
            (!value.to_ascii_lowercase().contains("url")).then_some(Cow::Borrowed(value))
        }
        "srcset" => {
            let mut out = Vec::new();
            for candidate in value.split(',') {
                let mut parts = candidate.split_whitespace();
                let Some(url) = parts.next().and_then(|u| web_url(u, base)) else {
                    continue;
                };
                let descriptor: Vec<&str> = parts.collect();
                out.push(if descriptor.is_empty() {
                    url
                } else {
                    format!("{url} {}", descriptor.join(" "))
                });
            }
            (!out.is_empty()).then(|| Cow::Owned(out.join(", ")))
        }
        _ => Some(Cow::Borrowed(value)),
    }
}

/// An absolute http(s) URL, resolved against `base` when relative.
fn web_url(value: &str, base: Option<&Url>) -> Option<String> {
    let value = value.trim();
    let url = match base {
        Some(b) => b.join(value).ok()?,
        None => Url::parse(value).ok()?,
    };
    matches!(url.scheme(), "http" | "https").then(|| iri(value, url.into()))
}

/// ammonia's hook for relative URLs: [`resolve_relative`] against the base.
struct Resolve(Url);

impl<'a> ammonia::UrlRelativeEvaluate<'a> for Resolve {
    fn evaluate<'u>(&self, url: &'u str) -> Option<Cow<'u, str>> {
        resolve_relative(url, &self.0).map(Cow::Owned)
    }
}

/// A relative URL made absolute against `base`, written as an IRI: characters beyond ASCII
/// that the feed wrote stay as written (`À`, not `%C3%80`), as feed readers show them.
///
/// The scheme is checked on the result, whatever the base: a relative link joined to a
/// `javascript:` base is script, and neither ammonia nor the fast path checks it again.
pub(crate) fn resolve_relative(value: &str, base: &Url) -> Option<String> {
    if let Some(joined) = join_plain_path(value, base) {
        return Some(joined);
    }
    let url = base.join(value).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| iri(value, url.into()))
}

/// `base.join(value)` without the URL parser, for the shape nearly every relative link in a
/// post has (`/posts/2`, `img/1.png`): letters, digits, `-._~/` only, no dot segments, not
/// `//host`. The parser would copy such a path unchanged, so this gives the same string
/// (checked against the parser in a test), several times faster. `None`: use the parser.
fn join_plain_path(value: &str, base: &Url) -> Option<String> {
    // One pass: allowed bytes only, and no `.` at the start or after `/` or `.` (so no dot
    // segments, no `..`).
    let mut prev = b'/';
    let plain = !value.is_empty()
        && !value.starts_with("//")
        && value.bytes().all(|b| {
            let ok = b.is_ascii_alphanumeric()
                || matches!(b, b'-' | b'_' | b'~' | b'/')
                || (b == b'.' && !matches!(prev, b'/' | b'.'));
            prev = b;
            ok
        });
    if !plain || !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
        return None;
    }
    let head = &base[..url::Position::BeforePath];
    let dir = if value.starts_with('/') {
        ""
    } else {
        let path = base.path();
        &path[..path.rfind('/')? + 1]
    };
    let mut joined = String::with_capacity(head.len() + dir.len() + value.len());
    joined.push_str(head);
    joined.push_str(dir);
    joined.push_str(value);
    Some(joined)
}

/// `resolved` with the percent-encoded UTF-8 of non-ASCII characters decoded again, when the
/// `written` URL had such characters. White space, controls and bidi controls stay encoded.
fn iri(written: &str, resolved: String) -> String {
    if written.is_ascii() || !resolved.contains('%') {
        return resolved;
    }
    let b = resolved.as_bytes();
    let hex = |i: usize| {
        b.get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok())
    };
    let mut out = String::with_capacity(resolved.len());
    let mut i = 0;
    while i < b.len() {
        // A run of %XX with XX >= 0x80: one or more encoded characters.
        let mut bytes = Vec::new();
        let mut j = i;
        while b.get(j) == Some(&b'%') {
            match hex(j) {
                Some(v) if v >= 0x80 => bytes.push(v),
                _ => break,
            }
            j += 3;
        }
        match std::str::from_utf8(&bytes).ok().filter(|t| !t.is_empty()) {
            Some(text) => {
                // Each character as itself, or as its `%XX` bytes when it must stay encoded.
                let mut at = i;
                for c in text.chars() {
                    let len = 3 * c.len_utf8();
                    if c.is_whitespace() || c.is_control() || is_bidi_control(c) {
                        out.push_str(&resolved[at..at + len]);
                    } else {
                        out.push(c);
                    }
                    at += len;
                }
                i = j;
            }
            None => {
                let next = resolved[i + 1..].find('%').map_or(b.len(), |p| p + i + 1);
                out.push_str(&resolved[i..next]);
                i = next;
            }
        }
    }
    out
}

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

/// Escapes plain text so that it can stand where HTML is expected (text/plain content).
pub fn text_to_html(text: &str) -> String {
    // Written as the HTML serialiser writes text (carriage returns read as newlines, no-break
    // spaces as `&nbsp;`), so sanitising the result again changes nothing.
    let mut text = strip_controls(text);
    if text.contains('\r') {
        text = Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"));
    }
    let html = html_escape::encode_text(&text);
    if html.contains('\u{a0}') {
        html.replace('\u{a0}', "&nbsp;")
    } else {
        html.into_owned()
    }
}

/// Plain text from a string that may hold markup: tags dropped (with the contents of script and
/// style), entities decoded, runs of white space folded into one space.
pub fn html_to_text(s: &str) -> String {
    if !s.contains(['<', '&']) {
        return collapse_ws(s); // nothing to strip or decode: skip the HTML parser
    }
    let spaced = space_blocks(&unclosed_declarations(s));
    if depth::may_exceed(&spaced, MAX_DEPTH) {
        // A title of 40,000 nested <div>s: the parser's cost is quadratic in depth.
        return collapse_ws(&strip_tags(&spaced));
    }
    let cleaned = TEXT_ONLY.with(|b| b.clean(&spaced).to_string());
    collapse_ws(&html_escape::decode_html_entities(&cleaned))
}

/// [`html_to_text`] for HTML that [`clean_html`] wrote (what the database stores), without an
/// HTML parser: that markup holds no comments, scripts, styles or raw `<` in text, so dropping
/// every tag and decoding references gives the same text (a test checks this on generated
/// posts). The render uses it for excerpts: 200,000 stored posts made the parser a third of it.
pub fn text_of_sanitised(html: &str) -> String {
    if !html.contains(['<', '&']) {
        return collapse_ws(html);
    }
    if html.contains("<svg") || html.contains("<math") {
        // Drawings and formulas have no text to show in an excerpt: the parser leaves them out.
        return html_to_text(html);
    }
    collapse_ws(&strip_tags(&space_blocks(html)))
}

/// Block-level tags and line breaks separate words: `<p>a</p><p>b</p>` reads "a b", while
/// inline tags do not (`bo<b>ld</b>` reads "bold"). Puts a space before each block tag.
fn space_blocks(s: &str) -> String {
    const BLOCKS: &[&str] = &[
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "td",
        "th",
        "tr",
        "ul",
    ];
    let mut out = String::with_capacity(s.len() + 16);
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let tag = &rest[i + 1..];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if BLOCKS.contains(&name.as_str()) {
            out.push(' ');
        }
        out.push('<');
        rest = tag;
    }
    out.push_str(rest);
    out
}

thread_local! {
    /// An allowlist with no tags at all: text only (built once per thread).
    static TEXT_ONLY: ammonia::Builder<'static> = ammonia::Builder::empty();
    /// The content allowlist for the last base URL used on this thread: consecutive entries
    /// of a feed share a base, and building the allowlist's sets costs as much as cleaning a
    /// short post.
    static CONTENT: std::cell::RefCell<Option<(Option<Url>, ammonia::Builder<'static>)>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `f` with the content allowlist for `base`, reusing this thread's builder when it was
/// built for the same base.
fn with_builder<R>(base: Option<&Url>, f: impl FnOnce(&ammonia::Builder<'static>) -> R) -> R {
    CONTENT.with(|cell| {
        let mut slot = cell.borrow_mut();
        if !matches!(&*slot, Some((b, _)) if b.as_ref() == base) {
            *slot = Some((base.cloned(), builder(base)));
        }
        let (_, b) = slot.as_ref().expect("set above");
        f(b)
    })
}

/// Plain text that is already text: control characters dropped and white space folded.
pub fn plain_text(s: &str) -> String {
    collapse_ws(s)
}

/// Whether a string that should be text looks like it holds markup or entities (RSS titles often do).
pub fn looks_like_html(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'))
        || (s.contains('&') && s.contains(';'))
}

fn collapse_ws(s: &str) -> String {
    let s = strip_controls(s);
    let mut out = String::with_capacity(s.len());
    // Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) in a title or a
    // name could reorder the page's own text around it: plain text never keeps them.
    let s: Cow<str> = if s.contains(is_bidi_control) {
        Cow::Owned(s.chars().filter(|c| !is_bidi_control(*c)).collect())
    } else {
        s
    };
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Removes characters that are not allowed in XML 1.0 (C0 controls but tab, newline and carriage
/// return; U+FFFE and U+FFFF), so that every output stays well-formed.
pub fn strip_controls(s: &str) -> Cow<'_, str> {
    let bad = |c: char| {
        (c.is_control() && !matches!(c, '\t' | '\n' | '\r') && (c as u32) < 0x80)
            || c == '\u{FFFE}'
            || c == '\u{FFFF}'
    };
    if s.chars().any(bad) {
        Cow::Owned(s.chars().filter(|&c| !bad(c)).collect())
    } else {
        Cow::Borrowed(s)
    }
}

/// What in sanitised HTML breaks the policy: elements outside the allowlist, event
/// attributes, URL attributes with a scheme other than http(s)/mailto, CSS with `url(` or
/// `expression`. Empty for everything [`clean_html`] returns; the property test and the fuzz
/// targets check that.
pub fn policy_violations(html: &str) -> Vec<String> {
    // What a browser would make of the URL (the URL parser drops tabs and new lines anywhere,
    // and spaces around): its scheme must be one we allow.
    let web =
        |u: &str| Url::parse(u).is_ok_and(|u| matches!(u.scheme(), "http" | "https" | "mailto"));
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

/// The elements of serialised HTML with their attributes (values are always double-quoted
/// by the serialiser, so quotes delimit them reliably).
pub fn tags_of(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    serial_tags(html)
        .filter(|t| !t.closing)
        .map(|t| {
            let attributes = t.attributes.iter().map(|(name, value)| {
                let value = html_escape::decode_html_entities(value).into_owned();
                (name.to_ascii_lowercase(), value)
            });
            (t.name.to_ascii_lowercase(), attributes.collect())
        })
        .collect()
}

/// A tag of serialiser output, as [`serial_tags`] reads it.
struct SerialTag<'a> {
    /// Byte offsets of its `<` and of its `>` (the input's length when the tag is cut off).
    lt: usize,
    gt: usize,
    closing: bool,
    name: &'a str,
    /// Names and raw values (the text between double quotes; empty without a value).
    attributes: Vec<(&'a str, &'a str)>,
}

/// The start and end tags of serialiser output, in order. There `<` in text is escaped and
/// attribute values are double-quoted, so every `<` before a letter (or `/` and a letter)
/// opens a tag and the first `>` outside quotes ends it.
fn serial_tags(html: &str) -> impl Iterator<Item = SerialTag<'_>> {
    let b = html.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() {
            let lt = i;
            let closing = b.get(i + 1) == Some(&b'/');
            let name_start = i + 1 + usize::from(closing);
            if b[i] != b'<' || !b.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
                i += 1;
                continue;
            }
            i = name_start;
            while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' && b[i] != b'/' {
                i += 1;
            }
            let name = &html[name_start..i];
            let mut attributes = Vec::new();
            while i < b.len() && b[i] != b'>' {
                if b[i].is_ascii_whitespace() || b[i] == b'/' {
                    i += 1;
                    continue;
                }
                let a = i;
                while i < b.len() && b[i] != b'=' && b[i] != b'>' && !b[i].is_ascii_whitespace() {
                    i += 1;
                }
                let attr = &html[a..i];
                let mut value = "";
                if b.get(i) == Some(&b'=') {
                    if b.get(i + 1) == Some(&b'"') {
                        let v = i + 2;
                        let end = html[v..].find('"').map_or(b.len(), |e| v + e);
                        value = &html[v..end];
                        i = end + 1;
                    } else {
                        i += 1; // an unquoted value is read as further names
                    }
                }
                attributes.push((attr, value));
            }
            let gt = i.min(b.len());
            i = gt + 1;
            return Some(SerialTag {
                lt,
                gt,
                closing,
                name,
                attributes,
            });
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://blog.example/posts/feed.xml").unwrap()
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

    #[test]
    fn plain_relative_paths_join_as_the_url_parser_joins_them() {
        let bases = [
            "https://blog.example/posts/feed.xml",
            "http://Blog.Example:8080/a/b/",
            "https://blog.example",
            "https://blog.example/dir/page?q=1#frag",
            "https://user:pw@blog.example/x",
            "https://[::1]/a/b",
        ];
        let values = [
            "/posts/2",
            "img/1.png",
            "a",
            "a/b/c.html",
            "~me/",
            "x-y_z.~",
            "/",
            "a//b",
            ".",
            "..",
            "./a",
            "../a",
            "a/../b",
            "a/./b",
            "a/.",
            "//evil.example/x",
            "a b",
            "a?b",
            "#f",
            "a:b",
            "%41",
            "é",
        ];
        for base in bases {
            let base = Url::parse(base).unwrap();
            for value in values {
                if let Some(fast) = join_plain_path(value, &base) {
                    assert_eq!(fast, base.join(value).unwrap().as_str(), "{base} + {value}");
                }
                assert_eq!(
                    resolve_relative(value, &base),
                    base.join(value)
                        .ok()
                        .filter(|u| matches!(u.scheme(), "http" | "https"))
                        .map(|u| iri(value, u.into())),
                    "{base} + {value}"
                );
            }
        }
        // A leading U+FEFF: the fast path declines, so both paths drop it (finding 9).
        let bom = "\u{feff}<p>plain <a href=\"https://m.example/\">post</a></p>";
        assert_eq!(
            clean_html(bom, Some(&base())),
            clean_html_full(bom, Some(&base()))
        );
        assert!(clean_html(bom, Some(&base())).starts_with("<p>"));
        // Whatever the base, only an http(s) result is a link (review round two, finding 1).
        let script = Url::parse("javascript://%0aalert(document.domain)//").unwrap();
        for value in ["x", "a/b", "?q", "#f", "//host/x"] {
            assert_eq!(resolve_relative(value, &script), None, "{value}");
            assert!(
                !clean_html(&format!("<a href=\"{value}\">l</a>"), Some(&script)).contains("href")
            );
        }
        let base = Url::parse("https://blog.example/posts/feed.xml").unwrap();
        assert!(
            join_plain_path("img/1.png", &base).is_some(),
            "the common case is fast"
        );
    }

    #[test]
    fn relative_urls_keep_non_ascii_as_written() {
        let base = Url::parse("http://any.test/dir/").unwrap();
        assert_eq!(
            clean_html("<a href=\"À/é?q=ü#ß\">x</a>", Some(&base)),
            "<a href=\"http://any.test/dir/À/é?q=ü#ß\">x</a>"
        );
        // ASCII input, and encoded spaces or bidi controls, stay as the URL parser writes them.
        assert_eq!(
            clean_html("<a href=\"a b\">x</a>", Some(&base)),
            "<a href=\"http://any.test/dir/a%20b\">x</a>"
        );
        assert_eq!(
            resolve_relative("é%E2%80%AE", &base).as_deref(),
            Some("http://any.test/dir/é%E2%80%AE")
        );
    }

    #[test]
    fn unsafe_constructs_are_removed() {
        let cases = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
            "<a href=\"java\tscript:alert(1)\">x</a>",
            "<a href=\"vbscript:msgbox(1)\">x</a>",
            "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
            "<iframe src=\"https://evil.example/\"></iframe>",
            "<object data=\"x\"></object><embed src=\"x\">",
            "<form action=\"https://evil.example/\"><input></form>",
            "<style>body{display:none}</style>",
            "<p style=\"background:url(javascript:alert(1))\">x</p>",
            "<svg onload=alert(1)><script>alert(1)</script></svg>",
            "<math><mtext><script>alert(1)</script></mtext></math>",
            "<svg><a xlink:href=\"javascript:alert(1)\"><circle r=\"5\"/></a></svg>",
            "<svg><a href=\"javascript:alert(1)\"><text>x</text></a></svg>",
            "<svg><foreignObject><iframe src=\"https://evil.example/\"></iframe></foreignObject></svg>",
            "<svg><use href=\"data:image/svg+xml,<svg onload=alert(1)>\"/></svg>",
            "<svg><animate attributeName=\"href\" to=\"javascript:alert(1)\"/><set attributeName=\"onload\" to=\"alert(1)\"/></svg>",
            "<svg><style>circle{fill:red}</style><image href=\"https://evil.example/x.svg\"/></svg>",
            "<math href=\"javascript:alert(1)\"><mi xlink:href=\"vbscript:x\">x</mi></math>",
            "<math><annotation-xml encoding=\"text/html\"><iframe></iframe></annotation-xml></math>",
            "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example/\">",
            "<base href=\"https://evil.example/\">",
        ];
        for case in cases {
            let out = clean_html(case, Some(&base())).to_ascii_lowercase();
            for bad in [
                "<script",
                "onerror",
                "onload",
                "javascript:",
                "vbscript:",
                "data:",
                "<iframe",
                "<object",
                "<embed",
                "<form",
                "<style",
                "style=",
                "<foreignobject",
                "<use",
                "<image",
                "<animate",
                "<set",
                "<annotation-xml",
                "<meta",
                "<base",
            ] {
                assert!(!out.contains(bad), "{case:?} -> {out:?} still has {bad:?}");
            }
        }
    }

    #[test]
    fn links_and_images_are_made_safe_and_absolute() {
        let clean = clean_html(
            "<a href=\"../about\">me</a> <img src=\"pic.png\" alt=\"p\">",
            Some(&base()),
        );
        assert!(
            !clean.contains("rel=") && !clean.contains("loading="),
            "{clean}"
        );
        let out = decorate_for_page(&clean);
        assert!(out.contains("href=\"https://blog.example/about\""), "{out}");
        assert!(
            out.contains("rel=\"noopener noreferrer nofollow\""),
            "{out}"
        );
        assert!(
            out.contains("src=\"https://blog.example/posts/pic.png\""),
            "{out}"
        );
        assert!(out.contains("loading=\"lazy\""), "{out}");
        // A member's table can be scrolled from the keyboard; a tabindex from the feed cannot
        // reach the page any other way.
        let table = decorate_for_page(&clean_html(
            "<table tabindex=\"5\"><tr><td>1</td></tr></table><p tabindex=\"1\">x</p>",
            None,
        ));
        assert!(table.contains("<table tabindex=\"0\">"), "{table}");
        assert!(
            !table.contains("tabindex=\"1\"") && !table.contains("tabindex=\"5\""),
            "{table}"
        );
    }

    #[test]
    fn text_of_html_separates_blocks_not_inline_tags() {
        assert_eq!(html_to_text("<p>One.</p><p>Two.</p>"), "One. Two.");
        assert_eq!(html_to_text("a<br>b<BR/>c"), "a b c");
        assert_eq!(html_to_text("<ul><li>x</li><li>y</li></ul>"), "x y");
        assert_eq!(
            html_to_text("bo<b>ld</b> <a href=\"/\">link</a>"),
            "bold link"
        );
        assert_eq!(html_to_text("1 &lt; 2 <p>"), "1 < 2");
    }

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

    #[test]
    fn cite_and_srcset_urls_are_resolved_and_checked() {
        let out = clean_html(
            "<blockquote cite=\"javascript:alert(1)\">a</blockquote><q cite=\"/src\">b</q>\
             <img src=\"a.png\" srcset=\"a-2x.png 2x, javascript:x 3x\">",
            Some(&base()),
        );
        assert!(!out.contains("javascript"), "{out}");
        assert!(out.contains("cite=\"https://blog.example/src\""), "{out}");
        assert!(
            out.contains("srcset=\"https://blog.example/posts/a-2x.png 2x\""),
            "{out}"
        );
    }

    #[test]
    fn harmless_markup_is_kept() {
        let html = "<p>a <em>b</em> <code>c</code></p><ul><li>d</li></ul><table><tbody><tr><td>e</td></tr></tbody></table>";
        assert_eq!(clean_html(html, Some(&base())), html);
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let depth = 50_000;
        let html = "<div>".repeat(depth) + "deep &amp; text" + &"</div>".repeat(depth);
        let started = std::time::Instant::now();
        let out = clean_html(&html, None);
        assert_eq!(out, "deep &amp; text");
        // Not a speed claim: without the guard this takes minutes (quadratic tree building).
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
        assert!(written_depth("<p><b>x</b></p><br>") <= 3);
    }

    #[test]
    fn bidi_controls_never_reach_plain_text() {
        assert_eq!(html_to_text("evil\u{202E}txt.exe"), "eviltxt.exe");
        assert_eq!(plain_text("a\u{2066}b\u{2069}"), "ab");
    }

    #[test]
    fn unclosed_markup_is_closed_inside_the_post() {
        // A post's broken markup cannot leak into the page around it.
        assert_eq!(
            clean_html("<div><b>bold <i>x", None),
            "<div><b>bold <i>x</i></b></div>"
        );
        assert_eq!(clean_html("</div></article></main>text", None), "text");
        assert_eq!(
            clean_html("<table><tr><td>cell", None),
            "<table><tbody><tr><td>cell</td></tr></tbody></table>"
        );
    }

    /// Found by the `sanitize` fuzz target: text and links foster-parented out of a table
    /// nested one <a> in another, which a second parse splits.
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
    fn regression_fuzz_table_foster_parenting_is_settled() {
        let input = "<=p>a <b>b</b> <a href=\0\0\0\0>cnerro/<table><tr>< <a href=\0\0\0\0>ctd><b> s`ripipt>b>p>";
        assert_settled(input);
    }

    /// Found by the `sanitize` fuzz target: a control character written as a reference
    /// survived into the output (and would have made atom.xml ill-formed).
    #[test]
    fn regression_fuzz_control_character_references_are_dropped() {
        let out = clean_html("a&#1;b&#x8;c&#xFFFF;d", None);
        assert_eq!(out, "abcd");
        assert_eq!(clean_html(&out, None), out);
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

    /// Found by the `sanitize` fuzz target: markup the parser repaired into a heading inside a
    /// heading, which parses differently once serialised; a second round was only run when an
    /// element had been removed. Now rounds run until the output is settled.
    #[test]
    fn regression_fuzz_nested_heading_is_settled() {
        let input = include_str!("../tests/fixtures/fuzz-sanitize-nested-heading.html");
        assert_settled(input);
        assert_settled("<h1>a<p>b</p><h1>c</h1></h1>");
        // Text shown instead of over-deep markup is settled too.
        assert_settled(&format!(
            "{}a\u{a0}b\r\nc{}",
            "<div>".repeat(600),
            "</div>".repeat(600)
        ));
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

    /// Property: for many generated fragments mixing harmless markup with every attack class,
    /// sanitising is idempotent and its output holds no unsafe construct.
    #[test]
    fn sanitising_is_idempotent_and_safe_on_generated_input() {
        const PIECES: &[&str] = &[
            "<p>",
            "</p>",
            "<a href=\"",
            "javascript:alert(1)",
            "JaVaScRiPt:x",
            "java\tscript:y",
            "&#106;avascript:z",
            "vbscript:q",
            "data:text/html,<b>",
            "https://ok.example/x",
            "/rel/path",
            "\">",
            "<img src=",
            " onerror=alert(1) ",
            "<script>",
            "</script>",
            "<svg onload=alert(1)>",
            "<math>",
            "<style>",
            "</style>",
            "<iframe src=x>",
            "<object data=x>",
            "<embed src=x>",
            "<form action=x>",
            "<input>",
            "<meta http-equiv=refresh content=0>",
            "<base href=x>",
            "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
            "<!-- c -->",
            "<![CDATA[x]]>",
            "<b>",
            "</b>",
            "text ",
            "&amp;",
            "&lt;script&gt;",
            " style=\"color:red;background:url(javascript:x)\"",
            " style=\"width:expression(alert(1))\"",
            "<table><tr><td>",
            "</td></tr></table>",
            "<blockquote cite=\"javascript:x\">",
            "<video poster=javascript:x>",
            " srcset=\"javascript:x 2x, ok.png 1x\"",
            "<a href=\"mailto:a@b.example\">",
            "'",
            "\"",
            "<",
            ">",
            "=",
            "<select><option>",
            "<textarea>",
            "<xmp>",
            "<listing>",
            "<plaintext>",
        ];
        let base = base();
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..3000 {
            let len = 1 + next() % 12;
            let input: String = (0..len)
                .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                .collect();
            let once = clean_html(&input, Some(&base));
            let twice = clean_html(&once, Some(&base));
            assert_eq!(once, twice, "not idempotent for {input:?}");
            assert_eq!(
                text_of_sanitised(&once),
                html_to_text(&once),
                "text of {once:?}"
            );
            let violations = policy_violations(&once);
            assert!(
                violations.is_empty(),
                "{input:?} -> {once:?}: {violations:?}"
            );
        }
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

    /// Sanitising the sanitised `html` changes nothing.
    fn assert_settled(html: &str) {
        let once = clean_html(html, Some(&base()));
        assert_eq!(clean_html(&once, Some(&base())), once);
    }

    #[test]
    fn sanitising_twice_changes_nothing() {
        let html = "<p>x <a href=\"/y\">y</a><img src=\"z.png\"><script>1</script></p>";
        assert_settled(html);
    }

    #[test]
    fn titles_become_plain_text() {
        assert_eq!(
            html_to_text("<b>Bold</b> &amp; <i>brave</i>"),
            "Bold & brave"
        );
        assert_eq!(html_to_text("a <script>evil()</script>b"), "a b");
        assert_eq!(html_to_text("AT&T"), "AT&T");
        assert_eq!(plain_text("  two\n  lines\u{0}  "), "two lines");
        assert!(looks_like_html("<b>x</b>"));
        assert!(looks_like_html("caf&eacute;"));
        assert!(!looks_like_html("a < b"));
    }

    #[test]
    fn control_characters_are_dropped() {
        assert_eq!(strip_controls("a\u{1}b\u{8}c\td\u{FFFF}"), "abc\td");
        assert!(matches!(strip_controls("clean"), Cow::Borrowed(_)));
    }
}
