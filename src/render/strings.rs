//! The interface strings of the pages and of the merged feeds' titles, in the planet's language:
//! built-in tables for English, French, German, Spanish and Dutch, each string overridable in
//! `<theme>/strings.toml`, keyed in snake_case after its English text (`older_posts = "…"`).
//!
//! In: the planet's language tag and the theme folder. Out: [`Strings`], one field per string,
//! or a [`StringsError`] naming the file, the line and the key (an unknown key lists the known
//! ones). Placeholders in braces (`{site}`, `{n}`) are filled by [`fill`]; date patterns are
//! chrono's (`%A` the day's name, `%B` the month's), formatted in the planet's locale.

use std::path::{Path, PathBuf};

macro_rules! strings {
    ($( $(#[$doc:meta])* $key:ident: [$en:expr, $fr:expr, $de:expr, $es:expr, $nl:expr] ),* $(,)?) => {
        /// Every interface string, in one language (with the admin's overrides).
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct Strings {
            $( $(#[$doc])* pub $key: String, )*
        }

        /// Every key `strings.toml` may hold, in the order of the table.
        pub const KEYS: &[&str] = &[ $( stringify!($key), )* ];

        impl Strings {
            /// The built-in strings of `lang` (one of `crate::lang::BUILT_IN`; English otherwise).
            pub fn built_in(lang: &str) -> Strings {
                let column = match crate::lang::built_in(lang) {
                    Some("fr") => 1,
                    Some("de") => 2,
                    Some("es") => 3,
                    Some("nl") => 4,
                    _ => 0,
                };
                Strings { $( $key: [$en, $fr, $de, $es, $nl][column].to_string(), )* }
            }

            /// The field named `key`, if there is one.
            fn field(&mut self, key: &str) -> Option<&mut String> {
                match key {
                    $( stringify!($key) => Some(&mut self.$key), )*
                    _ => None,
                }
            }
        }
    };
}

strings! {
    skip_to_the_posts: ["Skip to the posts", "Aller aux billets", "Zu den Beiträgen", "Ir a las entradas", "Naar de berichten"],
    no_posts_yet: [
        "No posts yet. They appear here after the next refresh.",
        "Pas encore de billets. Ils apparaîtront ici après la prochaine mise à jour.",
        "Noch keine Beiträge. Sie erscheinen hier nach der nächsten Aktualisierung.",
        "Todavía no hay entradas. Aparecerán aquí tras la próxima actualización.",
        "Nog geen berichten. Ze verschijnen hier na de volgende verversing."
    ],
    /// The title of an archive page.
    site_page_n: ["{site} · page {n}", "{site} · page {n}", "{site} · Seite {n}", "{site} · página {n}", "{site} · pagina {n}"],
    all_posts_of_the_planet: ["All posts of the planet", "Tous les billets de la planète", "Alle Beiträge des Planeten", "Todas las entradas del planeta", "Alle berichten van de planeet"],
    subscribe: ["Subscribe", "S’abonner", "Abonnieren", "Suscribirse", "Abonneren"],
    opml_all_members: ["OPML (all members)", "OPML (tous les membres)", "OPML (alle Mitglieder)", "OPML (todos los miembros)", "OPML (alle leden)"],
    pages: ["Pages", "Pages", "Seiten", "Páginas", "Pagina’s"],
    newer_posts: ["← Newer posts", "← Billets plus récents", "← Neuere Beiträge", "← Entradas más recientes", "← Nieuwere berichten"],
    older_posts: ["Older posts →", "Billets plus anciens →", "Ältere Beiträge →", "Entradas anteriores →", "Oudere berichten →"],
    page_n_of_count: ["Page {n} of {count}", "Page {n} sur {count}", "Seite {n} von {count}", "Página {n} de {count}", "Pagina {n} van {count}"],
    /// The heading of a day of posts (a chrono pattern).
    day_heading: ["%A, %-d %B %Y", "%A %-d %B %Y", "%A, %-d. %B %Y", "%A, %-d de %B de %Y", "%A %-d %B %Y"],
    /// A full date and time (a chrono pattern): the footer and the status page.
    date_time: ["%-d %B %Y, %H:%M %Z", "%-d %B %Y, %H:%M %Z", "%-d. %B %Y, %H:%M %Z", "%-d de %B de %Y, %H:%M %Z", "%-d %B %Y, %H:%M %Z"],
    last_refreshed: ["Last refreshed {time}.", "Dernière mise à jour le {time}.", "Zuletzt aktualisiert am {time}.", "Última actualización: {time}.", "Laatst ververst op {time}."],
    times_are_shown_in: ["Times are shown in {zone}.", "Les heures sont données en {zone}.", "Zeiten in {zone}.", "Las horas se muestran en {zone}.", "Tijden in {zone}."],
    made_with_mercury: ["Made with Mercury.", "Fait avec Mercury.", "Erstellt mit Mercury.", "Hecho con Mercury.", "Gemaakt met Mercury."],
    run_by: ["Run by {owner}.", "Tenu par {owner}.", "Betrieben von {owner}.", "A cargo de {owner}.", "Beheerd door {owner}."],
    untitled: ["(untitled)", "(sans titre)", "(ohne Titel)", "(sin título)", "(zonder titel)"],
    by_author: [" · by {author}", " · par {author}", " · von {author}", " · por {author}", " · door {author}"],
    read_more: ["Read more", "Lire la suite", "Weiterlesen", "Seguir leyendo", "Lees verder"],
    the_post: ["the post", "le billet", "der Beitrag", "la entrada", "het bericht"],
    /// Before the other members who carry the same post (a cross-post shown once).
    also_on: ["also on:", "aussi chez :", "auch bei:", "también en:", "ook bij:"],
    /// The digest's name (`[planet] digest`): the page header's link, the alternate link's title
    /// and `digest.xml`'s title.
    /// A member page's line on the planet's WebSub subscription to the member's hub.
    real_time_updates: ["Real-time updates (WebSub)", "Mises à jour en temps réel (WebSub)", "Echtzeit-Aktualisierungen (WebSub)", "Actualizaciones en tiempo real (WebSub)", "Realtime-updates (WebSub)"],
    weekly_digest: ["Weekly digest", "Résumé de la semaine", "Wochenrückblick", "Resumen semanal", "Weekoverzicht"],
    daily_digest: ["Daily digest", "Résumé du jour", "Tagesrückblick", "Resumen diario", "Dagoverzicht"],
    monthly_digest: ["Monthly digest", "Résumé du mois", "Monatsrückblick", "Resumen mensual", "Maandoverzicht"],
    topics_and_members: ["Topics and members", "Thèmes et membres", "Themen und Mitglieder", "Temas y miembros", "Onderwerpen en leden"],
    topics: ["Topics", "Thèmes", "Themen", "Temas", "Onderwerpen"],
    members: ["Members", "Membres", "Mitglieder", "Miembros", "Leden"],
    feed_of: ["Feed of {name}", "Flux de {name}", "Feed von {name}", "Fuente de {name}", "Feed van {name}"],
    feed: ["(feed)", "(flux)", "(Feed)", "(fuente)", "(feed)"],
    the_feed_answered_410_gone: [
        "The feed answered 410 Gone", "Le flux a répondu 410 Gone", "Der Feed antwortete 410 Gone",
        "La fuente respondió 410 Gone", "De feed antwoordde 410 Gone"
    ],
    gone: ["✖ gone", "✖ disparu", "✖ entfernt", "✖ desaparecido", "✖ verdwenen"],
    failing: ["failing", "en échec", "fehlerhaft", "con errores", "werkt niet"],
    not_updating: ["⚠ not updating", "⚠ pas à jour", "⚠ nicht aktuell", "⚠ sin actualizar", "⚠ niet bijgewerkt"],
    /// The title of a tag's sub-planet and of its merged feeds.
    topic_title: ["{site} · {tag}", "{site} · {tag}", "{site} · {tag}", "{site} · {tag}", "{site} · {tag}"],
    topic_description: [
        "Posts of the {site} members who write about {tag}.",
        "Les billets des membres de {site} qui écrivent sur {tag}.",
        "Beiträge der Mitglieder von {site}, die über {tag} schreiben.",
        "Entradas de los miembros de {site} que escriben sobre {tag}.",
        "Berichten van de leden van {site} die schrijven over {tag}."
    ],
    skip_to_the_feeds: ["Skip to the feeds", "Aller aux flux", "Zu den Feeds", "Ir a las fuentes", "Naar de feeds"],
    feed_status: ["Feed status", "État des flux", "Feed-Status", "Estado de las fuentes", "Status van de feeds"],
    feeds_failing: ["{n} feeds, {failing} failing.", "{n} flux, {failing} en échec.", "{n} Feeds, {failing} fehlerhaft.", "{n} fuentes, {failing} con errores.", "{n} feeds, {failing} werken niet."],
    generated: ["Generated {time}.", "Généré le {time}.", "Erstellt am {time}.", "Generado el {time}.", "Gemaakt op {time}."],
    back_to: ["Back to {site}", "Retour à {site}", "Zurück zu {site}", "Volver a {site}", "Terug naar {site}"],
    member: ["Member", "Membre", "Mitglied", "Miembro", "Lid"],
    last_success: ["Last success", "Dernier succès", "Letzter Erfolg", "Último éxito", "Laatste succes"],
    http: ["HTTP", "HTTP", "HTTP", "HTTP", "HTTP"],
    failures: ["Failures", "Échecs", "Fehler", "Fallos", "Mislukkingen"],
    next_try: ["Next try", "Prochain essai", "Nächster Versuch", "Próximo intento", "Volgende poging"],
    entries: ["Entries", "Billets", "Beiträge", "Entradas", "Berichten"],
    last_post: ["Last post", "Dernier billet", "Letzter Beitrag", "Última entrada", "Laatste bericht"],
    notes: ["Notes", "Remarques", "Hinweise", "Notas", "Opmerkingen"],
    never_gone: ["never (gone)", "jamais (disparu)", "nie (entfernt)", "nunca (desaparecida)", "nooit (verdwenen)"],
    ok: ["ok", "ok", "ok", "ok", "ok"],
    download: ["Download", "Télécharger", "Herunterladen", "Descargar", "Downloaden"],
    /// The label of the links between the posts and the members pages.
    planet: ["Planet", "Planète", "Planet", "Planeta", "Planeet"],
    posts: ["Posts", "Billets", "Beiträge", "Entradas", "Berichten"],
    jump_to_the_members_list: ["Jump to the members list", "Aller à la liste des membres", "Zur Mitgliederliste", "Ir a la lista de miembros", "Naar de ledenlijst"],
    /// The stale banner, when the planet's last good refresh is too old.
    not_updated_since: [
        "This planet has not been updated since {time}. Its posts may be out of date.",
        "Cette planète n’a pas été mise à jour depuis le {time}. Ses billets ne sont peut-être plus à jour.",
        "Dieser Planet wurde seit {time} nicht aktualisiert. Seine Beiträge sind vielleicht veraltet.",
        "Este planeta no se actualiza desde el {time}. Sus entradas pueden estar desactualizadas.",
        "Deze planeet is sinds {time} niet ververst. De berichten zijn misschien verouderd."
    ],
    /// A member's last post in the sidebar.
    last_post_on: ["last post {date}", "dernier billet le {date}", "letzter Beitrag am {date}", "última entrada el {date}", "laatste bericht op {date}"],
    /// A short date (a chrono pattern): the sidebar.
    short_date: ["%-d %b %Y", "%-d %b %Y", "%-d. %b %Y", "%-d %b %Y", "%-d %b %Y"],
    /// A date (a chrono pattern): the members pages.
    long_date: ["%-d %B %Y", "%-d %B %Y", "%-d. %B %Y", "%-d de %B de %Y", "%-d %B %Y"],
    all_members_their_activity: [
        "All members, their activity and their feeds", "Tous les membres, leur activité et leurs flux",
        "Alle Mitglieder, ihre Aktivität und ihre Feeds", "Todos los miembros, su actividad y sus fuentes",
        "Alle leden, hun activiteit en hun feeds"
    ],
    as_json: ["As JSON", "En JSON", "Als JSON", "En JSON", "Als JSON"],
    skip_to_the_members: ["Skip to the members", "Aller aux membres", "Zu den Mitgliedern", "Ir a los miembros", "Naar de leden"],
    members_by_name: [
        "{n} members, by name. Each bar is one week of the last year.",
        "{n} membres, par nom. Chaque barre est une semaine de l’année écoulée.",
        "{n} Mitglieder, nach Namen. Jeder Balken ist eine Woche des letzten Jahres.",
        "{n} miembros, por nombre. Cada barra es una semana del último año.",
        "{n} leden, op naam. Elke balk is een week van het afgelopen jaar."
    ],
    blog: ["Blog", "Blog", "Blog", "Blog", "Blog"],
    feed_link: ["Feed", "Flux", "Feed", "Fuente", "Feed"],
    tags_list: ["Tags: {tags}", "Étiquettes : {tags}", "Schlagwörter: {tags}", "Etiquetas: {tags}", "Tags: {tags}"],
    last_post_colon: ["Last post:", "Dernier billet :", "Letzter Beitrag:", "Última entrada:", "Laatste bericht:"],
    untitled_post: ["untitled", "sans titre", "ohne Titel", "sin título", "zonder titel"],
    no_post_yet: ["No post yet.", "Pas encore de billet.", "Noch kein Beitrag.", "Todavía no hay entradas.", "Nog geen bericht."],
    in_the_last_days: ["{n} in the last {days} days.", "{n} ces {days} derniers jours.", "{n} in den letzten {days} Tagen.", "{n} en los últimos {days} días.", "{n} in de laatste {days} dagen."],
    posts_in_the_last_year: ["{n} posts in the last year", "{n} billets sur l’année écoulée", "{n} Beiträge im letzten Jahr", "{n} entradas en el último año", "{n} berichten in het afgelopen jaar"],
    one_post_in_the_last_year: ["1 post in the last year", "1 billet sur l’année écoulée", "1 Beitrag im letzten Jahr", "1 entrada en el último año", "1 bericht in het afgelopen jaar"],
    skip_to_the_members_posts: ["Skip to the member’s posts", "Aller aux billets du membre", "Zu den Beiträgen des Mitglieds", "Ir a las entradas del miembro", "Naar de berichten van het lid"],
    newest_posts_on_the_planet: ["Newest posts on the planet", "Derniers billets sur la planète", "Neueste Beiträge auf dem Planeten", "Entradas más recientes en el planeta", "Nieuwste berichten op de planeet"],
    none_on_the_pages_now: [
        "None of this member’s posts is on the planet’s pages now.",
        "Aucun billet de ce membre n’est sur les pages de la planète en ce moment.",
        "Zurzeit steht kein Beitrag dieses Mitglieds auf den Seiten des Planeten.",
        "Ninguna entrada de este miembro está ahora en las páginas del planeta.",
        "Geen enkel bericht van dit lid staat nu op de pagina’s van de planeet."
    ],
    about_this_feed: ["About this feed", "À propos de ce flux", "Über diesen Feed", "Sobre esta fuente", "Over deze feed"],
    last_fetch: ["Last fetch", "Dernière lecture", "Letzter Abruf", "Última lectura", "Laatste ophaling"],
    not_fetched_yet: ["not fetched yet", "pas encore lu", "noch nicht abgerufen", "todavía no leída", "nog niet opgehaald"],
    health: ["Health", "Santé", "Zustand", "Estado", "Gezondheid"],
    fetched_without_problems: ["fetched without problems", "lu sans problème", "ohne Probleme abgerufen", "leída sin problemas", "zonder problemen opgehaald"],
    stored_posts: ["Stored posts", "Billets enregistrés", "Gespeicherte Beiträge", "Entradas guardadas", "Opgeslagen berichten"],
    what_the_feed_could_do_better: ["What the feed could do better", "Ce que le flux pourrait mieux faire", "Was der Feed besser machen könnte", "Qué podría mejorar la fuente", "Wat de feed beter kan doen"],
    nothing_to_improve: ["Nothing: the planet reads this feed well.", "Rien : la planète lit bien ce flux.", "Nichts: der Planet liest diesen Feed gut.", "Nada: el planeta lee bien esta fuente.", "Niets: de planeet leest deze feed goed."],
    what_to_do: ["What to do:", "Que faire :", "Was zu tun ist:", "Qué hacer:", "Wat te doen:"],
    the_last_fetches: ["The last fetches", "Les dernières lectures", "Die letzten Abrufe", "Las últimas lecturas", "De laatste ophalingen"],
    none_yet: ["None yet.", "Aucun pour l’instant.", "Noch keine.", "Ninguna todavía.", "Nog geen."],
    every_stored_post: [
        "Every post the planet stored, and whether it is shown",
        "Chaque billet enregistré par la planète, et s’il est affiché",
        "Jeder Beitrag, den der Planet gespeichert hat, und ob er gezeigt wird",
        "Cada entrada que guardó el planeta, y si se muestra",
        "Elk bericht dat de planeet opsloeg, en of het getoond wordt"
    ],
    /// A stored post's state on its member's page when no reason hides it.
    shown: ["shown", "affiché", "angezeigt", "visible", "getoond"],
    n_new: ["{n} new", "{n} nouveaux", "{n} neu", "{n} nuevas", "{n} nieuw"],
}

/// A problem with `strings.toml`: what, where (file, line, key) and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StringsError {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub key: Option<String>,
    pub message: String,
}

impl std::fmt::Display for StringsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(key) = &self.key {
            write!(f, ": {key}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for StringsError {}

impl Strings {
    /// The strings of `lang` with the overrides of `<theme_dir>/strings.toml`, when it exists.
    pub fn load(lang: &str, theme_dir: &Path) -> Result<Strings, StringsError> {
        let mut strings = Strings::built_in(lang);
        let file = theme_dir.join("strings.toml");
        let text = match std::fs::read_to_string(&file) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(strings),
            Err(e) => {
                return Err(StringsError {
                    file,
                    line: None,
                    key: None,
                    message: format!("cannot read it: {e}"),
                })
            }
        };
        strings.apply(&text, &file)?;
        Ok(strings)
    }

    /// Applies the overrides in `text` (the content of `file`).
    fn apply(&mut self, text: &str, file: &Path) -> Result<(), StringsError> {
        let line_of = |offset: usize| Some(text[..offset.min(text.len())].lines().count().max(1));
        let table: toml::Table =
            toml::from_str(text).map_err(|e: toml::de::Error| StringsError {
                file: file.to_path_buf(),
                line: e.span().and_then(|s| line_of(s.start)),
                key: None,
                message: format!("{}; write one `key = \"text\"` per line", e.message()),
            })?;
        for (key, value) in table {
            let line = key_line(text, &key);
            let error = |message: String| StringsError {
                file: file.to_path_buf(),
                line,
                key: Some(key.clone()),
                message,
            };
            let Some(field) = self.field(&key) else {
                return Err(error(format!(
                    "unknown key; the keys are the English strings in snake_case: {}",
                    KEYS.join(", ")
                )));
            };
            let toml::Value::String(s) = value else {
                return Err(error(format!(
                    "is a {}, not text; write it in quotes: {key} = \"…\"",
                    value.type_str()
                )));
            };
            if s.chars().any(|c| c.is_control() && c != '\t') {
                return Err(error(
                    "holds a control character; write the text on one line".into(),
                ));
            }
            *field = s;
        }
        Ok(())
    }
}

/// The line of `key = …` in `text`, for error messages.
fn key_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let l = l.trim_start().trim_start_matches(['"', '\'']);
            l.strip_prefix(key).is_some_and(|rest| {
                rest.trim_start_matches(['"', '\''])
                    .trim_start()
                    .starts_with('=')
            })
        })
        .map(|i| i + 1)
}

/// `template` with each `{name}` replaced by its value.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// `template` split around the placeholder `{name}`: the text before it and after it (the
/// whole template and nothing when it has none), for a placeholder that becomes markup.
pub fn split<'a>(template: &'a str, name: &str) -> (&'a str, &'a str) {
    template
        .split_once(&format!("{{{name}}}"))
        .unwrap_or((template, ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_string() {
        for lang in crate::lang::BUILT_IN {
            let s = Strings::built_in(lang);
            assert!(!s.older_posts.is_empty());
        }
        assert_eq!(
            Strings::built_in("fr").older_posts,
            "Billets plus anciens →"
        );
        assert_eq!(Strings::built_in("fr-CA").read_more, "Lire la suite");
        assert_eq!(Strings::built_in("it").read_more, "Read more");
    }

    #[test]
    fn overrides_win_and_unknown_keys_are_errors() {
        let mut s = Strings::built_in("fr");
        s.apply(
            "older_posts = \"Plus anciens\"\n",
            Path::new("strings.toml"),
        )
        .unwrap();
        assert_eq!(s.older_posts, "Plus anciens");
        let err = s
            .apply(
                "read_more = \"x\"\nolder_postz = \"x\"\n",
                Path::new("strings.toml"),
            )
            .unwrap_err();
        assert_eq!(err.line, Some(2));
        assert_eq!(err.key.as_deref(), Some("older_postz"));
        assert!(err.message.contains("older_posts, page_n_of_count"));
        let err = s
            .apply("read_more = 3\n", Path::new("strings.toml"))
            .unwrap_err();
        assert!(err.message.contains("not text"), "{}", err.message);
        let err = s
            .apply("read_more = \n", Path::new("strings.toml"))
            .unwrap_err();
        assert_eq!(err.line, Some(1));
    }

    #[test]
    fn placeholders() {
        assert_eq!(
            fill("Page {n} of {count}", &[("n", "2"), ("count", "5")]),
            "Page 2 of 5"
        );
        assert_eq!(split("Run by {owner}.", "owner"), ("Run by ", "."));
        assert_eq!(split("Run by", "owner"), ("Run by", ""));
    }
}
