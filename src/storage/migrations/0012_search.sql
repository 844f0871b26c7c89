-- Full-text search over tickets and articles (src/search, docs/SEARCH.md),
-- inside the database: FTS5 on SQLite, tsvector with GIN on PostgreSQL.
--
-- A ticket is one search document: its subject, its body, its public replies
-- and its internal notes, each kept apart so a requester's search can leave the
-- notes out. Triggers keep the documents in the same transaction as every
-- write to tickets and comments (a create, a reply, an edit of the subject, a
-- merge moving comments), whichever code path made it.

--@ sqlite
-- Holds its own copy of the text (not external content): a ticket's document
-- spans two tables, and snippets need the text.
CREATE VIRTUAL TABLE ticket_fts USING fts5(
  subject, body, replies, notes,
  tokenize = 'porter unicode61 remove_diacritics 2',
  prefix = '2 3'
);

-- BM25 with the subject weighing most and internal notes least.
INSERT INTO ticket_fts (ticket_fts, rank) VALUES ('rank', 'bm25(4.0, 1.0, 1.0, 0.5)');

CREATE TRIGGER ticket_fts_after_ticket_insert AFTER INSERT ON tickets BEGIN
  INSERT INTO ticket_fts (rowid, subject, body, replies, notes) VALUES (NEW.id, NEW.subject, NEW.body, '', '');
END;

CREATE TRIGGER ticket_fts_after_ticket_update AFTER UPDATE OF subject, body ON tickets BEGIN
  UPDATE ticket_fts SET subject = NEW.subject, body = NEW.body WHERE rowid = NEW.id;
END;

CREATE TRIGGER ticket_fts_after_ticket_delete AFTER DELETE ON tickets BEGIN
  DELETE FROM ticket_fts WHERE rowid = OLD.id;
END;

-- A new comment is appended (the common case stays cheap) ...
CREATE TRIGGER ticket_fts_after_comment_insert AFTER INSERT ON comments BEGIN
  UPDATE ticket_fts
     SET replies = CASE WHEN NEW.is_internal = 0 THEN replies || char(10) || NEW.body ELSE replies END,
         notes = CASE WHEN NEW.is_internal <> 0 THEN notes || char(10) || NEW.body ELSE notes END
   WHERE rowid = NEW.ticket_id;
END;

-- ... anything else (a merge moving comments, an edit, a delete) rebuilds the
-- replies and notes of every ticket it touched.
CREATE TRIGGER ticket_fts_after_comment_update AFTER UPDATE OF ticket_id, body, is_internal ON comments BEGIN
  UPDATE ticket_fts
     SET replies = coalesce((SELECT group_concat(body, char(10)) FROM comments
                              WHERE ticket_id = ticket_fts.rowid AND is_internal = 0), ''),
         notes = coalesce((SELECT group_concat(body, char(10)) FROM comments
                            WHERE ticket_id = ticket_fts.rowid AND is_internal <> 0), '')
   WHERE rowid IN (OLD.ticket_id, NEW.ticket_id);
END;

CREATE TRIGGER ticket_fts_after_comment_delete AFTER DELETE ON comments BEGIN
  UPDATE ticket_fts
     SET replies = coalesce((SELECT group_concat(body, char(10)) FROM comments
                              WHERE ticket_id = ticket_fts.rowid AND is_internal = 0), ''),
         notes = coalesce((SELECT group_concat(body, char(10)) FROM comments
                            WHERE ticket_id = ticket_fts.rowid AND is_internal <> 0), '')
   WHERE rowid = OLD.ticket_id;
END;

INSERT INTO ticket_fts (rowid, subject, body, replies, notes)
SELECT t.id, t.subject, t.body,
       coalesce((SELECT group_concat(c.body, char(10)) FROM comments c WHERE c.ticket_id = t.id AND c.is_internal = 0), ''),
       coalesce((SELECT group_concat(c.body, char(10)) FROM comments c WHERE c.ticket_id = t.id AND c.is_internal <> 0), '')
  FROM tickets t;

-- Articles live in one row: external content, so the index holds no copy.
CREATE VIRTUAL TABLE article_fts USING fts5(
  title, body,
  content = 'kb_articles', content_rowid = 'id',
  tokenize = 'porter unicode61 remove_diacritics 2',
  prefix = '2 3'
);

