//! Opening the database: the file and its folder, the connection's settings (WAL, page size,
//! cache), bringing the schema up to date with [`super::migrations`], and SQLite's own
//! integrity check.
//!
//! In: a path. Out: a [`Store`] ready for the other files' queries and writes.

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use rusqlite::{Connection, Transaction};

use super::{migrations, Store};

/// How long a writer waits for another process's lock before giving up (a second `update`).
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// SQLite page size of a new database. A post's row (a few KB of HTML) fits in one 16 KB page
/// instead of spilling into a chain of 4 KB overflow pages, which slowed storing a cold
/// refresh and did not help any other (BENCHMARKS.md, "Store settings"). (A database keeps
/// the page size it was created with.)
const PAGE_SIZE: i64 = 16384;

/// The page cache of a connection, in KiB (see `Store::open`).
const CACHE_KIB: i64 = 16 * 1024;

impl Store {
    /// Opens (creating if needed) the database and brings its schema up to date.
    pub fn open(path: &Path) -> anyhow::Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the database folder {}", dir.display()))?;
        }
        let conn = Connection::open(path)
            .with_context(|| format!("cannot open the database {}", path.display()))?;
        configure(&conn).map_err(|e| explain(e, path))?;
        let mut store = Store { conn };
        store
            .migrate()
            .with_context(|| format!("cannot migrate the database {}", path.display()))?;
        Ok(store)
    }

    /// Opens the database for reading only (`serve`'s searches): no migration, no write lock,
    /// so a search never waits for a refresh's writes. The schema must be current (`serve`
    /// opened and migrated it when it started).
    pub fn open_read_only(path: &Path) -> anyhow::Result<Store> {
        use rusqlite::OpenFlags;
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)
            .with_context(|| format!("cannot open the database {}", path.display()))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        anyhow::ensure!(
            version == migrations::MIGRATIONS.len() as i64,
            "the database {} has schema version {version}, not {}: run `mercury check` or \
             restart `serve` to migrate it",
            path.display(),
            migrations::MIGRATIONS.len()
        );
        Ok(Store { conn })
    }

    /// A write transaction that takes the write lock up front (BEGIN IMMEDIATE). With a
    /// deferred one, a second process (an `update` during `serve`) could read, then fail to
    /// upgrade to writing once the first one commits; immediate ones simply wait their turn
    /// (up to the busy timeout) and then see everything the other committed.
    pub(super) fn write_transaction(&mut self) -> rusqlite::Result<Transaction<'_>> {
        self.conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
    }

    /// Applies the migrations not yet applied, each in its own immediate transaction that
    /// re-reads the version under the write lock: two processes opening a new database at once
    /// cannot both run the same migration.
    fn migrate(&mut self) -> anyhow::Result<()> {
        loop {
            let tx = self.write_transaction()?;
            let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
            let version = usize::try_from(version).unwrap_or(usize::MAX);
            if version > migrations::MIGRATIONS.len() {
                anyhow::bail!(
                    "the database has schema version {version}, newer than this Mercury knows \
                     ({}); upgrade Mercury",
                    migrations::MIGRATIONS.len()
                );
            }
            let Some(sql) = migrations::MIGRATIONS.get(version) else {
                tx.commit()?;
                return Ok(());
            };
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (version + 1) as i64)?;
            tx.commit()?;
        }
    }

    /// Runs SQLite's own consistency check; `Ok(())` when it answers "ok".
    pub fn integrity_check(&self) -> anyhow::Result<()> {
        let result: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        anyhow::ensure!(result == "ok", "database integrity check failed: {result}");
        Ok(())
    }
}

