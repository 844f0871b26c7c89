-- The knowledge base (src/kb, docs/KB.md): articles and SOPs, every save a
-- version, a state workflow, review dates.

-- The article as it is now (its latest version) and its workflow state.
CREATE TABLE kb_articles (
  id {{id_pk}},
  title TEXT NOT NULL,
  body TEXT NOT NULL,                   -- Markdown
  body_html TEXT NOT NULL,              -- rendered safely at write time
  category TEXT NOT NULL DEFAULT '',
  audience TEXT NOT NULL CHECK (audience IN ('public', 'internal')),
  state TEXT NOT NULL CHECK (state IN ('draft', 'in_review', 'published', 'archived')),
  tags TEXT NOT NULL DEFAULT '',        -- space-separated
  queue_ids TEXT NOT NULL DEFAULT '',   -- related components, space-separated
  owner_id BIGINT REFERENCES users(id),
  review_interval_days INTEGER NOT NULL DEFAULT 180,
  reviewed_at BIGINT,                   -- last confirmed current (publishing counts)
  review_due_at BIGINT,                 -- reviewed_at + interval, while published
  version INTEGER NOT NULL,             -- the latest version number
  created_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  published_at BIGINT
);
CREATE INDEX kb_articles_state ON kb_articles (state, updated_at, id);
CREATE INDEX kb_articles_review ON kb_articles (review_due_at) WHERE review_due_at IS NOT NULL;

-- Every save: the content as saved, who saved it and why.
CREATE TABLE kb_article_versions (
  article_id BIGINT NOT NULL REFERENCES kb_articles(id),
  version INTEGER NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  category TEXT NOT NULL,
  audience TEXT NOT NULL,
  tags TEXT NOT NULL,
  queue_ids TEXT NOT NULL,
  author_id BIGINT REFERENCES users(id),
  note TEXT NOT NULL DEFAULT '',        -- e.g. "restored from version 3"
  created_at BIGINT NOT NULL,
  PRIMARY KEY (article_id, version)
);

-- State changes and reviews: who, when, from, to.
CREATE TABLE kb_article_events (
  id {{id_pk}},
  article_id BIGINT NOT NULL REFERENCES kb_articles(id),
  actor_id BIGINT REFERENCES users(id),
  at BIGINT NOT NULL,
  kind TEXT NOT NULL,                   -- state_changed | reviewed
  before_value TEXT,
  after_value TEXT
);
CREATE INDEX kb_article_events_article ON kb_article_events (article_id, id);
