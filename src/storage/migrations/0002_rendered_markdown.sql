-- Markdown is rendered (cmark-gfm, safe mode) once when a body is written, not
-- on every read. Rows written before this migration have NULL and are rendered
-- when read.
ALTER TABLE tickets ADD COLUMN body_html TEXT;
ALTER TABLE comments ADD COLUMN body_html TEXT;
