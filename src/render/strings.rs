//! The interface strings of the pages and of the merged feeds' titles, in the planet's language:
//! built-in tables for English, French, German, Spanish and Dutch, each string overridable in
//! `<theme>/strings.toml`, keyed in snake_case after its English text (`older_posts = "…"`).
//!
//! In: the planet's language tag and the theme folder. Out: [`Strings`], one field per string,
//! or a [`StringsError`] naming the file, the line and the key (an unknown key lists the known
//! ones). Placeholders in braces (`{site}`, `{n}`) are filled by [`fill`]; date patterns are
//! chrono's (`%A` the day's name, `%B` the month's), formatted in the planet's locale.

use std::path::{Path, PathBuf};

use crate::model::Message;

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

            /// The string called `key`, if there is one.
            pub fn get(&self, key: &str) -> Option<&str> {
                match key {
                    $( stringify!($key) => Some(&self.$key), )*
                    _ => None,
                }
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
    /// The search box's label and button, and the results page (`serve`'s `/search`).
    search_the_planet: ["Search the planet", "Chercher dans la planète", "Den Planeten durchsuchen", "Buscar en el planeta", "Zoeken in de planeet"],
    search: ["Search", "Chercher", "Suchen", "Buscar", "Zoeken"],
    skip_to_the_results: ["Skip to the results", "Aller aux résultats", "Zu den Ergebnissen", "Ir a los resultados", "Naar de resultaten"],
    search_results_for: ["Search: {query}", "Recherche : {query}", "Suche: {query}", "Búsqueda: {query}", "Zoeken: {query}"],
    results_found: ["{count} posts found.", "{count} billets trouvés.", "{count} Beiträge gefunden.", "{count} entradas encontradas.", "{count} berichten gevonden."],
    more_results_found: [
        "More than {count} posts found: here are the best of the newest {count}. Add words to narrow the search.",
        "Plus de {count} billets trouvés : voici les meilleurs des {count} plus récents. Ajoutez des mots pour affiner.",
        "Mehr als {count} Beiträge gefunden: hier die besten der {count} neuesten. Weitere Wörter grenzen die Suche ein.",
        "Más de {count} entradas encontradas: estas son las mejores de las {count} más recientes. Añada palabras para acotar.",
        "Meer dan {count} berichten gevonden: dit zijn de beste van de {count} nieuwste. Voeg woorden toe om te verfijnen."
    ],
    one_result_found: ["1 post found.", "1 billet trouvé.", "1 Beitrag gefunden.", "1 entrada encontrada.", "1 bericht gevonden."],
    nothing_found: [
        "Nothing found. Try other words, or fewer.",
        "Rien trouvé. Essayez d’autres mots, ou moins de mots.",
        "Nichts gefunden. Versuchen Sie andere oder weniger Wörter.",
        "No se encontró nada. Pruebe con otras palabras, o con menos.",
        "Niets gevonden. Probeer andere of minder woorden."
    ],
    search_took_too_long: [
        "This search took too long and was stopped. Try more specific words.",
        "Cette recherche a pris trop de temps et a été arrêtée. Essayez des mots plus précis.",
        "Diese Suche dauerte zu lange und wurde abgebrochen. Versuchen Sie genauere Wörter.",
        "Esta búsqueda tardó demasiado y se detuvo. Pruebe con palabras más precisas.",
        "Deze zoekopdracht duurde te lang en is gestopt. Probeer preciezere woorden."
    ],
    search_hint: [
        "Type words to find posts that hold all of them; \"quotes\" for a phrase; member:name and tag:topic to narrow.",
        "Tapez des mots pour trouver les billets qui les contiennent tous ; des \"guillemets\" pour une expression ; member:nom et tag:thème pour affiner.",
        "Geben Sie Wörter ein, um Beiträge zu finden, die alle enthalten; \"Anführungszeichen\" für eine Wortgruppe; member:Name und tag:Thema zum Eingrenzen.",
        "Escriba palabras para encontrar las entradas que las contienen todas; \"comillas\" para una frase; member:nombre y tag:tema para acotar.",
        "Typ woorden om berichten te vinden die ze allemaal bevatten; \"aanhalingstekens\" voor een zinsdeel; member:naam en tag:onderwerp om te verfijnen."
    ],
    search_results: ["Search results", "Résultats de la recherche", "Suchergebnisse", "Resultados de la búsqueda", "Zoekresultaten"],
    newer_results: ["← Better matches", "← Meilleurs résultats", "← Bessere Treffer", "← Mejores resultados", "← Betere resultaten"],
    older_results: ["More results →", "Plus de résultats →", "Weitere Treffer →", "Más resultados →", "Meer resultaten →"],
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
    /// The digest's pages and `digest.xml` entries. A period's title: a day, a month, a week
    /// (its first day's pattern depends on whether the week spans months or years).
    digest_day_title: ["%A, %-d %B %Y", "%A %-d %B %Y", "%A, %-d. %B %Y", "%A, %-d de %B de %Y", "%A %-d %B %Y"],
    digest_month_title: ["%B %Y", "%B %Y", "%B %Y", "%B de %Y", "%B %Y"],
    digest_week_title: ["Week {week}, {year}: {span}", "Semaine {week}, {year} : {span}", "Woche {week}, {year}: {span}", "Semana {week}, {year}: {span}", "Week {week}, {year}: {span}"],
    digest_week_first_day_same_month: ["%-d", "%-d", "%-d.", "%-d", "%-d"],
    digest_week_first_day_same_year: ["%-d %B", "%-d %B", "%-d. %B", "%-d de %B", "%-d %B"],
    digest_week_day: ["%-d %B %Y", "%-d %B %Y", "%-d. %B %Y", "%-d de %B de %Y", "%-d %B %Y"],
    digest_post_date: ["%-d %B %Y, %H:%M", "%-d %B %Y, %H:%M", "%-d. %B %Y, %H:%M", "%-d de %B de %Y, %H:%M", "%-d %B %Y, %H:%M"],
    one_post: ["1 post", "1 billet", "1 Beitrag", "1 entrada", "1 bericht"],
    n_posts: ["{n} posts", "{n} billets", "{n} Beiträge", "{n} entradas", "{n} berichten"],
    one_member: ["1 member", "1 membre", "einem Mitglied", "1 miembro", "1 lid"],
    n_members: ["{n} members", "{n} membres", "{n} Mitgliedern", "{n} miembros", "{n} leden"],
    posts_by_members: ["{posts} by {members}", "{posts} de {members}", "{posts} von {members}", "{posts} de {members}", "{posts} van {members}"],
    so_far: [" so far", " pour l’instant", " bisher", " hasta ahora", " tot nu toe"],
    counts_on_site: ["{counts} on {site}.", "{counts} sur {site}.", "{counts} auf {site}.", "{counts} en {site}.", "{counts} op {site}."],
    all_digests: ["All digests", "Tous les résumés", "Alle Rückblicke", "Todos los resúmenes", "Alle overzichten"],
    subscribe_atom: ["Subscribe (Atom)", "S’abonner (Atom)", "Abonnieren (Atom)", "Suscribirse (Atom)", "Abonneren (Atom)"],
    skip_to_the_digests: ["Skip to the digests", "Aller aux résumés", "Zu den Rückblicken", "Ir a los resúmenes", "Naar de overzichten"],
    digest_of_site: ["{name} of {site}", "{name} de {site}", "{name} von {site}", "{name} de {site}", "{name} van {site}"],
    digest_intro: ["The posts of each period in one place.", "Les billets de chaque période, réunis.", "Die Beiträge jedes Zeitraums an einem Ort.", "Las entradas de cada periodo en un solo lugar.", "De berichten van elke periode op één plek."],
    digest_by_email: [
        ", or have it sent by e-mail with any feed-to-email service.",
        ", ou recevez-le par courriel avec n’importe quel service de flux par courriel.",
        ", oder lassen Sie ihn sich mit einem Feed-zu-E-Mail-Dienst zusenden.",
        ", o recíbalo por correo con cualquier servicio de fuentes por correo.",
        ", of laat het per e-mail sturen met een feed-naar-e-maildienst."
    ],
    no_digests_yet: [
        "No digests yet: one appears once a period has posts.",
        "Pas encore de résumé : il en paraît un dès qu’une période a des billets.",
        "Noch keine Rückblicke: einer erscheint, sobald ein Zeitraum Beiträge hat.",
        "Todavía no hay resúmenes: aparece uno en cuanto un periodo tiene entradas.",
        "Nog geen overzichten: er verschijnt er een zodra een periode berichten heeft."
    ],
    /// Why a stored post is not shown, on its member's page (`Hidden` in `visibility`).
    hidden_by_filter: [
        "hidden by the topic filter {rule} ({location})",
        "masqué par le filtre de sujets {rule} ({location})",
        "durch den Themenfilter {rule} ausgeblendet ({location})",
        "oculta por el filtro de temas {rule} ({location})",
        "verborgen door het onderwerpfilter {rule} ({location})"
    ],
    hidden_by_a_moderator_reason: [
        "hidden by a moderator: {reason}",
        "masqué par un modérateur : {reason}",
        "von der Moderation ausgeblendet: {reason}",
        "oculta por un moderador: {reason}",
        "verborgen door een moderator: {reason}"
    ],
    hidden_by_a_moderator: [
        "hidden by a moderator (no reason given)",
        "masqué par un modérateur (sans raison donnée)",
        "von der Moderation ausgeblendet (ohne Angabe von Gründen)",
        "oculta por un moderador (sin motivo)",
        "verborgen door een moderator (zonder opgegeven reden)"
    ],
    a_cross_post: [
        "a cross-post: the same post is shown under {member} ({feed})",
        "publié en double : le même billet est affiché sous {member} ({feed})",
        "ein Doppel: derselbe Beitrag wird unter {member} gezeigt ({feed})",
        "una publicación cruzada: la misma entrada se muestra bajo {member} ({feed})",
        "een dubbele plaatsing: hetzelfde bericht staat onder {member} ({feed})"
    ],
    removed_by_its_author: [
        "removed by its author from their feed",
        "retiré de son flux par son auteur",
        "von der Autorin oder dem Autor aus dem Feed entfernt",
        "retirada de su fuente por su autor",
        "door de auteur uit de feed verwijderd"
    ],
    joined_late: [
        "stored when its feed joined the planet; only the newest `new_feed_items` posts of a new member are shown",
        "enregistré à l’arrivée de son flux sur la planète ; seuls les `new_feed_items` billets les plus récents d’un nouveau membre sont affichés",
        "gespeichert, als der Feed zum Planeten kam; von einem neuen Mitglied werden nur die neuesten `new_feed_items` Beiträge gezeigt",
        "guardada cuando su fuente se unió al planeta; de un miembro nuevo solo se muestran las `new_feed_items` entradas más recientes",
        "opgeslagen toen de feed bij de planeet kwam; van een nieuw lid worden alleen de nieuwste `new_feed_items` berichten getoond"
    ],
    beyond_max_per_feed: [
        "beyond `max_per_feed`: newer posts of the same member fill its share",
        "au-delà de `max_per_feed` : des billets plus récents du même membre remplissent sa part",
        "jenseits von `max_per_feed`: neuere Beiträge desselben Mitglieds füllen seinen Anteil",
        "más allá de `max_per_feed`: entradas más recientes del mismo miembro llenan su parte",
        "voorbij `max_per_feed`: nieuwere berichten van hetzelfde lid vullen zijn deel"
    ],
    older_than_the_archive: [
        "older than the archive pages hold",
        "plus ancien que ce que gardent les pages d’archives",
        "älter als die Archivseiten reichen",
        "más antigua de lo que guardan las páginas de archivo",
        "ouder dan de archiefpagina’s bewaren"
    ],
    deleted_by_retention: [
        "deleted by retention; only a tombstone remains",
        "supprimé par la durée de conservation ; seule une trace reste",
        "durch die Aufbewahrungsregel gelöscht; nur ein Grabstein bleibt",
        "borrada por la retención; solo queda una lápida",
        "verwijderd door de bewaartermijn; alleen een grafsteen blijft"
    ],
    /// Feed-quality hints on a member's page: what was seen, then what to do (`…_todo`).
    hint_web_page: [
        "The address serves a web page, not a feed: {error}.",
        "L’adresse sert une page web, pas un flux : {error}.",
        "Die Adresse liefert eine Webseite, keinen Feed: {error}.",
        "La dirección sirve una página web, no una fuente: {error}.",
        "Het adres levert een webpagina, geen feed: {error}."
    ],
    hint_web_page_todo: [
        "Give the planet the feed’s own address (the one the page advertises, if any).",
        "Donnez à la planète l’adresse du flux lui-même (celle qu’annonce la page, s’il y en a une).",
        "Geben Sie dem Planeten die Adresse des Feeds selbst (die, die die Seite angibt, falls vorhanden).",
        "Dé al planeta la dirección de la propia fuente (la que anuncia la página, si la hay).",
        "Geef de planeet het adres van de feed zelf (het adres dat de pagina noemt, als dat er is)."
    ],
    hint_undated: [
        "{n} of the posts stored have no date; the time the planet first saw each one is used instead.",
        "{n} des billets enregistrés n’ont pas de date ; l’heure où la planète a vu chacun pour la première fois la remplace.",
        "{n} der gespeicherten Beiträge haben kein Datum; stattdessen gilt der Zeitpunkt, zu dem der Planet jeden zuerst sah.",
        "{n} de las entradas guardadas no tienen fecha; se usa la hora en que el planeta vio cada una por primera vez.",
        "{n} van de opgeslagen berichten hebben geen datum; de tijd waarop de planeet elk bericht voor het eerst zag, telt in de plaats."
    ],
    hint_undated_todo: [
        "Have your blog put a published date in each post of the feed.",
        "Faites mettre par votre blog une date de publication dans chaque billet du flux.",
        "Lassen Sie Ihr Blog in jeden Beitrag des Feeds ein Veröffentlichungsdatum schreiben.",
        "Haga que su blog ponga una fecha de publicación en cada entrada de la fuente.",
        "Laat uw blog bij elk bericht in de feed een publicatiedatum zetten."
    ],
    hint_future_dates: [
        "{n} posts in the last feed read were dated in the future; their date was set to the time of the fetch.",
        "{n} billets de la dernière lecture étaient datés dans le futur ; leur date a été ramenée à l’heure de la lecture.",
        "{n} Beiträge beim letzten Abruf waren in die Zukunft datiert; ihr Datum wurde auf die Zeit des Abrufs gesetzt.",
        "{n} entradas de la última lectura tenían fecha futura; su fecha se fijó en la hora de la lectura.",
        "{n} berichten bij de laatste ophaling waren in de toekomst gedateerd; hun datum werd op het tijdstip van ophalen gezet."
    ],
    hint_future_dates_todo: [
        "Check your blog’s time zone setting, and that scheduled posts are left out of the feed until they appear.",
        "Vérifiez le fuseau horaire de votre blog, et que les billets programmés restent hors du flux jusqu’à leur parution.",
        "Prüfen Sie die Zeitzone Ihres Blogs und dass geplante Beiträge erst mit ihrem Erscheinen in den Feed kommen.",
        "Revise la zona horaria de su blog, y que las entradas programadas queden fuera de la fuente hasta que aparezcan.",
        "Controleer de tijdzone van uw blog, en dat geplande berichten pas in de feed komen als ze verschijnen."
    ],
    hint_changing_ids: [
        "{n} posts came back under a new id at the last read; the planet recognised them by their link, but readers of your feed may see them twice.",
        "{n} billets sont revenus sous un nouvel identifiant à la dernière lecture ; la planète les a reconnus à leur lien, mais les lecteurs de votre flux peuvent les voir deux fois.",
        "{n} Beiträge kamen beim letzten Abruf mit einer neuen Kennung zurück; der Planet erkannte sie an ihrem Link, aber Leser Ihres Feeds sehen sie vielleicht doppelt.",
        "{n} entradas volvieron con un identificador nuevo en la última lectura; el planeta las reconoció por su enlace, pero los lectores de su fuente pueden verlas dos veces.",
        "{n} berichten kwamen bij de laatste ophaling terug onder een nieuwe id; de planeet herkende ze aan hun link, maar lezers van uw feed zien ze misschien twee keer."
    ],
    hint_changing_ids_todo: [
        "Keep each post’s id (guid, Atom id) the same from one version of the feed to the next.",
        "Gardez l’identifiant de chaque billet (guid, id Atom) identique d’une version du flux à l’autre.",
        "Lassen Sie die Kennung jedes Beitrags (guid, Atom-id) von einer Version des Feeds zur nächsten gleich.",
        "Mantenga el identificador de cada entrada (guid, id de Atom) igual de una versión de la fuente a la siguiente.",
        "Houd de id van elk bericht (guid, Atom-id) gelijk van de ene versie van de feed tot de volgende."
    ],
    hint_http_images: [
        "{n} posts load images over http:, which browsers block on this https planet.",
        "{n} billets chargent des images en http:, que les navigateurs bloquent sur cette planète en https.",
        "{n} Beiträge laden Bilder über http:, was Browser auf diesem https-Planeten blockieren.",
        "{n} entradas cargan imágenes por http:, que los navegadores bloquean en este planeta https.",
        "{n} berichten laden afbeeldingen via http:, wat browsers op deze https-planeet blokkeren."
    ],
    hint_http_images_todo: [
        "Serve your images over https: and link them with https: addresses.",
        "Servez vos images en https: et liez-les avec des adresses https:.",
        "Liefern Sie Ihre Bilder über https: aus und verlinken Sie sie mit https:-Adressen.",
        "Sirva sus imágenes por https: y enlácelas con direcciones https:.",
        "Lever uw afbeeldingen via https: en link ze met https:-adressen."
    ],
    hint_excerpts: [
        "The feed carries only excerpts of the posts, not the posts themselves.",
        "Le flux ne porte que des extraits des billets, pas les billets eux-mêmes.",
        "Der Feed enthält nur Auszüge der Beiträge, nicht die Beiträge selbst.",
        "La fuente solo lleva extractos de las entradas, no las entradas completas.",
        "De feed bevat alleen fragmenten van de berichten, niet de berichten zelf."
    ],
    hint_excerpts_todo: [
        "If you want readers of the planet to read whole posts, set your blog’s feed to full text.",
        "Si vous voulez que les lecteurs de la planète lisent les billets entiers, réglez le flux de votre blog en texte intégral.",
        "Wenn Leser des Planeten ganze Beiträge lesen sollen, stellen Sie den Feed Ihres Blogs auf Volltext.",
        "Si quiere que los lectores del planeta lean entradas completas, configure la fuente de su blog con el texto completo.",
        "Wilt u dat lezers van de planeet hele berichten lezen, zet de feed van uw blog dan op volledige tekst."
    ],
    hint_near_max_bytes: [
        "The feed was {bytes} bytes at the last read; the planet reads at most {max} (max_bytes).",
        "Le flux pesait {bytes} octets à la dernière lecture ; la planète en lit au plus {max} (max_bytes).",
        "Der Feed hatte beim letzten Abruf {bytes} Bytes; der Planet liest höchstens {max} (max_bytes).",
        "La fuente tenía {bytes} bytes en la última lectura; el planeta lee como mucho {max} (max_bytes).",
        "De feed was {bytes} bytes bij de laatste ophaling; de planeet leest er hoogstens {max} (max_bytes)."
    ],
    hint_near_max_bytes_todo: [
        "Put fewer posts in the feed (10 to 20 is plenty), or excerpts of long ones.",
        "Mettez moins de billets dans le flux (10 à 20 suffisent), ou des extraits des longs.",
        "Nehmen Sie weniger Beiträge in den Feed (10 bis 20 reichen) oder Auszüge der langen.",
        "Ponga menos entradas en la fuente (de 10 a 20 bastan), o extractos de las largas.",
        "Zet minder berichten in de feed (10 tot 20 is genoeg), of fragmenten van lange."
    ],
    hint_silent: [
        "No new post for {days} days.",
        "Aucun nouveau billet depuis {days} jours.",
        "Seit {days} Tagen kein neuer Beitrag.",
        "Ninguna entrada nueva en {days} días.",
        "Al {days} dagen geen nieuw bericht."
    ],
    hint_silent_todo: [
        "Nothing to fix if you are resting; if you did post, check that the feed address still lists your new posts.",
        "Rien à corriger si vous faites une pause ; si vous avez publié, vérifiez que l’adresse du flux liste bien vos nouveaux billets.",
        "Nichts zu tun, wenn Sie pausieren; wenn Sie doch geschrieben haben, prüfen Sie, ob die Feed-Adresse Ihre neuen Beiträge noch aufführt.",
        "Nada que corregir si está descansando; si publicó, compruebe que la dirección de la fuente aún lista sus entradas nuevas.",
        "Niets te doen als u even rust; als u wel iets plaatste, controleer dan of het feedadres uw nieuwe berichten nog toont."
    ],
}

