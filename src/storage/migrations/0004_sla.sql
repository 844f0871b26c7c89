-- Business calendars and SLA policies (src/sla, docs/SLA.md). A ticket's SLA
-- state is computed on read from ticket_events and never stored.

CREATE TABLE sla_calendars (
  id {{id_pk}},
  name TEXT NOT NULL UNIQUE,
  time_zone TEXT NOT NULL,              -- IANA name
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- Working intervals in local time; an interval never crosses midnight.
CREATE TABLE sla_calendar_hours (
  calendar_id BIGINT NOT NULL REFERENCES sla_calendars(id),
  weekday INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),   -- 0 = Monday
  start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
  end_minute INTEGER NOT NULL CHECK (end_minute BETWEEN 1 AND 1440),
  PRIMARY KEY (calendar_id, weekday, start_minute)
);

CREATE TABLE sla_calendar_holidays (
  calendar_id BIGINT NOT NULL REFERENCES sla_calendars(id),
  holiday_date TEXT NOT NULL,           -- YYYY-MM-DD, a local date
  recurring INTEGER NOT NULL DEFAULT 0, -- 1: every year on that month and day
  name TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (calendar_id, holiday_date, recurring)
);

-- Tried by (position_no, id); the first whose conditions match applies.
CREATE TABLE sla_policies (
  id {{id_pk}},
  name TEXT NOT NULL UNIQUE,
  position_no BIGINT NOT NULL,
  calendar_id BIGINT NOT NULL REFERENCES sla_calendars(id),
  priorities TEXT NOT NULL DEFAULT '',  -- space-separated; empty: any
  queue_ids TEXT NOT NULL DEFAULT '',   -- space-separated; empty: any
  tags TEXT NOT NULL DEFAULT '',        -- space-separated; empty: any
  first_response_minutes BIGINT,        -- business minutes; NULL: not measured
  next_response_minutes BIGINT,
  resolution_minutes BIGINT,
  pause_on TEXT NOT NULL DEFAULT 'pending on_hold',
  warn_at_percent INTEGER NOT NULL DEFAULT 75,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX sla_policies_order ON sla_policies (position_no, id);
