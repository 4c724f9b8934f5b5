-- How many articles are stored in each status, kept by triggers, so that
-- the public list's total (every published article, plus the scheduled
-- ones already due) does not count a million rows on every page-number
-- request. Only the scheduled ones are counted at read time, from their own
-- small partial index.
CREATE TABLE article_status_counts (
    status TEXT PRIMARY KEY CHECK (status IN ('draft', 'scheduled', 'published')),
    n      INTEGER NOT NULL DEFAULT 0 CHECK (n >= 0)
);
INSERT INTO article_status_counts (status, n)
SELECT s.status, (SELECT count(*) FROM articles WHERE articles.status = s.status)
FROM (SELECT 'draft' AS status UNION ALL SELECT 'scheduled' UNION ALL SELECT 'published') AS s;

CREATE TRIGGER article_status_counts_insert AFTER INSERT ON articles BEGIN
    UPDATE article_status_counts SET n = n + 1 WHERE status = new.status;
END;
CREATE TRIGGER article_status_counts_delete AFTER DELETE ON articles BEGIN
    UPDATE article_status_counts SET n = n - 1 WHERE status = old.status;
END;
CREATE TRIGGER article_status_counts_update AFTER UPDATE OF status ON articles
WHEN old.status <> new.status BEGIN
    UPDATE article_status_counts SET n = n - 1 WHERE status = old.status;
    UPDATE article_status_counts SET n = n + 1 WHERE status = new.status;
END;

CREATE INDEX articles_scheduled ON articles (published_at) WHERE status = 'scheduled';
