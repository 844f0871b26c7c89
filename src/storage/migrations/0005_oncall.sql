-- On-call schedules (layers of rotations plus overrides) and escalation policies;
-- queues (components) may point at the policy that pages for them.
-- Rules: docs/ONCALL.md. Local dates and times are text in the schedule's zone.

CREATE TABLE oncall_schedules (
  id {{id_pk}},
  team_id BIGINT NOT NULL REFERENCES teams(id),
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  time_zone TEXT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1,    -- bumped by every change: the in-memory snapshot's key
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (team_id, name)
);

-- Layer 0 is the bottom; a higher layer overrides the ones below it.
CREATE TABLE oncall_layers (
  schedule_id BIGINT NOT NULL REFERENCES oncall_schedules(id),
  layer_index INTEGER NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  rotation TEXT NOT NULL CHECK (rotation IN ('daily', 'weekly', 'custom')),
  rotation_hours INTEGER NOT NULL,
  start_date TEXT NOT NULL,             -- YYYY-MM-DD, local
  handoff_time TEXT NOT NULL,           -- HH:MM, local
  PRIMARY KEY (schedule_id, layer_index)
);

CREATE TABLE oncall_layer_participants (
  schedule_id BIGINT NOT NULL,
  layer_index INTEGER NOT NULL,
  seq INTEGER NOT NULL,                 -- rotation order
  user_id BIGINT NOT NULL REFERENCES users(id),
  PRIMARY KEY (schedule_id, layer_index, seq),
  FOREIGN KEY (schedule_id, layer_index) REFERENCES oncall_layers(schedule_id, layer_index)
);

CREATE TABLE oncall_overrides (
  id {{id_pk}},
  schedule_id BIGINT NOT NULL REFERENCES oncall_schedules(id),
  user_id BIGINT NOT NULL REFERENCES users(id),
  start_at BIGINT NOT NULL,
  end_at BIGINT NOT NULL,
  created_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL,
  CHECK (end_at > start_at)
);
CREATE INDEX oncall_overrides_schedule ON oncall_overrides (schedule_id, end_at);

CREATE TABLE escalation_policies (
  id {{id_pk}},
  team_id BIGINT NOT NULL REFERENCES teams(id),
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  repeat_count INTEGER NOT NULL DEFAULT 0,
  notify_lead_when_exhausted INTEGER NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (team_id, name)
);

CREATE TABLE escalation_levels (
  policy_id BIGINT NOT NULL REFERENCES escalation_policies(id),
  level_index INTEGER NOT NULL,
  ack_timeout_minutes INTEGER NOT NULL,
  PRIMARY KEY (policy_id, level_index)
);

-- Exactly one of user_id, schedule_id, team_id is set, as `kind` says.
CREATE TABLE escalation_targets (
  policy_id BIGINT NOT NULL,
  level_index INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('user', 'schedule', 'team_on_call')),
  user_id BIGINT REFERENCES users(id),
  schedule_id BIGINT REFERENCES oncall_schedules(id),
  team_id BIGINT REFERENCES teams(id),
  PRIMARY KEY (policy_id, level_index, seq),
  FOREIGN KEY (policy_id, level_index) REFERENCES escalation_levels(policy_id, level_index)
);
CREATE INDEX escalation_targets_schedule ON escalation_targets (schedule_id);

ALTER TABLE queues ADD COLUMN escalation_policy_id BIGINT REFERENCES escalation_policies(id);
