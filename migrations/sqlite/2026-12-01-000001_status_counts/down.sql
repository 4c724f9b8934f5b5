DROP INDEX articles_scheduled;
DROP TRIGGER article_status_counts_update;
DROP TRIGGER article_status_counts_delete;
DROP TRIGGER article_status_counts_insert;
DROP TABLE article_status_counts;
