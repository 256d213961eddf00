//! Atomic file replacement: write a temporary file in the same folder, sync it, rename it over
//! the target. A reader (`serve`, another web server, the admin's editor) sees the old file or
//! the new one, never half of one (STYLE.md convention 13).
//!
//! In: a path and the bytes it should hold. Out: the file replaced, or an error naming it.
//! Used by `render` (the output folder and its compressed variants) and `config::edit`
//! (feeds.toml). A leaf: it imports nothing from the crate, so every stage can reach it.
//!
//! The one policy both the writer and the cleaner read: a temporary file is named
//! `.<name>.<pid>.tmp` beside its target. The leading dot keeps it out of what `serve` sends;
//! the pid tells [`remove_stale_temp_files`] whether its writer still runs.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::Context;

/// Replaces `path` with `bytes` atomically. A file that already holds exactly these bytes is
/// left alone, so its modification time (the server's Last-Modified) only moves when its
/// content does.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    write_if_changed(path, bytes).map(|_| ())
}

/// [`write_atomic`], saying whether the file was rewritten.
pub(crate) fn write_if_changed(path: &Path, bytes: &[u8]) -> anyhow::Result<bool> {
    if std::fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(false);
    }
    write_replacing(path, bytes, None)?;
    Ok(true)
}

/// Writes `bytes` to a temporary file beside `path`, syncs it, gives it the modification time
/// `modified` when set, and renames it over `path`, whatever `path` held before.
pub(crate) fn write_replacing(
    path: &Path,
    bytes: &[u8],
    modified: Option<SystemTime>,
) -> anyhow::Result<()> {
    let tmp = temp_path(path);
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        if let Some(t) = modified {
            f.set_modified(t)?;
        }
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot write {}", path.display()));
    }
    Ok(())
}

/// `.<name>.<pid>.tmp` beside `path`: in the same folder, so the rename never crosses file
/// systems.
fn temp_path(path: &Path) -> PathBuf {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    dir.join(format!(".{name}.{}.tmp", std::process::id()))
}

/// Temporary files of a write that was killed half-way (`.index.html.<pid>.tmp`) are never
/// served (the server refuses dot files); the next render removes them — only those whose
/// writer is gone, since another process may be rendering right now.
pub(crate) fn remove_stale_temp_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Some(stem) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) else {
            continue;
        };
        let pid = stem.rsplit('.').next().and_then(|p| p.parse::<u32>().ok());
        if pid.is_some_and(|pid| !writer_gone(pid, &entry)) {
            continue;
        }
        let _ = std::fs::remove_file(entry.path());
    }
}

/// Whether the process that wrote a temporary file no longer runs (Linux: no `/proc/<pid>`;
/// elsewhere: the file is over ten minutes old).
fn writer_gone(pid: u32, entry: &std::fs::DirEntry) -> bool {
    if pid == std::process::id() {
        return false;
    }
    let proc_root = Path::new("/proc");
    if proc_root.join("self").exists() {
        return !proc_root.join(pid.to_string()).exists();
    }
    entry
        .metadata()
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age > std::time::Duration::from_secs(600))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_temporary_file_is_a_dot_file_beside_its_target() {
        let tmp = temp_path(Path::new("/p/tags/x/atom.xml.gz"));
        assert_eq!(tmp.parent(), Some(Path::new("/p/tags/x")));
        assert_eq!(
            tmp.file_name().and_then(|n| n.to_str()),
            Some(format!(".atom.xml.gz.{}.tmp", std::process::id()).as_str())
        );
    }

    #[test]
    fn an_unchanged_file_is_not_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.html");
        assert!(write_if_changed(&path, b"one").unwrap());
        assert!(!write_if_changed(&path, b"one").unwrap());
        assert!(write_if_changed(&path, b"two").unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(left.len(), 1, "no temporary file stays behind");
    }

    #[test]
    fn only_temporary_files_of_gone_writers_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let ours = dir
            .path()
            .join(format!(".index.html.{}.tmp", std::process::id()));
        // No process has a pid this high (Linux caps them at 2^22).
        let gone = dir.path().join(".index.html.4294967295.tmp");
        let kept = dir.path().join("index.html");
        for p in [&ours, &gone, &kept] {
            std::fs::write(p, b"x").unwrap();
        }
        remove_stale_temp_files(dir.path());
        assert!(ours.exists() && kept.exists());
        assert_eq!(gone.exists(), !Path::new("/proc/self").exists());
    }
}
