//! Parser tests for issue #23's rules: members' feeds as they really are (authors in every
//! form, Dublin Core titles, bare markup in RSS, windows-1252, Atom links given as text,
//! declarations that are only text, plain-text titles, the words of drawing captions).

use chrono::{DateTime, TimeZone, Utc};
use url::Url;

use super::parse_feed;
use crate::model::ParsedFeed;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 10, 12, 0, 0).unwrap()
}

fn parse_bytes(body: &[u8]) -> ParsedFeed {
    let base = Url::parse("https://blog.example/feed/").unwrap();
    parse_feed(body, &base, None, now()).expect("parses")
}

fn parse(xml: &str) -> ParsedFeed {
    parse_bytes(xml.as_bytes())
}

fn rss_items(items: &str) -> ParsedFeed {
    parse(&format!(
        "<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
         xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\" \
         xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">\
         <channel><title>T</title>{items}</channel></rss>"
    ))
}

#[test]
fn authors_in_every_form_show_the_name() {
    let cases = [
        (
            "<author>erin@example.org (Zoë Erin Haddad)</author>",
            "Zoë Erin Haddad",
        ),
        (
            "<author>Zoë Erin Haddad (erin@example.org)</author>",
            "Zoë Erin Haddad",
        ),
        ("<author>(Zoë Erin Haddad)</author>", "Zoë Erin Haddad"),
        (
            "<author>Zoë Erin Haddad &lt;erin@example.org&gt;</author>",
            "Zoë Erin Haddad",
        ),
        ("<author>erin@example.org</author>", "erin@example.org"),
        ("<author>Zoë Erin Haddad</author>", "Zoë Erin Haddad"),
        (
            "<dc:creator>erin@example.org (Zoë Erin Haddad)</dc:creator>",
            "Zoë Erin Haddad",
        ),
        (
            "<dc:creator>Zoë Erin Haddad &lt;erin@example.org&gt;</dc:creator>",
            "Zoë Erin Haddad",
        ),
        (
            "<dc:author>(Zoë Erin Haddad)</dc:author>",
            "Zoë Erin Haddad",
        ),
        (
            "<itunes:author>erin@example.org (Zoë Erin Haddad)</itunes:author>",
            "Zoë Erin Haddad",
        ),
        (
            "<itunes:author>Zoë Erin Haddad</itunes:author>",
            "Zoë Erin Haddad",
        ),
        ("<author>mailto:erin@example.org (Zoë)</author>", "Zoë"),
    ];
    for (element, name) in cases {
        let f = rss_items(&format!("<item><guid>1</guid>{element}</item>"));
        assert_eq!(f.entries[0].author.as_deref(), Some(name), "{element}");
        // The address is kept apart, whatever the form.
        let email = element.contains("erin@").then_some("erin@example.org");
        assert_eq!(f.entries[0].author_email.as_deref(), email, "{element}");
    }
    // The feed's own author too.
    let f = parse(
        "<rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\"><channel>\
         <itunes:author>ed@example.org (Ed Itor)</itunes:author>\
         <item><guid>1</guid></item></channel></rss>",
    );
    assert_eq!(f.author.as_deref(), Some("Ed Itor"));
}

#[test]
fn an_authors_address_is_kept_apart_from_the_name() {
    // Atom gives it in its own element.
    let f = parse(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T</title><id>urn:t</id>\
         <updated>2026-01-01T00:00:00Z</updated><entry><id>urn:1</id><title>x</title>\
         <updated>2026-01-01T00:00:00Z</updated>\
         <author><name>Zoë Haddad</name><email>zoe@example.org</email></author></entry></feed>",
    );
    let e = &f.entries[0];
    assert_eq!(e.author.as_deref(), Some("Zoë Haddad"));
    assert_eq!(e.author_email.as_deref(), Some("zoe@example.org"));
    // Not an address, or not one to publish: kept out.
    for element in [
        "<author>Zoë (@zoe)</author>",
        "<author>Zoë zoe@localhost</author>",
        "<author>Zoë &lt;zoe@@example.org&gt;</author>",
    ] {
        let f = rss_items(&format!("<item><guid>1</guid>{element}</item>"));
        assert_eq!(f.entries[0].author_email, None, "{element}");
        assert!(f.entries[0].author.is_some(), "{element}");
    }
    // A post whose author's address changed is an edit (its fingerprint moves).
    let a = rss_items("<item><guid>1</guid><author>a@example.org (A)</author></item>");
    let b = rss_items("<item><guid>1</guid><author>b@example.org (A)</author></item>");
    assert_ne!(a.entries[0].content_hash, b.entries[0].content_hash);
}