/// The connection's settings, in the order they must be made (the page size before WAL).
fn configure(conn: &Connection) -> anyhow::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Every statement of a refresh stays prepared (the default cache holds 16).
    conn.set_prepared_statement_cache_capacity(64);
    // WAL: readers (serve, status) never block the refresh's writer, and a crash leaves the
    // last committed state. NORMAL is durable at each checkpoint and safe with WAL.
    conn.pragma_update(None, "page_size", PAGE_SIZE)?;
    // A new database keeps the bookkeeping that lets retention give freed pages back
    // (`retention.rs`); like the page size, this only takes effect before the first table
    // (an older database is switched once, by its first prune).
    conn.pragma_update(None, "auto_vacuum", "INCREMENTAL")?;
    enable_wal(conn)?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Savepoints (a batch after a panic, see `Batch::apply`) keep their copies of the pages
    // they change in memory, not in a temporary file.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // The default page cache (2 MiB) holds 125 of our pages: a refresh's inserts land all
    // over the entry indexes and kept reading pages back and spilling dirty ones to the log
    // before the commit. A negative size is in KiB; the cache grows only as it is used.
    conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
    register_search_text(conn)?;
    Ok(())
}

/// `mercury_search_text(body)`: a stored body's text, for the search index's triggers and its
/// migration (`migrations.rs`, 14); `mercury_copy_key(title, content, summary)`: a stored
/// post's words fingerprint, for migration 16; `mercury_excerpt(content, summary)` and
/// `mercury_http_images(content, summary)`: its short excerpt and whether it loads an image
/// over http, for migration 17 (each as `codec` takes it when a post is stored). Registered on every connection before migrating: the bodies are stored compressed
/// (`codec.rs`), which SQL alone cannot read.
fn register_search_text(conn: &Connection) -> rusqlite::Result<()> {
    use super::codec;
    use rusqlite::functions::{Context, FunctionFlags};
    /// The post's content and summary, from the arguments `first` and `first + 1`.
    fn bodies(ctx: &Context, first: usize) -> rusqlite::Result<(Option<String>, Option<String>)> {
        let body = |i| {
            codec::body_of(ctx.get_raw(i)).map_err(|e| rusqlite::Error::UserFunctionError(e.into()))
        };
        Ok((body(first)?, body(first + 1)?))
    }
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("mercury_copy_key", 3, flags, |ctx| {
        let title: Option<String> = ctx.get(0)?;
        let (content, summary) = bodies(ctx, 1)?;
        Ok(codec::copy_key(
            title.as_deref(),
            content.as_deref(),
            summary.as_deref(),
        ))
    })?;
    conn.create_scalar_function("mercury_excerpt", 2, flags, |ctx| {
        let (content, summary) = bodies(ctx, 0)?;
        Ok(codec::excerpt(content.as_deref(), summary.as_deref()))
    })?;
    conn.create_scalar_function("mercury_http_images", 2, flags, |ctx| {
        let (content, summary) = bodies(ctx, 0)?;
        Ok(codec::http_images(content.as_deref(), summary.as_deref()))
    })?;
    conn.create_scalar_function(
        "mercury_search_text",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            super::codec::search_text(ctx.get_raw(0))
                .map_err(|e| rusqlite::Error::UserFunctionError(e.into()))
        },
    )
}

/// Names the database in a setup error, and says what to do when the file is not a SQLite
/// database at all (SQLite's own words were "file is not a database", with no path).
fn explain(e: anyhow::Error, path: &Path) -> anyhow::Error {
    let not_a_database = e.chain().any(|c| {
        matches!(
            c.downcast_ref::<rusqlite::Error>(),
            Some(rusqlite::Error::SqliteFailure(f, _)) if f.code == rusqlite::ErrorCode::NotADatabase
        )
    });
    if not_a_database {
        anyhow::anyhow!(
            "{} is not a SQLite database, so it is not Mercury's: set [planet] database in \
             feeds.toml to another file, or move this file away (Mercury then creates a new \
             database there and refetches every feed)",
            path.display()
        )
    } else {
        e.context(format!("cannot set up the database {}", path.display()))
    }
}

/// Switches the database to write-ahead logging. That needs a moment of exclusive access, and
/// SQLite does not wait for it: while another process creates the same database (two `update`s
/// at once on a new planet) it answers "database is locked" at once. So this tries again, for
/// as long as a writer would wait for a lock.
fn enable_wal(conn: &Connection) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    loop {
        match conn.pragma_update(None, "journal_mode", "WAL") {
            Ok(()) => return Ok(()),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && started.elapsed() < BUSY_TIMEOUT =>
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => {
                return Err(e).context("cannot switch the database to write-ahead logging");
            }
        }
    }
}
