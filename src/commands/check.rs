//! `check`: validate feeds.toml, the theme's strings.toml and moderation.toml, then, as a dry
//! run, say how many stored posts each topic filter hides now (from the database, when there
//! is one).
//!
//! In: the validated [`Config`]. Out: a report on stdout; an invalid moderation file is a
//! config error (exit 2).

use crate::config::moderation::Moderation;
use crate::config::{Config, ConfigError};
use crate::error::Error;
use crate::output::{noteln, outln};
use crate::store::posts::PostScan;
use crate::store::Store;
use crate::visibility::Rules;

pub fn check(config: &Config) -> Result<(), Error> {
    // The theme's strings.toml is part of the config: an unknown key is a config error.
    if let Err(e) = crate::render::Theme::load(&config.planet.lang, &config.planet.theme_dir) {
        return Err(match e.downcast::<crate::render::strings::StringsError>() {
            Ok(s) => Error::Config(ConfigError {
                file: s.file,
                line: s.line,
                key: s.key,
                message: s.message,
            }),
            Err(e) => Error::Fatal(e),
        });
    }
    noteln!(
        "{}: OK, {} feed{}",
        config.path.display(),
        config.feeds.len(),
        plural(config.feeds.len())
    );
    let moderation = Moderation::load(config)?;
    if moderation.path.exists() {
        noteln!(
            "{}: OK, {} hidden post{}",
            moderation.path.display(),
            moderation.decisions.len(),
            plural(moderation.decisions.len())
        );
    }
    let rules = Rules::new(config, &moderation);
    let filters: Vec<_> = rules.all_filters().collect();
    if filters.is_empty() && moderation.decisions.is_empty() {
        return Ok(());
    }
    let db = &config.planet.database;
    if !db.exists() {
        noteln!(
            "no database yet ({}): after `mercury update`, `check` says how many stored posts \
             each topic filter hides",
            db.display()
        );
        return Ok(());
    }
    let store = Store::open(db)?;
    // A decision whose feed URL or key was mistyped hides nothing: say so.
    let refs = store.post_refs()?;
    for d in &moderation.decisions {
        if !refs.iter().any(|r| r.feed_url == d.feed && r.key == d.key) {
            outln!(
                "{}: the post {:?} of {} is not stored (now), so this decision hides nothing",
                moderation.path.display(),
                d.key,
                d.feed
            );
        }
    }
    if filters.is_empty() {
        return Ok(());
    }
    let mut hides = vec![0usize; filters.len()];
    let mut of = vec![0usize; filters.len()];
    let scan = PostScan {
        joined_late: true,
        ..PostScan::default()
    };
    store.scan_posts(&scan, &mut |e, _| {
        for (i, rule) in filters.iter().enumerate() {
            if rules.applies(rule, &e.member.config_url) {
                of[i] += 1;
                if rules.rule_hides(rule, &e) {
                    hides[i] += 1;
                }
            }
        }
        true
    })?;
    noteln!("topic filters, with the stored posts each hides now:");
    for (i, rule) in filters.iter().enumerate() {
        noteln!(
            "  {}: {} hides {} of {} stored post{}",
            rule.location,
            rule.written,
            hides[i],
            of[i],
            plural(of[i])
        );
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
