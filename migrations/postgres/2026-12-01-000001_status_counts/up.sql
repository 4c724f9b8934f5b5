-- The PostgreSQL twin of migrations/sqlite/2026-12-01-000001_status_counts:
-- per-status article counts kept by a trigger, and a partial index over the
-- scheduled articles, so the public list's total costs no full count.
CREATE TABLE article_status_counts (
    status TEXT PRIMARY KEY CHECK (status IN ('draft', 'scheduled', 'published')),
    n      BIGINT NOT NULL DEFAULT 0 CHECK (n >= 0)
);
INSERT INTO article_status_counts (status, n)
SELECT s.status, (SELECT count(*) FROM articles WHERE articles.status = s.status)
FROM (VALUES ('draft'), ('scheduled'), ('published')) AS s (status);

CREATE FUNCTION article_status_counts_track() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE article_status_counts SET n = n - 1 WHERE status = OLD.status;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE article_status_counts SET n = n + 1 WHERE status = NEW.status;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER article_status_counts_insert AFTER INSERT ON articles
    FOR EACH ROW EXECUTE FUNCTION article_status_counts_track();
CREATE TRIGGER article_status_counts_delete AFTER DELETE ON articles
    FOR EACH ROW EXECUTE FUNCTION article_status_counts_track();
CREATE TRIGGER article_status_counts_update AFTER UPDATE OF status ON articles
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION article_status_counts_track();

CREATE INDEX articles_scheduled ON articles (published_at) WHERE status = 'scheduled';
