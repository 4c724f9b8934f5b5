INSERT INTO articles_fts (articles_fts, rank) VALUES ('hashsize', 1048576);
