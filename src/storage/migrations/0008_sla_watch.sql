-- SLA timers, automatic escalation rules and escalation clocks (src/automation,
-- docs/SLA.md, docs/ESCALATION.md).

-- The nearest due and warning instants of the ticket's open, running (or
-- already breached) SLA clocks, kept by the SLA watcher in the transaction of
-- every ticket change and by its timers. Derived data for lists ("breaching
-- soon", sort by due): the clocks themselves are still computed from events.
-- NULL: nothing running. (Migration 0014 moves these three columns and their
-- indexes to the narrow table ticket_sla_due.)
ALTER TABLE tickets ADD COLUMN sla_due_at BIGINT;
ALTER TABLE tickets ADD COLUMN sla_warn_at BIGINT;
-- When the watcher must look at the ticket again (a warning or due instant, an
-- automatic rule's deadline). One durable sla.sweep job, due at the earliest of
-- these, refreshes every ticket whose instant has come.
ALTER TABLE tickets ADD COLUMN sla_check_at BIGINT;
CREATE INDEX tickets_sla_check ON tickets (sla_check_at) WHERE sla_check_at IS NOT NULL;
-- Sort by due puts tickets without a due time last on both engines.
CREATE INDEX tickets_sla_due ON tickets ((COALESCE(sla_due_at, 9223372036854775807)), id);
CREATE INDEX tickets_sla_warn ON tickets (sla_warn_at) WHERE sla_warn_at IS NOT NULL;

-- Whether the requester-facing clocks stop while an escalation to engineering
-- is open (sla_paused / sla_resumed ticket events mark the spans).
ALTER TABLE sla_policies ADD COLUMN pause_while_escalated INTEGER NOT NULL DEFAULT 0;

-- Automatic escalation: tried for every open ticket by the SLA watcher.
-- trigger 'unanswered': no first response after `minutes` business minutes (on
-- the ticket's SLA calendar; 24x7 without a policy). trigger 'sla_breach': any
-- SLA clock of the ticket breached. Each rule fires at most once per ticket.
CREATE TABLE escalation_rules (
  id {{id_pk}},
  name TEXT NOT NULL UNIQUE,
  trigger_kind TEXT NOT NULL CHECK (trigger_kind IN ('unanswered', 'sla_breach')),
  minutes BIGINT,                       -- 'unanswered' only
  priorities TEXT NOT NULL DEFAULT '',  -- space-separated; empty: any
  queue_ids TEXT NOT NULL DEFAULT '',   -- space-separated; empty: any
  tier TEXT NOT NULL CHECK (tier IN ('l2', 'engineering')),
  severity TEXT NOT NULL CHECK (severity IN ('sev1', 'sev2', 'sev3', 'sev4')),
  enabled INTEGER NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- An escalation's own clocks: wall-clock minutes to acknowledge and to the
-- engineering team's first response, per severity (on-call is 24x7).
CREATE TABLE escalation_severity_targets (
  severity TEXT PRIMARY KEY CHECK (severity IN ('sev1', 'sev2', 'sev3', 'sev4')),
  ack_minutes BIGINT NOT NULL,
  response_minutes BIGINT NOT NULL
);
INSERT INTO escalation_severity_targets (severity, ack_minutes, response_minutes) VALUES
  ('sev1', 5, 15), ('sev2', 15, 60), ('sev3', 60, 240), ('sev4', 240, 1440);

ALTER TABLE escalations ADD COLUMN rule_id BIGINT REFERENCES escalation_rules(id);
ALTER TABLE escalations ADD COLUMN responded_by BIGINT REFERENCES users(id);
ALTER TABLE escalations ADD COLUMN responded_at BIGINT;
