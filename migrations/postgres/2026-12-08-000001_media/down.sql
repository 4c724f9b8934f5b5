DROP INDEX authors_avatar_media;
DROP INDEX articles_feature_media;
ALTER TABLE authors DROP COLUMN avatar_media_id;
ALTER TABLE articles DROP COLUMN feature_media_id;
DROP TABLE media;
DROP TABLE media_originals;
