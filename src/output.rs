//! Standard output, for every command: results (`outln!`, [`bytes`]) and the chatter that
//! `--quiet` leaves out (`noteln!`). One place writes stdout, so one place decides what a
//! closed pipe means.
//!
//! A closed pipe (`mercury status | head -1`, `mercury export-opml | true`) is the reader
//! saying it has seen enough, not a failure: the rest of the output is dropped and the command
//! ends quietly with status 0. The command still finishes its work (`update | head -1` writes
//! the site), which a process killed by SIGPIPE would not; nothing is left half done. Any other
//! write error (a full disk under `> file`) is kept and reported once by [`finish`].
//!
//! In: formatted text and bytes. Out: stdout, and [`finish`]'s verdict. A leaf: it imports
//! nothing of Mercury.

use std::fmt;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// `--quiet`: only what needs the admin (results, failures, warnings) is printed.
static QUIET: AtomicBool = AtomicBool::new(false);
/// The reader of stdout has gone: nothing more is written.
static CLOSED: AtomicBool = AtomicBool::new(false);
/// The first write error that is not a closed pipe.
static FAILED: Mutex<Option<io::Error>> = Mutex::new(None);

/// Sets `--quiet` for the rest of the process (once, at start).
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// Whether `--quiet` was given.
pub fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// Writes one line of results (`outln!`).
pub fn line(args: fmt::Arguments) {
    write_with(|out| writeln!(out, "{args}"));
}

/// Writes one line of chatter (`noteln!`): what was done, which `--quiet` leaves out.
pub fn note(args: fmt::Arguments) {
    if !quiet() {
        line(args);
    }
}

/// Writes `data` as it is (a document such as `export-opml`'s).
pub fn bytes(data: &[u8]) {
    write_with(|out| out.write_all(data));
}

/// Flushes stdout and returns the first write error that was not a closed pipe, if any.
pub fn finish() -> io::Result<()> {
    write_with(|out| out.flush());
    match FAILED.lock().unwrap_or_else(|p| p.into_inner()).take() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

fn write_with(f: impl FnOnce(&mut io::StdoutLock) -> io::Result<()>) {
    if CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut out = io::stdout().lock();
    match f(&mut out) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => CLOSED.store(true, Ordering::Relaxed),
        Err(e) => {
            // Later writes would fail the same way: stop, keep the first error for `finish`.
            CLOSED.store(true, Ordering::Relaxed);
            FAILED
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get_or_insert(e);
        }
    }
}

/// Prints a line of results to stdout (see the module doc for a closed pipe).
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::output::line(format_args!($($arg)*))
    };
}

/// Prints a line of chatter to stdout, unless `--quiet`.
macro_rules! noteln {
    ($($arg:tt)*) => {
        $crate::output::note(format_args!($($arg)*))
    };
}

pub(crate) use {noteln, outln};
