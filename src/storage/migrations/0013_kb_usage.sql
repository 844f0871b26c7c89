-- Agents an admin made knowledge base editors: they publish, archive and edit
-- published articles as leads do.
ALTER TABLE users ADD COLUMN kb_editor INTEGER NOT NULL DEFAULT 0;

-- How the knowledge base is used (src/kb/usage_service.h, docs/KB.md): the
-- articles agents resolved tickets with or sent to requesters (with the exact
-- version), "was this helpful?" votes, and the portal's suggestion sessions
-- that measure deflection.

CREATE TABLE kb_ticket_links (
  ticket_id BIGINT NOT NULL REFERENCES tickets(id),
  article_id BIGINT NOT NULL REFERENCES kb_articles(id),
  kind TEXT NOT NULL CHECK (kind IN ('resolved_with', 'sent_to_requester')),
  article_version INTEGER NOT NULL,     -- the version the agent used
  linked_by BIGINT REFERENCES users(id),
  linked_at BIGINT NOT NULL,
  PRIMARY KEY (ticket_id, article_id, kind)
);
CREATE INDEX kb_ticket_links_article ON kb_ticket_links (article_id, linked_at);

-- One vote per person and article; a new vote replaces the old one.
CREATE TABLE kb_feedback (
  article_id BIGINT NOT NULL REFERENCES kb_articles(id),
  user_id BIGINT NOT NULL REFERENCES users(id),
  helpful INTEGER NOT NULL,
  comment TEXT NOT NULL DEFAULT '',
  article_version INTEGER NOT NULL,
  at BIGINT NOT NULL,
  PRIMARY KEY (article_id, user_id)
);

-- A requester's new-ticket form in the portal, from its first viewed
-- suggestion: deflected when no ticket was filed from it.
CREATE TABLE kb_suggestion_sessions (
  user_id BIGINT NOT NULL REFERENCES users(id),
  session_id TEXT NOT NULL,             -- chosen by the portal, random per form
  first_view_at BIGINT NOT NULL,
  last_view_at BIGINT NOT NULL,
  filed_ticket_id BIGINT REFERENCES tickets(id),
  filed_at BIGINT,
  PRIMARY KEY (user_id, session_id)
);
CREATE INDEX kb_suggestion_sessions_first_view ON kb_suggestion_sessions (first_view_at);

CREATE TABLE kb_suggestion_views (
  user_id BIGINT NOT NULL,
  session_id TEXT NOT NULL,
  article_id BIGINT NOT NULL REFERENCES kb_articles(id),
  at BIGINT NOT NULL,
  PRIMARY KEY (user_id, session_id, article_id),
  FOREIGN KEY (user_id, session_id) REFERENCES kb_suggestion_sessions (user_id, session_id)
);
