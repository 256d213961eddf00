//! Guards the planet's language (`[planet] lang`): each built-in language gives the pages their
//! `lang`, their day names (chrono's locales) and their interface strings; `strings.toml` in
//! the theme folder overrides a string, and an unknown key there is an error listing the known
//! ones; a language without built-in strings falls back to English with a warning from
//! `check`; a post whose feed declares another language carries it as `lang` on its article.

mod common;

use common::*;

/// A feed with one post on Sunday 1 March 2026 (the controlled clock's day).
fn one_post(extra_channel: &str) -> String {
    format!(
        "<rss version=\"2.0\"><channel><title>Blog</title><link>https://blog.example/</link>\
         {extra_channel}<item><title>Hello</title><guid>p1</guid><link>https://blog.example/1</link>\
         <pubDate>Sun, 01 Mar 2026 09:00:00 GMT</pubDate><description>Text</description></item>\
         </channel></rss>"
    )
}

fn planet_in(lang: Option<&str>, server: &FeedServer) -> Planet {
    let mut planet = Planet::new();
    if let Some(lang) = lang {
        planet.planet_extra = format!("lang = {lang:?}");
    }
    planet.feed(&server.url("/feed.xml"), "Alice");
    planet
}

fn update(planet: &Planet) -> std::process::Output {
    let config = planet.write_config();
    let out = mercury_env(
        &config,
        &["update"],
        &[("MERCURY_TEST_NOW", "2026-03-01T12:00:00Z")],
    );
    assert!(out.status.success(), "{}", describe(&out));
    out
}

#[test]
fn each_built_in_language_names_days_and_strings() {
    let server = FeedServer::start();
    server.feed("/feed.xml", &one_post(""), RSS);
    // (lang, the page's lang, Sunday, March, the sidebar's "Members")
    for (lang, page_lang, sunday, march, members) in [
        (None, "en", "Sunday", "March", ">Members<"),
        (Some("en"), "en", "Sunday", "March", ">Members<"),
        (Some("fr"), "fr", "dimanche", "mars", ">Membres<"),
        (Some("de"), "de", "Sonntag", "März", ">Mitglieder<"),
        (Some("es"), "es", "domingo", "marzo", ">Miembros<"),
        (Some("nl"), "nl", "zondag", "maart", ">Leden<"),
        (Some("fr-CA"), "fr-CA", "dimanche", "mars", ">Membres<"),
    ] {
        let planet = planet_in(lang, &server);
        update(&planet);
        for page in ["index.html", "status.html"] {
            let html = planet.read(page);
            assert!(
                html.contains(&format!("<html lang=\"{page_lang}\">")),
                "{lang:?} {page}: {}",
                &html[..200.min(html.len())]
            );
        }
        let index = planet.read("index.html");
        assert!(
            index.contains(sunday) && index.contains(march),
            "{lang:?}: no {sunday:?} / {march:?} in the day heading"
        );
        assert!(index.contains(members), "{lang:?}: no {members:?}");
        if lang.is_some_and(|l| l != "en") {
            assert!(
                !index.contains("Sunday") && !index.contains(">Members<"),
                "{lang:?}: English left on the page"
            );
        }
    }
}

#[test]
fn french_page_in_full() {
    let server = FeedServer::start();
    server.feed("/feed.xml", &one_post(""), RSS);
    let planet = planet_in(Some("fr"), &server);
    update(&planet);
    let index = planet.read("index.html");
    assert!(index.contains("<html lang=\"fr\">"));
    assert!(index.contains("dimanche 1 mars 2026"), "day heading");
    assert!(index.contains("Aller aux billets"), "skip link");
    assert!(index.contains("Les heures sont données en Europe/London."));
    let status = planet.read("status.html");
    assert!(status.contains("État des flux") && status.contains("Prochain essai"));
    // The merged feeds say the planet's language too.
    assert!(planet.read("rss.xml").contains("<language>fr</language>"));
    assert_eq!(planet.json_feed()["language"], "fr");
    // The digest is named in the planet's language, in the header and as an alternate feed.
    assert!(
        index.contains("title=\"Résumé de la semaine\" href=\"digest.xml\""),
        "digest alternate link"
    );
    assert!(index.contains(">Résumé de la semaine</a>"), "digest link");
    assert!(planet.read("digest.xml").contains("Résumé de la semaine"));
    // The digest's own pages speak it too: counts, dates and the period's name.
    let digests = planet.read("digest/index.html");
    assert!(
        digests.contains("Les billets de chaque période, réunis."),
        "{digests}"
    );
    assert!(
        digests.contains("1 billet de 1 membre pour l’instant"),
        "{digests}"
    );
    assert!(
        digests.contains("Semaine 9, 2026 : 23 février – 1 mars 2026"),
        "{digests}"
    );
    let week = planet.read("digest/2026-W09.html");
    assert!(week.contains("1 mars 2026, 09:00"), "{week}");
    assert!(
        !week.contains("Subscribe") && !week.contains(" by "),
        "{week}"
    );
}

