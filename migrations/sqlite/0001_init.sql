-- Stringer schema, SQLite flavour. Times are RFC 3339 text in UTC (written by the daemon,
-- so they sort as text). Keep in step with migrations/postgres; never edit a shipped migration.

CREATE TABLE feeds (
    id              INTEGER PRIMARY KEY,
    url             TEXT NOT NULL UNIQUE,
    title           TEXT,
    site_url        TEXT,
    tags            TEXT NOT NULL DEFAULT '[]',      -- JSON array of strings
    interval_secs   INTEGER,                          -- NULL: the configured default
    etag            TEXT,
    last_modified   TEXT,
    next_check_at   TEXT NOT NULL,
    lease_owner     TEXT,
    lease_until     TEXT,
    error_count     INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    last_error_at   TEXT,
    last_checked_at TEXT,
    last_success_at TEXT,
    created_at      TEXT NOT NULL
);
CREATE INDEX feeds_due ON feeds (next_check_at);

-- One row per poll: what happened, for diagnosing feeds.
CREATE TABLE fetch_log (
    id          INTEGER PRIMARY KEY,
    feed_id     INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    started_at  TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    http_status INTEGER,
    outcome     TEXT NOT NULL,                        -- fetched | not_modified | error
    entries     INTEGER NOT NULL DEFAULT 0,
    new_entries INTEGER NOT NULL DEFAULT 0,
    error       TEXT
);
CREATE INDEX fetch_log_feed ON fetch_log (feed_id, started_at);

CREATE TABLE categories (
    name TEXT PRIMARY KEY
);
INSERT INTO categories (name) VALUES ('world'), ('business'), ('technology'), ('sport'), ('entertainment');

-- An article row exists from the moment a feed links it (status pending) so that pending
-- work survives a stop or a crash.
CREATE TABLE articles (
    id                  INTEGER PRIMARY KEY,
    canonical_url       TEXT NOT NULL UNIQUE,
    url                 TEXT NOT NULL,
    guid                TEXT,
    feed_id             INTEGER REFERENCES feeds (id) ON DELETE SET NULL,
    feed_title          TEXT,
    status              TEXT NOT NULL DEFAULT 'pending', -- pending | done | failed
    attempts            INTEGER NOT NULL DEFAULT 0,
    next_attempt_at     TEXT NOT NULL,
    lease_owner         TEXT,
    lease_until         TEXT,
    last_error          TEXT,
    http_status         INTEGER,
    discovered_at       TEXT NOT NULL,
    fetched_at          TEXT,
    final_url           TEXT,
    page_canonical_url  TEXT,
    title               TEXT,
    authors             TEXT NOT NULL DEFAULT '[]',  -- JSON array of strings
    published_at        TEXT,
    modified_at         TEXT,
    site_name           TEXT,
    language            TEXT,
    image_url           TEXT,
    description         TEXT,
    section             TEXT,
    tags                TEXT NOT NULL DEFAULT '[]',  -- JSON array of strings
    text                TEXT,
    content_hash        TEXT,
    category            TEXT REFERENCES categories (name),
    category_confidence REAL
);
CREATE INDEX articles_work ON articles (status, next_attempt_at);
CREATE INDEX articles_feed_guid ON articles (feed_id, guid);
CREATE INDEX articles_fetched ON articles (fetched_at);
CREATE INDEX articles_published ON articles (published_at);
CREATE INDEX articles_content_hash ON articles (content_hash);

CREATE TABLE entities (
    id   INTEGER PRIMARY KEY,
    key  TEXT NOT NULL,                               -- normalised name: one entity across articles
    type TEXT NOT NULL CHECK (type IN ('PER', 'ORG', 'LOC', 'MISC')),
    name TEXT NOT NULL,
    -- Which surface form names the entity: the highest rank wins, whatever order articles
    -- arrive in, so every database shows the same name (see store::articles::name_rank).
    name_rank INTEGER NOT NULL DEFAULT 0,
    UNIQUE (key, type)
);

-- seen_at is the article's time (published, but never later than discovery), copied here so
-- that "entities of the last 24 h" is one index range scan.
CREATE TABLE article_entities (
    article_id   INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    entity_id    INTEGER NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    mentions     INTEGER NOT NULL,
    first_offset INTEGER NOT NULL,
    seen_at      TEXT NOT NULL,
    PRIMARY KEY (article_id, entity_id)
);
CREATE INDEX article_entities_seen ON article_entities (seen_at, entity_id);
CREATE INDEX article_entities_entity ON article_entities (entity_id, seen_at);

CREATE TABLE keyphrases (
    id     INTEGER PRIMARY KEY,
    phrase TEXT NOT NULL UNIQUE
);

CREATE TABLE article_keyphrases (
    article_id   INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    keyphrase_id INTEGER NOT NULL REFERENCES keyphrases (id) ON DELETE CASCADE,
    rank         INTEGER NOT NULL,
    PRIMARY KEY (article_id, keyphrase_id)
);
CREATE INDEX article_keyphrases_keyphrase ON article_keyphrases (keyphrase_id);
