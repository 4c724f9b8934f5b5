DROP TABLE change_log;
DROP TABLE article_links;
DROP TABLE article_tags;
DROP TABLE article_authors;
DROP TABLE articles;
DROP FUNCTION masthead_fold(text);
DROP TABLE tags;
DROP TABLE authors;