#[test]
fn dublin_core_title_stands_in_for_a_missing_title() {
    let f = parse(
        r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
            xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
        <channel rdf:about="https://repo.example/"><title>Repo</title><link>https://repo.example/</link></channel>
        <item rdf:about="https://repo.example/1"><dc:title>Thesis &amp; notes</dc:title><link>https://repo.example/1</link></item>
        <item rdf:about="https://repo.example/2"><title>Own</title><dc:title>Other</dc:title><link>https://repo.example/2</link></item>
        </rdf:RDF>"#,
    );
    assert_eq!(f.entries[0].title.as_deref(), Some("Thesis & notes"));
    assert_eq!(f.entries[1].title.as_deref(), Some("Own"));
    let f = rss_items("<item><guid>1</guid><dc:title>From DC</dc:title></item>");
    assert_eq!(f.entries[0].title.as_deref(), Some("From DC"));
}

#[test]
fn bare_markup_in_rss_bodies_is_kept() {
    let f = rss_items(
        "<item><guid>1</guid><description><p>One <em>two</em> <a href=\"/x\">three</a></p><p>four</p></description></item>\
         <item><guid>2</guid><content:encoded><div><p>Body <b>bold</b></p></div></content:encoded></item>",
    );
    let s = f.entries[0].summary.as_deref().unwrap_or_default();
    assert!(s.contains("<p>One <em>two</em>"), "{s}");
    assert!(
        s.contains("https://blog.example/x") && s.contains("four"),
        "{s}"
    );
    let c = f.entries[1].content.as_deref().unwrap_or_default();
    assert!(c.contains("<b>bold</b>"), "{c}");
}

#[test]
fn drawing_captions_keep_the_words_of_their_phrasing() {
    let f = rss_items(
        "<item><guid>1</guid><description><![CDATA[<svg viewBox=\"0 0 9 9\">\
         <title>The <b>LoC</b> chart</title>\
         <desc>Holdings by <abbr title=\"Library of Congress\">LoC</abbr> class, <em>rough</em>\
         <script>alert(1)</script><img src=\"x\" onerror=\"alert(1)\"></desc>\
         <circle r=\"4\"/></svg>]]></description></item>",
    );
    let s = f.entries[0].summary.as_deref().unwrap_or_default();
    assert!(s.contains("<title>The LoC chart</title>"), "{s}");
    assert!(
        s.contains("<desc>Holdings by LoC class, rough</desc>"),
        "{s}"
    );
    for gone in ["script", "alert", "<img", "onerror"] {
        assert!(!s.contains(gone), "{gone} in {s}");
    }
    // Outside a caption, phrasing keeps its tags.
    let f = rss_items(
        "<item><guid>2</guid><description>&lt;em&gt;kept&lt;/em&gt;</description></item>",
    );
    assert!(f.entries[0]
        .summary
        .as_deref()
        .unwrap_or_default()
        .contains("<em>kept</em>"));
}

#[test]
fn latin1_reads_as_windows_1252() {
    let f = parse_bytes(
        b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel>\
          <item><guid>1</guid><title>It\x92s \x93quoted\x94 \x96 \x80 5\x85</title>\
          <description>&lt;p&gt;Don&amp;#146;t &amp;#147;x&amp;#148;&lt;/p&gt;</description></item>\
          <item><guid>2</guid><title>Ref &#146; &#x93;</title></item>\
          </channel></rss>",
    );
    assert_eq!(
        f.entries[0].title.as_deref(),
        Some("It\u{2019}s \u{201c}quoted\u{201d} \u{2013} \u{20ac} 5\u{2026}")
    );
    let s = f.entries[0].summary.as_deref().unwrap();
    assert!(s.contains("Don\u{2019}t \u{201c}x\u{201d}"), "{s}");
    assert_eq!(f.entries[1].title.as_deref(), Some("Ref \u{2019} \u{201c}"));
    // No C1 control anywhere.
    for e in &f.entries {
        let all = format!("{:?}{:?}", e.title, e.summary);
        assert!(
            !all.chars().any(|c| ('\u{80}'..='\u{9f}').contains(&c)),
            "{all}"
        );
    }
}

