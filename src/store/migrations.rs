//! The schema, as an append-only list of migrations. `PRAGMA user_version` records how many have
//! run. Never edit a migration that has shipped: add a new one.
//!
//! Out: the SQL of each step, run in order by `Store::migrate` (`open.rs`).

pub const MIGRATIONS: &[&str] = &[
    // 1: feeds and entries.
    r#"
    CREATE TABLE feeds (
        id                   INTEGER PRIMARY KEY,
        url                  TEXT NOT NULL UNIQUE,      -- as written in feeds.toml
        active               INTEGER NOT NULL DEFAULT 1, -- listed in the current config
        position             INTEGER NOT NULL DEFAULT 0, -- order in the config
        name                 TEXT NOT NULL DEFAULT '',
        homepage             TEXT,
        face                 TEXT,
        tags                 TEXT NOT NULL DEFAULT '[]',
        fetch_url            TEXT,                       -- set after a permanent redirect
        title                TEXT,                       -- from the feed document
        site_link            TEXT,                       -- from the feed document
        etag                 TEXT,
        last_modified        TEXT,
        body_hash            TEXT,
        last_fetch           INTEGER,
        last_success         INTEGER,
        last_status          INTEGER,
        last_error           TEXT,
        last_error_kind      TEXT,
        consecutive_failures INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE entries (
        id           INTEGER PRIMARY KEY,
        feed_id      INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        key          TEXT NOT NULL,
        source_id    TEXT,
        entry_index  INTEGER NOT NULL,
        link         TEXT,
        title        TEXT,
        author       TEXT,
        published    INTEGER,
        updated      INTEGER,
        first_seen   INTEGER NOT NULL,
        sort_date    INTEGER NOT NULL,
        content      TEXT,
        summary      TEXT,
        categories   TEXT NOT NULL DEFAULT '[]',
        enclosures   TEXT NOT NULL DEFAULT '[]',
        content_hash TEXT NOT NULL,
        UNIQUE (feed_id, key)
    );
    CREATE INDEX entries_newest ON entries (sort_date DESC, feed_id, entry_index);
    CREATE INDEX entries_by_link ON entries (feed_id, link);
    "#,
    // 2: fetch politeness and health: backoff, gone feeds, moved feeds, a bounded fetch log.
    r#"
    ALTER TABLE feeds ADD COLUMN next_due INTEGER;
    ALTER TABLE feeds ADD COLUMN gone INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE feeds ADD COLUMN moved_since INTEGER;
    CREATE TABLE fetches (
        id              INTEGER PRIMARY KEY,
        feed_id         INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        at              INTEGER NOT NULL,
        status          INTEGER,
        duration_ms     INTEGER NOT NULL,
        bytes           INTEGER NOT NULL,
        new_entries     INTEGER NOT NULL,
        updated_entries INTEGER NOT NULL,
        outcome         TEXT NOT NULL,   -- updated | unchanged | not-modified | <failure kind>
        error           TEXT
    );
    CREATE INDEX fetches_by_feed ON fetches (feed_id, id);
    "#,
    // 3: members who want links only.
    r#"
    ALTER TABLE feeds ADD COLUMN excerpt_only INTEGER NOT NULL DEFAULT 0;
    "#,
    // 4: a member who joins a planet that already shows posts brings only a few old ones: the
    // rest of its first fetch is kept (so it is never "new" later) but not shown.
    r#"
    ALTER TABLE feeds ADD COLUMN joined_late INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE entries ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
    "#,
    // 5: each member's entry count and newest post (the sidebar and status page) from an index
    // alone; before, they read every entry's row (a large part of the render at 10,000 members:
    // BENCHMARKS.md, "Store settings").
    r#"
    CREATE INDEX entries_by_feed_date ON entries (feed_id, sort_date);
    "#,
    // 6: what the digest published of each period (`digest.xml`): the hash of the entry's
    // content and the `updated` it went out with, so `updated` moves only when the content does.
    r#"
    CREATE TABLE IF NOT EXISTS digests (
        period       TEXT PRIMARY KEY,  -- `2026-W48`, `2026-11-23`, `2026-11`
        content_hash TEXT NOT NULL,
        updated      INTEGER NOT NULL
    );
    "#,
    // 7: WebSub publishing: the merged feeds whose change the hub has not yet been told of
    // (a ping that failed is tried again after the next render).
    r#"
    CREATE TABLE IF NOT EXISTS hub_pings (
        topic      TEXT PRIMARY KEY,   -- a merged feed's public URL
        since      INTEGER NOT NULL,   -- when it first changed without the hub knowing
        attempts   INTEGER NOT NULL DEFAULT 0,
        last_error TEXT
    );
    "#,
    // 8: WebSub subscribing: the hub and topic each feed announces, and the planet's
    // subscriptions to them (one per feed; kept after the member leaves until unsubscribed).
    r#"
    ALTER TABLE feeds ADD COLUMN hub TEXT;
    ALTER TABLE feeds ADD COLUMN topic TEXT;
    CREATE TABLE IF NOT EXISTS subscriptions (
        feed_id         INTEGER PRIMARY KEY REFERENCES feeds(id) ON DELETE CASCADE,
        callback_id     TEXT NOT NULL UNIQUE,  -- the unguessable last segment of the callback
        hub             TEXT NOT NULL,
        topic           TEXT NOT NULL,
        secret          TEXT NOT NULL,         -- hub.secret: HMAC key of the pushes
        state           TEXT NOT NULL,         -- pending | active | failed
        pending_mode    TEXT,                  -- subscribe | unsubscribe, asked and not verified
        requested_at    INTEGER NOT NULL,
        lease_seconds   INTEGER,
        lease_end       INTEGER,
        error           TEXT,
        signature_floor TEXT NOT NULL DEFAULT 'sha1' -- weakest signature still accepted
    );
    "#,
    // 9: the language a post's feed declares (xml:lang, RSS/JSON Feed `language`): the page
    // marks the post's article with it.
    r#"
    ALTER TABLE entries ADD COLUMN lang TEXT;
    "#,
    // 10 (issue #20): retention and withdrawn posts. `withdrawn_at`: when the post disappeared
    // from its feed while an older one was still there (cleared when it reappears).
    // `inactive_since`: when the feed left feeds.toml (`forget_after_days` counts from it).
    // `tombstones`: the keys (and links) of posts retention deleted, so that a feed still
    // carrying one never brings it back as new.
    r#"
    ALTER TABLE entries ADD COLUMN withdrawn_at INTEGER;
    ALTER TABLE feeds ADD COLUMN inactive_since INTEGER;
    CREATE TABLE IF NOT EXISTS tombstones (
        feed_id   INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        key       TEXT NOT NULL,
        link      TEXT,
        pruned_at INTEGER NOT NULL,
        PRIMARY KEY (feed_id, key)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS tombstones_by_link ON tombstones (feed_id, link);
    "#,
    // 11 (#21): what the member pages show of a feed beyond its health: its own picture (a
    // face for members configured without one), and at the last parse how many of its posts
    // carried a date in the future (clamped to the fetch time) and how many came back under a
    // new id (matched by their link).
    r#"
    ALTER TABLE feeds ADD COLUMN image TEXT;
    ALTER TABLE feeds ADD COLUMN future_dates INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE feeds ADD COLUMN id_changes INTEGER NOT NULL DEFAULT 0;
    "#,
    // 12 (#21): each member's page folder, `members/<slug>/`, kept with the feed's row so that a
    // renamed member keeps their address (a new feed URL is a new row and a new slug).
    r#"
    ALTER TABLE feeds ADD COLUMN slug TEXT;
    CREATE UNIQUE INDEX IF NOT EXISTS feeds_by_slug ON feeds (slug);
    "#,
    // 13 (#24): each entry's raw fingerprint (the entry as the document gave it, before
    // normalising, with the rules' version: `parse::raw`), so that an entry the document repeats
    // unchanged is not normalised again; and the key the document gives it when that is not
    // the stored key (the feed changed its id and it was matched by its link).
    r#"
    ALTER TABLE entries ADD COLUMN raw_hash TEXT;
    ALTER TABLE entries ADD COLUMN doc_key TEXT;
    "#,
    // 14 (#25): full-text search. `search_index` (FTS5) holds the plain text of the title and
    // body and the member's name of every post the planet shows, diacritics folded;
    // `search_shown` lists those posts (with what a search sorts and filters by). A render
    // replaces the set (`Store::set_shown`), indexing the newly shown posts and dropping the
    // others; the triggers keep the indexed posts in step with every write in its own
    // transaction: an edit re-indexed, a deletion (retention, a feed forgotten) removed, a
    // renamed member's name replaced. Only shown posts are indexed: indexing every stored post
    // made a cold refresh several times slower (BENCHMARKS.md, "Search"). The body is stored
    // compressed, so its text comes from `mercury_search_text`, registered by `open.rs`.
    r#"
    CREATE VIRTUAL TABLE IF NOT EXISTS search_index USING fts5(
        title, body, member,
        tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE TABLE IF NOT EXISTS search_shown (
        entry_id  INTEGER PRIMARY KEY,   -- entries.id
        feed_id   INTEGER NOT NULL,      -- for member: and tag:
        sort_date INTEGER NOT NULL       -- the recency tie-break
    );
    CREATE INDEX IF NOT EXISTS search_shown_by_feed ON search_shown (feed_id, sort_date);
    CREATE TRIGGER IF NOT EXISTS search_entry_changed
    AFTER UPDATE OF title, content, summary, feed_id ON entries
    WHEN (old.title IS NOT new.title OR old.content IS NOT new.content
          OR old.summary IS NOT new.summary OR old.feed_id IS NOT new.feed_id)
        AND EXISTS (SELECT 1 FROM search_shown WHERE entry_id = new.id)
    BEGIN
        DELETE FROM search_index WHERE rowid = old.id;
        INSERT INTO search_index (rowid, title, body, member)
        VALUES (new.id, COALESCE(new.title, ''),
                mercury_search_text(COALESCE(new.content, new.summary)),
                (SELECT name FROM feeds WHERE id = new.feed_id));
        UPDATE search_shown SET feed_id = new.feed_id WHERE entry_id = new.id;
    END;
    CREATE TRIGGER IF NOT EXISTS search_entry_removed AFTER DELETE ON entries
    WHEN EXISTS (SELECT 1 FROM search_shown WHERE entry_id = old.id)
    BEGIN
        DELETE FROM search_index WHERE rowid = old.id;
        DELETE FROM search_shown WHERE entry_id = old.id;
    END;
    CREATE TRIGGER IF NOT EXISTS search_member_renamed AFTER UPDATE OF name ON feeds
    WHEN old.name IS NOT new.name
    BEGIN
        UPDATE search_index SET member = new.name
        WHERE rowid IN (SELECT entry_id FROM search_shown WHERE feed_id = new.id);
    END;
    "#,
    // 15 (#23): the author's e-mail address, kept apart from the name (`Name <a@b.example>`,
    // Atom `<email>`), for the merged feeds that have a place for it.
    r#"
    ALTER TABLE entries ADD COLUMN author_email TEXT;
    "#,
    // 16 (#24): each post's words fingerprint (`sanitize::words_fingerprint`), which
    // cross-posts compare, taken when a post is stored instead of from its text at every
    // render; the stored posts get theirs here.
    r#"
    ALTER TABLE entries ADD COLUMN copy_key TEXT;
    UPDATE entries SET copy_key = mercury_copy_key(title, content, summary);
    "#,
    // 17 (#24): each post's short excerpt (what the digest shows of it) and whether it loads
    // an image over plain http (a member page's hint), taken when a post is stored, so that a
    // render reads no body but those it shows; the stored posts get theirs here.
    r#"
    ALTER TABLE entries ADD COLUMN excerpt TEXT;
    ALTER TABLE entries ADD COLUMN http_images INTEGER NOT NULL DEFAULT 0;
    UPDATE entries SET excerpt = mercury_excerpt(content, summary),
                       http_images = mercury_http_images(content, summary);
    "#,
];
