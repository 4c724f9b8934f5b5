DROP INDEX articles_scheduled;
DROP TRIGGER article_status_counts_update ON articles;
DROP TRIGGER article_status_counts_delete ON articles;
DROP TRIGGER article_status_counts_insert ON articles;
DROP FUNCTION article_status_counts_track();
DROP TABLE article_status_counts;
