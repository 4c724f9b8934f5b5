-- FTS5 flushes the terms it has gathered in memory to a new segment on disk
-- whenever they pass its hash size (1 MiB by default), and every segment is
-- merged into larger ones again later. A batch of 1,000 imported articles
-- gathers a few MiB, so it flushed several small segments that were then
-- merged over and over: 64 MiB lets a batch flush once, at its end (300,000
-- articles imported in 44 s instead of 54). It is an upper bound, not an
-- allocation: a server's transactions write a few articles and flush them at
-- their COMMIT as before. The setting is stored in the index's own config
-- table, so every connection reads it.
INSERT INTO articles_fts (articles_fts, rank) VALUES ('hashsize', 67108864);
