-- The SLA watcher's derived instants move out of the wide tickets row into a
-- narrow table of their own (src/automation/sla_watch.h, docs/SLA.md).
--
-- Migration 0008 added tickets.sla_due_at / sla_warn_at / sla_check_at. The
-- recompute after a policy or calendar change rewrites them for every open
-- ticket, and on the tickets row that meant rewriting the whole wide record
-- (subject, body, body_html, ...) into SQLite's WAL, or on PostgreSQL a non-HOT
-- new version of the wide tuple with an entry in each of the table's indexes.
-- Here the same three values are a row of four integers.
--
-- Every ticket has exactly one row (a trigger adds it with the ticket, whatever
-- path inserts it), NULLs when nothing runs: lists join it with an inner join,
-- so sorting by due time walks ticket_sla_due_due in order, and on PostgreSQL
-- the row always exists. ON DELETE CASCADE: the row goes with its ticket.
--
--   due_at    the nearest due instant of the ticket's running (or breached)
--             open SLA clocks; NULL: nothing running (paused, answered, done)
--   warn_at   the same for the warning instants
--   check_at  when the watcher must look at the ticket again (a warning or due
--             instant, an automatic rule's deadline); one durable sla.sweep
--             job, due at the earliest, refreshes every ticket whose instant
--             has come

--@ sqlite
-- INTEGER PRIMARY KEY: the rowid itself, so no separate key index.
CREATE TABLE ticket_sla_due (
  ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
  due_at BIGINT,
  warn_at BIGINT,
  check_at BIGINT
);
--@ postgresql
CREATE TABLE ticket_sla_due (
  ticket_id BIGINT PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
  due_at BIGINT,
  warn_at BIGINT,
  check_at BIGINT
);
--@ both

INSERT INTO ticket_sla_due (ticket_id, due_at, warn_at, check_at)
SELECT id, sla_due_at, sla_warn_at, sla_check_at FROM tickets;

-- The sweep: tickets whose check instant has come, earliest first.
CREATE INDEX ticket_sla_due_check ON ticket_sla_due (check_at) WHERE check_at IS NOT NULL;
-- Sort by due (GET /tickets?sort=sla_due_at): tickets without a due time last
-- on both engines, then by ticket id for keyset paging.
CREATE INDEX ticket_sla_due_due ON ticket_sla_due ((COALESCE(due_at, 9223372036854775807)), ticket_id);
-- At risk (sla=at_risk, the Breaching soon view and its count): warn_at <= now.
CREATE INDEX ticket_sla_due_warn ON ticket_sla_due (warn_at) WHERE warn_at IS NOT NULL;

-- The old columns and their indexes. No trigger or view names them (the search
-- triggers of 0012 read subject and body only). SQLite 3.35+ drops a column
-- once no index uses it; it rewrites every tickets row to do so, once.
DROP INDEX tickets_sla_check;
DROP INDEX tickets_sla_due;
DROP INDEX tickets_sla_warn;
ALTER TABLE tickets DROP COLUMN sla_due_at;
ALTER TABLE tickets DROP COLUMN sla_warn_at;
ALTER TABLE tickets DROP COLUMN sla_check_at;

-- A new ticket gets its row in the same statement.
--@ sqlite
CREATE TRIGGER ticket_sla_due_after_ticket_insert AFTER INSERT ON tickets BEGIN
  INSERT INTO ticket_sla_due (ticket_id) VALUES (NEW.id);
END;
--@ postgresql
CREATE FUNCTION ticket_sla_due_after_ticket_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ticket_sla_due (ticket_id) VALUES (NEW.id);
  RETURN NULL;
END
$$;

CREATE TRIGGER ticket_sla_due_after_ticket_insert AFTER INSERT ON tickets
  FOR EACH ROW EXECUTE FUNCTION ticket_sla_due_after_ticket_insert();
--@ both
