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

    /// Print only what needs the admin: results, failures, warnings and errors (for cron).
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
    /// When another run is refreshing the planet (it holds the lock beside the database),
    /// wait for it instead of exiting with an error.
    #[arg(long, global = true)]
    pub wait: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a commented starter feeds.toml into DIR (default: here); never overwrites one.
    Init {
        /// The planet's folder (created when missing).
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
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
    /// Delete what is no longer kept: posts older than `keep_days` (except each feed's newest
    /// `keep_per_feed`) and feeds removed from feeds.toml `forget_after_days` ago. A refresh
    /// does this too; this says what it deletes.
    Prune(PruneArgs),
    /// A member's feed moved: write NEW_URL in place of OLD_URL in feeds.toml and carry its
    /// posts and history over, so nothing is shown again as new.
    Move(MoveArgs),
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
pub struct PruneArgs {
    /// Say what would be deleted, and delete nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct MoveArgs {
    /// The feed's URL as feeds.toml lists it now.
    pub old_url: String,
    /// Its new URL.
    pub new_url: String,
}

#[derive(Debug, Clone, Copy, clap::Args)]
pub struct StatusArgs {
    /// Print JSON (one object per feed) for scripts instead of the table.
    #[arg(long)]
    pub json: bool,
}

const EXAMPLES: &str = "\
Examples:
  mercury init /srv/planet           write a starter /srv/planet/feeds.toml to fill in
  mercury serve                      refresh on [planet] schedule, serve on [server] listen
  mercury add https://blog.example/  find the blog's feed and append it to feeds.toml
  mercury import-opml members.opml   append every new feed of a subscription list
  mercury check                      validate ./feeds.toml
  mercury update                     refresh every feed and write ./public/
  mercury update --force             also retry feeds that are backing off or gone
  mercury status --json              feed health for scripts
  mercury --quiet update             for cron: prints only failures, warnings and errors
  mercury prune --dry-run            say which old posts retention would delete
  mercury move OLD_URL NEW_URL       a member's feed moved: keep its history
  mercury update --wait              wait for a refresh already running, then refresh
  mercury why https://blog.example/post   is it shown, and if not, why
  mercury hide '#e-0123456789abcdef' --reason spam --render
  mercury --config /srv/planet/feeds.toml status
  RUST_LOG=mercury=debug mercury update   show each feed as it is fetched

Exit codes: 0 done (even when some feeds failed: they are recorded and shown),
1 the command could not run (database or output folder unusable, or another run
  holds the refresh lock and --wait was not given),
2 the config file is invalid.";
