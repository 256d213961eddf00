//! `check`: validate feeds.toml and moderation.toml, then, as a dry run, say how many stored
//! posts each topic filter hides now (from the database, when there is one).
//!
//! In: the validated [`Config`]. Out: a report on stdout; an invalid moderation file is a
//! config error (exit 2).

use crate::config::moderation::Moderation;
use crate::config::Config;
use crate::error::Error;
use crate::store::posts::PostScan;
use crate::store::Store;
use crate::visibility::Rules;

pub fn check(config: &Config) -> Result<(), Error> {
    println!(
        "{}: OK, {} feed{}",
        config.path.display(),
        config.feeds.len(),
        plural(config.feeds.len())
    );
    let moderation = Moderation::load(config)?;
    if moderation.path.exists() {
        println!(
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
        println!(
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
            println!(
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
    println!("topic filters, with the stored posts each hides now:");
    for (i, rule) in filters.iter().enumerate() {
        println!(
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
