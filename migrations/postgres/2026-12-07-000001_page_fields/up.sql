-- What a page's <head> needs beyond the title and excerpt (null: fall back
-- to them, see the OpenAPI `seo` object), and the order an editor gives the
-- sections of a homepage (null: after the ordered ones, by name).
ALTER TABLE articles ADD COLUMN meta_title TEXT;
ALTER TABLE articles ADD COLUMN meta_description TEXT;
ALTER TABLE articles ADD COLUMN og_title TEXT;
ALTER TABLE articles ADD COLUMN og_description TEXT;
ALTER TABLE articles ADD COLUMN og_image TEXT;
ALTER TABLE articles ADD COLUMN canonical_url TEXT;
ALTER TABLE tags ADD COLUMN section_position INTEGER;
