-- Requester groups (the requester's department or organisation): an SLA policy
-- may apply to some groups only (docs/SLA.md). NULL: no group.
ALTER TABLE users ADD COLUMN group_name TEXT;
ALTER TABLE sla_policies ADD COLUMN requester_groups TEXT NOT NULL DEFAULT '';  -- space-separated; empty: any
