-- Escalations of tickets to on-call engineering or to the leads (src/escalation,
-- docs/ESCALATION.md). Paging and ack timeouts are jobs (0006_jobs.sql) keyed
-- esc:<id>:page:<step> and esc:<id>:timeout:<step>.
CREATE TABLE escalations (
  id {{id_pk}},
  ticket_id BIGINT NOT NULL REFERENCES tickets(id),
  policy_id BIGINT REFERENCES escalation_policies(id),  -- NULL for tier l2
  tier TEXT NOT NULL CHECK (tier IN ('l2', 'engineering')),
  severity TEXT NOT NULL CHECK (severity IN ('sev1', 'sev2', 'sev3', 'sev4')),
  reason TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('triggered', 'acknowledged', 'resolved', 'unacknowledged', 'cancelled')),
  step INTEGER NOT NULL DEFAULT 0,              -- the n-th page (oncall::LevelForStep)
  level_index INTEGER NOT NULL DEFAULT 0,       -- the policy level of that step
  last_paged_step INTEGER NOT NULL DEFAULT -1,  -- makes the page job idempotent
  created_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  acknowledged_by BIGINT REFERENCES users(id),
  acknowledged_at BIGINT,
  resolved_by BIGINT REFERENCES users(id),
  resolved_at BIGINT,
  cancelled_by BIGINT REFERENCES users(id),
  cancelled_at BIGINT
);
CREATE INDEX escalations_ticket ON escalations (ticket_id, id);
CREATE INDEX escalations_state ON escalations (state, id);
