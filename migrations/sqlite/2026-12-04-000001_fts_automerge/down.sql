INSERT INTO articles_fts (articles_fts, rank) VALUES ('automerge', 4);
