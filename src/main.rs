//! The `mercury` binary: parse the command line, set up logging, run, map the result to an exit code.

use clap::Parser;
use tracing_subscriber::EnvFilter;

fn main() {
    let cli = mercury::cli::Cli::parse();
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("mercury=info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
    // A panic is a bug. Where Mercury contains one (a feed's fetch, parse or store), it goes on
    // with the other feeds; either way the panic is reported through the log, not as a raw dump.
    std::panic::set_hook(Box::new(|info| {
        tracing::error!("bug (please report it): {info}");
    }));
    if let Err(e) = mercury::run(cli) {
        eprintln!("error: {e:#}");
        std::process::exit(e.exit_code());
    }
}
