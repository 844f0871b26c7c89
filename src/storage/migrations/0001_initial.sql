-- Users, teams, queues, tokens, tickets, comments, links and the event log.
-- Portable SQL: {{id_pk}} becomes each engine's auto-increment primary key.
-- Timestamps are integer milliseconds since the Unix epoch (UTC); booleans 0/1.

CREATE TABLE users (
  id {{id_pk}},
  email TEXT NOT NULL,
  email_norm TEXT NOT NULL UNIQUE,      -- lower-cased: uniqueness ignores case
  display_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('requester', 'agent', 'lead', 'admin')),
  is_active INTEGER NOT NULL DEFAULT 1,
  time_zone TEXT NOT NULL DEFAULT 'UTC',
  password_hash TEXT,                   -- argon2id string; NULL: cannot log in by password
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE teams (
  id {{id_pk}},
  name TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);

CREATE TABLE team_members (
  team_id BIGINT NOT NULL REFERENCES teams(id),
  user_id BIGINT NOT NULL REFERENCES users(id),
  PRIMARY KEY (team_id, user_id)
);

CREATE TABLE queues (
  id {{id_pk}},
  name TEXT NOT NULL UNIQUE,
  team_id BIGINT REFERENCES teams(id),
  description TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);

CREATE TABLE api_tokens (
  id {{id_pk}},
  user_id BIGINT NOT NULL REFERENCES users(id),
  token_hash TEXT NOT NULL UNIQUE,      -- SHA-256 of the secret; the secret is never stored
  kind TEXT NOT NULL CHECK (kind IN ('session', 'personal')),
  name TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  expires_at BIGINT,
  revoked_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE tickets (
  id {{id_pk}},
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('new', 'open', 'pending', 'on_hold', 'solved', 'closed')),
  priority TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
  queue_id BIGINT REFERENCES queues(id),
  requester_id BIGINT NOT NULL REFERENCES users(id),
  assignee_id BIGINT REFERENCES users(id),
  tags TEXT NOT NULL DEFAULT '',        -- space-separated copy of ticket_tags for one-row reads
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX tickets_updated ON tickets (updated_at, id);
CREATE INDEX tickets_status_queue ON tickets (status, queue_id, updated_at, id);
CREATE INDEX tickets_queue ON tickets (queue_id, updated_at, id);
CREATE INDEX tickets_requester ON tickets (requester_id, updated_at, id);
CREATE INDEX tickets_assignee ON tickets (assignee_id, updated_at, id);

CREATE TABLE ticket_tags (
  ticket_id BIGINT NOT NULL REFERENCES tickets(id),
  tag TEXT NOT NULL,
  PRIMARY KEY (ticket_id, tag)
);
CREATE INDEX ticket_tags_tag ON ticket_tags (tag, ticket_id);

CREATE TABLE comments (
  id {{id_pk}},
  ticket_id BIGINT NOT NULL REFERENCES tickets(id),
  author_id BIGINT NOT NULL REFERENCES users(id),
  body TEXT NOT NULL,
  is_internal INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  moved_from_ticket_id BIGINT REFERENCES tickets(id)   -- set when a merge moved it here
);
CREATE INDEX comments_ticket ON comments (ticket_id, id);

CREATE TABLE ticket_links (
  ticket_id BIGINT NOT NULL REFERENCES tickets(id),
  kind TEXT NOT NULL CHECK (kind IN ('duplicate_of', 'duplicated_by', 'related', 'parent', 'child')),
  other_ticket_id BIGINT NOT NULL REFERENCES tickets(id),
  created_at BIGINT NOT NULL,
  created_by BIGINT REFERENCES users(id),
  PRIMARY KEY (ticket_id, kind, other_ticket_id)
);

-- Every change to a ticket, written in the transaction that made it. Never updated.
CREATE TABLE ticket_events (
  id {{id_pk}},
  ticket_id BIGINT NOT NULL REFERENCES tickets(id),
  actor_id BIGINT REFERENCES users(id),
  at BIGINT NOT NULL,
  kind TEXT NOT NULL,                   -- created, field_changed, comment_added, linked, merged, ...
  field TEXT,
  before_value TEXT,
  after_value TEXT,
  is_internal INTEGER NOT NULL DEFAULT 0  -- hidden from requesters (internal notes)
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);
CREATE INDEX ticket_events_at ON ticket_events (at);

-- Results of POSTs carrying an Idempotency-Key, per user, replayed on retry.
CREATE TABLE idempotency_keys (
  user_id BIGINT NOT NULL REFERENCES users(id),
  idem_key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status_code INTEGER NOT NULL,
  response_body TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, idem_key)
);