INSERT INTO article_fts (article_fts, rank) VALUES ('rank', 'bm25(3.0, 1.0)');

CREATE TRIGGER article_fts_after_insert AFTER INSERT ON kb_articles BEGIN
  INSERT INTO article_fts (rowid, title, body) VALUES (NEW.id, NEW.title, NEW.body);
END;

CREATE TRIGGER article_fts_after_update AFTER UPDATE OF title, body ON kb_articles BEGIN
  INSERT INTO article_fts (article_fts, rowid, title, body) VALUES ('delete', OLD.id, OLD.title, OLD.body);
  INSERT INTO article_fts (rowid, title, body) VALUES (NEW.id, NEW.title, NEW.body);
END;

CREATE TRIGGER article_fts_after_delete AFTER DELETE ON kb_articles BEGIN
  INSERT INTO article_fts (article_fts, rowid, title, body) VALUES ('delete', OLD.id, OLD.title, OLD.body);
END;

INSERT INTO article_fts (article_fts) VALUES ('rebuild');
--@ both

--@ postgresql
-- doc: everything, for staff; public_doc: without the internal notes, for a
-- requester's own tickets. Weights: subject A, body B, replies C, notes D.
-- The replies and notes fed to the index are capped at 200,000 characters each
-- so a long conversation never overflows a tsvector (1 MB) and fails a write.
CREATE TABLE ticket_search (
  ticket_id BIGINT PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
  doc tsvector NOT NULL,
  public_doc tsvector NOT NULL
);
CREATE INDEX ticket_search_doc ON ticket_search USING GIN (doc);

CREATE FUNCTION ticket_search_refresh(tid BIGINT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  pub tsvector;
  notes tsvector;
BEGIN
  SELECT setweight(to_tsvector('english', t.subject), 'A') ||
         setweight(to_tsvector('english', t.body), 'B') ||
         setweight(to_tsvector('english', left(coalesce(
           (SELECT string_agg(c.body, E'\n' ORDER BY c.id) FROM comments c
             WHERE c.ticket_id = t.id AND c.is_internal = 0), ''), 200000)), 'C'),
         setweight(to_tsvector('english', left(coalesce(
           (SELECT string_agg(c.body, E'\n' ORDER BY c.id) FROM comments c
             WHERE c.ticket_id = t.id AND c.is_internal <> 0), ''), 200000)), 'D')
    INTO pub, notes
    FROM tickets t WHERE t.id = tid;
  IF NOT FOUND THEN
    DELETE FROM ticket_search WHERE ticket_id = tid;
    RETURN;
  END IF;
  INSERT INTO ticket_search (ticket_id, doc, public_doc) VALUES (tid, pub || notes, pub)
  ON CONFLICT (ticket_id) DO UPDATE SET doc = EXCLUDED.doc, public_doc = EXCLUDED.public_doc;
END
$$;

CREATE FUNCTION ticket_search_after_ticket() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ticket_search_refresh(NEW.id);
  RETURN NULL;
END
$$;

CREATE FUNCTION ticket_search_after_comment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM ticket_search_refresh(OLD.ticket_id);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND (TG_OP = 'INSERT' OR NEW.ticket_id <> OLD.ticket_id) THEN
    PERFORM ticket_search_refresh(NEW.ticket_id);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER ticket_search_after_ticket_write AFTER INSERT OR UPDATE OF subject, body ON tickets
  FOR EACH ROW EXECUTE FUNCTION ticket_search_after_ticket();
CREATE TRIGGER ticket_search_after_comment_write AFTER INSERT OR UPDATE OF ticket_id, body, is_internal OR DELETE
  ON comments FOR EACH ROW EXECUTE FUNCTION ticket_search_after_comment();

INSERT INTO ticket_search (ticket_id, doc, public_doc)
SELECT t.id, '', '' FROM tickets t;
SELECT ticket_search_refresh(id) FROM tickets;

-- Articles are one row each: a generated column is enough.
ALTER TABLE kb_articles ADD COLUMN search_doc tsvector
  GENERATED ALWAYS AS (setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', body), 'B')) STORED;
CREATE INDEX kb_articles_search ON kb_articles USING GIN (search_doc);
--@ both
