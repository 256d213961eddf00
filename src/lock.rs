//! One refresh at a time (issue #20): an OS file lock on a file beside the database
//! (`mercury.db.lock`) serialises `fetch`, `update`, `prune`, `move`, `fix-redirects` and
//! `serve`'s refreshes. The operating system releases it when the holder's process ends, however
//! it ends, so a killed run never leaves a stale lock behind. The holder writes who it is (pid,
//! command, since when) into the file, for the message a second run prints. `render` and
//! `status` only read, through SQLite's own locking, and never take it.
//!
//! In: the database path and the command's name. Out: a [`RefreshLock`], held until dropped.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

/// The refresh lock, held until dropped (or the process ends).
#[derive(Debug)]
pub struct RefreshLock {
    _file: File,
}

/// The lock file of the database at `database`.
pub fn lock_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// Takes the refresh lock of the database at `database` for `command`. When another run holds
/// it: with `wait`, waits for it; without, an error that says who holds it.
pub fn acquire(database: &Path, command: &str, wait: bool) -> anyhow::Result<RefreshLock> {
    let path = lock_path(database);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the database folder {}", dir.display()))?;
    }
    // Never truncated on open: the holder's details stay readable until a new holder has the
    // lock.
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .with_context(|| format!("cannot open the lock file {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) if wait => {
            tracing::info!("waiting for {} ({})", holder(&path), path.display());
            file.lock()
                .with_context(|| format!("cannot lock {}", path.display()))?;
        }
        Err(TryLockError::WouldBlock) => anyhow::bail!(
            "another Mercury run is refreshing this planet: {} (lock file {}); try again when \
             it is done, or add --wait to wait for it",
            holder(&path),
            path.display()
        ),
        Err(TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("cannot lock {}", path.display()));
        }
    }
    let since = crate::clock::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let about = format!(
        "pid={}\ncommand=mercury {command}\nsince={since}\n",
        std::process::id()
    );
    file.set_len(0)
        .and_then(|()| file.write_all(about.as_bytes()))
        .and_then(|()| file.flush())
        .with_context(|| format!("cannot write the lock file {}", path.display()))?;
    Ok(RefreshLock { _file: file })
}

/// Who holds the lock, as its file says: "pid 42 (mercury update) since 2026-03-01T12:00:00Z".
fn holder(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let field = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    match (field("pid"), field("command"), field("since")) {
        (Some(pid), Some(command), Some(since)) => {
            format!("pid {pid} ({command}) since {since}")
        }
        _ => "a run that has just started".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_and_told_who_holds_it() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("mercury.db");
        let first = acquire(&db, "update", false).unwrap();
        let err = acquire(&db, "fetch", false).unwrap_err().to_string();
        assert!(
            err.contains(&format!(
                "pid {} (mercury update) since",
                std::process::id()
            )),
            "{err}"
        );
        assert!(err.contains("--wait"), "{err}");
        drop(first);
        acquire(&db, "fetch", false).expect("free once the first is dropped");
    }
}
