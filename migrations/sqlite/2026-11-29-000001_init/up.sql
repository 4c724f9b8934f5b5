-- The integrity lives in the schema: unique slugs, foreign keys with the right
-- ON DELETE, CHECK constraints on every closed set, dense ordered positions.
-- Timestamps are UTC, stored as 'YYYY-MM-DD HH:MM:SS' so they sort as text.

CREATE TABLE authors (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    slug        TEXT NOT NULL UNIQUE CHECK (length(slug) BETWEEN 1 AND 120),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    -- The name folded to lower case by the application: lists sort by it.
    name_key    TEXT NOT NULL,
    bio         TEXT,
    avatar_url  TEXT,
    website     TEXT,
    email       TEXT,
    -- A JSON object of network name -> handle or URL.
    social      TEXT NOT NULL DEFAULT '{}',
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX authors_name ON authors (name_key, id);

CREATE TABLE tags (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    slug        TEXT NOT NULL UNIQUE CHECK (length(slug) BETWEEN 1 AND 120),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    -- The name folded to lower case by the application (Unicode-aware, which
    -- SQLite's lower() is not): names are unique case-insensitively, and
    -- lists sort by it.
    name_key    TEXT NOT NULL UNIQUE,
    description TEXT,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX tags_name ON tags (name_key, id);

-- Column order matters to SQLite: a row is read from its start, and the
-- Markdown and HTML spill onto overflow pages, so everything a list filters,
-- sorts or shows comes before them.
CREATE TABLE articles (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    slug                  TEXT NOT NULL UNIQUE CHECK (length(slug) BETWEEN 1 AND 120),
    status                TEXT NOT NULL DEFAULT 'draft'
                          CHECK (status IN ('draft', 'scheduled', 'published')),
    published_at          TIMESTAMP,
    created_at            TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL,
    title                 TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    subtitle              TEXT,
    reading_time_minutes  INTEGER NOT NULL DEFAULT 1 CHECK (reading_time_minutes >= 1),
    -- What the editor wrote; NULL means the excerpt is derived from the body.
    custom_excerpt        TEXT,
    excerpt               TEXT NOT NULL DEFAULT '',
    feature_image_url     TEXT,
    feature_image_alt     TEXT,
    feature_image_caption TEXT,
    feature_image_credit  TEXT,
    body                  TEXT NOT NULL DEFAULT '',
    -- Derived at write time so that reads never render Markdown.
    body_html             TEXT NOT NULL DEFAULT '',
    CHECK (status = 'draft' OR published_at IS NOT NULL),
    CHECK (feature_image_url IS NOT NULL OR (feature_image_alt IS NULL
           AND feature_image_caption IS NULL AND feature_image_credit IS NULL))
);
-- The public list walks this index newest first and checks visibility from
-- the index entry itself (status is in it), stopping after one page; counts
-- read only the index. There is deliberately no index led by status: SQLite
-- would answer the visibility OR with it and then sort every visible article
-- before returning the first twenty.
CREATE INDEX articles_published ON articles (published_at, id, status);
CREATE INDEX articles_updated ON articles (updated_at, id);
CREATE INDEX articles_title ON articles (title, id);

-- Ordered credits; position 1 is the primary author. An author with articles
-- cannot be deleted (RESTRICT), which the API reports as 409.
CREATE TABLE article_authors (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    author_id  INTEGER NOT NULL REFERENCES authors (id) ON DELETE RESTRICT,
    position   INTEGER NOT NULL CHECK (position >= 1),
    PRIMARY KEY (article_id, author_id),
    UNIQUE (article_id, position)
);
CREATE INDEX article_authors_author ON article_authors (author_id, article_id);

-- Ordered tags; position 1 is the primary tag (the article's section).
CREATE TABLE article_tags (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    tag_id     INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL CHECK (position >= 1),
    PRIMARY KEY (article_id, tag_id),
    UNIQUE (article_id, position)
);
CREATE INDEX article_tags_tag ON article_tags (tag_id, article_id);

-- Curated, typed, ordered links from one article to another.
CREATE TABLE article_links (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    target_id  INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('also_read', 'read_next', 'recommended')),
    label      TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 120),
    position   INTEGER NOT NULL CHECK (position >= 1),
    PRIMARY KEY (article_id, target_id),
    UNIQUE (article_id, position),
    CHECK (article_id <> target_id)
);
CREATE INDEX article_links_target ON article_links (target_id);

-- When anything was last written: the Last-Modified of every read, and a
-- version that tells a cached representation from a stale one even within
-- the same second. One row, bumped by every write transaction.
CREATE TABLE change_log (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    changed_at TIMESTAMP NOT NULL,
    version    INTEGER NOT NULL DEFAULT 0
);
INSERT INTO change_log (id, changed_at, version) VALUES (1, CURRENT_TIMESTAMP, 0);

-- Full-text search over title, subtitle and body, kept in step with articles
-- by triggers so that no write path can forget it. Diacritics are folded so
-- that "creme" finds "crème".
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, subtitle, body,
    content = 'articles', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, subtitle, body)
    VALUES (new.id, new.title, new.subtitle, new.body);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, subtitle, body)
    VALUES ('delete', old.id, old.title, old.subtitle, old.body);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, subtitle, body ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, subtitle, body)
    VALUES ('delete', old.id, old.title, old.subtitle, old.body);
    INSERT INTO articles_fts (rowid, title, subtitle, body)
    VALUES (new.id, new.title, new.subtitle, new.body);
END;