#[test]
fn strings_toml_overrides_win() {
    let server = FeedServer::start();
    server.feed("/feed.xml", &one_post(""), RSS);
    let planet = planet_in(Some("fr"), &server);
    let theme = planet.dir.path().join("templates");
    std::fs::create_dir_all(&theme).unwrap();
    std::fs::write(
        theme.join("strings.toml"),
        "# Our own words\nmembers = \"Nos blogueurs\"\nday_heading = \"%A %-d %B\"\n",
    )
    .unwrap();
    let check = planet.mercury(&["check"]);
    assert!(check.status.success(), "{}", describe(&check));
    update(&planet);
    let index = planet.read("index.html");
    assert!(index.contains(">Nos blogueurs<"), "override of a string");
    assert!(!index.contains(">Membres<"));
    assert!(
        index.contains(">dimanche 1 mars<"),
        "override of a date pattern"
    );
    assert!(
        index.contains("Aller aux billets"),
        "the other strings stay French"
    );
    assert!(
        !planet.out("strings.toml").exists(),
        "strings.toml is read, not published"
    );
}

#[test]
fn unknown_key_in_strings_toml_is_an_error_listing_the_known_ones() {
    let server = FeedServer::start();
    server.feed("/feed.xml", &one_post(""), RSS);
    let planet = planet_in(Some("fr"), &server);
    let theme = planet.dir.path().join("templates");
    std::fs::create_dir_all(&theme).unwrap();
    let strings = theme.join("strings.toml");
    std::fs::write(&strings, "read_more = \"Lire\"\nolder_post = \"Avant\"\n").unwrap();

    let check = planet.mercury(&["check"]);
    assert_eq!(check.status.code(), Some(2), "{}", describe(&check));
    let err = String::from_utf8_lossy(&check.stderr);
    assert!(
        err.contains(&format!("{}:2: older_post: unknown key", strings.display())),
        "{err}"
    );
    assert!(
        err.contains("older_posts") && err.contains("read_more") && err.contains("members"),
        "lists the known keys: {err}"
    );

    // A render stops before writing anything.
    let update = planet.mercury(&["update"]);
    assert_eq!(update.status.code(), Some(1), "{}", describe(&update));
    assert!(String::from_utf8_lossy(&update.stderr).contains("older_post: unknown key"));
    assert!(!planet.out("index.html").exists());
}

#[test]
fn unsupported_language_falls_back_to_english_with_a_warning() {
    let server = FeedServer::start();
    server.feed("/feed.xml", &one_post(""), RSS);
    let planet = planet_in(Some("it"), &server);
    let check = planet.mercury(&["check"]);
    assert!(check.status.success(), "{}", describe(&check));
    let err = String::from_utf8_lossy(&check.stderr);
    assert!(
        err.contains("planet.lang") && err.contains("no built-in interface strings for \"it\""),
        "{err}"
    );
    update(&planet);
    let index = planet.read("index.html");
    assert!(index.contains("<html lang=\"it\">"));
    assert!(index.contains(">Members<"), "English strings");
    assert!(
        index.contains("domenica"),
        "Italian day names from chrono's locale"
    );

    // A malformed tag is a config error.
    let bad = planet_in(Some("fr_FR"), &server);
    let check = bad.mercury(&["check"]);
    assert_eq!(check.status.code(), Some(2), "{}", describe(&check));
    assert!(String::from_utf8_lossy(&check.stderr)
        .contains("planet.lang: \"fr_FR\" is not a language tag"));
}

