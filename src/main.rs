//! The `mercury` binary: parse the command line, set up logging, run, map the result to an exit code.

use std::io::Write;

use clap::Parser;

fn main() {
    let cli = mercury::cli::Cli::parse();
    mercury::logging::init(cli.quiet);
    // A panic is a bug. Where Mercury contains one (a feed's fetch, parse or store), it goes on
    // with the other feeds; either way the panic is reported through the log, not as a raw dump.
    std::panic::set_hook(Box::new(|info| {
        tracing::error!("bug (please report it): {info}");
    }));
    if let Err(e) = mercury::run(cli) {
        // Not eprintln!: a closed stderr must not turn the error into a panic.
        let _ = writeln!(std::io::stderr(), "error: {e:#}");
        std::process::exit(e.exit_code());
    }
}
