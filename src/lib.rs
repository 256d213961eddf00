//! Mercury: a planet. It gathers the blogs of a community's members into one page and one feed.
//!
//! The pipeline, one module per stage, each handing the next a small typed value (`model`):
//!
//! ```text
//! feeds.toml ─► config ─► fetch ─► parse (+ sanitize) ─► store ─► render ─► output_dir/
//! ```
//!
//! `refresh` runs fetch → parse → store for every feed; `commands` holds one function per CLI
//! command. No SQL outside `store`, no HTTP outside `fetch`, no HTML outside `render`.

mod atomic;
pub mod cli;
pub(crate) mod commands;
pub mod config;
pub(crate) mod discover;
pub mod error;
pub(crate) mod fault;
pub(crate) mod fetch;
pub(crate) mod fingerprint;
mod markup;
pub mod model;
pub mod parse;
pub(crate) mod refresh;
pub mod render;
pub mod sanitize;
pub(crate) mod serve;
pub mod site;
pub mod store;
pub(crate) mod web_url;

pub use error::Error;

/// Runs one CLI command.
pub fn run(cli: cli::Cli) -> Result<(), Error> {
    use cli::Command;
    let config = config::Config::load(&cli.config)?;
    for warning in &config.warnings {
        tracing::warn!("{warning}");
    }
    match cli.command {
        Command::Check => commands::check(&config),
        Command::Fetch(args) => commands::fetch(&config, args),
        Command::Render => commands::render(&config),
        Command::Update(args) => commands::update(&config, args),
        Command::Status(args) => commands::status(&config, args),
        Command::Serve => commands::serve(&config, &cli.config),
        Command::Add(args) => commands::add(&config, &cli.config, args),
        Command::ImportOpml { file } => commands::import_opml(&config, &cli.config, &file),
        Command::ExportOpml => commands::export_opml(&config),
        Command::FixRedirects => commands::fix_redirects(&config, &cli.config),
    }
}
