-- Uploaded images. An original's bytes are stored once, by their SHA-256,
-- however many media items name them; with MEDIA_DIR set they live in that
-- directory instead and this table stays empty.
CREATE TABLE media_originals (
    hash   TEXT PRIMARY KEY CHECK (length(hash) = 64),
    bytes  BLOB NOT NULL
);

CREATE TABLE media (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    hash        TEXT NOT NULL CHECK (length(hash) = 64),
    mime        TEXT NOT NULL CHECK (mime IN ('image/jpeg', 'image/png', 'image/webp', 'image/gif')),
    -- As served: after the EXIF orientation is applied.
    width       INTEGER NOT NULL CHECK (width > 0),
    height      INTEGER NOT NULL CHECK (height > 0),
    bytes       INTEGER NOT NULL CHECK (bytes > 0),
    alt         TEXT,
    caption     TEXT,
    credit      TEXT,
    -- alt, caption and credit folded to lower case by the application, for
    -- `q` (the same case-insensitive match on both backends).
    search_key  TEXT NOT NULL DEFAULT '',
    focal_x     REAL NOT NULL DEFAULT 0.5 CHECK (focal_x BETWEEN 0 AND 1),
    focal_y     REAL NOT NULL DEFAULT 0.5 CHECK (focal_y BETWEEN 0 AND 1),
    blurhash    TEXT NOT NULL,
    color       TEXT NOT NULL,
    -- The `sub` of the token that uploaded it: a contributor's own items.
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX media_hash ON media (hash);

-- An article's feature image and an author's avatar may name a media item;
-- deleting one still in use is refused (409) before the RESTRICT would be.
ALTER TABLE articles ADD COLUMN feature_media_id INTEGER REFERENCES media (id) ON DELETE RESTRICT;
ALTER TABLE authors ADD COLUMN avatar_media_id INTEGER REFERENCES media (id) ON DELETE RESTRICT;
CREATE INDEX articles_feature_media ON articles (feature_media_id);
CREATE INDEX authors_avatar_media ON authors (avatar_media_id);
