//! The sanitiser's policy, in one place: the elements, attributes and URL schemes content may
//! keep, the fast path's narrower subsets of them, and what the page adds to links and images.
//! The ammonia builder (`clean`), the fast path (`fast`), the page decoration (`decorate`), the
//! URL rules (`urls`) and the policy check (`check`) all read these tables; the tests below fail
//! if a subset strays outside the list it narrows (STYLE.md, convention 15).
//!
//! This file is mostly data: the allowlist tables are long by nature. In: nothing. Out: `&str`
//! lists and the scheme predicates.

/// URL schemes allowed in links and images (DESIGN.md: http, https, mailto only).
pub(super) const URL_SCHEMES: [&str; 3] = [WEB_SCHEMES[0], WEB_SCHEMES[1], "mailto"];

/// The schemes a URL resolved by hand may have (`cite`, `srcset`, a relative link made
/// absolute): the web ones of [`URL_SCHEMES`]; `mailto:` is never the result of a join.
pub(super) const WEB_SCHEMES: [&str; 2] = crate::web_url::WebUrl::SCHEMES;

/// Whether a link or image may use `scheme` (as the URL parser writes it, lowercase).
pub(super) fn link_scheme(scheme: &str) -> bool {
    URL_SCHEMES.contains(&scheme)
}

/// Whether a URL resolved by hand may use `scheme`.
pub(super) fn web_scheme(scheme: &str) -> bool {
    WEB_SCHEMES.contains(&scheme)
}

/// The `rel` the page writes on every link: no handle on the reader's window (`noopener`), no
/// referrer for the member's site, no endorsement for search engines.
pub(super) const PAGE_LINK_REL: &str = "noopener noreferrer nofollow";

/// Attributes the page sets on elements of stored posts (element, attribute, value): images
/// load lazily; a wide table scrolls sideways on a phone, and keyboard users must be able to
/// scroll it.
pub(super) const PAGE_ATTRIBUTES: &[(&str, &str, &str)] =
    &[("img", "loading", "lazy"), ("table", "tabindex", "0")];

/// HTML's void elements, as the serialiser knows them: no end tag, nothing inside.
pub(super) const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// The fast path's phrasing elements (a subset of [`TAGS`]): inside them, and inside `p`,
/// headings and `pre`, only these may open.
pub(super) const FAST_INLINE: &[&str] = &[
    "a", "abbr", "b", "br", "cite", "code", "em", "i", "img", "kbd", "mark", "q", "s", "samp",
    "small", "span", "strong", "sub", "sup", "u", "var",
];

/// The fast path's block elements (a subset of [`TAGS`]), opened only where no phrasing element
/// or paragraph is open.
pub(super) const FAST_BLOCK: &[&str] = &[
    "blockquote",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "ul",
];

/// Blocks of [`FAST_BLOCK`] whose content is phrasing only.
pub(super) const FAST_PHRASING_BLOCK: &[&str] = &["h1", "h2", "h3", "h4", "h5", "h6", "p", "pre"];

/// Attributes the fast path accepts on every element it knows (a subset of
/// [`GENERIC_ATTRIBUTES`]), besides [`FAST_URL_ATTRIBUTES`]. Left to the full sanitiser: `style`
/// (CSS filter), `width`/`height` (tracking pixels), and everything else.
pub(super) const FAST_ATTRIBUTES: &[&str] = &["alt", "class", "dir", "lang", "title"];

/// The URL attributes the fast path accepts (a subset of [`URL_ATTRIBUTES`]).
pub(super) const FAST_URL_ATTRIBUTES: &[(&str, &str)] = &[("a", "href"), ("img", "src")];

/// Elements kept: ammonia's default set of harmless markup, plus the media and layout elements
/// blogs use (audio/video with sources, sections, tfoot, font, big). Never: script, style,
/// iframe/frame, object/embed/applet, form controls, meta, link, base, noscript. Drawings and
/// formulas come from [`SVG_TAGS`] and [`MATH_TAGS`].
pub(super) const TAGS: &[&str] = &[
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
pub(super) const SVG_TAGS: &[&str] = &[
    "svg", "g", "desc", "circle", "ellipse", "line", "path", "polygon", "polyline", "rect", "text",
    "tspan",
];

/// SVG presentation and geometry attributes (`fill`/`stroke` lose any `url(…)` reference, see
/// `clean::filter_attribute`). `xmlns` and `xlink` (that is `xmlns:xlink`) are the namespace
/// declarations feeds write; the parser has already placed the elements in SVG.
pub(super) const SVG_ATTRIBUTES: &[&str] = &[
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
pub(super) const MATH_TAGS: &[&str] = &[
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
pub(super) const MATH_ATTRIBUTES: &[&str] = &[
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
pub(super) const GENERIC_ATTRIBUTES: &[&str] = &[
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
/// `srcset` are handled in `clean::filter_attribute`).
pub(super) const URL_ATTRIBUTES: &[(&str, &[&str])] = &[
    ("a", &["href"]),
    ("area", &["href"]),
    ("img", &["src", "srcset"]),
    ("audio", &["src"]),
    ("video", &["src", "poster"]),
    ("source", &["src", "srcset"]),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Everything the fast path may write is allowed by the full allowlist, or the two paths
    /// would disagree about what is safe.
    #[test]
    fn fast_subsets_are_inside_the_policy() {
        for tag in FAST_INLINE
            .iter()
            .chain(FAST_BLOCK)
            .chain(FAST_PHRASING_BLOCK)
        {
            assert!(TAGS.contains(tag), "{tag}");
        }
        for tag in FAST_PHRASING_BLOCK {
            assert!(FAST_BLOCK.contains(tag), "{tag}");
        }
        for attr in FAST_ATTRIBUTES {
            assert!(GENERIC_ATTRIBUTES.contains(attr), "{attr}");
        }
        for (tag, attr) in FAST_URL_ATTRIBUTES {
            let allowed = URL_ATTRIBUTES.iter().find(|(t, _)| t == tag);
            assert!(
                allowed.is_some_and(|(_, attrs)| attrs.contains(attr)),
                "{tag} {attr}"
            );
        }
        for scheme in WEB_SCHEMES {
            assert!(link_scheme(scheme), "{scheme}");
        }
        for (tag, _, _) in PAGE_ATTRIBUTES {
            assert!(TAGS.contains(tag), "{tag}");
        }
    }
}