#[test]
fn a_post_carries_its_feeds_declared_language() {
    let server = FeedServer::start();
    server.feed("/rss.xml", &one_post("<language>de-DE</language>"), RSS);
    server.feed(
        "/atom.xml",
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"es\"><title>A</title><id>urn:a</id>\
         <updated>2026-03-01T08:00:00Z</updated>\
         <entry><title>Hola</title><id>urn:a:1</id><link href=\"https://a.example/1\"/>\
         <updated>2026-03-01T08:00:00Z</updated><content>x</content></entry>\
         <entry xml:lang=\"nl\"><title>Hallo</title><id>urn:a:2</id><link href=\"https://a.example/2\"/>\
         <updated>2026-03-01T07:00:00Z</updated><content>y</content></entry></feed>",
        ATOM,
    );
    server.feed(
        "/feed.json",
        r#"{"version":"https://jsonfeed.org/version/1.1","title":"J","language":"pt-BR",
            "items":[{"id":"j1","url":"https://j.example/1","title":"Olá","content_text":"z",
            "date_published":"2026-03-01T06:00:00Z"}]}"#,
        "application/feed+json",
    );
    server.feed(
        "/fr.xml",
        &one_post("<language>fr</language>")
            .replace("p1", "f1")
            .replace("blog.example/1", "blog.example/f"),
        RSS,
    );
    server.feed(
        "/bad.xml",
        &one_post("<language>\"&gt;&lt;b&gt;</language>")
            .replace("p1", "b1")
            .replace("blog.example/1", "blog.example/b"),
        RSS,
    );
    let mut planet = Planet::new();
    planet.planet_extra = "lang = \"fr\"".into();
    planet.feed(&server.url("/rss.xml"), "R");
    planet.feed(&server.url("/atom.xml"), "A");
    planet.feed(&server.url("/feed.json"), "J");
    planet.feed(&server.url("/fr.xml"), "F");
    planet.feed(&server.url("/bad.xml"), "B");
    update(&planet);
    let index = planet.read("index.html");
    // (Each post has its own link: one post carried by two members is shown once.)
    let langs: Vec<&str> = index
        .match_indices("<article ")
        .map(|(i, _)| &index[i..i + index[i..].find('>').unwrap()])
        .collect();
    assert_eq!(langs.len(), 6, "{langs:?}");
    for want in [
        "lang=\"de-DE\"",
        "lang=\"es\"",
        "lang=\"nl\"",
        "lang=\"pt-BR\"",
    ] {
        assert_eq!(
            langs.iter().filter(|a| a.contains(want)).count(),
            1,
            "{want} in {langs:?}"
        );
    }
    assert_eq!(
        langs.iter().filter(|a| a.contains("lang=")).count(),
        4,
        "the planet's own language and a malformed one are not marked: {langs:?}"
    );
    // JSON Feed items carry it as `language`.
    let json = planet.json_feed();
    let item_langs: Vec<&str> = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["language"].as_str())
        .collect();
    for want in ["de-DE", "es", "nl", "pt-BR", "fr"] {
        assert!(item_langs.contains(&want), "{want} in {item_langs:?}");
    }
}

#[test]
fn a_member_page_explains_in_the_planets_language() {
    let server = FeedServer::start();
    let sponsored = "<item><title>Sponsored: buy</title><guid>p0</guid>\
         <link>https://blog.example/0</link><pubDate>Sun, 01 Mar 2026 08:00:00 GMT</pubDate>\
         <description>Ad</description></item>";
    server.feed("/feed.xml", &one_post(sponsored), RSS);
    let mut planet = planet_in(Some("fr"), &server);
    planet.planet_extra.push_str("\nignore = \"^Sponsored\"");
    update(&planet);
    let page = planet.read("members/alice/index.html");
    // A hidden post's reason, and a feed-quality hint with what to do, all in French.
    assert!(
        page.contains("masqué par le filtre de sujets ignore = "),
        "{page}"
    );
    assert!(page.contains("Le flux ne porte que des extraits des billets"));
    assert!(page.contains("Que faire :"));
    assert!(!page.contains("hidden by the topic filter"));
}
