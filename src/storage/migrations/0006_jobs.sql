-- Durable timers and jobs (src/jobs), and the notification outbox built on them
-- (src/notify): webhooks, per-user notification preferences, server secrets.

-- One row per timer or job. A job is written in the transaction of whatever
-- causes it (the outbox pattern) and run at least once by a worker after due_at.
-- While a worker runs it, state is 'running' and due_at is the end of that
-- worker's lease: a job whose lease ran out (its node died) is due again.
CREATE TABLE jobs (
  id {{id_pk}},
  kind TEXT NOT NULL,                   -- names the handler: webhook.deliver, email.send, ...
  payload TEXT NOT NULL,                -- JSON, read by the handler
  state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'dead')),
  due_at BIGINT NOT NULL,               -- pending: when to run; running: lease end
  attempts INTEGER NOT NULL DEFAULT 0,  -- runs started (a claim counts)
  max_attempts INTEGER NOT NULL,        -- then 'dead' (the dead-letter list)
  idempotency_key TEXT UNIQUE,          -- at most one job per key, ever; NULL: no key
  locked_by TEXT,                       -- the worker that claimed it last
  locked_until BIGINT,
  last_error TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  finished_at BIGINT                    -- done or dead
);
-- The claim query's range scan: only live jobs are indexed.
CREATE INDEX jobs_due ON jobs (due_at) WHERE state IN ('pending', 'running');
CREATE INDEX jobs_kind_state ON jobs (kind, state, id);

-- Webhook targets, managed by admins. event_types is space-separated.
CREATE TABLE webhooks (
  id {{id_pk}},
  url TEXT NOT NULL,
  secret TEXT NOT NULL,
  event_types TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1,
  created_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- What each user wants to hear of, per event type and channel. No row: the
-- default (enabled).
CREATE TABLE notification_preferences (
  user_id BIGINT NOT NULL REFERENCES users(id),
  event_type TEXT NOT NULL,
  channel TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, event_type, channel)
);

-- Secrets the server makes for itself once and every node shares (the key that
-- signs links in notifications).
CREATE TABLE server_secrets (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