impl Strings {
    /// `message` in these strings, its placeholders filled. A key with no string (a bug: every
    /// message names a key of the table, which a test checks) shows as the key itself.
    pub fn message(&self, message: &Message) -> String {
        debug_assert!(self.get(message.key).is_some(), "no string {}", message.key);
        let values: Vec<(&str, &str)> = message
            .values
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .collect();
        fill(self.get(message.key).unwrap_or(message.key), &values)
    }
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
    fn every_translation_keeps_the_placeholders() {
        fn placeholders(text: &str) -> Vec<&str> {
            let mut found: Vec<&str> = text
                .split('{')
                .skip(1)
                .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
                .collect();
            found.sort_unstable();
            found
        }
        let english = Strings::built_in("en");
        for lang in crate::lang::BUILT_IN {
            let strings = Strings::built_in(lang);
            for key in KEYS {
                let (en, other) = (english.get(key).unwrap(), strings.get(key).unwrap());
                // Date patterns (`%A`) may differ; `{name}` placeholders must not.
                assert_eq!(placeholders(en), placeholders(other), "{lang} {key}");
            }
        }
    }

    #[test]
    fn every_reason_a_post_is_hidden_has_a_string() {
        use crate::visibility::Hidden;
        let strings = Strings::built_in("fr");
        for hidden in [
            Hidden::Filter {
                rule: "r".into(),
                location: "l".into(),
            },
            Hidden::Moderator {
                reason: Some("x".into()),
            },
            Hidden::Moderator { reason: None },
            Hidden::CrossPost {
                shown_under: "Ann".into(),
                feed_url: "u".into(),
            },
            Hidden::Withdrawn,
            Hidden::JoinedLate,
            Hidden::BeyondMaxPerFeed,
            Hidden::BeyondArchive,
            Hidden::Pruned,
        ] {
            let message = hidden.message();
            assert!(strings.get(message.key).is_some(), "{}", message.key);
            assert_ne!(strings.message(&message), hidden.describe(), "translated");
        }
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
