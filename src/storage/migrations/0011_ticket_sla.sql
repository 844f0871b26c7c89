-- The calendar-free part of each ticket's SLA clocks (sla::ClockTimeline: when
-- each clock ran, whether it stopped or is paused), with the clock cycles that
-- already have sla_warning / sla_breached events and the first response. The
-- SLA watcher (src/automation) rewrites it whenever it reads a ticket's events
-- (every change to the ticket), so sweeps and the recompute after a calendar
-- change need no events. Valid only for the policy version it names.
CREATE TABLE ticket_sla (
  ticket_id BIGINT PRIMARY KEY REFERENCES tickets(id),
  policy_id BIGINT,              -- NULL: no policy matched
  policy_updated_at BIGINT,
  timelines TEXT NOT NULL,       -- encoded by src/automation/sla_watch.cc
  marks TEXT NOT NULL,           -- "w:<target>:<cycle start>" / "b:..." space-separated
  first_response_at BIGINT
);
