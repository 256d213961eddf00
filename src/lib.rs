//! Mercury: a planet. It gathers the blogs of a community's members into one page and one feed.
//!
//! The pipeline, one module per stage, each handing the next a small typed value (`model`):
//!
//! ```text
//! feeds.toml ─► config ─► fetch ─► parse (+ sanitize) ─► store ─► render ─► output_dir/
//! ```
//!
//! From the top of the house down (a module only imports modules below it; none imports one
//! that imports it back):
//!
//! - `commands/`: one small function per CLI command; `serve/` the long-running planet (its
//!   router and scheduler, `conn` for connection limits and timeouts, `files` for serving the
//!   output folder, `state` for what the handlers share and `/healthz`).
//! - `site`: "refresh, then render", for `update` and `serve` alike, and `build_site`, the
//!   render's input read from the store (`site/members`: each member page's posts and their
//!   state, activity, fetches and feed-quality hints); `websub` tells the planet's hub what the
//!   render changed.
//! - `digest/`: the digest's periods (`period`: days, ISO weeks, months in the planet's time
//!   zone), the one choice of its posts, and what `digest.xml` has published (via `store`).
//! - `visibility/`: what the landscape shows, the one place that decides whether a stored
//!   post is shown and every reason it is not (topic filters, moderation.toml, cross-posts,
//!   joined late, `max_per_feed`, the archive); `site`, `why`, `check` ask it.
//! - `refresh/`: one refresh top-down (`mod.rs` shows its phases); the database `writer`
//!   thread, the `parse_pool`, the `summary` and `panic` conversion each have a file.
//! - `fetch/`: HTTP, entered only through `Fetcher` (reqwest stays inside): conditional GET
//!   decisions (`logic`), the clients, per-host `politeness`, the private-address rule (`reach`).
//! - `config/`: `schema` (serde) → `validate` → `types`, with `locate` for error lines and
//!   `edit` for in-place edits of feeds.toml.
//! - `parse/`: bytes → `ParsedFeed`: `repair/` (encodings, entities, RSS and Atom rewrites),
//!   feed-rs, `scan` (what feed-rs leaves out), `normalise` (one function per field), `dates`.
//! - `store/`: all SQL: `open` and `migrations`, `sync` of the config's feeds, `write` (the
//!   batch writer), `read` (queries), `codec` (the post bodies' storage encoding).
//! - `render/`: the pages (maud, one `layout` for all), their interface `strings` in the
//!   planet's language, the merged feeds, OPML, the compressed variants.
//! - `sanitize/`: untrusted HTML made safe; `policy` is the one allowlist that the ammonia
//!   builder (`clean`) and the `fast` path both read; `depth` bounds the parser's work.
//! - `search`: a reader's query made safe (terms as literals, `member:`, `tag:`), a leaf;
//!   `store` runs it, `serve` answers `/search`, `render` shows the results.
//! - `discover`: feed autodiscovery; `model`: the plain types that cross stages.
//! - Leaves, importing nothing of Mercury: `web_url` (the http(s) rule, once), `markup` (the
//!   one tolerant tag reader), `lang` (language tags, built-in languages, chrono locales),
//!   `atomic` (files replaced atomically), `fingerprint` (hashes and hex), `parallel` (two
//!   pieces of work at once), `cli`, `fault`
//!   (fault injection, debug builds only), `output` (stdout: results, `--quiet`, a closed
//!   pipe), `logging` (stderr: level, colour, past the progress bar); `clock` (the one "now"),
//!   and `lock` (one refresh at a time: the OS file lock beside the database), which reads only
//!   `clock`.
//!
//! No SQL outside `store`, no HTTP outside `fetch`, no HTML outside `render` and `sanitize`.

mod atomic;
pub mod cli;
pub mod clock;
pub(crate) mod commands;
pub mod config;
pub mod digest;
pub(crate) mod discover;
pub mod error;
pub(crate) mod fault;
pub(crate) mod fetch;
pub(crate) mod fingerprint;
pub mod lang;
pub(crate) mod lock;
pub mod logging;
mod markup;
pub mod model;
pub(crate) mod output;
pub(crate) mod parallel;
pub mod parse;
pub(crate) mod refresh;
pub mod render;
pub mod sanitize;
pub mod search;
pub(crate) mod serve;
pub mod site;
pub mod store;
pub mod visibility;
pub(crate) mod web_url;
pub(crate) mod websub;

pub use error::Error;

/// Runs one CLI command.
pub fn run(cli: cli::Cli) -> Result<(), Error> {
    use cli::Command;
    output::set_quiet(cli.quiet);
    // `init` is the one command that needs no config: it writes one.
    if let Command::Init { dir } = &cli.command {
        return commands::init(dir);
    }
    let config = config::Config::load(&cli.config)?;
    for warning in &config.warnings {
        tracing::warn!("{warning}");
    }
    let done = match cli.command {
        Command::Init { dir } => commands::init(&dir),
        Command::Check => commands::check(&config),
        Command::Fetch(args) => commands::fetch(&config, args, cli.wait),
        Command::Render => commands::render(&config),
        Command::Update(args) => commands::update(&config, args, cli.wait),
        Command::Status(args) => commands::status(&config, args),
        Command::Serve => commands::serve(&config, &cli.config),
        Command::Add(args) => commands::add(&config, &cli.config, args),
        Command::ImportOpml { file } => commands::import_opml(&config, &cli.config, &file),
        Command::ExportOpml => commands::export_opml(&config),
        Command::FixRedirects => commands::fix_redirects(&config, &cli.config, cli.wait),
        Command::Prune(args) => commands::prune(&config, args, cli.wait),
        Command::Move(args) => commands::move_feed(&config, &cli.config, &args, cli.wait),
        Command::Why { post } => commands::why(&config, &post),
        Command::Hide(args) => commands::hide(&config, &args),
        Command::Unhide(args) => commands::unhide(&config, &args),
    };
    // Results already written stay written; a failed command still reports its own error.
    let flushed = output::finish();
    done?;
    flushed.map_err(|e| anyhow::anyhow!("cannot write the results to standard output: {e}"))?;
    Ok(())
}
