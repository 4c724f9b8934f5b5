ALTER TABLE tags DROP COLUMN section_position;
ALTER TABLE articles DROP COLUMN canonical_url;
ALTER TABLE articles DROP COLUMN og_image;
ALTER TABLE articles DROP COLUMN og_description;
ALTER TABLE articles DROP COLUMN og_title;
ALTER TABLE articles DROP COLUMN meta_description;
ALTER TABLE articles DROP COLUMN meta_title;