#[test]
fn atom_links_as_text_and_alternate_first() {
    for feed in [
        r#"<feed version="0.3" xmlns="http://purl.org/atom/ns#"><entry>
            <link rel="enclosure" type="audio/mpeg">https://blog.example/a.mp3</link>
            <link rel="alternate" type="text/html">https://blog.example/post</link></entry></feed>"#,
        r#"<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id><title>t</title>
            <link rel="related" href="https://other.example/"/><link rel="self" href="https://blog.example/self"/>
            <link rel="replies" href="https://blog.example/c"/><link rel="enclosure" href="https://blog.example/a.mp3"/>
            <link rel="alternate">https://blog.example/post</link></entry></feed>"#,
        r#"<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id><title>t</title>
            <link rel="related" href="https://other.example/"/>
            <link href="https://blog.example/post"/></entry></feed>"#,
    ] {
        let f = parse(feed);
        assert_eq!(
            f.entries[0].link.as_deref(),
            Some("https://blog.example/post"),
            "{feed}"
        );
    }
}

#[test]
fn declaration_lookalikes_are_text_and_drop_nothing() {
    let f = rss_items(
        "<item><guid>1</guid><description>&lt;!' &lt;a href=\"foo\"&gt;</description></item>\
         <item><guid>2</guid><description><![CDATA[ <!DOCTYPE ]]></description></item>\
         <item><guid>3</guid><title>A lone &lt;! here</title><description>&lt;!</description></item>\
         <item><guid>4</guid><description>after</description></item>",
    );
    assert_eq!(f.entries.len(), 4);
    let s = f.entries[0].summary.as_deref().unwrap_or_default();
    assert!(s.contains("&lt;!'"), "{s}");
    assert!(f.entries[1]
        .summary
        .as_deref()
        .unwrap_or_default()
        .contains("&lt;!DOCTYPE"));
    assert_eq!(f.entries[2].title.as_deref(), Some("A lone <! here"));
    assert_eq!(f.entries[3].summary.as_deref(), Some("after"));
}

#[test]
fn plain_text_titles_stay_text() {
    let json = parse(
        r#"{"version": "https://jsonfeed.org/version/1.1", "title": "Feed <b>bold</b>",
            "items": [{"id": "1", "title": "Why <iframe> is bad", "content_text": "x"}]}"#,
    );
    assert_eq!(json.title.as_deref(), Some("Feed <b>bold</b>"));
    assert_eq!(
        json.entries[0].title.as_deref(),
        Some("Why <iframe> is bad")
    );
    let atom = parse(
        r#"<feed xmlns="http://www.w3.org/2005/Atom"><title type="text">A &lt;b&gt; feed</title>
        <entry><id>1</id><title type="text">Why &lt;iframe&gt; is bad</title></entry>
        <entry><id>2</id><title>Why &lt;iframe&gt; is bad</title></entry>
        <entry><id>3</id><title type="html">Why &lt;b&gt;this&lt;/b&gt;</title></entry></feed>"#,
    );
    assert_eq!(atom.title.as_deref(), Some("A <b> feed"));
    assert_eq!(
        atom.entries[0].title.as_deref(),
        Some("Why <iframe> is bad")
    );
    assert_eq!(
        atom.entries[1].title.as_deref(),
        Some("Why <iframe> is bad")
    );
    assert_eq!(atom.entries[2].title.as_deref(), Some("Why this"));
    // RSS titles are read as HTML, as feed readers do.
    let rss = rss_items("<item><guid>1</guid><title>Why &lt;b&gt;this&lt;/b&gt;</title></item>");
    assert_eq!(rss.entries[0].title.as_deref(), Some("Why this"));
}

#[test]
fn rss_items_without_a_channel_are_read() {
    let f =
        parse("<rss>\n<item><guid>1</guid>\n<description>&lt;!' x</description>\n</item>\n</rss>");
    assert_eq!(f.entries.len(), 1);
    assert_eq!(f.entries[0].summary.as_deref(), Some("&lt;!' x"));
}
