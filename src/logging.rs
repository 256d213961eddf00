//! The log on stderr (tracing): its level, its colour, and its way past the progress bar.
//!
//! - `RUST_LOG` chooses what is logged (default `mercury=info`); `--quiet` keeps only warnings
//!   and errors on top of that, for cron, whose mail should come only when the admin is needed.
//! - Colour (ANSI escapes) only when stderr is a terminal, and never when `NO_COLOR` is set
//!   (<https://no-color.org>): a file, a pipe, journald or cron mail gets plain text.
//! - While a progress bar is shown ([`show_bar`]), each log line is written with the bar
//!   cleared and then redrawn below it, so a line never lands on the bar's own line.
//!
//! In: the `--quiet` flag and the environment. Out: the global subscriber. A leaf: it imports
//! nothing of Mercury.

use std::io::{self, IsTerminal, Write};
use std::sync::Mutex;

use indicatif::ProgressBar;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::prelude::*;
use tracing_subscriber::EnvFilter;

/// The progress bar on screen, if any: log lines go past it.
static BAR: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Installs the global subscriber; `quiet` keeps warnings and errors only.
///
/// Both filters are global, not per-layer: the subscriber's level hint then stays that of
/// `RUST_LOG`, and the `log` records of the parsing crates below it are dropped by one level
/// check. With `--quiet` as a per-layer filter, the hint became `trace`, every such record
/// went through the filters, and a deeply nested post overran its parse budget
/// (tests/sanitise.rs, `deep_nesting_is_bounded`).
pub fn init(quiet: bool) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("mercury=info"));
    let lines = tracing_subscriber::fmt::layer()
        .with_writer(PastTheBar)
        .with_target(false)
        .with_ansi(colour(
            io::stderr().is_terminal(),
            std::env::var_os("NO_COLOR"),
        ));
    let subscriber = tracing_subscriber::registry().with(filter).with(lines);
    if quiet {
        subscriber.with(LevelFilter::WARN).init();
    } else {
        subscriber.init();
    }
}

/// Whether the log may use colour: on a terminal, unless `NO_COLOR` is set to anything but
/// the empty string (the convention's own rule).
fn colour(terminal: bool, no_color: Option<std::ffi::OsString>) -> bool {
    terminal && no_color.is_none_or(|v| v.is_empty())
}

/// Routes log lines past `bar` until [`hide_bar`].
pub fn show_bar(bar: &ProgressBar) {
    *BAR.lock().unwrap_or_else(|p| p.into_inner()) = Some(bar.clone());
}

/// Log lines go straight to stderr again.
pub fn hide_bar() {
    *BAR.lock().unwrap_or_else(|p| p.into_inner()) = None;
}

/// Makes one [`LogLine`] per event.
struct PastTheBar;

impl<'a> MakeWriter<'a> for PastTheBar {
    type Writer = LogLine;

    fn make_writer(&'a self) -> LogLine {
        LogLine(Vec::new())
    }
}

/// One event's formatted text, written to stderr in one piece when the event is done.
struct LogLine(Vec<u8>);

impl Write for LogLine {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for LogLine {
    fn drop(&mut self) {
        let bar = BAR.lock().unwrap_or_else(|p| p.into_inner()).clone();
        // A log line that cannot be written (stderr closed) is dropped: there is nowhere
        // left to say so.
        let write = || drop(io::stderr().lock().write_all(&self.0));
        match bar {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        assert!(colour(true, None));
        assert!(
            colour(true, Some("".into())),
            "empty NO_COLOR does not count"
        );
        assert!(!colour(true, Some("1".into())));
        assert!(!colour(false, None));
        assert!(!colour(false, Some("1".into())));
    }
}
