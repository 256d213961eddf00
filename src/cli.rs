//! The command line: global flags and one documented variant per command (clap derive).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Mercury gathers the blogs of a community's members into one page and one feed.
#[derive(Debug, Parser)]
#[command(name = "mercury", version, about, long_about = None, after_long_help = EXAMPLES)]
pub struct Cli {
    /// The planet's config file.
    #[arg(
        long,
        short = 'c',
        global = true,
        env = "MERCURY_CONFIG",
        default_value = "feeds.toml",
        value_name = "PATH"
    )]
    pub config: PathBuf,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate the config file and exit (2 when it is invalid).
    Check,
    /// Poll every feed that is due once and store new and changed entries.
    Fetch(FetchArgs),
    /// Write the site (page, merged feeds, OPML, status page, theme) from the database.
    Render,
    /// Fetch, then render: the one command to refresh the planet.
    Update(FetchArgs),
    /// Refresh on the schedule and serve the site over HTTP until stopped (the main job).
    Serve,
    /// Add a member's feed to feeds.toml: give the feed's URL, or their blog's and Mercury finds
    /// the feed it advertises.
    Add(AddArgs),
    /// Append every new feed of an OPML subscription list to feeds.toml.
    ImportOpml {
        /// The OPML file.
        file: std::path::PathBuf,
    },
    /// Print the planet's feeds as OPML.
    ExportOpml,
    /// Write the new URL of every permanently redirected feed into feeds.toml.
    FixRedirects,
    /// Show every feed's health: last success, failures, next attempt, moves, quiet feeds.
    Status(StatusArgs),
    /// Say whether a post is shown (which page, tag pages and feeds) and every reason it is not.
    Why {
        /// The post's link, its id in the merged feeds (the planet's link with #e-…), or its
        /// anchor on the page (#e-…).
        post: String,
    },
    /// Hide a post from the page, archives, tag pages and merged feeds (moderation.toml).
    Hide(ModerateArgs),
    /// Show again a post a moderator hid.
    Unhide(UnhideArgs),
}

#[derive(Debug, Clone, clap::Args)]
pub struct ModerateArgs {
    /// The post's link, its id in the merged feeds, or its anchor on the page (#e-…).
    pub post: String,
    /// Why it is hidden (kept in moderation.toml, shown by `why`).
    #[arg(long)]
    pub reason: Option<String>,
    /// Write the site now instead of at the next render.
    #[arg(long)]
    pub render: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct UnhideArgs {
    /// The post's link, its id in the merged feeds, or its anchor on the page (#e-…).
    pub post: String,
    /// Write the site now instead of at the next render.
    #[arg(long)]
    pub render: bool,
}

#[derive(Debug, Clone, Copy, clap::Args)]
pub struct FetchArgs {
    /// Fetch every feed now, ignoring backoff after failures, Retry-After and 410 Gone marks.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct AddArgs {
    /// The feed's URL, or the blog's home page.
    pub url: String,
    /// The member's name as shown (default: the feed's author, else its title).
    #[arg(long)]
    pub name: Option<String>,
    /// A tag for the member (repeat for several).
    #[arg(long)]
    pub tag: Vec<String>,
}

#[derive(Debug, Clone, Copy, clap::Args)]
pub struct StatusArgs {
    /// Print JSON (one object per feed) for scripts instead of the table.
    #[arg(long)]
    pub json: bool,
}

const EXAMPLES: &str = "\
Examples:
  mercury serve                      refresh on [planet] schedule, serve on [server] listen
  mercury add https://blog.example/  find the blog's feed and append it to feeds.toml
  mercury import-opml members.opml   append every new feed of a subscription list
  mercury check                      validate ./feeds.toml
  mercury update                     refresh every feed and write ./public/
  mercury update --force             also retry feeds that are backing off or gone
  mercury status --json              feed health for scripts
  mercury why https://blog.example/post   is it shown, and if not, why
  mercury hide '#e-0123456789abcdef' --reason spam --render
  mercury --config /srv/planet/feeds.toml status
  RUST_LOG=mercury=debug mercury update   show each feed as it is fetched

Exit codes: 0 done (even when some feeds failed: they are recorded and shown),
1 the command could not run (database or output folder unusable),
2 the config file is invalid.";
